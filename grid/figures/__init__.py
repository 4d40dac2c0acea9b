"""Grid-governance figures (考核指标): `ledger` (the aggregate queries over events, work items, transitions
and patrols), `rollup` (the same figures from the ledger rollup, and what each grid_event item counts in it)
and `api` (GET /api/v1/grid/figures/)."""

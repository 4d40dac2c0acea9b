"""Patrols (巡查), by concept: `actions` (a grid worker starts a round, checks in at each patrol item, ends
it), `selectors` (the open patrol, its items and check-ins, patrol coverage for the figures) and
`key_places` (key places falling due feed the grid's patrol items; the periodic task in grid/tasks.py runs
it)."""

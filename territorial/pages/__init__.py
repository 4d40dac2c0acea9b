"""Staff pages of 三资 and the town-managed institutions (under /territorial/), one module per area:
overview and warnings, ledger and payments, contracts, assets and resources, institutions. Each view is
parse → access (territorial.selectors, 404 outside the jurisdiction) → the same action the API calls →
render; `common.submit` is the one place a POST runs its form and action."""

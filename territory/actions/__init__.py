"""Every write to the territory, one module a concern: the synthetic district's load (loading), real
boundaries imported from a GeoJSON file (boundaries), the admin's saves of grids (grids), of divisions
(divisions) and of enforcement zones (enforcement_zones); the steward's right and the boundary revision
they share are in common. Each action is one transaction, checks the actor's right, writes its audit
rows, bumps the boundary revision when grid coverage changed and drops the locate index after commit.

`actor` is a user, or None for an operator at the command line (install-time loads)."""

"""Grid reference data and each grid's lists, by concept:

- `actions`: every write — categories and the filing/closing standard (`standard`), the responsibility list
  and routing decisions (`responsibility`), the grid's lists (`grid_lists`), the reference seed (`reference`);
- `reference_data`: the seed values read from grid/data/reference.yaml;
- `routing`: grid + category → the responsible unit through the responsibility list;
- `imports`: XLSX import and export of the filing/closing standard;
- `selectors`: the reads (standard versions, time limits, category tree, the grid's three lists);
- `api` and `serializers`: the JSON API under /api/v1/grid/ (categories, standard versions, routing
  preview, the grid's lists).
"""

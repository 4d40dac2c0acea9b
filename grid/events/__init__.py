"""Grid events (网格事件), by concept — each module holds the rules of one part of the loop:

- `report`: 信息收集 — `do_report_event`, receipt numbers, photo checks;
- `steps`: the binding of every `grid_event` action to its handler (`transition()` runs it whichever door)
  and the grid's own door `do_event_action`;
- `dispatch`: 立案 / 派遣 / 吹哨 / 认定重复 (routing records, levels, the original);
- `handling`: the handling photos a step names;
- `closure`: 结案 (closing photos, closure level) and telling the reporters;
- `rating`: 评价 — `do_rate_event`;
- `bulk`: an import of many reports at once — `do_report_events_bulk`;
- `duplicates`: duplicate candidates near in place and time (offered, never merged silently);
- `publication`: what of an event reaches anonymous readers (public reply, released description);
- `selectors`: the reads, scoped by jurisdiction, and the public status by receipt number;
- `api`: the JSON API — staff intake, list, detail and actions; residents by receipt number.
Pages are in grid/web.
"""

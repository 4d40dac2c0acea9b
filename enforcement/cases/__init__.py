"""Enforcement cases by procedure stage (行政处罚法), one module a stage of processes `case_ordinary` and
`case_summary` (enforcement/processes/):

- `filing` 立案 — `investigation` 调查取证 / 调查终结, 中止, 延期 — `legal_review` 法制审核, 集体讨论 —
  `hearing` 告知, 听证 — `decision` 决定 (the summary procedure's on-the-spot decision too) — `execution`
  送达, 执行, 结案, 归档: one function per step, its checks and the case fields it sets;
- `binding`: every action of both definitions bound to its step function (the actor check, the case lock,
  the record entry, the audit row, the grid event following its case);
- `deadlines`: the decision deadline after a pause (听证, 中止); `surcharge`: the late-payment surcharge;
- `documents`: the numbered forms (文书) and the case file's order; `document_actions`: generating them;
- `publication`: 行政执法公示 of penalty decisions.
Opening a case and the door to its steps are in enforcement/actions/.
"""

from typing import Any

# What a step function returns: the facts its record entry and audit row carry.
Meta = dict[str, Any]

"""What each enforcement case (`case_ordinary`, `case_summary`) counts in the ledger rollup
(workflow/rollups.py), read by the command centre's 综合执法 module. Keys, on the item's territory code:
- `filed` on the day of 立案: an ordinary case's approved filing, a summary case's on-the-spot decision
  (简易程序 is filed and decided at once);
- `decided` on the day of an ordinary case's decision (penalty or none), its flags carrying the natural
  days from filing to decision (`days=N`), for the average;
- `closed` on the day of 结案 (`close`);
- `hearings` on the day a hearing was first requested (听证; one per case)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from workflow.models import Transition, WorkItem
from workflow.rollups import Key, register

PROCESSES = ("case_ordinary", "case_summary")
FILINGS = ("approve_filing", "decide_on_spot")
DECISIONS = ("decide", "decide_no_penalty")


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


class CaseContributor:
    def prepare(self, items: Sequence[WorkItem]) -> None:
        return None

    def contribution(self, item: WorkItem, transitions: Sequence[Transition], context: Any) -> Counter[Key]:
        counts: Counter[Key] = Counter()
        where = item.territory_code
        filed_day: date | None = None
        heard = False
        for record in transitions:
            day = local_day(record.occurred_at)
            action = record.action
            if action in FILINGS and filed_day is None:
                filed_day = day
                counts[Key("filed", day, where)] += 1
            elif action in DECISIONS and filed_day is not None:
                counts[Key("decided", day, where, flags=f"days={(day - filed_day).days}")] += 1
            elif action == "close":
                counts[Key("closed", day, where)] += 1
            elif action == "request_hearing" and not heard:
                heard = True
                counts[Key("hearings", day, where)] += 1
        return counts


for _process in PROCESSES:
    register(_process, CaseContributor())

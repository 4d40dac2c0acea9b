"""The hand-computed points example (docs/evaluation.md), driven through the workflow engine so the
deadlines are the engine's: two ordinary cases of the 黄桥 squad in November 2026 and one assessment.

    case A (lead 张三, assist 李四), started Mon 2 Nov 09:00 — 线索核查 due Mon 23 Nov 17:30:
      4 Nov  张三 propose_filing     on time   张三 +1
      5 Nov  王队长 approve_filing    (not a case officer: nothing)
      10 Nov 李四 submit_report      on time   李四 +1
      11 Nov 张三 issue_notice       on time   张三 +1
      18 Nov 张三 end_notice         on time   张三 +1
      20 Nov 王队长 records 案卷评查优秀 for 张三           张三 +3
    case B (lead 李四, assist 张三), started Mon 2 Nov 09:00:
      25 Nov 李四 propose_filing     late (after 23 Nov 17:30)  李四 −2
      25 Nov 王队长 approve_filing    (nothing)
      26 Nov 张三 submit_report      on time   张三 +1
      26 Nov 张三 send_legal_review  on time   张三 +1
      27 Nov 赵审核 legal_review_return → 法制审核发现问题 for the lead  李四 −3

    totals for 2026-11: 张三 8, 王队长 0, 李四 −4 → ranking 张三 1, 王队长 2, 李四 3.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from enforcement.actions import append_record
from enforcement.models import Case, RecordKind
from enforcement.tests.test_documents_support import make_case
from evaluation.actions import do_record_assessment
from evaluation.rules import FILE_EXCELLENT
from workflow.engine import transition
from workflow.publishing import do_publish_processes
from workflow.start import do_start_item

LOCAL = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=LOCAL)


def started_case(people: dict[str, Any], *, lead: Any, assist: Any, number: str, at: datetime) -> Case:
    case = make_case(people, now=at, lead=lead, assist=assist, number=number)
    item = do_start_item(
        "case_ordinary",
        actor=lead,
        now=at,
        title=f"{number} {case.party_name}",
        territory_code=case.territory_code,
        subject_type="enforcement.case",
        subject_id=str(case.pk),
        assigned_unit=people["squad"],
    )
    Case.objects.filter(pk=case.pk).update(work_item=item)
    case.work_item = item
    return case


def step(case: Case, action: str, actor: Any, at: datetime, reason: str = "", **inputs: Any) -> None:
    """One case step through the engine — with enforcement's rules for the step, as every door."""
    assert case.work_item is not None
    transition(case.work_item, action, actor=actor, now=at, reason=reason, inputs=inputs)


def transcript(case: Case, actor: Any, at: datetime) -> None:
    """The 询问笔录 the report needs (调查终结前须有笔录)."""
    append_record(
        case, step="investigating", title="询问笔录", actor=actor, now=at, kind=RecordKind.TRANSCRIPT
    )


def build_hand_example(people: dict[str, Any]) -> dict[str, Case]:
    """`people` as enforcement.tests.test_documents_support.squad_people returns them."""
    do_publish_processes(now=local(1, 8))
    zhang, li, leader, reviewer = people["officer"], people["colleague"], people["leader"], people["reviewer"]
    a = started_case(people, lead=zhang, assist=li, number="黄综执立〔2026〕101号", at=local(2, 9))
    b = started_case(people, lead=li, assist=zhang, number="黄综执立〔2026〕102号", at=local(2, 9))
    step(a, "propose_filing", zhang, local(4))
    step(a, "approve_filing", leader, local(5))
    transcript(a, li, local(9))
    step(a, "submit_report", li, local(10))
    step(a, "issue_notice", zhang, local(11))
    step(a, "end_notice", zhang, local(18), waived=True)
    do_record_assessment(a, FILE_EXCELLENT, "文书齐全、证据链完整", actor=leader, now=local(20))
    step(b, "propose_filing", li, local(25))
    step(b, "approve_filing", leader, local(25, 11))
    transcript(b, zhang, local(25, 15))
    step(b, "submit_report", zhang, local(26))
    step(b, "send_legal_review", zhang, local(26, 11))
    step(b, "legal_review_return", reviewer, local(27), reason="证据不足，补充调查当事人经营时长")
    return {"a": a, "b": b}

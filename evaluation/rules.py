"""The default point rules and rotation policy (seeded by migration 0002, editable in the admin).
Why these numbers: a step done on time is the normal case and earns little (+1); a late step costs twice
that (−2), so an officer who is late as often as on time drifts below zero; findings that show a wrong
decision cost most (overturned −10, upheld complaint −5), defects found in review cost −3, and an
excellent case file earns +3. See docs/evaluation.md."""

from __future__ import annotations

from typing import Final

STEP_ON_TIME: Final = "step_on_time"
STEP_LATE: Final = "step_late"
PUBLICATION_LATE: Final = "publication_late"
LEGAL_REVIEW_FINDING: Final = "legal_review_finding"
DECISION_OVERTURNED: Final = "decision_overturned"
COMPLAINT_UPHELD: Final = "complaint_upheld"
FILE_EXCELLENT: Final = "file_excellent"
FILE_DEFECTIVE: Final = "file_defective"

# code, description, basis, points
DEFAULT_RULES: Final[list[tuple[str, str, str, int]]] = [
    (STEP_ON_TIME, "案件环节在时限内办结", "step_on_time", 1),
    (STEP_LATE, "案件环节超过时限办结", "step_late", -2),
    (PUBLICATION_LATE, "处罚决定未在七个工作日内公示", "publication_late", -2),
    (LEGAL_REVIEW_FINDING, "法制审核发现问题（退回补充调查或纠正）", "assessment", -3),
    (DECISION_OVERTURNED, "处罚决定被复议或诉讼撤销、变更或确认违法", "assessment", -10),
    (COMPLAINT_UPHELD, "针对执法行为的投诉经查属实", "assessment", -5),
    (FILE_EXCELLENT, "案卷评查优秀", "assessment", 3),
    (FILE_DEFECTIVE, "案卷评查不合格", "assessment", -3),
]

DEFAULT_THRESHOLD: Final = 0
DEFAULT_CONSECUTIVE_PERIODS: Final = 3

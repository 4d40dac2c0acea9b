"""The rules of each step of process `rating_rectification` (ratings/processes/), bound to the engine in
`RatingsConfig.ready()` (see `workflow.handlers`): `transition()` runs them whichever door moved the item
— `ratings.actions.do_act_on_rectification` (the ratings pages and API), the generic work-item endpoint,
the sweeper's 督办.

- Every step but 督办 locks the rating of the item (409 `no_subject` without one).
- An appeal (`uphold_appeal`, `reject_appeal`) is decided by the district's approval bureau
  (`<district>-approval`, its approvers) or a supervisor — never by the staff of the centre whose rating it
  is, never by a town bureau (`ratings.actions.may_review_appeal`; 403 `not_allowed`).
- After `reply` the applicant is told the outcome (SMS, once); after an upheld appeal the rating is
  excluded from the figures (once) — `ratings.actions.apply_rectification_effects`, in the same
  transaction.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core.errors import Conflict, PermissionRefused
from ratings.actions import RECTIFICATION_PROCESS, apply_rectification_effects, may_review_appeal
from ratings.models import Rating
from workflow.handlers import PLAIN, Handler, Step, bind


def _rating(step: Step, *, lock: bool) -> Rating:
    queryset = Rating.objects.select_related("application", "rectification").filter(
        rectification_id=step.item.pk
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    rating = queryset.first()
    if rating is None:
        raise Conflict("no_subject", "该办件没有对应的评价，不能按差评整改流程办理。", field="action")
    return rating


def _appeal_reviewer(step: Step) -> None:
    """申诉 is decided by the district approval bureau or a supervisor, never by the rated centre."""
    if not may_review_appeal(step.actor, _rating(step, lock=False)):
        raise PermissionRefused(
            "not_allowed", "申诉由区行政审批局或督办人员审核，受理中心和镇（街道）不能审核。"
        )


def _lock(step: Step) -> None:
    step.scratch["rating"] = _rating(step, lock=True)


def _effects(step: Step) -> None:
    apply_rectification_effects(step.scratch["rating"], now=step.now)


STEP = Handler(guard=_lock, effect=_effects)
APPEAL = Handler(actors=_appeal_reviewer, guard=_lock, effect=_effects)

HANDLERS: dict[str, Handler] = {
    "callback": STEP,
    "appeal": STEP,
    "uphold_appeal": APPEAL,
    "reject_appeal": APPEAL,
    "reply": STEP,
    "supervise_callback": PLAIN,
    "supervise": PLAIN,
}


# Where the stream starts this process's items (the generic create door refuses it and names this).
START_DOOR = gettext_lazy("不满意的好差评（POST /api/v1/ratings/）")


def register() -> None:
    bind(RECTIFICATION_PROCESS, HANDLERS, owner="ratings", start_door=START_DOOR)

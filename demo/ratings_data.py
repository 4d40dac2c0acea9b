"""Demo 好差评: ratings on the demo applications — mostly satisfied, about one in ten bad — and the
rectification of the bad ones: older ones called back and replied to (closed), recent ones still open.
Everything goes through ratings.actions. Idempotent: an application stage already rated is skipped."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from accounts.models import Assignment, Role, User
from approvals.models import Application
from approvals.models import Channel as ApplicationChannel
from ratings.actions import do_act_on_rectification, do_rate_application
from ratings.models import Rating, RatingChannel, Stage, dimensions_for

BAD_COMMENTS = (
    "等候时间太长，叫号后又让我补材料。",
    "材料要求没有一次性告知，跑了两趟。",
    "窗口人员态度生硬，解释不耐心。",
    "网上预审退回理由看不懂。",
)
GOOD_COMMENTS = ("", "", "办理很快，谢谢。", "工作人员讲解清楚。", "一次办好，点赞。")
# A bad rating older than this is shown rectified (called back and replied to); newer ones stay open.
RECTIFIED_AFTER = timedelta(days=5)


def _draw(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def _level(key: str) -> int:
    roll = _draw(key) % 20
    return 1 if roll == 0 else 2 if roll == 1 else 3 if roll == 2 else 4 if roll < 10 else 5


def _centre_clerk(application: Application, cache: dict[int, User | None]) -> User | None:
    """Who records a window rating and handles the rectification: the application's clerk, else a window
    clerk of its centre."""
    if application.clerk is not None:
        return application.clerk
    if application.centre_id not in cache:
        assignment = (
            Assignment.objects.filter(org_unit_id=application.centre_id, role=Role.WINDOW_CLERK, active=True)
            .select_related("user")
            .order_by("id")
            .first()
        )
        cache[application.centre_id] = assignment.user if assignment else None
    return cache[application.centre_id]


def seed_ratings(*, now: datetime, system: User) -> dict[str, int]:
    counts = {"ratings": 0, "bad": 0, "rectified": 0}
    staff: dict[int, User | None] = {}
    rated = set(Rating.objects.values_list("application_id", "stage"))
    applications = (
        Application.objects.filter(accepted_at__isnull=False)
        .select_related("item", "centre", "clerk")
        .order_by("id")
    )
    for application in applications:
        stages = []
        if application.completed_at is not None:
            stages.append((Stage.COMPLETED.value, application.completed_at))
        if _draw(application.receipt_no) % 3 == 0 and application.accepted_at is not None:
            stages.append((Stage.ACCEPTED.value, application.accepted_at))
        for stage, reached in stages:
            if (application.pk, stage) in rated:
                continue
            rated_at = reached + timedelta(hours=1)
            if rated_at > now:
                continue
            key = f"{application.receipt_no}:{stage}"
            clerk = _centre_clerk(application, staff)
            window = application.channel == ApplicationChannel.WINDOW and clerk is not None
            channel = RatingChannel.WINDOW if window else RatingChannel.ONLINE
            level = _level(key)
            scores = {
                dim: max(1, min(5, level + (1 if _draw(f"{key}:{dim}") % 4 == 0 else 0)))
                for dim in dimensions_for(channel)
            }
            comments = BAD_COMMENTS if level <= 2 else GOOD_COMMENTS
            rating, created = do_rate_application(
                application,
                stage=stage,
                channel=channel,
                level=level,
                scores=scores,
                comment=comments[_draw(key + ":c") % len(comments)],
                actor=clerk if window else None,
                now=rated_at,
            )
            counts["ratings"] += int(created)
            if rating.rectification_id is None:
                continue
            counts["bad"] += 1
            if clerk is not None and rated_at + RECTIFIED_AFTER <= now:
                do_act_on_rectification(
                    rating,
                    "callback",
                    actor=clerk,
                    now=rated_at + timedelta(days=1),
                    inputs={"callback_note": "已电话回访申请人，了解具体情况。"},
                )
                do_act_on_rectification(
                    rating,
                    "reply",
                    actor=clerk,
                    now=rated_at + timedelta(days=3),
                    inputs={"outcome": "已向您致歉，并对窗口人员进行了业务培训，改进一次性告知。"},
                )
                counts["rectified"] += 1
    return counts

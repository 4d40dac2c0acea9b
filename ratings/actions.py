"""Writes of 好差评: rating an application (online after a phone code, at the window's pad, by SMS
reply), and acting on the rectification item a bad rating opens (callback → rectify/explain → reply;
appeal → upheld/rejected). Each is one transaction with its audit row; the SMS to the applicant goes
through the outbox in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.jurisdiction import user_roles
from accounts.models import Assignment, Role, User
from approvals.models import Application
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound, PermissionRefused, Unprocessable
from core.pii import decrypt, lookup_hash
from outbox.actions import enqueue
from outbox.models import OutboxMessage
from outbox.phone_codes import do_confirm_phone_code, normalize_phone
from ratings.models import BAD_LEVELS, Level, Rating, RatingChannel, Stage, dimensions_for
from ratings.selectors import find_application, get_rating_for, stages_open
from workflow.actors import system_actor
from workflow.definitions import load_file
from workflow.engine import transition
from workflow.models import ProcessVersion, Transition, WorkItem
from workflow.publishing import do_publish_process
from workflow.start import do_start_item

RECTIFICATION_PROCESS = "rating_rectification"
PROCESS_FILE = Path(__file__).resolve().parent / "processes" / "rating_rectification.yaml"
PHONE_CODE_PURPOSE = "ratings"
MAX_COMMENT = 1000
# The unit that reviews appeals besides supervisors: the district's 行政审批局 (`<district>-approval`).
APPEAL_UNIT_SUFFIX = "-approval"
APPEAL_ACTIONS = ("uphold_appeal", "reject_appeal")


# ---------------------------------------------------------------------------------------------- rating


def _clean_level(level: Any) -> int:
    if isinstance(level, bool) or not isinstance(level, int) or level not in Level.values:
        raise DomainError("invalid", "评价等级应为 1（非常不满意）到 5（非常满意）。", field="level")
    return level


def _clean_scores(channel: str, scores: Any) -> dict[str, int]:
    """Every dimension of the channel scored 1–5 (SMS replies carry only the level)."""
    if channel == RatingChannel.SMS:
        return {}
    if not isinstance(scores, dict):
        raise DomainError("invalid", "分项评分格式无效。", field="scores")
    dimensions = dimensions_for(channel)
    unknown = sorted(set(scores) - set(dimensions))
    if unknown:
        raise DomainError("invalid", f"未知的评价分项：{', '.join(map(str, unknown))}", field="scores")
    cleaned: dict[str, int] = {}
    for key, title in dimensions.items():
        value = scores.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise DomainError("invalid", f"请为“{title}”打 1–5 分。", field=f"scores.{key}")
        cleaned[key] = value
    return cleaned


def _check_stage(application: Application, stage: str) -> None:
    if stage not in Stage.values:
        raise DomainError("invalid", "评价环节应为受理后或办结后。", field="stage")
    reached = application.accepted_at if stage == Stage.ACCEPTED else application.completed_at
    if reached is None:
        label = "受理" if stage == Stage.ACCEPTED else "办结"
        raise Unprocessable("stage_not_reached", f"该办件尚未{label}，暂不能评价此环节。", field="stage")


def _check_recorder(application: Application, channel: str, actor: User | None) -> None:
    """Window ratings are recorded on the pad of the handling centre; online and SMS ones come from the
    verified applicant (no staff actor)."""
    if channel not in RatingChannel.values:
        raise DomainError("invalid", "评价渠道无效。", field="channel")
    if channel == RatingChannel.WINDOW:
        if (
            actor is None
            or not Assignment.objects.filter(
                user=actor, org_unit_id=application.centre_id, active=True
            ).exists()
        ):
            raise PermissionRefused("not_allowed", "窗口评价须在受理中心的评价器上进行。")
    elif actor is not None and not actor.is_system and actor.pk != application.applicant_user_id:
        raise PermissionRefused("not_allowed", "网上和短信评价只能由申请人本人进行。")


def _same(rating: Rating, channel: str, level: int, scores: dict[str, int], comment: str) -> bool:
    return (rating.channel, rating.level, rating.scores, rating.comment) == (channel, level, scores, comment)


def do_rate_application(
    application: Application,
    *,
    stage: str,
    channel: str,
    level: Any,
    scores: Any = None,
    comment: str = "",
    actor: User | None,
    now: datetime,
) -> tuple[Rating, bool]:
    """Record the applicant's rating of one stage. Returns (rating, created). A retry with the same
    content returns the stored rating (created False); a different second rating of the stage is 409.
    A bad rating (不满意 / 非常不满意) starts its rectification item, assigned to the centre."""
    _check_recorder(application, channel, actor)
    level = _clean_level(level)
    cleaned_scores = _clean_scores(channel, scores if scores is not None else {})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError("invalid", f"评价意见不超过 {MAX_COMMENT} 字。", field="comment")
    if level in BAD_LEVELS and not comment:
        raise DomainError("required", "不满意评价请说明原因，便于整改。", field="comment")
    _check_stage(application, stage)

    existing = Rating.objects.filter(application=application, stage=stage).first()
    if existing is not None:
        return _replay(existing, channel, level, cleaned_scores, comment)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                application=application,
                stage=stage,
                channel=channel,
                level=level,
                scores=cleaned_scores,
                comment=comment,
                centre_id=application.centre_id,
                clerk_id=application.clerk_id,
                item_id=application.item_id,
                territory_code=application.territory_code,
                rated_at=now,
                recorded_by=actor if channel == RatingChannel.WINDOW else None,
            )
            if level in BAD_LEVELS:
                rating.rectification = _open_rectification(application, rating, now=now)
                rating.save(update_fields=["rectification"])
            record_event(
                actor=actor,
                action="ratings.rate",
                subject=rating,
                territory_code=rating.territory_code,
                after={
                    "application": application.receipt_no,
                    "stage": stage,
                    "channel": channel,
                    "level": level,
                    "scores": cleaned_scores,
                    "rectification": rating.rectification_id,
                },
                now=now,
            )
    except IntegrityError:
        # Two submissions of the same stage at once: the other one won.
        existing = Rating.objects.filter(application=application, stage=stage).first()
        if existing is None:
            raise
        return _replay(existing, channel, level, cleaned_scores, comment)
    return rating, True


def _replay(
    existing: Rating, channel: str, level: int, scores: dict[str, int], comment: str
) -> tuple[Rating, bool]:
    if _same(existing, channel, level, scores, comment):
        return existing, False
    raise Conflict("already_rated", "该环节已评价，不能重复评价。", field="stage")


def _ensure_process(now: datetime) -> None:
    """Publish this app's definition on first use (alone: a colleague's broken file elsewhere must not
    stop ratings); `publish_processes` publishes it with the others at deploy time anyway."""
    if not ProcessVersion.objects.filter(name=RECTIFICATION_PROCESS).exists():
        do_publish_process(
            load_file(PROCESS_FILE), actor=system_actor(), now=now, source_path=str(PROCESS_FILE.name)
        )


def _open_rectification(application: Application, rating: Rating, *, now: datetime) -> WorkItem:
    _ensure_process(now)
    return do_start_item(
        RECTIFICATION_PROCESS,
        actor=system_actor(),
        now=now,
        title=f"差评整改：{application.receipt_no} {application.item.name}",
        territory_code=application.territory_code,
        subject_type="ratings.rating",
        subject_id=str(rating.pk),
        assigned_unit=application.centre,
        inputs={"rating": rating.pk, "level": rating.level, "stage": rating.stage},
    )


def do_rate_online(
    *,
    receipt_no: str,
    phone: str,
    code: str,
    stage: str,
    level: Any,
    scores: Any = None,
    comment: str = "",
    now: datetime,
) -> tuple[Rating, bool]:
    """The applicant rates online with the receipt number, the phone on the application and the code
    sent to it (outbox.phone_codes, purpose "ratings"). A retry of a stored rating with the same
    content returns it without needing a fresh code."""
    application = find_application(receipt_no, phone)
    existing = Rating.objects.filter(application=application, stage=stage).first()
    if existing is None:
        do_confirm_phone_code(phone=phone, code=code, purpose=PHONE_CODE_PURPOSE, now=now)
    return do_rate_application(
        application,
        stage=stage,
        channel=RatingChannel.ONLINE,
        level=level,
        scores=scores,
        comment=comment,
        actor=None,
        now=now,
    )


# ---------------------------------------------------------------------------------------------- rectification


def may_review_appeal(actor: User, rating: Rating) -> bool:
    """A supervisor, or an approver of the district approval bureau (`<district>-approval`); never staff
    of the centre whose rating it is."""
    if actor.is_system:
        return False
    if Assignment.objects.filter(user=actor, org_unit_id=rating.centre_id, active=True).exists():
        return False
    if Role.SUPERVISOR in user_roles(actor):
        return True
    bureau = rating.territory_code[:6] + APPEAL_UNIT_SUFFIX
    return Assignment.objects.filter(
        user=actor, org_unit__code=bureau, role=Role.APPROVER, active=True
    ).exists()


def do_act_on_rectification(
    rating: Rating,
    action: str,
    *,
    actor: User,
    now: datetime,
    reason: str = "",
    inputs: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Rating:
    """Ratings' door to a rectification step: the engine takes `action`, running the step's rules bound
    in `ratings.steps` (who may decide an appeal; the outcome SMS after `reply`, the exclusion after an
    upheld appeal) — the same path as the generic work-item door."""
    rating = get_rating_for(actor, rating.pk)
    if rating.rectification is None:
        raise Conflict("no_rectification", "该评价无需整改。")
    transition(
        rating.rectification,
        action,
        actor=actor,
        now=now,
        reason=reason,
        inputs=inputs,
        expected_version=expected_version,
    )
    rating.refresh_from_db()
    return rating


def _last_transition(item: WorkItem, action: str) -> Transition | None:
    return item.transitions.filter(action=action).order_by("-id").first()


def apply_rectification_effects(rating: Rating, *, now: datetime) -> list[str]:
    """Idempotent: after the item closed by `reply`, tell the applicant the outcome (once); after an
    upheld appeal, mark the rating excluded (once). Run by the step handlers (`ratings.steps`, every
    door) and by the repair job `sync_rectifications`."""
    item = rating.rectification
    if item is None:
        return []
    item.refresh_from_db(fields=["state", "closed_at"])
    done: list[str] = []
    if item.state == "closed" and rating.outcome_sent_at is None:
        reply = _last_transition(item, "reply")
        outcome = str((reply.inputs or {}).get("outcome", "")) if reply else ""
        application = rating.application
        phone = decrypt(application.applicant_phone_enc) if application.applicant_phone_enc else ""
        if phone:
            enqueue(
                channel=OutboxMessage.Channel.SMS,
                kind="ratings.rectification_outcome",
                address=phone,
                body=f"【治理】您对办件{application.receipt_no}的评价已处理：{outcome}",
                now=now,
                payload={"rating": rating.pk, "work_item": item.pk},
            )
        rating.outcome_sent_at = now
        rating.save(update_fields=["outcome_sent_at"])
        record_event(
            actor=None,
            action="ratings.outcome_sent",
            subject=rating,
            territory_code=rating.territory_code,
            after={"work_item": item.pk, "sms": bool(phone)},
            now=now,
        )
        done.append("outcome_sent")
    if item.state == "appeal_upheld" and rating.excluded_at is None:
        upheld = _last_transition(item, "uphold_appeal")
        rating.excluded_at = now
        rating.exclusion_reason = upheld.reason if upheld else ""
        rating.save(update_fields=["excluded_at", "exclusion_reason"])
        record_event(
            actor=upheld.actor if upheld else None,
            action="ratings.excluded",
            subject=rating,
            territory_code=rating.territory_code,
            after={"work_item": item.pk, "reason": rating.exclusion_reason},
            now=now,
        )
        done.append("excluded")
    return done


def sync_rectifications(*, now: datetime) -> int:
    """Repair: apply the effects for rectification items that ended before the steps were bound to the
    engine (every door runs `ratings.steps` now, so new items never wait here). Cost grows with the rows
    still waiting, not with all ratings."""
    waiting = Rating.objects.filter(
        rectification__state="closed", outcome_sent_at__isnull=True
    ) | Rating.objects.filter(rectification__state="appeal_upheld", excluded_at__isnull=True)
    count = 0
    for rating in waiting.select_related("application", "rectification"):
        with transaction.atomic():
            locked = Rating.objects.select_for_update(of=("self",)).select_related(
                "application", "rectification"
            )
            count += bool(apply_rectification_effects(locked.get(pk=rating.pk), now=now))
    return count


# ---------------------------------------------------------------------------------------------- SMS reply

SMS_REPLY_WINDOW = timedelta(days=30)


def parse_sms_reply(text: str) -> tuple[int, str]:
    """A reply to the rating invitation: a digit 1–5 first (5 非常满意 … 1 非常不满意), then the comment."""
    body = (text or "").strip()
    if not body or body[0] not in "12345":
        raise DomainError("invalid", "请回复数字1–5进行评价（5非常满意，1非常不满意）。", field="text")
    return int(body[0]), body[1:].strip(" ，,.。:：")


def do_rate_by_sms(*, phone: str, text: str, now: datetime) -> tuple[Rating, bool]:
    """Record an SMS reply (channel sms) for the most recent application of this phone that has a stage
    reached in the last 30 days and not rated yet (completion before acceptance). 404 when there is none."""
    number = normalize_phone(phone)
    level, comment = parse_sms_reply(text)
    since = now - SMS_REPLY_WINDOW
    candidates = (
        Application.objects.select_related("item", "centre")
        .filter(applicant_phone_hash=lookup_hash(number))
        .filter(Q(completed_at__gte=since) | Q(accepted_at__gte=since))
        .order_by("-submitted_at", "-id")
    )
    for application in candidates:
        for stage in stages_open(application):
            if stage == Stage.ACCEPTED and Stage.COMPLETED in stages_open(application):
                continue
            return do_rate_application(
                application,
                stage=stage,
                channel=RatingChannel.SMS,
                level=level,
                comment=comment or ("短信评价" if level in BAD_LEVELS else ""),
                actor=None,
                now=now,
            )
    raise NotFound("没有待评价的办件。", field="phone")

"""Party projects (党建项目) led by branch secretaries, with milestones, and vanguard posts (党员先锋岗):
both placed on the one map, read as a GeoJSON layer (`map_features`) scoped by jurisdiction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict, DomainError
from core.pii import mask_name
from party.access import access_write
from party.models import Organisation, PartyMember, PartyProject, ProjectMilestone, VanguardPost
from territory.locate import check_lon_lat

MAX_NAME = 200


def _name(value: str) -> str:
    name = (value or "").strip()
    if not name or len(name) > MAX_NAME:
        raise DomainError("required", _("请填写名称（不超过%(n)s字）。") % {"n": MAX_NAME}, field="name")
    return name


def do_create_project(
    org: Organisation,
    *,
    name: str,
    lon: float,
    lat: float,
    description: str,
    milestones: list[tuple[str, date]],
    actor: User,
    now: datetime,
) -> PartyProject:
    """A project of `org`, led by its secretary (a branch without a secretary cannot lead one)."""
    access_write(actor, org.territory_code, field="organisation_id")
    clean = _name(name)
    check_lon_lat(lon, lat)
    # The secretary as stored now (the caller's copy of the organisation may predate an appointment).
    secretary_id = Organisation.objects.filter(pk=org.pk).values_list("secretary_id", flat=True).first()
    if secretary_id is None:
        raise DomainError("no_secretary", _("该党组织尚无书记，无法领办项目。"), field="organisation_id")
    for label, _planned in milestones:
        if not (label or "").strip():
            raise DomainError("required", _("节点名称不能为空。"), field="milestones")
    with transaction.atomic():
        project = PartyProject.objects.create(
            organisation=org,
            leader_id=secretary_id,
            name=clean,
            territory_code=org.territory_code,
            lon=lon,
            lat=lat,
            description=(description or "").strip(),
            created_at=now,
        )
        ProjectMilestone.objects.bulk_create(
            ProjectMilestone(project=project, name=label.strip(), planned_on=planned)
            for label, planned in milestones
        )
        record_event(
            actor=actor,
            action="party.project_created",
            subject=project,
            territory_code=project.territory_code,
            after={"organisation": org.pk, "milestones": len(milestones)},
            now=now,
        )
    return project


def do_complete_milestone(milestone: ProjectMilestone, *, actor: User, now: datetime) -> ProjectMilestone:
    access_write(actor, milestone.project.territory_code, field="milestone_id")
    with transaction.atomic():
        locked = ProjectMilestone.objects.select_for_update().get(pk=milestone.pk)
        if locked.done_on is not None:
            raise Conflict("already_done", _("该节点已完成。"), field="milestone_id")
        locked.done_on = now.date()
        locked.save(update_fields=["done_on"])
        record_event(
            actor=actor,
            action="party.milestone_done",
            subject=locked.project,
            territory_code=locked.project.territory_code,
            after={"milestone": locked.pk},
            now=now,
        )
    return locked


def do_create_vanguard_post(
    member: PartyMember, *, name: str, lon: float, lat: float, actor: User, now: datetime
) -> VanguardPost:
    access_write(actor, member.territory_code, field="member_id")
    clean = _name(name)
    check_lon_lat(lon, lat)
    with transaction.atomic():
        post = VanguardPost.objects.create(
            member=member, name=clean, territory_code=member.territory_code, lon=lon, lat=lat, created_at=now
        )
        record_event(
            actor=actor,
            action="party.vanguard_post_created",
            subject=post,
            territory_code=post.territory_code,
            after={"member": member.pk},
            now=now,
        )
    return post


def map_features(projects: QuerySet[PartyProject], posts: QuerySet[VanguardPost]) -> list[dict[str, Any]]:
    """GeoJSON points: projects (with milestone progress) and vanguard posts (the member's name masked)."""
    features: list[dict[str, Any]] = []
    for project in projects.select_related("organisation", "leader__person").prefetch_related("milestones"):
        stones = list(project.milestones.all())
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [project.lon, project.lat]},
                "properties": {
                    "layer": "party_project",
                    "id": project.pk,
                    "name": project.name,
                    "organisation": project.organisation.name,
                    "leader": mask_name(project.leader.person.name),
                    "territory_code": project.territory_code,
                    "milestones": len(stones),
                    "milestones_done": sum(1 for m in stones if m.done_on is not None),
                },
            }
        )
    for post in posts.select_related("member__person", "member__organisation"):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [post.lon, post.lat]},
                "properties": {
                    "layer": "vanguard_post",
                    "id": post.pk,
                    "name": post.name,
                    "member": mask_name(post.member.person.name),
                    "organisation": post.member.organisation.name,
                    "territory_code": post.territory_code,
                },
            }
        )
    return features

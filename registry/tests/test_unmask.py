from __future__ import annotations

import pytest
from django.core.cache import cache

from audit.models import AuditEvent
from core.errors import DomainError, NotFound, PermissionRefused
from registry import actions, selectors
from registry.models import UnmaskRecord
from registry.testing import synthetic_uscc
from registry.tests.conftest import HQ_GRID, NOW, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_masked_by_default(people):
    person = register(people["hq_steward"], 7, name="欧阳娜娜", phone="13912345678")
    shown = selectors.masked_person(person)
    assert shown["name"] == "欧阳**"
    assert shown["phone"] == "139****5678"
    assert shown["id_number"].startswith("320507") and shown["id_number"].count("*") == 8


def test_mask_configuration(people, settings):
    settings.PII_ID_MASK_KEEP = (3, 2)
    person = register(people["hq_steward"], 7)
    assert selectors.masked_person(person)["id_number"].startswith("320*")


def test_clerk_unmasks_with_a_purpose_and_it_is_logged(people):
    person = register(people["hq_steward"], 7, phone="13912345678")
    value = actions.do_unmask(
        person,
        field="phone",
        purpose="identity_check",
        work_item="SP-2026-0001",
        actor=people["hq_clerk"],
        now=NOW,
    )
    assert value == "13912345678"
    log = list(selectors.unmask_log_for_person(person))
    assert [(r.actor, r.field, r.purpose, r.work_item) for r in log] == [
        (people["hq_clerk"], "phone", "identity_check", "SP-2026-0001")
    ]
    audit = AuditEvent.objects.get(action="registry.unmasked")
    assert "13912345678" not in str(audit.after)


def test_sensitive_fields_need_a_higher_level(people):
    person = register(people["hq_steward"], 7)
    actions.do_set_sensitive_record(
        person, care_tags=["独居老人", "残疾人"], special_groups=[], actor=people["hq_steward"], now=NOW
    )
    with pytest.raises(PermissionRefused):
        actions.do_unmask(person, field="care_tags", purpose="visit", actor=people["hq_clerk"], now=NOW)
    assert (
        actions.do_unmask(person, field="care_tags", purpose="visit", actor=people["hq_head"], now=NOW)
        == "残疾人、独居老人"
    )
    with pytest.raises(PermissionRefused):
        actions.do_set_sensitive_record(
            person, care_tags=[], special_groups=[], actor=people["hq_clerk"], now=NOW
        )


@pytest.mark.parametrize("who", ["dispatcher", "hq_agency"])
def test_internal_roles_may_not_unmask(people, who):
    person = register(people["hq_steward"], 7)
    with pytest.raises(PermissionRefused):
        actions.do_unmask(person, field="id_number", purpose="identity_check", actor=people[who], now=NOW)
    assert not UnmaskRecord.objects.exists()


def test_the_outsider_gets_not_found(people):
    person = register(people["hq_steward"], 7)
    with pytest.raises(NotFound):
        actions.do_unmask(
            person, field="id_number", purpose="identity_check", actor=people["wt_grid"], now=NOW
        )


def test_bad_purpose_field_and_missing_note(people):
    person = register(people["hq_steward"], 7)
    clerk = people["hq_clerk"]
    for kwargs, code in [
        ({"field": "id_number", "purpose": "curiosity"}, "invalid_choice"),
        ({"field": "uscc", "purpose": "visit"}, "unknown_field"),
        ({"field": "id_number", "purpose": "other"}, "purpose_note_required"),
    ]:
        with pytest.raises(DomainError) as error:
            actions.do_unmask(person, actor=clerk, now=NOW, **kwargs)
        assert error.value.code == code
    assert not UnmaskRecord.objects.exists()


def test_rate_limited_per_user(people, settings):
    settings.REGISTRY_UNMASKS_PER_HOUR = 2
    person = register(people["hq_steward"], 7)
    for _ in range(2):
        actions.do_unmask(person, field="name", purpose="visit", actor=people["hq_clerk"], now=NOW)
    with pytest.raises(DomainError) as error:
        actions.do_unmask(person, field="name", purpose="visit", actor=people["hq_clerk"], now=NOW)
    assert (error.value.status, error.value.code) == (429, "rate_limited")
    assert getattr(error.value, "retry_after", 0) > 0  # the API answers with Retry-After
    actions.do_unmask(person, field="name", purpose="visit", actor=people["hq_head"], now=NOW)  # another user
    assert UnmaskRecord.objects.count() == 3


def test_entity_legal_representative(people):
    entity = actions.do_register_entity(
        uscc_code=synthetic_uscc("320507", 9),
        name="示例厂",
        legal_representative="王小五",
        legal_representative_phone="13700001234",
        industry_code="C33",
        size="micro",
        territory_code=HQ_GRID,
        actor=people["hq_steward"],
        now=NOW,
    )
    assert selectors.masked_entity(entity)["legal_representative"] == "王**"
    phone = actions.do_unmask(
        entity,
        field="legal_representative_phone",
        purpose="investigation",
        actor=people["hq_officer"],
        now=NOW,
    )
    assert phone == "13700001234"
    assert selectors.unmask_log_for_entity(entity).count() == 1

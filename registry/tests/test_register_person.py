from __future__ import annotations

from datetime import date

import pytest

from audit.models import AuditEvent
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from registry import actions, crypto
from registry.models import Person
from registry.testing import synthetic_id_number
from registry.tests.conftest import HQ_GRID, NOW, register

pytestmark = pytest.mark.django_db


def test_steward_registers_a_person_with_birth_date_and_sex_from_the_id(people):
    person = register(people["hq_steward"], seq=17)
    assert person.birth_date == date(1975, 4, 1)
    assert person.sex == "M"
    assert crypto.unseal(person, "id_number_sealed") == synthetic_id_number("320507", date(1975, 4, 1), 17)
    assert "1975" not in person.id_number_sealed
    audit = AuditEvent.objects.get(action="registry.person_registered")
    assert "13912345678" not in str(audit.after) and "19750401" not in str(audit.after)


def test_bad_checksum_is_refused_with_the_field(people):
    number = synthetic_id_number("320507", date(1975, 4, 1), 3)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    data = actions.PersonInput(territory_code=HQ_GRID, kind="registered", name="李四", id_number=wrong)
    with pytest.raises(DomainError) as error:
        actions.do_register_person(data, actor=people["hq_steward"], now=NOW)
    assert (error.value.code, error.value.field) == ("invalid_id_number", "id_number")
    assert not Person.objects.exists()


def test_the_same_id_number_twice_is_a_conflict(people):
    register(people["hq_steward"], seq=5)
    with pytest.raises(Conflict) as error:
        register(people["hq_head"], seq=5)
    assert error.value.code == "person_exists"


def test_passport_holder_gives_birth_date_and_sex(people):
    person = register(
        people["hq_steward"],
        id_type=Person.IdType.PASSPORT,
        kind=Person.Kind.FOREIGN,
        birth_date=date(1990, 1, 2),
        sex="F",
        nationality="kor",
    )
    assert (person.birth_date, person.sex, person.nationality) == (date(1990, 1, 2), "F", "KOR")


def test_unknown_grid_and_bad_phone_are_refused(people):
    with pytest.raises(DomainError) as error:
        register(people["hq_steward"], grid="320507003201999")
    assert error.value.code == "unknown_grid"
    with pytest.raises(DomainError) as error:
        register(people["hq_steward"], phone="13x")
    assert error.value.field == "phone"


@pytest.mark.parametrize("who", ["hq_grid", "hq_clerk", "hq_agency", "dispatcher"])
def test_roles_that_do_not_edit_are_refused(people, who):
    with pytest.raises((PermissionRefused, NotFound)):
        register(people[who])
    assert not Person.objects.exists()


def test_the_outsider_cannot_register_in_another_town(people):
    with pytest.raises(NotFound):
        register(people["wt_steward"])


def test_contact_change_reseals_and_rehashes(people):
    person = register(people["hq_steward"])
    actions.do_update_person_contact(person, phone="13800001111", actor=people["hq_head"], now=NOW)
    person.refresh_from_db()
    assert crypto.unseal(person, "phone_sealed") == "13800001111"
    assert person.phone_hash == crypto.lookup_hash("13800001111")
    assert person.history.count() == 2

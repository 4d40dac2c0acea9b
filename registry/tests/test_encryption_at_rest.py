from __future__ import annotations

import base64
import sqlite3

import pytest
from cryptography.exceptions import InvalidTag
from django.core.management import call_command
from django.db import connection

from core import pii
from registry import actions, crypto
from registry.models import Person, RotationCursor
from registry.tests.conftest import NOW, register

pytestmark = pytest.mark.django_db

KEY1 = base64.urlsafe_b64encode(b"1" * 32).decode()
KEY2 = base64.urlsafe_b64encode(b"2" * 32).decode()


@pytest.mark.django_db(
    transaction=True
)  # committed rows: a backup cannot read past an open write transaction
def test_raw_sqlite_file_holds_no_plain_id_or_phone(people, tmp_path, frozen):
    if connection.vendor != "sqlite":
        pytest.skip("reads the SQLite file")
    steward = people["hq_steward"]
    created = [register(steward, seq, phone=f"1391234{seq:04d}") for seq in range(1, 6)]
    actions.do_set_sensitive_record(
        created[0],
        care_tags=["独居老人"],
        special_groups=["社区矫正"],
        note="每周走访",
        actor=steward,
        now=NOW,
    )
    numbers = [crypto.unseal(p, "id_number_sealed") for p in created]
    phones = [crypto.unseal(p, "phone_sealed") for p in created]
    path = tmp_path / "copy.sqlite3"
    target = sqlite3.connect(path)
    connection.connection.backup(target)  # the in-memory test database, written out as its file
    target.close()
    raw = path.read_bytes()
    assert b"CREATE TABLE" in raw and raw.count(b"v1:") >= 10
    for value in numbers + phones + ["社区矫正", "独居老人", "每周走访"]:
        assert value.encode() not in raw, value


def test_a_token_does_not_open_in_another_column(people):
    person = register(people["hq_steward"])
    person.phone_sealed = person.id_number_sealed
    with pytest.raises(InvalidTag):
        crypto.unseal(person, "phone_sealed")


def test_keyring_parsing_refuses_bad_keys():
    assert pii.parse_keyring(f"1:{KEY1}\n# old\n2:{KEY2}") == {1: b"1" * 32, 2: b"2" * 32}
    for bad in ["1:short", f"x:{KEY1}", f"0:{KEY1}"]:
        with pytest.raises(Exception, match="PII_KEYS"):
            pii.parse_keyring(bad)


def test_rotation_reseals_in_batches_and_resumes(people, settings):
    settings.PII_KEYS = {1: b"1" * 32}
    created = [register(people["hq_steward"], seq) for seq in range(1, 6)]
    clear = {p.pk: crypto.unseal(p, "id_number_sealed") for p in created}
    settings.PII_KEYS = {1: b"1" * 32, 2: b"2" * 32}
    settings.PII_KEY_VERSION = 2
    call_command("rotate_registry_keys", "--batch-size", "2", "--max-batches", "1")
    versions = [
        pii.sealed_version(t)
        for t in Person.objects.order_by("pk").values_list("id_number_sealed", flat=True)
    ]
    assert versions == [2, 2, 1, 1, 1]
    assert RotationCursor.objects.get(table="registry.person").last_pk == created[1].pk
    call_command("rotate_registry_keys", "--batch-size", "2")
    for person in Person.objects.all():
        assert pii.sealed_version(person.id_number_sealed) == 2
        assert pii.sealed_version(person.phone_sealed) == 2
        assert crypto.unseal(person, "id_number_sealed") == clear[person.pk]
    settings.PII_KEYS = {2: b"2" * 32}  # the old key can now be retired
    assert crypto.unseal(Person.objects.get(pk=created[0].pk), "id_number_sealed") in clear.values()


def test_unknown_key_version_is_loud(people, settings):
    settings.PII_KEYS = {1: b"1" * 32}
    person = register(people["hq_steward"])
    settings.PII_KEYS = {2: b"2" * 32}
    with pytest.raises(pii.UnknownKeyVersion):
        crypto.unseal(person, "id_number_sealed")

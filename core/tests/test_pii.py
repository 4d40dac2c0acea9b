"""core.pii: Fernet encryption at rest, keyed lookup hashes, masking, and the key rules (derived from
SECRET_KEY with a warning in demo mode, refused in production)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from core import pii


def test_encrypt_round_trip_is_not_the_clear_text_and_differs_each_time(settings: Any) -> None:
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    token = pii.encrypt("13812348000")
    assert "13812348000" not in token and token != pii.encrypt("13812348000")  # random IV
    assert pii.decrypt(token) == "13812348000"
    assert pii.encrypt("") == "" and pii.decrypt("") == ""


def test_another_key_cannot_read_it(settings: Any) -> None:
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    token = pii.encrypt("13812348000")
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(pii.InvalidToken):
        pii.decrypt(token)


def test_lookup_hash_is_keyed_and_stable(settings: Any) -> None:
    settings.FIELD_HASH_KEY = "key-one"
    first = pii.lookup_hash("13812348000")
    assert first == pii.lookup_hash(" 13812348000 ") and len(first) == 64
    assert first != pii.lookup_hash("13812348001")
    settings.FIELD_HASH_KEY = "key-two"
    assert pii.lookup_hash("13812348000") != first
    assert pii.lookup_hash("") == ""


def test_demo_mode_derives_keys_from_secret_key_and_says_so(settings: Any, caplog: Any) -> None:
    settings.DEMO_MODE = True
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.FIELD_HASH_KEY = ""
    settings.SECRET_KEY = "a-test-secret-only-for-this-test"
    with caplog.at_level(logging.WARNING, logger="core.pii"):
        token = pii.encrypt("13812348000")
        digest = pii.lookup_hash("13812348000")
    assert pii.decrypt(token) == "13812348000" and len(digest) == 64
    assert any("FIELD_ENCRYPTION_KEY is empty" in r.message for r in caplog.records)
    assert any("FIELD_HASH_KEY is empty" in r.message for r in caplog.records)
    assert all("13812348000" not in r.getMessage() for r in caplog.records)
    settings.SECRET_KEY = "another-secret"
    with pytest.raises(pii.InvalidToken):
        pii.decrypt(token)


def test_production_refuses_empty_or_bad_keys(settings: Any) -> None:
    settings.DEMO_MODE = False
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.FIELD_HASH_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        pii.encrypt("13812348000")
    with pytest.raises(ImproperlyConfigured):
        pii.lookup_hash("13812348000")
    settings.FIELD_ENCRYPTION_KEY = "not-a-fernet-key"
    with pytest.raises(ImproperlyConfigured):
        pii.encrypt("13812348000")


@pytest.mark.parametrize(
    ("function", "value", "masked"),
    [
        (pii.mask_phone, "13812348000", "138****8000"),
        (pii.mask_phone, "", ""),
        (pii.mask_phone, "12345", "1****"),
        (pii.mask_id_number, "320507199001011234", "320507********1234"),
        (pii.mask_id_number, "32050719900101123X", "320507********123X"),
        (pii.mask_id_number, "AB", "**"),
        (pii.mask_name, "张三", "张*"),
        (pii.mask_name, "王小明", "王**"),
        (pii.mask_name, " 王小明 ", "王**"),
        (pii.mask_name, "欧阳娜娜", "欧阳**"),
        (pii.mask_name, "欧阳明", "欧阳*"),
        (pii.mask_name, "欧阳", "欧*"),  # two characters: 欧 and a given name, the surname alone is no name
        (pii.mask_name, "司马光", "司马*"),
        (pii.mask_name, "阿不都·热合曼", "阿******"),
        (pii.mask_name, "李", "*"),
        (pii.mask_name, "", ""),
    ],
)
def test_masks(function: Any, value: str, masked: str) -> None:
    assert function(value) == masked

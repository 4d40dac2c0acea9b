"""Personal data (个人信息): encryption at rest, keyed lookup hashes and masking for display.

- `encrypt` / `decrypt`: Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with
  `settings.FIELD_ENCRYPTION_KEY` (urlsafe base64 of 32 bytes, as `Fernet.generate_key()` prints).
- `lookup_hash`: HMAC-SHA256 keyed with `settings.FIELD_HASH_KEY`, hex; lets an exact value be found
  (e.g. "all reports from this phone number") without decrypting every row.
- Empty keys: in demo/test mode (`DEMO_MODE` True) a key is derived from `SECRET_KEY` with HKDF and a
  warning is logged once; in production an empty key raises `ImproperlyConfigured` at first use.
- `mask_phone`, `mask_id_number`, `mask_name`: what pages and APIs show. Never log the clear value.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import re

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")

__all__ = [
    "MAINLAND_MOBILE",
    "InvalidToken",
    "decrypt",
    "encrypt",
    "lookup_hash",
    "mask_id_number",
    "mask_name",
    "mask_phone",
]


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"zhili-pii-v1", info=purpose).derive(
        secret.encode()
    )


def _fallback(setting: str, purpose: bytes) -> bytes:
    if not getattr(settings, "DEMO_MODE", False):
        raise ImproperlyConfigured(
            f"{setting} must be set in production (personal data cannot be protected)."
        )
    logger.warning(
        "%s is empty: deriving it from SECRET_KEY (HKDF) because DEMO_MODE is on; set %s in production.",
        setting,
        setting,
    )
    return _derive(settings.SECRET_KEY, purpose)


@functools.lru_cache(maxsize=4)
def _fernet_for(configured: str, secret: str, demo: bool) -> Fernet:
    if configured:
        try:
            return Fernet(configured.encode())
        except ValueError as error:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEY must be urlsafe base64 of 32 bytes (Fernet.generate_key())."
            ) from error
    return Fernet(base64.urlsafe_b64encode(_fallback("FIELD_ENCRYPTION_KEY", b"field-encryption")))


@functools.lru_cache(maxsize=4)
def _hash_key_for(configured: str, secret: str, demo: bool) -> bytes:
    if configured:
        return configured.encode()
    return _fallback("FIELD_HASH_KEY", b"field-lookup-hash")


def _fernet() -> Fernet:
    # The settings values are part of the cache key, so overriding settings (tests) takes effect.
    return _fernet_for(
        getattr(settings, "FIELD_ENCRYPTION_KEY", ""),
        settings.SECRET_KEY,
        bool(getattr(settings, "DEMO_MODE", False)),
    )


def _hash_key() -> bytes:
    return _hash_key_for(
        getattr(settings, "FIELD_HASH_KEY", ""),
        settings.SECRET_KEY,
        bool(getattr(settings, "DEMO_MODE", False)),
    )


def encrypt(value: str) -> str:
    """The Fernet token of `value` (text); empty stays empty."""
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The clear text of a token made by `encrypt`; raises InvalidToken if it was not (or the key changed)."""
    if not token:
        return ""
    return _fernet().decrypt(token.encode()).decode()


def lookup_hash(value: str) -> str:
    """Keyed HMAC-SHA256 (hex) of the value with surrounding blanks removed; empty stays empty."""
    value = value.strip()
    if not value:
        return ""
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    """138****8000: the first three and the last four digits of an 11-digit number."""
    phone = phone.strip()
    if not phone:
        return ""
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return phone[:1] + "*" * (len(phone) - 1)


def mask_id_number(number: str) -> str:
    """320507********1234: the region code and the last four characters of an ID number."""
    number = number.strip()
    if not number:
        return ""
    if len(number) >= 12:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    if len(number) <= 2:
        return "*" * len(number)
    return number[:1] + "*" * (len(number) - 2) + number[-1:]


def mask_name(name: str) -> str:
    """张* for two characters, 欧**娜 for longer names, * for one."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]

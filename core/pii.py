"""Personal data (个人信息): encryption at rest, keyed lookup hashes and masking for display.

- `encrypt` / `decrypt`: Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with
  `settings.FIELD_ENCRYPTION_KEY` (urlsafe base64 of 32 bytes, as `Fernet.generate_key()` prints).
- `lookup_hash`: HMAC-SHA256 keyed with `settings.FIELD_HASH_KEY`, hex; lets an exact value be found
  (e.g. "all reports from this phone number") without decrypting every row.
- Empty keys: in demo/test mode (`DEMO_MODE` True) a key is derived from `SECRET_KEY` with HKDF and a
  warning is logged once; in production an empty key raises `ImproperlyConfigured` at first use.
- `mask_phone`, `mask_id_number`, `mask_name`: what pages and APIs show (138****8000,
  320507********1234, 张**). Never log the clear value.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import os
import re
from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.surnames import surname_of

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
    "parse_keyring",
    "seal",
    "sealed_version",
    "unseal",
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
    """320507********1234: the region code and the last four characters of an ID number (how many of
    each: settings.PII_ID_MASK_KEEP, default (6, 4))."""
    number = number.strip()
    if not number:
        return ""
    head, tail = getattr(settings, "PII_ID_MASK_KEEP", (6, 4))
    if len(number) >= 12 and head + tail < len(number):
        return number[:head] + "*" * (len(number) - head - tail) + number[len(number) - tail :]
    if len(number) <= 2:
        return "*" * len(number)
    return number[:1] + "*" * (len(number) - 2) + number[-1:]


def mask_name(name: str) -> str:
    """The surname and a * for each other character: 张*, 张**, 欧阳** (a compound surname of
    data/surnames.txt stays whole); a one-character name is *. The one name mask of the platform."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    surname = surname_of(name)
    return surname + "*" * (len(name) - len(surname))


# --- Versioned AES-GCM (registries) -----------------------------------------------------------------
# Registry fields are sealed with AES-256-GCM under a numbered key so keys can be rotated: a token reads
# "v<version>:<urlsafe base64 of 12-byte nonce + ciphertext + tag>", and `rotate_registry_keys`
# re-seals old tokens under the current key. Keys come from settings.PII_KEYS ({version: 32 raw bytes}),
# filled from PII_KEYS / PII_KEYS_FILE (see docs/configuration.md); in demo/test mode an empty keyring
# falls back to version 1 derived from SECRET_KEY.

SEALED = re.compile(r"^v(\d+):([A-Za-z0-9_-]+=*)$")


class UnknownKeyVersion(ImproperlyConfigured):
    pass


def parse_keyring(text: str) -> dict[int, bytes]:
    """ "1:<base64 of 32 bytes>,2:<…>" (commas or new lines) → {1: b"…", 2: b"…"}; loud on a bad entry."""
    keyring: dict[int, bytes] = {}
    for entry in re.split(r"[,\n]", text):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        version, _, encoded = entry.partition(":")
        try:
            key = base64.urlsafe_b64decode(encoded.strip() + "=" * (-len(encoded.strip()) % 4))
            number = int(version.strip().lstrip("v"))
        except ValueError as error:
            raise ImproperlyConfigured(f"PII_KEYS: bad entry {version!r}") from error
        if len(key) != 32 or number < 1:
            raise ImproperlyConfigured(f"PII_KEYS: key {version!r} must be base64 of 32 bytes, version ≥ 1")
        keyring[number] = key
    return keyring


@functools.lru_cache(maxsize=4)
def _fallback_aes_key(secret: str, demo: bool) -> bytes:
    return _fallback("PII_KEYS", b"registry-aes-gcm-v1")


def _keyring() -> tuple[dict[int, bytes], int]:
    keyring: dict[int, bytes] = dict(getattr(settings, "PII_KEYS", {}) or {})
    if not keyring:
        keyring = {1: _fallback_aes_key(settings.SECRET_KEY, bool(getattr(settings, "DEMO_MODE", False)))}
    current = int(getattr(settings, "PII_KEY_VERSION", 0) or max(keyring))
    if current not in keyring:
        raise UnknownKeyVersion(f"PII_KEY_VERSION {current} has no key in PII_KEYS")
    return keyring, current


def current_key_version() -> int:
    return _keyring()[1]


def sealer(*, associated: bytes = b"") -> Callable[[str], str]:
    """`seal` for many values of one column: the key looked up and the cipher built once (a bulk
    import seals two columns of 100,000 rows). The tokens are exactly `seal`'s."""
    keyring, current = _keyring()
    cipher, prefix, bound = AESGCM(keyring[current]), f"v{current}:", associated or None
    encode, random = base64.urlsafe_b64encode, os.urandom

    def seal_one(value: str) -> str:
        if not value:
            return ""
        nonce = random(12)
        return prefix + encode(nonce + cipher.encrypt(nonce, value.encode(), bound)).decode()

    return seal_one


def seal(value: str, *, associated: bytes = b"") -> str:
    """AES-GCM token of `value` under the current key; empty stays empty. `associated` binds the token
    to its place (e.g. the field name) so a token copied into another column does not decrypt."""
    return sealer(associated=associated)(value) if value else ""


def hasher() -> Callable[[str], str]:
    """`lookup_hash` for many values: the key looked up once."""
    key, new, sha256 = _hash_key(), hmac.new, hashlib.sha256

    def hash_one(value: str) -> str:
        value = value.strip()
        return new(key, value.encode(), sha256).hexdigest() if value else ""

    return hash_one


def sealed_version(token: str) -> int | None:
    match = SEALED.match(token or "")
    return int(match.group(1)) if match else None


def unseal(token: str, *, associated: bytes = b"") -> str:
    """The clear text of a `seal` token; raises UnknownKeyVersion or cryptography's InvalidTag."""
    if not token:
        return ""
    match = SEALED.match(token)
    if match is None:
        raise ValueError("not a sealed value")
    keyring, _ = _keyring()
    version = int(match.group(1))
    if version not in keyring:
        raise UnknownKeyVersion(f"no key version {version} in PII_KEYS (needed to read old data)")
    raw = base64.urlsafe_b64decode(match.group(2))
    return AESGCM(keyring[version]).decrypt(raw[:12], raw[12:], associated or None).decode()

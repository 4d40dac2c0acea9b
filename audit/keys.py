"""The audit HMAC keys. They live outside the database (an environment variable or a key file), so
whoever can write the audit table still cannot recompute a valid chain. Every row and block names
the key id it was hashed with; rotation adds a new id and keeps the old ones for verification."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Only in demo/test mode, and never accepted with ZHILI_DEMO=0 (see `current_key`).
DEV_KEY_ID = "dev"
_DEV_KEY = b"zhili-insecure-audit-key-for-demo-and-tests"


def parse_keys(text: str) -> dict[str, bytes]:
    """`id secret` or `id:secret` per line or comma-separated; `#` starts a comment. Order is kept:
    the last key is the current one unless AUDIT_KEY_ID names another."""
    keys: dict[str, bytes] = {}
    for raw in text.replace(",", "\n").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        sep = ":" if ":" in line.split()[0] else None
        key_id, _, secret = line.partition(":") if sep else line.partition(" ")
        key_id, secret = key_id.strip(), secret.strip()
        if not key_id or len(secret) < 32:
            raise ImproperlyConfigured(
                f"audit key {key_id or '?'!r}: expected `id secret`, secret ≥ 32 chars"
            )
        keys[key_id] = secret.encode()
    return keys


@cache
def _configured() -> tuple[dict[str, bytes], str]:
    text = settings.AUDIT_KEYS
    if settings.AUDIT_KEY_FILE:
        text = "\n".join([text, Path(settings.AUDIT_KEY_FILE).read_text(encoding="utf-8")])
    keys = parse_keys(text)
    if not keys:
        if not settings.DEMO_MODE:
            raise ImproperlyConfigured("set AUDIT_KEY_FILE or AUDIT_KEYS: the audit trail needs an HMAC key")
        keys = {DEV_KEY_ID: _DEV_KEY}
    current = settings.AUDIT_KEY_ID or list(keys)[-1]
    if current not in keys:
        raise ImproperlyConfigured(f"AUDIT_KEY_ID {current!r} is not among the configured audit keys")
    return keys, current


def reset_cache() -> None:
    """Forget the loaded keys (tests that change the settings; after a rotation in a shell)."""
    _configured.cache_clear()


def current_key() -> tuple[str, bytes]:
    keys, current = _configured()
    return current, keys[current]


def key_for(key_id: str) -> bytes | None:
    return _configured()[0].get(key_id)


def new_key_line(existing: dict[str, bytes]) -> tuple[str, str]:
    """The next key version: `v<n+1>` and 48 random bytes, URL-safe."""
    numbers = [int(k[1:]) for k in existing if k[:1] == "v" and k[1:].isdigit()]
    key_id = f"v{max(numbers, default=0) + 1}"
    return key_id, secrets.token_urlsafe(48)

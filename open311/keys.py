"""API keys: generated with `secrets`, stored only as a SHA-256 hash (keys are long random strings, so a
plain hash is enough; no key can be read back from the table)."""

from __future__ import annotations

import hashlib
import secrets

PREFIX_LENGTH = 8


def new_key() -> str:
    return secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_prefix(key: str) -> str:
    return key[:PREFIX_LENGTH]

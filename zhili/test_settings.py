"""Settings for the test suite: the real settings with fast password hashing and huey in immediate
mode (tests that exercise the real consumer build their own huey instance)."""

import os

from zhili.settings import *  # noqa: F403
from zhili.settings import DATABASES, HUEY, VAR_DIR

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not the in-memory default: the live server of the browser tests then opens a connection per
    # request thread. With an in-memory database every thread shares one connection, and two concurrent
    # requests deadlock (one holds SQLite's mutex waiting for the GIL in a Python SQL function, the other
    # holds the GIL waiting for that mutex). pytest-django appends the xdist worker to the name; the
    # process id keeps two runs from one checkout (say, two apps' tests at once) out of each other's file.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

# Certificates print the public address in their QR codes and are refused without it (licences.documents);
# the tests of that refusal set it back to "".
PUBLIC_BASE_URL = "https://zhili.example.gov.cn"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
STATIC_ROOT = None  # type: ignore[assignment]  # static comes from the finders; no collectstatic before tests
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests that seed the demo need its shape, not a month of volume.
DEMO_HISTORY_EVENTS = 150
DEMO_PARTY_MEMBERS_PER_GRID = 2
DEMO_PARTY_LINKS_PER_MEMBER = 2
# The shared cache is a database table in tests even when REDIS_URL is set: each test's transaction
# rolls its counters back, so rate limits never leak from one test (or xdist worker) into another.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "zhili_cache"}}
# Many page tests log in and then travel days ahead; the idle timeout (30 minutes) is tested on its own.
SESSION_COOKIE_AGE = 14 * 24 * 3600
# The personas of other apps' tests include staff users who open the admin; the second factor they would
# owe is tested on its own in accounts/tests/test_otp.py, which turns this back on.
OTP_REQUIRED_FOR_ADMINS = False

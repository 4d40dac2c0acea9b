"""Zhili settings. Every value comes from the environment; with nothing set, the embedded mode runs
(SQLite in var/, huey on a second SQLite file, demo mode on)."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_float, env_int, env_list, env_percent, env_str
from core.pii import parse_keyring

# Lets code write ModelAdmin[Model], QuerySet[Model] and other generics at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ZHILI_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Demo mode: demo personas may exist. A production deployment sets ZHILI_DEMO=0 and the system
# check `zhili.E001` refuses to start while demo accounts are present.
DEMO_MODE = env_bool("ZHILI_DEMO", True)
SECRET_KEY = env_str("SECRET_KEY", "zhili-insecure-development-key-change-me" if DEMO_MODE else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files (closed networks have no CDN)
    "django_filters",
    "huey.contrib.djhuey",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "accounts",
    # After accounts: its `axes_reset*` commands (security administrator only, audited) replace axes' own.
    "axes",
    "territory",
    "audit",
    "workcalendar",
    "simple_history",
    "registry",
    "outbox",
    "workflow",
    "grid",
    "licences",
    "datashare",
    "approvals",
    "ratings",
    "enforcement",
    "evaluation",
    "party",
    "notifications",
    "open311",
    "command",
    "demo",
    "territorial",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.middleware.RequestBodyLimitMiddleware",
    "core.middleware.DatabaseBusyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.otp.SecondFactorMiddleware",
    "accounts.session.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login refused by a lockout into the lockout answer (accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhili.urls"
WSGI_APPLICATION = "zhili.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.platform",
                "zhili.navigation.navigation",
            ],
            # Lower apps' templates reach higher apps' pages only through the link registry.
            "libraries": {"slot_links": "zhili.links"},
        },
    },
]

_SQLITE_DEFAULT = f"sqlite:///{VAR_DIR / 'zhili.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _SQLITE_DEFAULT), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue instead of failing on a lock upgrade. `timeout` is the busy timeout, set
        # by the driver when the connection opens, before the init command; a lock still held after
        # it is answered 503 + Retry-After (core.middleware.DatabaseBusyMiddleware).
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 15),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
# A read replica for lists and figures (docs/scaling.md): DATABASE_REPLICA_URL names it, and the views
# marked with core.replica.replica_reads read from it. Without it the "replica" alias is the primary's
# settings (the test database's mirror in tests) and nothing is routed there.
_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
DATABASES["replica"] = (
    dj_database_url.parse(_REPLICA_URL, conn_max_age=60) if _REPLICA_URL else DATABASES["default"].copy()
)
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPLICA_READS = bool(_REPLICA_URL)
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes checks every authenticate() call first: a locked-out account or client is refused before
# the password is even tried.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout (django-axes): after this many failures an account, and separately a client address, is
# refused for the cool-off period; an audit row `accounts.locked_out` is written when it starts.
AXES_FAILURE_LIMIT = env_int("ZHILI_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ZHILI_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Attempts refused during a lockout do not extend it (a guesser cannot keep the owner out for ever).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful log-ins are in the audit trail already
AXES_VERBOSE = False
# Second factor (django-otp TOTP): required for administrators (staff) and auditors unless switched off;
# anyone may enrol. In demo mode only, the demo personas may be exempted (make run, browser tests).
OTP_REQUIRED_FOR_ADMINS = env_bool("ZHILI_OTP_REQUIRED", True)
OTP_DEMO_EXEMPT = DEMO_MODE and env_bool("ZHILI_OTP_DEMO_EXEMPT", True)
# 三员分立: the one superuser allowed in production, kept sealed for emergencies (docs/security.md).
BREAK_GLASS_USER = env_str("ZHILI_BREAK_GLASS_USER", "breakglass")
OTP_TOTP_ISSUER = env_str("ZHILI_OTP_ISSUER", "Zhili 治理")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Request bodies, checked from Content-Length before they are read (core.middleware): a multipart body
# (photos, scans) up to ZHILI_MAX_UPLOAD_MB, enforcement evidence (video, audio) up to
# ZHILI_MAX_EVIDENCE_MB, any other body (JSON, forms) up to DATA_UPLOAD_MAX_MEMORY_SIZE; files per request.
REQUEST_MAX_UPLOAD_BYTES = env_int("ZHILI_MAX_UPLOAD_MB", 20) * 1024 * 1024
LARGE_UPLOAD_PATHS = [
    (r"^/(api/v1/)?enforcement/cases/\d+/record/$", env_int("ZHILI_MAX_EVIDENCE_MB", 210) * 1024 * 1024),
]
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("ZHILI_MAX_BODY_KB", 2560) * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("ZHILI_MAX_FILES_PER_REQUEST", 10)
# Materials of an application (a resident's online upload, a window clerk's scans): each file up to
# APPROVALS_UPLOAD_MAX_MB, an online application up to APPROVALS_UPLOAD_MAX_FILES files. The online form
# posts them all at once, so its path takes a body of that many full-size files (plus the form's fields).
APPROVALS_UPLOAD_MAX_MB = env_int("APPROVALS_UPLOAD_MAX_MB", 10)
APPROVALS_UPLOAD_MAX_FILES = env_int("APPROVALS_UPLOAD_MAX_FILES", 10)
if APPROVALS_UPLOAD_MAX_MB < 1 or APPROVALS_UPLOAD_MAX_FILES < 1:
    raise ImproperlyConfigured("APPROVALS_UPLOAD_MAX_MB and APPROVALS_UPLOAD_MAX_FILES must be at least 1")
if APPROVALS_UPLOAD_MAX_FILES > DATA_UPLOAD_MAX_NUMBER_FILES:
    raise ImproperlyConfigured(
        f"APPROVALS_UPLOAD_MAX_FILES ({APPROVALS_UPLOAD_MAX_FILES}) must not exceed "
        f"ZHILI_MAX_FILES_PER_REQUEST ({DATA_UPLOAD_MAX_NUMBER_FILES}): Django would refuse the request"
    )
_APPLY_BODY_BYTES = (APPROVALS_UPLOAD_MAX_MB * APPROVALS_UPLOAD_MAX_FILES + 1) * 1024 * 1024
LARGE_UPLOAD_PATHS.append((r"^/approvals/apply/[^/]+/$", max(REQUEST_MAX_UPLOAD_BYTES, _APPLY_BODY_BYTES)))
# Serve static files straight from the apps in the embedded mode (no collectstatic needed); production
# runs collectstatic and serves the compressed copies.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEMO_MODE or DEBUG)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zhili 治理 API",
    "DESCRIPTION": "Integrated grassroots-governance platform: territory, workflow, grid governance, "
    "approvals, enforcement. Every error uses the envelope "
    '{"errors": [{"code", "message", "field"}]}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several contexts have a field called `kind` or `level`; give each enum its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "OrgUnitKindEnum": "accounts.models.OrgUnit.Kind",
        "GridKindEnum": "territory.models.Grid.Kind",
        "DivisionLevelEnum": "territory.models.Division.Level",
        "CategoryKindEnum": "grid.models.CategoryKind",
        "WarningLevelEnum": "command.warnings.models.Level",
        "ExpenditureCategoryEnum": "territorial.models.ExpenditureCategory",
    },
}

# The cache (rate limits): Redis when REDIS_URL is set, so every process counts against the same limit.
if env_str("REDIS_URL", ""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("REDIS_URL", ""),
        }
    }

# Background jobs: huey on a second SQLite file by default, Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL", "")
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("HUEY_NAME", "zhili"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded queue file lives there
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "zhili",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }

# The shared cache: rate limits, login lockouts and anything else every worker must agree on. Redis when
# REDIS_URL is set; otherwise a table in the database (`manage.py createcachetable`, run by `make migrate`).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "zhili"),
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "zhili_cache"}
    }
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated). Empty:
# the header is ignored and REMOTE_ADDR is the client. See docs/deploy.md, "Client addresses".
TRUSTED_PROXIES = env_list("ZHILI_TRUSTED_PROXIES", [])

# Personal data: ID and phone numbers are encrypted with this key (Fernet, urlsafe base64, 32 bytes)
# and looked up by an HMAC keyed with the second one.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", "")
FIELD_HASH_KEY = env_str("FIELD_HASH_KEY", "")
# Registries (registry app): AES-256-GCM keys by version, "1:<base64 32 bytes>,2:<…>" in PII_KEYS or one
# entry a line in the file PII_KEYS_FILE; new values are sealed with PII_KEY_VERSION (default: the highest).
# Old versions stay until `rotate_registry_keys` has re-sealed every row. Empty: demo/test only.
_pii_keys_file = env_str("PII_KEYS_FILE", "")
PII_KEYS = parse_keyring(
    Path(_pii_keys_file).read_text(encoding="utf-8") if _pii_keys_file else env_str("PII_KEYS", "")
)
PII_KEY_VERSION = env_int("PII_KEY_VERSION", 0)
# How many leading and trailing characters of an ID number stay visible when masked.
PII_ID_MASK_KEEP = (env_int("PII_ID_MASK_HEAD", 6), env_int("PII_ID_MASK_TAIL", 4))
# Unmasking one registry value: per user and hour (over the limit: 429). The count lives in the cache,
# which is shared between processes when REDIS_URL is set.
REGISTRY_UNMASKS_PER_HOUR = env_int("REGISTRY_UNMASKS_PER_HOUR", 30)
# How long the requester may download an approved bulk export of people (datashare.people_exports).
PEOPLE_EXPORT_HOURS = env_int("PEOPLE_EXPORT_HOURS", 72)

# Party (party app): households/enterprises one member may be linked to (联户联企, e.g. 1:10); whether a
# member may be linked to a household outside the village of the grid they serve in; whether "一肩挑"
# (grid head = branch secretary) is checked on every grid or only on comprehensive grids.
PARTY_LINKS_PER_MEMBER = env_int("PARTY_LINKS_PER_MEMBER", 10)
PARTY_LINK_OUTSIDE_VILLAGE = env_bool("PARTY_LINK_OUTSIDE_VILLAGE", False)
PARTY_ONE_SHOULDER_ALL_GRIDS = env_bool("PARTY_ONE_SHOULDER_ALL_GRIDS", False)
# 三会一课: how many days before a quarter ends each branch secretary is reminded of meetings still missing.
PARTY_MEETING_REMIND_DAYS = env_int("PARTY_MEETING_REMIND_DAYS", 10)

# Map: an optional tile server (e.g. an intranet tile service). Empty = vector layers only.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")
# The coordinate system of those tiles (wgs84, or gcj02 for Chinese tile services): map taps are sent in it.
MAP_TILE_CRS = env_str("MAP_TILE_CRS", "wgs84")
# locate(): how often (seconds) a process checks whether boundaries changed and its index must be rebuilt.
TERRITORY_LOCATE_CHECK_SECONDS = env_int("TERRITORY_LOCATE_CHECK_SECONDS", 1)
# import_boundaries: overlap between siblings / spill of a grid outside its village tolerated, in m².
TERRITORY_IMPORT_TOLERANCE_M2 = env_int("TERRITORY_IMPORT_TOLERANCE_M2", 1)

# Grid governance: a new report within this distance and time of an open event of the same minor class is
# offered to the dispatcher as a duplicate; 漏报 counts resident reports with no patrol report of the same
# class in the grid within the window before; anonymous reports and receipt look-ups per IP and hour.
GRID_DUPLICATE_RADIUS_M = env_int("GRID_DUPLICATE_RADIUS_M", 50)
GRID_DUPLICATE_WINDOW_HOURS = env_int("GRID_DUPLICATE_WINDOW_HOURS", 24)
GRID_MISSED_REPORT_WINDOW_HOURS = env_int("GRID_MISSED_REPORT_WINDOW_HOURS", 72)
GRID_PUBLIC_REPORTS_PER_HOUR = env_int("GRID_PUBLIC_REPORTS_PER_HOUR", 20)
GRID_PUBLIC_LOOKUPS_PER_HOUR = env_int("GRID_PUBLIC_LOOKUPS_PER_HOUR", 300)

# Where residents reach the public pages (certificate QR codes and verify links): e.g.
# https://zhili.example.gov.cn. Empty: certificates are refused (503), except under DEBUG, where the
# address of the request is used (licences/documents.py); `make run` sets http://127.0.0.1:$PORT.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "")
# SMS verification codes the self-service and rating pages send per client address and hour (then 429).
LICENCES_CODES_PER_ADDRESS_HOUR = env_int("LICENCES_CODES_PER_ADDRESS_HOUR", 30)
# Centre-authorisation report: items a 示范型 / 标准型 centre must handle directly (seed document), and the
# share of the legal time limit a promised limit may take (a hard rule: catalogue import refuses more).
APPROVALS_CENTRE_MINIMUMS = {
    "demonstration": env_int("APPROVALS_MIN_ITEMS_DEMONSTRATION", 250),
    "standard": env_int("APPROVALS_MIN_ITEMS_STANDARD", 199),
}
# /approvals/track/: wrong phone digits a receipt may see per day, and a client address per hour (then 429).
APPROVALS_TRACK_FAILURES_PER_RECEIPT_DAY = env_int("APPROVALS_TRACK_FAILURES_PER_RECEIPT_DAY", 10)
APPROVALS_TRACK_FAILURES_PER_CLIENT_HOUR = env_int("APPROVALS_TRACK_FAILURES_PER_CLIENT_HOUR", 30)
APPROVALS_PROMISED_SHARE = env_percent("APPROVALS_PROMISED_PERCENT", 50) / 100

# Enforcement zones (执法片区): the villages/communities a zone — the area of the squad covering it — holds
# (DOMAIN.md: each squad covers 2–6 second-level grids). Checked wherever a zone or a squad's area is set.
ENFORCEMENT_ZONE_MIN_VILLAGES = env_int("ENFORCEMENT_ZONE_MIN_VILLAGES", 2)
ENFORCEMENT_ZONE_MAX_VILLAGES = env_int("ENFORCEMENT_ZONE_MAX_VILLAGES", 6)

# Command-centre early warnings (预警, docs/warnings.md): the rules' thresholds and the limits a warning has
# before the sweeper supervises (督办) it.
COMMAND_WARN_DEADLINE_SHARE = env_percent("COMMAND_WARN_DEADLINE_PERCENT", 60) / 100
COMMAND_WARN_DEADLINE_ORANGE_SHARE = env_percent("COMMAND_WARN_DEADLINE_ORANGE_PERCENT", 80) / 100
COMMAND_WARN_DEADLINE_IDLE_HOURS = env_float("COMMAND_WARN_DEADLINE_IDLE_HOURS", 4.0)
COMMAND_WARN_EARS_THRESHOLD = env_float("COMMAND_WARN_EARS_THRESHOLD", 3.0)
COMMAND_WARN_EARS_C3_THRESHOLD = env_float("COMMAND_WARN_EARS_C3_THRESHOLD", 2.0)
COMMAND_WARN_EARS_MIN_SIGMA = env_float("COMMAND_WARN_EARS_MIN_SIGMA", 0.5)
COMMAND_WARN_EARS_MIN_COUNT = env_int("COMMAND_WARN_EARS_MIN_COUNT", 3)
COMMAND_WARN_SPIKE_AREA = env_str("COMMAND_WARN_SPIKE_AREA", "village")
if COMMAND_WARN_SPIKE_AREA not in ("town", "village", "grid"):
    raise ImproperlyConfigured(
        f"COMMAND_WARN_SPIKE_AREA must be town, village or grid, not {COMMAND_WARN_SPIKE_AREA!r}"
    )
COMMAND_WARN_PLACE_COUNT = env_int("COMMAND_WARN_PLACE_COUNT", 3)
COMMAND_WARN_PLACE_RADIUS_M = env_float("COMMAND_WARN_PLACE_RADIUS_M", 100.0)
COMMAND_WARN_PLACE_DAYS = env_int("COMMAND_WARN_PLACE_DAYS", 7)
COMMAND_WARN_UNROUTED_HOURS = env_float("COMMAND_WARN_UNROUTED_HOURS", 2.0)
COMMAND_WARN_UNROUTED_COUNT = env_int("COMMAND_WARN_UNROUTED_COUNT", 5)
COMMAND_WARN_QUEUE_DAYS = env_int("COMMAND_WARN_QUEUE_DAYS", 3)
COMMAND_WARN_QUEUE_GROWTH = env_int("COMMAND_WARN_QUEUE_GROWTH", 5)
COMMAND_WARN_ACK_HOURS = {
    "red": env_int("COMMAND_WARN_ACK_HOURS_RED", 1),
    "orange": env_int("COMMAND_WARN_ACK_HOURS_ORANGE", 2),
    "yellow": env_int("COMMAND_WARN_ACK_HOURS_YELLOW", 4),
}
COMMAND_WARN_HANDLE_DAYS = env_int("COMMAND_WARN_HANDLE_DAYS", 1)

# Demo history (`seed_demo`): how many grid events a month of history has, and how many of them go through
# the real actions rather than the engine's bulk import.
DEMO_HISTORY_EVENTS = env_int("DEMO_HISTORY_EVENTS", 3000)
DEMO_HISTORY_REAL_EVENTS = env_int("DEMO_HISTORY_REAL_EVENTS", 60)
# Demo 党建 (demo/party_data.py): members per grid with registry people, households linked per member.
DEMO_PARTY_MEMBERS_PER_GRID = env_int("DEMO_PARTY_MEMBERS_PER_GRID", 4)
DEMO_PARTY_LINKS_PER_MEMBER = env_int("DEMO_PARTY_LINKS_PER_MEMBER", 3)

# Open311 GeoReport v2 (/open311/v2/): the jurisdiction_id clients may send (empty: no check), the default
# hourly request limit of a new API key, and the discovery endpoint type (empty: "test" in demo mode).
OPEN311_JURISDICTION_ID = env_str("OPEN311_JURISDICTION_ID", "xiangcheng.suzhou.gov.cn")
OPEN311_RATE_LIMIT_PER_HOUR = env_int("OPEN311_RATE_LIMIT_PER_HOUR", 1000)
OPEN311_ENDPOINT_TYPE = env_str("OPEN311_ENDPOINT_TYPE", "")

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "zhili@localhost")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", 10)
# Outbox delivery: attempts before a message becomes a dead letter, the claim lease (longer than the
# slowest send), and the batch size of the periodic sweep.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5)
OUTBOX_CLAIM_LEASE_SECONDS = env_int("OUTBOX_CLAIM_LEASE_SECONDS", 300)
OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", 100)

# Audit trail (docs/security.md "Audit trail"): HMAC keys kept outside the database, as a key file
# (`id secret` per line, the last one current) or `id:secret,…`; the demo/test key only in demo mode.
AUDIT_KEY_FILE = env_str("AUDIT_KEY_FILE", "")
AUDIT_KEYS = env_str("AUDIT_KEYS", "")
AUDIT_KEY_ID = env_str("AUDIT_KEY_ID", "")
# Rows per sealed block, and where the periodic task appends signed chain heads for shipping elsewhere.
AUDIT_SEAL_BLOCK_SIZE = env_int("AUDIT_SEAL_BLOCK_SIZE", 1000)
AUDIT_HEADS_FILE = env_str("AUDIT_HEADS_FILE", str(VAR_DIR / "audit-heads.jsonl"))

# HTTPS: ZHILI_HTTPS=1 (the default in production, i.e. ZHILI_DEMO=0) turns on secure cookies, the redirect
# to https, HSTS, and trusts X-Forwarded-Proto from the proxy (which must set it, see docs/deploy.md).
HTTPS = env_bool("ZHILI_HTTPS", not DEBUG and not DEMO_MODE)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SESSION_COOKIE_HTTPONLY = True
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # The directive alone changes nothing until someone submits the domain to the preload list.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # The load balancer's health probe speaks plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Idle session timeout: a staff session ends after this many minutes without a request.
SESSION_COOKIE_AGE = env_int("ZHILI_SESSION_IDLE_MINUTES", 30) * 60
# accounts.session.IdleTimeoutMiddleware pushes the expiry on with each request: idle time, not length.


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}".replace("://a.", "://*.") if parts.netloc else ""


# Content-Security-Policy (django-csp): scripts and styles only from our own static files (all vendored);
# style attributes stay allowed because Leaflet, ECharts and a progress bar set them (they cannot run
# script). Tiles come from MAP_TILE_URL's host when one is configured.
_TILE_ORIGIN = [_origin(MAP_TILE_URL)] if MAP_TILE_URL and _origin(MAP_TILE_URL) else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_TILE_ORIGIN],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every record is masked before any handler writes it (core/log_filters.py): no phone or ID in logs.
    "filters": {"mask_personal_data": {"()": "core.log_filters.MaskPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every layout step at INFO and fontTools every subset: keep only their warnings.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# territorial: village payments of at least this many yuan need the town 三资 office's approval.
TERRITORIAL_TOWN_APPROVAL_YUAN = env_int("TERRITORIAL_TOWN_APPROVAL_YUAN", 5000)
# territorial: … and payments of at least this many yuan also a town leader's sign-off after the office's
# (分级审批: each tier adds a step of fund_payment; the amounts are configured here, the steps there).
TERRITORIAL_LEADER_APPROVAL_YUAN = env_int("TERRITORIAL_LEADER_APPROVAL_YUAN", 50000)
if TERRITORIAL_LEADER_APPROVAL_YUAN <= TERRITORIAL_TOWN_APPROVAL_YUAN:
    raise ImproperlyConfigured(
        "TERRITORIAL_LEADER_APPROVAL_YUAN must be above TERRITORIAL_TOWN_APPROVAL_YUAN"
    )
# territorial: a receipt (收款) carries its voucher image (收据/票据 scan) unless this is switched off; a
# payment always does.
TERRITORIAL_RECEIPT_VOUCHER_REQUIRED = env_bool("TERRITORIAL_RECEIPT_VOUCHER_REQUIRED", True)
# territorial: a voucher file (an image or a PDF scan) may be at most this many MB.
TERRITORIAL_VOUCHER_MAX_MB = env_int("TERRITORIAL_VOUCHER_MAX_MB", 10)
if TERRITORIAL_VOUCHER_MAX_MB < 1:
    raise ImproperlyConfigured("TERRITORIAL_VOUCHER_MAX_MB must be at least 1")
# territorial: cash received must be deposited in the bank within this many days (坐收坐支 warning).
TERRITORIAL_DEPOSIT_DAYS = env_int("TERRITORIAL_DEPOSIT_DAYS", 3)
# territorial: a month's 财务公开 is on time when every entry of the month is booked by this day of the next.
TERRITORIAL_DISCLOSURE_DAY = env_int("TERRITORIAL_DISCLOSURE_DAY", 10)

"""Égide settings: one flat file, read from EGIDE_* variables (README "Configuration").

It runs after a clone with no variable at all: SQLite in ./var/data, keys in ./var/keys.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _

from egide.env import env_bool, env_int, env_list, env_path, env_secret, env_str

PACKAGE_DIR = Path(__file__).resolve().parent

# --- Where things live -------------------------------------------------------
# Keys are never kept with the data (DESIGN.md "Data and storage"): a copy of the
# data directory, or a backup of it, must be useless without the key directory.
DATA_DIR = env_path("EGIDE_DATA_DIR", Path("var/data"))
KEY_DIR = env_path("EGIDE_KEY_DIR", Path("var/keys"))
SECRET_KEY_FILE = KEY_DIR / "secret_key"

DEBUG = env_bool("EGIDE_DEBUG", False)
TLS = env_bool("EGIDE_TLS", False)
ALLOWED_HOSTS = env_list("EGIDE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

# --- Keys (egide.crypto) -----------------------------------------------------------
# "file": the master key is a 0600 file in the key directory. "sealed": it is stored
# encrypted under a passphrase (Argon2id), unlocked at start from EGIDE_KEY_PASSPHRASE_FILE
# or interactively with `egide unseal`.
KEY_PROVIDER = env_str("EGIDE_KEY_PROVIDER", "file")
if KEY_PROVIDER not in {"file", "sealed"}:
    raise ImproperlyConfigured("EGIDE_KEY_PROVIDER doit valoir « file » ou « sealed ».")
KEY_PASSPHRASE_FILE = env_str("EGIDE_KEY_PASSPHRASE_FILE", "")

# --- Audit journal (egide.audit) ------------------------------------------------------
# Signed tree heads are exported outside the database, beside the data directory by default.
AUDIT_HEADS_DIR = env_path("EGIDE_AUDIT_HEADS_DIR", DATA_DIR.parent / "audit-heads")
# CNIL "tracer les opérations": keep traces 6 to 12 months (regulatory-facts §5.4); 12 by default.
AUDIT_RETENTION_DAYS = env_int("EGIDE_AUDIT_RETENTION_DAYS", 365, minimum=1)
AUDIT_HEAD_EVERY_EVENTS = env_int("EGIDE_AUDIT_HEAD_EVERY_EVENTS", 1000, minimum=1)
AUDIT_HEAD_EVERY_SECONDS = env_int("EGIDE_AUDIT_HEAD_EVERY_SECONDS", 300, minimum=1)

# --- Patient documents (egide.patients.documents) ------------------------------------
# Uploads larger than this are refused (issue 4: 50 MB by default); they are held in memory
# while checked and encrypted, never written in clear to a temporary file.
DOCUMENT_MAX_MB = env_int("EGIDE_DOCUMENT_MAX_MB", 50, minimum=1)

# --- Backups (egide.backups, restic) --------------------------------------------------
# The worker backs up every BACKUP_INTERVAL_MINUTES (hourly by default, issue 6); after a failure
# it tries again sooner, doubling from BACKUP_RETRY_MINUTES up to the interval (back-off).
BACKUP_INTERVAL_MINUTES = env_int("EGIDE_BACKUP_INTERVAL_MINUTES", 60, minimum=5)
BACKUP_RETRY_MINUTES = env_int("EGIDE_BACKUP_RETRY_MINUTES", 5, minimum=1)
# Unhealthy status (issue 6): newest good backup older than this, a drill older than
# BACKUP_DRILL_MAX_AGE_DAYS or failed, fewer than BACKUP_MIN_HEALTHY_DESTINATIONS healthy
# destinations ("deux sauvegardes, externe + locale").
BACKUP_MAX_AGE_HOURS = env_int("EGIDE_BACKUP_MAX_AGE_HOURS", 26, minimum=1)
BACKUP_DRILL_MAX_AGE_DAYS = env_int("EGIDE_BACKUP_DRILL_MAX_AGE_DAYS", 8, minimum=1)
BACKUP_MIN_HEALTHY_DESTINATIONS = env_int("EGIDE_BACKUP_MIN_HEALTHY_DESTINATIONS", 2, minimum=1)
# Retention (restic forget), never applied to append-only destinations.
BACKUP_KEEP_DAILY = env_int("EGIDE_BACKUP_KEEP_DAILY", 14, minimum=1)
BACKUP_KEEP_WEEKLY = env_int("EGIDE_BACKUP_KEEP_WEEKLY", 8, minimum=0)
BACKUP_KEEP_MONTHLY = env_int("EGIDE_BACKUP_KEEP_MONTHLY", 12, minimum=0)
# Destinations' backend credentials (S3 keys, REST account): one <name>.env file each, outside
# the data directory and never in a backup.
BACKUP_CREDENTIALS_DIR = env_path("EGIDE_BACKUP_CREDENTIALS_DIR", KEY_DIR / "backup-credentials")
# SFTP destinations: the ssh client configuration restic's ssh reads (``ssh -F``: key, pinned
# host key, port, account), outside the data directory. Empty: the account's ~/.ssh and the
# system's configuration, as a plain ``ssh`` would.
_backup_ssh_config = env_str("EGIDE_BACKUP_SSH_CONFIG", "").strip()
BACKUP_SSH_CONFIG = str(Path(_backup_ssh_config).expanduser().resolve()) if _backup_ssh_config else ""

# --- Secret key ---------------------------------------------------------------
# Order: EGIDE_SECRET_KEY(_FILE), then the file written by `egide init`. Before
# init, an ephemeral key lets management commands run; egide.E002 flags it and
# `egide serve` refuses to start with it.
_secret = env_secret("EGIDE_SECRET_KEY")
if _secret is None and SECRET_KEY_FILE.is_file():
    _secret = SECRET_KEY_FILE.read_text(encoding="utf-8").strip() or None
SECRET_KEY_EPHEMERAL = _secret is None
SECRET_KEY = _secret if _secret is not None else get_random_secret_key()

# --- Applications --------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "egide.core",
    "egide.crypto",
    "egide.audit",
    "egide.accounts",
    "egide.patients",
    "egide.access",
    "egide.api",
    "egide.web",
    "egide.mfa",
    "egide.staff",
    "egide.psc",
    "egide.backups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "egide.accounts.middleware.SecondFactorMiddleware",
    "egide.audit.middleware.AuditContextMiddleware",
    "egide.staff.middleware.SessionRecordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "egide.web.middleware.DomainErrorMiddleware",
    "egide.web.middleware.NoStoreForStaffMiddleware",
]

ROOT_URLCONF = "egide.urls"
WSGI_APPLICATION = "egide.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------
# One variable switches to PostgreSQL; the default is a zero set-up SQLite file.
_database_url = env_str("EGIDE_DATABASE_URL", "")
SQLITE_AUTOCHECKPOINT_PAGES = env_int("EGIDE_SQLITE_AUTOCHECKPOINT_PAGES", 10_000, minimum=100)
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "egide.sqlite3"),
            "OPTIONS": {
                # WAL: readers never block the writer; a power cut leaves committed data readable.
                # IMMEDIATE: a write transaction takes the lock at BEGIN, so concurrent requests
                # queue on the busy timeout instead of failing with "database is locked".
                # Checkpoints are the worker's (egide/core/sqlite.py); a request runs one only
                # past this many pages of log, when no worker does.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES};",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background jobs (README "Background jobs") ----------------------------------
# Huey: SQLite-backed queue in the data directory (no extra server for a practice),
# Redis at scale through one variable, periodic schedules in both cases.
_jobs_url = env_str("EGIDE_JOBS_REDIS_URL", "")
HUEY = {
    "name": "egide",
    "immediate": False,
    "utc": True,
    "consumer": {"workers": env_int("EGIDE_JOBS_WORKERS", 2, minimum=1), "worker_type": "thread"},
    **(
        {"huey_class": "huey.RedisHuey", "url": _jobs_url}
        if _jobs_url
        # create_tables=False: no file is touched at import; `egide init` and `egide worker`
        # create the queue's tables.
        else {
            "huey_class": "huey.SqliteHuey",
            "filename": str(DATA_DIR / "jobs.sqlite3"),
            "create_tables": False,
        }
    ),
}

# --- Passwords -----------------------------------------------------------------
# Argon2id first (Django's Argon2PasswordHasher uses the "id" variant).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
# CNIL délibération 2022-100: "cnil-cas-1" (80 bits, default) or "cnil-cas-2" (50 bits, only
# acceptable together with login delays and lockout). No forced periodic renewal.
PASSWORD_POLICY = env_str("EGIDE_PASSWORD_POLICY", "cnil-cas-1")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "egide.accounts.passwords.CommonPasswordVariantValidator"},
    {"NAME": "egide.accounts.passwords.CnilPasswordValidator", "OPTIONS": {"policy": PASSWORD_POLICY}},
]

# --- Login: throttling, lockout, re-authentication (egide.accounts) -------------------
# CNIL délibération 2022-100 case 2 relies on "temporisation" and a maximum number of attempts;
# the exact numbers are UNCONFIRMED (regulatory-facts §4), hence settings. Per typed username
# (whether or not the account exists) and, with a higher ceiling, per source IP (a practice's
# staff often share one address).
LOGIN_MAX_FAILURES = env_int("EGIDE_LOGIN_MAX_FAILURES", 10, minimum=1)
LOGIN_IP_MAX_FAILURES = env_int("EGIDE_LOGIN_IP_MAX_FAILURES", 100, minimum=1)
LOGIN_LOCK_MINUTES = env_int("EGIDE_LOGIN_LOCK_MINUTES", 15, minimum=1)
# Sensitive actions ask again for the password and the second factor after this many minutes.
REAUTH_MINUTES = env_int("EGIDE_REAUTH_MINUTES", 10, minimum=1)
# Passkeys (egide.mfa, WebAuthn): the relying-party id is the domain the passkeys belong to; when
# empty, the first host name of ALLOWED_HOSTS (an IP address cannot be one). The origins a browser
# may report default to the address of the request itself (a host Django accepted).
WEBAUTHN_RP_ID = env_str("EGIDE_WEBAUTHN_RP_ID", "")
WEBAUTHN_ORIGINS = env_list("EGIDE_WEBAUTHN_ORIGINS", [])
# Pro Santé Connect: the ID token's acr values accepted. Égide asks for eidas1 (eIDAS substantial);
# the full value set is UNCONFIRMED and a sandbox token showed eidas3 (regulatory-facts §7.1 [S41]),
# hence a setting: add eidas2/eidas3 if your PSC answers with them.
PSC_ACCEPTED_ACR = env_list("EGIDE_PSC_ACCEPTED_ACR", ["eidas1"])
# The Pro Santé Connect issuers a practice administrator may choose (production and the BAS sandbox,
# regulatory-facts §7.1 [S41]; the hostnames are UNCONFIRMED, hence a setting). Set by the server's
# operator, never from the web: an administrator pointing Égide at a provider of their own could log
# in as any practitioner whose RPPS they registered. "*" allows any (development and tests only).
PSC_ALLOWED_ISSUERS = env_list(
    "EGIDE_PSC_ALLOWED_ISSUERS",
    [
        "https://auth.esante.gouv.fr/auth/realms/esante-wallet",
        "https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet",
    ],
)
# Break-the-glass (egide.access): a practitioner outside a patient's care team opens the record
# for this many hours, then the access lapses (issue 5: "a time box, default 4 hours").
BREAK_GLASS_HOURS = env_int("EGIDE_BREAK_GLASS_HOURS", 4, minimum=1)

# --- Sessions and cookies ----------------------------------------------------------
# Idle timeout: the session expires N minutes after the last request (saved on every
# request). 15 minutes by default: a workstation left open in a consulting room.
SESSION_IDLE_MINUTES = env_int("EGIDE_SESSION_IDLE_MINUTES", 15, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# Absolute lifetime: even an active session ends this many hours after login (egide.staff),
# so a session opened in the morning on a shared computer does not live through the night.
SESSION_MAX_HOURS = env_int("EGIDE_SESSION_MAX_HOURS", 12, minimum=1)
# Account lifecycle (egide.staff): an invitation link works this many hours, once; an account
# without login for this many days is flagged dormant. 90 days is the issue's figure: no CNIL text
# in regulatory-facts.md sets one, hence a setting.
INVITATION_HOURS = env_int("EGIDE_INVITATION_HOURS", 72, minimum=1)
DORMANT_DAYS = env_int("EGIDE_DORMANT_DAYS", 90, minimum=1)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# "__Host-" cookies are only accepted over HTTPS, without Domain, on path "/".
SESSION_COOKIE_NAME = "__Host-egide_session" if TLS else "egide_session"
CSRF_COOKIE_NAME = "__Host-egide_csrf" if TLS else "egide_csrf"
SESSION_COOKIE_SECURE = TLS
CSRF_COOKIE_SECURE = TLS

# --- Security headers ------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# With TLS, Égide sits behind a reverse proxy that terminates HTTPS (`egide serve`
# listens on loopback) and says so in X-Forwarded-Proto.
SECURE_SSL_REDIRECT = TLS
# Reverse proxies whose X-Forwarded-For is believed (egide/core/net.py); loopback by default
# with TLS, since `egide serve` then listens behind a proxy on the same machine.
TRUSTED_PROXIES = env_list("EGIDE_TRUSTED_PROXIES", ["127.0.0.1", "::1"] if TLS else [])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TLS else None
SECURE_HSTS_SECONDS = 31_536_000 if TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = TLS
SECURE_HSTS_PRELOAD = False

# No inline script or style anywhere: every asset is served from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "midi")
}

# --- Languages -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "egide_langue"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = TLS

# --- Static files ------------------------------------------------------------------
# WhiteNoise serves the vendored assets straight from the packages (no CDN, no
# collectstatic step for the embedded mode).
STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Logging -------------------------------------------------------------------------
# Logs carry opaque ids only, never personal data (DESIGN.md invariant 1).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("EGIDE_LOG_LEVEL", "INFO")},
    # The job consumer installs its own handler: do not print its lines twice.
    "loggers": {"huey": {"propagate": False}},
}

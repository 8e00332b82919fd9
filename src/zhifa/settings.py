"""zhifa settings: read from the environment only, so the same code runs on a township laptop
(SQLite, embedded queue, local disk) and on a provincial cluster (PostgreSQL, Redis, S3)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name} 必须是整数，当前值：{value!r}") from None


def _data_dir() -> Path:
    path = Path(os.environ.get("ZHIFA_DATA_DIR", "var")).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"数据目录 {path} 不可写（{exc.strerror}）。请设置 ZHIFA_DATA_DIR 为可写目录。"
            f" / Data directory {path} is not writable; set ZHIFA_DATA_DIR to a writable folder."
        ) from None
    return path


DATA_DIR = _data_dir()


def _secret_key() -> str:
    key = os.environ.get("ZHIFA_SECRET_KEY")
    if key:
        return key
    # Embedded default: generated once, kept in the data dir (never in the repository).
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("ZHIFA_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ZHIFA_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("ZHIFA_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        db: dict = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "zhifa.sqlite3"),
        }
    else:
        import dj_database_url

        try:
            db = dj_database_url.parse(url)
        except Exception as exc:  # noqa: BLE001 - the library raises several kinds
            raise ImproperlyConfigured(
                f"DATABASE_URL 格式错误：{exc}。示例：postgres://user:pass@127.0.0.1:5432/zhifa"
                " 或 sqlite:////path/zhifa.sqlite3"
            ) from None
        if not db.get("ENGINE"):
            raise ImproperlyConfigured(f"DATABASE_URL 无法识别的数据库类型：{url.split(':')[0]}")
        if not db.get("NAME"):
            raise ImproperlyConfigured(
                "DATABASE_URL 缺少数据库名。示例：postgres://user:pass@127.0.0.1:5432/zhifa"
            )
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue on the busy timeout instead of failing with "database is locked".
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    db["CONN_MAX_AGE"] = _env_int("ZHIFA_CONN_MAX_AGE", 600)
    db["CONN_HEALTH_CHECKS"] = True
    test_name = os.environ.get("ZHIFA_TEST_DB_NAME")
    if test_name:
        db["TEST"] = {"NAME": test_name}
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "axes",
    "huey.contrib.djhuey",
    "zhifa.core",
    "zhifa.ledger",
    "zhifa.evidence",
    "zhifa.laws",
    "zhifa.registry",
    "zhifa.powers",
    "zhifa.exchange",
    "zhifa.cases",
    "zhifa.review",
    "zhifa.publicity",
    "zhifa.supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhifa.core.middleware.IdleTimeoutMiddleware",
    "zhifa.core.middleware.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhifa.core.middleware.OperationLogMiddleware",
    # Axes last: it turns lockouts raised during authenticate() into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhifa.urls"
WSGI_APPLICATION = "zhifa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhifa.core.context_processors.workspace",
            ],
        },
    }
]

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "zhifa.core.backends.ZhifaBackend",
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Password policy (等保 2.0 level 3): length, 3 of 4 classes, not the username, no reuse of
# the last 5, expiry after ZHIFA_PASSWORD_MAX_AGE_DAYS (0 = never).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "zhifa.core.passwords.LengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "zhifa.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "zhifa.core.passwords.NotUsernameValidator"},
    {"NAME": "zhifa.core.passwords.HistoryValidator", "OPTIONS": {"history": 5}},
]
PASSWORD_MAX_AGE_DAYS = _env_int("ZHIFA_PASSWORD_MAX_AGE_DAYS", 90)
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Account lockout (django-axes): 5 failures lock the account for 30 minutes.
AXES_FAILURE_LIMIT = _env_int("ZHIFA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = _env_int("ZHIFA_LOCKOUT_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zhifa.core.views.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = _env_int("ZHIFA_PROXY_COUNT", 0)

# Sessions: idle timeout enforced by IdleTimeoutMiddleware; the cookie dies with the browser.
SESSION_IDLE_TIMEOUT = _env_int("ZHIFA_SESSION_IDLE_MINUTES", 30) * 60
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One small file per session in the data dir: shared by all worker processes (a logout
    # ends the session everywhere) and read without a database query on every page.
    # (zhifa.core.sessions: Django's file backend, decoding each distinct file text once.)
    SESSION_ENGINE = "zhifa.core.sessions"
    SESSION_FILE_PATH = str(DATA_DIR / "sessions")
    (DATA_DIR / "sessions").mkdir(mode=0o700, exist_ok=True)

# Security headers and cookies when not in debug. TLS is terminated by the front proxy on a
# real deployment; ZHIFA_HTTPS=0 says plainly that this one serves plain HTTP (the demo on
# 127.0.0.1, an isolated office LAN), where browsers would drop Secure cookies.
HTTPS = _env_bool("ZHIFA_HTTPS", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_SSL_REDIRECT = _env_bool("ZHIFA_SSL_REDIRECT", default=False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "zhifa.core.storage.StaticStorage"
        )
    },
}
if os.environ.get("ZHIFA_S3_BUCKET"):
    # S3-compatible object storage (e.g. MinIO) for evidence files, through django-storages.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ZHIFA_S3_BUCKET"],
            "endpoint_url": os.environ.get("ZHIFA_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("ZHIFA_S3_ACCESS_KEY"),
            "secret_key": os.environ.get("ZHIFA_S3_SECRET_KEY"),
            "region_name": os.environ.get("ZHIFA_S3_REGION") or None,
        },
    }

# Background tasks: huey on SQLite in the data dir, on Redis when REDIS_URL is set.
HUEY = {
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "name": "zhifa",
    "immediate": _env_bool("ZHIFA_TASKS_IMMEDIATE"),
    "consumer": {"workers": 2, "worker_type": "thread"},
}
if REDIS_URL:
    HUEY["url"] = REDIS_URL
else:
    HUEY["filename"] = str(DATA_DIR / "huey.sqlite3")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZHIFA_LOG_LEVEL", "WARNING")},
}

# Accounts lock by username, as the policy asks. Axes also suggests counting by IP, but a
# township office sits behind one NAT address: an IP lock would shut the whole office out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Evidence files (photos, audio, video, scans): refused above this size, checked while streaming.
EVIDENCE_MAX_BYTES = _env_int("ZHIFA_EVIDENCE_MAX_MB", 2048) * 1024 * 1024
# Django's own upload limits: files stream to disk above 2.5 MB; forms without files stay small.
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
(DATA_DIR / "tmp").mkdir(exist_ok=True)

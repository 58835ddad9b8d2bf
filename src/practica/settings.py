"""Django settings for Practica, read from environment variables only (see the README's table)."""

from __future__ import annotations

from pathlib import Path

from practica import config

env = config.Environment()
PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir(env)

SECRET_KEY = config.secret_key(env, DATA_DIR)
DEBUG = env.flag("DEBUG", default=False)
ALLOWED_HOSTS = env.words("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env.words("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "practica.core",
    "practica.people",
    "practica.communities",
    "practica.calibration",
    "practica.knowledge",
    "practica.search",
    "practica.systems",
    "practica.learning",
    "practica.insights",
    "practica.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "practica.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "practica.core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "practica.urls"
WSGI_APPLICATION = "practica.wsgi.application"

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
            ],
            "builtins": ["practica.core.templatetags.practica"],
        },
    }
]

DATABASES = {"default": config.database(env, DATA_DIR)}

# Background work (simulation runs, digests): stored in the database and run by `practica manage
# db_worker`, which `practica serve` starts beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.text("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env.text("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve straight from the app folders when collectstatic has not run (tests, first start).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_HOST = env.text("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env.integer("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env.text("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.text("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.flag("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "Practica <practica@localhost>")

# Security (docs/operations.md, "Security settings"). Content-Security-Policy and Permissions-Policy
# come from practica.core.security.SecurityHeadersMiddleware.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
HTTPS = env.flag("PRACTICA_HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    # Behind a reverse proxy that terminates TLS, the proxy says so in X-Forwarded-Proto; set
    # PRACTICA_PROXY_SSL_HEADER=0 when Practica terminates TLS itself (the header is then ignored).
    if env.flag("PRACTICA_PROXY_SSL_HEADER", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.flag("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.flag("SECURE_HSTS_PRELOAD", default=False)
# Preloading HSTS is a commitment for the whole domain that only its owner can make; when it is
# left off on purpose the deploy check's reminder (security.W021) is silenced.
SILENCED_SYSTEM_CHECKS = [] if env.flag("SECURE_HSTS_PRELOAD", default=False) else ["security.W021"]
PRACTICA_CSP_REPORT_ONLY = env.flag("PRACTICA_CSP_REPORT_ONLY", default=False)
PRACTICA_CSP_REPORT_URI = env.text("PRACTICA_CSP_REPORT_URI")

# Size limits: request bodies (forms and JSON) and files given to `practica import`.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.integer("PRACTICA_MAX_REQUEST_BYTES", 5 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
PRACTICA_IMPORT_MAX_BYTES = env.integer("PRACTICA_IMPORT_MAX_BYTES", 500 * 1024 * 1024, minimum=1024)

PRACTICA_MIN_GROUP_SIZE = env.integer("PRACTICA_MIN_GROUP_SIZE", 5, minimum=config.MIN_GROUP_SIZE_FLOOR)
PRACTICA_DEMO_PASSWORD = env.text("PRACTICA_DEMO_PASSWORD", "practica-demo")
PRACTICA_LOGIN_THROTTLE = env.integer("PRACTICA_LOGIN_THROTTLE", 10, minimum=1)
# Where people reach Practica, for links in emails sent outside a request (the digest).
PRACTICA_BASE_URL = (
    env.url("PRACTICA_BASE_URL", "", schemes={"http", "https"}).rstrip("/")
    if env.text("PRACTICA_BASE_URL")
    else ""
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", "INFO").upper()},
}

"""Settings shared by every environment, read from the environment through django-environ.

Unset, ``DATABASE_URL`` is an SQLite file in the project and ``CELERY_BROKER_URL`` runs tasks
in-process, so a fresh machine needs neither PostgreSQL nor Redis.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import django_stubs_ext
import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets the admin classes be written ModelAdmin[Model] for the type checker.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")  # production.py insists on one
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",  # the lockout of guessed passwords (below, "Logins")
    "csp",  # django-csp: its system checks of the policy below
    "people",
    "plans",
    "metrics",
    "reviews",
    "metrics.bench",  # the benchmarks' commands, apart from the product's
    "rest_framework",  # the open API (metrics/api/, below)
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as static files: no CDN
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the collected static files from gunicorn itself (no CDN, no separate web server);
    # right after SecurityMiddleware so that static responses skip sessions, locale and CSRF.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy header of every page (below); static files, served above, need none.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's own language wins over the cookie's (people.User.language).
    "people.logins.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in that axes refused into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "people.context_processors.roles",
                "people.logins.sso_context.sso",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The dashboard keeps its figures of closed periods here (metrics.results.dashboards). Memory is
# per process: with several web processes, point CACHE_URL at Redis (e.g. redis://host:6379/1)
# so that they share one copy and a change seen by one is seen by all.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "people.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Axes first: it refuses a locked-out user name and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "people.logins.validators.MinimumLengthValidator"},  # Django's, its refusal in Chinese too
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A session lasts this long from sign-in (seconds; a working day by default). Changing a
# password ends the person's other sessions (Django's session auth hash), never this one.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
# An invitation's link sets a password once, within this many days of its email.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
# Where people open the site: the links of emails written without a request (invitations).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the npm package that `make install` puts in node_modules: no CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    # Chart.js for the dashboards, from the npm package as well.
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
# Until `collectstatic` has made STATIC_ROOT (development, a fresh clone's tests) whitenoise looks
# files up per request instead of warning that the folder is missing; production.py turns it off.
WHITENOISE_AUTOREFRESH = DEBUG or not STATIC_ROOT.is_dir()
# Plain storages here; production.py swaps in whitenoise's compressed, hashed (manifest) files.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Content-Security-Policy (django-csp) -------------------------------------------------------
# Every script, style sheet, image, font and fetch of a page comes from this site, from files: no
# inline script, no on...= handler, no style attribute, no other origin, no eval. Data for
# a page's script travels in data-* attributes or in a json_script block (data, never code), and
# a script may still set a width through element.style. Bootstrap's CSS draws its small icons
# (the menu button, a select's arrow) from data: URIs, hence img-src. No page may be framed, and
# forms post only to this site. On in every settings module (production, the tests, development);
# CSP_REPORT_ONLY=true sends it as Content-Security-Policy-Report-Only instead: the browser then
# blocks nothing and reports in its console what it would have blocked, to try a change safely.
csp_policy = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = csp_policy
else:
    CONTENT_SECURITY_POLICY = csp_policy

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in-process: `make run` on a fresh machine needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Every task goes to this queue, chunks that a close task sends included: a worker started with
# `-Q name` needs this set to the same name, or the chunks wait in a queue nobody consumes.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# A close must happen exactly once even when a worker dies (tests/metrics/results/test_faults.py):
# - late acks: a task is acknowledged once it has finished, so a worker killed in the middle
#   leaves its message unacknowledged in Redis, to be handed back (below);
# - reject on worker lost: a prefork child that dies has its task put back on the queue instead
#   of acknowledged as failed (a whole worker killed acknowledges nothing anyway);
# - prefetch 1: each worker holds one message at a time, so a dying worker strands no other work.
# The services are idempotent (the claim, the chunk locks, one result per employee and run), so a
# redelivered task writes nothing twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker that loses Redis lets the tasks it is running finish (a close task scores the close's
# chunks to the end without Redis) instead of cancelling them: a Redis that comes back empty
# would never hand a cancelled close back. Celery warns that its default turns to True in 6.0.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Redis hands an unacknowledged message back after this many seconds (looked for when a worker
# starts, then about every 100 s). A close task scores chunks until none is left, so it can run
# as long as the whole close, not just one chunk: keep the timeout above the longest close and
# above the longest retry countdown (metrics.results.tasks backs off up to 128 s). An earlier redelivery
# would be harmless (the second worker joins in) but wasted. So a close whose worker was killed
# resumes by itself only after this timeout: the operator's answer is to run `close_cycle` again,
# which enqueues the close under way once more and resumes it at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # A broker that refuses connections fails a publish in under a second (three quick retries);
    # one whose host does not answer at all within about 20 s (four tries of at most 5 s), not
    # after the system's TCP timeout: HR's close button says that the queue cannot be reached.
    "socket_connect_timeout": 5,
}

# --- The product -------------------------------------------------------------------------------
# How many employees one close task scores at a time.
CLOSE_CHUNK_SIZE = env.int("CLOSE_CHUNK_SIZE", default=1000)
# How long `close_cycle` waits for the workers before giving up, in seconds.
CLOSE_WAIT_SECONDS = env.int("CLOSE_WAIT_SECONDS", default=1800)

# --- Single sign-on (OpenID Connect): off unless the issuer, client id and secret are all set ---
# The issuer is the provider's base URL, whose /.well-known/openid-configuration says the rest
# (Keycloak: https://sso.example.com/realms/company). People are matched by the user name claim,
# else by the email claim; a login never creates anybody (people/logins/sso.py).
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
OIDC_ISSUER = env("OIDC_ISSUER", default="")
OIDC_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", default="")
OIDC_USERNAME_CLAIM = env("OIDC_USERNAME_CLAIM", default="preferred_username")
OIDC_EMAIL_CLAIM = env("OIDC_EMAIL_CLAIM", default="email")
_oidc_missing = [name for name in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if not globals()[name]]
if 0 < len(_oidc_missing) < 3:
    raise ImproperlyConfigured(
        f"Single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: set {', '.join(_oidc_missing)}"
    )
# The code and the client secret travel to the provider: over TLS, except to this machine itself.
if OIDC_ISSUER and not OIDC_ISSUER.startswith("https://") and urlsplit(OIDC_ISSUER).hostname not in _LOOPBACK:
    raise ImproperlyConfigured(f"OIDC_ISSUER must be an https:// address, not {OIDC_ISSUER}")

# --- The open API (metrics/api/) ----------------------------------------------------------------
# Requests a token (or a signed-in person) may make, per minute; more are answered 429 with Retry-After.
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=60)
# The largest request body the API reads (bytes), and the most rows one request may carry.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=10 * 1024 * 1024)
API_MAX_ROWS = 10_000
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "metrics.api.auth.BearerTokenAuthentication",
        "metrics.api.auth.ReadOnlySessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["metrics.api.auth.ClientRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["metrics.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "metrics.api.problems.problem_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_METADATA_CLASS": None,  # OPTIONS describes nothing: the schema does
}
SPECTACULAR_SETTINGS = {
    "TITLE": "绩效方案管理 · Performance plans API",
    "DESCRIPTION": "Figures in, people in, results and cycles out. Send `Authorization: Bearer <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# --- Cycles schedule -----------------------------------------------------------------------------
# A month closes by itself this many days after its end when every figure is in; otherwise the
# managers with figures missing get a reminder each time the schedule runs (daily, by Celery beat).
CYCLE_AUTO_CLOSE_DAYS = env.int("CYCLE_AUTO_CLOSE_DAYS", default=7)
CELERY_BEAT_SCHEDULE = {
    "cycles-schedule": {"task": "metrics.schedule.cycles_schedule_task", "schedule": crontab(hour=7, minute=0)},
}

# --- Figures: deadline, reminders, email ---------------------------------------------------------
# A month's figures are due by the end of this day of the following month (local time).
FIGURES_DEADLINE_DAY = env.int("FIGURES_DEADLINE_DAY", default=5)
# Managers with figures missing are emailed each day from this many days before the deadline.
FIGURES_REMINDER_DAYS = env.int("FIGURES_REMINDER_DAYS", default=3)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="webmaster@localhost")
# Added to the schedule, never replacing it: other sections have their own entries.
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "figures-reminders": {
        "task": "metrics.tasks.figures_reminders_task",
        "schedule": crontab(hour=9, minute=0),  # CELERY_TIMEZONE: 9 in the morning, local time
    },
}

# --- Webhooks ------------------------------------------------------------------------------------
# Seconds a receiver has to answer; a failed delivery is tried again after WEBHOOK_RETRY_SECONDS,
# doubled at each attempt, up to WEBHOOK_MAX_ATTEMPTS attempts in all.
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_RETRY_SECONDS = env.int("WEBHOOK_RETRY_SECONDS", default=60)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
# Plain http:// hooks on this machine (127.0.0.1, localhost): for debugging and the tests only.
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=DEBUG)
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "webhooks-sweep": {"task": "metrics.webhooks.deliveries_sweep_task", "schedule": crontab(minute="*/5")},
}

# --- Logins: lockout of guessed passwords (django-axes) ----------------------------------------
# After this many wrong passwords for one user name from one address, that user name is refused
# from that address for LOGIN_LOCKOUT_MINUTES (other addresses may still try); a right password
# resets the count, and an admin can lift a lockout at once (/accounts/lockouts/).
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
# The proxies whose X-Forwarded-For names the client (people.logins.clients): by default the
# same addresses gunicorn trusts (FORWARDED_ALLOW_IPS, config/gunicorn.conf.py).
LOGIN_TRUSTED_PROXIES = env.list(
    "LOGIN_TRUSTED_PROXIES", default=env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1", "::1"])
)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the user name AND the address
AXES_RESET_ON_SUCCESS = True
# Attempts while locked are refused without counting: the lockout ends LOGIN_LOCKOUT_MINUTES
# after the failure that locked it, as the lockout page says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "people.logins.clients.client_address"
AXES_LOCKOUT_CALLABLE = "people.logins.views.lockout_page"
AXES_DISABLE_ACCESS_LOG = True  # the access audit (people.logins.audit) records every sign-in

"""Production: every secret from the environment, no defaults; HTTPS everywhere.

``python manage.py check --deploy --settings=config.settings.production`` is clean with only
``SECRET_KEY`` and ``ALLOWED_HOSTS`` set. The HTTPS settings default to the strict choice and
each can be relaxed from the environment where a deployment differs (see README, "Running in
production").
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, STATIC_ROOT, STORAGES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# Origins allowed to post forms when they differ from the host, e.g. https://perf.example.com
# behind a proxy that rewrites the Host header.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- HTTPS -------------------------------------------------------------------------------------
# The app runs behind a proxy (nginx, a load balancer) that ends TLS and says so in this header;
# a proxy that does not set it would loop on the SSL redirect: set SECURE_SSL_REDIRECT=false
# there, or better, make it set the header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Browsers remember HSTS for this long: start with a few minutes on a new domain, then a year.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Static files ------------------------------------------------------------------------------
# `collectstatic` writes hashed, compressed copies into STATIC_ROOT; whitenoise serves them with
# far-future cache headers. A template naming a file that was not collected fails loudly.
STATIC_ROOT = env.path("STATIC_ROOT", default=STATIC_ROOT)
WHITENOISE_AUTOREFRESH = False  # files are read once at start; a missing STATIC_ROOT is warned about
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}

# --- Database ----------------------------------------------------------------------------------
# Each gunicorn worker keeps its connection between requests instead of opening one per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

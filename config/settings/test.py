"""The test suite: the same database and broker settings as base, faster hashing."""

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, DATABASES, env

SECRET_KEY = env("SECRET_KEY", default="test-only-not-a-secret")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: tests that run a Celery worker in a thread share the database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 30}
# Tests have their own queue, so that they never meet a developer's worker or its messages.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="performance-tests")
CLOSE_WAIT_SECONDS = 60

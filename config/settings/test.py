"""The test suite: the same database and broker settings as base, faster hashing."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, DATABASES, env

SECRET_KEY = env("SECRET_KEY", default="test-only-not-a-secret")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: tests that run a Celery worker in a thread share the database. One
    # file per run, so that two runs on one machine never flush each other's data.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 30}
elif os.environ.get("MUTANT_UNDER_TEST"):
    # `make mutation-close`: mutmut runs each mutant's tests in a process forked from one that has
    # run them already, whose settings hold the test database's name: named here, it stays one
    # database (kept between mutants, --reuse-db) instead of gaining a "test_" each time.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}"}
# Tests have their own queue, so that they never meet a developer's worker or its messages.
if "CELERY_TASK_DEFAULT_QUEUE" not in os.environ:
    CELERY_TASK_DEFAULT_QUEUE = "performance-tests"
# Under pytest-xdist (`make test` runs two processes) each process has a test database of its own
# (pytest-django adds the worker's name, gw0, gw1, to it) and so a queue of its own: a worker
# thread of one process must never take a task whose rows are in the other's database.
if os.environ.get("PYTEST_XDIST_WORKER"):
    CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-{os.environ['PYTEST_XDIST_WORKER']}"
CLOSE_WAIT_SECONDS = 60
# The tests' receivers listen on the loopback, over plain http.
WEBHOOK_ALLOW_LOOPBACK = True

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("performance")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The tasks live in the rooms (metrics.results.tasks, people.logins.tasks), not in an app's top-level tasks.py.
app.autodiscover_tasks(["metrics.results", "people.logins"])

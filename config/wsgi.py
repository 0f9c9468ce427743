import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = get_wsgi_application()
# Every view's module imported now rather than by each web worker's first request, which took
# 0.75 s longer (bench_load's slowest first views); with gunicorn's preload_app, once, before the
# workers fork, and shared by them.
get_resolver().url_patterns  # noqa: B018

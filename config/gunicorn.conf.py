"""gunicorn's settings for `web` in the Procfile: `gunicorn config.wsgi -c config/gunicorn.conf.py`.

Each can be changed from the environment; gunicorn's own command-line flags win over this file.
"""

import multiprocessing
import os

from gunicorn.http import wsgi

# honcho and most platforms give the port in PORT.
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Sync workers: the pages are short database reads and writes, so a process per core and one
# more keeps the CPUs busy while a worker waits on PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# The application (Django, every view's module: config/wsgi.py) is loaded once in the master and
# the workers fork from it: none pays the imports at its first request, and they share the pages
# of memory those take. Nothing connects to a database or broker at import.
preload_app = True
graceful_timeout = 30
# A worker is replaced after this many requests (spread out so that they do not all restart at
# once), which bounds whatever memory a long-lived process might accumulate.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# The proxy in front that ends TLS; its X-Forwarded-* headers are trusted from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# "-" is standard output; set it empty for no access log.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


class ResponseWithoutServer(wsgi.Response):  # type: ignore[misc]  # gunicorn is untyped
    """gunicorn's response less its ``Server: gunicorn`` header, which tells a scanner what to try.

    gunicorn has no setting for it: a response's first lines come from ``default_headers``, and
    ``wsgi.create`` builds every response of the sync and gthread workers from the module's
    ``Response``, replaced below before the workers fork. (Its own error pages, for a malformed
    request, never had the header.) Defined here, not in a module of the project, because the
    ``gunicorn`` command reads this file before the project is on the import path.
    """

    def default_headers(self) -> list[str]:
        headers: list[str] = super().default_headers()
        return [line for line in headers if not line.lower().startswith("server:")]


wsgi.Response = ResponseWithoutServer

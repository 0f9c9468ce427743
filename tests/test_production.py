"""The production shape: check --deploy, static files, the Procfile, gunicorn."""

import importlib.util
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings as django_settings
from django.core.management import call_command
from pytest_django import Settings

ROOT = Path(__file__).resolve().parent.parent
SECRET = "a-production-secret-for-the-test-only-4c9e1f7b2d8a6e3c5b0f9d7a1e4c8b2f"


def production(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``manage.py`` with the production settings and only the given deployment variables."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (Playwright in the same process), never a deployment's.
    deployment = ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "STATIC_ROOT", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in deployment and not k.startswith(("SECURE_", "CSRF_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args, "--settings=config.settings.production"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**clean, "SECRET_KEY": SECRET, "ALLOWED_HOSTS": "perf.example.com", **env},
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_secret_and_hosts_from_the_environment() -> None:
    result = production("check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_a_deployment_without_tls_in_front_can_turn_the_ssl_redirect_off_and_check_says_so() -> None:
    result = production("check", "--deploy", SECURE_SSL_REDIRECT="false")
    assert "security.W008" in result.stdout + result.stderr


def test_production_serves_compressed_hashed_static_files() -> None:
    result = production("shell", "-c", "from django.conf import settings; print(settings.STORAGES['staticfiles'])")
    assert "whitenoise.storage.CompressedManifestStaticFilesStorage" in result.stdout, result.stderr


def test_whitenoise_comes_right_after_the_security_middleware() -> None:
    middleware = django_settings.MIDDLEWARE
    assert middleware[middleware.index("django.middleware.security.SecurityMiddleware") + 1] == (
        "whitenoise.middleware.WhiteNoiseMiddleware"
    )


def test_collectstatic_hashes_every_file_the_templates_name_including_bootstrap_and_chart_js(
    tmp_path: Path, settings: Settings
) -> None:
    # The manifest step is what fails on a missing or badly referenced file; whitenoise's
    # compression (a minute of CPU) adds nothing that can fail, so the test leaves it out.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    named = {
        match
        for template in (ROOT / "templates").rglob("*.html")
        for match in re.findall(r"{%\s*static\s+['\"]([^'\"]+)['\"]", template.read_text(encoding="utf-8"))
    }
    assert "vendor/bootstrap/css/bootstrap.min.css" in named
    assert "vendor/chart.js/chart.umd.min.js" in named
    assert sorted(named - set(manifest)) == []
    assert (tmp_path / manifest["vendor/bootstrap/css/bootstrap.min.css"]).exists()


def procfile() -> dict[str, list[str]]:
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _colon, command = line.partition(":")
            processes[name.strip()] = shlex.split(command)
    return processes


def test_the_procfile_runs_the_web_server_a_worker_and_the_scheduler() -> None:
    processes = procfile()
    assert set(processes) == {"web", "worker", "beat"}
    web = processes["web"]
    assert web[0] == "gunicorn"
    assert importlib.util.find_spec("gunicorn") is not None
    assert "config.wsgi" in web and importlib.util.find_spec("config.wsgi") is not None
    assert (ROOT / web[web.index("--config") + 1]).is_file()
    for name, subcommand in (("worker", "worker"), ("beat", "beat")):
        command = processes[name]
        assert command[:3] == ["celery", "-A", "config"] and command[3] == subcommand
        assert importlib.util.find_spec("config.celery_app") is not None
    assert importlib.util.find_spec("celery") is not None


def test_honcho_accepts_the_procfile() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "honcho"), "check"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "web, worker, beat" in result.stdout + result.stderr


def test_gunicorn_with_the_procfile_config_serves_the_login_page() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_ACCESS_LOG": "",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10) as response:
                    assert response.status == 200
                    assert b'name="password"' in response.read()
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)

"""Settings come from the environment; production insists on its secrets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_check(settings: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", f"--settings={settings}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = django_check("config.settings.production", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_its_settings_from_the_environment() -> None:
    result = django_check("config.settings.production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr


def test_without_a_broker_tasks_run_in_process() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from config.celery_app import app; print(app.conf.task_always_eager)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"},
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
        },
        timeout=60,
    )
    assert result.stdout.strip() == "True", result.stderr

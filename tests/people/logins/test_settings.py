"""The logins' settings come from the environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent.parent
NAMES = ("SESSION_COOKIE_AGE", "INVITATION_DAYS", "SITE_URL")


def read(**env: str) -> list[str]:
    code = "from django.conf import settings; print(" + ", ".join(f"settings.{name}" for name in NAMES) + ")"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if k not in NAMES},
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            **env,
        },
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_sessions_and_invitations_are_configured_from_the_environment() -> None:
    assert read() == ["28800", "7", "http://127.0.0.1:8000"]
    assert read(SESSION_COOKIE_AGE="3600", INVITATION_DAYS="3", SITE_URL="https://perf.example.com") == [
        "3600",
        "3",
        "https://perf.example.com",
    ]

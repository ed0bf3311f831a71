"""Production mode is checked in a fresh interpreter, as a server would start."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
REAL_KEY = "k7#Qw9!zR2@vL5$mN8^pX3&bT6*yH1(cJ4)fG0-sD7+aE2=uW9_iO5~lK8"


# What a server's environment never holds: the browser tests set
# DJANGO_ALLOW_ASYNC_UNSAFE in this process; the test settings set DEBUG=1 and
# name themselves in DJANGO_SETTINGS_MODULE.
NOT_ON_A_SERVER = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "DJANGO_SETTINGS_MODULE"}


def run_manage(*args, **env):
    inherited = {k: v for k, v in os.environ.items() if k not in NOT_ON_A_SERVER}
    environment = {**inherited, **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = run_manage("check", DEBUG="0", SECRET_KEY="")

    assert result.returncode != 0
    assert "needs a real SECRET_KEY" in result.stderr


def test_without_debug_in_the_environment_it_is_production_mode():
    # Fail closed: nothing set means production, which wants a real key.
    refused = run_manage("check", SECRET_KEY="")
    production = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.HTTPS)",
        SECRET_KEY=REAL_KEY,
    )

    assert refused.returncode != 0
    assert "needs a real SECRET_KEY" in refused.stderr
    assert "set DEBUG=1" in refused.stderr
    assert production.returncode == 0, production.stderr
    assert production.stdout.splitlines()[-1].split() == ["False", "True"]


def test_debug_1_is_development_mode():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        DEBUG="1",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True"]


def test_the_test_suite_runs_in_development_mode(settings):
    # pytest-django turns DEBUG off while tests run; the module-level choices
    # made from it at import (static files, HTTPS) are the development ones.
    assert os.environ["DEBUG"] == "1"
    assert settings.WHITENOISE_USE_FINDERS is True
    assert settings.HTTPS is False


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=REAL_KEY,
        ALLOWED_HOSTS="baiteng.example.org",
        HTTPS="1",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout

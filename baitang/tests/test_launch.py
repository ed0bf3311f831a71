"""`make run` end to end (less the virtualenv): embedded PostgreSQL, filesystem
broker, migrations, demo data, web + worker + beat, and Ctrl-C stops it all."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psutil
import pytest

from baitang import launch

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str):
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, None


def processes_using(path: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if str(path) in " ".join(process.info["cmdline"] or []):
            found.append(process)
    return found


@pytest.fixture
def var_dir():
    # Under the project, not /tmp: the embedded server's own system user must be
    # able to reach its data folder.
    path = BASE_DIR / "var" / f"test-launch-{uuid.uuid4().hex[:8]}"
    yield path
    for process in processes_using(path):
        process.kill()
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.slow
def test_run_command_serves_the_platform_and_ctrl_c_stops_everything(var_dir):
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        # DEBUG and the test settings removed too: the launcher sets DEBUG=1
        # itself (the demo seed runs only then).
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "DEBUG",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    environment.update(VAR_DIR=str(var_dir), RUN_ADDRESS=f"127.0.0.1:{port}")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "baitang.launch"],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        status, health = None, None
        while time.monotonic() < deadline and launcher.poll() is None:
            status, health = get_json(f"http://127.0.0.1:{port}/healthz")
            if status == 200:
                break
            time.sleep(1)

        assert status == 200, launcher.stdout.read() if launcher.poll() else status
        assert health == {"status": "ok", "database": "up", "broker": "up"}
        assert (var_dir / "pgdata" / "PG_VERSION").exists()
        assert (var_dir / "celery" / "queue").is_dir()
        assert not (BASE_DIR / "control").exists()  # kombu kept to var/
        assert processes_using(var_dir / "pgdata"), "embedded PostgreSQL not running"

        launcher.send_signal(signal.SIGINT)
        output, _ = launcher.communicate(timeout=60)
    finally:
        if launcher.poll() is None:
            launcher.kill()

    assert launcher.returncode == 0, output
    assert "demo_street" in output
    time.sleep(1)
    assert processes_using(var_dir) == []


def test_the_launcher_runs_everything_in_development_mode(monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)

    launch.development_environment()

    assert os.environ["DEBUG"] == "1"


def test_the_launcher_keeps_a_debug_the_caller_set(monkeypatch):
    monkeypatch.setenv("DEBUG", "0")

    launch.development_environment()

    assert os.environ["DEBUG"] == "0"

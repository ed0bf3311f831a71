"""Photos under the README's production setup: DEBUG=0, gunicorn, collected
static files. A fresh server process reads the committed test data."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from baitang.roles import SYSTEM
from communities.photos import photo_create
from communities.tests.factories import EstateFactory
from communities.tests.image_samples import encode, picture, upload

BASE_DIR = Path(__file__).resolve().parents[2]
REAL_KEY = "k7#Qw9!zR2@vL5$mN8^pX3&bT6*yH1(cJ4)fG0-sD7+aE2=uW9_iO5~lK8"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def production_server(settings, tmp_path, transactional_db):
    """gunicorn under DEBUG=0 on a free port, sharing MEDIA_ROOT and the test
    database; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | {
        "DEBUG": "0",
        "SECRET_KEY": REAL_KEY,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "STATIC_ROOT": str(tmp_path / "static"),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "baitang.wsgi",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=15)


def fetch(url: str, session_key: str | None = None):
    """GET as a browser behind the HTTPS proxy would; (status, headers, body)."""
    headers = {"X-Forwarded-Proto": "https"}
    if session_key:
        headers["Cookie"] = f"{django_settings.SESSION_COOKIE_NAME}={session_key}"
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def session_of(user) -> str:
    client = Client()  # one per user: a second login would end the first session
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def test_photos_under_debug_0_and_gunicorn(
    production_server,
    settings,
    community,
    street_user,
    community_user,
    other_community_user,
):
    # Sessions signed with the server's key.
    settings.SECRET_KEY = REAL_KEY
    estate = EstateFactory(community=community)
    photo = photo_create(
        estate=estate,
        image_file=upload(encode(picture((640, 480)), "JPEG"), "a.jpg"),
        actor=SYSTEM,
    )
    own = session_of(community_user)
    street = session_of(street_user)
    other = session_of(other_community_user)

    for file in (photo.image, photo.thumbnail_small, photo.thumbnail_large):
        url = production_server + file.url
        with file.open("rb") as stored:
            expected = stored.read()

        for session in (own, street):
            status, headers, body = fetch(url, session)
            assert status == 200, file.name
            assert body == expected
            assert headers["Content-Type"] == "image/jpeg"
            assert "private" in headers["Cache-Control"]

        status, _headers, body = fetch(url, other)
        assert status == 404  # another community's photo
        assert body != expected
        status, _headers, body = fetch(url)
        assert status == 404  # anonymous
        assert body != expected

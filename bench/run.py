"""Throughput, queries and bytes of the platform's pages against a bare Django view.

    python bench/run.py [--households 4000000] [--duration 10] [--reload]

Uses its own database (baitang_bench on the local server), production settings
(DEBUG=0, collected static files, gunicorn) and wrk from Debian as the client.
The bar (DEVELOPERS.md): pages at >= 40% of the hello view's requests per second,
<= 10 queries, <= 60 KB for resident pages.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/baitang_bench"
)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database() -> None:
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    admin.close()


def wrk(url: str, cookie: str, duration: int) -> float:
    url = quote(url, safe=":/?&=%-")
    output = subprocess.run(
        ["wrk", "-t1", "-c8", f"-d{duration}s", "-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise SystemExit(f"{url}: {non_2xx.group(1)} failed responses\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def lighthouse(url: str, cookie: str) -> str:
    """Mobile Lighthouse performance and accessibility scores, as "perf/a11y"."""
    report = BASE_DIR / "var" / "lighthouse.json"
    subprocess.run(
        [
            "npx",
            "--yes",
            "lighthouse@12",
            url,
            "--quiet",
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={report}",
            f'--extra-headers={{"Cookie": "{cookie}"}}',
            "--chrome-flags=--headless --no-sandbox --disable-gpu"
            " --disable-background-networking --disable-component-update"
            " --disable-sync",
        ],
        env={**os.environ, "CHROME_PATH": shutil.which("chromium") or ""},
        capture_output=True,
        check=True,
    )
    categories = json.loads(report.read_text())["categories"]
    return "/".join(
        f"{round(100 * categories[name]['score'])}"
        for name in ("performance", "accessibility")
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=4_000_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument(
        "--lighthouse",
        action="store_true",
        help="also score each page with Lighthouse (npx lighthouse, Debian chromium)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from baitang.models import User
    from bench.load_scale import load
    from communities.models import Estate, Household

    call_command("migrate", verbosity=0)
    if args.reload or Household.objects.count() != args.households:
        started = time.monotonic()
        print(f"loading {args.households:,} households…", flush=True)
        load(args.households)
        print(f"loaded in {time.monotonic() - started:.0f} s", flush=True)
    call_command("collectstatic", "--noinput", verbosity=0)

    user, _ = User.objects.get_or_create(
        username="bench_street", defaults={"role": User.Role.STREET, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    estate = Estate.objects.order_by("id").first()
    pages = [
        ("hello (bare Django)", "/bench/hello", False),
        ("home (resident)", "/", False),
        ("estate overview", "/estates/", True),
        (
            "estate overview, filtered",
            "/estates/?q=Bench小区12&sort=-elderly_share",
            True,
        ),
        ("estate profile", f"/estates/{estate.pk}/", True),
    ]

    measured = []
    for label, path, logged_in in pages:
        browser = client if logged_in else Client()
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        body = b"".join(response) if response.streaming else response.content
        measured.append((label, path, len(queries), len(body)))
    connection.close()

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "baitang.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        start_new_session=True,
    )
    try:
        time.sleep(3)
        base = f"http://127.0.0.1:{port}"
        results = []
        for label, path, queries, size in measured:
            rps = wrk(base + path, cookie, args.duration)
            scores = lighthouse(base + path, cookie) if args.lighthouse else ""
            results.append((label, path, queries, size, rps, scores))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()

    hello_rps = results[0][4]
    households = Household.objects.count()
    print(
        f"\n{households:,} households; wrk -t1 -c8 -d{args.duration}s;"
        " gunicorn, 2 sync workers"
    )
    print(
        f"{'page':<28}{'req/s':>9}{'% hello':>9}{'queries':>9}{'KB':>8}"
        f"{'  Lighthouse perf/a11y' if args.lighthouse else ''}"
    )
    for label, _path, queries, size, rps, scores in results:
        print(
            f"{label:<28}{rps:>9.0f}{100 * rps / hello_rps:>8.1f}%"
            f"{queries:>9}{size / 1024:>8.1f}  {scores}"
        )


if __name__ == "__main__":
    main()

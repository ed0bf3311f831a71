"""Throughput, queries and bytes of the platform's pages against a bare Django view,
and the latency of every API list at 10 clients.

    python bench/run.py [--households 4000000] [--duration 10] [--reload]
                        [--only pages|api]

Uses its own database (baitang_bench on the local server), production settings
(DEBUG=0, collected static files, gunicorn) and wrk from Debian as the client.
The bars: pages at >= 40% of the hello view's requests per second, <= 10 queries,
<= 60 KB for resident pages; every API list within 150 ms at p95 at 10 clients.
"""

import argparse
import base64
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


def wrk(url: str, cookie: str, duration: int, script: Path | None = None) -> float:
    """Requests per second at 8 connections; a resident page is asked for without
    a cookie, as a phone opening its link for the first time does."""
    url = quote(url, safe=":/?&=%-")
    command = ["wrk", "-t1", "-c8", f"-d{duration}s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise SystemExit(f"{url}: {non_2xx.group(1)} failed responses\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


API_CLIENTS = 10


def wrk_latency(url: str, token: str, duration: int) -> tuple[float, float, float]:
    """Requests per second, p50 and p95 in milliseconds at API_CLIENTS clients,
    authenticated as integrations are, with a token."""
    url = quote(url, safe=":/?&=%-")
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{API_CLIENTS}",
            f"-d{duration}s",
            "-s",
            str(BASE_DIR / "bench" / "latency.lua"),
            "-H",
            f"Authorization: Token {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    failed = int(re.search(r"STATUS_ERRORS (\d+)", output).group(1))
    if failed or "Non-2xx" in output:
        raise SystemExit(f"{url}: failed responses\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50, p95 = (
        int(re.search(rf"P{n} (\d+)", output).group(1)) / 1000 for n in (50, 95)
    )
    return rps, p50, p95


def cursor_at(position: int, reverse: bool = False) -> str:
    """A cursor (rest_framework CursorPagination's encoding) pointing into the
    middle of a list, as a client paging through it would hold."""
    tokens = f"p={position}" + ("&r=1" if reverse else "")
    return base64.b64encode(tokens.encode()).decode()


def api_lists(estate, last_estate, community, sizes) -> list[tuple[str, str, str]]:
    """(label, path, login) of every API list: first pages, deep pages, the
    filters staff and integrations use, and a community worker's scope."""
    api = "/api/v1"
    middle = {name: max(1, count // 2) for name, count in sizes.items()}
    # Page 100 (rows 4,951-5,000) where the list is that long.
    deep = min(100, max(1, sizes["estates"] // 50))
    return [
        ("communities", f"{api}/communities/", "street"),
        ("estates", f"{api}/estates/", "street"),
        (f"estates ?page={deep}", f"{api}/estates/?page={deep}", "street"),
        ("estates ?community=", f"{api}/estates/?community={community.pk}", "street"),
        ("estates, community staff", f"{api}/estates/", "community"),
        ("buildings", f"{api}/buildings/", "street"),
        (f"buildings ?page={deep}", f"{api}/buildings/?page={deep}", "street"),
        ("buildings ?estate=", f"{api}/buildings/?estate={last_estate.pk}", "street"),
        ("households", f"{api}/households/", "street"),
        (
            "households, middle cursor",
            f"{api}/households/?cursor={cursor_at(middle['households'])}",
            "street",
        ),
        ("households ?estate=1st", f"{api}/households/?estate={estate.pk}", "street"),
        (
            "households ?estate=last",
            f"{api}/households/?estate={last_estate.pk}",
            "street",
        ),
        ("households ?occupancy=", f"{api}/households/?occupancy=vacant", "street"),
        ("households, community staff", f"{api}/households/", "community"),
        ("owners", f"{api}/owners/", "street"),
        (
            "owners, middle cursor",
            f"{api}/owners/?cursor={cursor_at(middle['owners'])}",
            "street",
        ),
        ("owners, community staff", f"{api}/owners/", "community"),
        ("problem categories", f"{api}/problem-categories/", "street"),
        ("problems", f"{api}/problems/", "street"),
        (
            "problems, middle cursor",
            f"{api}/problems/?cursor={cursor_at(middle['problems'], reverse=True)}",
            "street",
        ),
        ("problems ?status=open", f"{api}/problems/?status=open", "street"),
        (
            "problems ?community=",
            f"{api}/problems/?community={community.pk}",
            "street",
        ),
        ("problems, community staff", f"{api}/problems/", "community"),
        ("photos", f"{api}/photos/", "street"),
        ("photos ?estate=", f"{api}/photos/?estate={last_estate.pk}", "street"),
        ("needs", f"{api}/needs/", "street"),
        ("needs ?estate=", f"{api}/needs/?estate={last_estate.pk}", "street"),
        ("governance bodies", f"{api}/governance-bodies/", "street"),
        (
            "governance bodies ?estate=",
            f"{api}/governance-bodies/?estate={last_estate.pk}",
            "street",
        ),
    ]


def lighthouse(url: str, cookie: str) -> str:
    """Mobile Lighthouse performance and accessibility scores, as "perf/a11y"."""
    report = BASE_DIR / "var" / "lighthouse.json"
    for _attempt in range(3):  # its trace recording fails now and then
        finished = _run_lighthouse(url, cookie, report)
        if not finished.returncode:
            break
    if finished.returncode:
        raise SystemExit(f"lighthouse {url}:\n{finished.stderr[-2000:]}")
    categories = json.loads(report.read_text())["categories"]
    return "/".join(
        f"{round(100 * categories[name]['score'])}"
        for name in ("performance", "accessibility")
    )


def _run_lighthouse(url: str, cookie: str, report: Path):
    return subprocess.run(
        [
            "npx",
            "--yes",
            "lighthouse@12",
            url,
            "--quiet",
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={report}",
            *([f'--extra-headers={{"Cookie": "{cookie}"}}'] if cookie else []),
            "--chrome-flags=--headless --no-sandbox --disable-gpu"
            " --disable-background-networking --disable-component-update"
            " --disable-sync",
        ],
        env={**os.environ, "CHROME_PATH": shutil.which("chromium") or ""},
        capture_output=True,
        text=True,
    )


SUBMISSIONS = 2_000


def survey_targets(estate) -> tuple[str, list[tuple[str, str]]]:
    """The survey page of a household that has answered, and (path, form body)
    of SUBMISSIONS households spread over the province, each with answers that
    pass every check, as a phone would post them."""
    from urllib.parse import urlencode

    from communities.models import Household
    from surveys.models import AccessCode, Campaign
    from surveys.structure import campaign_structure

    def page(household_id: int, campaign_id: int) -> str:
        code = AccessCode.objects.get(household_id=household_id, is_active=True).code
        return f"/s/{code}/c/{campaign_id}/"

    campaign = Campaign.objects.get(estate=estate)
    answered = (
        Household.objects.filter(survey_responses__campaign=campaign)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    last = Household.objects.order_by("-id").values_list("id", flat=True)[0]
    step = max(1, last // SUBMISSIONS)
    chosen = Household.objects.filter(id__in=range(1, last + 1, step)).values_list(
        "id", "building__estate_id"
    )
    campaigns = dict(
        Campaign.objects.filter(
            estate_id__in={estate_id for _id, estate_id in chosen}
        ).values_list("estate_id", "id")
    )
    structures = {}
    submissions = []
    for household_id, estate_id in chosen:
        campaign_id = campaigns[estate_id]
        if campaign_id not in structures:
            structures[campaign_id] = campaign_structure(
                Campaign.objects.get(pk=campaign_id)
            )
        fields = {}
        for question in structures[campaign_id].questions:
            if question.kind == "menu_rank":
                for place, item in enumerate(question.items[:3], start=1):
                    fields[f"q{question.id}_i{item.id}"] = str(place)
            elif question.kind == "single":
                fields[f"q{question.id}"] = str(question.options[0].id)
            elif question.kind == "rating":
                fields[f"q{question.id}"] = str(1 + household_id % 5)
            elif question.kind == "text":
                fields[f"q{question.id}"] = "希望尽快加装电梯"
        submissions.append((page(household_id, campaign_id), urlencode(fields)))
    return page(answered, campaign.pk), submissions


def write_post_script(submissions: list[tuple[str, str]]) -> Path:
    """A wrk script posting the submissions in turn (one household after another,
    so no two requests queue on one household's row)."""
    data = BASE_DIR / "var" / "bench_submissions.tsv"
    data.parent.mkdir(exist_ok=True)
    data.write_text("".join(f"{path}\t{body}\n" for path, body in submissions))
    script = BASE_DIR / "var" / "bench_post.lua"
    script.write_text(
        f"""
local requests = {{}}
for line in io.lines("{data}") do
  local path, body = line:match("([^\t]+)\t(.*)")
  table.insert(requests, wrk.format("POST", path,
    {{["Content-Type"] = "application/x-www-form-urlencoded"}}, body))
end
local next_request = math.random(#requests)
request = function()
  next_request = next_request % #requests + 1
  return requests[next_request]
end
"""
    )
    return script


def submission_queries(browser, submission: tuple[str, str]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path, body = submission
    with CaptureQueriesContext(connection) as queries:
        response = browser.post(
            path, body, content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 302, (path, response.status_code)
    return len(queries)


def page_weight(browser, path: str) -> dict[str, int]:
    """What a phone downloads for a page, compressed: the HTML and the CSS and
    JavaScript it links (images apart)."""
    import gzip

    html = browser.get(path).content
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    total = 0
    for asset in set(assets):
        response = browser.get(asset.decode())
        body = b"".join(response) if response.streaming else response.content
        total += len(gzip.compress(body))
    return {"html": len(gzip.compress(html)), "assets": total}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=4_000_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--only", choices=["pages", "api"])
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
    from rest_framework.authtoken.models import Token

    from baitang.models import User
    from bench.load_scale import load
    from bench.load_surveys import load_surveys
    from communities.models import Estate, Household, Owner, Photo, Problem
    from surveys.models import Answer

    call_command("migrate", verbosity=0)
    households = Household.objects.count()
    register_stale = (
        args.reload or households != args.households or not Photo.objects.exists()
    )
    if register_stale or not Answer.objects.exists():
        started = time.monotonic()
        if register_stale:
            print(f"loading {args.households:,} households…", flush=True)
            load(args.households)
        print("loading campaigns, codes and answers…", flush=True)
        load_surveys()
        # Outside the load's transaction: the visibility map for index-only
        # scans, so no autovacuum runs under the measurement.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"loaded in {time.monotonic() - started:.0f} s", flush=True)
    call_command("collectstatic", "--noinput", verbosity=0)

    user, _ = User.objects.get_or_create(
        username="bench_street", defaults={"role": User.Role.STREET, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    estate = Estate.objects.order_by("id").first()
    last_estate = Estate.objects.order_by("id").last()
    worker, _ = User.objects.get_or_create(
        username="bench_community", defaults={"role": User.Role.COMMUNITY}
    )
    worker.communities.set([estate.community])
    tokens = {
        login: Token.objects.get_or_create(user=api_user)[0].key
        for login, api_user in (("street", user), ("community", worker))
    }
    sizes = {
        "estates": Estate.objects.count(),
        "households": Household.objects.order_by("-id").values_list("id", flat=True)[0],
        "owners": Owner.objects.order_by("-id").values_list("id", flat=True)[0],
        "problems": Problem.objects.order_by("-id").values_list("id", flat=True)[0],
    }
    apis = api_lists(estate, last_estate, estate.community, sizes)
    survey_page, submissions = survey_targets(estate)
    pages = [
        ("hello (bare Django)", "/bench/hello", False),
        ("home (resident)", "/", False),
        ("survey page (resident)", survey_page, False),
        ("estate overview", "/estates/", True),
        (
            "estate overview, filtered",
            "/estates/?q=Bench小区12&sort=-elderly_share",
            True,
        ),
        ("estate profile", f"/estates/{estate.pk}/", True),
    ]

    if args.only == "api":
        pages = pages[:1]
    if args.only == "pages":
        apis = []

    def measure(browser, path):
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        body = b"".join(response) if response.streaming else response.content
        return len(queries), len(body)

    measured = []
    for label, path, logged_in in pages:
        measured.append(
            (label, path, logged_in, *measure(client if logged_in else Client(), path))
        )
    weight = page_weight(Client(), survey_page)
    post_queries = submission_queries(Client(), submissions[0])
    post_script = write_post_script(submissions)
    measured_apis = []
    for label, path, login in apis:
        api_client = Client(headers={"Authorization": f"Token {tokens[login]}"})
        queries, size = measure(api_client, path)
        measured_apis.append((label, path, tokens[login], queries, size))
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
        for label, path, logged_in, queries, size in measured:
            page_cookie = cookie if logged_in else ""
            rps = wrk(base + path, page_cookie, args.duration)
            scores = lighthouse(base + path, page_cookie) if args.lighthouse else ""
            results.append((label, path, queries, size, rps, scores))
        if args.only != "api":
            post_rps = wrk(base + "/", "", args.duration, script=post_script)
            results.append(
                ("survey submission (POST)", "", post_queries, 0, post_rps, "")
            )
        api_results = []
        for label, path, token, queries, size in measured_apis:
            rps, p50, p95 = wrk_latency(base + path, token, args.duration)
            api_results.append((label, queries, size, rps, p50, p95))
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
    if args.only != "api":
        print(
            f"survey page transferred (gzip): HTML {weight['html'] / 1024:.1f} KB"
            f" + CSS/JS {weight['assets'] / 1024:.1f} KB"
            f" = {(weight['html'] + weight['assets']) / 1024:.1f} KB"
        )
    if api_results:
        print(f"\nAPI lists: wrk -t1 -c{API_CLIENTS} -d{args.duration}s")
        print(
            f"{'list':<30}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'queries':>9}{'KB':>7}"
        )
        for label, queries, size, rps, p50, p95 in api_results:
            print(
                f"{label:<30}{rps:>8.0f}{p50:>8.1f}{p95:>8.1f}{queries:>9}"
                f"{size / 1024:>7.1f}{'  > 150 ms' if p95 > 150 else ''}"
            )


if __name__ == "__main__":
    main()

"""Many simultaneous submissions for one household and campaign, against a live
server on PostgreSQL: one response, every version kept, no gaps, no 500s."""

import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from surveys.models import Answer, Response, ResponseVersion
from surveys.tests.resident_data import full_campaign, rank_fields

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PARALLEL = 20


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # report the 302 itself


def test_parallel_submissions_leave_one_response_with_every_version(
    live_server, community
):
    setup = full_campaign(community, kinds=["rank", "wants", "why", "rating"])
    url = f"{live_server.url}{setup.url}"
    opener = urllib.request.build_opener(NoRedirect)
    start = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(index: int) -> None:
        fields = rank_fields(setup, 1 + index % 3, 0, 0, 0)
        fields[f"q{setup.q('wants')}"] = str(setup.options["wants"][0])
        fields[f"q{setup.q('why')}"] = f"第{index}次提交"
        fields[f"q{setup.q('rating')}"] = str(1 + index % 5)
        body = urllib.parse.urlencode(fields).encode()
        start.wait(timeout=30)
        try:
            status = opener.open(url, data=body, timeout=60).status
        except urllib.error.HTTPError as error:
            status = error.code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [302] * PARALLEL
    response = Response.objects.get()
    assert response.version == PARALLEL
    versions = ResponseVersion.objects.filter(response=response)
    assert sorted(versions.values_list("version", flat=True)) == list(
        range(1, PARALLEL + 1)
    )
    # The answers are exactly those of the last version saved.
    last = versions.get(version=PARALLEL).answers
    stored = Answer.objects.filter(response=response)
    assert stored.count() == len(last)
    assert stored.get(question_id=setup.q("why")).text in {
        entry.get("text") for entry in last
    }

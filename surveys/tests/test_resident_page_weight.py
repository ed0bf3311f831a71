"""What a phone downloads for a campaign page: HTML, CSS and JavaScript at most
60 KB compressed, with a long menu; no images but inline SVG, no web fonts."""

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings

from surveys.models import Question
from surveys.tests.factories import QuestionFactory
from surveys.tests.resident_data import _items, full_campaign

pytestmark = pytest.mark.django_db

LIMIT = 60 * 1024


def static_file(url: str) -> bytes:
    relative = url.removeprefix(settings.STATIC_URL)
    for folder in settings.STATICFILES_DIRS:
        path = Path(folder) / relative
        if path.exists():
            return path.read_bytes()
    raise AssertionError(f"{url} is not one of our static files")


def test_a_campaign_page_with_a_long_menu_stays_under_60_kb(client, community):
    setup = full_campaign(community)
    long_menu = QuestionFactory(
        campaign=setup.campaign, position=50, kind=Question.Kind.MENU_RANK
    )
    _items(long_menu, [f"改造项目{n}" for n in range(20)])

    page = client.get(setup.url).content
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page)
    sizes = {"page": len(gzip.compress(page))}
    for url in assets:
        content = static_file(url.decode())
        sizes[url.decode()] = len(gzip.compress(content))
        assert b"@font-face" not in content
        assert b"url(" not in content  # no images or fonts from CSS

    assert {"/static/css/resident.css", "/static/js/resident.js"} <= set(sizes)
    assert sum(sizes.values()) <= LIMIT, sizes
    assert b"<img" not in page

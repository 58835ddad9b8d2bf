"""The main pages work under the Content-Security-Policy: Chromium reports no violation on any of them.

The pages are found by crawling from the home page (main navigation and the links on each page,
same origin, GET only), so pages other features add are covered without listing them here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urldefrag, urlparse

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

SKIP = re.compile(
    r"^/(api/|static/|signout|admin/audit|me/data\.json)|\.(csv|ics|json|svg|png|dot)$|/export/"
)
CHART_PAGES = ("/me/calibration/",)  # pages whose charts must be drawn


@pytest.fixture
def demo_organisation(db):
    from practica.demo.generator import generate_organisation

    generate_organisation(people=50, seed=1)


@contextmanager
def demo_page(browser, live_server, username: str) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/signin/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("practica-demo")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/$"))
        yield page
    finally:
        context.close()


def crawl(page, start: str = "/", limit: int = 30) -> Iterator[str]:
    """Visit same-origin pages breadth first from ``start``, one per path pattern (ids replaced)."""
    seen_patterns: set[str] = set()
    queue = [start, *CHART_PAGES]
    visited = 0
    while queue and visited < limit:
        path = queue.pop(0)
        pattern = re.sub(r"/\d+/", "/N/", path)
        if pattern in seen_patterns:
            continue
        seen_patterns.add(pattern)
        response = page.goto(path)
        if response is None or response.status >= 400:
            continue
        visited += 1
        yield path
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urldefrag(href)[0]
            parsed = urlparse(target)
            if parsed.scheme or parsed.netloc or not parsed.path.startswith("/"):
                continue
            if SKIP.search(parsed.path) or parsed.query:
                continue
            queue.append(parsed.path)


def test_main_pages_have_no_csp_violations(browser, live_server, demo_organisation):
    violations: list[str] = []
    with demo_page(browser, live_server, "demo-steward") as page:
        page.on(
            "console",
            lambda message: (
                violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
                else None
            ),
        )
        visited = list(crawl(page))
        page.goto("/me/calibration/")
        charts = page.locator("[data-vega-spec] svg")
        if page.locator("[data-vega-spec]").count():
            charts.first.wait_for()
            assert page.locator("[data-vega-failed]").count() == 0
        screenshot(page, "csp-calibration")
    assert len(visited) >= 12, visited
    assert violations == []

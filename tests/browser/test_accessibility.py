"""axe-core (vendored, practica/vendor/axe.min.js) finds no serious or critical violation on the main
pages, found by crawling from the home page as a steward (who sees the most pages)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_csp import crawl, demo_page

pytestmark = pytest.mark.django_db(transaction=True)

AXE = "/static/practica/vendor/axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.impact} ${v.id}: ${v.help} — ` +
      v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""


@pytest.fixture
def demo_organisation(db):
    from practica.demo.generator import generate_organisation

    generate_organisation(people=50, seed=1)


def test_main_pages_pass_axe(browser, live_server, demo_organisation):
    problems: list[str] = []
    with demo_page(browser, live_server, "demo-steward") as page:
        visited = []
        for path in crawl(page, limit=30):
            visited.append(path)
            page.add_script_tag(url=AXE)  # same origin: allowed by the Content-Security-Policy
            problems += [f"{path}: {line}" for line in page.evaluate(RUN_AXE)]
        screenshot(page, "axe-last-page")
    assert len(visited) >= 12, visited
    assert problems == [], "\n".join(problems)


def test_audit_log_and_profile_pass_axe(browser, live_server, demo_organisation):
    with demo_page(browser, live_server, "demo-admin") as page:
        page.goto("/me/")
        page.get_by_role("link", name="audit log").click()
        page.get_by_role("heading", name="Audit log").wait_for()
        page.get_by_label("Action").select_option("person.role_changed")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_load_state()
        problems = []
        for path in ["/admin/audit/", "/me/"]:
            page.goto(path)
            page.add_script_tag(url=AXE)
            problems += [f"{path}: {line}" for line in page.evaluate(RUN_AXE)]
        page.goto("/admin/audit/")
        screenshot(page, "audit-log")
    assert problems == [], "\n".join(problems)

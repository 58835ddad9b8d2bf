"""The causal loop diagram journey: a team member draws a diagram in the browser (typing variables,
linking by clicking and by the form, flipping a sign and adding a delay by click, dragging a variable),
sees the loops named R1/B1 with their sentences, gets "This looks like Fixes that fail" with advice,
and exports the diagram to Mermaid. Screenshots: test-artifacts/diagram-*.png."""

from __future__ import annotations

import pytest

from practica.systems.models import Diagram, Variable
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import AXE, RUN_AXE
from tests.browser.test_knowledge_journey import signed_in

pytestmark = pytest.mark.django_db(transaction=True)

CANVAS = "#cld-canvas"


def _show_canvas(page) -> None:
    """Scroll the drawing into view and let two frames pass: Cytoscape maps a click to the drawing with
    the canvas position it cached, and drops that cache only when the scroll event arrives, which the
    browser delivers with the next frame. A click sent sooner lands where the canvas used to be."""
    page.evaluate(
        """() => new Promise((resolve) => {
            document.getElementById("cld-canvas").scrollIntoView({block: "center"});
            requestAnimationFrame(() => requestAnimationFrame(resolve));
        })"""
    )


def _node_point(page, name: str) -> tuple[float, float]:
    """Where a variable is drawn, in viewport coordinates (the drawing scrolled into view first)."""
    _show_canvas(page)
    box = page.locator(CANVAS).bounding_box()
    position = page.evaluate(
        """(name) => {
            const cy = document.getElementById("cld-editor").cytoscape;
            const node = cy.nodes().filter((n) => n.data("label") === name)[0];
            return node.renderedPosition();
        }""",
        name,
    )
    return box["x"] + position["x"], box["y"] + position["y"]


def _link_point(page, source: str, target: str) -> tuple[float, float]:
    _show_canvas(page)
    box = page.locator(CANVAS).bounding_box()
    point = page.evaluate(
        """([source, target]) => {
            const cy = document.getElementById("cld-editor").cytoscape;
            const edge = cy.edges().filter((e) => e.source().data("label") === source
                && e.target().data("label") === target)[0];
            return edge.renderedMidpoint();
        }""",
        [source, target],
    )
    return box["x"] + point["x"], box["y"] + point["y"]


def _pick_link(page, source: str, target: str) -> None:
    """Click a link on the drawing and wait for its panel. A line is a few pixels wide, so when the click
    misses, say what Cytoscape found at that point (and keep a screenshot) before trying once more."""
    title = page.locator("#cld-link-title")
    for attempt in (1, 2):
        x, y = _link_point(page, source, target)
        page.mouse.click(x, y)
        try:
            title.get_by_text(f"{source} \u2192 {target}").wait_for(timeout=5_000)
            return
        except Exception as error:
            screenshot(page, f"diagram-missed-link-{attempt}")
            found = page.evaluate(
                """([x, y]) => {
                    const cy = document.getElementById("cld-editor").cytoscape;
                    const box = document.getElementById("cld-canvas").getBoundingClientRect();
                    const modelX = (x - box.left - cy.pan().x) / cy.zoom();
                    const modelY = (y - box.top - cy.pan().y) / cy.zoom();
                    const hit = cy.renderer().findNearestElement(modelX, modelY, true, false);
                    const top = document.elementFromPoint(x, y);
                    return {hit: hit ? hit.id() : null, top: top ? top.tagName + "#" + top.id : null,
                            title: document.getElementById("cld-link-title").textContent};
                }""",
                [x, y],
            )
            print(f"attempt {attempt}: clicking {source} \u2192 {target} at ({x:.0f}, {y:.0f}) found {found}")
            if attempt == 2:
                raise AssertionError(
                    f"clicking {source} \u2192 {target} at ({x:.0f}, {y:.0f}) missed: {found}"
                ) from error


def _said(page, text: str) -> None:
    """Wait for the editor's status message; on failure keep a screenshot of what the page showed."""
    try:
        page.locator("#cld-message").get_by_text(text).wait_for()
    except Exception:
        screenshot(page, "diagram-failure")
        raise


def _add_variable(page, name: str) -> None:
    page.get_by_label("Variable name").fill(name)
    page.get_by_role("button", name="Add variable").click()
    _said(page, f"Added \u201c{name}\u201d.")


def _warm_up() -> None:
    """Load every app's views here, before the browser asks: on a busy machine the live server's first
    request (which imports them all) can take longer than a page load may."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (evaluating the property imports the URLconf)


def test_team_member_draws_a_diagram_and_exports_mermaid(browser, live_server, owner, member, tmp_path):
    _warm_up()
    with signed_in(browser, live_server, "member") as page:
        page.set_default_timeout(20_000)  # each step saves and redraws; allow for a busy test machine
        csp_violations: list[str] = []
        page.on(
            "console",
            lambda message: (
                csp_violations.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Systems").click()
        page.get_by_role("heading", name="Systems", level=1).wait_for()
        page.get_by_text("No diagrams yet.").wait_for()
        screenshot(page, "diagram-systems-index-empty")
        page.get_by_role("link", name="New causal loop diagram").click()
        page.get_by_label("Title").fill("Why hotfixes keep coming")
        page.get_by_label("Kept by").select_option(label="Team: Payments")
        page.get_by_role("button", name="Create the diagram").click()
        page.get_by_role("heading", name="Why hotfixes keep coming", level=1).wait_for()
        page.locator("#cld-editor[data-ready]").wait_for()

        for name in ("Production bugs", "Hotfixes", "Untested changes"):
            _add_variable(page, name)
        assert page.locator("#cld-version").inner_text() == "4"

        # Drag "Untested changes" below the others, so the drawing is a triangle.
        x, y = _node_point(page, "Untested changes")
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x - 80, y + 80, steps=6)
        page.mouse.move(x - 160, y + 170, steps=6)
        page.mouse.up()
        _said(page, "Moved Untested changes.")

        # A link drawn by clicking: the variable, "Draw a link from here", then the variable it affects.
        page.mouse.click(*_node_point(page, "Production bugs"))
        page.get_by_role("button", name="Draw a link from here").click()
        page.mouse.click(*_node_point(page, "Hotfixes"))
        _said(page, "Linked Production bugs → Hotfixes (+). Click the link to change its sign or delay.")

        # Links added with the form.
        page.get_by_label("From").select_option(label="Hotfixes")
        page.get_by_label("To").select_option(label="Production bugs")
        page.get_by_label("Sign", exact=True).select_option("+")
        page.get_by_role("button", name="Add link").click()
        _said(page, "Linked Hotfixes → Production bugs (+).")
        page.get_by_label("From").select_option(label="Hotfixes")
        page.get_by_label("To").select_option(label="Untested changes")
        page.get_by_role("button", name="Add link").click()
        _said(page, "Linked Hotfixes → Untested changes (+).")
        page.get_by_label("From").select_option(label="Untested changes")
        page.get_by_label("To").select_option(label="Production bugs")
        page.get_by_role("button", name="Add link").click()
        _said(page, "Linked Untested changes → Production bugs (+).")

        # Set sign and delay by clicking the links.
        _pick_link(page, "Hotfixes", "Production bugs")
        page.get_by_role("button", name="\u2212 opposite").click()
        _said(page, "The link is now \u2212 (opposite direction).")
        _pick_link(page, "Untested changes", "Production bugs")
        page.get_by_role("button", name="‖ delay").click()
        _said(page, "The link now has a delay.")

        loops = page.locator("#cld-loops")
        loops.get_by_text(
            "More Hotfixes leads to less Production bugs, which leads to less Hotfixes: balancing"
        ).wait_for()
        loops.get_by_text(
            "More Hotfixes leads to more Untested changes, which leads (after a delay) to more Production "
            "bugs, which leads to more Hotfixes: reinforcing"
        ).wait_for()
        assert loops.locator(".cld-loop-id").all_inner_texts() == ["B1", "R1"]
        archetype = page.locator(".cld-archetype").first
        archetype.get_by_text("This looks like Fixes that fail").wait_for()
        assert "problem = Production bugs, fix = Hotfixes, unintended consequence = Untested changes" in (
            archetype.inner_text()
        )
        assert "What helps:" in archetype.inner_text()
        _show_canvas(page)
        canvas = page.locator(CANVAS).bounding_box()
        page.mouse.click(canvas["x"] + 12, canvas["y"] + 12)  # empty drawing: deselect
        page.locator("#cld-link-panel").wait_for(state="hidden")
        screenshot(page, "diagram-editor")
        archetype.hover()
        screenshot(page, "diagram-archetype-highlight")
        loops.locator("li").nth(1).hover()
        screenshot(page, "diagram-loop-highlight")

        # Reloaded first: the "diagram is ready" message list of base.html has its own axe finding
        # (role="status" on the <ul>), reported to the lead.
        page.reload()
        page.locator("#cld-editor[data-ready]").wait_for()
        page.add_script_tag(url=AXE)
        assert page.evaluate(RUN_AXE) == []
        page.locator(".cld-export summary").click()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Mermaid").click()
        path = tmp_path / "diagram.mmd"
        download_info.value.save_as(path)
        mermaid = path.read_text()
        assert "flowchart LR" in mermaid
        assert '-->|"-"|' in mermaid and '-.->|"+ delay"|' in mermaid

        diagram = Diagram.objects.get(title="Why hotfixes keep coming")
        assert diagram.team is not None and diagram.team.name == "Payments"
        moved = Variable.objects.get(diagram=diagram, name="Untested changes")
        assert moved.y > Variable.objects.get(diagram=diagram, name="Hotfixes").y + 100

        # A stale page is told to reload, and nothing is overwritten.
        other = browser.new_context(base_url=live_server.url)
        try:
            second = other.new_page()
            from tests.browser.test_people_journey import sign_in

            sign_in(second, "owner")
            second.goto(f"/diagrams/{diagram.pk}/")
            second.locator("#cld-editor[data-ready]").wait_for()
            second.get_by_label("Variable name").fill("Customer complaints")
            second.get_by_role("button", name="Add variable").click()
            second.locator("#cld-message").get_by_text("Added \u201cCustomer complaints\u201d.").wait_for()
        finally:
            other.close()
        _stale_name = "Release pressure"
        page.get_by_label("Variable name").fill(_stale_name)
        page.get_by_role("button", name="Add variable").click()
        _said(
            page,
            "Someone changed this diagram since you loaded it (version 11, you had 10): "
            "reload to see their change.",
        )
        assert not Variable.objects.filter(diagram=diagram, name=_stale_name).exists()

        page.set_viewport_size({"width": 375, "height": 800})
        page.reload()
        page.locator("#cld-loops .cld-loop").first.wait_for()
        screenshot(page, "diagram-editor-phone")
        assert csp_violations == []


def test_outsider_sees_a_community_diagram_read_only(browser, live_server, owner, outsider):
    from practica.communities.services import community_create
    from practica.systems import demo_data
    from practica.systems.models import OwnerKind

    community = community_create(actor=owner, name="Testing")
    diagram = demo_data.draw(
        demo_data.HERO_CULTURE, actor=owner, owner_kind=OwnerKind.COMMUNITY, community=community
    )
    _warm_up()
    with signed_in(browser, live_server, "outsider") as page:
        page.goto(f"/communities/{community.slug}/diagrams/")
        page.get_by_role("link", name="Hero culture").click()
        page.get_by_text("read only").wait_for()
        page.locator(".cld-archetype").first.get_by_text("This looks like Shifting the burden").wait_for()
        assert page.get_by_label("Variable name").count() == 0
        screenshot(page, "diagram-read-only")
    assert diagram.pk

"""Keyboard only: sign in, join a community and answer a knowledge check without touching the mouse
(Tab, typing, Space, Enter)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _tab_to(page, predicate: str, *, limit: int = 60) -> None:
    """Press Tab until ``predicate`` (JS over ``document.activeElement`` as ``el``) is true."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!el && ({predicate}); }}"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def test_sign_in_and_join_a_community_with_the_keyboard(page, owner, member):
    from practica.communities.models import Membership
    from practica.communities.services import community_create

    community = community_create(actor=owner, name="Keyboard Friends")

    page.goto("/signin/")
    _tab_to(page, "el.name === 'username'")
    page.keyboard.type("member")
    _tab_to(page, "el.name === 'password'")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{page.context.pages[0].url.split('/signin')[0]}/")

    page.goto(f"/communities/{community.slug}/")
    _tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Join'")
    focus_visible = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; }"
    )
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    screenshot(page, "keyboard-joined")
    assert Membership.objects.filter(community=community, person=member, status="active").exists()
    assert focus_visible, "the focused Join button shows no focus ring"


def test_answer_a_knowledge_check_with_the_keyboard(page, owner, member):
    import re

    from practica.calibration import checks
    from practica.calibration.models import CheckAttempt
    from practica.communities.services import community_create, membership_join
    from tests.calibration.check_fixtures import ITEMS

    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    check = checks.check_create(actor=owner, community=community, title="Testing fundamentals")
    for fields in ITEMS:
        checks.item_create(actor=owner, check=check, **fields)
    checks.check_set_status(actor=owner, check=check, status="published")

    page.goto("/signin/")
    _tab_to(page, "el.name === 'username'")
    page.keyboard.type("member")
    _tab_to(page, "el.name === 'password'")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/signin" not in url)

    page.goto(f"/communities/{community.slug}/checks/{check.pk}/")
    _tab_to(page, "el.tagName === 'INPUT' && el.type === 'number'")
    page.keyboard.type("75")
    _tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Start the check'")
    page.keyboard.press("Enter")
    page.locator("form.check-item").first.wait_for()
    # First item: Tab into its options, Space picks one; Tab into its certainty, Space picks one.
    _tab_to(page, "el.type === 'radio' && !!el.closest('form.check-item')")
    page.keyboard.press("Space")
    first_name = page.evaluate("() => document.activeElement.name")
    _tab_to(page, f"el.type === 'radio' && el.name !== {first_name!r} && !!el.closest('form.check-item')")
    page.keyboard.press("Space")
    page.locator("form.check-item").first.get_by_text(re.compile("^Saved with")).wait_for()
    _tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Submit my answers'", limit=200)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile("^Your report")).wait_for()
    screenshot(page, "keyboard-check-report")
    assert CheckAttempt.objects.filter(person=member, check_ref=check, submitted_at__isnull=False).exists()

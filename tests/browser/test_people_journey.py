"""The first journey every user takes: sign in, find a colleague, look at your own profile."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_directory_and_profile(page, owner, member, outsider):
    sign_in(page, "member")
    page.get_by_role("heading", name="Welcome, Max Member").wait_for()
    screenshot(page, "home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_label("Search", exact=True).fill("Olivia")
    # htmx replaces the results while typing; the other people disappear.
    page.get_by_text("1 person matching “Olivia”").wait_for()
    assert page.get_by_role("link", name="Otto Outsider").count() == 0
    screenshot(page, "directory-search")

    page.get_by_role("link", name="Olivia Owner").click()
    page.get_by_role("heading", name="Olivia Owner").wait_for()
    assert page.get_by_role("link", name="Payments").count() == 1

    page.get_by_role("link", name="Max Member").click()
    page.get_by_role("heading", name="Your profile").wait_for()
    page.get_by_label("Title").fill("Test Automation Lead")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile is saved.").wait_for()
    screenshot(page, "profile")

    page.get_by_label("Token name").fill("laptop script")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_test_id("new-token").inner_text()
    assert token.startswith("pra_")


def test_wrong_password_shows_a_clear_error_and_phone_width_works(page, owner):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "owner", "not the password")
    page.get_by_text("Please enter a correct username and password").wait_for()
    screenshot(page, "signin-error-phone")
    sign_in(page, "owner")
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("table").wait_for()
    screenshot(page, "directory-phone")

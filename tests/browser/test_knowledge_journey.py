"""The knowledge journey: a member asks, two others answer saying how sure they are, the asker accepts one
and says it worked, and the answerer finds the outcome in their private calibration record. Search finds
a question only for people who may see its community."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_people_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION_TITLE = "Why does pytest-xdist make our database tests flaky?"
# A code block to render as code, and a script that must come out as nothing that runs.
QUESTION_BODY = """Since we added `-n auto` some tests fail at random.

```python
def test_order(db):
    assert Order.objects.count() == 0
```

<script>window.practicaInjected = true</script>
What should we look at first?"""


@contextmanager
def signed_in(browser, live_server, username: str) -> Iterator[object]:
    """A browser of this person's own, signed in; closed when the block ends."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, username)
        page.get_by_role("heading", name=re.compile(r"^Welcome, ")).wait_for()
        yield page
    finally:
        context.close()


def _answer(page, question_url: str, body: str, certainty: str) -> None:
    page.goto(question_url)
    page.get_by_role("textbox", name="Your answer").fill(body)
    page.get_by_role("radio", name=re.compile(rf"^{certainty}: I am")).check()
    page.get_by_role("button", name="Post your answer").click()
    page.get_by_text("Your answer is posted.").wait_for()


def _open_calibration(page) -> None:
    page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Answerer ")).click()
    page.get_by_role("link", name="Your calibration (private)").click()
    page.get_by_role("heading", name="Your calibration", level=1).wait_for()


def test_ask_answer_accept_worked_and_calibration(page, browser, live_server, owner, member, make_person):
    from practica.communities import services
    from practica.communities.models import Visibility

    testing = services.community_create(actor=owner, name="Testing", visibility=Visibility.OPEN)
    services.membership_join(person=member, community=testing)
    for username, name in (("answerer-a", "Answerer Alice"), ("answerer-b", "Answerer Bruno")):
        services.membership_join(person=make_person(username, display_name=name), community=testing)

    # The member asks from the community's Questions tab.
    sign_in(page, "member")
    page.get_by_role("heading", name="Welcome, Max Member").wait_for()
    page.goto(f"/communities/{testing.slug}/")
    page.get_by_role("navigation", name="Testing").get_by_role("link", name="Questions").click()
    page.get_by_role("heading", name="Questions", level=2).wait_for()
    assert page.get_by_text("No questions yet.").is_visible()
    page.get_by_role("link", name="Ask a question", exact=True).click()
    page.get_by_label("Title").fill(QUESTION_TITLE)
    page.get_by_label("Details").fill(QUESTION_BODY)
    page.get_by_label("Tags").fill("pytest, flaky tests")
    page.get_by_role("button", name="Post the question").click()
    page.get_by_text("Your question is posted.").wait_for()

    question = page.get_by_role("article", name=QUESTION_TITLE)
    assert question.get_by_role("heading", name=QUESTION_TITLE).is_visible()
    assert question.get_by_role("link", name="#pytest").is_visible()
    assert question.get_by_role("link", name="#flaky tests").is_visible()
    assert "assert Order.objects.count() == 0" in question.locator("pre code").inner_text()
    assert question.locator("script").count() == 0
    assert page.evaluate("() => window.practicaInjected") is None
    assert page.get_by_role("heading", name="0 answers").is_visible()
    screenshot(page, "question-asked")
    question_url = page.url

    # Two members answer, each in a browser of their own, one sure and one not.
    with (
        signed_in(browser, live_server, "answerer-a") as alice,
        signed_in(browser, live_server, "answerer-b") as bruno,
    ):
        _answer(
            alice,
            question_url,
            "Each worker needs its own database: use the `db` fixture, not a shared one.",
            "High",
        )
        _answer(bruno, question_url, "Maybe the tests depend on their order? Try `-p no:randomly`.", "Low")

        # The asker sees both answers, with how sure each author was.
        page.goto(question_url)
        page.get_by_role("heading", name="2 answers").wait_for()
        alice_answer = page.get_by_role("article", name="Answer by Answerer Alice")
        bruno_answer = page.get_by_role("article", name="Answer by Answerer Bruno")
        assert alice_answer.get_by_text("high certainty").is_visible()
        assert bruno_answer.get_by_text("low certainty").is_visible()
        screenshot(page, "answers")

        # The asker accepts Alice's answer and says it worked.
        alice_answer.get_by_role("button", name="Accept this answer").click()
        page.get_by_text("The answer is accepted.").wait_for()
        assert alice_answer.get_by_text("✓ Accepted answer").is_visible()
        assert bruno_answer.get_by_text("✓ Accepted answer").count() == 0
        alice_answer.get_by_role("button", name="It worked", exact=True).click()
        page.get_by_text(
            "Thanks: the outcome is recorded and scored into the answerer's private calibration."
        ).wait_for()
        assert alice_answer.get_by_role("group", name="Did it work? You said: worked.").is_visible()
        assert (
            alice_answer.get_by_role("button", name="It worked", exact=True).get_attribute("aria-pressed")
            == "true"
        )
        assert alice_answer.get_by_role("button", name="Take back the acceptance").is_visible()
        assert bruno_answer.get_by_role("group", name="Did it work?", exact=True).is_visible()
        screenshot(page, "accepted-worked")

        # Alice finds the outcome in her private calibration record.
        _open_calibration(alice)
        assert alice.get_by_role("heading", name="Your record so far").is_visible()
        records = alice.get_by_role("region", name="Every scored judgement")
        record = records.get_by_role("row").filter(
            has=alice.get_by_role("link", name=re.compile(re.escape(QUESTION_TITLE)))
        )
        assert record.count() == 1
        cells = [cell.strip() for cell in record.get_by_role("cell").all_inner_texts()]
        assert cells[1] == f"Your answer to “{QUESTION_TITLE}” · Testing"
        assert cells[2].startswith("High")
        assert cells[3:] == ["right", "3"]
        screenshot(alice, "calibration-record")

        # Bruno's answer was not marked, so nothing of this question is scored for him.
        _open_calibration(bruno)
        assert bruno.get_by_text("Nothing scored yet.").is_visible()
        assert bruno.get_by_text(QUESTION_TITLE).count() == 0


def _search_from_header(page, words: str) -> None:
    box = page.get_by_role("banner").get_by_role("searchbox", name="Search")
    box.fill(words)
    box.press("Enter")
    page.get_by_role("heading", name="Search", level=1).wait_for()


def test_search_respects_visibility(page, browser, live_server, owner, outsider):
    from practica.communities import services
    from practica.communities.models import Visibility
    from practica.knowledge.qa import question_ask

    champions = services.community_create(
        actor=owner, name="Security Champions", visibility=Visibility.PRIVATE
    )
    private_title = "How do we rotate signing keys safely?"
    question_ask(
        actor=owner, community=champions, title=private_title,
        body="The old key must keep verifying tokens until they expire.", tags="security",
    )  # fmt: skip
    platform = services.community_create(actor=owner, name="Platform", visibility=Visibility.OPEN)
    question_ask(
        actor=owner, community=platform, title="How do we rotate TLS certificates?",
        body="We want to rotate them every 90 days without downtime.", tags="tls",
    )  # fmt: skip

    # The outsider sees open content, so finds the Platform question, but nothing of the private one.
    sign_in(page, "outsider")
    page.get_by_role("heading", name="Welcome, Otto Outsider").wait_for()
    _search_from_header(page, "rotate")
    results = page.locator("#search-results")
    # The count shows the query as understood: "rotate*", the last word also matching as a prefix.
    results.get_by_text(re.compile(r"^1 result for rotate\b")).wait_for()
    hit = results.get_by_role("listitem").filter(
        has=page.get_by_role("link", name="How do we rotate TLS certificates?")
    )
    assert hit.count() == 1
    assert hit.get_by_role("link", name="Platform").is_visible()
    snippet = hit.get_by_role("paragraph").filter(has_text="every 90 days")
    assert snippet.locator("mark").all_inner_texts() == ["rotate"]
    assert results.get_by_text(private_title).count() == 0
    assert results.get_by_text("Security Champions").count() == 0
    screenshot(page, "search-outsider")

    search_for = page.get_by_role("searchbox", name="Search for")
    search_for.fill(private_title)
    search_for.press("Enter")
    results.get_by_text("Nothing you can see matches").wait_for()
    assert results.get_by_role("link", name=private_title).count() == 0

    # A member of the private community finds both.
    with signed_in(browser, live_server, "owner") as member_page:
        _search_from_header(member_page, "rotate")
        member_results = member_page.locator("#search-results")
        member_results.get_by_text(re.compile(r"^2 results for rotate\b")).wait_for()
        assert member_results.get_by_role("link", name=private_title).is_visible()
        assert member_results.get_by_role("link", name="How do we rotate TLS certificates?").is_visible()
        assert member_results.get_by_role("link", name="Security Champions").is_visible()
        screenshot(member_page, "search-member")

"""Knowledge-check pages: authoring, taking with htmx, the private report, results behind the group rule,
access for outsiders, bad input, and pinned query counts."""

from __future__ import annotations

import pytest
from django.test import Client

from practica.calibration import checks
from practica.calibration.models import CheckAttempt, CheckItem, CheckStatus, ItemResponse, KnowledgeCheck

from . import check_fixtures
from .check_fixtures import ITEMS, RIGHT, WRONG, group_takes, take

# pytest finds fixtures by name in the module: bind the shared ones here.
draft_check = check_fixtures.draft_check
published_check = check_fixtures.published_check
takers = check_fixtures.takers
design_skill = check_fixtures.design_skill

pytestmark = pytest.mark.django_db


def url(check: KnowledgeCheck, action: str = "") -> str:
    return f"/communities/{check.community.slug}/checks/{check.pk}/{action}"


def attempt_url(attempt: CheckAttempt, action: str = "") -> str:
    return url(attempt.check_ref, f"attempts/{attempt.pk}/{action}")


def test_the_tab_lists_published_checks_and_hides_drafts_from_members(
    client_for, owner, member, published_check, testing
):
    checks.check_create(actor=owner, community=testing, title="Secret draft")
    page = client_for(member).get("/communities/testing/checks/")
    assert page.status_code == 200
    assert 'aria-current="page">Checks</a>' in page.text
    assert "Testing fundamentals" in page.text
    assert "Secret draft" not in page.text
    assert "Write a knowledge check" not in page.text
    lead_page = client_for(owner).get("/communities/testing/checks/")
    assert "Secret draft" in lead_page.text
    assert "Write a knowledge check" in lead_page.text


def test_an_empty_list_teaches(client_for, owner, member, testing):
    assert "No knowledge checks yet" in client_for(member).get("/communities/testing/checks/").text
    assert "Write the first knowledge check" in client_for(owner).get("/communities/testing/checks/").text


def test_a_draft_is_a_404_for_members(client_for, member, draft_check):
    client = client_for(member)
    assert client.get(url(draft_check)).status_code == 404
    assert client.post(url(draft_check, "start/"), {"estimate": "50"}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(published_check):
    for path in ("/communities/testing/checks/", url(published_check), url(published_check, "results/")):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/signin/")
    assert Client().post(url(published_check, "start/"), {"estimate": "50"}).status_code == 302
    assert not CheckAttempt.objects.exists()


def test_an_outsider_gets_404_on_a_private_communitys_checks(client_for, owner, outsider, private):
    check = checks.check_create(actor=owner, community=private, title="Guild secrets")
    checks.item_create(actor=owner, check=check, **ITEMS[2])
    checks.check_set_status(actor=owner, check=check, status=CheckStatus.PUBLISHED)
    client = client_for(outsider)
    for path in (
        "/communities/secret-guild/checks/",
        url(check),
        url(check, "results/"),
        url(check, "edit/"),
    ):
        assert client.get(path).status_code == 404
    assert client.post(url(check, "start/"), {"estimate": "50"}).status_code == 404
    assert not CheckAttempt.objects.exists()


def test_a_lead_writes_a_check_and_its_items_on_pages(client_for, owner, testing, design_skill):
    client = client_for(owner)
    assert client.get("/communities/testing/checks/new/").status_code == 200
    response = client.post(
        "/communities/testing/checks/new/",
        {"title": "Secure coding basics", "description": "", "skills": [design_skill.pk]},
    )
    check = KnowledgeCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(check, "edit/")
    assert client.get(url(check, "items/new/")).status_code == 200
    response = client.post(
        url(check, "items/new/"),
        {
            "kind": "multiple",
            "prompt": "Which stop SQL injection?",
            "options": "Parameterised queries\nEscaping by hand\nAn ORM's query API",
            "correct_options": "1, 3",
            "weight": "1",
            "explanation": "Bind parameters.",
        },
    )
    assert response.status_code == 302
    item = CheckItem.objects.get()
    assert (item.kind, item.answer, item.options[2]) == ("multiple", [0, 2], "An ORM's query API")
    client.post(
        url(check, "items/new/"),
        {
            "kind": "numeric",
            "prompt": "Bits in a byte?",
            "correct_number": "8",
            "tolerance": "0",
            "weight": "1",
        },
    )
    edit = client.get(url(check, "edit/"))
    assert "Which stop SQL injection?" in edit.text
    assert "Parameterised queries; An ORM&#x27;s query API" in edit.text
    client.post(url(check, f"items/{item.pk}/move/"), {"direction": "down"})
    assert list(check.items.values_list("kind", flat=True)) == ["numeric", "multiple"]
    client.post(url(check, "status/"), {"status": "published"})
    check.refresh_from_db()
    assert check.status == CheckStatus.PUBLISHED


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"kind": "single", "options": "a\nb", "correct_options": "3"},
            "correct_options",
            "one of the 2 options",
        ),
        ({"kind": "single", "options": "only", "correct_options": "1"}, "options", "at least two options"),
        ({"kind": "single", "options": "a\nb", "correct_options": "x"}, "correct_options", "option numbers"),
        ({"kind": "multiple", "options": "a\nb", "correct_options": ""}, "correct_options", "at least one"),
        ({"kind": "numeric", "correct_number": "4", "tolerance": "-1"}, "tolerance", "0 or more"),
        ({"kind": "true_false"}, "correct_truth", "true or false"),
    ],
)
def test_a_bad_item_is_refused_next_to_its_field_and_keeps_the_text(
    client_for, owner, draft_check, data, field, message
):
    response = client_for(owner).post(
        url(draft_check, "items/new/"), {"prompt": "Keep me", "weight": "1", **data}
    )
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert "Keep me" in response.text
    assert draft_check.items.count() == 4


def test_members_cannot_author(client_for, member, published_check):
    client = client_for(member)
    assert client.get("/communities/testing/checks/new/").status_code == 403
    assert client.get(url(published_check, "edit/")).status_code == 403
    assert client.post(url(published_check, "status/"), {"status": "archived"}).status_code == 403
    item = published_check.items.first()
    assert client.post(url(published_check, f"items/{item.pk}/delete/")).status_code == 403
    published_check.refresh_from_db()
    assert published_check.status == CheckStatus.PUBLISHED
    assert published_check.items.count() == 4


def test_a_member_takes_a_check_with_htmx_and_sees_the_report(client_for, member, published_check):
    client = client_for(member)
    detail = client.get(url(published_check))
    assert "what share of the items do you expect to get right" in detail.text
    response = client.post(url(published_check, "start/"), {"estimate": "75"})
    attempt = CheckAttempt.objects.get()
    assert response["Location"] == attempt_url(attempt)
    assert attempt.estimated_score == 0.75
    take_page = client.get(attempt_url(attempt))
    assert "Choose High only if you are more than 4 in 5 sure: a wrong High costs 6 marks" in take_page.text
    items = list(published_check.items.all())
    saved = client.post(
        attempt_url(attempt, f"items/{items[0].pk}/"),
        {"response": "1", "certainty": "3"},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    assert "Saved with high certainty" in saved.text
    assert '<span id="answered-count" hx-swap-oob="true">1</span>' in saved.text
    client.post(attempt_url(attempt, f"items/{items[1].pk}/"), {"response": ["0", "1"], "certainty": "2"})
    client.post(attempt_url(attempt, f"items/{items[2].pk}/"), {"response": "true", "certainty": "3"})
    client.post(attempt_url(attempt, f"items/{items[3].pk}/"), {"response": "3", "certainty": "1"})
    assert client.post(attempt_url(attempt, "submit/"))["Location"] == attempt_url(attempt)
    report = client.get(attempt_url(attempt))
    # right (3) + multiple 1 of 2 right and 1 wrong = 0 credit (-2) + wrong at high (-6) + right (1)
    assert report.context["report"].summary.average_mark == pytest.approx(-1.0)
    assert '<p class="stat" id="report-accuracy">50%</p>' in report.text
    assert (
        "At high certainty you were right 50% of the time (2 answers): slightly over-confident."
        in report.text
    )
    assert (
        "You expected to score 75% and scored 50%: you over-estimated yourself by 25 percentage points."
        in report.text
    )
    assert "Coverage shows what ran, not that it is right." in report.text
    assert 'id="confidently-wrong"' in report.text
    assert "certainty-spec" in report.text


def test_a_bad_answer_comes_back_as_a_message_and_changes_nothing(client_for, member, published_check):
    client = client_for(member)
    attempt = checks.attempt_start(person=member, check=published_check, estimated_score=0.5)
    item = published_check.items.first()
    response = client.post(
        attempt_url(attempt, f"items/{item.pk}/"), {"response": "1", "certainty": "5"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Choose a certainty of 1 (low), 2 (mid) or 3 (high)." in response.text
    response = client.post(
        attempt_url(attempt, f"items/{item.pk}/"), {"certainty": "2"}, HTTP_HX_REQUEST="true"
    )
    assert "Choose or type your answer first." in response.text
    assert not ItemResponse.objects.exists()


def test_an_estimate_outside_0_to_100_is_refused_on_the_page(client_for, member, published_check):
    response = client_for(member).post(url(published_check, "start/"), {"estimate": "150"})
    assert response.status_code == 400
    assert "Give your estimate from 0 to 100." in response.text
    assert not CheckAttempt.objects.exists()


def test_another_persons_attempt_is_a_404(client_for, member, outsider, owner, published_check):
    attempt = take(member, published_check, RIGHT, [3, 3, 3, 3])
    item = published_check.items.first()
    for person in (outsider, owner):
        client = client_for(person)
        assert client.get(attempt_url(attempt)).status_code == 404
        assert client.post(attempt_url(attempt, f"items/{item.pk}/"), {"response": "0"}).status_code == 404
        assert client.post(attempt_url(attempt, "submit/")).status_code == 404


def test_a_submitted_attempt_refuses_answers_on_the_page(client_for, member, published_check):
    attempt = take(member, published_check, RIGHT, [1, 1, 1, 1])
    item = published_check.items.first()
    response = client_for(member).post(
        attempt_url(attempt, f"items/{item.pk}/"), {"response": "0", "certainty": "3"}, follow=True
    )
    assert "This attempt is submitted and closed" in response.text
    assert ItemResponse.objects.get(attempt=attempt, item=item).response == 1


def test_retakes_are_listed_with_the_trend(client_for, member, published_check):
    take(member, published_check, WRONG, [1, 1, 1, 1])
    second = take(member, published_check, RIGHT, [3, 3, 3, 3])
    report = client_for(member).get(attempt_url(second))
    assert "Attempt 2 (this one)" in report.text
    assert "Since your first attempt: accuracy up 100 points" in report.text
    assert "Start attempt 3" in client_for(member).get(url(published_check)).text


def test_results_are_for_leads_and_stewards_only(client_for, member, steward, owner, published_check):
    assert client_for(member).get(url(published_check, "results/")).status_code == 403
    assert client_for(owner).get(url(published_check, "results/")).status_code == 200
    assert client_for(steward).get(url(published_check, "results/")).status_code == 200


def test_results_are_withheld_below_the_minimum_group_size(client_for, owner, published_check, takers):
    group_takes(takers, published_check, 4)
    page = client_for(owner).get(url(published_check, "results/"))
    assert 'id="statistics-withheld"' in page.text
    assert 'id="group-withheld"' in page.text
    assert "Not enough people to show this without identifying someone." in page.text
    assert "4 so far" in page.text
    assert "item-statistics" not in page.text


def test_results_show_with_enough_people_and_quartiles_only_when_each_has_enough(
    client_for, owner, published_check, takers
):
    group_takes(takers, published_check, 8)
    page = client_for(owner).get(url(published_check, "results/"))
    assert 'id="item-statistics"' in page.text
    assert 'id="quartiles-withheld"' in page.text  # 5 people counted: quarters of 1 or 2
    assert "Over the first attempts of 5 people (8 have submitted)" in page.text
    assert "Verdict: too little data." in page.text
    assert "Tess Taker" not in page.text


def test_one_more_person_submitting_changes_no_group_figure(
    client_for, owner, member, published_check, takers
):
    """Figures move in steps of the minimum group size, so a lead comparing the page before and after
    one person submits learns nothing about that person."""
    group_takes(takers, published_check, 5)
    before = client_for(owner).get(url(published_check, "results/")).context
    take(member, published_check, RIGHT, [3, 3, 3, 3], estimate=0.1)
    after = client_for(owner).get(url(published_check, "results/")).context
    assert [row.difficulty for row in before["statistics"].value.rows] == [
        row.difficulty for row in after["statistics"].value.rows
    ]
    assert before["group"].value.mean_estimate == after["group"].value.mean_estimate
    assert (before["group"].value.submitted, after["group"].value.submitted) == (5, 6)


def test_the_group_view_shows_the_quartile_chart_with_enough_people(
    client_for, owner, published_check, takers
):
    group_takes(takers, published_check, 24)
    page = client_for(owner).get(url(published_check, "results/"))
    assert 'id="quartile-table"' in page.text
    assert 'data-vega-spec="quartile-spec"' in page.text
    assert "Verdict:" in page.text
    assert "Tess Taker" not in page.text


def test_query_counts_are_constant(
    client_for, owner, member, testing, published_check, takers, django_assert_max_num_queries
):
    for index in range(3):
        check = checks.check_create(actor=owner, community=testing, title=f"Check {index}")
        checks.item_create(actor=owner, check=check, **ITEMS[2])
        checks.check_set_status(actor=owner, check=check, status="published")
    group_takes(takers, published_check, 24)
    client = client_for(member)
    with django_assert_max_num_queries(9):
        client.get("/communities/testing/checks/")
    attempt = checks.attempt_start(person=member, check=published_check, estimated_score=0.5)
    with django_assert_max_num_queries(12):
        client.get(attempt_url(attempt))
    checks.attempt_submit(person=member, attempt=attempt)
    with django_assert_max_num_queries(13):
        client.get(attempt_url(attempt))
    lead = client_for(owner)
    with django_assert_max_num_queries(16):
        lead.get(url(published_check, "results/"))

"""Question-and-answer pages: who may see and do what, safe Markdown, forms that keep input, query counts."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practica.calibration.models import CalibrationRecord, Certainty
from practica.communities.models import Tag, Visibility
from practica.communities.services import community_create, membership_invite, membership_join
from practica.knowledge import qa
from practica.knowledge.models import MAX_BODY, Answer, ExpertOptIn, Outcome, Question, Vote

pytestmark = pytest.mark.django_db

HIGH = Certainty.HIGH


@pytest.fixture
def testing(owner, member):
    community = community_create(actor=owner, name="Testing", tags="qa")
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private(owner, member):
    community = community_create(actor=owner, name="Secret Guild", visibility=Visibility.PRIVATE)
    membership_invite(actor=owner, community=community, person=member)
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def question(testing, member):
    return qa.question_ask(actor=member, community=testing, title="Why is my test flaky?", tags="pytest")


@pytest.fixture
def answer(question, owner):
    return qa.answer_post(actor=owner, question=question, body="Pin the **seed**.", certainty=HIGH)


def qa_url(name: str, question: Question, *extra: int) -> str:
    return reverse(f"qa:{name}", args=[question.community.slug, question.pk, *extra])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_member_sees_the_list_the_question_and_the_ask_form(client_for, member, question, answer):
    client = client_for(member)
    listing = client.get(reverse("qa:list", args=["testing"]))
    assert listing.status_code == 200
    assert "Why is my test flaky?" in listing.content.decode()
    assert 'aria-current="page">Questions' in listing.content.decode()
    page = client.get(qa_url("detail", question)).content.decode()
    assert "<strong>seed</strong>" in page
    assert "high certainty" in page
    assert "Accept this answer" in page and "Did it work?" in page
    assert client.get(reverse("qa:ask", args=["testing"])).status_code == 200


def test_list_filters_unanswered_and_tag(client_for, member, testing, question, answer):
    qa.question_ask(actor=member, community=testing, title="Open one", tags="ci")
    client = client_for(member)
    base = reverse("qa:list", args=["testing"])
    unanswered = client.get(base, {"unanswered": "on"}).content.decode()
    assert "Open one" in unanswered and "Why is my test flaky?" not in unanswered
    assert client.get(base, {"tag": "<not a slug>"}).status_code == 200
    tagged = client.get(base, {"tag": "PyTest"}).content.decode()
    assert "Why is my test flaky?" in tagged and "Open one" not in tagged
    queue = client.get(reverse("qa:unanswered", args=["testing"])).content.decode()
    assert "Open one" in queue and "Why is my test flaky?" not in queue


def test_html_and_script_in_markdown_are_sanitised_and_code_blocks_kept(client_for, member, testing):
    question = qa.question_ask(
        actor=member,
        community=testing,
        title="<script>alert('title')</script>",
        body=(
            "<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n"
            "```python\nif a < b: print('<b>')\n```"
        ),
    )
    page = client_for(member).get(qa_url("detail", question)).content.decode()
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in page
    assert """<pre><code class="language-python">if a &lt; b: print('&lt;b&gt;')""" in page


PRIVATE_GETS = ["list", "ask", "unanswered"]


def test_outsiders_get_404_on_every_page_and_post_of_a_private_community(
    client_for, outsider, private, member, owner
):
    question = qa.question_ask(actor=member, community=private, title="Secret plans")
    answer = qa.answer_post(actor=owner, question=question, body="Hush", certainty=HIGH)
    client = client_for(outsider)
    for name in PRIVATE_GETS:
        assert client.get(reverse(f"qa:{name}", args=[private.slug])).status_code == 404
    for name in ["detail", "edit"]:
        assert client.get(qa_url(name, question)).status_code == 404
    posts = {
        qa_url("vote", question): {"value": "1"},
        qa_url("answer", question): {"body": "leak", "certainty": "3"},
        qa_url("comment", question): {"body": "leak"},
        qa_url("relevance", question): {"relevance": "outdated"},
        qa_url("answer-vote", question, answer.pk): {"value": "1"},
        qa_url("accept", question, answer.pk): {"accepted": "1"},
        qa_url("outcome", question, answer.pk): {"outcome": "worked"},
        reverse("qa:ask", args=[private.slug]): {"title": "Sneaky"},
    }
    for address, data in posts.items():
        assert client.post(address, data).status_code == 404, address
    assert Question.objects.count() == 1 and Answer.objects.count() == 1
    assert not Vote.objects.exists()
    answer.refresh_from_db()
    assert (answer.accepted, answer.outcome) == (False, "")
    queue = client.get(reverse("qa:queue")).content.decode()
    assert "Secret plans" not in queue


def test_anonymous_visitors_are_sent_to_sign_in(question):
    client = Client()
    for address in [reverse("qa:list", args=["testing"]), qa_url("detail", question), reverse("qa:queue")]:
        response = client.get(address)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.post(qa_url("vote", question), {"value": "1"}).status_code == 302
    assert not Vote.objects.exists()


def test_asking_with_bad_input_keeps_what_was_typed(client_for, member, testing):
    client = client_for(member)
    response = client.post(
        reverse("qa:ask", args=["testing"]), {"title": "   ", "body": "My careful details", "tags": "ci"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "My careful details" in page and 'value="ci"' in page
    assert "title" in page.lower() and "errorlist" in page
    big = client.post(reverse("qa:ask", args=["testing"]), {"title": "Big", "body": "x" * (MAX_BODY + 1)})
    assert "50,000" in big.content.decode() or "at most 50000" in big.content.decode()
    assert not Question.objects.exists()


def test_asking_redirects_to_the_new_question(client_for, member, testing):
    response = client_for(member).post(
        reverse("qa:ask", args=["testing"]),
        {"title": "How to retry?", "body": "Details", "tags": "ci", "allow_several_accepted": "on"},
    )
    question = Question.objects.get()
    assert response["Location"] == qa_url("detail", question)
    assert question.allow_several_accepted


def test_an_answer_without_certainty_keeps_the_text_and_says_what_is_missing(client_for, owner, question):
    response = client_for(owner).post(qa_url("answer", question), {"body": "My thoughtful answer"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "My thoughtful answer" in page
    assert "Say how sure you are" in page
    assert "less than 2 in 3" in page and "more than 4 in 5" in page
    assert not Answer.objects.exists()


def test_answering_with_certainty_posts_it(client_for, owner, question):
    response = client_for(owner).post(qa_url("answer", question), {"body": "Use a fixture", "certainty": "2"})
    answer = Answer.objects.get()
    assert response["Location"].endswith(f"#answer-{answer.pk}")
    assert answer.certainty == 2


def test_htmx_votes_swap_the_score_and_a_second_vote_is_refused_in_place(client_for, owner, question):
    client = client_for(owner)
    response = client.post(qa_url("vote", question), {"value": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="votes-q' in response.content.decode() and "<strong>1</strong>" in response.content.decode()
    again = client.post(qa_url("vote", question), {"value": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "already voted this up" in again and "<strong>1</strong>" in again
    assert Vote.objects.count() == 1


def test_accepting_an_answer_to_someone_elses_question_changes_nothing(
    client_for, make_person, testing, question, answer
):
    bystander = make_person("bystander")
    membership_join(person=bystander, community=testing)
    response = client_for(bystander).post(qa_url("accept", question, answer.pk), {"accepted": "1"})
    assert "Only the person who asked" in messages_of(response)[-1]
    answer.refresh_from_db()
    assert not answer.accepted
    assert "Accept this answer" not in client_for(bystander).get(qa_url("detail", question)).content.decode()


def test_the_asker_accepts_and_marks_the_outcome_and_the_answerer_sees_it_privately(
    client_for, member, owner, question, answer
):
    client = client_for(member)
    client.post(qa_url("accept", question, answer.pk), {"accepted": "1"})
    response = client.post(qa_url("outcome", question, answer.pk), {"outcome": Outcome.DID_NOT_WORK})
    assert "scored into the answerer's private calibration" in messages_of(response)[-1]
    answer.refresh_from_db()
    assert answer.accepted and answer.outcome == Outcome.DID_NOT_WORK
    assert CalibrationRecord.objects.get(person=owner).mark == -6
    private_page = client_for(owner).get(reverse("calibration:mine")).content.decode()
    assert "Why is my test flaky?" in private_page
    assert "Why is my test flaky?" not in client.get(reverse("calibration:mine")).content.decode()


def test_comments_and_relevance_marking(client_for, member, owner, question, answer):
    client = client_for(owner)
    client.post(qa_url("comment", question), {"body": "Which runner?"})
    client.post(qa_url("comment", question), {"body": "Good one", "answer": str(answer.pk)})
    bad = client.post(qa_url("comment", question), {"body": ""})
    assert "needs text" in messages_of(bad)[-1]
    client.post(qa_url("relevance", question), {"relevance": "outdated"})
    page = client.get(qa_url("detail", question)).content.decode()
    assert "Which runner?" in page and "Good one" in page
    assert "Marked no longer relevant" in page


def test_only_the_asker_or_a_lead_may_open_the_edit_page(client_for, make_person, testing, question, owner):
    bystander = make_person("bystander")
    membership_join(person=bystander, community=testing)
    assert client_for(bystander).get(qa_url("edit", question)).status_code == 403
    assert client_for(owner).get(qa_url("edit", question)).status_code == 200


def test_the_steward_queue_lists_unanswered_questions_of_communities_they_may_see(
    client_for, steward, private, member, question
):
    qa.question_ask(actor=member, community=private, title="Hidden from the steward")
    page = client_for(steward).get(reverse("qa:queue")).content.decode()
    assert "Why is my test flaky?" in page
    assert "Hidden from the steward" not in page
    assert "Hidden from the steward" in client_for(member).get(reverse("qa:queue")).content.decode()


def test_opting_in_and_out_on_the_expert_page(client_for, outsider, question):
    client = client_for(outsider)
    experts = reverse("qa:experts", args=["pytest"])
    page = client.get(experts).content.decode()
    assert "How the ranking works" in page and "List me as an expert" in page
    client.post(reverse("qa:expert-listing", args=["pytest"]), {"listed": "1"})
    assert ExpertOptIn.objects.filter(person=outsider, tag=Tag.objects.get(slug="pytest")).exists()
    profile = client.get(reverse("people:profile")).content.decode()
    assert "#pytest" in profile and "Your calibration (private)" in profile
    response = client.post(reverse("qa:expert-listing", args=["pytest"]), {"listed": "0", "back": "profile"})
    assert response["Location"] == reverse("people:profile")
    assert not ExpertOptIn.objects.exists()
    assert client.get(reverse("qa:experts", args=["no-such-tag"])).status_code == 404


# Query counts -------------------------------------------------------------------------------------


def queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


LIST_QUERIES = 9  # session, user, person, community, its tags, membership, count, page, tags
DETAIL_QUERIES = 12  # the first six as above, question, answers, their comments, votes, tags, comments


def test_the_question_list_uses_a_constant_number_of_queries(
    client_for, member, owner, testing, question, django_assert_max_num_queries
):
    client = client_for(member)
    address = reverse("qa:list", args=["testing"])
    small = queries(client, address)
    for number in range(8):
        more = qa.question_ask(
            actor=owner, community=testing, title=f"Question {number}", tags=f"t{number}, ci"
        )
        qa.answer_post(actor=member, question=more, body="An answer", certainty=HIGH)
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get(address)
    assert queries(client, address) == small


def test_the_question_page_uses_a_constant_number_of_queries(
    client_for, member, owner, testing, question, make_person, django_assert_max_num_queries
):
    client = client_for(member)
    address = qa_url("detail", question)
    qa.answer_post(actor=owner, question=question, body="First", certainty=HIGH)
    small = queries(client, address)
    for number in range(6):
        person = make_person(f"helper{number}")
        answer = qa.answer_post(actor=person, question=question, body=f"Answer {number}", certainty=HIGH)
        qa.comment_add(actor=owner, answer=answer, body="Nice")
        qa.comment_add(actor=person, question=question, body="Me too")
        qa.vote_cast(actor=member, answer=answer, value=1)
        qa.vote_cast(actor=person, question=question, value=1)
        qa.answer_set_outcome(actor=member, answer=answer, outcome=Outcome.WORKED)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        client.get(address)
    assert queries(client, address) == small

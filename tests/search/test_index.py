"""The index follows every create, edit and delete of communities, questions, answers and practices."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from practica.communities.models import Tag, Visibility
from practica.communities.services import community_update
from practica.knowledge.models import PracticeStatus, Relevance
from practica.search.documents import plain_text, reindex_all
from practica.search.models import DocumentKind, SearchDocument
from practica.search.selectors import search
from tests.search.conftest import tag_named

pytestmark = pytest.mark.django_db


def titles(person, query, **filters) -> list[str]:
    return [hit.title for hit in search(person, query, **filters).items]


def document(kind: DocumentKind, object_id: int) -> SearchDocument:
    return SearchDocument.objects.get(kind=kind, object_id=object_id)


def test_a_new_community_is_found_by_name_charter_and_tag(member, testing):
    assert titles(member, "Testing") == ["Testing"]
    assert titles(member, "mutation") == ["Testing"]
    assert titles(member, "qa") == ["Testing"]
    assert "**" not in document(DocumentKind.COMMUNITY, testing.pk).body


def test_a_community_edit_and_delete_reach_the_index(owner, member, testing):
    community_update(
        actor=owner, community=testing, name="Quality Guild", summary="", visibility=Visibility.OPEN, tags="x"
    )
    assert titles(member, "quality") == ["Quality Guild"]
    testing.delete()
    assert titles(member, "quality") == []
    assert not SearchDocument.objects.exists()


def test_a_question_is_indexed_on_create_edit_and_delete(member, testing, ask):
    question = ask(testing, "Why are builds flaky?", "Our **pipeline** fails at random")
    assert titles(member, "pipeline") == ["Why are builds flaky?"]
    question.title = "Why do pipelines time out?"
    question.save()
    assert titles(member, "flaky", kind="question") == []
    assert titles(member, "time out") == ["Why do pipelines time out?"]
    question.delete()
    assert titles(member, "pipeline") == []


def test_an_answer_is_indexed_and_carries_its_questions_title_and_tags(member, testing, ask, answer):
    question = ask(testing, "Why are builds flaky?", tags=("ci",))
    reply = answer(question, "Quarantine the **nondeterministic** ones")
    hit = search(member, "nondeterministic").items[0]
    assert (hit.kind, hit.title) == (DocumentKind.ANSWER, "Why are builds flaky?")
    assert hit.url.endswith(f"#answer-{reply.pk}")
    assert titles(member, "quarantine", tag="ci") == ["Why are builds flaky?"]
    reply.body = "Retry them"
    reply.save()
    assert titles(member, "quarantine") == []
    question.title = "Why are tests unstable?"
    question.save()
    assert document(DocumentKind.ANSWER, reply.pk).title == "Why are tests unstable?"
    reply.delete()
    assert not SearchDocument.objects.filter(kind=DocumentKind.ANSWER).exists()


def test_deleting_a_question_removes_its_answers_too(member, testing, ask, answer):
    question = ask(testing, "Why are builds flaky?")
    answer(question, "Quarantine them")
    question.delete()
    assert titles(member, "quarantine") == []
    assert SearchDocument.objects.filter(kind__in=[DocumentKind.QUESTION, DocumentKind.ANSWER]).count() == 0


def test_a_practice_is_indexed_unless_it_is_a_draft_and_archived_ones_say_so(member, testing, write_practice):
    practice = write_practice(testing, "Trunk-based development", "Merge small changes daily", status="draft")
    assert titles(member, "trunk") == []
    practice.status = PracticeStatus.PUBLISHED
    practice.save(update_fields=["status", "updated_at"])
    assert titles(member, "trunk") == ["Trunk-based development"]
    practice.status = PracticeStatus.ARCHIVED
    practice.save()
    [hit] = search(member, "trunk").items
    assert hit.status == "Archived"
    practice.status = PracticeStatus.DRAFT
    practice.save()
    assert titles(member, "trunk") == []
    practice.status = PracticeStatus.PUBLISHED
    practice.save()
    practice.delete()
    assert titles(member, "trunk") == []


def test_a_question_marked_outdated_stays_findable_and_says_so(member, testing, ask):
    question = ask(testing, "Which Jenkins plugin for flaky tests?")
    question.relevance = Relevance.OUTDATED
    question.save(update_fields=["relevance"])
    assert search(member, "jenkins").items[0].status == "No longer relevant"


@pytest.mark.parametrize("kind", ["question", "practice"])
def test_tag_changes_reindex_from_either_side(member, testing, ask, write_practice, kind):
    thing = (
        ask(testing, "Mutation scores") if kind == "question" else write_practice(testing, "Mutation scores")
    )
    pitest = tag_named("pitest")
    thing.tags.add(pitest)
    assert titles(member, "pitest") == ["Mutation scores"]
    assert titles(member, "mutation", tag="pitest") == ["Mutation scores"]
    thing.tags.remove(pitest)
    assert titles(member, "pitest") == []
    pitest.questions.add(thing) if kind == "question" else pitest.practices.add(thing)
    assert titles(member, "pitest") == ["Mutation scores"]
    pitest.questions.clear() if kind == "question" else pitest.practices.clear()
    assert titles(member, "pitest") == []
    thing.tags.add(pitest)
    thing.tags.clear()
    assert titles(member, "pitest") == []


def test_renaming_or_deleting_a_tag_reindexes_what_carries_it(member, testing, ask):
    question = ask(testing, "Mutation scores", tags=("pitest",))
    tag = Tag.objects.get(name="pitest")
    tag.name = "stryker"
    tag.save()
    assert titles(member, "stryker") == ["Mutation scores"]
    tag.delete()
    assert titles(member, "stryker") == []
    assert document(DocumentKind.QUESTION, question.pk).tag_names == ""


def test_saves_of_fields_search_does_not_read_cost_no_query(member, testing, ask, django_assert_num_queries):
    question = ask(testing, "Why are builds flaky?")
    question.score = 3
    with django_assert_num_queries(1):
        question.save(update_fields=["score"])


def test_a_community_slug_change_rewrites_its_documents_addresses(member, testing, ask):
    question = ask(testing, "Why are builds flaky?")
    testing.slug = "quality"
    testing.save()
    assert document(DocumentKind.QUESTION, question.pk).url.startswith("/communities/quality/")


def test_a_rolled_back_edit_leaves_the_index_as_it_was(member, testing, ask):
    from django.db import transaction

    question = ask(testing, "Why are builds flaky?")
    with pytest.raises(RuntimeError), transaction.atomic():
        question.title = "Renamed"
        question.save()
        raise RuntimeError
    assert titles(member, "flaky") == ["Why are builds flaky?"]
    assert titles(member, "renamed") == []


def test_reindex_all_rebuilds_the_same_index(member, testing, private, ask, answer, write_practice):
    question = ask(testing, "Why are builds flaky?", "Often **timing**", tags=("ci",))
    answer(question, "Quarantine them")
    write_practice(testing, "Trunk-based development")
    write_practice(testing, "Unfinished idea", status=PracticeStatus.DRAFT)
    before = sorted(
        SearchDocument.objects.values_list("kind", "object_id", "title", "tag_names", "body", "url")
    )
    SearchDocument.objects.all().delete()
    assert titles(member, "flaky") == []
    written = reindex_all()
    assert written == {"community": 2, "question": 1, "answer": 1, "practice": 1}
    after = sorted(
        SearchDocument.objects.values_list("kind", "object_id", "title", "tag_names", "body", "url")
    )
    assert after == before
    assert titles(member, "quarantine", tag="ci") == ["Why are builds flaky?"]


def test_the_rebuild_command_reports_progress(testing, ask, capsys):
    ask(testing, "Why are builds flaky?")
    call_command("rebuild_search_index")
    output = capsys.readouterr().out
    assert "Question: 1/1" in output
    assert "Indexed 2 documents" in output


def test_plain_text_drops_markdown_and_keeps_the_words():
    assert plain_text("# Title\n\nSome *emphasis* and `code <b>` and [a link](http://x.org)") == (
        "Title Some emphasis and code <b> and a link"
    )

"""Question-and-answer pages. Thin: parse, authorise, call a service or selector, render.

A private community's questions are a 404 for non-members on every page and every POST
(``community_for``); refusals from the services come back as a message next to what was tried.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from practica.communities.access import page_access as _access
from practica.communities.selectors import CommunityAccess
from practica.core.errors import ApplicationError
from practica.core.http import HtmxHttpRequest
from practica.core.pagination import paginate
from practica.core.permissions import can_judge_answers, can_take_part, person_for_user
from practica.knowledge import qa, qa_selectors
from practica.knowledge.models import Answer, Question, Vote
from practica.knowledge.qa_forms import (
    AnswerForm,
    CommentForm,
    OutcomeForm,
    QuestionForm,
    RelevanceForm,
    VoteForm,
)
from practica.knowledge.qa_selectors import EXPERT_MIN_RESOLVED, EXPERT_PRIOR_ANSWERS
from practica.people.models import Person


def _may_take_part(person: Person, access: CommunityAccess) -> bool:
    return can_take_part(person, access.community, access.membership)


def _page(request: HttpRequest, template: str, access: CommunityAccess, **context: Any) -> HttpResponse:
    return render(
        request, template, {"community": access.community, "access": access, "tab": "questions", **context}
    )


def _form_error(form: Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _detail_url(question: Question, anchor: str = "") -> str:
    url = reverse("qa:detail", args=[question.community.slug, question.pk])
    return f"{url}#{anchor}" if anchor else url


@login_required
def question_list(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _access(request, slug)
    unanswered = request.GET.get("unanswered") in {"on", "1", "true"}
    # Tags are matched by slug, so "Flaky Tests" finds #flaky-tests (and the page can link to its experts).
    tag = slugify(request.GET.get("tag", ""))
    questions = qa_selectors.question_list(access.community, unanswered=unanswered, tag=tag)
    context = {
        "page": paginate(request, questions),
        "unanswered": unanswered,
        "tag": tag,
        "may_ask": _may_take_part(person, access),
    }
    return _page(request, "knowledge/qa/list.html", access, **context)


@login_required
def question_ask(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _access(request, slug)
    if not _may_take_part(person, access):
        raise PermissionDenied(qa.NOT_TAKING_PART)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = qa.question_ask(actor=person, community=access.community, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Your question is posted. Members see it in the community's questions.")
            return redirect(_detail_url(question))
    return _page(request, "knowledge/qa/form.html", access, form=form, question=None)


def _detail(
    request: HttpRequest, person: Person, access: CommunityAccess, question: Question, **extra: Any
) -> HttpResponse:
    may_take_part = _may_take_part(person, access)
    context = {
        "question": question,
        "qa": qa_selectors.question_page(question, person),
        "may_take_part": may_take_part,
        "may_judge": can_judge_answers(person, question.author_id, access.membership),
        "viewer": person,
        "answer_form": AnswerForm() if may_take_part else None,
        "comment_form": CommentForm(),
        **extra,
    }
    return _page(request, "knowledge/qa/detail.html", access, **context)


@login_required
def question_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    return _detail(request, person, access, qa_selectors.question_in(access, pk))


@login_required
def question_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    question = qa_selectors.question_in(access, pk)
    if not can_judge_answers(person, question.author_id, access.membership):
        raise PermissionDenied(qa.NOT_YOUR_QUESTION)
    initial = {
        "title": question.title,
        "body": question.body,
        "tags": ", ".join(tag.name for tag in question.tags.all()),
        "allow_several_accepted": question.allow_several_accepted,
    }
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            qa.question_edit(actor=person, question=question, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "The question is saved.")
            return redirect(_detail_url(question))
    return _page(request, "knowledge/qa/form.html", access, form=form, question=question)


@login_required
@require_POST
def answer_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    question = qa_selectors.question_in(access, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            answer = qa.answer_post(actor=person, question=question, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Your answer is posted.")
            return redirect(_detail_url(question, f"answer-{answer.pk}"))
    return _detail(request, person, access, question, answer_form=form)


def _vote_context(person: Person, post: Question | Answer, url: str, **extra: Any) -> dict[str, Any]:
    target: dict[str, Question | Answer] = (
        {"question": post} if isinstance(post, Question) else {"answer": post}
    )
    mine = Vote.objects.filter(person=person, **target).values_list("value", flat=True).first()
    return {
        "score": post.score,
        "my_vote": mine or 0,
        "vote_url": url,
        "vote_target": "q" if isinstance(post, Question) else "a",
        "vote_pk": post.pk,
        "author_id": post.author_id,
        "viewer_id": person.pk,
        **extra,
    }


def _vote(
    request: HtmxHttpRequest, person: Person, access: CommunityAccess, post: Question | Answer, url: str
) -> HttpResponse:
    form = VoteForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "Vote up, down, or withdraw your vote."
    else:
        target: dict[str, Any] = {"question": post} if isinstance(post, Question) else {"answer": post}
        try:
            qa.vote_cast(actor=person, value=form.cleaned_data["value"], **target)
        except ApplicationError as refusal:
            error = refusal.message
        post.refresh_from_db(fields=["score"])
    if request.htmx:
        # htmx swaps only 2xx answers by default, so a refusal comes back as 200 with the message shown.
        return render(
            request,
            "knowledge/qa/partials/votes.html",
            _vote_context(person, post, url, vote_error=error, may_take_part=_may_take_part(person, access)),
        )
    if error:
        messages.error(request, error)
    question = post if isinstance(post, Question) else post.question
    anchor = "question" if isinstance(post, Question) else f"answer-{post.pk}"
    return redirect(_detail_url(question, anchor))


@login_required
@require_POST
def question_vote(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    question = qa_selectors.question_in(access, pk)
    return _vote(request, person, access, question, reverse("qa:vote", args=[slug, pk]))


@login_required
@require_POST
def answer_vote(request: HtmxHttpRequest, slug: str, pk: int, answer_pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    answer = qa_selectors.answer_in(qa_selectors.question_in(access, pk), answer_pk)
    return _vote(request, person, access, answer, reverse("qa:answer-vote", args=[slug, pk, answer_pk]))


def _act(request: HttpRequest, question: Question, anchor: str, action: Any, success: str) -> HttpResponse:
    try:
        action()
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(_detail_url(question, anchor))


@login_required
@require_POST
def answer_accept(request: HttpRequest, slug: str, pk: int, answer_pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    answer = qa_selectors.answer_in(qa_selectors.question_in(access, pk), answer_pk)
    accepted = request.POST.get("accepted", "1") != "0"
    return _act(
        request,
        answer.question,
        f"answer-{answer.pk}",
        lambda: qa.answer_accept(actor=person, answer=answer, accepted=accepted),
        "The answer is accepted." if accepted else "The answer is no longer accepted.",
    )


@login_required
@require_POST
def answer_outcome(request: HttpRequest, slug: str, pk: int, answer_pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    answer = qa_selectors.answer_in(qa_selectors.question_in(access, pk), answer_pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say whether it worked or did not work.")
        return redirect(_detail_url(answer.question, f"answer-{answer.pk}"))
    outcome = form.cleaned_data["outcome"]
    success = (
        "Thanks: the outcome is recorded and scored into the answerer's private calibration."
        if outcome
        else "The outcome is cleared."
    )
    return _act(
        request,
        answer.question,
        f"answer-{answer.pk}",
        lambda: qa.answer_set_outcome(actor=person, answer=answer, outcome=outcome),
        success,
    )


@login_required
@require_POST
def comment_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    question = qa_selectors.question_in(access, pk)
    answer_id = request.POST.get("answer", "")
    answer = qa_selectors.answer_in(question, int(answer_id)) if answer_id.isdigit() else None
    form = CommentForm(request.POST)
    anchor = f"answer-{answer.pk}" if answer else "question"
    if not form.is_valid():
        messages.error(request, "A comment needs text, up to 2,000 characters.")
        return redirect(_detail_url(question, anchor))
    target: dict[str, Any] = {"answer": answer} if answer else {"question": question}
    return _act(
        request,
        question,
        anchor,
        lambda: qa.comment_add(actor=person, body=form.cleaned_data["body"], **target),
        "Your comment is posted.",
    )


@login_required
@require_POST
def question_relevance(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    question = qa_selectors.question_in(access, pk)
    form = RelevanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say “still relevant” or “no longer relevant”.")
        return redirect(_detail_url(question, "question"))
    relevance = form.cleaned_data["relevance"]
    return _act(
        request,
        question,
        "question",
        lambda: qa.question_mark_relevance(actor=person, question=question, relevance=relevance),
        "Thanks: the question is marked " + ("still relevant." if relevance == "relevant" else "outdated."),
    )


@login_required
def community_unanswered(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _access(request, slug)
    questions = qa_selectors.question_list(access.community, unanswered=True)
    context = {"page": paginate(request, questions), "queue": True, "may_ask": _may_take_part(person, access)}
    return _page(request, "knowledge/qa/list.html", access, unanswered=True, tag="", **context)


@login_required
def unanswered_queue(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    mine = request.GET.get("mine") in {"on", "1", "true"}
    context = {"page": paginate(request, qa_selectors.unanswered_for(person, mine=mine)), "mine": mine}
    return render(request, "knowledge/qa/unanswered.html", context)


@login_required
def experts(request: HttpRequest, tag: str) -> HttpResponse:
    person = person_for_user(request.user)
    chosen = qa_selectors.tag_by_slug(tag)
    context = {
        "tag": chosen,
        "ranks": qa_selectors.experts_for_tag(person, chosen),
        "opted_in": qa_selectors.expert_tags_of(person).filter(pk=chosen.pk).exists(),
        "min_resolved": EXPERT_MIN_RESOLVED,
        "prior_answers": EXPERT_PRIOR_ANSWERS,
    }
    return render(request, "knowledge/qa/experts.html", context)


@login_required
@require_POST
def expert_listing(request: HttpRequest, tag: str) -> HttpResponse:
    person = person_for_user(request.user)
    chosen = qa_selectors.tag_by_slug(tag)
    listed = request.POST.get("listed") == "1"
    try:
        if listed:
            qa.expert_opt_in(person=person, tag=chosen)
        else:
            qa.expert_opt_out(person=person, tag=chosen)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"You are listed as an expert for {chosen.name}."
            if listed
            else f"You are no longer listed for {chosen.name}.",
        )
    # Only two places send here; a named choice instead of a URL leaves no open redirect.
    if request.POST.get("back") == "profile":
        return redirect("people:profile")
    return redirect("qa:experts", tag=chosen.slug)

"""Forecast pages of a community: the list, asking, and the question page. Thin: parse, authorise,
call a service or selector, render.

A private community's forecasts are a 404 for non-members on every page and every POST
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
from django.views.decorators.http import require_POST

from practica.calibration import forecast_selectors as selectors
from practica.calibration import forecasts
from practica.calibration.forecast_forms import ForecastForm, ForecastQuestionForm, ListingForm, ResolveForm
from practica.calibration.models import ForecastQuestion
from practica.communities.access import page_access
from practica.communities.selectors import CommunityAccess
from practica.core.errors import ApplicationError
from practica.core.pagination import paginate
from practica.core.permissions import can_resolve_forecast, can_take_part
from practica.core.privacy import min_group_size
from practica.people.models import Person

EXTREME_WARNING = (
    "You said {percent}%: one wrong 100% forecast is costly. If it goes the other way it scores the worst "
    "possible Brier score (1) and a log score of about 14; 99% or 1% costs far less when you are wrong."
)


def _page(
    request: HttpRequest, template: str, access: CommunityAccess, *, status: int = 200, **context: Any
) -> HttpResponse:
    context = {"community": access.community, "access": access, "tab": "forecasts", **context}
    return render(request, template, context, status=status)


def _form_error(form: Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
def forecast_list(request: HttpRequest, slug: str) -> HttpResponse:
    _, access = page_access(request, slug)
    page = paginate(request, selectors.question_list(access))
    return _page(request, "calibration/forecasts/list.html", access, page=page, may_ask=access.is_member)


@login_required
def forecast_ask(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = page_access(request, slug)
    if not access.is_member:
        raise PermissionDenied(forecasts.NOT_A_MEMBER)
    form = ForecastQuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = forecasts.forecast_question_create(
                actor=person, community=access.community, **form.cleaned_data
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Your forecast question is open. Make the first forecast.")
            return redirect(forecasts.question_path(question))
    status = 400 if request.method == "POST" else 200
    return _page(request, "calibration/forecasts/ask.html", access, form=form, status=status)


def _detail(
    request: HttpRequest,
    person: Person,
    access: CommunityAccess,
    question: ForecastQuestion,
    *,
    forecast_form: ForecastForm | None = None,
    resolve_form: ResolveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = selectors.question_page(question, person)
    may_forecast = not question.is_closed() and can_take_part(person, access.community, access.membership)
    may_resolve = not question.is_resolved and can_resolve_forecast(person, question, access.membership)
    if forecast_form is None and may_forecast:
        latest = page.my_latest
        initial = (
            {"probability": f"{latest.probability * 100:.4g}", "listed": latest.listed} if latest else {}
        )
        forecast_form = ForecastForm(initial=initial)
    context = {
        "question": question,
        "forecast_page": page,
        "may_forecast": may_forecast,
        "forecast_form": forecast_form if may_forecast else None,
        "resolve_form": (resolve_form or ResolveForm()) if may_resolve else None,
        "replace_seconds": int(forecasts.REPLACE_WINDOW.total_seconds()),
        "group_step": min_group_size(),
    }
    return _page(request, "calibration/forecasts/detail.html", access, status=status, **context)


@login_required
def forecast_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    return _detail(request, person, access, selectors.question_in(access, pk))


@login_required
@require_POST
def forecast_make(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    question = selectors.question_in(access, pk)
    form = ForecastForm(request.POST)
    if form.is_valid():
        percent = form.cleaned_data["probability"]
        try:
            forecasts.forecast_make(
                person=person,
                question=question,
                probability=percent / 100,
                listed=form.cleaned_data["listed"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            if percent in (0, 100):
                messages.warning(request, EXTREME_WARNING.format(percent=f"{percent:g}"))
            messages.success(request, f"Your forecast of {percent:g}% is saved.")
            return redirect(forecasts.question_path(question))
    if question.is_closed():
        # The form is gone from a closed question's page, so say why on the page instead.
        messages.error(request, forecasts.ALREADY_RESOLVED if question.is_resolved else forecasts.CLOSED)
        return redirect(forecasts.question_path(question))
    return _detail(request, person, access, question, forecast_form=form, status=400)


@login_required
@require_POST
def forecast_resolve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    question = selectors.question_in(access, pk)
    if not can_resolve_forecast(person, question, access.membership):
        raise PermissionDenied(forecasts.NOT_A_RESOLVER)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            forecasts.forecast_question_resolve(
                actor=person, question=question, resolution=form.cleaned_data["resolution"]
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, "The question is resolved; forecasters see their scores on their calibration page."
            )
        return redirect(forecasts.question_path(question))
    return _detail(request, person, access, question, resolve_form=form, status=400)


@login_required
@require_POST
def forecast_listing(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    question = selectors.question_in(access, pk)
    form = ListingForm(request.POST)
    listed = form.is_valid() and form.cleaned_data["listed"]
    forecasts.forecast_listing_set(person=person, question=question, listed=listed)
    messages.success(
        request,
        "Others can see your forecasts with your name once the question resolves."
        if listed
        else "Your forecasts stay unlisted: others never see them with your name.",
    )
    return redirect(forecasts.question_path(question))

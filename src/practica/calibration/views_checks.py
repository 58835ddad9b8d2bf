"""Knowledge-check pages of a community: list, authoring (leads), taking, the report, and the results
(item statistics and group view) for leads and stewards. Thin: parse, authorise, call a service or
selector, render.

A private community's checks are a 404 for non-members on every page and POST (``community_for``);
a draft is a 404 for everyone but the leads; an attempt is a 404 for everyone but its owner.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from practica.analysis.calibration import CBM_OPTIMAL_BANDS, DKReport
from practica.calibration import check_selectors as selectors
from practica.calibration import checks
from practica.calibration.check_forms import CheckForm, ItemForm, StartForm, StatusForm, response_from_post
from practica.calibration.models import CheckStatus, KnowledgeCheck
from practica.calibration.views import ACCENT, VEGA_LITE_SCHEMA, cbm_levels_chart
from practica.communities.access import page_access
from practica.communities.selectors import CommunityAccess
from practica.core.errors import ApplicationError
from practica.core.http import HtmxHttpRequest
from practica.core.pagination import paginate
from practica.core.permissions import can_author_checks, can_see_group_calibration, can_take_part
from practica.core.privacy import min_group_size
from practica.people.models import Person

QUARTILE_NAMES = {1: "Bottom quarter", 2: "Second quarter", 3: "Third quarter", 4: "Top quarter"}


def _page(
    request: HttpRequest, template: str, access: CommunityAccess, *, status: int = 200, **context: Any
) -> HttpResponse:
    context = {"community": access.community, "access": access, "tab": "checks", **context}
    return render(request, template, context, status=status)


def _require_author(access: CommunityAccess) -> None:
    if not can_author_checks(access.membership):
        raise PermissionDenied(checks.NOT_AN_AUTHOR)


# Charts ---------------------------------------------------------------------------------------------


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 1)


def quartile_chart(report: DKReport) -> dict[str, Any]:
    """Vega-Lite spec: the Kruger-Dunning figure (mean actual and mean self-estimated percentile per
    actual-score quartile) beside the null model's mean and 90% band."""
    lines = []
    band = []
    for row in report.quartiles:
        if row.count == 0:
            continue
        name = QUARTILE_NAMES[row.quartile]
        lines.append(
            {"quartile": name, "series": "Actual score", "percentile": _finite(row.mean_actual_percentile)}
        )
        lines.append(
            {"quartile": name, "series": "Self-estimate", "percentile": _finite(row.mean_self_percentile)}
        )
        null_mean = _finite(row.null_mean_self_percentile)
        if null_mean is not None:
            lines.append(
                {
                    "quartile": name,
                    "series": "Self-estimate without a real effect (null model)",
                    "percentile": null_mean,
                }
            )
            band.append(
                {"quartile": name, "lower": _finite(row.null_lower), "upper": _finite(row.null_upper)}
            )
    x = {
        "field": "quartile",
        "type": "ordinal",
        "title": "Quarter of the group by actual score",
        "sort": list(QUARTILE_NAMES.values()),
        "axis": {"labelAngle": 0},
    }
    y = {"type": "quantitative", "title": "Percentile in the group", "scale": {"domain": [0, 100]}}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Mean actual and self-estimated percentile per quartile, with the null model's band.",
        "width": "container",
        "height": 300,
        "layer": [
            {
                "data": {"values": band},
                "mark": {"type": "area", "color": "#8a94a3", "opacity": 0.25},
                "encoding": {"x": x, "y": {**y, "field": "lower"}, "y2": {"field": "upper"}},
            },
            {
                "data": {"values": lines},
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": x,
                    "y": {**y, "field": "percentile"},
                    "color": {"field": "series", "type": "nominal", "title": None,
                              "scale": {"range": [ACCENT, "#c2410c", "#6b7280"]},
                              "legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 0}},
                    "strokeDash": {"field": "series", "type": "nominal", "legend": None,
                                   "scale": {"range": [[1, 0], [1, 0], [5, 4]]}},
                    "tooltip": [{"field": "series"}, {"field": "percentile", "title": "Percentile"}],
                },
            },
        ],
    }  # fmt: skip


# List and authoring -------------------------------------------------------------------------------


@login_required
def check_list(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = page_access(request, slug)
    page = paginate(request, selectors.check_list(access, person))
    return _page(
        request,
        "calibration/checks/list.html",
        access,
        page=page,
        may_author=can_author_checks(access.membership),
    )


@login_required
def check_new(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = page_access(request, slug)
    _require_author(access)
    form = CheckForm(request.POST or None, skills=selectors.skill_choices(access))
    if request.method == "POST" and form.is_valid():
        try:
            check = checks.check_create(actor=person, community=access.community, **form.service_fields())
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Your draft check is saved. Add its items, then publish it.")
            return redirect("calibration:check-edit", slug=slug, pk=check.pk)
    status = 400 if request.method == "POST" else 200
    return _page(request, "calibration/checks/check_form.html", access, form=form, status=status)


def _edit_page(
    request: HttpRequest,
    access: CommunityAccess,
    check: KnowledgeCheck,
    *,
    form: CheckForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        form = CheckForm(initial=CheckForm.initial_for(check), skills=selectors.skill_choices(access))
    items = [selectors.ItemView(item, None) for item in selectors.items_of(check)]
    return _page(
        request, "calibration/checks/edit.html", access, check=check, form=form, items=items, status=status
    )


@login_required
def check_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    _require_author(access)
    check = selectors.check_in(access, pk)
    if request.method != "POST":
        return _edit_page(request, access, check)
    form = CheckForm(request.POST, skills=selectors.skill_choices(access))
    if form.is_valid():
        try:
            checks.check_update(actor=person, check=check, **form.service_fields())
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "The check is saved.")
            return redirect("calibration:check-edit", slug=slug, pk=pk)
    return _edit_page(request, access, check, form=form, status=400)


@login_required
@require_POST
def check_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    _require_author(access)
    check = selectors.check_in(access, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, checks.BAD_STATUS_CHANGE)
        return redirect("calibration:check-edit", slug=slug, pk=pk)
    try:
        check = checks.check_set_status(actor=person, check=check, status=form.cleaned_data["status"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "The check is published: members can take it."
            if check.status == CheckStatus.PUBLISHED
            else "The check is archived: its history stays, nobody can start it.",
        )
    return redirect("calibration:check-edit", slug=slug, pk=pk)


def _item_form_page(
    request: HttpRequest, person: Person, access: CommunityAccess, check: KnowledgeCheck, item_pk: int | None
) -> HttpResponse:
    item = selectors.item_in(check, item_pk) if item_pk is not None else None
    skills = selectors.skill_choices(access)
    if request.method != "POST":
        initial = ItemForm.initial_for(item) if item else None
        form = ItemForm(initial=initial, skills=skills)
        return _page(request, "calibration/checks/item_form.html", access, check=check, item=item, form=form)
    form = ItemForm(request.POST, skills=skills)
    if form.is_valid():
        try:
            fields = form.service_fields()
            if item is None:
                checks.item_create(actor=person, check=check, **fields)
            else:
                checks.item_update(actor=person, item=item, **fields)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "The item is saved.")
            return redirect("calibration:check-edit", slug=access.community.slug, pk=check.pk)
    return _page(
        request, "calibration/checks/item_form.html", access, check=check, item=item, form=form, status=400
    )


@login_required
def item_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    _require_author(access)
    return _item_form_page(request, person, access, selectors.check_in(access, pk), None)


@login_required
def item_edit(request: HttpRequest, slug: str, pk: int, item_pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    _require_author(access)
    return _item_form_page(request, person, access, selectors.check_in(access, pk), item_pk)


@login_required
@require_POST
def item_delete(request: HttpRequest, slug: str, pk: int, item_pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    _require_author(access)
    item = selectors.item_in(selectors.check_in(access, pk), item_pk)
    try:
        checks.item_delete(actor=person, item=item)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The item is deleted.")
    return redirect("calibration:check-edit", slug=slug, pk=pk)


@login_required
@require_POST
def item_move(request: HttpRequest, slug: str, pk: int, item_pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    _require_author(access)
    item = selectors.item_in(selectors.check_in(access, pk), item_pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        checks.item_move(actor=person, item=item, offset=offset)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect(f"{checks.check_path(item.check_ref)}edit/#items")


# Taking -------------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    person: Person,
    access: CommunityAccess,
    check: KnowledgeCheck,
    *,
    start_form: StartForm | None = None,
    status: int = 200,
) -> HttpResponse:
    attempts = selectors.my_attempts(person, check)
    open_attempt = next((attempt for attempt in attempts if attempt.submitted_at is None), None)
    may_start = (
        check.status == CheckStatus.PUBLISHED
        and open_attempt is None
        and can_take_part(person, access.community, access.membership)
    )
    context = {
        "check": check,
        "item_count": check.items.count(),
        "attempts": attempts,
        "open_attempt": open_attempt,
        "trend": selectors.trend_sentence(attempts),
        "start_form": (start_form or StartForm()) if may_start else None,
        "may_author": can_author_checks(access.membership),
        "may_see_results": can_see_group_calibration(person, access.membership),
        "is_member": can_take_part(person, access.community, access.membership),
    }
    return _page(request, "calibration/checks/detail.html", access, status=status, **context)


@login_required
def check_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    return _detail(request, person, access, selectors.check_in(access, pk))


@login_required
@require_POST
def attempt_start(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    check = selectors.check_in(access, pk)
    form = StartForm(request.POST)
    if form.is_valid():
        try:
            attempt = checks.attempt_start(
                person=person, check=check, estimated_score=form.cleaned_data["estimate"] / 100
            )
        except ApplicationError as error:
            if error.field == "estimated_score":
                form.add_error("estimate", error.message)
            else:
                messages.error(request, error.message)
                return redirect(checks.check_path(check))
        else:
            return redirect(checks.attempt_path(attempt))
    return _detail(request, person, access, check, start_form=form, status=400)


def _certainty_help() -> dict[str, int]:
    return {
        "mid_threshold": round(CBM_OPTIMAL_BANDS[2][0] * 100),
        "high_threshold": round(CBM_OPTIMAL_BANDS[3][0] * 100),
    }


@login_required
def attempt_page(request: HttpRequest, slug: str, pk: int, attempt_pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    check = selectors.check_in(access, pk)
    attempt = selectors.attempt_in(check, person, attempt_pk)
    if attempt.submitted_at is None:
        page = selectors.take_page(attempt)
        return _page(
            request, "calibration/checks/take.html", access, check=check, take=page, **_certainty_help()
        )
    report = selectors.attempt_report(attempt)
    attempts = selectors.my_attempts(person, check)
    return _page(
        request,
        "calibration/checks/report.html",
        access,
        check=check,
        report=report,
        attempts=attempts,
        trend=selectors.trend_sentence(attempts),
        chart_spec=cbm_levels_chart(report.summary),
    )


@login_required
@require_POST
def attempt_answer(
    request: HtmxHttpRequest, slug: str, pk: int, attempt_pk: int, item_pk: int
) -> HttpResponse:
    person, access = page_access(request, slug)
    check = selectors.check_in(access, pk)
    attempt = selectors.attempt_in(check, person, attempt_pk)
    item = selectors.item_in(check, item_pk)
    error = ""
    try:
        checks.attempt_answer(
            person=person,
            attempt=attempt,
            item=item,
            response=response_from_post(item, request.POST),
            certainty=request.POST.get("certainty") or None,
        )
    except ApplicationError as refusal:
        error = refusal.message
    if request.htmx:
        context = {
            "view": selectors.item_view(attempt, item),
            "error": error,
            "saved": not error,
            "answered_count": selectors.answered_count(attempt),
        }
        # htmx swaps only 2xx answers by default, so a refusal comes back as 200 with the message shown.
        return render(request, "calibration/checks/partials/answer_status.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Your answer is saved. You can change it until you submit.")
    return redirect(f"{checks.attempt_path(attempt)}#item-{item.pk}")


@login_required
@require_POST
def attempt_submit(request: HttpRequest, slug: str, pk: int, attempt_pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    check = selectors.check_in(access, pk)
    attempt = selectors.attempt_in(check, person, attempt_pk)
    try:
        checks.attempt_submit(person=person, attempt=attempt)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your attempt is scored. Only you can see this report.")
    return redirect(checks.attempt_path(attempt))


# Results for leads and stewards -------------------------------------------------------------------


@login_required
def check_results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = page_access(request, slug)
    if not can_see_group_calibration(person, access.membership):
        raise PermissionDenied("Only the community's leads and stewards see a check's results.")
    check = selectors.check_in(access, pk)
    statistics = selectors.item_statistics_for(check)
    group = selectors.group_view(check)
    chart_spec = quartile_chart(group.value.report) if group.value and group.value.quartiles_shown else None
    return _page(
        request,
        "calibration/checks/results.html",
        access,
        check=check,
        statistics=statistics,
        group=group,
        chart_spec=chart_spec,
        min_people=min_group_size(),
    )

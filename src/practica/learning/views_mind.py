"""Pages for experiments, the assumption register, shared vision and personal learning goals.

Thin: parse, authorise (the selectors 404 what the viewer may not see), call a service, render.
Refusals from the services come back as a message next to the field (status 400) or as a message
on the page they came from.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from practica.calibration.views import VEGA_LITE_SCHEMA
from practica.core.errors import ApplicationError
from practica.core.pagination import paginate
from practica.core.permissions import person_for_user
from practica.learning import assumptions as assumption_services
from practica.learning import experiments, goals, vision
from practica.learning import mind_selectors as selectors
from practica.learning.mind_forms import (
    AssumptionChangeForm,
    AssumptionEditForm,
    AssumptionForm,
    CheckInForm,
    CommentForm,
    ConcludeForm,
    DraftForm,
    EvidenceForm,
    ExperimentForm,
    GoalForm,
    LearningCardForm,
    MilestoneForm,
    PredictionForm,
    PulseForm,
    RebaseForm,
    ShareForm,
)
from practica.learning.models import (
    Assumption,
    AssumptionScope,
    AssumptionStatus,
    Decision,
    Experiment,
    ExperimentResult,
    ExperimentStatus,
    LearningGoal,
    Milestone,
)
from practica.people.models import Person

EXTREME_WARNING = (
    "You said {percent}%: allowed, but risky. If it goes the other way this prediction scores the worst "
    "possible Brier score (1); 99% or 1% costs far less when you are wrong."
)
ACCENT = "#174a94"


def _form_error(form: Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _frame(holder_community: Any) -> dict[str, Any]:
    """Community pages render inside the community's tabs; the rest in the plain layout."""
    if holder_community is not None:
        return {"frame": "learning/mind/frame_community.html", "community": holder_community}
    return {"frame": "learning/mind/frame_plain.html"}


# Experiments --------------------------------------------------------------------------------------


def _board_page(request: HttpRequest, person: Person, holder: selectors.Holder, new_url: str) -> HttpResponse:
    context = {
        **_frame(holder.community),
        "access": holder.access,
        "tab": "experiments",
        "holder": holder,
        "board": selectors.experiment_board(holder),
        "new_url": new_url if holder.is_participant else "",
        "board_url": request.path,
    }
    return render(request, "learning/mind/experiment_board.html", context)


@login_required
def team_experiments(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_for_user(request.user)
    holder = selectors.team_holder(person, slug)
    return _board_page(request, person, holder, reverse("learning:team-experiment-new", args=[slug]))


@login_required
def community_experiments(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_for_user(request.user)
    holder = selectors.community_holder(person, slug)
    return _board_page(request, person, holder, reverse("learning:community-experiment-new", args=[slug]))


def _experiment_new(request: HttpRequest, person: Person, holder: selectors.Holder) -> HttpResponse:
    if not holder.is_participant:
        raise PermissionDenied(experiments.NOT_A_PARTICIPANT)
    visible = selectors.assumptions_visible_to(person).order_by("statement")
    form = ExperimentForm(request.POST or None, assumptions=visible)
    if request.method == "POST" and form.is_valid():
        try:
            experiment = experiments.experiment_create(
                actor=person, team=holder.team, community=holder.community, **form.cleaned_data
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(
                request, "The test card is written. Ask the team for their predictions before you start."
            )
            return redirect(experiments.experiment_path(experiment))
    context = {
        **_frame(holder.community),
        "access": holder.access,
        "tab": "experiments",
        "holder": holder,
        "form": form,
        "templates": _lean_templates(),
    }
    return render(
        request,
        "learning/mind/experiment_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


def _lean_templates() -> list[dict[str, str]]:
    """Links to the method library's lean-startup cards, when that library has them."""
    from practica.learning.models import MethodTemplate

    found = []
    for template in MethodTemplate.objects.filter(slug__in=["lean-test-card", "lean-learning-card"]).order_by(
        "slug"
    ):
        try:
            url = reverse("learning:template-detail", args=[template.slug])
        except NoReverseMatch:  # the library's pages are optional here
            url = ""
        found.append({"name": template.name, "url": url, "summary": template.summary})
    return found


@login_required
def team_experiment_new(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_for_user(request.user)
    return _experiment_new(request, person, selectors.team_holder(person, slug))


@login_required
def community_experiment_new(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_for_user(request.user)
    return _experiment_new(request, person, selectors.community_holder(person, slug))


def predictions_chart(page: selectors.PredictionPage, experiment: Experiment) -> dict[str, Any] | None:
    """Vega-Lite: the group's predictions per 10% bin, the group mean, your own prediction ("You") and,
    once won or lost, the outcome. Only drawn when the group is large enough to show."""
    if not page.group_visible or not page.group.shown or page.group.value is None:
        return None
    bins = [
        {"from": index * 10, "to": index * 10 + 10, "people": count}
        for index, count in enumerate(page.group.value.bins)
    ]
    top = max(page.group.value.bins) + 1
    x = {"type": "quantitative", "title": "Probability that it succeeds (%)", "scale": {"domain": [0, 100]}}
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": bins},
            "mark": {"type": "bar", "color": "#9db4d8", "binSpacing": 1},
            "encoding": {
                "x": {**x, "field": "from", "bin": {"binned": True, "step": 10}},
                "x2": {"field": "to"},
                "y": {
                    "field": "people",
                    "type": "quantitative",
                    "title": "People",
                    "axis": {"values": list(range(top + 1)), "format": "d"},
                    "scale": {"domain": [0, top]},
                },
                "tooltip": [{"field": "from", "title": "From %"}, {"field": "people", "title": "People"}],
            },
        },
        {
            "data": {"values": [{"x": round(page.group.value.mean * 100, 1), "label": "Group mean"}]},
            "mark": {"type": "rule", "color": ACCENT, "strokeDash": [4, 4], "size": 2},
            "encoding": {"x": {**x, "field": "x"}, "tooltip": [{"field": "label"}, {"field": "x"}]},
        },
    ]
    if page.mine is not None:
        layers.append(
            {
                "data": {"values": [{"x": round(page.mine.probability * 100, 1), "label": "You"}]},
                "layer": [
                    {
                        "mark": {"type": "rule", "color": "#b35c00", "size": 2},
                        "encoding": {"x": {**x, "field": "x"}},
                    },
                    {
                        "mark": {
                            "type": "text",
                            "dy": -6,
                            "align": "left",
                            "dx": 4,
                            "color": "#b35c00",
                            "fontWeight": "bold",
                        },
                        "encoding": {"x": {**x, "field": "x"}, "y": {"value": 8}, "text": {"field": "label"}},
                    },
                ],
            }
        )
    if page.outcome is not None:
        label = "Outcome: won" if page.outcome == 1.0 else "Outcome: lost"
        layers.append(
            {
                "data": {"values": [{"x": page.outcome * 100, "label": label}]},
                "layer": [
                    {
                        "mark": {"type": "rule", "color": "#1f7a3a", "size": 3},
                        "encoding": {"x": {**x, "field": "x"}},
                    },
                    {
                        "mark": {
                            "type": "text",
                            "dy": -6,
                            "align": "right" if page.outcome else "left",
                            "dx": -4 if page.outcome else 4,
                            "color": "#1f7a3a",
                            "fontWeight": "bold",
                        },
                        "encoding": {
                            "x": {**x, "field": "x"},
                            "y": {"value": 24},
                            "text": {"field": "label"},
                        },
                    },
                ],
            }
        )
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": f"Predictions on {experiment.title} against the outcome.",
        "width": "container",
        "height": 220,
        "layer": layers,
    }  # fmt: skip


def _experiment_detail(
    request: HttpRequest,
    person: Person,
    experiment: Experiment,
    holder: selectors.Holder,
    *,
    prediction_form: PredictionForm | None = None,
    conclude_form: ConcludeForm | None = None,
    learning_form: LearningCardForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = selectors.prediction_page(experiment, person)
    planned = experiment.status == ExperimentStatus.PLANNED
    may_predict = planned and selectors.is_participant(person, experiment)
    may_run = selectors.may_run(person, experiment)
    assumption = None
    may_change_assumption = False
    if experiment.assumption_id is not None:
        assumption = selectors.assumptions_visible_to(person).filter(pk=experiment.assumption_id).first()
        may_change_assumption = assumption is not None and assumption_services.may_change(person, assumption)
    if prediction_form is None and may_predict:
        initial = {"probability": f"{page.mine.probability * 100:.4g}"} if page.mine else {}
        prediction_form = PredictionForm(initial=initial)
    if conclude_form is None and may_run and experiment.status == ExperimentStatus.RUNNING:
        conclude_form = ConcludeForm(
            initial={"assumption_confidence": f"{assumption.confidence * 100:.4g}"} if assumption else {}
        )
    concluded = experiment.status == ExperimentStatus.CONCLUDED
    if learning_form is None and may_run and concluded:
        learning_form = LearningCardForm(
            initial={"learning": experiment.learning, "decision": experiment.decision}
        )
    chart = predictions_chart(page, experiment)
    context = {
        **_frame(holder.community),
        "access": holder.access,
        "tab": "experiments",
        "holder": holder,
        "experiment": experiment,
        "board_url": reverse("learning:team-experiments", args=[holder.team.slug])
        if holder.team
        else reverse(
            "learning:community-experiments", args=[holder.community.slug if holder.community else ""]
        ),
        "predictions": page,
        "prediction_form": prediction_form if may_predict else None,
        "may_run": may_run,
        "conclude_form": conclude_form if may_run and experiment.status == ExperimentStatus.RUNNING else None,
        "learning_form": learning_form if may_run and concluded else None,
        "assumption": assumption,
        "may_change_assumption": may_change_assumption,
        "chart_spec": chart,
        "bins": [(index * 10, count) for index, count in enumerate(page.group.value.bins)]
        if page.group.value
        else [],
        "change_form": AssumptionChangeForm(
            initial={
                "status": AssumptionStatus.SUPPORTED
                if experiment.result == ExperimentResult.WON
                else AssumptionStatus.REFUTED
                if experiment.result == ExperimentResult.LOST
                else assumption.status,
                "confidence": f"{assumption.confidence * 100:.4g}",
            }
        )
        if assumption is not None and may_change_assumption and concluded
        else None,
    }
    return render(request, "learning/mind/experiment_detail.html", context, status=status)


@login_required
def experiment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    experiment, holder = selectors.experiment_for(person, pk)
    return _experiment_detail(request, person, experiment, holder)


@login_required
def experiment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    experiment, holder = selectors.experiment_for(person, pk)
    if not selectors.may_run(person, experiment):
        raise PermissionDenied(experiments.NOT_A_RUNNER)
    visible = selectors.assumptions_visible_to(person).order_by("statement")
    initial = {name: getattr(experiment, name) for name in experiments.CARD_FIELDS}
    initial["assumption"] = experiment.assumption_id
    form = ExperimentForm(request.POST or None, initial=initial, assumptions=visible)
    if request.method == "POST" and form.is_valid():
        try:
            experiments.experiment_update(actor=person, experiment=experiment, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "The test card is updated.")
            return redirect(experiments.experiment_path(experiment))
    context = {
        **_frame(holder.community),
        "access": holder.access,
        "tab": "experiments",
        "holder": holder,
        "form": form,
        "experiment": experiment,
        "templates": _lean_templates(),
    }
    return render(
        request,
        "learning/mind/experiment_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def experiment_predict(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    experiment, holder = selectors.experiment_for(person, pk)
    form = PredictionForm(request.POST)
    if form.is_valid():
        percent = form.cleaned_data["probability"]
        try:
            experiments.experiment_predict(person=person, experiment=experiment, probability=percent / 100)
        except ApplicationError as error:
            if experiment.status != ExperimentStatus.PLANNED or not selectors.is_participant(
                person, experiment
            ):
                messages.error(request, error.message)
                return redirect(experiments.experiment_path(experiment))
            _form_error(form, error)
        else:
            if percent in (0, 100):
                messages.warning(request, EXTREME_WARNING.format(percent=f"{percent:g}"))
            messages.success(
                request,
                f"Your prediction of {percent:g}% is saved. You can change it until the experiment starts.",
            )
            return redirect(experiments.experiment_path(experiment))
    elif experiment.status != ExperimentStatus.PLANNED:
        messages.error(request, experiments.PREDICTIONS_CLOSED)
        return redirect(experiments.experiment_path(experiment))
    return _experiment_detail(request, person, experiment, holder, prediction_form=form, status=400)


@login_required
@require_POST
def experiment_start(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    experiment, _ = selectors.experiment_for(person, pk)
    try:
        experiments.experiment_start(actor=person, experiment=experiment)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The experiment is running; predictions are closed.")
    return redirect(experiments.experiment_path(experiment))


@login_required
@require_POST
def experiment_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    experiment, holder = selectors.experiment_for(person, pk)
    if not selectors.may_run(person, experiment):
        raise PermissionDenied(experiments.NOT_A_RUNNER)
    form = ConcludeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        confidence = data["assumption_confidence"]
        try:
            experiments.experiment_conclude(
                actor=person,
                experiment=experiment,
                result=data["result"],
                result_data=data["result_data"],
                learning=data["learning"],
                decision=data["decision"],
                assumption_status=data["assumption_status"],
                assumption_confidence=None if confidence is None else confidence / 100,
                assumption_note=data["assumption_note"],
            )
        except ApplicationError as error:
            field = {
                "status": "assumption_status",
                "confidence": "assumption_confidence",
                "note": "assumption_note",
            }.get(error.field or "", error.field)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(
                request, "The experiment is concluded; predictors see their scores on their calibration page."
            )
            return redirect(experiments.experiment_path(experiment))
    experiment.refresh_from_db()
    return _experiment_detail(request, person, experiment, holder, conclude_form=form, status=400)


@login_required
@require_POST
def experiment_learning(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    experiment, holder = selectors.experiment_for(person, pk)
    if not selectors.may_run(person, experiment):
        raise PermissionDenied(experiments.NOT_A_RUNNER)
    form = LearningCardForm(request.POST)
    if form.is_valid():
        try:
            experiments.experiment_learning_card_set(actor=person, experiment=experiment, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "The learning card is saved.")
            return redirect(experiments.experiment_path(experiment))
    return _experiment_detail(request, person, experiment, holder, learning_form=form, status=400)


@login_required
@require_POST
def experiment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    experiment, holder = selectors.experiment_for(person, pk)
    try:
        experiments.experiment_delete(actor=person, experiment=experiment)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(experiments.experiment_path(experiment))
    messages.success(request, "The planned experiment is deleted.")
    if holder.team is not None:
        return redirect("learning:team-experiments", holder.team.slug)
    assert holder.community is not None
    return redirect("learning:community-experiments", holder.community.slug)


@login_required
def learnings(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    filters = {
        "result": request.GET.get("result", ""),
        "decision": request.GET.get("decision", ""),
        "search": request.GET.get("q", ""),
        "holder": request.GET.get("holder", ""),
    }
    page = paginate(request, selectors.learnings(person, **filters))
    context = {
        "page": page,
        "filters": filters,
        "results": [c for c in ExperimentResult.choices if c[0]],
        "decisions": [c for c in Decision.choices if c[0]],
    }
    return render(request, "learning/mind/learnings.html", context)


# Assumptions --------------------------------------------------------------------------------------


@login_required
def assumption_list(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    filters: dict[str, Any] = {
        "status": request.GET.get("status", ""),
        "scope": request.GET.get("scope", ""),
        "search": request.GET.get("q", ""),
        "mine": request.GET.get("mine") == "1",
    }
    page = paginate(request, selectors.assumption_register(person, **filters))
    context = {
        "page": page,
        "filters": filters,
        "statuses": AssumptionStatus.choices,
        "scopes": AssumptionScope.choices,
    }
    return render(request, "learning/mind/assumption_list.html", context)


@login_required
def assumption_new(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    form = AssumptionForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assumption = assumption_services.assumption_create(
                actor=person,
                statement=data["statement"],
                details=data["details"],
                scope=data["scope"],
                team=data["team"],
                community=data["community"],
                confidence=data["confidence"] / 100,
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "The assumption is in the register, untested.")
            return redirect("learning:assumption-detail", assumption.pk)
    return render(
        request,
        "learning/mind/assumption_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _assumption_page(
    request: HttpRequest,
    person: Person,
    assumption: Assumption,
    *,
    change_form: AssumptionChangeForm | None = None,
    evidence_form: EvidenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_change = assumption_services.may_change(person, assumption)
    context = {
        "assumption": assumption,
        "changes": list(assumption.changes.select_related("author").order_by("-created_at", "-id")),
        "evidence": list(selectors.assumption_evidence(assumption, person)),
        "experiments": list(selectors.assumption_experiments(assumption, person)),
        "may_change": may_change,
        "change_form": (
            change_form
            or AssumptionChangeForm(
                initial={"status": assumption.status, "confidence": f"{assumption.confidence * 100:.4g}"}
            )
        )
        if may_change
        else None,
        "evidence_form": evidence_form or EvidenceForm(),
    }
    return render(request, "learning/mind/assumption_detail.html", context, status=status)


@login_required
def assumption_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    return _assumption_page(request, person, selectors.assumption_for(person, pk))


@login_required
def assumption_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    assumption = selectors.assumption_for(person, pk)
    if not assumption_services.may_change(person, assumption):
        raise PermissionDenied(assumption_services.NOT_AN_EDITOR)
    form = AssumptionEditForm(
        request.POST or None, initial={"statement": assumption.statement, "details": assumption.details}
    )
    if request.method == "POST" and form.is_valid():
        try:
            assumption_services.assumption_edit(actor=person, assumption=assumption, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "The assumption is reworded.")
            return redirect("learning:assumption-detail", assumption.pk)
    context = {"form": form, "assumption": assumption}
    return render(
        request,
        "learning/mind/assumption_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else ""


@login_required
@require_POST
def assumption_change(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    assumption = selectors.assumption_for(person, pk)
    if not assumption_services.may_change(person, assumption):
        raise PermissionDenied(assumption_services.NOT_AN_EDITOR)
    form = AssumptionChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            assumption_services.assumption_change(
                actor=person,
                assumption=assumption,
                status=data["status"],
                confidence=data["confidence"] / 100,
                note=data["note"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "The change is in the assumption's history.")
            return redirect(
                _safe_next(request) or reverse("learning:assumption-detail", args=[assumption.pk])
            )
    return _assumption_page(request, person, assumption, change_form=form, status=400)


@login_required
@require_POST
def assumption_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    assumption = selectors.assumption_for(person, pk)
    form = EvidenceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            assumption_services.assumption_evidence_add(
                actor=person,
                assumption=assumption,
                direction=data["direction"],
                summary=data["summary"],
                answer_id=data["answer"],
                url=data["url"] or "",
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "The evidence is added.")
            return redirect("learning:assumption-detail", assumption.pk)
    return _assumption_page(request, person, assumption, evidence_form=form, status=400)


# Shared vision ------------------------------------------------------------------------------------


def _vision_urls(scope: selectors.VisionScope) -> dict[str, str]:
    if scope.community is None:
        return {
            "page": reverse("learning:vision"),
            "propose": reverse("learning:vision-propose"),
            "pulse": reverse("learning:vision-pulse"),
            "history": reverse("learning:vision-history"),
        }
    slug = scope.community.slug
    return {
        "page": reverse("learning:community-vision", args=[slug]),
        "propose": reverse("learning:community-vision-propose", args=[slug]),
        "pulse": reverse("learning:community-vision-pulse", args=[slug]),
        "history": reverse("learning:community-vision-history", args=[slug]),
    }


def _vision_page(
    request: HttpRequest,
    person: Person,
    scope: selectors.VisionScope,
    *,
    draft_form: DraftForm | None = None,
    pulse_form: PulseForm | None = None,
    errors: dict[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    current = scope.vision
    results = selectors.pulse_results(current)
    drafts = selectors.open_drafts(current) if current else []
    for view in drafts:
        view.error = (errors or {}).get(view.draft.pk, "")
    context = {
        **_frame(scope.community),
        "access": scope.access,
        "tab": "vision",
        "scope": scope,
        "vision": current,
        "urls": _vision_urls(scope),
        "drafts": drafts,
        "viewer_id": person.pk,
        "draft_form": draft_form or DraftForm(initial={"text": current.text if current else ""}),
        "pulse_form": (pulse_form or PulseForm())
        if scope.may_pulse and current and current.version
        else None,
        "my_pulse": selectors.my_latest_pulse(current, person),
        "results": results,
        "current_version": current.version if current else 0,
    }
    return render(request, "learning/mind/vision.html", context, status=status)


@login_required
def organisation_vision(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    return _vision_page(request, person, selectors.organisation_scope(person))


@login_required
def community_vision(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_for_user(request.user)
    return _vision_page(request, person, selectors.community_scope(person, slug))


def _propose(request: HttpRequest, person: Person, scope: selectors.VisionScope) -> HttpResponse:
    form = DraftForm(request.POST)
    if form.is_valid():
        try:
            vision.vision_draft_propose(actor=person, scope=scope, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Your draft is proposed; others can comment on it.")
            return redirect(_vision_urls(scope)["page"])
    return _vision_page(request, person, scope, draft_form=form, status=400)


@login_required
@require_POST
def organisation_vision_propose(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    return _propose(request, person, selectors.organisation_scope(person))


@login_required
@require_POST
def community_vision_propose(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_for_user(request.user)
    return _propose(request, person, selectors.community_scope(person, slug))


def _pulse(request: HttpRequest, person: Person, scope: selectors.VisionScope) -> HttpResponse:
    if not scope.may_pulse:
        raise PermissionDenied(vision.NOT_A_PULSER)
    form = PulseForm(request.POST)
    if form.is_valid():
        try:
            vision.vision_pulse_give(person=person, scope=scope, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Thank you: your pulse is counted (without your name).")
            return redirect(_vision_urls(scope)["page"])
    return _vision_page(request, person, scope, pulse_form=form, status=400)


@login_required
@require_POST
def organisation_vision_pulse(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    return _pulse(request, person, selectors.organisation_scope(person))


@login_required
@require_POST
def community_vision_pulse(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_for_user(request.user)
    return _pulse(request, person, selectors.community_scope(person, slug))


@login_required
@require_POST
def vision_draft_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Comment on, adopt, re-base or withdraw a draft; the scope comes from the draft (and is checked)."""
    person = person_for_user(request.user)
    draft, scope = selectors.draft_for(person, pk)
    try:
        if action == "comment":
            form: Form = CommentForm(request.POST)
            form.is_valid()
            vision.vision_comment_add(
                actor=person, scope=scope, draft=draft, text=form.cleaned_data.get("text", "")
            )
            messages.success(request, "Your comment is added.")
        elif action == "adopt":
            vision.vision_draft_adopt(actor=person, scope=scope, draft=draft)
            messages.success(request, "The draft is adopted as the new version of the vision.")
        elif action == "rebase":
            form = RebaseForm(request.POST)
            form.is_valid()
            vision.vision_draft_rebase(
                actor=person, scope=scope, draft=draft, text=form.cleaned_data.get("text", "")
            )
            messages.success(request, "The draft is re-based on the current version.")
        elif action == "withdraw":
            vision.vision_draft_withdraw(actor=person, scope=scope, draft=draft)
            messages.success(request, "The draft is withdrawn.")
        else:
            raise Http404("No such action.")
    except ApplicationError as error:
        return _vision_page(request, person, scope, errors={draft.pk: error.message}, status=400)
    return redirect(_vision_urls(scope)["page"] + f"#draft-{draft.pk}")


def _history(request: HttpRequest, scope: selectors.VisionScope) -> HttpResponse:
    versions = selectors.versions(scope.vision) if scope.vision else []
    by_number = {draft.version: draft for draft in versions}
    newest = (versions[0].version or 0) if versions else 0
    try:
        newer = int(request.GET.get("b") or newest)
        older = int(request.GET.get("a") or max(newer - 1, 1))
    except ValueError:
        newer, older = newest, max(newest - 1, 1)
    diff: list[str] = []
    if older in by_number and newer in by_number and older != newer:
        diff = vision.version_diff(
            by_number[older].text or "", by_number[newer].text or "", f"version {older}", f"version {newer}"
        )
    context = {
        **_frame(scope.community),
        "access": scope.access,
        "tab": "vision",
        "scope": scope,
        "urls": _vision_urls(scope),
        "versions": versions,
        "older": older,
        "newer": newer,
        "diff": diff,
        "results": selectors.pulse_results(scope.vision),
    }
    return render(request, "learning/mind/vision_history.html", context)


@login_required
def organisation_vision_history(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    return _history(request, selectors.organisation_scope(person))


@login_required
def community_vision_history(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_for_user(request.user)
    return _history(request, selectors.community_scope(person, slug))


# Goals --------------------------------------------------------------------------------------------


@login_required
def goal_list(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    context = {"mine": list(selectors.my_goals(person)), "shared": list(selectors.goals_shared_with(person))}
    return render(request, "learning/mind/goal_list.html", context)


def _goal_form_page(request: HttpRequest, person: Person, goal: LearningGoal | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if goal is not None:
        initial = {
            "title": goal.title,
            "vision": goal.vision,
            "current_reality": goal.current_reality,
            "target_date": goal.target_date,
            "status": goal.status,
            "skills": list(goal.skills.values_list("pk", flat=True)),
        }
    form = GoalForm(request.POST or None, initial=initial, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if goal is None:
                data.pop("status")
                goal = goals.goal_create(actor=person, **data)
            else:
                goal = goals.goal_update(actor=person, goal=goal, **data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Your goal is saved. Only you see it until you share it.")
            return redirect("learning:goal-detail", goal.pk)
    return render(
        request,
        "learning/mind/goal_form.html",
        {"form": form, "goal": goal},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def goal_new(request: HttpRequest) -> HttpResponse:
    return _goal_form_page(request, person_for_user(request.user), None)


@login_required
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    goal = selectors.goal_for(person, pk)
    if goal.person_id != person.pk:
        raise PermissionDenied(goals.NOT_THE_OWNER)
    return _goal_form_page(request, person, goal)


def _goal_page(
    request: HttpRequest,
    person: Person,
    goal: LearningGoal,
    *,
    milestone_form: MilestoneForm | None = None,
    check_in_form: CheckInForm | None = None,
    share_form: ShareForm | None = None,
    status: int = 200,
) -> HttpResponse:
    owner = goal.person_id == person.pk
    context = {
        "goal": goal,
        "owner": owner,
        "skills": list(goal.skills.order_by("name")),
        "milestones": list(goal.milestones.order_by("due_on", "id")),
        "check_ins": list(goal.check_ins.select_related("author").order_by("-created_at", "-id")),
        "shared_with": list(goal.shared_with.order_by("display_name")) if owner else [],
        "milestone_form": (milestone_form or MilestoneForm()) if owner else None,
        "check_in_form": check_in_form or CheckInForm(),
        "share_form": (share_form or ShareForm()) if owner else None,
    }
    return render(request, "learning/mind/goal_detail.html", context, status=status)


@login_required
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    return _goal_page(request, person, selectors.goal_for(person, pk))


@login_required
@require_POST
def goal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    goal = selectors.goal_for(person, pk)
    try:
        goals.goal_delete(actor=person, goal=goal)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("learning:goal-detail", goal.pk)
    messages.success(request, "The goal is deleted.")
    return redirect("learning:goals")


@login_required
@require_POST
def goal_milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    goal = selectors.goal_for(person, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            goals.milestone_add(actor=person, goal=goal, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            return redirect("learning:goal-detail", goal.pk)
    return _goal_page(request, person, goal, milestone_form=form, status=400)


@login_required
@require_POST
def goal_milestone_toggle(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    goal = selectors.goal_for(person, pk)
    milestone = Milestone.objects.filter(goal=goal, pk=milestone_pk).select_related("goal").first()
    if milestone is None:
        raise Http404("No such milestone.")
    try:
        goals.milestone_set_done(actor=person, milestone=milestone, done=request.POST.get("done") == "1")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("learning:goal-detail", goal.pk)


@login_required
@require_POST
def goal_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    goal = selectors.goal_for(person, pk)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            goals.check_in_add(actor=person, goal=goal, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "The check-in is added.")
            return redirect("learning:goal-detail", goal.pk)
    return _goal_page(request, person, goal, check_in_form=form, status=400)


@login_required
@require_POST
def goal_share(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    goal = selectors.goal_for(person, pk)
    form = ShareForm(request.POST)
    if form.is_valid():
        other = Person.objects.filter(email__iexact=form.cleaned_data["email"]).select_related("user").first()
        if other is None:
            form.add_error("email", "Nobody here has this email address.")
        else:
            try:
                goals.goal_share(actor=person, goal=goal, person=other)
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, f"{other.display_name} can now read this goal and add check-ins.")
                return redirect("learning:goal-detail", goal.pk)
    return _goal_page(request, person, goal, share_form=form, status=400)


@login_required
@require_POST
def goal_unshare(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    goal = selectors.goal_for(person, pk)
    other = Person.objects.filter(pk=person_pk).first()
    if other is None:
        raise Http404("No such person.")
    try:
        goals.goal_unshare(actor=person, goal=goal, person=other)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{other.display_name} no longer sees this goal.")
    return redirect("learning:goal-detail", goal.pk)

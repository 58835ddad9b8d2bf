"""Pages for the learning home, the method library, reviews, insights and actions. Thin: parse,
authorise, call a service or selector, render.

The review page is one board; each change on it (adding an item, grouping, a dot, a follow-up) is an
htmx request answered with a fragment: the item, or the board. A refusal comes back as the message
(htmx swaps only 2xx answers, so htmx refusals are 200 with the message retargeted into the board's
message area; the same request without htmx gets a 400 page). A review someone does not take part in
is a 404 on every page and POST.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from practica.calibration.models import ForecastQuestion
from practica.communities.access import page_access
from practica.communities.models import Community, Visibility
from practica.core.errors import ApplicationError
from practica.core.http import HtmxHttpRequest
from practica.core.pagination import paginate
from practica.core.permissions import can_manage_method_library, community_visible_q, person_for_user
from practica.learning import method_library, reviews
from practica.learning import review_selectors as selectors
from practica.learning.models import (
    Action,
    Experiment,
    Insight,
    InsightShare,
    ReviewGroup,
    ReviewItem,
    ReviewPhase,
)
from practica.learning.review_forms import (
    ActionForm,
    AdoptForm,
    FollowUpForm,
    InsightForm,
    ItemEditForm,
    ItemForm,
    LinkForm,
    ReviewForm,
    ShareForm,
    TemplateForm,
)
from practica.learning.review_selectors import ReviewAccess
from practica.people.models import Person, Team


def _form_error(form: Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


NO_SUCH_COMMUNITIES = "Some of those communities do not exist, or you cannot see them."


def _first_error(form: Form) -> str:
    return str(next(iter(form.errors.values()))[0])


def review_path(review_id: int) -> str:
    return reverse("learning:review", args=[review_id])


# Home and method library -----------------------------------------------------------------------------


@login_required
def home(request: HtmxHttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    context = {
        "reviews": selectors.review_list_for(person)[:8],
        "my_actions": selectors.my_open_actions(person)[:20],
        "insights": selectors.insight_list_for(person)[:6],
        "teams": selectors.my_teams(person),
    }
    return render(request, "learning/home.html", context)


@login_required
def method_list(request: HtmxHttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    context = {
        "templates": selectors.template_list(kind=None),
        "may_add": can_manage_method_library(person),
    }
    return render(request, "learning/reviews/methods.html", context)


@login_required
def method_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    person_for_user(request.user)
    return render(request, "learning/reviews/method.html", {"template": selectors.template_by_slug(slug)})


@login_required
def method_create(request: HtmxHttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    if not can_manage_method_library(person):
        raise PermissionDenied(method_library.NOT_A_STEWARD)
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = method_library.method_template_create(actor=person, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"{template.name} is in the method library.")
            return redirect("learning:template-detail", template.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/reviews/method_form.html", {"form": form}, status=status)


# Starting reviews and their history ---------------------------------------------------------------------


def _holders(person: Person) -> list[tuple[str, str]]:
    teams = [(f"team:{team.pk}", f"Team: {team.name}") for team in selectors.my_teams(person)]
    communities = [
        (f"community:{community.pk}", f"Community: {community.name}")
        for community in selectors.shareable_communities(person)
    ]
    return teams + communities


def _is_id(value: str) -> bool:
    """A database id as posted: ASCII digits, small enough for any integer column (an overlong or
    non-ASCII number would make the database raise instead of finding nothing)."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def _holder(person: Person, value: str) -> tuple[Team | None, Community | None]:
    kind, _, pk = value.partition(":")
    if kind == "team" and _is_id(pk):
        team = selectors.my_teams(person).filter(pk=int(pk)).first()
        if team is not None:
            return team, None
    if kind == "community" and _is_id(pk):
        community = selectors.shareable_communities(person).filter(pk=int(pk)).first()
        if community is not None:
            return None, community
    raise ApplicationError("Choose one of your teams or communities.", field="holder")


@login_required
def review_create(request: HtmxHttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    holders = _holders(person)
    form = ReviewForm(request.POST or None, initial={"template": request.GET.get("template")})
    chosen = request.POST.get("holder") or request.GET.get("holder", "")
    holder_error = ""
    if request.method == "POST" and form.is_valid():
        try:
            team, community = _holder(person, chosen)
            review = reviews.review_create(actor=person, team=team, community=community, **form.cleaned_data)
        except ApplicationError as error:
            if error.field == "holder" or error.field in {"team", "community"}:
                holder_error = error.message
            else:
                _form_error(form, error)
        else:
            messages.success(request, "The review is open: everyone in it can add items now.")
            return redirect(review_path(review.pk))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "holders": holders, "chosen": chosen, "holder_error": holder_error}
    return render(request, "learning/reviews/new.html", context, status=status)


@login_required
def team_history(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    person = person_for_user(request.user)
    team = selectors.team_for(person, slug)
    rows, total = selectors.review_history(team=team)
    context = {
        "holder_name": team.name,
        "rows": rows,
        "total": total,
        "definition": selectors.FOLLOW_THROUGH_DEFINITION,
        "new_holder": f"team:{team.pk}",
    }
    return render(request, "learning/reviews/history.html", context)


@login_required
def community_history(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    _, access = page_access(request, slug)
    if not access.is_member:
        # Reviews are for participants: an open community's reviews are for those who joined.
        raise Http404("No such community reviews.")
    rows, total = selectors.review_history(community=access.community)
    context = {
        "community": access.community,
        "access": access,
        "tab": "insights",
        "rows": rows,
        "total": total,
        "definition": selectors.FOLLOW_THROUGH_DEFINITION,
        "new_holder": f"community:{access.community.pk}",
    }
    return render(request, "learning/reviews/community_history.html", context)


# The review board --------------------------------------------------------------------------------------


def _board_context(access: ReviewAccess, **extra: Any) -> dict[str, Any]:
    review = access.review
    context: dict[str, Any] = {
        "review": review,
        "access": access,
        "board": selectors.board(access),
        "next_phase": reviews.next_phase(review),
        "phases": [phase for phase in reviews.PHASE_ORDER],
        "follow_up_choices": reviews.FollowUp.CHOICES,
    }
    context.update(extra)
    return context


def _link_choices(access: ReviewAccess) -> dict[str, Any]:
    review = access.review
    if not access.is_facilitator or access.is_closed:
        return {}
    if review.community_id is not None:
        questions = ForecastQuestion.objects.filter(community_id=review.community_id)
        experiments = Experiment.objects.filter(community_id=review.community_id)
    else:
        readable = selectors.shareable_communities(access.person).exclude(visibility=Visibility.PRIVATE)
        questions = ForecastQuestion.objects.filter(community__in=readable)
        experiments = Experiment.objects.filter(team=review.team)
    return {
        "forecast_choices": list(questions.exclude(reviews=review).order_by("-created_at")[:50]),
        "experiment_choices": list(experiments.exclude(reviews=review).order_by("-created_at")[:50]),
    }


def _board_response(
    request: HtmxHttpRequest, access: ReviewAccess, *, status: int = 200, **extra: Any
) -> HttpResponse:
    if request.htmx:
        return render(
            request, "learning/reviews/partials/board.html", _board_context(access, **extra), status=status
        )
    context = _board_context(access, **extra) | _link_choices(access)
    return render(request, "learning/reviews/review.html", context, status=status)


def _refused(request: HtmxHttpRequest, access: ReviewAccess, error: ApplicationError) -> HttpResponse:
    if request.htmx:
        response = render(request, "learning/reviews/partials/message.html", {"message": error.message})
        response["HX-Retarget"] = "#review-message"
        response["HX-Reswap"] = "innerHTML"
        return response
    messages.error(request, error.message)
    return _board_response(request, access, status=400)


def _done(request: HtmxHttpRequest, access: ReviewAccess, message: str) -> HttpResponse:
    if request.htmx:
        return _board_response(request, access, message=message)
    messages.success(request, message)
    return redirect(review_path(access.review.pk))


@login_required
def review_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    access = selectors.review_for(person_for_user(request.user), pk)
    return _board_response(request, access)


@login_required
@require_POST
def review_phase(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    access = selectors.review_for(person_for_user(request.user), pk)
    try:
        review = reviews.review_set_phase(
            actor=access.person, review=access.review, phase=request.POST.get("phase", "")
        )
    except ApplicationError as error:
        return _refused(request, access, error)
    access = selectors.review_for(access.person, pk)
    return _done(request, access, f"The review moved on: {ReviewPhase(review.phase).label}.")


def _item_in(access: ReviewAccess, item_id: int) -> ReviewItem:
    item = ReviewItem.objects.filter(review=access.review, pk=item_id).first()
    if item is None:
        raise Http404("No such item.")
    item.review = access.review
    return item


@login_required
@require_POST
def item_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    access = selectors.review_for(person_for_user(request.user), pk)
    form = ItemForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, ApplicationError(_first_error(form)))
    try:
        item = reviews.review_item_add(actor=access.person, review=access.review, **form.cleaned_data)
    except ApplicationError as error:
        return _refused(request, access, error)
    if request.htmx:
        view = selectors.item_view(access.review, access.person, item.pk)
        return render(
            request,
            "learning/reviews/partials/item.html",
            {"item": view, "review": access.review, "access": access},
        )
    messages.success(request, "Your item is on the board.")
    return redirect(review_path(pk))


@login_required
@require_POST
def item_edit(request: HtmxHttpRequest, pk: int, item_id: int) -> HttpResponse:
    access = selectors.review_for(person_for_user(request.user), pk)
    item = _item_in(access, item_id)
    form = ItemEditForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError("Write the item first.")
        reviews.review_item_edit(actor=access.person, item=item, text=form.cleaned_data["text"])
    except ApplicationError as error:
        return _refused(request, access, error)
    if request.htmx:
        view = selectors.item_view(access.review, access.person, item.pk)
        return render(
            request,
            "learning/reviews/partials/item.html",
            {"item": view, "review": access.review, "access": access},
        )
    return redirect(review_path(pk))


@login_required
@require_POST
def group_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    access = selectors.review_for(person_for_user(request.user), pk)
    item_ids = [int(value) for value in request.POST.getlist("items") if _is_id(value)]
    into_id = request.POST.get("into", "")
    try:
        into = None
        if into_id:
            into = ReviewGroup.objects.filter(
                review=access.review, pk=int(into_id) if _is_id(into_id) else 0
            ).first()
            if into is None:
                raise ApplicationError("That group is not in this review.")
        reviews.review_group_create(
            actor=access.person,
            review=access.review,
            title=request.POST.get("title", ""),
            item_ids=item_ids,
            into=into,
        )
    except ApplicationError as error:
        return _refused(request, access, error)
    return _done(request, access, "Grouped.")


@login_required
@require_POST
def item_move(request: HtmxHttpRequest, pk: int, item_id: int) -> HttpResponse:
    access = selectors.review_for(person_for_user(request.user), pk)
    item = _item_in(access, item_id)
    group_id = request.POST.get("group", "")
    group = None
    if group_id:
        group = ReviewGroup.objects.filter(
            review=access.review, pk=int(group_id) if _is_id(group_id) else 0
        ).first()
        if group is None:
            return _refused(request, access, ApplicationError("That group is not in this review."))
    try:
        reviews.review_item_move(actor=access.person, item=item, group=group)
    except ApplicationError as error:
        return _refused(request, access, error)
    return _done(request, access, "Moved." if group else "Taken out of its group.")


def _vote_response(request: HtmxHttpRequest, access: ReviewAccess, item: ReviewItem) -> HttpResponse:
    if not request.htmx:
        return redirect(review_path(access.review.pk))
    context = {
        "item": selectors.item_view(access.review, access.person, item.pk),
        "review": access.review,
        "access": access,
        "dots_left": selectors.dots_left(access.review, access.person),
        "oob": True,
    }
    return render(request, "learning/reviews/partials/item.html", context)


@login_required
@require_POST
def vote_add(request: HtmxHttpRequest, pk: int, item_id: int) -> HttpResponse:
    access = selectors.review_for(person_for_user(request.user), pk)
    item = _item_in(access, item_id)
    try:
        reviews.review_vote_add(actor=access.person, item=item)
    except ApplicationError as error:
        return _refused(request, access, error)
    return _vote_response(request, access, item)


@login_required
@require_POST
def vote_remove(request: HtmxHttpRequest, pk: int, item_id: int) -> HttpResponse:
    access = selectors.review_for(person_for_user(request.user), pk)
    item = _item_in(access, item_id)
    try:
        reviews.review_vote_remove(actor=access.person, item=item)
    except ApplicationError as error:
        return _refused(request, access, error)
    return _vote_response(request, access, item)


def _optional_item(access: ReviewAccess, item_id: int | None) -> list[int]:
    return [item_id] if item_id else []


@login_required
@require_POST
def insight_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    access = selectors.review_for(person_for_user(request.user), pk)
    form = InsightForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_first_error(form))
        data = form.cleaned_data
        group = None
        if data["group"]:
            group = ReviewGroup.objects.filter(review=access.review, pk=data["group"]).first()
            if group is None:
                raise ApplicationError("That group is not in this review.")
        insight = reviews.insight_create(
            actor=access.person,
            review=access.review,
            title=data["title"],
            details=data["details"],
            item_ids=_optional_item(access, data["item"]),
            group=group,
        )
    except ApplicationError as error:
        return _refused(request, access, error)
    return _done(request, access, f"Insight saved: {insight.title}. Share it with a community from its page.")


@login_required
@require_POST
def action_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    access = selectors.review_for(person_for_user(request.user), pk)
    form = ActionForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_first_error(form))
        data = form.cleaned_data
        owner = Person.objects.filter(pk=data["owner"]).first() if data["owner"] else None
        if data["owner"] and owner is None:
            raise ApplicationError(reviews.NOT_AN_OWNER)
        item = _item_in(access, data["item"]) if data["item"] else None
        reviews.action_create(
            actor=access.person,
            review=access.review,
            title=data["title"],
            owner=owner,
            due_on=data["due_on"],
            item=item,
        )
    except ApplicationError as error:
        return _refused(request, access, error)
    return _done(request, access, "Action agreed.")


@login_required
@require_POST
def follow_up(request: HtmxHttpRequest, pk: int, action_id: int) -> HttpResponse:
    access = selectors.review_for(person_for_user(request.user), pk)
    action = Action.objects.filter(pk=action_id, review=reviews.previous_of(access.review)).first()
    if action is None:
        raise Http404("No such action.")
    form = FollowUpForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError("Say whether it was done, dropped, or is still open.")
        reviews.action_follow_up(
            actor=access.person, review=access.review, action=action, outcome=form.cleaned_data["outcome"]
        )
    except ApplicationError as error:
        return _refused(request, access, error)
    return _done(request, access, f"Followed up: {action.title}.")


@login_required
@require_POST
def review_link(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    access = selectors.review_for(person_for_user(request.user), pk)
    form = LinkForm(request.POST)
    try:
        if not form.is_valid() or not (form.cleaned_data["forecast"] or form.cleaned_data["experiment"]):
            raise ApplicationError("Choose a forecast question or an experiment to link.")
        if form.cleaned_data["forecast"]:
            question = ForecastQuestion.objects.filter(pk=form.cleaned_data["forecast"]).first()
            if question is None:
                raise ApplicationError("No such forecast question.")
            reviews.review_link_forecast(actor=access.person, review=access.review, question=question)
        if form.cleaned_data["experiment"]:
            experiment = Experiment.objects.filter(pk=form.cleaned_data["experiment"]).first()
            if experiment is None:
                raise ApplicationError("No such experiment.")
            reviews.review_link_experiment(actor=access.person, review=access.review, experiment=experiment)
    except ApplicationError as error:
        return _refused(request, access, error)
    return _done(request, access, "Linked: it now shows under what was supposed to happen.")


@login_required
@require_POST
def action_status(request: HtmxHttpRequest, action_id: int) -> HttpResponse:
    person = person_for_user(request.user)
    action = Action.objects.filter(pk=action_id).select_related("review").first()
    if action is None:
        raise Http404("No such action.")
    selectors.review_for(person, action.review_id)
    try:
        reviews.action_set_status(actor=person, action=action, status=request.POST.get("status", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{action.title}: {action.get_status_display()}.")
    next_url = request.POST.get("next", "")
    # Only a path on this site: never redirect to wherever the form was pointed.
    safe = next_url.startswith("/") and not next_url.startswith("//")
    return redirect(next_url if safe else reverse("learning:home"))


# Insights ----------------------------------------------------------------------------------------------


@login_required
def insight_list(request: HtmxHttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    page = paginate(request, selectors.insight_list_for(person))
    return render(request, "learning/reviews/insights.html", {"page": page})


def _insight_page(
    request: HtmxHttpRequest,
    person: Person,
    insight: Insight,
    *,
    status: int = 200,
    share_error: str = "",
    **forms: Any,
) -> HttpResponse:
    communities = selectors.shareable_communities(person).exclude(insight_shares__insight=insight)
    teams = selectors.my_teams(person).exclude(pk=insight.team_id or 0)
    adopted = set(insight.adoptions.values_list("team_id", flat=True))
    context = {
        "insight": insight,
        "spread": selectors.insight_spread(insight, person),
        "share_form": forms.get("share_form") or ShareForm(choices=[(c.pk, c.name) for c in communities]),
        "adopt_form": forms.get("adopt_form") or AdoptForm(),
        "adopt_teams": [team for team in teams if team.pk not in adopted],
        "may_share": communities.exists(),
        "share_error": share_error,
        "review_readable": selectors.review_readable(person, insight.review_id),
    }
    return render(request, "learning/reviews/insight.html", context, status=status)


@login_required
def insight_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    return _insight_page(request, person, selectors.insight_for(person, pk))


@login_required
@require_POST
def insight_share(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    insight = selectors.insight_for(person, pk)
    # Every community id is offered, so the service (not the form) decides who may share where.
    ids = [int(value) for value in request.POST.getlist("communities") if _is_id(value)]
    form = ShareForm(request.POST, choices=[(pk, str(pk)) for pk in ids])
    if form.is_valid():
        chosen = set(form.cleaned_data["communities"])
        # Only communities the sharer may see: a private community's name must not leak in the refusal.
        communities = list(Community.objects.filter(community_visible_q(person), pk__in=chosen))
        try:
            if len(communities) != len(chosen):
                raise ApplicationError(NO_SUCH_COMMUNITIES, field="communities")
            shares = reviews.insight_share(actor=person, insight=insight, communities=communities)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            names = ", ".join(share.community.name for share in shares)
            messages.success(request, f"Shared to {names}: it shows in their activity and Insights tab.")
            return redirect("learning:insight", insight.pk)
    # Show the refusal beside the choices, which offer only the sharer's own communities.
    refusal = "; ".join(str(message) for messages_ in form.errors.values() for message in messages_)
    mine = selectors.shareable_communities(person)
    display = ShareForm(initial={"communities": ids}, choices=[(c.pk, c.name) for c in mine])
    return _insight_page(request, person, insight, share_form=display, share_error=refusal, status=400)


@login_required
@require_POST
def insight_adopt(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    insight = selectors.insight_for(person, pk)
    form = AdoptForm(request.POST)
    if form.is_valid():
        team = Team.objects.filter(pk=form.cleaned_data["team"]).first()
        try:
            if team is None:
                raise ApplicationError("Choose one of your teams.", field="team")
            via_id = request.POST.get("via", "")
            via = (
                InsightShare.objects.filter(pk=int(via_id), insight=insight).first()
                if _is_id(via_id)
                else None
            )
            reviews.insight_adopt(
                actor=person, insight=insight, team=team, note=form.cleaned_data["note"], via=via
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"{team.name} adopted this insight.")
            return redirect("learning:insight", insight.pk)
    return _insight_page(request, person, insight, adopt_form=form, status=400)


@login_required
def community_insights(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    _, access = page_access(request, slug)
    page = paginate(request, selectors.community_insights(access.community))
    context = {"community": access.community, "access": access, "tab": "insights", "page": page}
    return render(request, "learning/reviews/community_insights.html", context)

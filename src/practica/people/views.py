"""People pages: directory, profiles, teams, API tokens. Thin: parse, authorise, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from practica.core.errors import ApplicationError
from practica.core.http import HtmxHttpRequest
from practica.core.pagination import paginate
from practica.core.permissions import can_change_roles, person_for_user, require
from practica.people import selectors, services
from practica.people.forms import (
    DirectoryFilterForm,
    ProfileForm,
    RoleForm,
    ThrottledAuthenticationForm,
    TokenForm,
)
from practica.people.models import Person, Role, Team


class SignInView(LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def directory(request: HtmxHttpRequest) -> HttpResponse:
    person_for_user(request.user)
    form = DirectoryFilterForm(request.GET or None)
    search, team = "", None
    if form.is_valid():
        search, team = form.cleaned_data["q"], form.cleaned_data["team"]
    page = paginate(request, selectors.person_list(search=search, team=team))
    context = {"form": form, "page": page, "search": search, "team": team}
    template = "people/partials/directory_results.html" if request.htmx else "people/directory.html"
    return render(request, template, context)


def _person_or_404(pk: int) -> Person:
    try:
        return selectors.person_get(pk)
    except Person.DoesNotExist:
        raise Http404("No such person.") from None


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = person_for_user(request.user)
    person = _person_or_404(pk)
    role_form = RoleForm(initial={"role": person.role}) if can_change_roles(viewer) else None
    return render(
        request, "people/person_detail.html", {"person": person, "viewer": viewer, "role_form": role_form}
    )


@login_required
@require_POST
def person_set_role(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = person_for_user(request.user)
    require(can_change_roles(viewer), "Only an admin can change roles.")
    person = _person_or_404(pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        services.person_set_role(actor=viewer, person=person, role=Role(form.cleaned_data["role"]))
        messages.success(request, f"{person.display_name} is now {person.get_role_display().lower()}.")
    else:
        messages.error(request, "Choose one of the roles listed.")
    return redirect("people:person", pk=person.pk)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    form = ProfileForm(request.POST or None, initial=_profile_initial(person))
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update_profile(person=person, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("people:profile")
    return render(request, "people/profile.html", _profile_context(person, form=form))


@login_required
@require_POST
def broker_listing(request: HttpRequest) -> HttpResponse:
    listed = request.POST.get("listed") == "1"
    services.person_set_broker_listing(person=person_for_user(request.user), listed=listed)
    if listed:
        messages.success(
            request, "Stewards may now see your name if you bridge groups (from the next network refresh)."
        )
    else:
        messages.success(request, "You are no longer named as a knowledge broker; you are only counted.")
    return redirect("people:profile")


def _profile_initial(person: Person) -> dict[str, str]:
    fields = ("display_name", "title", "location", "time_zone", "bio")
    return {name: getattr(person, name) for name in fields}


def _profile_context(person: Person, **extra: object) -> dict[str, object]:
    from practica.communities.events import personal_feed_url

    return {
        "person": person,
        "calendar_feed_path": personal_feed_url(person),
        "form": ProfileForm(initial=_profile_initial(person)),
        "token_form": TokenForm(),
        "tokens": person.api_tokens.all(),
        **extra,
    }


@login_required
@require_POST
def token_create(request: HtmxHttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    form = TokenForm(request.POST)
    context: dict[str, object] = {"token_form": form}
    if form.is_valid():
        record, token = services.api_token_create(person=person, name=form.cleaned_data["name"])
        context = {"new_token": token, "new_record": record, "token_form": TokenForm()}
    context = _profile_context(person, **context)
    if request.htmx:
        return render(request, "people/partials/tokens.html", context)
    return render(request, "people/profile.html", context)


@login_required
@require_POST
def token_revoke(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    record = services.api_token_revoke(person=person, token_id=pk)
    if request.htmx:
        return render(request, "people/partials/tokens.html", _profile_context(person))
    messages.success(request, f"The token “{record.name}” is revoked.")
    return redirect("people:profile")


@login_required
def team_index(request: HttpRequest) -> HttpResponse:
    person_for_user(request.user)
    return render(request, "people/team_index.html", {"tree": selectors.team_tree()})


@login_required
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    person_for_user(request.user)
    try:
        team = selectors.team_get(slug)
    except Team.DoesNotExist:
        raise Http404("No such team.") from None
    context = {
        "team": team,
        "ancestors": selectors.team_ancestors(team),
        "tree": selectors.team_tree(root=team),
        "members": paginate(request, selectors.team_members(team)),
    }
    return render(request, "people/team_detail.html", context)

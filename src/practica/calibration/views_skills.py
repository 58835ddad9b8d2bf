"""Skill pages: the organisation-wide taxonomy, a community's skills tab, one skill with the person's
own assessments, and the forms to assess yourself or a colleague. Thin: parse, authorise, call a
service or selector, render.

A private community's skills are a 404 for non-members (``skill_for`` / ``page_access``). Nobody's
assessments but your own (received, or given by you) appear on any page.
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
from django.views.decorators.http import require_POST

from practica.calibration import skill_selectors as selectors
from practica.calibration import skills
from practica.calibration.models import LEVEL_DESCRIPTORS, Skill, SkillLevel
from practica.calibration.skill_forms import (
    ColleagueAssessmentForm,
    CoverageFilterForm,
    SelfAssessmentForm,
    SkillForm,
)
from practica.communities.access import page_access
from practica.communities.models import Community, Level
from practica.communities.selectors import CommunityAccess, community_for
from practica.core.errors import ApplicationError
from practica.core.permissions import (
    can_manage_skills,
    can_see_group_calibration,
    membership_of,
    person_for_user,
)
from practica.people.models import Person


def skill_path(skill: Skill) -> str:
    return reverse("calibration:skill-detail", args=[skill.pk])


def _form_error(form: Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _may_manage(person: Person, community: Community | None) -> bool:
    membership = membership_of(person, community) if community is not None else None
    return can_manage_skills(person, community, membership)


def _parent(form: SkillForm, community: Community | None) -> Skill | None:
    parent_id = form.cleaned_data.get("parent")
    if parent_id is None:
        return None
    parents = (
        Skill.objects.filter(community=community)
        if community
        else Skill.objects.filter(community__isnull=True)
    )
    return parents.filter(pk=parent_id).first()


@login_required
def skill_list(request: HttpRequest) -> HttpResponse:
    """The organisation-wide taxonomy as a tree."""
    person = person_for_user(request.user)
    return _page(
        request,
        "calibration/skills/list.html",
        "Skills",
        None,
        tree=selectors.organisation_skill_tree(),
        may_manage=_may_manage(person, None),
    )


def _page(
    request: HttpRequest,
    body: str,
    title: str,
    access: CommunityAccess | None,
    *,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    """Render ``body`` inside the community's tabs (a community's skill) or the plain layout."""
    context = {"body": body, "page_title": title, **context}
    if access is not None:
        context.update(community=access.community, access=access, tab="skills")
        return render(request, "calibration/skills/in_community.html", context, status=status)
    return render(request, "calibration/skills/in_organisation.html", context, status=status)


def _access(person: Person, skill: Skill) -> CommunityAccess | None:
    return community_for(person, skill.community.slug) if skill.community is not None else None


@login_required
def community_skills(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's own skills, and for its leads and stewards the group's coverage and calibration."""
    person, access = page_access(request, slug)
    community = access.community
    context: dict[str, Any] = {
        "tree": selectors.community_skill_tree(community),
        "may_manage": access.is_lead,
        "may_see_group": can_see_group_calibration(person, access.membership),
    }
    status = 200
    if context["may_see_group"]:
        form = CoverageFilterForm(request.GET or None)
        form.fields["level"].choices = [("", "Every active member"), *Level.choices]  # type: ignore[attr-defined]
        level = request.GET.get("level", "") if form.is_valid() else ""
        try:
            context["group"] = selectors.community_skill_coverage(community, level=level)
        except ApplicationError as error:
            form.add_error("level", error.message)
            context["group"] = selectors.community_skill_coverage(community)
            status = 400
        context["filter_form"] = form
    return _page(
        request,
        "calibration/skills/community.html",
        f"Skills · {community.name}",
        access,
        status=status,
        **context,
    )


def _skill_form_page(
    request: HttpRequest,
    person: Person,
    access: CommunityAccess | None,
    *,
    skill: Skill | None = None,
) -> HttpResponse:
    community = access.community if access else None
    parents = selectors.parent_choices(community, moving=skill)
    initial = (
        {"name": skill.name, "description": skill.description, "parent": skill.parent_id} if skill else {}
    )
    form = SkillForm(request.POST or None, parents=parents, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if skill is None:
                saved = skills.skill_create(
                    actor=person,
                    community=community,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    parent=_parent(form, community),
                )
                messages.success(request, f"{saved.name} is in the taxonomy.")
            else:
                saved = skills.skill_update(
                    actor=person,
                    skill=skill,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    parent=_parent(form, community),
                )
                messages.success(request, f"{saved.name} is saved.")
        except ApplicationError as error:
            _form_error(form, error)
        else:
            return redirect(skill_path(saved))
    status = 400 if request.method == "POST" else 200
    title = f"Edit {skill.name}" if skill else "Add a skill"
    return _page(
        request,
        "calibration/skills/form.html",
        title,
        access,
        status=status,
        form=form,
        skill=skill,
        scope=community,
    )


@login_required
def skill_create(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    if not _may_manage(person, None):
        raise PermissionDenied(skills.NOT_A_STEWARD)
    return _skill_form_page(request, person, None)


@login_required
def community_skill_create(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = page_access(request, slug)
    if not access.is_lead:
        raise PermissionDenied(skills.NOT_A_LEAD)
    return _skill_form_page(request, person, access)


@login_required
def skill_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    skill = selectors.skill_for(person, pk)
    if not _may_manage(person, skill.community):
        raise PermissionDenied(skills.NOT_A_STEWARD if skill.community is None else skills.NOT_A_LEAD)
    return _skill_form_page(request, person, _access(person, skill), skill=skill)


@login_required
def skill_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    skill = selectors.skill_for(person, pk)
    if not _may_manage(person, skill.community):
        raise PermissionDenied(skills.NOT_A_STEWARD if skill.community is None else skills.NOT_A_LEAD)
    if request.method == "POST":
        back = (
            reverse("calibration:community-skills", args=[skill.community.slug])
            if skill.community
            else reverse("calibration:skill-list")
        )
        try:
            skills.skill_delete(actor=person, skill=skill)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(skill_path(skill))
        messages.success(request, f"{skill.name} is deleted.")
        return redirect(back)
    return _page(
        request, "calibration/skills/delete.html", f"Delete {skill.name}", _access(person, skill), skill=skill
    )


def _detail(
    request: HttpRequest,
    person: Person,
    skill: Skill,
    *,
    self_form: SelfAssessmentForm | None = None,
    colleague_form: ColleagueAssessmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = selectors.my_skill_evidence(person, skill=skill)
    evidence = rows[0] if rows else None
    context = {
        "skill": skill,
        "ancestors": selectors.skill_ancestors(skill),
        "children": list(selectors.skill_children(skill)),
        "levels": [(level.value, level.label, LEVEL_DESCRIPTORS[level.value]) for level in SkillLevel],
        "evidence": evidence,
        "given": list(selectors.assessments_given(person, skill)[:50]),
        "self_form": self_form
        or SelfAssessmentForm(
            initial={"level": evidence.self_level} if evidence and evidence.self_level else {}
        ),
        "colleague_form": colleague_form or ColleagueAssessmentForm(),
        "may_manage": _may_manage(person, skill.community),
    }
    return _page(
        request,
        "calibration/skills/detail.html",
        skill.name,
        _access(person, skill),
        status=status,
        **context,
    )


@login_required
def skill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    return _detail(request, person, selectors.skill_for(person, pk))


@login_required
@require_POST
def skill_self_assess(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    skill = selectors.skill_for(person, pk)
    form = SelfAssessmentForm(request.POST)
    if form.is_valid():
        try:
            skills.skill_assess(
                assessor=person,
                person=person,
                skill=skill,
                source="self",
                level=form.cleaned_data["level"],
                justification=form.cleaned_data["justification"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                "Your self-assessment is saved. Compare it with the evidence on your calibration page.",
            )
            return redirect(skill_path(skill))
    return _detail(request, person, skill, self_form=form, status=400)


@login_required
@require_POST
def skill_assess_colleague(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    skill = selectors.skill_for(person, pk)
    form = ColleagueAssessmentForm(request.POST)
    if form.is_valid():
        colleague = Person.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if colleague is None:
            form.add_error("email", "Nobody in the organisation has that email.")
        else:
            try:
                skills.skill_assess(
                    assessor=person,
                    person=colleague,
                    skill=skill,
                    source=form.cleaned_data["source"],
                    level=form.cleaned_data["level"],
                    justification=form.cleaned_data["justification"],
                )
            except ApplicationError as error:
                _form_error(
                    form, error if error.field != "person" else ApplicationError(error.message, field="email")
                )
            else:
                messages.success(
                    request,
                    f"Your assessment of {colleague.display_name} is saved; they see it with your note.",
                )
                return redirect(skill_path(skill))
    return _detail(request, person, skill, colleague_form=form, status=400)

"""The strategic skills page and the form stewards use to set targets. Thin: parse, authorise, call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from practica.calibration.models import Skill, SkillLevel
from practica.core.errors import ApplicationError
from practica.core.permissions import person_for_user
from practica.insights.selectors import require_steward
from practica.insights.skills_coverage import (
    heatmap_spec,
    public_skills_q,
    skill_choices,
    skill_set_strategic,
    skills_view,
    strategic_skills,
    trend_spec,
)
from practica.insights.views_network import dashboard_context
from practica.people.models import Person


class StrategicSkillForm(forms.Form):
    skill = forms.TypedChoiceField(coerce=int, label="Skill")
    strategic = forms.BooleanField(
        required=False, initial=True, label="Strategic", help_text="Untick to remove the skill from the list."
    )
    target_people = forms.IntegerField(
        required=False, min_value=1, label="Target: at least this many people", help_text="For example 6."
    )
    target_level = forms.TypedChoiceField(
        coerce=int, choices=SkillLevel.choices, initial=SkillLevel.PROFICIENT, label="At this level or above"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [("", "Choose a skill"), *skill_choices()]  # type: ignore[attr-defined]


def _render(
    request: HttpRequest, person: Person, form: StrategicSkillForm, status: int = 200
) -> HttpResponse:
    view = skills_view(person)
    return render(
        request,
        "insights/skills.html",
        {
            **dashboard_context("skills"),
            "view": view,
            "data": view.data,
            "oldest": view.snapshot,
            "form": form,
            "targets": strategic_skills(),
            "heatmap_spec": heatmap_spec(view.data) if view.data and view.data["heatmap"] else None,
            "trend_spec": trend_spec(view.data) if view.data and view.data["trend"] else None,
        },
        status=status,
    )


@login_required
def skills_page(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    require_steward(person)
    return _render(request, person, StrategicSkillForm())


@login_required
@require_POST
def strategic_set(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    require_steward(person)
    form = StrategicSkillForm(request.POST)
    if form.is_valid():
        skill = Skill.objects.filter(public_skills_q(), pk=form.cleaned_data["skill"]).first()
        try:
            if skill is None:
                raise ApplicationError("Choose a skill from the list.", field="skill")
            skill_set_strategic(
                actor=person,
                skill=skill,
                strategic=form.cleaned_data["strategic"],
                target_people=form.cleaned_data["target_people"],
                target_level=form.cleaned_data["target_level"],
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            state = "is strategic" if skill.strategic else "is no longer strategic"
            messages.success(
                request, f"“{skill.name}” {state}. Coverage numbers follow at the next recomputation."
            )
            return redirect("insights:skills")
    return _render(request, person, form, status=400)

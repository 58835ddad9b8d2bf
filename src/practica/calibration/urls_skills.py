"""URLs for skills: taxonomy, assessments, evidence levels and gaps (included by calibration/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from practica.calibration import views_skills

SKILL = "skills/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path("skills/", views_skills.skill_list, name="skill-list"),
    path("skills/new/", views_skills.skill_create, name="skill-create"),
    path(SKILL, views_skills.skill_detail, name="skill-detail"),
    path(SKILL + "edit/", views_skills.skill_edit, name="skill-edit"),
    path(SKILL + "delete/", views_skills.skill_delete, name="skill-delete"),
    path(SKILL + "assess/", views_skills.skill_self_assess, name="skill-self-assess"),
    path(SKILL + "assess-colleague/", views_skills.skill_assess_colleague, name="skill-assess-colleague"),
    path("communities/<slug:slug>/skills/", views_skills.community_skills, name="community-skills"),
    path(
        "communities/<slug:slug>/skills/new/",
        views_skills.community_skill_create,
        name="community-skill-create",
    ),
]

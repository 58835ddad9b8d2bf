"""URLs for knowledge checks: item banks, attempts, reports, group views (included by calibration/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from practica.calibration import views_checks as views

CHECKS = "communities/<slug:slug>/checks/"
CHECK = CHECKS + "<int:pk>/"
ITEM = CHECK + "items/<int:item_pk>/"
ATTEMPT = CHECK + "attempts/<int:attempt_pk>/"

urlpatterns: list[URLPattern] = [
    path(CHECKS, views.check_list, name="check-list"),
    path(CHECKS + "new/", views.check_new, name="check-new"),
    path(CHECK, views.check_detail, name="check-detail"),
    path(CHECK + "edit/", views.check_edit, name="check-edit"),
    path(CHECK + "status/", views.check_status, name="check-status"),
    path(CHECK + "results/", views.check_results, name="check-results"),
    path(CHECK + "items/new/", views.item_new, name="check-item-new"),
    path(ITEM + "edit/", views.item_edit, name="check-item-edit"),
    path(ITEM + "delete/", views.item_delete, name="check-item-delete"),
    path(ITEM + "move/", views.item_move, name="check-item-move"),
    path(CHECK + "start/", views.attempt_start, name="check-start"),
    path(ATTEMPT, views.attempt_page, name="check-attempt"),
    path(ATTEMPT + "items/<int:item_pk>/", views.attempt_answer, name="check-answer"),
    path(ATTEMPT + "submit/", views.attempt_submit, name="check-submit"),
]

from __future__ import annotations

from django.urls import path

from practica.systems import views

app_name = "systems"

urlpatterns = [
    path("lab/", views.lab_index, name="lab"),
    path("lab/runs/<int:pk>/", views.run_detail, name="run"),
    path("lab/runs/<int:pk>/again/", views.run_rerun, name="rerun"),
    path("lab/<slug:slug>/", views.preset_page, name="preset"),
]

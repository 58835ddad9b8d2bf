from __future__ import annotations

from django.urls import path

from practica.systems import views, views_diagrams

app_name = "systems"

DIAGRAM = "diagrams/<int:pk>/"

urlpatterns = [
    path("systems/", views_diagrams.systems_index, name="index"),
    path("lab/", views.lab_index, name="lab"),
    path("lab/runs/<int:pk>/", views.run_detail, name="run"),
    path("lab/runs/<int:pk>/again/", views.run_rerun, name="rerun"),
    path("lab/<slug:slug>/", views.preset_page, name="preset"),
    path("me/diagrams/", views_diagrams.my_diagrams, name="mine"),
    path("communities/<slug:slug>/diagrams/", views_diagrams.community_diagrams, name="community-diagrams"),
    path("teams/<slug:slug>/diagrams/", views_diagrams.team_diagrams, name="team-diagrams"),
    path("diagrams/new/", views_diagrams.diagram_new, name="diagram-new"),
    path("diagrams/import/", views_diagrams.diagram_import, name="diagram-import"),
    path(DIAGRAM, views_diagrams.diagram_detail, name="diagram"),
    path(DIAGRAM + "settings/", views_diagrams.diagram_settings, name="diagram-settings"),
    path(DIAGRAM + "delete/", views_diagrams.diagram_delete, name="diagram-delete"),
    path(DIAGRAM + "history/", views_diagrams.diagram_history, name="diagram-history"),
    path(DIAGRAM + "export/<slug:export_format>/", views_diagrams.diagram_export, name="diagram-export"),
    path(DIAGRAM + "links/<int:link_pk>/forecast/", views_diagrams.link_forecast, name="link-forecast"),
]

from __future__ import annotations

from django.urls import path

from practica.knowledge import views_stories as views

app_name = "stories"

urlpatterns = [
    path("communities/<slug:slug>/stories/", views.story_list, name="list"),
    path("communities/<slug:slug>/stories/new/", views.story_create, name="create"),
    path("communities/<slug:slug>/stories/<int:pk>/", views.story_detail, name="detail"),
    path("communities/<slug:slug>/stories/<int:pk>/edit/", views.story_edit, name="edit"),
    path("communities/<slug:slug>/stories/<int:pk>/delete/", views.story_delete, name="delete"),
]

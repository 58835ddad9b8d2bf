from __future__ import annotations

from django.urls import path

from practica.knowledge import views_practices as views

app_name = "practices"

PRACTICE = "communities/<slug:slug>/practices/<slug:practice>/"

urlpatterns = [
    path("communities/<slug:slug>/practices/", views.practice_list, name="list"),
    path("communities/<slug:slug>/practices/new/", views.practice_create, name="create"),
    path(PRACTICE, views.practice_detail, name="detail"),
    path(f"{PRACTICE}edit/", views.practice_edit, name="edit"),
    path(f"{PRACTICE}history/", views.practice_history, name="history"),
    path(f"{PRACTICE}restore/", views.practice_restore, name="restore"),
    path(f"{PRACTICE}status/", views.practice_status, name="status"),
    path(f"{PRACTICE}review/", views.practice_review, name="review"),
]

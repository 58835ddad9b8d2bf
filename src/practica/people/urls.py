from __future__ import annotations

from django.urls import path

from practica.people import views

app_name = "people"

urlpatterns = [
    path("people/", views.directory, name="directory"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/role/", views.person_set_role, name="person-role"),
    path("me/", views.profile, name="profile"),
    path("me/broker-listing/", views.broker_listing, name="broker-listing"),
    path("me/tokens/", views.token_create, name="token-create"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("teams/", views.team_index, name="teams"),
    path("teams/<slug:slug>/", views.team_detail, name="team"),
]

from __future__ import annotations

from django.urls import path

from practica.communities import views

app_name = "communities"

urlpatterns = [
    path("communities/", views.directory, name="directory"),
    path("communities/new/", views.community_new, name="create"),
    path("communities/<slug:slug>/", views.community_detail, name="detail"),
    path("communities/<slug:slug>/settings/", views.community_settings, name="settings"),
    path("communities/<slug:slug>/charter/", views.charter_edit, name="charter-edit"),
    path("communities/<slug:slug>/charter/history/", views.charter_history, name="charter-history"),
    path("communities/<slug:slug>/stage/", views.stage_change, name="stage"),
    path("communities/<slug:slug>/activity/", views.activity, name="activity"),
    path("communities/<slug:slug>/members/", views.members, name="members"),
    path("communities/<slug:slug>/join/", views.join, name="join"),
    path("communities/<slug:slug>/leave/", views.leave, name="leave"),
    path("communities/<slug:slug>/invite/", views.invite, name="invite"),
    path("communities/<slug:slug>/members/recompute/", views.participation_refresh, name="recompute"),
    path("communities/<slug:slug>/members/<int:pk>/decide/", views.membership_decide, name="decide"),
    path("communities/<slug:slug>/members/<int:pk>/role/", views.membership_role, name="role"),
    path("communities/<slug:slug>/members/<int:pk>/level/", views.membership_level, name="level"),
]

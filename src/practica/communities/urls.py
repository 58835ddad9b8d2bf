from __future__ import annotations

from django.urls import path

from practica.communities import views, views_events, views_health

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
    # health (views_health.py)
    path("communities/<slug:slug>/health/", views_health.health_page, name="health"),
    path("communities/<slug:slug>/health/recompute/", views_health.health_recompute, name="health-recompute"),
    path("communities/<slug:slug>/health/review/", views_health.health_review, name="health-review"),
    # events (views_events.py)
    path("communities/<slug:slug>/events/", views_events.event_list, name="events"),
    path("communities/<slug:slug>/events/new/", views_events.event_create, name="event-create"),
    path("communities/<slug:slug>/events/<int:pk>/", views_events.event_detail, name="event-detail"),
    path("communities/<slug:slug>/events/<int:pk>/edit/", views_events.event_edit, name="event-edit"),
    path("communities/<slug:slug>/events/<int:pk>/cancel/", views_events.event_cancel, name="event-cancel"),
    path("communities/<slug:slug>/events/<int:pk>/rsvp/", views_events.event_rsvp, name="event-rsvp"),
    path(
        "communities/<slug:slug>/events/<int:pk>/attendance/",
        views_events.event_attendance,
        name="event-attendance",
    ),
    path("communities/<slug:slug>/events/<int:pk>/notes/", views_events.event_notes, name="event-notes"),
    path("calendar/new-address/", views_events.calendar_regenerate, name="calendar-regenerate"),
    path("calendar/<str:token>/personal.ics", views_events.calendar_personal, name="calendar-personal"),
    path(
        "calendar/<str:token>/communities/<slug:slug>.ics",
        views_events.calendar_community,
        name="calendar-community",
    ),
]

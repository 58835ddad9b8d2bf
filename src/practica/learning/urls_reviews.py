"""URLs for reviews, method templates, insights and actions (included by learning/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from practica.learning import views_reviews as views

REVIEW = "learning/reviews/<int:pk>/"
ITEM = REVIEW + "items/<int:item_id>/"

urlpatterns: list[URLPattern] = [
    path("learning/", views.home, name="home"),
    path("learning/methods/", views.method_list, name="methods"),
    path("learning/methods/new/", views.method_create, name="method-new"),
    path("learning/methods/<slug:slug>/", views.method_detail, name="template-detail"),
    path("learning/reviews/new/", views.review_create, name="review-new"),
    path(REVIEW, views.review_detail, name="review"),
    path(REVIEW + "phase/", views.review_phase, name="review-phase"),
    path(REVIEW + "items/", views.item_add, name="item-add"),
    path(ITEM + "edit/", views.item_edit, name="item-edit"),
    path(ITEM + "move/", views.item_move, name="item-move"),
    path(ITEM + "vote/", views.vote_add, name="vote-add"),
    path(ITEM + "unvote/", views.vote_remove, name="vote-remove"),
    path(REVIEW + "groups/", views.group_create, name="group-create"),
    path(REVIEW + "insights/", views.insight_create, name="insight-create"),
    path(REVIEW + "actions/", views.action_create, name="action-create"),
    path(REVIEW + "follow-up/<int:action_id>/", views.follow_up, name="follow-up"),
    path(REVIEW + "links/", views.review_link, name="review-link"),
    path("learning/actions/<int:action_id>/status/", views.action_status, name="action-status"),
    path("learning/insights/", views.insight_list, name="insights"),
    path("learning/insights/<int:pk>/", views.insight_detail, name="insight"),
    path("learning/insights/<int:pk>/share/", views.insight_share, name="insight-share"),
    path("learning/insights/<int:pk>/adopt/", views.insight_adopt, name="insight-adopt"),
    path("learning/teams/<slug:slug>/reviews/", views.team_history, name="team-history"),
    path("communities/<slug:slug>/insights/", views.community_insights, name="community-insights"),
    path("communities/<slug:slug>/reviews/", views.community_history, name="community-history"),
]

"""URLs for experiments, assumptions, vision and goals (included by learning/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from practica.learning import views_mind as views

EXPERIMENT = "learning/experiments/<int:pk>/"
ASSUMPTION = "learning/assumptions/<int:pk>/"
GOAL = "learning/goals/<int:pk>/"

urlpatterns: list[URLPattern] = [
    # Experiments
    path("learning/teams/<slug:slug>/experiments/", views.team_experiments, name="team-experiments"),
    path(
        "learning/teams/<slug:slug>/experiments/new/", views.team_experiment_new, name="team-experiment-new"
    ),
    path("communities/<slug:slug>/experiments/", views.community_experiments, name="community-experiments"),
    path(
        "communities/<slug:slug>/experiments/new/",
        views.community_experiment_new,
        name="community-experiment-new",
    ),
    path(EXPERIMENT, views.experiment_detail, name="experiment-detail"),
    path(EXPERIMENT + "edit/", views.experiment_edit, name="experiment-edit"),
    path(EXPERIMENT + "predict/", views.experiment_predict, name="experiment-predict"),
    path(EXPERIMENT + "start/", views.experiment_start, name="experiment-start"),
    path(EXPERIMENT + "conclude/", views.experiment_conclude, name="experiment-conclude"),
    path(EXPERIMENT + "learning-card/", views.experiment_learning, name="experiment-learning"),
    path(EXPERIMENT + "delete/", views.experiment_delete, name="experiment-delete"),
    path("learning/learnings/", views.learnings, name="learnings"),
    # Assumption register
    path("learning/assumptions/", views.assumption_list, name="assumptions"),
    path("learning/assumptions/new/", views.assumption_new, name="assumption-new"),
    path(ASSUMPTION, views.assumption_detail, name="assumption-detail"),
    path(ASSUMPTION + "edit/", views.assumption_edit, name="assumption-edit"),
    path(ASSUMPTION + "change/", views.assumption_change, name="assumption-change"),
    path(ASSUMPTION + "evidence/", views.assumption_evidence, name="assumption-evidence"),
    # Shared vision
    path("learning/vision/", views.organisation_vision, name="vision"),
    path("learning/vision/drafts/", views.organisation_vision_propose, name="vision-propose"),
    path("learning/vision/pulse/", views.organisation_vision_pulse, name="vision-pulse"),
    path("learning/vision/history/", views.organisation_vision_history, name="vision-history"),
    path(
        "learning/vision/drafts/<int:pk>/<str:action>/", views.vision_draft_action, name="vision-draft-action"
    ),
    path("communities/<slug:slug>/vision/", views.community_vision, name="community-vision"),
    path(
        "communities/<slug:slug>/vision/drafts/",
        views.community_vision_propose,
        name="community-vision-propose",
    ),
    path(
        "communities/<slug:slug>/vision/pulse/", views.community_vision_pulse, name="community-vision-pulse"
    ),
    path(
        "communities/<slug:slug>/vision/history/",
        views.community_vision_history,
        name="community-vision-history",
    ),
    # Personal learning goals
    path("learning/goals/", views.goal_list, name="goals"),
    path("learning/goals/new/", views.goal_new, name="goal-new"),
    path(GOAL, views.goal_detail, name="goal-detail"),
    path(GOAL + "edit/", views.goal_edit, name="goal-edit"),
    path(GOAL + "delete/", views.goal_delete, name="goal-delete"),
    path(GOAL + "milestones/", views.goal_milestone_add, name="goal-milestone-add"),
    path(GOAL + "milestones/<int:milestone_pk>/", views.goal_milestone_toggle, name="goal-milestone-toggle"),
    path(GOAL + "check-ins/", views.goal_check_in, name="goal-check-in"),
    path(GOAL + "share/", views.goal_share, name="goal-share"),
    path(GOAL + "share/<int:person_pk>/remove/", views.goal_unshare, name="goal-unshare"),
]

"""Question-and-answer pages: a community's questions, the unanswered queue, and expert lists."""

from __future__ import annotations

from django.urls import path

from practica.knowledge import views_qa

app_name = "qa"

QUESTION = "communities/<slug:slug>/questions/<int:pk>/"
ANSWER = QUESTION + "answers/<int:answer_pk>/"

urlpatterns = [
    path("communities/<slug:slug>/questions/", views_qa.question_list, name="list"),
    path("communities/<slug:slug>/questions/ask/", views_qa.question_ask, name="ask"),
    path("communities/<slug:slug>/questions/unanswered/", views_qa.community_unanswered, name="unanswered"),
    path(QUESTION, views_qa.question_detail, name="detail"),
    path(QUESTION + "edit/", views_qa.question_edit, name="edit"),
    path(QUESTION + "vote/", views_qa.question_vote, name="vote"),
    path(QUESTION + "answers/", views_qa.answer_create, name="answer"),
    path(QUESTION + "comments/", views_qa.comment_create, name="comment"),
    path(QUESTION + "relevance/", views_qa.question_relevance, name="relevance"),
    path(ANSWER + "vote/", views_qa.answer_vote, name="answer-vote"),
    path(ANSWER + "accept/", views_qa.answer_accept, name="accept"),
    path(ANSWER + "outcome/", views_qa.answer_outcome, name="outcome"),
    path("questions/unanswered/", views_qa.unanswered_queue, name="queue"),
    path("experts/<slug:tag>/", views_qa.experts, name="experts"),
    path("experts/<slug:tag>/listing/", views_qa.expert_listing, name="expert-listing"),
]

"""Who may read and who may write every page and API operation: the maintained half of the table
in docs/security.md (the other half, the list of routes, comes from the code).

Keys: page route names (``namespace:name``) and API operations (``METHOD /api/v1/path``). Values:
(who may read, who may write); "—" means the route does not do that. A route without an entry fails
tests/core/test_access_table.py; `practica manage security_table --missing` drafts the entries.
The enforcement itself lives in core/permissions.py and each app's selectors; tests/core/test_outsiders.py
checks the outsider rows generically.
"""

from __future__ import annotations

Rule = tuple[str, str]

PAGE_RULES: dict[str, Rule] = {
    "home": ("signed-in people", "—"),  # /
    "core:audit-log": ("admins", "admins"),  # /admin/audit/
    "communities:calendar-community": (
        "signed-in people",
        "—",
    ),  # /calendar/<str:token>/communities/<slug:slug>.ics
    "communities:calendar-personal": ("signed-in people", "—"),  # /calendar/<str:token>/personal.ics
    "communities:calendar-regenerate": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /calendar/new-address/
    "communities:directory": ("signed-in people", "—"),  # /communities/
    "communities:detail": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/
    "communities:activity": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/activity/
    "communities:charter-edit": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/charter/
    "communities:charter-history": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/charter/history/
    "calibration:check-list": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/checks/
    "calibration:check-detail": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/checks/<int:pk>/
    "calibration:check-attempt": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/checks/<int:pk>/attempts/<int:attempt_pk>/
    "calibration:check-answer": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/checks/<int:pk>/attempts/<int:attempt_pk>/items/<int:item_pk>/
    "calibration:check-submit": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/checks/<int:pk>/attempts/<int:attempt_pk>/submit/
    "calibration:check-edit": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/checks/<int:pk>/edit/
    "calibration:check-item-delete": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/checks/<int:pk>/items/<int:item_pk>/delete/
    "calibration:check-item-edit": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/checks/<int:pk>/items/<int:item_pk>/edit/
    "calibration:check-item-move": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/checks/<int:pk>/items/<int:item_pk>/move/
    "calibration:check-item-new": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/checks/<int:pk>/items/new/
    "calibration:check-results": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/checks/<int:pk>/results/
    "calibration:check-start": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/checks/<int:pk>/start/
    "calibration:check-status": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/checks/<int:pk>/status/
    "calibration:check-new": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/checks/new/
    "systems:community-diagrams": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "—",
    ),  # /communities/<slug:slug>/diagrams/
    "communities:events": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/events/
    "communities:event-detail": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/events/<int:pk>/
    "communities:event-attendance": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/events/<int:pk>/attendance/
    "communities:event-cancel": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/events/<int:pk>/cancel/
    "communities:event-edit": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/events/<int:pk>/edit/
    "communities:event-notes": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/events/<int:pk>/notes/
    "communities:event-rsvp": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/events/<int:pk>/rsvp/
    "communities:event-create": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/events/new/
    "learning:community-experiments": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/experiments/
    "learning:community-experiment-new": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/experiments/new/
    "calibration:forecast-list": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/forecasts/
    "calibration:forecast-detail": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/forecasts/<int:pk>/
    "calibration:forecast-make": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/forecasts/<int:pk>/forecast/
    "calibration:forecast-listing": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/forecasts/<int:pk>/listing/
    "calibration:forecast-resolve": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/forecasts/<int:pk>/resolve/
    "calibration:forecast-ask": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/forecasts/ask/
    "communities:health": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/health/
    "communities:health-recompute": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/health/recompute/
    "communities:health-review": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/health/review/
    "learning:community-insights": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),  # /communities/<slug:slug>/insights/
    "communities:invite": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/invite/
    "communities:join": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/join/
    "communities:leave": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/leave/
    "communities:members": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/members/
    "communities:decide": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/members/<int:pk>/decide/
    "communities:level": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/members/<int:pk>/level/
    "communities:role": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/members/<int:pk>/role/
    "communities:recompute": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/members/recompute/
    "practices:list": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/practices/
    "practices:detail": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/practices/<slug:practice>/
    "practices:edit": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/practices/<slug:practice>/edit/
    "practices:history": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/practices/<slug:practice>/history/
    "practices:restore": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/practices/<slug:practice>/restore/
    "practices:review": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/practices/<slug:practice>/review/
    "practices:status": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/practices/<slug:practice>/status/
    "practices:create": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/practices/new/
    "qa:list": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/questions/
    "qa:detail": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/questions/<int:pk>/
    "qa:answer": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/questions/<int:pk>/answers/
    "qa:accept": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/questions/<int:pk>/answers/<int:answer_pk>/accept/
    "qa:outcome": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/questions/<int:pk>/answers/<int:answer_pk>/outcome/
    "qa:answer-vote": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/questions/<int:pk>/answers/<int:answer_pk>/vote/
    "qa:comment": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/questions/<int:pk>/comments/
    "qa:edit": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/questions/<int:pk>/edit/
    "qa:relevance": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/questions/<int:pk>/relevance/
    "qa:vote": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/questions/<int:pk>/vote/
    "qa:ask": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/questions/ask/
    "qa:unanswered": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/questions/unanswered/
    "learning:community-history": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/reviews/
    "communities:settings": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/settings/
    "calibration:community-skills": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/skills/
    "calibration:community-skill-create": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/skills/new/
    "communities:stage": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/stage/
    "stories:list": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/stories/
    "stories:detail": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/stories/<int:pk>/
    "stories:edit": (
        "the story's author, while an active member",
        "the story's author, while an active member",
    ),  # /communities/<slug:slug>/stories/<int:pk>/edit/
    "stories:delete": (
        "—",
        "the story's author (while an active member) or a lead of the community",
    ),  # /communities/<slug:slug>/stories/<int:pk>/delete/
    "stories:create": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/stories/new/
    "learning:community-vision": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/vision/
    "learning:community-vision-propose": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/vision/drafts/
    "learning:community-vision-history": (
        "signed-in people; a private community: its active members only",
        "—",
    ),  # /communities/<slug:slug>/vision/history/
    "learning:community-vision-pulse": (
        "signed-in people; a private community: its active members only",
        "active members of the community (leads for management)",
    ),  # /communities/<slug:slug>/vision/pulse/
    "communities:create": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /communities/new/
    "systems:diagram": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "—",
    ),  # /diagrams/<int:pk>/
    "systems:diagram-delete": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "the owner, the team's members or the community's active members",
    ),  # /diagrams/<int:pk>/delete/
    "systems:diagram-export": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "—",
    ),  # /diagrams/<int:pk>/export/<slug:export_format>/
    "systems:diagram-history": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "—",
    ),  # /diagrams/<int:pk>/history/
    "systems:link-forecast": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "the owner, the team's members or the community's active members",
    ),  # /diagrams/<int:pk>/links/<int:link_pk>/forecast/
    "systems:diagram-settings": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "—",
    ),  # /diagrams/<int:pk>/settings/
    "systems:diagram-import": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "the owner, the team's members or the community's active members",
    ),  # /diagrams/import/
    "systems:diagram-new": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "the owner, the team's members or the community's active members",
    ),  # /diagrams/new/
    "qa:experts": ("signed-in people", "—"),  # /experts/<slug:tag>/
    "qa:expert-listing": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /experts/<slug:tag>/listing/
    "insights:dashboard": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),  # /insights/
    "insights:indicators": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),  # /insights/indicators/
    "insights:network": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),  # /insights/network/
    "insights:portfolio-csv": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),  # /insights/portfolio.csv
    "insights:portfolio": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),  # /insights/portfolio/
    "insights:refresh": (
        "stewards and admins (aggregates only; private communities left out)",
        "stewards and admins",
    ),  # /insights/refresh/
    "insights:refresh-status": (
        "stewards and admins (aggregates only; private communities left out)",
        "stewards and admins",
    ),  # /insights/refresh/<int:pk>/
    "insights:report": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),  # /insights/report/
    "insights:time": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),  # /insights/time/
    "systems:lab": ("signed-in people", "—"),  # /lab/
    "systems:preset": ("signed-in people", "—"),  # /lab/<slug:slug>/
    "systems:run": ("signed-in people", "—"),  # /lab/runs/<int:pk>/
    "systems:rerun": ("signed-in people", "—"),  # /lab/runs/<int:pk>/again/
    "learning:home": ("signed-in people", "—"),  # /learning/
    "learning:action-status": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/actions/<int:action_id>/status/
    "learning:assumptions": ("signed-in people", "—"),  # /learning/assumptions/
    "learning:assumption-detail": ("signed-in people", "—"),  # /learning/assumptions/<int:pk>/
    "learning:assumption-change": ("signed-in people", "—"),  # /learning/assumptions/<int:pk>/change/
    "learning:assumption-edit": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/assumptions/<int:pk>/edit/
    "learning:assumption-evidence": ("signed-in people", "—"),  # /learning/assumptions/<int:pk>/evidence/
    "learning:assumption-new": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/assumptions/new/
    "learning:experiment-detail": ("signed-in people", "—"),  # /learning/experiments/<int:pk>/
    "learning:experiment-conclude": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/experiments/<int:pk>/conclude/
    "learning:experiment-delete": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/experiments/<int:pk>/delete/
    "learning:experiment-edit": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/experiments/<int:pk>/edit/
    "learning:experiment-learning": (
        "signed-in people",
        "—",
    ),  # /learning/experiments/<int:pk>/learning-card/
    "learning:experiment-predict": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/experiments/<int:pk>/predict/
    "learning:experiment-start": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/experiments/<int:pk>/start/
    "learning:goals": ("the owner and the people they shared the goal with", "—"),  # /learning/goals/
    "learning:goal-detail": (
        "the owner and the people they shared the goal with",
        "—",
    ),  # /learning/goals/<int:pk>/
    "learning:goal-check-in": (
        "the owner and the people they shared the goal with",
        "the owner",
    ),  # /learning/goals/<int:pk>/check-ins/
    "learning:goal-delete": (
        "the owner and the people they shared the goal with",
        "the owner",
    ),  # /learning/goals/<int:pk>/delete/
    "learning:goal-edit": (
        "the owner and the people they shared the goal with",
        "the owner",
    ),  # /learning/goals/<int:pk>/edit/
    "learning:goal-milestone-add": (
        "the owner and the people they shared the goal with",
        "the owner",
    ),  # /learning/goals/<int:pk>/milestones/
    "learning:goal-milestone-toggle": (
        "the owner and the people they shared the goal with",
        "the owner",
    ),  # /learning/goals/<int:pk>/milestones/<int:milestone_pk>/
    "learning:goal-share": (
        "the owner and the people they shared the goal with",
        "the owner",
    ),  # /learning/goals/<int:pk>/share/
    "learning:goal-unshare": (
        "the owner and the people they shared the goal with",
        "the owner",
    ),  # /learning/goals/<int:pk>/share/<int:person_pk>/remove/
    "learning:goal-new": (
        "the owner and the people they shared the goal with",
        "the owner",
    ),  # /learning/goals/new/
    "learning:insights": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),  # /learning/insights/
    "learning:insight": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),  # /learning/insights/<int:pk>/
    "learning:insight-adopt": (
        "stewards and admins (aggregates only; private communities left out)",
        "stewards and admins",
    ),  # /learning/insights/<int:pk>/adopt/
    "learning:insight-share": (
        "stewards and admins (aggregates only; private communities left out)",
        "stewards and admins",
    ),  # /learning/insights/<int:pk>/share/
    "learning:learnings": ("signed-in people", "—"),  # /learning/learnings/
    "learning:methods": ("signed-in people", "—"),  # /learning/methods/
    "learning:template-detail": ("signed-in people", "—"),  # /learning/methods/<slug:slug>/
    "learning:method-new": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/methods/new/
    "learning:review": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/reviews/<int:pk>/
    "learning:action-create": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/reviews/<int:pk>/actions/
    "learning:follow-up": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/reviews/<int:pk>/follow-up/<int:action_id>/
    "learning:group-create": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/reviews/<int:pk>/groups/
    "learning:insight-create": (
        "stewards and admins (aggregates only; private communities left out)",
        "stewards and admins",
    ),  # /learning/reviews/<int:pk>/insights/
    "learning:item-add": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/reviews/<int:pk>/items/
    "learning:item-edit": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/reviews/<int:pk>/items/<int:item_id>/edit/
    "learning:item-move": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/reviews/<int:pk>/items/<int:item_id>/move/
    "learning:vote-remove": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/reviews/<int:pk>/items/<int:item_id>/unvote/
    "learning:vote-add": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/reviews/<int:pk>/items/<int:item_id>/vote/
    "learning:review-link": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/reviews/<int:pk>/links/
    "learning:review-phase": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/reviews/<int:pk>/phase/
    "learning:review-new": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/reviews/new/
    "learning:team-experiments": ("signed-in people", "—"),  # /learning/teams/<slug:slug>/experiments/
    "learning:team-experiment-new": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/teams/<slug:slug>/experiments/new/
    "learning:team-history": ("signed-in people", "—"),  # /learning/teams/<slug:slug>/reviews/
    "learning:vision": ("signed-in people", "—"),  # /learning/vision/
    "learning:vision-propose": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/vision/drafts/
    "learning:vision-draft-action": (
        "signed-in people",
        "—",
    ),  # /learning/vision/drafts/<int:pk>/<str:action>/
    "learning:vision-history": ("signed-in people", "—"),  # /learning/vision/history/
    "learning:vision-pulse": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /learning/vision/pulse/
    "people:profile": ("the signed-in person (own data only)", "the signed-in person (own profile only)"),
    "people:broker-listing": ("—", "the signed-in person (own consent only)"),  # /me/broker-listing/
    "insights:budgets": ("the signed-in person (own data only)", "—"),  # /me/budgets/
    "calibration:mine": ("the signed-in person only (nobody else, admins included)", "—"),
    "core:personal-data": ("the signed-in person only (their own data, never other people's)", "—"),
    "systems:mine": ("the signed-in person (own data only)", "—"),  # /me/diagrams/
    "insights:time-log": (
        "the signed-in person (own data only)",
        "the signed-in person (own data only)",
    ),  # /me/time/
    "insights:time-log-delete": (
        "the signed-in person (own data only)",
        "the signed-in person (own data only)",
    ),  # /me/time/<int:pk>/delete/
    "people:token-create": (
        "the signed-in person (own data only)",
        "the signed-in person (own data only)",
    ),  # /me/tokens/
    "people:token-revoke": (
        "the signed-in person (own data only)",
        "the signed-in person (own data only)",
    ),  # /me/tokens/<int:pk>/revoke/
    "password_change": ("the signed-in person (own data only)", "—"),  # /password/change/
    "password_change_done": ("the signed-in person (own data only)", "—"),  # /password/change/done/
    "password_reset": ("anyone (with the emailed link)", "—"),  # /password/reset/
    "password_reset_confirm": ("anyone (with the emailed link)", "—"),  # /password/reset/<uidb64>/<token>/
    "password_reset_complete": ("anyone (with the emailed link)", "—"),  # /password/reset/complete/
    "password_reset_done": ("anyone (with the emailed link)", "—"),  # /password/reset/sent/
    "people:directory": ("signed-in people", "—"),  # /people/
    "people:person": ("signed-in people", "—"),  # /people/<int:pk>/
    "people:person-role": ("—", "admins (never demoting the last admin)"),
    "qa:queue": ("signed-in people", "—"),  # /questions/unanswered/
    "search:search": ("signed-in people; results only from what they may read", "—"),  # /search/
    "login": ("anyone", "anyone (limited failed attempts per client)"),  # /signin/
    "logout": ("—", "the signed-in person (own data only)"),  # /signout/
    "calibration:skill-list": ("signed-in people", "—"),  # /skills/
    "calibration:skill-detail": ("signed-in people", "—"),  # /skills/<int:pk>/
    "calibration:skill-assess-colleague": (
        "signed-in people",
        "signed-in people assessing a colleague (never themselves)",
    ),
    "calibration:skill-self-assess": ("signed-in people", "the signed-in person (own assessment)"),
    "calibration:skill-delete": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /skills/<int:pk>/delete/
    "calibration:skill-edit": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /skills/<int:pk>/edit/
    "calibration:skill-create": (
        "signed-in people",
        "signed-in people, as the service allows",
    ),  # /skills/new/
    "systems:index": ("signed-in people", "—"),  # /systems/
    "people:teams": ("signed-in people", "—"),  # /teams/
    "people:team": ("signed-in people", "—"),  # /teams/<slug:slug>/
    "systems:team-diagrams": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "—",
    ),  # /teams/<slug:slug>/diagrams/
    "insights:skills": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),  # /insights/skills/
    "insights:skills-strategic": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),  # /insights/skills/strategic/
    "insights:time-log-event": (
        "the signed-in person (own data only)",
        "the signed-in person (own data only)",
    ),  # /me/time/event/
}

API_RULES: dict[str, Rule] = {
    "POST /api/v1/answers/{answer_id}/accept": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/answers/{answer_id}/comments": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/answers/{answer_id}/outcome": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/answers/{answer_id}/vote": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/archetypes": ("signed-in people (results scoped to what they may see)", "—"),
    "GET /api/v1/assumptions": ("signed-in people (results scoped to what they may see)", "—"),
    "POST /api/v1/assumptions": ("—", "signed-in people, as the service allows"),
    "DELETE /api/v1/assumptions/{assumption_id}": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/assumptions/{assumption_id}": (
        "signed-in people (results scoped to what they may see)",
        "—",
    ),
    "PUT /api/v1/assumptions/{assumption_id}": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/assumptions/{assumption_id}/changes": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/assumptions/{assumption_id}/evidence": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/audit": ("admins", "—"),
    "GET /api/v1/check-attempts/{attempt_id}": (
        "signed-in people (results scoped to what they may see)",
        "—",
    ),
    "GET /api/v1/check-attempts/{attempt_id}/report": (
        "signed-in people (results scoped to what they may see)",
        "—",
    ),
    "PUT /api/v1/check-attempts/{attempt_id}/responses/{item_id}": (
        "—",
        "signed-in people, as the service allows",
    ),
    "POST /api/v1/check-attempts/{attempt_id}/submit": ("—", "signed-in people, as the service allows"),
    "DELETE /api/v1/check-items/{item_id}": ("—", "signed-in people, as the service allows"),
    "PUT /api/v1/check-items/{item_id}": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/check-items/{item_id}/move": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/checks/{check_id}": ("signed-in people (results scoped to what they may see)", "—"),
    "PUT /api/v1/checks/{check_id}": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/checks/{check_id}/attempts": ("signed-in people (results scoped to what they may see)", "—"),
    "POST /api/v1/checks/{check_id}/attempts": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/checks/{check_id}/group": ("signed-in people (results scoped to what they may see)", "—"),
    "POST /api/v1/checks/{check_id}/items": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/checks/{check_id}/statistics": (
        "signed-in people (results scoped to what they may see)",
        "—",
    ),
    "POST /api/v1/checks/{check_id}/status": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/communities": ("signed-in people (results scoped to what they may see)", "—"),
    "POST /api/v1/communities": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/communities/{slug}": ("signed-in people; a private community: its active members only", "—"),
    "PATCH /api/v1/communities/{slug}": ("—", "active members of the community (leads for management)"),
    "GET /api/v1/communities/{slug}/checks": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "POST /api/v1/communities/{slug}/checks": ("—", "active members of the community (leads for management)"),
    "GET /api/v1/communities/{slug}/events": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "POST /api/v1/communities/{slug}/events": ("—", "active members of the community (leads for management)"),
    "GET /api/v1/communities/{slug}/events/{event_id}": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "POST /api/v1/communities/{slug}/events/{event_id}/rsvp": (
        "—",
        "active members of the community (leads for management)",
    ),
    "GET /api/v1/communities/{slug}/events/{event_id}/rsvps": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "GET /api/v1/communities/{slug}/experiments": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "POST /api/v1/communities/{slug}/experiments": (
        "—",
        "active members of the community (leads for management)",
    ),
    "GET /api/v1/communities/{slug}/forecast-questions": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "POST /api/v1/communities/{slug}/forecast-questions": (
        "—",
        "active members of the community (leads for management)",
    ),
    "GET /api/v1/communities/{slug}/health": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "GET /api/v1/communities/{slug}/members": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "DELETE /api/v1/communities/{slug}/membership": (
        "—",
        "active members of the community (leads for management)",
    ),
    "POST /api/v1/communities/{slug}/membership": (
        "—",
        "active members of the community (leads for management)",
    ),
    "GET /api/v1/communities/{slug}/practices": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "POST /api/v1/communities/{slug}/practices": (
        "—",
        "active members of the community (leads for management)",
    ),
    "GET /api/v1/communities/{slug}/questions": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "POST /api/v1/communities/{slug}/questions": (
        "—",
        "active members of the community (leads for management)",
    ),
    "POST /api/v1/communities/{slug}/stage": ("—", "active members of the community (leads for management)"),
    "GET /api/v1/communities/{slug}/stories": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "POST /api/v1/communities/{slug}/stories": (
        "—",
        "active members of the community (leads for management)",
    ),
    "GET /api/v1/communities/{slug}/stories/{story_id}": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "PUT /api/v1/communities/{slug}/stories/{story_id}": ("—", "the story's author, while an active member"),
    "DELETE /api/v1/communities/{slug}/stories/{story_id}": (
        "—",
        "the story's author (while an active member) or a lead of the community",
    ),
    "GET /api/v1/communities/{slug}/time-budgets/{quarter}": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "PUT /api/v1/communities/{slug}/time-budgets/{quarter}": (
        "—",
        "active members of the community (leads for management)",
    ),
    "GET /api/v1/communities/{slug}/value-matrix": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "GET /api/v1/communities/{slug}/vision": (
        "signed-in people; a private community: its active members only",
        "—",
    ),
    "POST /api/v1/communities/{slug}/vision/drafts": (
        "—",
        "active members of the community (leads for management)",
    ),
    "POST /api/v1/communities/{slug}/vision/pulse": (
        "—",
        "active members of the community (leads for management)",
    ),
    "GET /api/v1/diagrams": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "—",
    ),
    "POST /api/v1/diagrams": ("—", "the owner, the team's members or the community's active members"),
    "POST /api/v1/diagrams/import": ("—", "the owner, the team's members or the community's active members"),
    "DELETE /api/v1/diagrams/{diagram_id}": (
        "—",
        "the owner, the team's members or the community's active members",
    ),
    "GET /api/v1/diagrams/{diagram_id}": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "—",
    ),
    "PATCH /api/v1/diagrams/{diagram_id}": (
        "—",
        "the owner, the team's members or the community's active members",
    ),
    "GET /api/v1/diagrams/{diagram_id}/archetypes": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "—",
    ),
    "GET /api/v1/diagrams/{diagram_id}/export/{export_format}": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "—",
    ),
    "POST /api/v1/diagrams/{diagram_id}/layout": (
        "—",
        "the owner, the team's members or the community's active members",
    ),
    "POST /api/v1/diagrams/{diagram_id}/links": (
        "—",
        "the owner, the team's members or the community's active members",
    ),
    "DELETE /api/v1/diagrams/{diagram_id}/links/{link_id}": (
        "—",
        "the owner, the team's members or the community's active members",
    ),
    "PATCH /api/v1/diagrams/{diagram_id}/links/{link_id}": (
        "—",
        "the owner, the team's members or the community's active members",
    ),
    "POST /api/v1/diagrams/{diagram_id}/links/{link_id}/forecast": (
        "—",
        "the owner, the team's members or the community's active members",
    ),
    "GET /api/v1/diagrams/{diagram_id}/loops": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "—",
    ),
    "POST /api/v1/diagrams/{diagram_id}/variables": (
        "—",
        "the owner, the team's members or the community's active members",
    ),
    "DELETE /api/v1/diagrams/{diagram_id}/variables/{variable_id}": (
        "—",
        "the owner, the team's members or the community's active members",
    ),
    "PATCH /api/v1/diagrams/{diagram_id}/variables/{variable_id}": (
        "—",
        "the owner, the team's members or the community's active members",
    ),
    "GET /api/v1/diagrams/{diagram_id}/versions": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "—",
    ),
    "GET /api/v1/diagrams/{diagram_id}/versions/{number}": (
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "—",
    ),
    "DELETE /api/v1/experiments/{experiment_id}": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/experiments/{experiment_id}": (
        "signed-in people (results scoped to what they may see)",
        "—",
    ),
    "PUT /api/v1/experiments/{experiment_id}": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/experiments/{experiment_id}/conclude": ("—", "signed-in people, as the service allows"),
    "PUT /api/v1/experiments/{experiment_id}/learning-card": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/experiments/{experiment_id}/predictions": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/experiments/{experiment_id}/start": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/experts/{tag}": ("signed-in people (results scoped to what they may see)", "—"),
    "GET /api/v1/forecast-questions/{question_id}": (
        "signed-in people (results scoped to what they may see)",
        "—",
    ),
    "POST /api/v1/forecast-questions/{question_id}/forecasts": (
        "—",
        "signed-in people, as the service allows",
    ),
    "POST /api/v1/forecast-questions/{question_id}/resolve": ("—", "signed-in people, as the service allows"),
    "DELETE /api/v1/goals/{goal_id}": ("—", "the owner"),
    "GET /api/v1/goals/{goal_id}": ("the owner and the people they shared the goal with", "—"),
    "PUT /api/v1/goals/{goal_id}": ("—", "the owner"),
    "POST /api/v1/goals/{goal_id}/check-ins": ("—", "the owner"),
    "POST /api/v1/goals/{goal_id}/milestones": ("—", "the owner"),
    "PUT /api/v1/goals/{goal_id}/milestones/{milestone_id}": ("—", "the owner"),
    "POST /api/v1/goals/{goal_id}/shares": ("—", "the owner"),
    "DELETE /api/v1/goals/{goal_id}/shares/{person_id}": ("—", "the owner"),
    "GET /api/v1/insights/indicators": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),
    "GET /api/v1/insights/portfolio": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),
    "GET /api/v1/insights/portfolio.csv": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),
    "POST /api/v1/insights/refresh": ("—", "stewards and admins"),
    "GET /api/v1/insights/refresh/{refresh_id}": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),
    "GET /api/v1/insights/time": ("stewards and admins (aggregates only; private communities left out)", "—"),
    "GET /api/v1/lab/presets": ("signed-in people", "—"),
    "GET /api/v1/lab/runs": ("signed-in people", "—"),
    "POST /api/v1/lab/runs": ("—", "stewards and admins start runs"),
    "GET /api/v1/lab/runs/{run_id}": ("signed-in people", "—"),
    "POST /api/v1/lab/runs/{run_id}/rerun": ("—", "stewards and admins start runs"),
    "PATCH /api/v1/learning/actions/{action_id}": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/learning/insights": ("signed-in people (results scoped to what they may see)", "—"),
    "GET /api/v1/learning/insights/{insight_id}": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),
    "POST /api/v1/learning/insights/{insight_id}/adoptions": ("—", "stewards and admins"),
    "POST /api/v1/learning/insights/{insight_id}/shares": ("—", "stewards and admins"),
    "GET /api/v1/learning/me/actions": ("the signed-in person (own data only)", "—"),
    "GET /api/v1/learning/reviews": ("signed-in people (results scoped to what they may see)", "—"),
    "POST /api/v1/learning/reviews": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/learning/reviews/{review_id}": (
        "signed-in people (results scoped to what they may see)",
        "—",
    ),
    "POST /api/v1/learning/reviews/{review_id}/actions": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/learning/reviews/{review_id}/follow-ups": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/learning/reviews/{review_id}/groups": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/learning/reviews/{review_id}/insights": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/learning/reviews/{review_id}/items": ("—", "signed-in people, as the service allows"),
    "PATCH /api/v1/learning/reviews/{review_id}/items/{item_id}": (
        "—",
        "signed-in people, as the service allows",
    ),
    "DELETE /api/v1/learning/reviews/{review_id}/items/{item_id}/votes": (
        "—",
        "signed-in people, as the service allows",
    ),
    "POST /api/v1/learning/reviews/{review_id}/items/{item_id}/votes": (
        "—",
        "signed-in people, as the service allows",
    ),
    "POST /api/v1/learning/reviews/{review_id}/phase": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/learning/teams/{slug}/follow-through": (
        "signed-in people (results scoped to what they may see)",
        "—",
    ),
    "GET /api/v1/learning/templates": ("signed-in people (results scoped to what they may see)", "—"),
    "GET /api/v1/learnings": ("signed-in people (results scoped to what they may see)", "—"),
    "GET /api/v1/me": ("the signed-in person (own data only)", "—"),
    "PUT /api/v1/me/broker-listing": ("—", "the signed-in person (own consent only)"),
    "GET /api/v1/me/calibration": ("the signed-in person (own data only)", "—"),
    "GET /api/v1/me/goals": ("the signed-in person (own data only)", "—"),
    "POST /api/v1/me/goals": ("—", "the signed-in person (own data only)"),
    "GET /api/v1/me/skill-assessments": ("the signed-in person (own data only)", "—"),
    "GET /api/v1/me/skill-assessments/given": ("the signed-in person (own data only)", "—"),
    "GET /api/v1/me/skills": ("the signed-in person (own data only)", "—"),
    "GET /api/v1/me/time-logs": ("the signed-in person (own data only)", "—"),
    "POST /api/v1/me/time-logs": ("—", "the signed-in person (own data only)"),
    "DELETE /api/v1/me/time-logs/{log_id}": ("—", "the signed-in person (own data only)"),
    "GET /api/v1/people": ("signed-in people (results scoped to what they may see)", "—"),
    "GET /api/v1/people/{person_id}": ("signed-in people (results scoped to what they may see)", "—"),
    "GET /api/v1/practices/{practice_id}": ("signed-in people (results scoped to what they may see)", "—"),
    "PATCH /api/v1/practices/{practice_id}": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/practices/{practice_id}/restore": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/practices/{practice_id}/review": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/practices/{practice_id}/revisions": (
        "signed-in people (results scoped to what they may see)",
        "—",
    ),
    "GET /api/v1/practices/{practice_id}/revisions/{number}": (
        "signed-in people (results scoped to what they may see)",
        "—",
    ),
    "GET /api/v1/questions/unanswered": ("signed-in people (results scoped to what they may see)", "—"),
    "GET /api/v1/questions/{question_id}": ("signed-in people (results scoped to what they may see)", "—"),
    "POST /api/v1/questions/{question_id}/answers": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/questions/{question_id}/comments": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/questions/{question_id}/relevance": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/questions/{question_id}/vote": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/search": ("signed-in people; results only from what they may read", "—"),
    "GET /api/v1/skill-assessments/{assessment_id}": (
        "signed-in people (results scoped to what they may see)",
        "—",
    ),
    "GET /api/v1/skills": ("signed-in people (results scoped to what they may see)", "—"),
    "POST /api/v1/skills": ("—", "signed-in people, as the service allows"),
    "DELETE /api/v1/skills/{skill_id}": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/skills/{skill_id}": ("signed-in people (results scoped to what they may see)", "—"),
    "PUT /api/v1/skills/{skill_id}": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/skills/{skill_id}/assessments": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/teams": ("signed-in people (results scoped to what they may see)", "—"),
    "GET /api/v1/teams/{slug}": ("signed-in people (results scoped to what they may see)", "—"),
    "GET /api/v1/teams/{slug}/experiments": ("signed-in people (results scoped to what they may see)", "—"),
    "POST /api/v1/teams/{slug}/experiments": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/tokens": ("—", "anyone (limited failed attempts per client)"),
    "GET /api/v1/vision": ("signed-in people (results scoped to what they may see)", "—"),
    "POST /api/v1/vision-drafts/{draft_id}/adopt": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/vision-drafts/{draft_id}/comments": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/vision-drafts/{draft_id}/rebase": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/vision-drafts/{draft_id}/withdraw": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/vision/drafts": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/vision/pulse": ("—", "signed-in people, as the service allows"),
    "POST /api/v1/events/{event_id}/attendee-time-logs": ("—", "signed-in people, as the service allows"),
    "GET /api/v1/insights/network": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),
    "GET /api/v1/insights/skills": (
        "stewards and admins (aggregates only; private communities left out)",
        "—",
    ),
    "PUT /api/v1/insights/skills/{skill_id}/strategic": ("—", "stewards and admins"),
}

"""Template helpers of the systems app."""

from __future__ import annotations

from typing import Any

from django import template

from practica.people.models import Team, TeamMembership

register = template.Library()


@register.filter
def is_team_member(team: Team, user: Any) -> bool:
    """Whether the signed-in ``user`` belongs to ``team`` (who sees the team's diagrams)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return TeamMembership.objects.filter(team=team, person__user=user).exists()

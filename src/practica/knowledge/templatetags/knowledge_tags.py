"""Template tags that let other apps' pages show knowledge without their views knowing about it."""

from __future__ import annotations

from django import template

from practica.communities.models import Community
from practica.knowledge.stories import ValueMatrix, value_matrix

register = template.Library()


@register.simple_tag(name="value_matrix")
def community_value_matrix(community: Community, shown: int = 0) -> ValueMatrix:
    """``{% value_matrix community as matrix %}``: stories per cycle (one query by default)."""
    return value_matrix(community, shown=shown)

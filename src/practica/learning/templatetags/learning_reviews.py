"""Template tags other apps' pages use to show what travels from the learning app."""

from __future__ import annotations

from typing import Any

from django import template

from practica.communities.models import Community
from practica.learning.models import InsightShare

register = template.Library()

FEED_INSIGHTS = 5


@register.inclusion_tag("learning/reviews/partials/shared_insights.html")
def shared_insights(community: Community) -> dict[str, Any]:
    """The latest insights shared to a community, for its activity feed (one query, however many).

    The caller's page has already checked that the viewer may read the community's content.
    """
    shares = list(
        InsightShare.objects.filter(community=community)
        .select_related("insight", "insight__team", "shared_by")
        .order_by("-shared_at", "-id")[:FEED_INSIGHTS]
    )
    return {"shares": shares, "community": community}

"""Fetch-and-check for every community page: who is asking, and may they see (or lead) this community.

A private community is a 404 for non-members. An invitation opens only its door (the overview, and
joining or declining): its content — questions, practices, stories, events, members, activity,
health — stays for members.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from practica.communities.selectors import CommunityAccess, community_for
from practica.core.permissions import person_for_user
from practica.people.models import Person

NOT_A_LEAD = "Only a lead of this community can do that."


def page_access(request: HttpRequest, slug: str, *, door: bool = False) -> tuple[Person, CommunityAccess]:
    """The signed-in person and the community ``slug``, or 404 when they may not see it."""
    person = person_for_user(request.user)
    return person, community_for(person, slug, door=door)


def lead_access(request: HttpRequest, slug: str) -> tuple[Person, CommunityAccess]:
    """As :func:`page_access`, and the person leads the community (403 otherwise)."""
    person, access = page_access(request, slug)
    if not access.is_lead:
        raise PermissionDenied(NOT_A_LEAD)
    return person, access

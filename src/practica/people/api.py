"""People and teams in the JSON API; the same selectors and services as the pages."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from practica.core import throttle
from practica.core.errors import ApplicationError
from practica.core.permissions import person_for_user
from practica.people import selectors, services
from practica.people.models import Person, Team

router = Router(tags=["people"])
TOKEN_THROTTLE_SCOPE = "api-token"


class TeamRef(Schema):
    slug: str
    name: str


class TeamMembershipOut(Schema):
    team: TeamRef
    manager_id: int | None = None


class PersonOut(Schema):
    id: int
    display_name: str
    title: str
    location: str
    time_zone: str
    role: str
    teams: list[TeamMembershipOut] = Field(..., alias="team_memberships")


class PersonDetailOut(PersonOut):
    email: str
    bio: str


class MeOut(PersonDetailOut):
    calendar_feed_url: str = Field(
        ..., description="Your personal iCalendar feed (events you are going to); keep it secret."
    )
    listed_as_broker: bool = Field(
        ..., description="Whether you agreed to be named to stewards as a knowledge broker."
    )


class BrokerListingIn(Schema):
    listed: bool = Field(..., description="True: stewards may see your name if you are a knowledge broker.")


class BrokerListingOut(Schema):
    listed: bool


class TeamOut(Schema):
    slug: str
    name: str
    kind: str
    parent: str | None = Field(None, alias="parent.slug")
    member_count: int


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class ErrorOut(Schema):
    detail: str


@router.post("/tokens", auth=None, response={201: TokenOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut})
def token_create(request: HttpRequest, credentials: TokenIn) -> Status[dict[str, str]]:
    """Exchange a username and password for a personal API token (limited attempts per client)."""
    client = throttle.client_address(request.META)
    if throttle.attempts_exceeded(TOKEN_THROTTLE_SCOPE, client):
        return Status(429, {"detail": throttle.TOO_MANY_ATTEMPTS})
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        throttle.record_failure(TOKEN_THROTTLE_SCOPE, client)
        return Status(401, {"detail": "Username or password is wrong."})
    throttle.reset(TOKEN_THROTTLE_SCOPE, client)
    person = person_for_user(user)
    _, token = services.api_token_create(person=person, name="Created through POST /api/v1/tokens")
    return Status(201, {"token": token})


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> Person:
    """The person the token or session belongs to, with their personal calendar feed address."""
    from practica.communities.events import personal_feed_url

    person = selectors.person_get(person_for_user(request.user).pk)
    person.calendar_feed_url = request.build_absolute_uri(personal_feed_url(person))  # type: ignore[attr-defined]
    return person


@router.put("/me/broker-listing", response=BrokerListingOut)
def broker_listing(request: HttpRequest, payload: BrokerListingIn) -> dict[str, bool]:
    """Agree (or stop agreeing) to be named as a knowledge broker on the stewards' network panel;
    without it you are only counted. Withdrawing takes effect at once, agreeing from the next refresh."""
    person = services.person_set_broker_listing(person=person_for_user(request.user), listed=payload.listed)
    return {"listed": person.listed_as_broker}


@router.get("/people", response=list[PersonOut])
@paginate(PageNumberPagination, page_size=50)
def people(request: HttpRequest, q: str = "", team: str = "") -> QuerySet[Person]:
    """People in the organisation, searchable by name, title, location or email, filtered by team slug."""
    person_for_user(request.user)
    team_obj = None
    if team:
        try:
            team_obj = selectors.team_get(team)
        except Team.DoesNotExist:
            raise ApplicationError(f"No team with the slug {team!r}.") from None
    return selectors.person_list(search=q, team=team_obj)


@router.get("/people/{person_id}", response=PersonDetailOut)
def person(request: HttpRequest, person_id: int) -> Person:
    person_for_user(request.user)
    try:
        return selectors.person_get(person_id)
    except Person.DoesNotExist:
        raise Http404("No such person.") from None


@router.get("/teams", response=list[TeamOut])
@paginate(PageNumberPagination, page_size=100)
def teams(request: HttpRequest) -> QuerySet[Team]:
    """Every team and department, with its parent and number of members."""
    person_for_user(request.user)
    return selectors.team_list().order_by("name")


@router.get("/teams/{slug}", response=TeamOut)
def team(request: HttpRequest, slug: str) -> Team:
    person_for_user(request.user)
    try:
        return selectors.team_list().get(slug=slug)
    except Team.DoesNotExist:
        raise Http404("No such team.") from None

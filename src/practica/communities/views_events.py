"""Event pages and calendar feeds. Thin: parse, authorise, call a service or selector, render.

Community pages answer 404 for a private community to a non-member (``community_for``); lead-only
actions answer 403 to everyone else who may see the community. Feeds are fetched by calendar clients
without a session: the token in the URL identifies the person, and the same visibility rules apply.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from practica.communities import event_selectors, events
from practica.communities.access import lead_access, page_access
from practica.communities.calendar import community_calendar, personal_calendar
from practica.communities.event_forms import (
    AttendanceForm,
    EventCreateForm,
    EventEditForm,
    NotesForm,
    RsvpForm,
    event_initial,
)
from practica.communities.events import Scope
from practica.communities.models import CalendarToken, Event
from practica.communities.selectors import CommunityAccess, community_for
from practica.core.errors import ApplicationError
from practica.core.http import HtmxHttpRequest
from practica.core.pagination import paginate
from practica.core.permissions import can_take_part, person_for_user
from practica.people.models import Person

# Services name the wall-clock times; the forms split them into a date and two times.
FIELD_FOR_SERVICE = {"starts_local": "start_time", "ends_local": "end_time"}
CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"
PAST_SHOWN = 20


def _access(request: HttpRequest, slug: str, *, lead: bool = False) -> tuple[Person, CommunityAccess]:
    return lead_access(request, slug) if lead else page_access(request, slug)


def _form_error(form: Form, error: ApplicationError) -> None:
    field = FIELD_FOR_SERVICE.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


def _page(request: HttpRequest, template: str, access: CommunityAccess, **context: Any) -> HttpResponse:
    return render(
        request, template, {"community": access.community, "access": access, "tab": "events", **context}
    )


def _feed_urls(request: HttpRequest, person: Person, slug: str) -> dict[str, str]:
    token = events.calendar_token_for(person).token
    return {
        "community_feed_url": request.build_absolute_uri(
            reverse("communities:calendar-community", kwargs={"token": token, "slug": slug})
        ),
        "personal_feed_url": request.build_absolute_uri(
            reverse("communities:calendar-personal", kwargs={"token": token})
        ),
    }


@login_required
def event_list(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _access(request, slug)
    community = access.community
    context = {
        "upcoming": paginate(request, event_selectors.events_of(community, upcoming=True), per_page=20),
        "past": list(event_selectors.events_of(community, upcoming=False)[:PAST_SHOWN]),
        "past_shown": PAST_SHOWN,
        **_feed_urls(request, person, slug),
    }
    return _page(request, "communities/events/list.html", access, **context)


@login_required
def event_create(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _access(request, slug, lead=True)
    form = EventCreateForm(request.POST or None, initial={"time_zone": person.time_zone})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = events.event_create(
                actor=person, community=access.community, frequency=data["frequency"] or None,
                occurrences=data["occurrences"], until=data["until"], **form.service_fields(),
            )  # fmt: skip
        except ApplicationError as error:
            _form_error(form, error)
        else:
            many = f" and {len(created) - 1} more occurrences" if len(created) > 1 else ""
            messages.success(request, f"“{created[0].title}” is scheduled{many}.")
            return redirect("communities:event-detail", slug=slug, pk=created[0].pk)
    return _page(request, "communities/events/form.html", access, form=form, event=None)


@login_required
def event_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    event = event_selectors.event_of(access.community, pk)
    context = _detail_context(person, access, event)
    if event.attendance_taken_at:
        context["attendance_count"] = event.attendance.count()
    if access.is_lead:
        context["notes_form"] = NotesForm(initial={"notes": event.notes})
    return _page(request, "communities/events/detail.html", access, **context)


def _detail_context(person: Person, access: CommunityAccess, event: Event, **extra: Any) -> dict[str, Any]:
    answers = event_selectors.event_answers(event, person)
    refusal = events.rsvp_refusal(event)
    may_answer = can_take_part(person, access.community, access.membership)
    return {
        "event": event,
        "answers": answers,
        "places_left": answers.places_left(event.capacity),
        "rsvp_closed": refusal,
        "may_answer": may_answer,
        **extra,
    }


@login_required
@require_POST
def event_rsvp(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    event = event_selectors.event_of(access.community, pk)
    form = RsvpForm(request.POST)
    error, notice = "", ""
    if not form.is_valid():
        error = "Answer going, maybe or no."
    else:
        try:
            rsvp = events.rsvp_set(person=person, event=event, answer=form.cleaned_data["answer"])
        except ApplicationError as refusal:
            error = refusal.message
        else:
            notice = (
                "The event is full: you are on the waitlist and move up when a place frees."
                if rsvp.waitlisted
                else f"Your answer is saved: {rsvp.get_answer_display().lower()}."
            )
    if request.htmx:
        event = event_selectors.event_of(access.community, pk)
        context = _detail_context(person, access, event, rsvp_error=error, rsvp_notice=notice)
        context.update(community=access.community, access=access)
        # htmx swaps only 2xx answers by default, so a refusal comes back as 200 with the message shown.
        return render(request, "communities/events/partials/rsvp.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect("communities:event-detail", slug=slug, pk=pk)


@login_required
def event_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug, lead=True)
    event = event_selectors.event_of(access.community, pk)
    form = EventEditForm(request.POST or None, initial=event_initial(event))
    if event.series_id is None:
        del form.fields["scope"]
    if request.method == "POST" and form.is_valid():
        scope: Scope = "following" if form.cleaned_data.get("scope") == "following" else "this"
        try:
            events.event_update(actor=person, event=event, scope=scope, **form.service_fields())
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "The event is saved; calendars pick up the change.")
            return redirect("communities:event-detail", slug=slug, pk=pk)
    return _page(request, "communities/events/form.html", access, form=form, event=event)


@login_required
@require_POST
def event_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug, lead=True)
    event = event_selectors.event_of(access.community, pk)
    try:
        events.event_cancel(actor=person, event=event)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{event.title}” on {event.starts_at:%Y-%m-%d} is cancelled.")
    return redirect("communities:event-detail", slug=slug, pk=pk)


@login_required
def event_attendance(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug, lead=True)
    event = event_selectors.event_of(access.community, pk)
    candidates = event_selectors.attendance_candidates(event)
    choices = [(candidate.person.pk, candidate.person.display_name) for candidate in candidates]
    present = [c.person.pk for c in candidates if (c.present if event.attendance_taken_at else c.going)]
    initial = {"attendees": present, "speakers": [speaker.pk for speaker in event.speakers.all()]}
    form = AttendanceForm(request.POST or None, people=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            records = events.attendance_record(
                actor=person,
                event=event,
                attendee_ids=form.cleaned_data["attendees"],
                speaker_ids=form.cleaned_data["speakers"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"Attendance saved: {len(records)} present.")
            return redirect("communities:event-detail", slug=slug, pk=pk)
    rows = list(zip(form["attendees"], form["speakers"], candidates, strict=True))
    context = {"event": event, "form": form, "candidates": candidates, "rows": rows}
    return _page(request, "communities/events/attendance.html", access, **context)


@login_required
@require_POST
def event_notes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug, lead=True)
    event = event_selectors.event_of(access.community, pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        events.event_set_notes(actor=person, event=event, notes=form.cleaned_data["notes"])
        messages.success(request, "Notes and outcomes saved.")
    else:
        messages.error(request, "The notes could not be read; try again.")
    return redirect("communities:event-detail", slug=slug, pk=pk)


# Feeds --------------------------------------------------------------------------------------------


def _person_for_token(token: str) -> Person:
    record = CalendarToken.objects.filter(token=token).select_related("person").first()
    if record is None:
        raise Http404("No such calendar.")
    return record.person


def _calendar_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CALENDAR_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # The URL is a secret: shared caches must not keep a copy.
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def calendar_personal(request: HttpRequest, token: str) -> HttpResponse:
    person = _person_for_token(token)
    body = personal_calendar(
        person, event_selectors.personal_feed_events(person), base_url=request.build_absolute_uri("/")
    )
    return _calendar_response(body, "practica-personal.ics")


@require_GET
def calendar_community(request: HttpRequest, token: str, slug: str) -> HttpResponse:
    person = _person_for_token(token)
    community = community_for(person, slug).community
    body = community_calendar(
        community, event_selectors.community_feed_events(community), base_url=request.build_absolute_uri("/")
    )
    return _calendar_response(body, f"{community.slug}.ics")


@login_required
@require_POST
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    """Replace the person's calendar token: every feed address they shared stops working."""
    events.calendar_token_regenerate(person_for_user(request.user))
    messages.success(request, "Your calendar feeds have new addresses; the old ones no longer work.")
    return redirect("people:profile")

"""The community journey: a lead starts a community of practice, runs its meetups and watches its health;
a member subscribes to their calendar; an outsider sees nothing of a private community."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import screenshot
from tests.browser.test_people_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

BERLIN = ZoneInfo("Europe/Berlin")


def _indicator(page, label: str):
    """The row of the health indicators table whose header is ``label``."""
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label, exact=True))


def test_lead_creates_runs_and_measures_a_community(page, browser, live_server, owner, member):
    from practica.communities.events import event_create
    from practica.communities.models import Community, Rsvp, RsvpAnswer

    sign_in(page, "owner")
    page.get_by_role("heading", name="Welcome, Olivia Owner").wait_for()

    # Start the community from the directory.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Communities").click()
    page.get_by_role("link", name="Start a community").first.click()
    page.get_by_role("heading", name="Start a community of practice").wait_for()
    page.get_by_label("Name").fill("Quality Guild")
    page.get_by_label("Summary").fill("Testers and developers getting better at testing together.")
    page.get_by_label("Visibility").select_option("open")
    page.get_by_label("Tags").fill("testing, quality")
    page.get_by_label("Domain", exact=True).fill("How we test software so that releases are boring.")
    page.get_by_role("button", name="Start the community").click()
    page.get_by_text("Quality Guild is started, and you are its lead.").wait_for()
    page.get_by_role("heading", name="Quality Guild", level=1).wait_for()
    assert page.get_by_text("Stage: Potential").is_visible()
    assert page.get_by_role("link", name="#testing").is_visible()
    assert page.get_by_text("How we test software so that releases are boring.").is_visible()
    screenshot(page, "community-created")
    slug = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert slug == "quality-guild"

    # Write the charter.
    page.get_by_role("link", name="Edit the charter").click()
    page.get_by_role("heading", name="Edit the charter").wait_for()
    page.get_by_label("Purpose", exact=True).fill("Share what works in testing across teams.")
    page.get_by_label("Rhythm", exact=True).fill("Fortnightly meetup, monthly kata.")
    page.get_by_label("What changed (optional)").fill("Purpose and rhythm")
    screenshot(page, "charter")
    page.get_by_role("button", name="Save charter").click()
    page.get_by_text("Charter saved as version 2.").wait_for()
    charter = page.get_by_role("region", name=re.compile(r"^Charter"))
    assert charter.get_by_role("heading", name="Charter (version 2)").is_visible()
    assert charter.get_by_role("heading", name="Rhythm").is_visible()
    assert charter.get_by_text("Fortnightly meetup, monthly kata.").is_visible()

    # Move it to coalescing, saying why; the stage history keeps the reason.
    page.get_by_label("Move to stage").select_option(label="Coalescing")
    page.get_by_label("Why", exact=True).fill("Twelve people came to the first lunch talk.")
    page.get_by_role("button", name="Change stage").click()
    page.get_by_text("The community is now coalescing.").wait_for()
    assert page.get_by_text("Stage: Coalescing").is_visible()
    history = page.get_by_role("heading", name="Stage history").locator("xpath=following-sibling::ol[1]")
    assert history.get_by_role("listitem").first.get_by_text("Coalescing").is_visible()
    assert history.get_by_text("Twelve people came to the first lunch talk.").is_visible()
    screenshot(page, "stage")

    # Schedule a fortnightly meetup whose first occurrence is tomorrow evening in Berlin.
    first_day = (timezone.now().astimezone(BERLIN) + timedelta(days=1)).date()
    page.get_by_role("navigation", name="Quality Guild").get_by_role("link", name="Events").click()
    page.get_by_role("link", name="Schedule an event").click()
    page.get_by_label("Title").fill("Testing meetup")
    page.get_by_label("Kind of event").select_option(label="Meetup")
    page.get_by_label("Date", exact=True).fill(first_day.isoformat())
    page.get_by_label("Starts at").fill("17:00")
    page.get_by_label("Ends at").fill("18:30")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("Place").fill("Room Ada, 3rd floor")
    page.get_by_label("How often").select_option(label="Fortnightly")
    page.get_by_label("Number of occurrences").fill("4")
    page.get_by_role("button", name="Schedule", exact=True).click()
    page.get_by_text("“Testing meetup” is scheduled and 3 more occurrences.").wait_for()
    page.get_by_role("heading", name="Testing meetup").wait_for()
    assert page.get_by_text("Part of a series").is_visible()
    assert page.get_by_text(f"{first_day:%a} {first_day.day} {first_day:%b %Y}, 17:00").is_visible()
    event_url = page.url
    page.get_by_role("link", name="← All events of Quality Guild").click()
    upcoming = page.get_by_role("list", name="Upcoming events").get_by_role("listitem")
    assert upcoming.count() == 4
    assert upcoming.filter(has_text="Repeats fortnightly").count() == 4
    screenshot(page, "event-series")

    # The member, in a browser of their own, joins and answers going.
    member_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        member_page = member_context.new_page()
        member_page.set_default_timeout(10_000)
        sign_in(member_page, "member")
        member_page.get_by_role("heading", name="Welcome, Max Member").wait_for()
        member_page.goto(f"/communities/{slug}/")
        member_page.get_by_role("button", name="Join").click()
        member_page.get_by_text("Welcome to Quality Guild.").wait_for()
        member_page.goto(event_url)
        member_page.get_by_role("button", name="Going", exact=True).click()
        member_page.get_by_text("Your answer is saved: going.").wait_for()
        assert member_page.get_by_role("group", name="Your answer: going").is_visible()
    finally:
        member_context.close()

    # The lead sees the answer on the event page.
    page.goto(event_url)
    rsvp = page.get_by_role("region", name="Who is coming")
    assert rsvp.get_by_text(re.compile(r"^1 going")).is_visible()
    assert rsvp.get_by_role("link", name="Max Member").is_visible()
    screenshot(page, "rsvp")

    # Attendance needs an event that has started; scheduling one in the past through the service
    # saves waiting for tomorrow's meetup. The member had answered going before it began.
    community = Community.objects.get(slug=slug)
    starts = (timezone.now() - timedelta(days=3)).replace(tzinfo=None, second=0, microsecond=0)
    (kickoff,) = event_create(
        actor=owner, community=community, title="Kick-off meetup", starts_local=starts,
        ends_local=starts + timedelta(hours=1), time_zone="UTC",
    )  # fmt: skip
    Rsvp.objects.create(event=kickoff, person=member, answer=RsvpAnswer.GOING)

    # Health before attendance: an event was held but nobody was recorded as present.
    page.get_by_role("navigation", name="Quality Guild").get_by_role("link", name="Health").click()
    page.get_by_role("heading", name=re.compile("^Overall health")).wait_for()
    attendance_row = _indicator(page, "Attendance per event")
    taking_part_row = _indicator(page, "Members taking part")
    assert attendance_row.get_by_text("No event with recorded attendance in the period.").is_visible()
    assert taking_part_row.get_by_role("cell").first.inner_text() == "50%"
    assert _indicator(page, "Events held").get_by_role("cell").first.inner_text().startswith("1 event")
    assert page.get_by_text("No attendance recorded yet.").is_visible()
    screenshot(page, "health-before")

    # The lead takes attendance: the member who said going is ticked already.
    page.get_by_role("navigation", name="Quality Guild").get_by_role("link", name="Events").click()
    page.get_by_role("list", name="Past events").get_by_role("link", name="Kick-off meetup").click()
    page.get_by_role("link", name="Take attendance").click()
    page.get_by_role("heading", name="Who came to “Kick-off meetup”?").wait_for()
    came = page.get_by_label("Max Member came")
    assert came.is_checked()
    assert not page.get_by_label("Olivia Owner came").is_checked()
    came.check()
    screenshot(page, "attendance")
    page.get_by_role("button", name="Save attendance").click()
    page.get_by_text("Attendance saved: 1 present.").wait_for()
    assert page.get_by_text("1 person came.").is_visible()

    # Health after recomputing: attendance is counted and everyone took part.
    page.get_by_role("navigation", name="Quality Guild").get_by_role("link", name="Health").click()
    page.get_by_role("button", name="Recompute now").click()
    page.get_by_text(re.compile(r"^Participation levels and health recomputed: ")).wait_for()
    assert re.match(r"1 (people|person) \(median\)", attendance_row.get_by_role("cell").first.inner_text())
    assert taking_part_row.get_by_role("cell").first.inner_text() == "100%"
    assert page.get_by_text(re.compile(r"^Health: ")).is_visible()
    # The chart keeps the page's label (which names the table alternative) after Vega has drawn in it.
    chart = page.get_by_role("img", name=re.compile(r"^Bar chart of people present at each recent event"))
    chart.locator("svg").first.wait_for()
    assert chart.locator("svg").first.bounding_box()["width"] > 40  # drawn, not collapsed to zero
    screenshot(page, "health")


def test_member_subscribes_to_calendar_and_outsider_sees_nothing_private(
    page, browser, live_server, owner, member, outsider
):
    from practica.communities import services
    from practica.communities.events import calendar_token_for, event_create, rsvp_set
    from practica.communities.models import EventKind, RsvpAnswer, Visibility

    tomorrow = (timezone.now() + timedelta(days=1)).date()
    at_ten = datetime.combine(tomorrow, time(10, 0))

    private = services.community_create(actor=owner, name="Security Champions", visibility=Visibility.PRIVATE)
    (clinic,) = event_create(
        actor=owner, community=private, title="Threat modelling clinic", starts_local=at_ten,
        ends_local=at_ten + timedelta(hours=1), time_zone="UTC",
    )  # fmt: skip
    rsvp_set(person=owner, event=clinic, answer=RsvpAnswer.GOING)
    # The member was in the private community and said going before leaving it: from then on the
    # feed must not show the event, though the answer is still stored.
    services.membership_invite(actor=owner, community=private, person=member)
    services.membership_join(person=member, community=private)
    rsvp_set(person=member, event=clinic, answer=RsvpAnswer.GOING)
    services.membership_leave(person=member, community=private)

    guild = services.community_create(actor=owner, name="Testing Guild", visibility=Visibility.OPEN)
    services.membership_join(person=member, community=guild)
    (kata,) = event_create(
        actor=owner, community=guild, title="Mutation testing kata", kind=EventKind.KATA,
        starts_local=at_ten + timedelta(hours=4), ends_local=at_ten + timedelta(hours=6), time_zone="UTC",
    )  # fmt: skip

    # The member answers going from their start page.
    sign_in(page, "member")
    page.get_by_role("heading", name="Welcome, Max Member").wait_for()
    coming_up = page.get_by_role("region", name="Coming up")
    assert coming_up.get_by_role("link", name="Threat modelling clinic").count() == 0
    coming_up.get_by_role("link", name="Mutation testing kata").click()
    page.get_by_role("button", name="Going", exact=True).click()
    page.get_by_text("Your answer is saved: going.").wait_for()

    # Their profile gives the address of their personal calendar feed.
    page.get_by_role("banner").get_by_role("link", name="Max Member").click()
    page.get_by_role("heading", name="Calendar", exact=True).wait_for()
    feed_url = page.get_by_test_id("calendar-feed-url").inner_text().strip()
    token = calendar_token_for(member).token
    assert feed_url == live_server.url + reverse("communities:calendar-personal", kwargs={"token": token})

    response = page.request.get(feed_url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    feed = icalendar.Calendar.from_ical(response.body())
    summaries = [str(vevent.get("summary")) for vevent in feed.walk("VEVENT")]
    assert summaries == ["Mutation testing kata · Testing Guild"]
    assert f"{kata.uid}@practica" in {str(vevent.get("uid")) for vevent in feed.walk("VEVENT")}

    # The outsider, in a browser of their own, finds no trace of the private community.
    outsider_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        seen = outsider_context.new_page()
        seen.set_default_timeout(10_000)
        sign_in(seen, "outsider")
        home = seen.get_by_role("heading", name="Welcome, Otto Outsider")
        home.wait_for()
        assert seen.get_by_text("Security Champions").count() == 0
        assert seen.get_by_text("Threat modelling clinic").count() == 0

        seen.get_by_role("navigation", name="Main").get_by_role("link", name="Communities").click()
        seen.get_by_role("link", name="Testing Guild").wait_for()
        assert seen.get_by_text("1 community.").is_visible()
        assert seen.get_by_role("link", name="Security Champions").count() == 0
        screenshot(seen, "directory-outsider")
        seen.get_by_label("Search", exact=True).fill("Security")
        seen.get_by_text("0 communities.").wait_for()
        assert seen.get_by_text("No community matches.", exact=False).is_visible()
        assert seen.get_by_role("link", name="Security Champions").count() == 0

        private_pages = [
            f"/communities/{private.slug}/",
            f"/communities/{private.slug}/events/",
            f"/communities/{private.slug}/events/{clinic.pk}/",
            f"/communities/{private.slug}/health/",
        ]
        for path in private_pages:
            response = seen.goto(path)
            assert response is not None and response.status == 404, path
            seen.get_by_role("heading", name="Page not found").wait_for()
            assert "Security Champions" not in seen.content(), path
            if path == f"/communities/{private.slug}/":
                screenshot(seen, "private-404")

        outsider_token = calendar_token_for(outsider).token
        community_feed = reverse(
            "communities:calendar-community", kwargs={"token": outsider_token, "slug": private.slug}
        )
        assert seen.request.get(community_feed).status == 404

        # The main menu marks only the section you are in as current; the people directory's URL is
        # also named "directory", so today "People" is marked on the communities directory too.
        seen.goto("/communities/")
        main_menu = seen.get_by_role("navigation", name="Main")
        assert main_menu.get_by_role("link", name="Communities").get_attribute("aria-current") == "page"
        assert main_menu.get_by_role("link", name="People").get_attribute("aria-current") is None
    finally:
        outsider_context.close()

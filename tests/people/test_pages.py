from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from practica.people.models import ApiToken, Person, Role

pytestmark = pytest.mark.django_db


def page_urls(person: Person, team_slug: str) -> list[str]:
    return [
        reverse("home"),
        reverse("people:directory"),
        reverse("people:person", args=[person.pk]),
        reverse("people:profile"),
        reverse("people:teams"),
        reverse("people:team", args=[team_slug]),
        reverse("password_change"),
    ]


def test_anonymous_visitors_are_sent_to_sign_in_from_every_page(owner, team):
    client = Client()
    for url in page_urls(owner, team.slug):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_anonymous_visitors_cannot_post_to_any_write_page(owner, team):
    client = Client()
    for url in [
        reverse("people:profile"),
        reverse("people:token-create"),
        reverse("people:person-role", args=[owner.pk]),
    ]:
        response = client.post(url, {"name": "x", "role": "admin"})
        assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.role == Role.MEMBER
    assert not ApiToken.objects.exists()


def test_a_deactivated_account_is_treated_as_signed_out(client_for, member, owner, team):
    client = client_for(member)
    member.user.is_active = False
    member.user.save()
    assert client.get(reverse("people:directory")).status_code == 302


def test_every_page_renders_for_a_member(client_for, member, owner, team):
    client = client_for(member)
    for url in page_urls(owner, team.slug):
        assert client.get(url).status_code == 200, url


def test_directory_searches_by_name_title_and_location(client_for, member, owner, outsider):
    client = client_for(member)
    response = client.get(reverse("people:directory"), {"q": "backend"})
    assert "Olivia Owner" in response.text
    assert "Otto Outsider" not in response.text
    assert "1 person" in response.text


def test_directory_filters_by_team_including_sub_teams(client_for, member, owner, outsider, team):
    response = client_for(member).get(reverse("people:directory"), {"team": team.parent.slug})
    assert "Olivia Owner" in response.text
    assert "Max Member" in response.text
    assert "Otto Outsider" not in response.text


def test_directory_answers_htmx_with_only_the_results(client_for, member, owner):
    response = client_for(member).get(reverse("people:directory"), {"q": "Olivia"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.text
    assert "Olivia Owner" in response.text


def test_an_unknown_team_filter_is_ignored_with_the_form_error_not_a_crash(client_for, member):
    response = client_for(member).get(reverse("people:directory"), {"team": "no-such-team"})
    assert response.status_code == 200


def test_directory_query_count_does_not_grow_with_people(
    client_for, member, make_person, team, django_assert_max_num_queries
):
    from practica.people.services import team_membership_set

    client = client_for(member)
    for number in range(25):
        team_membership_set(person=make_person(f"extra{number}"), team=team, manager=None)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("people:directory"))
    assert response.status_code == 200


def test_team_pages_query_count_is_constant(client_for, member, team, django_assert_max_num_queries):
    client = client_for(member)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("people:team", args=[team.slug])).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("people:teams")).status_code == 200


def test_unknown_person_and_team_give_404(client_for, member):
    client = client_for(member)
    assert client.get(reverse("people:person", args=[999_999])).status_code == 404
    response = client.get(reverse("people:team", args=["nope"]))
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_team_page_shows_the_tree_and_members(client_for, member, owner, team):
    response = client_for(member).get(reverse("people:team", args=[team.parent.slug]))
    assert "Payments" in response.text
    response = client_for(member).get(reverse("people:team", args=[team.slug]))
    assert "Olivia Owner" in response.text
    assert "Engineering" in response.text  # breadcrumb to the department


def test_profile_edit_saves_and_renders_markdown_safely(client_for, owner):
    client = client_for(owner)
    response = client.post(
        reverse("people:profile"),
        {
            "display_name": "Olivia O.",
            "title": "Staff Engineer",
            "location": "Lisbon",
            "time_zone": "Europe/Lisbon",
            "bio": "I like **tests** <script>alert(1)</script>",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.display_name, owner.time_zone) == ("Olivia O.", "Europe/Lisbon")
    page = client.get(reverse("people:person", args=[owner.pk])).text
    assert "<strong>tests</strong>" in page
    assert "<script>alert" not in page


def test_profile_with_bad_input_keeps_what_was_typed_and_changes_nothing(client_for, owner):
    response = client_for(owner).post(
        reverse("people:profile"),
        {"display_name": "", "title": "Kept title", "location": "", "time_zone": "Mars/Olympus", "bio": ""},
    )
    assert response.status_code == 200
    assert "Kept title" in response.text
    assert "Select a valid choice" in response.text
    owner.refresh_from_db()
    assert owner.display_name == "Olivia Owner"


def test_tokens_are_created_shown_once_and_revoked(client_for, owner):
    client = client_for(owner)
    response = client.post(reverse("people:token-create"), {"name": "report script"}, HTTP_HX_REQUEST="true")
    token = ApiToken.objects.get(person=owner)
    assert token.prefix in response.text
    assert "Copy it now" in response.text
    assert token.token_hash not in response.text
    # The token itself is not stored: only its hash.
    shown = response.text.split('data-testid="new-token">')[1].split("<")[0]
    assert shown.startswith("pra_") and shown != token.token_hash
    page = client.get(reverse("people:profile")).text
    assert shown not in page
    client.post(reverse("people:token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert not token.is_active


def test_a_token_without_a_name_is_refused(client_for, owner):
    response = client_for(owner).post(reverse("people:token-create"), {"name": ""})
    assert response.status_code == 200
    assert "This field is required" in response.text
    assert not ApiToken.objects.exists()


def test_nobody_can_revoke_someone_elses_token(client_for, owner, member):
    from practica.people.services import api_token_create

    token, _ = api_token_create(person=owner, name="mine")
    response = client_for(member).post(
        reverse("people:token-revoke", args=[token.pk]), HTTP_REFERER="http://testserver/me/"
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.is_active


def test_only_an_admin_changes_roles(client_for, admin, member, steward):
    url = reverse("people:person-role", args=[member.pk])
    assert client_for(steward).post(url, {"role": "admin"}).status_code == 403
    member.refresh_from_db()
    assert member.role == Role.MEMBER
    response = client_for(admin).post(url, {"role": "steward"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.STEWARD


def test_the_last_admin_cannot_be_demoted(client_for, admin):
    client = client_for(admin)
    url = reverse("people:person-role", args=[admin.pk])
    response = client.post(url, {"role": "member"}, HTTP_REFERER=f"http://testserver/people/{admin.pk}/")
    assert response.status_code == 302
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert messages == ["This is the last admin; make someone else admin first."]
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_sign_in_page_signs_in_and_is_throttled_after_repeated_failures(owner, settings):
    from tests.conftest import PASSWORD

    settings.PRACTICA_LOGIN_THROTTLE = 3
    client = Client()
    for _ in range(3):
        response = client.post(reverse("login"), {"username": "owner", "password": "wrong"})
        assert "Please enter a correct username and password" in response.text
    response = client.post(reverse("login"), {"username": "owner", "password": PASSWORD})
    assert "Too many sign-in attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_sign_in_with_the_right_password_lands_on_home(owner):
    from tests.conftest import PASSWORD

    client = Client()
    response = client.post(reverse("login"), {"username": "owner", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Welcome, Olivia Owner" in response.text


def test_password_reset_sends_an_email_with_a_working_link(owner, mailoutbox):
    client = Client()
    client.post(reverse("password_reset"), {"email": owner.email})
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "a new long passphrase", "new_password2": "a new long passphrase"}
    )
    assert response.status_code == 302
    assert client.login(username="owner", password="a new long passphrase")


def test_sign_out_needs_a_post(client_for, owner):
    client = client_for(owner)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_a_superuser_made_from_the_command_line_gets_a_person(db):
    from django.contrib.auth.models import User

    user = User.objects.create_superuser("root", "root@example.org", "pw-long-enough-123")
    client = Client()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    assert Person.objects.get(user=user).role == Role.ADMIN


def test_profile_says_a_broker_is_counted_until_they_agree_to_be_named(client_for, owner):
    from practica.core.models import AuditLog

    client = client_for(owner)
    assert "You are counted, not named." in client.get(reverse("people:profile")).text
    response = client.post(reverse("people:broker-listing"), {"listed": "1"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.listed_as_broker
    page = client.get(reverse("people:profile")).text
    assert "You agreed to be named as a knowledge broker." in page
    client.post(reverse("people:broker-listing"), {"listed": "0"})
    owner.refresh_from_db()
    assert not owner.listed_as_broker
    changes = AuditLog.objects.filter(action="person.broker_listing_changed").order_by("id")
    assert [entry.details["listed"] for entry in changes] == [True, False]
    assert {entry.actor_id for entry in changes} == {owner.pk}


def test_broker_listing_needs_a_post_from_a_signed_in_person(client_for, owner):
    assert client_for(owner).get(reverse("people:broker-listing")).status_code == 405
    response = Client().post(reverse("people:broker-listing"), {"listed": "1"})
    assert response.status_code == 302 and "signin" in response["Location"]
    owner.refresh_from_db()
    assert not owner.listed_as_broker

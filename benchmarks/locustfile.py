"""Load test: people browsing Practica and posting answers, RSVPs and forecasts.

Run through benchmarks/load_test.py, which prepares the accounts and the targets, starts
`practica serve`, runs this file headless and checks that no write was lost. The targets file
(LOAD_TARGETS) lists the accounts and the questions, events and forecast questions to post to; every
successful write is recorded in LOAD_RECORD (one JSON line per write) so the runner can compare the
count of successful POSTs with the rows in the database.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from typing import Any

from locust import HttpUser, between, events, task

with open(os.environ["LOAD_TARGETS"], encoding="utf-8") as targets_file:
    TARGETS: dict[str, Any] = json.load(targets_file)
RECORD_PATH = os.environ["LOAD_RECORD"]
ACCOUNTS = itertools.cycle(TARGETS["accounts"])
_lock = threading.Lock()
_writes: list[dict[str, Any]] = []


def record(kind: str, **fields: Any) -> None:
    with _lock:
        _writes.append({"kind": kind, **fields})


@events.quitting.add_listener
def _save(environment: Any, **kwargs: Any) -> None:
    with open(RECORD_PATH, "w", encoding="utf-8") as output:
        for write in _writes:
            output.write(json.dumps(write) + "\n")


class Member(HttpUser):
    """A signed-in member: mostly reads pages, sometimes answers, RSVPs or forecasts."""

    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        self.username = next(ACCOUNTS)
        self.rng = random.Random(self.username)
        if self.username == TARGETS["accounts"][0]:
            # One user signs in through the form, so that path is exercised and timed.
            self.client.get("/signin/", name="/signin/")
            token = self.client.cookies.get("csrftoken", "")
            response = self.client.post(
                "/signin/",
                {"username": self.username, "password": TARGETS["password"], "csrfmiddlewaretoken": token},
                allow_redirects=False,
                name="/signin/ (POST)",
            )
            if response.status_code != 302:
                raise RuntimeError(f"sign-in failed for {self.username}: {response.status_code}")
        else:
            # Already signed in (the runner made the sessions): people browse with a session open.
            self.client.cookies.set("sessionid", TARGETS["sessions"][self.username])
        self.client.get("/", name="/")  # sets the CSRF cookie the forms need

    def _post(self, url: str, data: dict[str, Any], name: str, **headers: str) -> Any:
        token = self.client.cookies.get("csrftoken", "")
        return self.client.post(
            url,
            data,
            headers={"X-CSRFToken": token, "Referer": self.host + url, **headers},
            allow_redirects=False,
            name=name,
            catch_response=True,
        )

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="/")

    @task(2)
    def directory(self) -> None:
        self.client.get("/communities/", name="/communities/")

    @task(3)
    def community(self) -> None:
        slug = self.rng.choice(TARGETS["communities"])
        self.client.get(f"/communities/{slug}/", name="/communities/[slug]/")

    @task(2)
    def questions(self) -> None:
        slug, pk = self.rng.choice(TARGETS["questions"])
        self.client.get(f"/communities/{slug}/questions/", name="/communities/[slug]/questions/")
        self.client.get(f"/communities/{slug}/questions/{pk}/", name="/communities/[slug]/questions/[pk]/")

    @task(2)
    def event_page(self) -> None:
        slug, pk = self.rng.choice(TARGETS["events"])
        self.client.get(f"/communities/{slug}/events/{pk}/", name="/communities/[slug]/events/[pk]/")

    @task(1)
    def people(self) -> None:
        self.client.get("/people/", name="/people/")

    @task(1)
    def calibration(self) -> None:
        self.client.get("/me/calibration/", name="/me/calibration/")

    @task(2)
    def answer(self) -> None:
        slug, pk = self.rng.choice(TARGETS["questions"])
        url = f"/communities/{slug}/questions/{pk}/answers/"
        body = f"Load test answer from {self.username}: pair on it first, then write down what surprised you."
        with self._post(url, {"body": body, "certainty": "2"}, "answer (POST)") as response:
            if response.status_code == 302 and "#answer-" in response.headers.get("Location", ""):
                record("answer", user=self.username, question=pk)
                response.success()
            else:
                response.failure(f"answer not posted: {response.status_code}")

    @task(2)
    def rsvp(self) -> None:
        slug, pk = self.rng.choice(TARGETS["events"])
        url = f"/communities/{slug}/events/{pk}/rsvp/"
        answer = self.rng.choice(["going", "maybe", "no"])
        with self._post(url, {"answer": answer}, "rsvp (POST)", **{"HX-Request": "true"}) as response:
            saved = "Your answer is saved" in response.text or "on the waitlist" in response.text
            if response.status_code == 200 and saved:
                record("rsvp", user=self.username, event=pk, answer=answer)
                response.success()
            else:
                response.failure(f"RSVP not saved: {response.status_code}")

    @task(1)
    def forecast(self) -> None:
        slug, pk = self.rng.choice(TARGETS["forecasts"])
        url = f"/communities/{slug}/forecasts/{pk}/forecast/"
        probability = self.rng.randint(5, 95)
        with self._post(url, {"probability": str(probability)}, "forecast (POST)") as response:
            if response.status_code == 302:
                record("forecast", user=self.username, question=pk, probability=probability)
                response.success()
            else:
                response.failure(f"forecast not saved: {response.status_code}")

"""The unanswered-questions digest: tells each community's leads which questions wait too long.

Run by ``practica digest`` (the operator schedules it, e.g. daily with cron). Each question is
reported once (``Question.digest_sent_at``), only to the leads of its own community, so a private
community's questions never reach anyone outside it. Mail goes through Django's ``send_mail``; with
no ``EMAIL_HOST`` configured the console backend prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from practica.communities.models import Community, Membership, MembershipStatus, Role
from practica.knowledge.models import Question, Relevance
from practica.knowledge.qa import question_path

WAITING_LONGER_THAN = timedelta(days=3)


@dataclass
class DigestEmail:
    """One community's digest: who it goes to and which questions it lists."""

    community: Community
    recipients: list[str]
    questions: list[Question]


@dataclass
class DigestReport:
    emails: list[DigestEmail] = field(default_factory=list)
    dry_run: bool = False

    @property
    def question_count(self) -> int:
        return sum(len(email.questions) for email in self.emails)


def _message(community: Community, questions: list[Question], base_url: str, now: datetime) -> str:
    lines = [
        f"These questions in {community.name} have waited more than 3 days without an answer:",
        "",
    ]
    for question in questions:
        days = (now - question.created_at).days
        lines.append(f"- {question.title} (asked {days} days ago)")
        lines.append(f"  {base_url}{question_path(question)}")
    lines += [
        "",
        "Perhaps you know someone who can answer, or the question belongs on a meetup agenda.",
        "You get this because you lead the community; each question is mentioned once.",
    ]
    return "\n".join(lines)


def unanswered_digest(
    *, now: datetime | None = None, dry_run: bool = False, base_url: str = ""
) -> DigestReport:
    """Email each community's active leads its still-relevant questions unanswered for over 3 days.

    A question is reported once; a community without leads keeps its questions for a later run.
    ``dry_run`` works out the same report and sends and marks nothing. ``base_url`` (for example
    ``https://practica.example.org``; by default the ``PRACTICA_BASE_URL`` setting) makes the links
    absolute; without either they are paths.
    """
    now = now or timezone.now()
    waiting = list(
        Question.objects.filter(
            answer_count=0,
            relevance=Relevance.RELEVANT,
            digest_sent_at__isnull=True,
            created_at__lt=now - WAITING_LONGER_THAN,
        )
        .select_related("community")
        .order_by("community__name", "created_at", "id")
    )
    by_community: dict[int, list[Question]] = {}
    for question in waiting:
        by_community.setdefault(question.community_id, []).append(question)
    leads: dict[int, list[str]] = {}
    for community_id, email in Membership.objects.filter(
        community_id__in=list(by_community), role=Role.LEAD, status=MembershipStatus.ACTIVE
    ).values_list("community_id", "person__email"):
        leads.setdefault(community_id, []).append(email)
    report = DigestReport(dry_run=dry_run)
    base_url = (base_url or settings.PRACTICA_BASE_URL).rstrip("/")
    for community_id, questions in by_community.items():
        recipients = sorted(leads.get(community_id, []))
        if not recipients:
            continue
        community = questions[0].community
        report.emails.append(DigestEmail(community=community, recipients=recipients, questions=questions))
        if dry_run:
            continue
        subject = f"{len(questions)} question{'s' if len(questions) != 1 else ''} waiting in {community.name}"
        body = _message(community, questions, base_url, now)
        with transaction.atomic():
            # One message per lead: leads do not see each other's addresses, and a failure to send
            # leaves the questions unmarked so the next run tries again.
            for recipient in recipients:
                send_mail(subject, body, None, [recipient])
            Question.objects.filter(pk__in=[question.pk for question in questions]).update(digest_sent_at=now)
    return report

"""The method library shipped as data: the built-in templates that reviews and experiments use.

Each template is a method written down: a name, the practice it comes from, a summary, a description
in Markdown that says how to run it and cites its source, and the sections items are added under
(``key``, ``title``, ``prompt``). :func:`method_templates_sync` writes them into
:class:`~practica.learning.models.MethodTemplate` rows (a data migration runs it; it is idempotent).
Built-ins cannot be edited; organisations add their own with :func:`method_template_create`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from practica.core.errors import ApplicationError
from practica.learning.models import Method, MethodTemplate, TemplateKind
from practica.people.models import Person

MAX_SECTIONS = 12
NOT_A_STEWARD = "Only stewards and admins can add templates to the method library."


@dataclass(frozen=True)
class BuiltinTemplate:
    slug: str
    name: str
    method: Method
    kind: TemplateKind
    summary: str
    description: str
    sections: tuple[tuple[str, str, str], ...]

    def section_dicts(self) -> list[dict[str, str]]:
        return [{"key": key, "title": title, "prompt": prompt} for key, title, prompt in self.sections]


BUILTIN_TEMPLATES: tuple[BuiltinTemplate, ...] = (
    BuiltinTemplate(
        slug="start-stop-continue",
        name="Start, stop, continue",
        method=Method.AGILE,
        kind=TemplateKind.REVIEW,
        summary="The simplest agile retrospective: what to begin, what to give up, what to keep.",
        description=(
            "Everyone writes items under the three headings, the team groups similar ones, dot-votes, "
            "and turns the top few into actions with an owner and a due date.\n\n"
            "Source: a long-standing agile retrospective format; see Esther Derby and Diana Larsen, "
            "*Agile Retrospectives: Making Good Teams Great* (Pragmatic Bookshelf, 2006)."
        ),
        sections=(
            ("start", "Start", "What should we begin doing?"),
            ("stop", "Stop", "What should we stop doing?"),
            ("continue", "Continue", "What works and should keep going?"),
        ),
    ),
    BuiltinTemplate(
        slug="four-ls",
        name="4Ls: liked, learned, lacked, longed for",
        method=Method.AGILE,
        kind=TemplateKind.REVIEW,
        summary="A retrospective that asks what people liked, learned, lacked and longed for.",
        description=(
            "Four headings that bring out both feelings and facts. Good after a longer stretch of work.\n\n"
            "Source: Mary Gorman and Ellen Gottesdiener, *The 4L's: A Retrospective Technique* (EBG "
            "Consulting, 2010)."
        ),
        sections=(
            ("liked", "Liked", "What did you enjoy?"),
            ("learned", "Learned", "What did you learn?"),
            ("lacked", "Lacked", "What was missing, or could have gone better?"),
            ("longed_for", "Longed for", "What did you wish you had?"),
        ),
    ),
    BuiltinTemplate(
        slug="after-action-review",
        name="After-action review",
        method=Method.AFTER_ACTION,
        kind=TemplateKind.REVIEW,
        summary="Compare what was supposed to happen with what happened, and learn from the difference.",
        description=(
            "Hold it soon after the work, with everyone who took part, and without blame. Link the "
            "forecasts and experiments made about the work: their predictions pre-fill what was "
            "supposed to happen, and the review shows each prediction beside its outcome.\n\n"
            "Source: the US Army's after-action review, *A Leader's Guide to After-Action Reviews* "
            "(Training Circular 25-20, 1993); Marilyn Darling, Charles Parry and Joseph Moore, "
            '"Learning in the Thick of It", *Harvard Business Review*, July 2005.'
        ),
        sections=(
            ("supposed", "What was supposed to happen?", "The plan, the forecasts, the success criteria."),
            ("actual", "What actually happened?", "The facts, as each person saw them."),
            ("difference", "Why was there a difference?", "Causes, not culprits."),
            ("sustain", "What to sustain", "What went well and should happen again?"),
            ("improve", "What to improve", "What should we do differently next time?"),
        ),
    ),
    BuiltinTemplate(
        slug="lean-test-card",
        name="Test card",
        method=Method.LEAN_STARTUP,
        kind=TemplateKind.EXPERIMENT,
        summary="Write the experiment down before it starts: hypothesis, test, metric, criterion.",
        description=(
            "Fill it in before the experiment starts, so the result cannot move the goalposts. "
            "Participants then state the probability that it will succeed.\n\n"
            "Source: Strategyzer's Test Card (Alexander Osterwalder, Yves Pigneur et al., *Testing "
            "Business Ideas*, Wiley, 2019), after Eric Ries, *The Lean Startup* (2011)."
        ),
        sections=(
            ("hypothesis", "We believe that", "The hypothesis, and the assumption it tests."),
            ("method", "To verify that, we will", "The test: what we will do."),
            ("metric", "And measure", "The metric we will look at."),
            ("criterion", "We are right if", "The success criterion, with a number."),
        ),
    ),
    BuiltinTemplate(
        slug="lean-learning-card",
        name="Learning card",
        method=Method.LEAN_STARTUP,
        kind=TemplateKind.EXPERIMENT,
        summary="After the experiment: what we observed, what we learned, what we decide.",
        description=(
            "Close every experiment with a learning card and a decision: persevere, pivot, stop or "
            "keep testing.\n\n"
            "Source: Strategyzer's Learning Card (Osterwalder, Pigneur et al., *Testing Business "
            "Ideas*, Wiley, 2019)."
        ),
        sections=(
            ("hypothesis", "We believed that", "The hypothesis we tested."),
            ("observation", "We observed", "The data, with the numbers."),
            ("learning", "From that we learned that", "The insight."),
            ("decision", "Therefore, we will", "Persevere, pivot, stop or keep testing."),
        ),
    ),
    BuiltinTemplate(
        slug="design-test-review",
        name="Test review (feedback capture grid)",
        method=Method.DESIGN_THINKING,
        kind=TemplateKind.REVIEW,
        summary="After testing a prototype with people: what worked, what to improve, questions, ideas.",
        description=(
            "Capture feedback in four quadrants while it is fresh, then decide what to change in the "
            "next prototype.\n\n"
            "Source: the feedback capture grid of the Hasso Plattner Institute of Design at Stanford "
            "(d.school), *Bootcamp Bootleg* (2011)."
        ),
        sections=(
            ("worked", "What worked", "Things people liked or that did their job."),
            ("improve", "What could be improved", "Constructive criticism."),
            ("questions", "Questions", "What the test raised that we cannot answer yet."),
            ("ideas", "Ideas", "New ideas that came up."),
        ),
    ),
    BuiltinTemplate(
        slug="service-blueprint-review",
        name="Service blueprint review",
        method=Method.SERVICE_DESIGN,
        kind=TemplateKind.REVIEW,
        summary="Walk a service end to end, from what the customer does to the processes behind it.",
        description=(
            "Walk one customer journey lane by lane and mark where it fails or makes people wait.\n\n"
            'Source: G. Lynn Shostack, "Designing Services That Deliver", *Harvard Business Review*, '
            'January 1984; Mary Jo Bitner, Amy Ostrom and Felicia Morgan, "Service Blueprinting", '
            "*California Management Review* 50(3), 2008."
        ),
        sections=(
            ("customer", "Customer actions", "What the customer does, step by step."),
            ("frontstage", "Frontstage", "What the customer sees and who they deal with."),
            ("backstage", "Backstage", "What staff do out of sight."),
            ("support", "Support processes", "Systems and teams that make it possible."),
            ("fail_points", "Fail points", "Where it breaks or goes wrong."),
            ("wait_points", "Wait points", "Where the customer waits."),
        ),
    ),
    BuiltinTemplate(
        slug="usability-test-debrief",
        name="Usability-test debrief",
        method=Method.USER_CENTRED,
        kind=TemplateKind.REVIEW,
        summary="Right after usability sessions: observations, severity, quotes, hypotheses.",
        description=(
            "Debrief straight after the sessions, observers together: write what you saw, how bad "
            "it is, what people said, and why you think it happened.\n\n"
            "Source: Jakob Nielsen, *Usability Engineering* (1993), and Nielsen's severity ratings for "
            "usability problems (0 to 4); Steve Krug, *Rocket Surgery Made Easy* (2010)."
        ),
        sections=(
            ("observations", "Observations", "What people did, not what we think they meant."),
            ("severity", "Severity", "How bad each problem is (0 not a problem to 4 catastrophe)."),
            ("quotes", "Quotes", "What people said, word for word."),
            ("hypotheses", "Hypotheses", "Why we think it happened, and what to try."),
        ),
    ),
)


def method_templates_sync(model: Any = MethodTemplate) -> int:
    """Create or update the built-in templates (idempotent); returns how many rows changed.

    ``model`` lets the data migration pass its historical model.
    """
    changed = 0
    existing = {row.slug: row for row in model.objects.filter(slug__in=[t.slug for t in BUILTIN_TEMPLATES])}
    for template in BUILTIN_TEMPLATES:
        values = {
            "name": template.name,
            "method": str(template.method),
            "kind": str(template.kind),
            "summary": template.summary,
            "description": template.description,
            "sections": template.section_dicts(),
            "builtin": True,
        }
        row = existing.get(template.slug)
        if row is None:
            model.objects.create(slug=template.slug, **values)
            changed += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
            changed += 1
    return changed


def _clean_sections(sections: list[dict[str, str]]) -> list[dict[str, str]]:
    cleaned: list[dict[str, str]] = []
    keys: set[str] = set()
    for section in sections:
        title = " ".join(str(section.get("title", "")).split())
        prompt = " ".join(str(section.get("prompt", "")).split())
        if not title:
            continue
        if len(title) > 80 or len(prompt) > 200:
            raise ApplicationError(
                "Keep section titles to 80 characters and prompts to 200.", field="sections"
            )
        key = slugify(section.get("key") or title).replace("-", "_")[:40] or f"section_{len(cleaned) + 1}"
        if key in keys:
            raise ApplicationError(
                f"Two sections are both called {title!r}; name them apart.", field="sections"
            )
        keys.add(key)
        cleaned.append({"key": key, "title": title, "prompt": prompt})
    if not cleaned:
        raise ApplicationError("A template needs at least one section with a title.", field="sections")
    if len(cleaned) > MAX_SECTIONS:
        raise ApplicationError(f"A template has at most {MAX_SECTIONS} sections.", field="sections")
    return cleaned


@transaction.atomic
def method_template_create(
    *,
    actor: Person,
    name: str,
    method: Method | str,
    summary: str = "",
    description: str = "",
    sections: list[dict[str, str]],
) -> MethodTemplate:
    """Add an organisation's own review template (stewards and admins); built-ins stay as shipped."""
    if not actor.is_steward:
        raise ApplicationError(NOT_A_STEWARD)
    name = " ".join(name.split())
    if not name:
        raise ApplicationError("A template needs a name.", field="name")
    if len(name) > 120:
        raise ApplicationError("Keep the name to 120 characters.", field="name")
    if method not in Method.values:
        raise ApplicationError("Choose the practice the method comes from.", field="method")
    if len(summary.strip()) > 300:
        raise ApplicationError("Keep the summary to 300 characters.", field="summary")
    base = slugify(name)[:70] or "template"
    slug, number = base, 2
    while MethodTemplate.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return MethodTemplate.objects.create(
        slug=slug,
        name=name,
        method=method,
        kind=TemplateKind.REVIEW,
        summary=summary.strip(),
        description=description.strip(),
        sections=_clean_sections(sections),
        builtin=False,
        created_by=actor,
    )


def sync_after_migrate(sender: Any, *, apps: Any = None, **kwargs: Any) -> None:
    """``post_migrate`` receiver: keep the built-ins in place after every migrate (and after a test
    database flush, which also sends ``post_migrate``)."""
    try:
        model = apps.get_model("learning", "MethodTemplate") if apps is not None else MethodTemplate
    except LookupError:  # migrated backwards past the model: nothing to sync
        return
    method_templates_sync(model)

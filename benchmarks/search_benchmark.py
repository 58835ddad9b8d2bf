"""Full-text search time at 100,000 documents on SQLite (FTS5), against a LIKE scan and the 100 ms target.

Usage:  .venv/bin/python benchmarks/search_benchmark.py [--documents 100000] [--rounds 15]

Builds (once, cached in benchmarks/.data/) a SQLite database with 200 communities (a quarter of them
private), questions, answers and practices written from a seeded Zipf-distributed English word list
plus a technical vocabulary, then builds the index with ``reindex_all`` (timed). It then runs about
twenty typical searches through ``practica.search.selectors.search`` as a person who belongs to ten
communities (three of them private) and prints, per query: the median time of the FTS search (one page
with ranking, total, snippets), the median time of the same filter as a plain LIKE scan (the baseline
without a full-text index), the ratio between them, the number of matches, and whether the search
meets the 100 ms target (and the time as a share of it). A second group searches words found in many
documents, ending with the corpus's most common word (in about three documents of four), the worst
case; it is reported separately. "order" is the result order (``relevance``, or ``newest`` for very
common words) and a matches column like ">1000" is a capped count. The baseline
``SELECT ... WHERE id = ?`` time is printed for scale.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

TARGET_MS = 100.0
SEED = 7
COMMUNITIES = 200
TECH_WORDS = [
    "kubernetes",
    "pipeline",
    "deploy",
    "canary",
    "rollback",
    "terraform",
    "flaky",
    "test",
    "mutation",
    "contract",
    "docker",
    "cache",
    "latency",
    "incident",
    "postmortem",
    "observability",
    "tracing",
    "metrics",
    "alerting",
    "oncall",
    "refactor",
    "legacy",
    "monolith",
    "microservice",
    "kafka",
    "queue",
    "schema",
    "migration",
    "postgres",
    "index",
    "review",
    "pairing",
    "mob",
    "kata",
    "retro",
    "backlog",
    "accessibility",
    "usability",
    "prototype",
    "experiment",
    "hypothesis",
    "security",
    "secrets",
    "oauth",
    "token",
    "encryption",
    "frontend",
    "react",
    "typescript",
    "css",
    "performance",
    "profiling",
    "benchmark",
    "memory",
    "leak",
    "python",
    "django",
    "rust",
    "golang",
]


def word_source(rng: random.Random) -> Callable[[int], str]:
    """Text of ``n`` words drawn with Zipf-like frequencies from English and technical vocabularies."""
    from faker.providers.lorem.en_US import Provider

    vocabulary = list(Provider.word_list) + TECH_WORDS
    rng.shuffle(vocabulary)
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    cumulative = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)

    def text(n: int) -> str:
        return " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=n))

    return text


def generate(documents: int) -> None:
    """Communities, members, questions, answers and practices written straight with bulk_create."""
    from django.utils import timezone

    from practica.calibration.models import Certainty
    from practica.communities.models import Community, Membership, Tag, Visibility
    from practica.knowledge.models import Answer, Practice, PracticeStatus, Question
    from practica.people.services import person_create

    rng = random.Random(SEED)
    text = word_source(rng)
    now = timezone.now()
    person_create(username="bench", email="bench@example.org", display_name="Bench Member")
    tags = Tag.objects.bulk_create([Tag(name=word, slug=word) for word in TECH_WORDS[:60]])
    communities = Community.objects.bulk_create(
        [
            Community(
                name=f"Community {number} {text(2)}",
                slug=f"community-{number}",
                summary=text(12),
                domain=text(60),
                visibility=Visibility.PRIVATE if number % 4 == 0 else Visibility.OPEN,
            )
            for number in range(COMMUNITIES)
        ]
    )
    remaining = documents - COMMUNITIES
    questions_wanted, answers_wanted = int(remaining * 0.4), int(remaining * 0.45)
    practices_wanted = remaining - questions_wanted - answers_wanted
    questions = Question.objects.bulk_create(
        [
            Question(
                community=rng.choice(communities),
                title=text(rng.randint(4, 10)).capitalize() + "?",
                body=text(rng.randint(20, 150)),
            )
            for _ in range(questions_wanted)
        ],
        batch_size=2000,
    )
    through = Question.tags.through
    through.objects.bulk_create(
        [
            through(question_id=question.pk, tag_id=tag.pk)
            for question in questions
            for tag in rng.sample(tags, rng.randint(0, 3))
        ],
        batch_size=5000,
    )
    Answer.objects.bulk_create(
        [
            Answer(question=rng.choice(questions), body=text(rng.randint(15, 200)), certainty=Certainty.MID)
            for _ in range(answers_wanted)
        ],
        batch_size=2000,
    )
    statuses = [PracticeStatus.PUBLISHED] * 8 + [PracticeStatus.OUTDATED, PracticeStatus.ARCHIVED]
    Practice.objects.bulk_create(
        [
            Practice(
                community=rng.choice(communities),
                title=text(rng.randint(3, 7)).title(),
                slug=f"practice-{number}",
                body=text(rng.randint(150, 600)),
                status=rng.choice(statuses),
                reviewed_at=now,
            )
            for number in range(practices_wanted)
        ],
        batch_size=2000,
    )
    person = Membership.person.field.related_model.objects.get(user__username="bench")
    mine = [communities[number] for number in (0, 4, 8, 1, 2, 3, 5, 6, 7, 9)]  # 0, 4, 8 are private
    Membership.objects.bulk_create([Membership(community=community, person=person) for community in mine])


def most_common_word() -> str:
    """The indexed term in most documents that is not a stop word: the slowest one-word search."""
    from django.db import connection

    from practica.search.query import STOP_WORDS

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocabulary "
            "USING fts5vocab(main, search_document_fts, 'row')"
        )
        cursor.execute("SELECT term FROM temp.search_vocabulary ORDER BY doc DESC LIMIT 200")
        return next(term for (term,) in cursor.fetchall() if term not in STOP_WORDS and len(term) > 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    options = parser.parse_args()

    data = Path(__file__).resolve().parent / ".data" / f"search-{options.documents}"
    data.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{data / 'practica.sqlite3'}"
    os.environ.setdefault("PRACTICA_DATA_DIR", str(data))
    os.environ["DJANGO_SETTINGS_MODULE"] = "practica.settings"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from practica.communities.models import Community
    from practica.core.permissions import community_visible_q
    from practica.people.models import Person
    from practica.search.documents import reindex_all
    from practica.search.models import SearchDocument
    from practica.search.selectors import search, searchable_documents

    call_command("migrate", verbosity=0)
    if not Person.objects.filter(user__username="bench").exists():
        print(f"Generating {options.documents} documents (once)...", file=sys.stderr)
        started = time.perf_counter()
        generate(options.documents)
        print(f"  written in {time.perf_counter() - started:.1f} s; indexing...", file=sys.stderr)
        started = time.perf_counter()
        written = reindex_all()
        print(
            f"  indexed {sum(written.values())} documents in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    person = Person.objects.get(user__username="bench")
    indexed = SearchDocument.objects.count()
    visible = SearchDocument.objects.filter(
        community__in=Community.objects.filter(community_visible_q(person))
    ).count()

    def median_ms(run: Callable[[], object]) -> float:
        run()  # warm the page cache and Django's query compilation
        samples = []
        for _ in range(options.rounds):
            started = time.perf_counter()
            run()
            samples.append((time.perf_counter() - started) * 1000)
        return statistics.median(samples)

    def like_scan(words: list[str], filters: dict[str, str]) -> Callable[[], object]:
        """The same visibility and filters, matched with LIKE on title and body: a page and a count."""
        from django.db.models import Q

        def run() -> object:
            documents = searchable_documents(person, **filters)
            for word in words:
                documents = documents.filter(Q(title__icontains=word) | Q(body__icontains=word))
            return list(documents.order_by("-updated_at")[:20]), documents.count()

        return run

    lookup = SearchDocument.objects.order_by("pk").values_list("pk", flat=True)[indexed // 2]
    by_id = median_ms(lambda: list(SearchDocument.objects.filter(pk=lookup)))
    private_slug = "community-4"
    queries: list[tuple[str, dict[str, str]]] = [
        ("kubernetes", {}),
        ("the", {}),
        ("deploy", {}),
        ("flaky test", {}),
        ("canary rollback", {}),
        ("postmortem incident latency", {}),
        ('"contract test"', {}),
        ("mutation kata", {}),
        ("zeppelin", {}),
        ("kube", {}),
        ("obser", {}),
        ("python django migration", {}),
        ("security", {"kind": "practice"}),
        ("cache", {"kind": "answer"}),
        ("docker", {"tag": "docker"}),
        ("review", {"community": "community-1"}),
        ("pipeline", {"community": private_slug}),
        ("team work", {}),
        ("memory leak profiling", {"kind": "question"}),
        ("a", {}),
    ]
    worst = most_common_word()
    # Words in many documents: the cases that used to rank (and count) every match.
    heavy: list[tuple[str, dict[str, str]]] = [
        ("rollback", {}),  # about 31% of documents: just above the "very common" threshold
        (f"{worst} kubernetes", {}),  # a very common word beside an informative one
        (f"{worst} move", {}),  # two very common words
        (worst, {"kind": "practice"}),
        (worst, {"community": "community-1"}),
        (worst, {}),  # the most common word (about 3 documents in 4): the worst case
    ]
    print(f"{indexed} documents indexed, {visible} visible to the benchmark member; {options.rounds} rounds.")
    print(f"Baseline: SELECT ... WHERE id = ? takes {by_id:.2f} ms (median).")
    print(
        f"{'query':34} {'filter':22} {'matches':>8} {'order':>9} {'FTS ms':>8} {'/target':>8} "
        f"{'LIKE ms':>9} {'LIKE/FTS':>9} target"
    )
    failed = False

    def measure(group: list[tuple[str, dict[str, str]]]) -> list[float]:
        nonlocal failed
        times = []
        for text, filters in group:
            results = search(person, text, **filters)
            fts = median_ms(lambda text=text, filters=filters: search(person, text, **filters))
            words = [word for phrase in results.query.phrases for word in phrase]
            like = median_ms(like_scan(words, filters))
            times.append(fts)
            ok = fts < TARGET_MS
            failed |= not ok
            label = ", ".join(f"{key}={value}" for key, value in filters.items())
            total = f">{results.total}" if results.total_is_capped else str(results.total)
            print(
                f"{text:34} {label:22} {total:>8} {results.ordering:>9} {fts:8.1f} {fts / TARGET_MS:8.2f} "
                f"{like:9.1f} {like / fts:9.1f} {'ok' if ok else 'SLOW':>7}"
            )
        return times

    typical = measure(queries)
    print("-- words in many documents --")
    heavy_times = measure(heavy)
    everything = typical + heavy_times
    print(
        f"Typical queries: median {statistics.median(typical):.1f} ms "
        f"({statistics.median(typical) / TARGET_MS:.2f} of the {TARGET_MS:.0f} ms target), "
        f"worst {max(typical):.1f} ms ({max(typical) / TARGET_MS:.2f})."
    )
    print(
        f"Many-document queries: median {statistics.median(heavy_times):.1f} ms, "
        f"worst {max(heavy_times):.1f} ms "
        f"({max(heavy_times) / TARGET_MS:.2f} of target); most common word '{worst}' alone: "
        f"{heavy_times[-1]:.1f} ms ({heavy_times[-1] / TARGET_MS:.2f} of target)."
    )
    print(
        f"All queries: median {statistics.median(everything):.1f} ms, worst {max(everything):.1f} ms "
        f"({statistics.median(everything) / by_id:.0f}x a primary-key lookup)."
    )
    connection.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

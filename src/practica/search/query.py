"""What a person types, turned into a full-text query that cannot be anything but words and phrases.

Neither FTS5's MATCH syntax (``NEAR``, ``*``, ``^``, column filters, parentheses) nor PostgreSQL's
tsquery syntax (``&``, ``|``, ``!``, ``<->``) ever comes from the person: :func:`parse_query` keeps
only runs of letters and digits (``\\w+``), so every term can be quoted for FTS5 and joined with ``&``
for PostgreSQL safely, and both engines receive the same meaning:

- words match in any order (all of them must occur); common English words ("the", "and") are left
  out when other words remain, as PostgreSQL's ``english`` configuration does;
- "double quotes" make a phrase (a hyphenated or dotted word, e.g. ``test-driven``, is one too);
- the last word also matches as a prefix while it is being typed (``kube`` finds "kubernetes"),
  when it has at least ``MIN_PREFIX`` characters and the text does not end with a space (a trailing
  ``*`` is read as asking for exactly that).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_WORD_CHARS = 64
MIN_PREFIX = 4  # shorter prefixes ("the*") match most of the index and cost more than they help
# PostgreSQL's "english" configuration ignores these words (its english.stop, the Snowball list);
# dropping them here gives SQLite the same meaning and spares it ranking the half of the index that
# contains "the". A query of nothing but such words keeps them (SQLite finds them, PostgreSQL not).
STOP_WORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "it",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
    ]
)

_CHUNK = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ParsedQuery:
    """The phrases (each a tuple of lower-case words; one word is a phrase of one) to find."""

    phrases: tuple[tuple[str, ...], ...]
    prefix_last: bool = False

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def text(self) -> str:
        """The query as understood, for showing back (``kube*`` marks a prefix)."""
        shown = [" ".join(words) if len(words) == 1 else f'"{" ".join(words)}"' for words in self.phrases]
        if shown and self.prefix_last:
            shown[-1] += "*"
        return " ".join(shown)

    def fts5(self) -> str:
        """An FTS5 MATCH expression: quoted strings only, implicitly AND-ed."""
        terms = [f'"{" ".join(words)}"' for words in self.phrases]
        if terms and self.prefix_last:
            terms[-1] += "*"
        return " ".join(terms)

    def tsquery(self) -> str:
        """A PostgreSQL ``to_tsquery`` expression: phrases with ``<->``, all joined with ``&``."""
        terms = []
        for number, words in enumerate(self.phrases, start=1):
            parts = list(words)
            if self.prefix_last and number == len(self.phrases):
                parts[-1] += ":*"
            terms.append(parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")")
        return " & ".join(terms)


def parse_query(text: str) -> ParsedQuery:
    """Parse a person's search text; an empty :class:`ParsedQuery` when it holds no word at all."""
    text = (text or "")[:MAX_QUERY_CHARS]
    phrases: list[tuple[str, ...]] = []
    last_is_bare_word = False
    for match in _CHUNK.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        words = tuple(word[:MAX_WORD_CHARS] for word in _WORD.findall((quoted or bare or "").lower()))
        if not words or words in phrases:
            continue
        phrases.append(words)
        last_is_bare_word = bare is not None and len(words) == 1 and match.end() == len(text)
        if len(phrases) == MAX_TERMS:
            break
    still_typing = bool(_WORD.search(text.rstrip("*")[-1:]))  # a trailing space ends the last word
    prefix = last_is_bare_word and still_typing and len(phrases[-1][-1]) >= MIN_PREFIX
    meaningful = [words for words in phrases if len(words) > 1 or words[0] not in STOP_WORDS]
    if meaningful and len(meaningful) < len(phrases):
        prefix = prefix and meaningful[-1] == phrases[-1]
        phrases = meaningful
    return ParsedQuery(phrases=tuple(phrases), prefix_last=prefix)

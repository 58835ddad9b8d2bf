"""Levels of participation in a community of practice, derived from activity in a rolling window.

The rule (specs/communities.md, "Levels of participation"), applied in this order:

- core: leads, plus members in the top ``core_top_share`` of contributors who contributed in at least
  ``core_min_weeks`` distinct weeks;
- active: members with at least ``active_min_contributions`` contributions in the window;
- occasional: members with at least one attendance or contribution in the window;
- peripheral: members with no activity in the window;
- transactional: non-members who attended, asked or used an artefact.

References
----------
E. Wenger-Trayner & B. Wenger-Trayner (2015). Introduction to communities of practice.
E. Wenger, R. McDermott & W. Snyder (2002). Cultivating Communities of Practice, ch. 3.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

CORE = "core"
ACTIVE = "active"
OCCASIONAL = "occasional"
PERIPHERAL = "peripheral"
TRANSACTIONAL = "transactional"
LEVELS = (CORE, ACTIVE, OCCASIONAL, PERIPHERAL, TRANSACTIONAL)

# Shapes reported in the literature for healthy communities: a reference line, never a target.
REFERENCE_SHARES = {CORE: (0.10, 0.15), ACTIVE: (0.15, 0.20)}


@dataclass(frozen=True)
class ParticipationRule:
    """The thresholds of the rule; shown to people on the members page."""

    window_days: int = 90
    active_min_contributions: int = 3
    core_min_weeks: int = 3
    core_top_share: float = 0.15

    def describe(self) -> list[str]:
        top = round(self.core_top_share * 100)
        return [
            f"Core: leads, plus the top {top}% of contributors who contributed in at least "
            f"{self.core_min_weeks} different weeks of the last {self.window_days} days.",
            f"Active: at least {self.active_min_contributions} contributions (talks, answers, articles, "
            f"reviews, check items, charter edits, events organised) in the last {self.window_days} days.",
            f"Occasional: at least one attendance or contribution in the last {self.window_days} days.",
            f"Peripheral: a member with no activity in the last {self.window_days} days.",
            "Transactional: someone outside the community who attended, asked or used its work.",
        ]


@dataclass(frozen=True)
class PersonActivity:
    """What one person did in one community inside the window."""

    is_member: bool
    is_lead: bool = False
    contributions: int = 0
    contribution_weeks: int = 0
    other_activity: int = 0  # attendances, questions asked, artefacts used


def participation_levels(
    activity: Mapping[K, PersonActivity], rule: ParticipationRule | None = None
) -> dict[K, str]:
    """Each person's level under ``rule``; people with no level (non-members who did nothing) are omitted."""
    rule = rule or ParticipationRule()
    contributing_members = sorted(
        (
            record.contributions
            for record in activity.values()
            if record.is_member and record.contributions > 0
        ),
        reverse=True,
    )
    # The top share of contributors, at least one person; ties with the last included are included.
    core_threshold = math.inf
    if contributing_members:
        top_count = max(1, math.ceil(rule.core_top_share * len(contributing_members)))
        core_threshold = float(contributing_members[top_count - 1])
    levels: dict[K, str] = {}
    for person, record in activity.items():
        if not record.is_member:
            if record.contributions or record.other_activity:
                levels[person] = TRANSACTIONAL
            continue
        if record.is_lead or (
            record.contributions >= core_threshold and record.contribution_weeks >= rule.core_min_weeks
        ):
            levels[person] = CORE
        elif record.contributions >= rule.active_min_contributions:
            levels[person] = ACTIVE
        elif record.contributions or record.other_activity:
            levels[person] = OCCASIONAL
        else:
            levels[person] = PERIPHERAL
    return levels


def level_shares(levels: Mapping[Hashable, str]) -> dict[str, float]:
    """Share of members at each level (transactional people are not members and are left out)."""
    members = [level for level in levels.values() if level != TRANSACTIONAL]
    total = len(members)
    return {level: (members.count(level) / total if total else 0.0) for level in LEVELS[:-1]}

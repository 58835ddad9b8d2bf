"""What leads should focus on in each lifecycle stage (after Wenger, McDermott & Snyder 2002, ch. 4-5)."""

from __future__ import annotations

from practica.communities.models import Stage

STAGE_GUIDANCE: dict[str, tuple[str, list[str]]] = {
    Stage.POTENTIAL: (
        "People with a shared concern are finding each other.",
        [
            "Name the domain: what problem or craft brings people together, and why it matters to the "
            "organisation.",
            "Find the people who already care and talk to them one by one.",
            "Look for the value: what could members learn or share that they cannot alone?",
        ],
    ),
    Stage.COALESCING: (
        "The community is forming and must prove its worth quickly.",
        [
            "Deliver immediate value: a first meetup or kata that people leave with something useful from.",
            "Find the rhythm: pick a cadence you can keep (fortnightly is a good start).",
            "Build trust and relationships before building a big repertoire.",
        ],
    ),
    Stage.MATURING: (
        "The community grows and takes on responsibility for its practice.",
        [
            "Clarify the focus, role and boundaries as more people join.",
            "Organise the knowledge: practices, playbooks and answered questions people can find.",
            "Invite different levels of participation: make it easy to lurk, easy to step up.",
        ],
    ),
    Stage.STEWARDSHIP: (
        "The community is established and must keep its practice fresh.",
        [
            "Keep the practice fresh: review stale articles, bring in outside perspectives.",
            "Renew leadership: grow new core members and hand over roles.",
            "Keep the relationship with sponsors and the organisation alive with value stories.",
        ],
    ),
    Stage.TRANSFORMATION: (
        "The community is changing radically, merging or closing.",
        [
            "Let go deliberately: celebrate what the community achieved.",
            "Archive the repertoire so it stays findable after the community ends.",
            "Help members find where the conversation continues (another community, a merger).",
        ],
    ),
}

"""The what-if lab's scenarios as data: what each asks, what it varies, what the literature found.

Each preset names the settings a steward may change (with plain-words explanations and allowed ranges),
the parameter it sweeps, how a sweep becomes points of March's model, and a pure ``verdict`` function
that says whether a run's results agree with the published finding, with the numbers.

Verdicts compare means and call a difference clear only when it is larger than twice its standard error
(sd / sqrt(runs) of both means combined); smaller differences are "too close to call", so a small run
cannot claim agreement it does not show.

References
----------
- J. G. March (1991). Exploration and exploitation in organizational learning. Organization Science
  2(1):71-87 (socialisation, mixed learners, turnover and turbulence).
- C. Fang, J. Lee & M. A. Schilling (2010). Organization Science 21(3):625-642 (communities).
- J. Kruger & D. Dunning (1999); J. Rouchier & E. Tanimura (2012), Simulation 88(1) (inspiration for
  Practica's own overconfidence model).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from practica.simulation.march import MarchParams

Kind = Literal["int", "float"]
Outcome = Literal["agrees", "partly", "unclear", "does_not_agree"]

OUTCOME_LABELS: dict[str, str] = {
    "agrees": "Agrees",
    "partly": "Partly agrees",
    "unclear": "Too close to call",
    "does_not_agree": "Does not agree",
}

RUNS_DEFAULT = 30
RUNS_MAX = 200
# Above this many simulated runs in total the form warns that the run will take a while.
SLOW_TOTAL_RUNS = 600
MAX_SWEEP_VALUES = 9
# Equilibrium runs of March's model end within a few hundred periods; the rare run that never settles
# (flagged as "hit the safety cap" on the run page) should not hold a worker for 10,000 periods.
LAB_MAX_PERIODS = 2000


@dataclass(frozen=True)
class Setting:
    """One number a steward may change, with its explanation in plain words and its allowed range."""

    name: str
    label: str
    help: str
    kind: Kind
    minimum: float
    maximum: float

    def describe_range(self) -> str:
        return f"{self.minimum:g} to {self.maximum:g}" + (" (whole numbers)" if self.kind == "int" else "")


SETTINGS: dict[str, Setting] = {
    setting.name: setting
    for setting in (
        Setting("m", "Things to know (m)", "How many separate facts about the world the organisation has to "
                "get right; each is simply right or wrong.", "int", 2, 100),
        Setting("n", "People (n)", "How many people the organisation has.", "int", 2, 200),
        Setting("p1", "Socialisation rate (p1)", "How quickly people adopt the organisation's shared "
                "beliefs (its “code”: rules, habits, documentation). 0.1 = slowly, 0.9 = almost at once.",
                "float", 0, 1),
        Setting("p2", "Code learning rate (p2)", "How quickly the shared beliefs learn from the people who "
                "do better than they do. 0.1 = slowly, 0.9 = quickly.", "float", 0, 1),
        Setting("p3", "Turnover (p3)", "The chance, each period, that a person leaves and is replaced by a "
                "newcomer with fresh, untrained beliefs.", "float", 0, 1),
        Setting("p4", "Turbulence (p4)", "The chance, each period, that each fact about the world changes, "
                "so what was right becomes wrong.", "float", 0, 1),
        Setting("periods", "Periods", "How long to simulate when there is turnover or turbulence (without "
                "them a run stops by itself once nothing can change any more).", "int", 10, 1000),
        Setting("communities", "Communities (g)", "How many communities of practice the people are split "
                "into; they must split evenly (n divisible by g).", "int", 1, 50),
        Setting("p_peer", "Learning from colleagues (p_peer)", "The chance that a person takes up what "
                "better-performing colleagues they are linked to agree on.", "float", 0, 1),
        Setting("beta", "Cross-links between communities (beta)", "The share of ties inside a community "
                "that are moved to someone in another community. 0 = closed communities, 1 = almost "
                "random links.", "float", 0, 1),
        Setting("kappa", "Overconfidence (kappa)", "How much each wrong or unknown belief inflates how good "
                "people think they are: those who know least rate themselves highest.", "float", 0, 5),
        Setting("rho", "Resistance (rho)", "How much overconfident people resist the shared beliefs: they "
                "socialise at p1 * (1 - rho). 0 = no resistance.", "float", 0, 1),
        Setting("fast_p1", "Socialisation rate of fast learners", "p1 of the fast learners.", "float", 0, 1),
        Setting("slow_p1", "Socialisation rate of slow learners", "p1 of the slow learners.", "float", 0, 1),
        Setting("fast_count", "Fast learners in the mix", "How many of the n people learn fast in the mixed "
                "organisation; the others learn slowly.", "int", 1, 199),
        Setting("runs", "Runs", "How many times the experiment is repeated with different luck; the charts "
                "show the average. More runs give steadier numbers and take longer.", "int", 1, RUNS_MAX),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Sweep:
    """The parameter a preset varies, its default values and the range each value must lie in."""

    parameter: str
    defaults: tuple[float, ...]

    @property
    def setting(self) -> Setting:
        return SETTINGS[self.parameter]


@dataclass(frozen=True)
class Point:
    """One point of a run: a label for people, its x value and line (for charts) and the model's params."""

    label: str
    x: float | str
    line: str | None
    params: MarchParams


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    summary: str

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    def as_dict(self) -> dict[str, str]:
        return {"outcome": self.outcome, "label": self.label, "summary": self.summary}


PointResult = Mapping[str, Any]
VerdictFunction = Callable[[Sequence[PointResult]], Verdict]


@dataclass(frozen=True)
class Preset:
    """A lab scenario: question, settings and defaults, sweep, literature, and a verdict function."""

    slug: str
    title: str
    question: str
    settings: tuple[str, ...]
    defaults: dict[str, float]
    sweep: Sweep | None
    literature: str
    references: tuple[str, ...]
    verdict: VerdictFunction
    build: Callable[[Preset, dict[str, float], Sequence[float]], list[Point]]
    fixed: dict[str, Any] = field(default_factory=dict)
    lines: tuple[tuple[str, dict[str, Any]], ...] = ()
    note: str = ""
    own_model: bool = False
    measure_note: str = ""

    def setting_list(self) -> list[Setting]:
        return [SETTINGS[name] for name in self.settings]


# --- statistics used by the verdicts ----------------------------------------------------------------


def _mean(point: PointResult) -> float:
    return float(point["mean_code_knowledge"])


def _se(point: PointResult) -> float:
    runs = max(int(point.get("runs", 1)), 1)
    return float(point.get("sd_code_knowledge", 0.0)) / math.sqrt(runs)


def _clearly_greater(a: PointResult, b: PointResult) -> bool:
    """True when a's mean code knowledge exceeds b's by more than twice the difference's standard error."""
    difference = _mean(a) - _mean(b)
    return difference > 0 and difference > 2 * math.hypot(_se(a), _se(b))


def _knowledge(point: PointResult) -> str:
    return f"{_mean(point):.3f} (± {_se(point):.3f})"


def _numeric_points(points: Sequence[PointResult], line: str | None = None) -> list[PointResult]:
    chosen = [point for point in points if line is None or point.get("line") == line]
    return sorted(chosen, key=lambda point: float(point["x"]))


def _needs_two(points: Sequence[PointResult], what: str) -> Verdict | None:
    if len(points) < 2:
        return Verdict("unclear", f"Compare at least two values of {what} to check the finding.")
    return None


# --- verdicts ---------------------------------------------------------------------------------------


def verdict_socialisation(points: Sequence[PointResult]) -> Verdict:
    """Slow socialisation (lowest p1) should end with higher code knowledge than fast (highest p1)."""
    ordered = _numeric_points(points)
    if refusal := _needs_two(ordered, "p1"):
        return refusal
    slow, fast = ordered[0], ordered[-1]
    numbers = (
        f"code knowledge {_knowledge(slow)} at p1 = {slow['x']:g} against {_knowledge(fast)} at "
        f"p1 = {fast['x']:g} (± one standard error)"
    )
    if _clearly_greater(slow, fast):
        return Verdict("agrees", f"Slower socialisation ended with more knowledge: {numbers}.")
    if _clearly_greater(fast, slow):
        return Verdict("does_not_agree", f"Faster socialisation ended with more knowledge: {numbers}.")
    return Verdict("unclear", f"The difference is within the noise: {numbers}. Try more runs.")


def verdict_turnover(points: Sequence[PointResult]) -> Verdict:
    """In a turbulent world, some turnover (p3 > lowest) should beat the lowest turnover."""
    ordered = _numeric_points(points)
    if refusal := _needs_two(ordered, "p3"):
        return refusal
    baseline = ordered[0]
    best = max(ordered[1:], key=_mean)
    numbers = (
        f"code knowledge {_knowledge(best)} at p3 = {best['x']:g} against {_knowledge(baseline)} at "
        f"p3 = {baseline['x']:g}"
    )
    if _clearly_greater(best, baseline):
        return Verdict("agrees", f"Some turnover kept the organisation knowing more: {numbers}.")
    if all(_clearly_greater(baseline, point) for point in ordered[1:]):
        return Verdict("does_not_agree", f"Every amount of turnover lowered knowledge: {numbers}.")
    return Verdict("unclear", f"No clear gain from turnover: {numbers}. Try more runs or more turbulence.")


def verdict_turbulence(points: Sequence[PointResult]) -> Verdict:
    """Without turnover, more turbulence (highest p4) should leave less code knowledge than the least."""
    ordered = _numeric_points(points)
    if refusal := _needs_two(ordered, "p4"):
        return refusal
    calm, stormy = ordered[0], ordered[-1]
    numbers = (
        f"code knowledge {_knowledge(stormy)} at p4 = {stormy['x']:g} against {_knowledge(calm)} at "
        f"p4 = {calm['x']:g}"
    )
    if _clearly_greater(calm, stormy):
        return Verdict("agrees", f"Turbulence wore the organisation's knowledge down: {numbers}.")
    if _clearly_greater(stormy, calm):
        return Verdict("does_not_agree", f"Turbulence did not lower knowledge: {numbers}.")
    return Verdict("unclear", f"The difference is within the noise: {numbers}. Try more runs.")


def verdict_mixed(points: Sequence[PointResult]) -> Verdict:
    """The mixed organisation should know more than the one of fast learners only."""
    by_x = {point["x"]: point for point in points}
    if "mixed" not in by_x or "all_fast" not in by_x:
        return Verdict("unclear", "The run needs both the mixed and the all-fast organisation.")
    mixed, fast = by_x["mixed"], by_x["all_fast"]
    numbers = (
        f"code knowledge {_knowledge(mixed)} when mixed against {_knowledge(fast)} with fast learners only"
    )
    groups = mixed.get("groups") or []
    if len(groups) == 2:
        numbers += (
            f"; inside the mix, fast learners know {groups[0]['mean_individual_knowledge']:.3f} and slow "
            f"learners {groups[1]['mean_individual_knowledge']:.3f}"
        )
    if _clearly_greater(mixed, fast):
        return Verdict("agrees", f"Adding slow learners helped the organisation: {numbers}.")
    if _clearly_greater(fast, mixed):
        return Verdict("does_not_agree", f"The mix knew less than fast learners alone: {numbers}.")
    return Verdict("unclear", f"The difference is within the noise: {numbers}. Try more runs.")


def verdict_communities(points: Sequence[PointResult]) -> Verdict:
    """Fang et al.'s inverted U: a middle beta beats both the most closed and the most open structure."""
    ordered = _numeric_points(points)
    if len(ordered) < 3:
        return Verdict("unclear", "An inverted U needs at least three values of beta.")
    closed, open_ = ordered[0], ordered[-1]
    best = max(ordered[1:-1], key=_mean)
    numbers = (
        f"code knowledge {_knowledge(closed)} at beta = {closed['x']:g}, {_knowledge(best)} at "
        f"beta = {best['x']:g}, {_knowledge(open_)} at beta = {open_['x']:g}"
    )
    rises, falls = _clearly_greater(best, closed), _clearly_greater(best, open_)
    if rises and falls:
        return Verdict("agrees", f"Moderate cross-linking did best, an inverted U: {numbers}.")
    if falls or rises:
        half = "too much cross-linking hurt" if falls else "some cross-linking helped"
        return Verdict("partly", f"Only half of the inverted U is clear ({half}): {numbers}.")
    if _mean(best) < min(_mean(closed), _mean(open_)):
        return Verdict("does_not_agree", f"The middle did worst: {numbers}.")
    return Verdict("unclear", f"No clear shape: {numbers}. Try more runs.")


def verdict_trust(points: Sequence[PointResult]) -> Verdict:
    """Practica's expectation: trusting confidence loses knowledge as kappa rises, trusting evidence not."""
    confidence = _numeric_points(points, "confidence")
    evidence = _numeric_points(points, "evidence")
    if len(confidence) < 2 or len(evidence) < 2:
        return Verdict("unclear", "Compare at least two values of kappa to check the expectation.")
    confidence_falls = _clearly_greater(confidence[0], confidence[-1])
    evidence_flat = not any(
        _clearly_greater(a, b) or _clearly_greater(b, a) for a in evidence for b in evidence if a is not b
    )
    numbers = (
        f"trusting confidence: {_knowledge(confidence[0])} at kappa = {confidence[0]['x']:g}, "
        f"{_knowledge(confidence[-1])} at kappa = {confidence[-1]['x']:g}; trusting evidence: "
        f"{_knowledge(evidence[0])} and {_knowledge(evidence[-1])}"
    )
    if confidence_falls and evidence_flat:
        return Verdict("agrees", f"Trusting confidence lost knowledge, trusting evidence did not: {numbers}.")
    if confidence_falls or evidence_flat:
        half = "confidence lost knowledge" if confidence_falls else "evidence stayed level"
        return Verdict("partly", f"Only one half held ({half}): {numbers}.")
    return Verdict("does_not_agree", f"Neither half of the expectation held: {numbers}.")


# --- from settings to points ------------------------------------------------------------------------


def _march_settings(preset: Preset, settings: Mapping[str, float]) -> dict[str, Any]:
    names = {name for name in MarchParams.__dataclass_fields__}
    chosen = {name: value for name, value in settings.items() if name in names}
    return {"max_periods": LAB_MAX_PERIODS, **chosen, **preset.fixed, "record_series": True}


def _value_label(name: str, value: float) -> str:
    return f"{name} = {value:g}"


def build_sweep(preset: Preset, settings: dict[str, float], values: Sequence[float]) -> list[Point]:
    """One point per swept value (and per line, when the preset compares lines side by side)."""
    assert preset.sweep is not None
    base = _march_settings(preset, settings)
    name = preset.sweep.parameter
    points = []
    for value in values:
        for line_label, overrides in preset.lines or (("", {}),):
            params = MarchParams(**{**base, name: value, **overrides})
            label = _value_label(name, value) + (f", {line_label}" if line_label else "")
            points.append(Point(label, value, overrides.get("select_on") or line_label or None, params))
    return points


MIXED_VARIANTS = (("all_fast", "All fast learners"), ("mixed", "Mixed"), ("all_slow", "All slow learners"))


def build_mixed(preset: Preset, settings: dict[str, float], values: Sequence[float]) -> list[Point]:
    """Three organisations: everyone fast, a mix (fast_count fast, the rest slow), everyone slow."""
    base = _march_settings(preset, settings)
    n, fast, slow = int(settings["n"]), float(settings["fast_p1"]), float(settings["slow_p1"])
    count = int(settings["fast_count"])
    if not 1 <= count < n:
        raise ValueError(
            f"fast_count: the mix needs between 1 and n - 1 = {n - 1} fast learners, got {count}"
        )
    groups = {
        "all_fast": ((n, fast),),
        "mixed": ((count, fast), (n - count, slow)),
        "all_slow": ((n, slow),),
    }
    return [
        Point(label, key, None, MarchParams(**{**base, "p1": fast, "groups": groups[key]}))
        for key, label in MIXED_VARIANTS
    ]


# --- the presets ------------------------------------------------------------------------------------

MARCH_1991 = (
    "J. G. March (1991). Exploration and exploitation in organizational learning. "
    "Organization Science 2(1):71-87."
)

PRESETS: dict[str, Preset] = {
    preset.slug: preset
    for preset in (
        Preset(
            slug="socialisation",
            title="Fast vs slow socialisation",
            question="If newcomers adopt “how we do things here” quickly, does the organisation end up "
            "knowing more or less?",
            settings=("p2", "m", "n", "runs"),
            defaults={"p2": 0.5, "m": 30, "n": 50, "runs": RUNS_DEFAULT},
            sweep=Sweep("p1", (0.1, 0.5, 0.9)),
            literature="March (1991, Figure 1): slow socialisation leads to more knowledge in the end. "
            "People who keep their own views a little longer give the shared beliefs something to learn "
            "from; fast socialisation makes everyone agree before the organisation has found out what is "
            "right. With p2 = 0.5 our reproduction gives code knowledge of about 0.98 at p1 = 0.1 and "
            "0.86 at p1 = 0.9.",
            references=(MARCH_1991,),
            verdict=verdict_socialisation,
            build=build_sweep,
        ),
        Preset(
            slug="turnover",
            title="Turnover in a changing world",
            question="When the world keeps changing, does some staff turnover help the organisation keep up?",
            settings=("p4", "p1", "p2", "periods", "m", "n", "runs"),
            defaults={
                "p4": 0.02,
                "p1": 0.5,
                "p2": 0.5,
                "periods": 100,
                "m": 30,
                "n": 50,
                "runs": RUNS_DEFAULT,
            },
            sweep=Sweep("p3", (0.0, 0.02, 0.1, 0.3)),
            literature="March (1991): in a turbulent world, knowledge decays when nobody leaves, because "
            "everyone has learned the same (now outdated) beliefs. Moderate turnover brings newcomers "
            "with fresh beliefs and keeps the organisation's knowledge higher.",
            references=(MARCH_1991,),
            verdict=verdict_turnover,
            build=build_sweep,
        ),
        Preset(
            slug="turbulence",
            title="Turbulence",
            question="How much does a changing world erode what the organisation knows, when nobody new "
            "joins?",
            settings=("p1", "p2", "periods", "m", "n", "runs"),
            defaults={"p1": 0.5, "p2": 0.5, "periods": 100, "m": 30, "n": 50, "runs": RUNS_DEFAULT},
            sweep=Sweep("p4", (0.0, 0.01, 0.02, 0.05)),
            literature="March (1991): without turnover, a changing world wears the organisation's knowledge "
            "down. Once everyone shares the code there is nobody left who knows better, so the code "
            "cannot follow reality as it changes.",
            references=(MARCH_1991,),
            verdict=verdict_turbulence,
            build=build_sweep,
            note="With p4 = 0 a run stops at equilibrium instead of after the chosen periods; its line "
            "stays flat from then on.",
        ),
        Preset(
            slug="mixed-learners",
            title="Mixed learners",
            question="Is an organisation better off with a mix of fast and slow learners than with fast "
            "learners only?",
            settings=("fast_p1", "slow_p1", "fast_count", "p2", "m", "n", "runs"),
            defaults={
                "fast_p1": 0.9,
                "slow_p1": 0.1,
                "fast_count": 25,
                "p2": 0.5,
                "m": 30,
                "n": 50,
                "runs": RUNS_DEFAULT,
            },
            sweep=None,
            literature="March (1991, Figure 2): mixing slow learners into an organisation of fast learners "
            "raises what the organisation knows, while inside the mix the fast learners individually end "
            "up knowing more than the slow ones: slow learning helps the organisation more than it helps "
            "the person.",
            references=(MARCH_1991,),
            verdict=verdict_mixed,
            build=build_mixed,
        ),
        Preset(
            slug="communities",
            title="Communities of practice",
            question="If people also learn from colleagues in their community, how open should the "
            "communities be to each other?",
            settings=("communities", "p_peer", "p1", "p2", "m", "n", "runs"),
            defaults={
                "communities": 5,
                "p_peer": 0.1,
                "p1": 0.1,
                "p2": 0.5,
                "m": 30,
                "n": 50,
                "runs": RUNS_DEFAULT,
            },
            sweep=Sweep("beta", (0.0, 0.01, 0.05, 0.1, 0.3, 1.0)),
            literature="Fang, Lee & Schilling (2010): moderately linked subgroups reach the highest "
            "knowledge, an inverted U: good ideas spread between groups without wiping out their "
            "diversity too fast.",
            references=(
                "C. Fang, J. Lee & M. A. Schilling (2010). Balancing exploration and exploitation through "
                "structural design. Organization Science 21(3):625-642.",
                MARCH_1991,
            ),
            verdict=verdict_communities,
            build=build_sweep,
            note="Practica's rules follow public work derived from Fang et al. (only the paper's abstract "
            "was available to us), so this is not a replication. Our own runs show the inverted U only "
            "faintly: too much cross-linking clearly hurts (beta = 1 is worst), but the rise from "
            "beta = 0 to 0.01 is about one standard error.",
        ),
        Preset(
            slug="trust",
            title="Trust confidence or evidence?",
            question="If the organisation learns from the people who seem best rather than the people "
            "who are best, what happens to what it knows?",
            settings=("p1", "p2", "rho", "m", "n", "runs"),
            defaults={"p1": 0.5, "p2": 0.5, "rho": 0.0, "m": 30, "n": 50, "runs": RUNS_DEFAULT},
            sweep=Sweep("kappa", (0.0, 0.25, 0.5, 1.0)),
            lines=(
                ("trust confidence", {"select_on": "confidence"}),
                ("trust evidence", {"select_on": "evidence"}),
            ),
            literature="This is Practica's own model, not a published one. It is inspired by Kruger & "
            "Dunning (1999), who found that those who know least rate themselves highest, and by Rouchier "
            "& Tanimura (2012), “When overconfident agents slow down collective learning”. Our expectation: "
            "an organisation that learns from the most confident loses knowledge as overconfidence grows; "
            "one that learns from evidence (actual performance) is not affected at all when nobody resists "
            "(rho = 0).",
            references=(
                "J. Kruger & D. Dunning (1999). Unskilled and unaware of it. J. Personality and Social "
                "Psychology 77(6).",
                "J. Rouchier & E. Tanimura (2012). When overconfident agents slow down collective learning. "
                "Simulation 88(1):33-49.",
            ),
            verdict=verdict_trust,
            build=build_sweep,
            own_model=True,
            note="Both ways of choosing whom to learn from run side by side with the same luck, so the "
            "lines can be compared point by point.",
        ),
    )
}


def preset_for(slug: str) -> Preset | None:
    return PRESETS.get(slug)

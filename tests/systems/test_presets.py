"""The presets as data and their verdict rules, on hand-made results (no simulation, no database)."""

from __future__ import annotations

from typing import Any

import pytest

from practica.systems.presets import (
    PRESETS,
    SETTINGS,
    build_mixed,
    verdict_communities,
    verdict_mixed,
    verdict_socialisation,
    verdict_trust,
    verdict_turbulence,
    verdict_turnover,
)


def point(
    x: Any, mean: float, sd: float = 0.02, runs: int = 16, line: str | None = None, **extra: Any
) -> dict:
    # sd 0.02 over 16 runs gives a standard error of 0.005, so a gap of 0.02 is clear and 0.01 is not.
    return {"x": x, "line": line, "label": str(x), "runs": runs, "mean_code_knowledge": mean,
            "sd_code_knowledge": sd, **extra}  # fmt: skip


def test_every_preset_has_settings_with_defaults_and_explanations() -> None:
    assert set(PRESETS) == {
        "socialisation",
        "turnover",
        "turbulence",
        "mixed-learners",
        "communities",
        "trust",
    }
    for preset in PRESETS.values():
        assert preset.literature and preset.question and preset.references
        for name in preset.settings:
            assert name in preset.defaults, (preset.slug, name)
            setting = SETTINGS[name]
            assert setting.minimum <= preset.defaults[name] <= setting.maximum
            assert len(setting.help) > 20
        if preset.sweep:
            assert all(
                preset.sweep.setting.minimum <= value <= preset.sweep.setting.maximum
                for value in preset.sweep.defaults
            )


def test_defaults_build_valid_points_that_record_the_series() -> None:
    for preset in PRESETS.values():
        values = list(preset.sweep.defaults) if preset.sweep else []
        points = preset.build(preset, dict(preset.defaults), values)
        assert points and all(point.params.record_series for point in points)


def test_only_the_trust_preset_is_practicas_own_model_and_says_so() -> None:
    own = [preset.slug for preset in PRESETS.values() if preset.own_model]
    assert own == ["trust"]
    assert "Practica's own model" in PRESETS["trust"].literature


def test_the_communities_preset_admits_the_inverted_u_is_faint() -> None:
    assert "faintly" in PRESETS["communities"].note
    assert "not a replication" in PRESETS["communities"].note


def test_the_trust_preset_runs_confidence_and_evidence_side_by_side() -> None:
    preset = PRESETS["trust"]
    points = preset.build(preset, dict(preset.defaults), [0.0, 1.0])
    assert [(point.x, point.params.select_on) for point in points] == [
        (0.0, "confidence"), (0.0, "evidence"), (1.0, "confidence"), (1.0, "evidence"),
    ]  # fmt: skip


def test_mixed_learners_split_the_people_into_fast_and_slow_groups() -> None:
    preset = PRESETS["mixed-learners"]
    settings = {**preset.defaults, "n": 10, "fast_count": 3}
    points = {point.x: point.params for point in build_mixed(preset, settings, [])}
    assert points["mixed"].groups == ((3, 0.9), (7, 0.1))
    assert points["all_fast"].groups == ((10, 0.9),)
    assert points["all_slow"].groups == ((10, 0.1),)


def test_mixed_learners_need_at_least_one_of_each() -> None:
    preset = PRESETS["mixed-learners"]
    with pytest.raises(ValueError, match="fast_count"):
        build_mixed(preset, {**preset.defaults, "n": 10, "fast_count": 10}, [])


def test_slow_socialisation_ending_higher_agrees_with_march() -> None:
    verdict = verdict_socialisation([point(0.9, 0.86), point(0.1, 0.98), point(0.5, 0.90)])
    assert verdict.outcome == "agrees"
    assert "0.980" in verdict.summary and "0.860" in verdict.summary and "p1 = 0.1" in verdict.summary


def test_fast_socialisation_ending_higher_does_not_agree() -> None:
    assert verdict_socialisation([point(0.1, 0.80), point(0.9, 0.90)]).outcome == "does_not_agree"


def test_a_difference_within_two_standard_errors_is_too_close_to_call() -> None:
    assert verdict_socialisation([point(0.1, 0.90), point(0.9, 0.89)]).outcome == "unclear"


def test_one_value_cannot_be_compared() -> None:
    verdict = verdict_socialisation([point(0.1, 0.9)])
    assert verdict.outcome == "unclear" and "at least two" in verdict.summary


def test_turnover_that_beats_no_turnover_agrees() -> None:
    results = [point(0.0, 0.53), point(0.02, 0.73), point(0.1, 0.79), point(0.3, 0.82)]
    verdict = verdict_turnover(results)
    assert verdict.outcome == "agrees" and "p3 = 0.3" in verdict.summary


def test_turnover_that_always_hurts_does_not_agree() -> None:
    assert verdict_turnover([point(0.0, 0.9), point(0.1, 0.8), point(0.3, 0.7)]).outcome == "does_not_agree"


def test_turbulence_that_erodes_knowledge_agrees() -> None:
    assert verdict_turbulence([point(0.0, 0.89), point(0.05, 0.51)]).outcome == "agrees"
    assert verdict_turbulence([point(0.0, 0.5), point(0.05, 0.9)]).outcome == "does_not_agree"


def test_a_mix_that_beats_fast_learners_agrees_and_reports_the_groups() -> None:
    groups = [{"mean_individual_knowledge": 0.93}, {"mean_individual_knowledge": 0.88}]
    results = [point("all_fast", 0.84), point("mixed", 0.93, groups=groups), point("all_slow", 0.97)]
    verdict = verdict_mixed(results)
    assert verdict.outcome == "agrees"
    assert "fast learners know 0.930" in verdict.summary and "slow learners 0.880" in verdict.summary
    assert verdict_mixed([point("all_fast", 0.93), point("mixed", 0.84)]).outcome == "does_not_agree"


def test_an_inverted_u_agrees_with_fang_and_half_of_one_partly() -> None:
    u_shape = [point(0.0, 0.90), point(0.05, 0.97), point(1.0, 0.90)]
    assert verdict_communities(u_shape).outcome == "agrees"
    only_the_fall = [point(0.0, 0.970), point(0.01, 0.975), point(1.0, 0.950)]
    verdict = verdict_communities(only_the_fall)
    assert verdict.outcome == "partly" and "too much cross-linking hurt" in verdict.summary
    assert verdict_communities([point(0.0, 0.9), point(0.1, 0.8), point(1.0, 0.9)]).outcome == (
        "does_not_agree"
    )
    assert verdict_communities([point(0.0, 0.9), point(1.0, 0.8)]).outcome == "unclear"


def test_trust_agrees_when_confidence_loses_knowledge_and_evidence_stays_level() -> None:
    results = [
        point(0.0, 0.90, line="confidence"), point(0.0, 0.90, line="evidence"),
        point(1.0, 0.48, line="confidence"), point(1.0, 0.90, line="evidence"),
    ]  # fmt: skip
    verdict = verdict_trust(results)
    assert verdict.outcome == "agrees"
    assert "trusting confidence" in verdict.summary and "0.480" in verdict.summary


def test_trust_partly_agrees_when_evidence_also_moves() -> None:
    results = [
        point(0.0, 0.90, line="confidence"), point(0.0, 0.90, line="evidence"),
        point(1.0, 0.48, line="confidence"), point(1.0, 0.70, line="evidence"),
    ]  # fmt: skip
    assert verdict_trust(results).outcome == "partly"


def test_verdicts_serialise_with_a_label() -> None:
    assert verdict_socialisation([point(0.1, 0.98), point(0.9, 0.86)]).as_dict() == {
        "outcome": "agrees",
        "label": "Agrees",
        "summary": verdict_socialisation([point(0.1, 0.98), point(0.9, 0.86)]).summary,
    }

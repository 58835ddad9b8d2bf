"""The private calibration page: a person sees their own record, and nobody else's exists in a URL."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from practica.analysis.calibration import (
    CBM_OPTIMAL_BANDS,
    CERTAINTY_2_THRESHOLD,
    CERTAINTY_3_THRESHOLD,
    CalibrationBin,
    CBMSummary,
)
from practica.calibration import check_selectors, forecast_selectors, selectors, skill_selectors
from practica.calibration.skill_selectors import SkillEvidence
from practica.core.pagination import paginate
from practica.core.permissions import person_for_user

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
ACCENT = "#174a94"


def calibration_curve_chart(curve: list[CalibrationBin]) -> dict[str, Any]:
    """Vega-Lite spec: observed frequency against mean forecast per bin, 95% Wilson intervals as error
    bars, and the diagonal where a perfectly calibrated forecaster's points lie."""
    points = [
        {
            "forecast": round(point.mean_forecast * 100, 1),
            "observed": round(point.observed_frequency * 100, 1),
            "lower": round(point.lower * 100, 1),
            "upper": round(point.upper * 100, 1),
            "forecasts": point.count,
        }
        for point in curve
    ]
    x = {
        "field": "forecast",
        "type": "quantitative",
        "title": "Your mean forecast in the bin (% yes)",
        "scale": {"domain": [0, 100]},
    }
    y = {
        "field": "observed",
        "type": "quantitative",
        "title": "How often it happened (%)",
        "scale": {"domain": [0, 100]},
    }
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Calibration curve: observed frequency against mean forecast, with the diagonal.",
        "width": "container",
        "height": 280,
        "layer": [
            {
                "data": {"values": [{"forecast": 0, "observed": 0}, {"forecast": 100, "observed": 100}]},
                "mark": {"type": "line", "color": "#8a94a3", "strokeDash": [4, 4]},
                "encoding": {"x": x, "y": y},
            },
            {
                "data": {"values": points},
                "mark": {"type": "rule", "color": ACCENT},
                "encoding": {"x": x, "y": {**y, "field": "lower"}, "y2": {"field": "upper"}},
            },
            {
                "data": {"values": points},
                "mark": {"type": "point", "filled": True, "size": 70, "color": ACCENT, "tooltip": True},
                "encoding": {"x": x, "y": y, "size": {"field": "forecasts", "type": "quantitative",
                                                      "title": "Forecasts in the bin", "legend": None}},
            },
        ],
    }  # fmt: skip


CERTAINTY_NAMES = {1: "Low", 2: "Mid", 3: "High"}


def cbm_levels_chart(summary: CBMSummary) -> dict[str, Any]:
    """Vega-Lite spec: share right at each certainty against the band where that certainty is honest."""
    bands = [
        {
            "certainty": CERTAINTY_NAMES[level],
            "lower": round(low * 100, 1),
            "upper": round(high * 100, 1),
        }
        for level, (low, high) in CBM_OPTIMAL_BANDS.items()
    ]
    points = [
        {
            "certainty": CERTAINTY_NAMES[level.certainty],
            "right": round(level.share_correct * 100, 1),
            "judgements": level.count,
            "verdict": level.judgement,
        }
        for level in summary.levels
        if level.count
    ]
    x = {
        "field": "certainty",
        "type": "nominal",
        "title": "Your certainty",
        "sort": ["Low", "Mid", "High"],
        "axis": {"labelAngle": 0},
    }
    y = {
        "field": "right",
        "type": "quantitative",
        "title": "Right at this certainty (%)",
        "scale": {"domain": [0, 100]},
    }
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Share right per certainty level against the honest band for each level.",
        "width": "container",
        "height": 240,
        "layer": [
            {
                "data": {"values": bands},
                "mark": {"type": "bar", "color": "#d7e3f4", "width": {"band": 0.7}},
                "encoding": {"x": x, "y": {**y, "field": "lower"}, "y2": {"field": "upper"}},
            },
            {
                "data": {"values": points},
                "mark": {"type": "point", "filled": True, "shape": "diamond", "color": ACCENT,
                         "tooltip": True},
                "encoding": {"x": x, "y": y, "size": {"field": "judgements", "type": "quantitative",
                                                      "title": "Judgements", "legend": None}},
            },
        ],
    }  # fmt: skip


def cbm_over_time_chart(months: list[selectors.MonthMark]) -> dict[str, Any]:
    """Vega-Lite spec: average CBM mark per month, with the zero line (guessing at low certainty)."""
    values = [
        {"month": month.month.isoformat(), "mark": round(month.average_mark, 3), "judgements": month.count}
        for month in months
    ]
    x = {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": "Month"}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Your average certainty-based mark per month.",
        "width": "container",
        "height": 220,
        "layer": [
            {
                "data": {"values": [{"zero": 0}]},
                "mark": {"type": "rule", "color": "#8a94a3", "strokeDash": [4, 4]},
                "encoding": {"y": {"field": "zero", "type": "quantitative"}},
            },
            {
                "data": {"values": values},
                "mark": {"type": "line", "point": {"filled": True}, "color": ACCENT, "tooltip": True},
                "encoding": {
                    "x": x,
                    "y": {"field": "mark", "type": "quantitative", "title": "Average mark (-6 to +3)",
                          "scale": {"domain": [-6, 3]}},
                },
            },
        ],
    }  # fmt: skip


def skill_gap_chart(rows: list[SkillEvidence]) -> dict[str, Any]:
    """Vega-Lite spec: self-assessed minus evidence level per skill (right of 0: over-estimate)."""
    values = [
        {"skill": row.skill.name, "gap": row.gap, "self": row.self_level, "evidence": row.evidence_level}
        for row in rows
        if row.gap is not None
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Your self-assessed level minus the evidence level, per skill.",
        "width": "container",
        "height": max(200, 28 * len(values)),
        "data": {"values": values},
        "mark": {"type": "bar", "color": ACCENT, "tooltip": True},
        "encoding": {
            "y": {"field": "skill", "type": "nominal", "title": None, "sort": "-x"},
            "x": {"field": "gap", "type": "quantitative", "title": "Your view minus the evidence (levels)",
                  "scale": {"domain": [-4, 4]}, "axis": {"values": [-4, -3, -2, -1, 0, 1, 2, 3, 4]}},
        },
    }  # fmt: skip


@login_required
def my_calibration(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    forecast_profile = forecast_selectors.forecast_profile(person.pk)
    profile = selectors.calibration_profile(person.pk)
    months = selectors.cbm_by_month(person.pk)
    skills = skill_selectors.my_skill_evidence(person)
    context = {
        "profile": profile,
        "levels_spec": cbm_levels_chart(profile.summary) if profile.summary else None,
        "months": months,
        "months_spec": cbm_over_time_chart(months) if len(months) > 1 else None,
        "skills": skills,
        "check_history": check_selectors.check_history(person.pk),
        "gaps_spec": skill_gap_chart(skills) if any(row.gap is not None for row in skills) else None,
        "page": paginate(request, selectors.records_of(person.pk)),
        "mid_threshold": round(CERTAINTY_2_THRESHOLD * 100),
        "high_threshold": round(CERTAINTY_3_THRESHOLD * 100),
        "forecast_profile": forecast_profile,
        "curve_spec": calibration_curve_chart(forecast_profile.curve) if forecast_profile else None,
    }
    return render(request, "calibration/my_calibration.html", context)

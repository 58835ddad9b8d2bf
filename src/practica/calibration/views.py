"""The private calibration page: a person sees their own record, and nobody else's exists in a URL."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from practica.analysis.calibration import CERTAINTY_2_THRESHOLD, CERTAINTY_3_THRESHOLD, CalibrationBin
from practica.calibration import forecast_selectors, selectors
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


@login_required
def my_calibration(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    forecast_profile = forecast_selectors.forecast_profile(person.pk)
    context = {
        "profile": selectors.calibration_profile(person.pk),
        "page": paginate(request, selectors.records_of(person.pk)),
        "mid_threshold": round(CERTAINTY_2_THRESHOLD * 100),
        "high_threshold": round(CERTAINTY_3_THRESHOLD * 100),
        "forecast_profile": forecast_profile,
        "curve_spec": calibration_curve_chart(forecast_profile.curve) if forecast_profile else None,
    }
    return render(request, "calibration/my_calibration.html", context)

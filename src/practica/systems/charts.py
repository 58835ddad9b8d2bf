"""Vega-Lite specs for a run's charts, built from its stored results (rendered by core's charts.js)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
LINE_NAMES = {"confidence": "trust confidence", "evidence": "trust evidence"}


def x_label(result: dict[str, Any], parameter: str | None) -> str:
    """How a point's x value reads on an axis: ``0.5`` for sweeps, the variant's name otherwise."""
    if parameter is None:
        return str(result["label"])
    return f"{float(result['x']):g}"


def _line_name(result: dict[str, Any]) -> str:
    line = result.get("line")
    return LINE_NAMES.get(line, line) if line else ""


def knowledge_over_time(results: Sequence[dict[str, Any]], parameter: str | None) -> dict[str, Any]:
    """Lines of mean code knowledge after each period, one per point (dashes tell the lines apart)."""
    values = []
    order = []
    for result in results:
        name = f"{parameter} = {x_label(result, parameter)}" if parameter else str(result["label"])
        if name not in order:
            order.append(name)
        series = result.get("series") or {}
        for period, knowledge in zip(series.get("period", []), series.get("code_knowledge", []), strict=True):
            values.append(
                {"period": period, "point": name, "line": _line_name(result), "knowledge": knowledge}
            )
    encoding: dict[str, Any] = {
        "x": {
            "field": "period", "type": "quantitative", "title": "Period",
            "axis": {"tickMinStep": 1, "format": "d"},
        },
        "y": {
            "field": "knowledge", "type": "quantitative", "title": "Code knowledge (share of facts right)",
            "scale": {"domain": [0, 1]},
        },
        "color": {"field": "point", "type": "nominal", "title": parameter or "Organisation", "sort": order},
        "tooltip": [
            {"field": "point", "title": parameter or "Organisation"},
            {"field": "period", "title": "Period"},
            {"field": "knowledge", "title": "Code knowledge", "format": ".3f"},
        ],
    }  # fmt: skip
    if any(result.get("line") for result in results):
        encoding["strokeDash"] = {"field": "line", "type": "nominal", "title": "Learn from"}
        encoding["tooltip"].insert(1, {"field": "line", "title": "Learn from"})
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Lines: mean code knowledge after each period, one line per point of the run.",
        "width": "container",
        "height": 280,
        "data": {"values": values},
        "mark": {"type": "line", "strokeWidth": 2},
        "encoding": encoding,
    }


def _standard_error(result: dict[str, Any], measure: str) -> float:
    return float(result.get(f"sd_{measure}", 0.0)) / math.sqrt(max(int(result.get("runs", 1)), 1))


MEASURES = (("code_knowledge", "Code knowledge"), ("individual_knowledge", "People's knowledge"))


def final_knowledge(results: Sequence[dict[str, Any]], parameter: str | None) -> dict[str, Any]:
    """Points with ±1 standard error bars: final code and people's knowledge at each swept value."""
    values = []
    order: list[str] = []
    for result in results:
        x = x_label(result, parameter)
        if x not in order:
            order.append(x)
        for measure, name in MEASURES:
            mean = float(result[f"mean_{measure}"])
            error = _standard_error(result, measure)
            series = f"{name}, {_line_name(result)}" if result.get("line") else name
            values.append({
                "x": x, "series": series, "mean": round(mean, 4),
                "low": round(mean - error, 4), "high": round(mean + error, 4),
            })  # fmt: skip
    x_title = f"{parameter} (the swept parameter)" if parameter else "Organisation"
    y_title = "Final knowledge (share of facts right)"
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Points with error bars: mean final knowledge at each value of the swept parameter.",
        "width": "container",
        "height": 280,
        "data": {"values": values},
        "encoding": {
            "x": {
                "field": "x", "type": "ordinal", "sort": order, "title": x_title, "axis": {"labelAngle": 0},
            },
            "color": {
                "field": "series", "type": "nominal", "title": "Measure", "legend": {"labelLimit": 280},
            },
        },
        "layer": [
            {
                "mark": {"type": "line", "point": {"filled": True, "size": 60}},
                "encoding": {
                    "y": {
                        "field": "mean", "type": "quantitative", "scale": {"zero": False}, "title": y_title,
                    },
                    "tooltip": [
                        {"field": "x", "title": x_title},
                        {"field": "series", "title": "Measure"},
                        {"field": "mean", "title": "Mean", "format": ".3f"},
                        {"field": "low", "title": "Mean - 1 SE", "format": ".3f"},
                        {"field": "high", "title": "Mean + 1 SE", "format": ".3f"},
                    ],
                },
            },
            {
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {
                    "y": {"field": "low", "type": "quantitative", "title": y_title},
                    "y2": {"field": "high"},
                },
            },
        ],
    }  # fmt: skip

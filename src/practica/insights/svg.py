"""Server-drawn horizontal bar charts for the printable report (and as the no-JavaScript fallback).

Only geometry is computed here; ``insights/partials/bars.svg.html`` writes the SVG with Django's
auto-escaping, so names cannot inject markup.
"""

from __future__ import annotations

from dataclasses import dataclass

ROW_HEIGHT = 22
LABEL_WIDTH = 210
BAR_WIDTH = 380
VALUE_WIDTH = 110


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    target: float | None
    y: int
    width: float
    target_x: float | None
    text: str


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_x: int
    has_targets: bool


def bar_chart(rows: list[tuple[str, float, float | None]], *, title: str, unit: str) -> BarChart:
    """Bars for (label, value, optional target) rows; the scale fits the largest value or target."""
    largest = max([value for _, value, _ in rows] + [target or 0 for _, _, target in rows] + [0]) or 1
    bars = []
    for index, (label, value, target) in enumerate(rows):
        text = f"{value:g}{' ' + unit if unit else ''}"
        if target:
            text += f" of {target:g}"
        bars.append(
            Bar(
                label=label if len(label) <= 30 else label[:29] + "…",
                value=value,
                target=target,
                y=index * ROW_HEIGHT,
                width=round(BAR_WIDTH * value / largest, 1),
                target_x=None if not target else round(LABEL_WIDTH + BAR_WIDTH * target / largest, 1),
                text=text,
            )
        )
    return BarChart(
        title=title,
        bars=bars,
        width=LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH,
        height=max(len(bars), 1) * ROW_HEIGHT + 4,
        label_width=LABEL_WIDTH,
        bar_x=LABEL_WIDTH,
        has_targets=any(bar.target for bar in bars),
    )

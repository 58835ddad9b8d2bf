"""Figures for sweeps of March's (1991) model, in the style of his Figure 1.

March's Figure 1 plots average equilibrium knowledge against the socialisation rate p1, one line per
code learning rate p2. We draw the code score (what the replications publish, e.g. Rodan, 2005) and the
code knowledge side by side, with error bars of one standard error over runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

# Agg: figures are written to files, never shown; pyplot must be imported after choosing it.
matplotlib.use("Agg")

import matplotlib.pyplot as plt

PANELS = (
    ("code_score", "Average code score, sum(c·r)/m"),
    ("code_knowledge", "Average code knowledge (share of dimensions right)"),
)


def sweep_figure(rows: Sequence[dict[str, Any]], x_name: str, line_names: Sequence[str], path: Path) -> None:
    """Write a two-panel figure (PNG or SVG by ``path``'s suffix) of a sweep's summaries.

    ``rows`` are summaries from ``sweeps.summarise`` with the swept values under ``"sweep"``;
    ``x_name`` goes on the horizontal axis and each combination of ``line_names`` is one line.
    """
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.6), constrained_layout=True)
    lines: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        key = tuple(row["params"][name] for name in line_names)
        lines.setdefault(key, []).append(row)
    markers = "osD^v<>px*"
    for axis, (measure, label) in zip(axes, PANELS, strict=True):
        for index, (key, members) in enumerate(sorted(lines.items())):
            members = sorted(members, key=lambda row: row["params"][x_name])
            xs = [row["params"][x_name] for row in members]
            ys = [row[f"mean_{measure}"] for row in members]
            errors = [row[f"sd_{measure}"] / math.sqrt(max(row["runs"], 1)) for row in members]
            name = ", ".join(f"{line} = {value:g}" for line, value in zip(line_names, key, strict=True))
            axis.errorbar(
                xs, ys, yerr=errors, marker=markers[index % len(markers)], capsize=3, label=name or None
            )
        axis.set_xlabel(f"{x_name} ({'socialisation rate' if x_name == 'p1' else 'swept parameter'})")
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
        if line_names:
            axis.legend(title="Code learning" if list(line_names) == ["p2"] else None)
    runs = rows[0]["runs"] if rows else 0
    figure.suptitle(
        f"Equilibrium knowledge against {x_name} (after March 1991, Figure 1; {runs} runs per point)\n"
        "How to read: higher is better; bars are ±1 standard error over runs.",
        fontsize=10,
    )
    figure.savefig(path, format=path.suffix.lstrip(".").lower())
    plt.close(figure)

"""The knowledge network and the dashboard pages at 20,000 people.

Usage:  .venv/bin/python benchmarks/network_benchmark.py [--people 20000] [--rounds 9] [--skip-louvain]

Builds (once) a demo organisation in benchmarks/.data/pages-<people>/ (SQLite, or DATABASE_URL if set;
the same folder as pages_benchmark.py), then:

1. community detection on the team graph: networkx's Louvain against igraph's Louvain and Leiden,
   time and modularity of each (this is why the network uses igraph's Leiden: see the README);
2. recomputes the network and skills panels (what `practica refresh-insights` does) and times them
   (target: under 60 s each: they run in the background, never in a request);
3. renders every dashboard page and panel endpoint as demo-steward with a warm cache and prints the
   median time and the SQL query count (target: every page under 300 ms).

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from demo_database import open_demo_database

PAGE_TARGET_MS = 300.0
REFRESH_TARGET_S = 60.0
PAGES = [
    "/insights/",
    "/insights/portfolio/",
    "/insights/indicators/",
    "/insights/time/",
    "/insights/report/",
    "/insights/network/",
    "/insights/skills/",
    "/api/v1/insights/portfolio",
    "/api/v1/insights/indicators",
    "/api/v1/insights/network",
    "/api/v1/insights/skills",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument(
        "--skip-louvain", action="store_true", help="Skip networkx's Louvain (about a minute)."
    )
    options = parser.parse_args()

    open_demo_database(options.people)
    import igraph
    import networkx as nx
    import numpy as np
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import Resolver404, resolve
    from django.utils import timezone

    from practica.analysis.network import build_group_graph, detect_clusters, modularity, to_networkx
    from practica.core.privacy import min_group_size
    from practica.insights.network import interactions, units
    from practica.insights.refresh import refresh_insights
    from practica.people.models import Person

    failed = False

    print("1. Community detection on the team graph")
    started = time.perf_counter()
    grouping = units(min_group_size())
    ties, gatherings, counts = interactions(timezone.now())
    graph = build_group_graph(dict(grouping.unit_of), ties, gatherings)
    edges = int(np.count_nonzero(np.triu(graph.undirected, 1)))
    print(
        f"   read and aggregated {len(ties)} learning ties and {len(gatherings)} meetups and reviews "
        f"into {len(graph.groups)} teams, {edges} weighted ties, in {time.perf_counter() - started:.1f} s"
    )
    print(f"   {'method':34} {'seconds':>8} {'groups':>7} {'modularity':>11}")
    started = time.perf_counter()
    labels = detect_clusters(graph, seed=1)
    print(
        f"   {'igraph Leiden (used)':34} {time.perf_counter() - started:8.1f} {max(labels) + 1:7d} "
        f"{modularity(graph, labels):11.4f}"
    )
    undirected = np.triu(graph.undirected, 1)
    sources, targets = np.nonzero(undirected)
    loops = np.nonzero(graph.internal)[0]
    started = time.perf_counter()
    drawing = igraph.Graph(
        n=len(graph.groups), edges=list(zip(sources.tolist(), targets.tolist(), strict=True))
    )
    drawing.add_edges(list(zip(loops.tolist(), loops.tolist(), strict=True)))
    drawing.es["weight"] = undirected[sources, targets].tolist() + graph.internal[loops].tolist()
    louvain = drawing.community_multilevel(weights="weight").membership
    print(
        f"   {'igraph Louvain':34} {time.perf_counter() - started:8.1f} {max(louvain) + 1:7d} "
        f"{modularity(graph, louvain):11.4f}"
    )
    if not options.skip_louvain:
        started = time.perf_counter()
        found = nx.community.louvain_communities(to_networkx(graph), weight="weight", seed=1)
        labels_nx = [0] * len(graph.groups)
        for label, part in enumerate(found):
            for index in part:
                labels_nx[index] = label
        print(
            f"   {'networkx Louvain (+ conversion)':34} {time.perf_counter() - started:8.1f} {len(found):7d} "
            f"{modularity(graph, labels_nx):11.4f}"
        )

    print("\n2. Recomputing the panels (practica refresh-insights)")
    for result in refresh_insights():
        seconds = result.duration_ms / 1000
        slow = result.name in {"network", "skills"} and seconds > REFRESH_TARGET_S
        failed |= slow
        print(f"   {result.title:30} {seconds:8.1f} s {'SLOW' if slow else 'ok'}")

    print(f"\n3. Pages as demo-steward, warm cache (median of {options.rounds})")
    client = Client()
    client.force_login(Person.objects.get(user__username="demo-steward").user)
    print(f"   {'page':34} {'median ms':>10} {'queries':>8} {'KiB':>6} {'target':>7}")
    for url in PAGES:
        try:
            resolve(url.split("?")[0])
        except Resolver404:  # a page another change has not added yet
            print(f"   {url:34} {'(not installed)':>10}")
            continue
        client.get(url)
        samples, queries, size = [], 0, 0
        for _ in range(options.rounds):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries, size = len(captured), len(response.content)
        median = statistics.median(samples)
        ok = median < PAGE_TARGET_MS
        failed |= not ok
        print(f"   {url:34} {median:10.1f} {queries:8d} {size / 1024:6.0f} {'ok' if ok else 'SLOW':>7}")
    print(f"\n   interactions: {dict(counts)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

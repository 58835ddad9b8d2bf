"""``--dask ADDRESS``: sweeps on a Dask cluster give exactly the local results for the same seed.

The cluster is a local one (2 single-threaded workers, talking over TCP so every task and result is
serialised as on a real cluster), started once for this module and closed afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from practica.simulation import sweeps
from practica.simulation.march import MarchParams

from .test_cli import SMALL, simulate

distributed = pytest.importorskip("distributed", reason="the Dask tests need dask[distributed]")
dask = pytest.importorskip("dask")


@pytest.fixture(scope="module")
def scheduler_address() -> Iterator[str]:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address
    assert cluster.status.name == "closed"


def test_cli_sweep_on_dask_prints_the_local_numbers(scheduler_address: str) -> None:
    args = ["--p2", "0.5", "--sweep", "p1=0.1,0.5,0.9", *SMALL, "--json"]
    local = simulate(*args)
    remote = simulate(*args, "--dask", scheduler_address)
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    assert len(json.loads(remote.stdout)) == 3
    assert json.loads(remote.stdout) == json.loads(local.stdout)


def test_run_points_on_dask_equals_the_local_run(scheduler_address: str) -> None:
    # Plain points are batched together, and a worker may get runs of several points in one task.
    points = [
        MarchParams(m=12, n=10, p1=0.3, p2=0.5),
        MarchParams(m=12, n=10, p1=0.3, p2=0.5, p3=0.1, periods=20),
        MarchParams(m=12, n=10, p1=0.8, p2=0.9),
        MarchParams(m=12, n=10, p1=0.3, p2=0.5, communities=2, beta=0.3, max_periods=300),
        MarchParams(m=12, n=10, p2=0.5, groups=((4, 0.9), (6, 0.1))),
        MarchParams(m=12, n=10, p2=0.7, groups=((4, 0.2), (6, 0.6))),
    ]
    assert any(len(task.pieces) > 1 for task in sweeps._tasks(points, 7, 3, workers=8))
    done: list[int] = []
    remote = sweeps.run_points(points, 7, 3, dask_address=scheduler_address, on_runs_done=done.append)
    assert remote == sweeps.run_points(points, 7, 3)
    assert remote == [sweeps.run_points([params], 7, 3)[0] for params in points]
    assert sum(done) == len(points) * 7


def test_an_unreachable_scheduler_fails_in_one_line() -> None:
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = simulate("--p1", "0.5", "--p2", "0.5", *SMALL, "--json", "--dask", "tcp://127.0.0.1:9")
    assert result.exit_code != 0
    assert result.stdout == ""
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "dask" in message and "tcp://127.0.0.1:9" in message

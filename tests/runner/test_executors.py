"""Executors change where chunks run, never a number: serial, process pool and Dask agree bit for bit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.runner import (
    DaskExecutor,
    ProcessPoolExecutor,
    SerialExecutor,
    make_executor,
    plan_chunks,
    run_sweep,
)
from skyshield.store import ResultStore
from tests.store.helpers import resolved, write_experiment


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    d = tmp_path_factory.mktemp("exec")
    return d, resolved(write_experiment(d, reps=3, samples=2))


@pytest.fixture(scope="module")
def dask():
    with DaskExecutor(None, 2) as ex:  # a local Dask cluster: two worker processes
        yield ex


def _sweep(d, exp, name, executor, chunk_size):
    st = ResultStore.open_for(d / name, exp)
    run_sweep(exp, st, executor=executor, chunk_size=chunk_size, catalog=False)
    st = ResultStore.open(d / name)
    return st.metrics(), st.events()


def test_serial_process_pool_and_dask_give_identical_results(experiment, dask) -> None:
    d, exp = experiment
    m0, e0 = _sweep(d, exp, "serial", SerialExecutor(), 3)
    m1, e1 = _sweep(d, exp, "pool", ProcessPoolExecutor(2, max_in_flight=2), 2)
    m2, e2 = _sweep(d, exp, "dask", dask, 2)
    assert m0.num_rows == 12 and e0.num_rows > 1000
    assert m0.equals(m1) and m0.equals(m2)
    assert e0.equals(e1) and e0.equals(e2)


def test_run_experiment_on_dask_equals_serial(dask) -> None:
    from skyshield.runner import Experiment, run_experiment
    from skyshield.scenario import load_scenario

    exp = Experiment(load_scenario("eastern-flank-night-raid-v1"), ("none", "air-policing"), 3, 5, keep_events=True)
    a = run_experiment(exp, workers=1)
    b = run_experiment(exp, chunk_size=2, executor=dask)
    assert a.metrics.equals(b.metrics)
    assert a.events.equals(b.events)


@settings(max_examples=60, deadline=None)
@given(
    n_opt=st.integers(1, 3),
    n_s=st.integers(1, 3),
    reps=st.integers(1, 30),
    size=st.integers(1, 8),
    done_bits=st.lists(st.booleans(), min_size=270, max_size=270),
)
def test_planned_chunks_cover_exactly_the_missing_replications(n_opt, n_s, reps, size, done_bits) -> None:
    done: dict[tuple[int, int], set[int]] = {}
    bit = iter(done_bits)
    for o in range(n_opt):
        for s in range(n_s):
            done[(o, s)] = {r for r in range(reps) if next(bit)}
    chunks = plan_chunks(n_opt, n_s, reps, size, done)
    got: dict[tuple[int, int], list[int]] = {}
    for c in chunks:
        assert 0 < c.size <= size
        got.setdefault((c.option, c.sample), []).extend(range(c.start, c.stop))
    for o in range(n_opt):
        for s in range(n_s):
            want = [r for r in range(reps) if r not in done[(o, s)]]
            assert sorted(got.get((o, s), [])) == want  # none lost, none twice


def test_make_executor_reads_scheduler_names() -> None:
    assert isinstance(make_executor(None, 1), SerialExecutor)
    assert isinstance(make_executor("processes", 2), ProcessPoolExecutor)
    assert isinstance(make_executor("serial", 4), SerialExecutor)
    d = make_executor("tcp://127.0.0.1:8786", None)
    assert isinstance(d, DaskExecutor) and d.address == "tcp://127.0.0.1:8786"
    assert isinstance(make_executor("dask", 2), DaskExecutor)
    with pytest.raises(ValueError, match="unknown scheduler"):
        make_executor("mpi", 2)


def test_a_dask_scheduler_address_is_used_as_given() -> None:
    # `--scheduler tcp://HOST:PORT`: connect to a running scheduler (here a plain local one)
    from distributed import LocalCluster

    from skyshield.runner import Experiment, run_experiment
    from skyshield.scenario import load_scenario

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1", silence_logs=40) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        exp = Experiment(load_scenario("eastern-flank-night-raid-v1"), ("none",), 2, 9)
        remote = make_executor(address, None)
        try:
            got = run_experiment(exp, executor=remote, chunk_size=1)
            assert remote.workers == 2  # read from the scheduler
        finally:
            remote.close()
    assert got.metrics.equals(run_experiment(exp, workers=1).metrics)


def test_the_local_dask_cluster_admits_no_other_process_and_serves_no_pages(dask) -> None:
    """TLS with a certificate made for this cluster: a client without it (plain TCP, or TLS
    with another certificate) cannot connect, so cannot run code in the workers; its HTTP
    servers have no routes (no dashboard, no page loading CSS from a CDN)."""
    import urllib.error
    import urllib.request

    import psutil
    from distributed import Client, Security

    dask.map(lambda c, t: t, None, [1])  # make sure the cluster is up
    address = dask._client.scheduler.address
    assert address.startswith("tls://127.0.0.1:")
    for attempt in (address.replace("tls://", "tcp://"), address):
        with pytest.raises(Exception):  # noqa: B017 - refused one way or another
            Client(attempt, timeout="3s", security=Security.temporary()).close()
    me = psutil.Process()
    ports = {(c.laddr.ip, c.laddr.port) for p in [me, *me.children(recursive=True)]
             for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}
    assert ports and all(ip == "127.0.0.1" for ip, _ in ports)  # loopback only
    served = 0
    for ip, port in ports:
        for page in ("/info/main/workers.html", "/json/index.html", "/status", "/statics/"):
            try:
                urllib.request.urlopen(f"http://{ip}:{port}{page}", timeout=2)
                served += 1
            except urllib.error.HTTPError as exc:
                assert exc.code == 404
            except OSError:
                pass  # not an HTTP port (a TLS comm port resets the connection)
    assert served == 0


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    from skyshield.runner.executors import ExecutorError

    ex = make_executor("tcp://127.0.0.1:9", None)
    with pytest.raises(ExecutorError, match="cannot connect to a Dask scheduler"):
        list(ex.map(lambda c, t: t, None, [1]))

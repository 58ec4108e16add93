"""Executors: where chunks run. Serial, a local process pool, or a Dask cluster.

An executor takes a module-level function ``fn(ctx, task)``, a context shipped once to each
worker, and tasks; it yields ``(index, result)`` as tasks finish, in whatever order they
finish. Callers put results back in order by index, so the executor never changes a number.
At most ``max_in_flight`` tasks are outstanding at a time, so results stream to the caller
(and to disk) instead of piling up in memory.

Nothing is left behind: if the caller stops (an exception, ``KeyboardInterrupt``, a SIGTERM
turned into one, or simply closing the generator) the pool's workers are terminated at once
rather than waited for; and a worker whose parent dies (even by ``kill -9``) exits by itself
(``PR_SET_PDEATHSIG`` on Linux, and a watchdog on its parent's pid everywhere). Workers ignore
SIGINT: a Ctrl-C in a terminal reaches the whole process group, and only the parent decides.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

__all__ = [
    "DaskExecutor",
    "Executor",
    "ExecutorError",
    "ProcessPoolExecutor",
    "SerialExecutor",
    "default_workers",
    "make_executor",
    "terminate_pool",
]

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class Executor(Protocol):
    """Runs ``fn(ctx, task)`` for every task; yields ``(index, result)`` as they finish."""

    name: str
    workers: int

    def map(self, fn: Callable[[Any, Any], Any], ctx: Any, tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]: ...

    def close(self) -> None: ...


class _Closing:
    def close(self) -> None:
        """Release the executor's resources (nothing for local executors)."""

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialExecutor(_Closing):
    """Everything in this process, in order."""

    name = "serial"
    workers = 1

    def map(self, fn: Callable[[C, T], R], ctx: C, tasks: Sequence[T]) -> Iterator[tuple[int, R]]:
        for i, t in enumerate(tasks):
            yield i, fn(ctx, t)


def _start_method(fn: Callable[..., Any]) -> Any:
    """How to start workers.

    ``fork`` when this process runs no other thread: safe, needs no ``if __name__ ==
    "__main__"`` guard in the user's script, and workers inherit warm caches (theatre
    geometry). With other threads alive (a progress bar, a Dask client) forking could copy a
    held lock, so ``forkserver`` (whose server imports the engine once), provided ``__main__``
    can be re-imported; ``spawn`` off POSIX.
    """
    import threading
    from multiprocessing import get_context

    if os.name != "posix":  # pragma: no cover - not POSIX
        return get_context("spawn")
    if threading.active_count() == 1 or not _main_is_importable():
        return get_context("fork")
    mp = get_context("forkserver")
    mp.set_forkserver_preload([getattr(fn, "__module__", "skyshield.runner.work")])
    return mp


def _main_is_importable() -> bool:
    """Whether forkserver/spawn children can re-import ``__main__`` (a script, a notebook).

    A program read from standard input (``python - <<EOF``) has a ``__main__.__file__`` that
    is no file; its children cannot be started that way, so it falls back to ``fork``.
    """
    import sys

    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


# Process-pool worker state: the context, set once per worker by the initializer.
_CTX: list[Any] = []


def _die_with_parent() -> None:
    """Make this worker exit when the process that started it dies (even by SIGKILL)."""
    import signal
    import threading
    import time

    parent = os.getppid()
    try:  # Linux: the kernel sends SIGKILL when the parent exits
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent:  # pragma: no cover - the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:  # everywhere else (and belt and braces): poll the parent's pid
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="skyshield-parent-watch", daemon=True).start()


def _worker_signals() -> None:
    """Default SIGTERM (a forked worker inherits the parent's handler), ignore SIGINT."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool_init(ctx: Any) -> None:
    _worker_signals()
    _die_with_parent()
    _CTX[:] = [ctx]


def terminate_pool(pool: Any, grace_s: float = 2.0) -> None:
    """Stop a :class:`concurrent.futures.ProcessPoolExecutor` now: cancel what is queued and
    terminate its workers (SIGTERM, then SIGKILL after ``grace_s``), without waiting for
    running tasks."""
    import time

    procs = list(getattr(pool, "_processes", {}).values())  # the workers (a private attribute)
    try:
        pool.shutdown(wait=False, cancel_futures=True)
    except Exception:  # pragma: no cover - a broken pool
        pass
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + grace_s
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(1.0)


def _pool_call(fn: Callable[[Any, Any], Any], task: Any) -> Any:
    return fn(_CTX[0], task)


class ProcessPoolExecutor(_Closing):
    """A local pool of worker processes (see :func:`_start_method` for how they start)."""

    name = "processes"

    def __init__(self, workers: int | None = None, max_in_flight: int | None = None):
        self.workers = workers or default_workers()
        self.max_in_flight = max_in_flight or 4 * self.workers

    def map(self, fn: Callable[[C, T], R], ctx: C, tasks: Sequence[T]) -> Iterator[tuple[int, R]]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures import ProcessPoolExecutor as _Pool
        if not tasks:
            return
        mp = _start_method(fn)
        pool = _Pool(max_workers=min(self.workers, len(tasks)), mp_context=mp, initializer=_pool_init,
                     initargs=(ctx,))
        try:
            pending: dict[Any, int] = {}
            it = iter(enumerate(tasks))
            for i, t in it:
                pending[pool.submit(_pool_call, fn, t)] = i
                if len(pending) >= self.max_in_flight:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    i = pending.pop(f)
                    yield i, f.result()
                    nxt = next(it, None)
                    if nxt is not None:
                        pending[pool.submit(_pool_call, fn, nxt[1])] = nxt[0]
        except BaseException:  # an error, an interrupt, or the caller closing us: stop the workers now
            terminate_pool(pool)
            raise
        pool.shutdown(wait=True)


class ExecutorError(RuntimeError):
    """An executor could not be started or reached (an unreachable scheduler, a missing extra)."""


class DaskExecutor(_Closing):
    """A Dask distributed cluster: an existing scheduler (``tls://`` or ``tcp://HOST:PORT``) or a local one.

    The context is scattered to every worker once; tasks reference it.

    A **local** cluster has ``workers`` single-threaded worker processes, listens on the
    loopback interface only, has no dashboard (its HTTP servers have no routes: no page, so
    nothing loaded from a CDN, no JSON, no proxy) and is secured with TLS and a throw-away certificate made for it
    (``distributed.Security.temporary()``, needs ``cryptography``): the scheduler and the
    workers accept only peers holding that certificate, which lives only in this process's
    memory, so another local process cannot submit code to the workers.

    A **remote** scheduler is only as safe as its address: ``tcp://`` is unauthenticated and
    unencrypted, and anyone who can reach the port can run code on the workers. Use
    ``tls://HOST:PORT`` with certificates from Dask's configuration (``distributed.comm.tls``:
    ``ca-file``, ``client.cert``, ``client.key``; e.g. ``DASK_DISTRIBUTED__COMM__TLS__CA_FILE``,
    ``DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT``, ``DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY``),
    with ``distributed.comm.require-encryption: true`` on the scheduler and workers; keep
    ``tcp://`` to a scheduler bound to loopback or a private network you trust.
    """

    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None, max_in_flight: int | None = None):
        self.address = address
        self.workers = workers or default_workers()
        self.max_in_flight = max_in_flight
        self._client: Any = None
        self._cluster: Any = None

    def _connect(self) -> Any:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ExecutorError(
                "the Dask executor needs the `dask` extra: pip install 'skyshield[dask]'"
            ) from exc
        if self._client is None:
            if self.address:
                try:
                    self._client = Client(self.address, timeout="10s")
                except (OSError, TimeoutError, ValueError, TypeError) as exc:
                    raise ExecutorError(f"--scheduler {self.address}: cannot connect to a Dask scheduler there "
                                        f"({type(exc).__name__}: {exc})") from None
                n = len(self._client.scheduler_info().get("workers", {}))
                self.workers = max(n, 1)
            else:
                try:
                    import cryptography  # noqa: F401  (Security.temporary needs it)
                except ImportError as exc:  # pragma: no cover - depends on the environment
                    raise ExecutorError("the local Dask cluster is secured with TLS, which needs `cryptography`: "
                                        "pip install 'skyshield[dask]'") from exc
                import dask

                # Dask's scheduler always starts an HTTP server (info pages that load CSS from
                # a CDN, JSON, a proxy to the workers) even with the dashboard off: give it
                # and the workers' servers no routes at all.
                with dask.config.set({"distributed.scheduler.http.routes": [],
                                      "distributed.worker.http.routes": []}):
                    self._cluster = LocalCluster(
                        n_workers=self.workers, threads_per_worker=1, processes=True,
                        dashboard_address=None, worker_dashboard_address=None, host="127.0.0.1",
                        security=True, silence_logs=40,
                    )
                self._client = Client(self._cluster)
        return self._client

    def map(self, fn: Callable[[C, T], R], ctx: C, tasks: Sequence[T]) -> Iterator[tuple[int, R]]:
        from distributed import as_completed

        if not tasks:
            return
        client = self._connect()
        ctx_f = client.scatter(ctx, broadcast=True, hash=False)
        window = self.max_in_flight or 4 * self.workers
        it = iter(enumerate(tasks))
        index: dict[str, int] = {}

        def submit(i: int, t: T) -> Any:
            f = client.submit(fn, ctx_f, t, pure=False)
            index[f.key] = i
            return f

        ac = as_completed([submit(i, t) for i, t in (x for _, x in zip(range(window), it))])
        try:
            for f in ac:
                i = index.pop(f.key)
                yield i, f.result()
                f.release()
                nxt = next(it, None)
                if nxt is not None:
                    ac.add(submit(*nxt))
        finally:
            client.cancel(ctx_f)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None



def make_executor(scheduler: str | None = None, workers: int | None = None) -> Any:
    """An executor from a ``--scheduler`` value.

    ``None`` or ``processes``: a local process pool (serial when ``workers == 1``);
    ``serial``; ``dask`` or ``dask-local``: a local Dask cluster of ``workers`` processes
    (TLS-secured, no dashboard); ``tls://HOST:PORT`` or ``tcp://HOST:PORT``: the Dask
    scheduler at that address (see :class:`DaskExecutor` for securing it; ``tcp://`` is
    unauthenticated).
    """
    s = (scheduler or "processes").strip()
    if s == "serial" or (s == "processes" and workers == 1):
        return SerialExecutor()
    if s == "processes":
        return ProcessPoolExecutor(workers)
    if s in ("dask", "dask-local", "local"):
        return DaskExecutor(None, workers)
    if "://" in s:
        return DaskExecutor(s, workers)
    raise ValueError(
        f"unknown scheduler {scheduler!r}: use processes, serial, dask (a local Dask cluster) "
        "or the address of a Dask scheduler, tcp://HOST:PORT"
    )

"""A bounded queue of comparison jobs: at most ``max_running`` at once (the caller answers 429
beyond), at most ``max_kept`` remembered (the oldest finished ones are forgotten first)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Job", "JobQueue", "QueueFull"]


class QueueFull(RuntimeError):
    """Raised when ``max_running`` jobs are already running."""


@dataclass
class Job:
    id: str
    total: int
    done: int = 0
    status: str = "running"  # running, finished, failed
    error: str | None = None
    result: Any = None
    started_s: float = field(default_factory=time.monotonic)
    wall_s: float | None = None

    def state(self) -> dict[str, Any]:
        """What the page polls (or receives as server-sent events)."""
        return {"id": self.id, "status": self.status, "done": self.done, "total": self.total,
                "error": self.error, "wall_s": self.wall_s}


class JobQueue:
    """Runs each job in its own daemon thread.

    Parameters
    ----------
    max_running
        Jobs allowed to run at once; :meth:`submit` raises :class:`QueueFull` beyond.
    max_kept
        Jobs remembered (running ones always are).
    """

    def __init__(self, max_running: int = 2, max_kept: int = 32):
        self.max_running = max_running
        self.max_kept = max_kept
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def running(self) -> int:
        with self._lock:
            return sum(1 for j in self._jobs.values() if j.status == "running")

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def submit(self, total: int, work: Callable[[Callable[[int], None]], Any]) -> Job:
        """Start ``work(progress)`` in a thread; ``progress(n)`` adds ``n`` finished units."""
        with self._lock:
            if sum(1 for j in self._jobs.values() if j.status == "running") >= self.max_running:
                raise QueueFull(f"{self.max_running} comparisons are already running; try again when one ends")
            job = Job(uuid.uuid4().hex, total)
            self._jobs[job.id] = job
            self._forget_old()

        def progress(n: int) -> None:
            job.done = min(job.total, job.done + int(n))

        def target() -> None:
            try:
                job.result = work(progress)
                job.done = job.total
                job.status = "finished"
            except Exception as exc:  # the job reports it; the server goes on
                job.error = f"{type(exc).__name__}: {exc}"
                job.status = "failed"
            finally:
                job.wall_s = time.monotonic() - job.started_s

        threading.Thread(target=target, name=f"skyshield-job-{job.id[:8]}", daemon=True).start()
        return job

    def _forget_old(self) -> None:
        over = len(self._jobs) - self.max_kept
        if over <= 0:
            return
        for jid in [j.id for j in self._jobs.values() if j.status != "running"][:over]:
            del self._jobs[jid]

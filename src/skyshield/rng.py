"""Named random streams: common random numbers across options, stable under model growth.

One :class:`numpy.random.SeedSequence` per experiment. A replication's stream for subsystem
``name`` is the child with spawn key ``(sample, replication, crc32(name))``: it does not
depend on the option, so every option sees the same raid and the same dice (common random
numbers), and it does not depend on the order in which subsystems ask, so adding a sensor
cannot shift the kill draws.

Per-pair draws (sensor x threat) use :func:`keyed_uniform`, a counter-based generator
(SplitMix64 finaliser over a key and an index): the draw for pair ``(sensor, threat)`` is a
pure function of the replication's key, the sensor's name and the threat's index, whatever
other sensors exist.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Streams", "name_key", "keyed_uniform"]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def name_key(name: str) -> int:
    """A stable 32-bit key for a stream or entity name."""
    return zlib.crc32(name.encode("utf-8"))


def _mix(z: NDArray[np.uint64]) -> NDArray[np.uint64]:
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def keyed_uniform(key: int, stream: ArrayLike, index: ArrayLike) -> NDArray[np.float64]:
    """Uniform draws in (0, 1) that are a pure function of ``(key, stream, index)``.

    Parameters
    ----------
    key
        64-bit replication key (from :meth:`Streams.key`).
    stream, index
        Integer arrays broadcast together, e.g. a sensor's name key and threat indices.
    """
    with np.errstate(over="ignore"):
        s = np.asarray(stream, dtype=np.uint64)
        i = np.asarray(index, dtype=np.uint64)
        z = _mix(np.uint64(key) ^ _mix(s * _GOLDEN + np.uint64(1)))
        z = _mix(z + (i + np.uint64(1)) * _GOLDEN)
    # 53 high bits -> (0, 1): add half an ulp so that 0 is never returned.
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)


@dataclass(frozen=True)
class Streams:
    """The random streams of one replication.

    >>> s = Streams(seed=7, replication=3)
    >>> a = s.generator("raid").random()
    >>> a == Streams(seed=7, replication=3).generator("raid").random()
    True
    """

    seed: int
    replication: int
    sample: int = 0
    _root: np.random.SeedSequence = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_root", np.random.SeedSequence(self.seed))

    def seed_sequence(self, name: str) -> np.random.SeedSequence:
        return np.random.SeedSequence(
            self._root.entropy, spawn_key=(self.sample, self.replication, name_key(name))
        )

    def generator(self, name: str) -> np.random.Generator:
        """A fresh PCG64 generator for subsystem ``name`` of this replication."""
        return np.random.Generator(np.random.PCG64(self.seed_sequence(name)))

    def key(self, name: str) -> int:
        """A 64-bit key for counter-based draws (:func:`keyed_uniform`) of subsystem ``name``."""
        return int(self.seed_sequence(name).generate_state(1, np.uint64)[0])

"""Helper threads for the barrier-free jitted loops of the models.

Numba's ``prange`` ends every parallel loop with a barrier, and its OpenMP
workers spin while they wait. On a machine whose cores are shared with other
work, the OS pauses one of the threads for a time slice (milliseconds) now
and then; at a barrier every other thread then waits for it, spinning on a
core the paused thread could have had. The settling loop had one barrier per
update (a dozen or more per batch), and beside one busy process ``learn`` ran
three times slower than on an idle machine.

Here the jitted loops are ``nogil`` functions that hand out work through
atomic counters (:mod:`ei_maps.models._atomics`); a thread that runs out of
work does what a paused thread holds itself, and the first result published
wins. So the calling thread never waits for a helper, and it returns as soon
as every piece is done; a helper still finishing a piece whose result is no
longer needed writes only into its own buffers, then stops by itself.
"""
from __future__ import annotations

import _thread
import threading
import warnings
from typing import Callable

import numba

__all__ = ["FastestOf", "Helper", "PATIENCE", "start_helpers", "thread_count"]

#: Checks for free work before a thread takes over work another thread holds [count].
PATIENCE = 2000


def thread_count() -> int:
    """Threads to use: Numba's current setting (``numba.set_num_threads``, ``NUMBA_NUM_THREADS``) [count]."""
    return int(numba.get_num_threads())


class Helper:
    """A helper thread started by :func:`start_helpers`; ``is_alive()`` until its task returns."""

    def __init__(self) -> None:
        self._done = threading.Event()

    def is_alive(self) -> bool:
        """Whether the task is still running."""
        return not self._done.is_set()


def start_helpers(task: Callable[[int], None], workers: list[int]) -> dict[int, Helper]:
    """Start ``task(worker)`` on a new thread for each worker number; they are not waited for.

    ``threading.Thread.start`` waits until the new thread runs; on a busy
    machine that can be a whole time slice, so the threads are started with
    :func:`_thread.start_new_thread`, which returns at once.

    Parameters
    ----------
    task : callable
        ``task(worker)``; the caller runs its own share (worker 0) itself.
    workers : list of int
        Worker numbers of the helpers [index].

    Returns
    -------
    dict
        A :class:`Helper` per worker number (check ``is_alive()`` before
        reusing a number: a worker's buffers belong to one thread at a time).
    """
    helpers = {w: Helper() for w in workers}

    def target(worker: int) -> None:
        try:
            task(worker)
        except BaseException as err:  # the caller's thread does any work a helper leaves undone
            warnings.warn(f"ei-maps helper thread {worker} stopped: {err!r}", RuntimeWarning)
        finally:
            helpers[worker]._done.set()

    for w in workers:
        _thread.start_new_thread(target, (w,))
    return helpers


class FastestOf:
    """Picks, call by call, whichever of several interchangeable implementations has been fastest lately.

    The implementations must give the same results (the settling loops give
    the same bits), so the choice only decides speed. Each is tried first
    (its first call, which may load compiled code, is not counted); after
    that the fastest by the median of its last few costs runs, and about
    every ``explore_every``-th call runs another one (less often, down to
    one in ``max_spacing * explore_every``, the slower it was: a try costs
    its extra time). When the load of the machine grows (a busy process
    starts), the running implementation's median cost rises within two
    calls and the other takes over; when it falls, the other is found
    faster at its next try, which is then repeated at once, so that its
    median moves.

    Parameters
    ----------
    names : sequence of str
        The implementations.
    explore_every : int
        One call in this many runs a non-fastest implementation [count].
    memory : int
        Costs kept per implementation [count].
    warmup : int
        Counted calls each implementation gets, taking turns, before the
        fastest is chosen [count]: more than one where single costs are
        noisy (the wave sheet's first chunks are short and start with a
        burst of spikes).
    max_spacing : float
        How much rarer than ``explore_every`` a much slower alternative is
        tried at most [factor]: the tries spread as the square of how many
        times slower it is, up to this. Larger saves time while one
        implementation is much the faster, and finds a change of load later.
    """

    def __init__(self, names: tuple[str, ...], explore_every: int = 10, memory: int = 3, warmup: int = 1,
                 max_spacing: float = 2.0) -> None:
        if not max_spacing >= 1:
            raise ValueError(f"max_spacing must be >= 1, got {max_spacing!r}")
        self.names = tuple(names)
        self.explore_every = int(explore_every)
        self.max_spacing = float(max_spacing)
        self.memory = int(memory)
        self.warmup = max(1, min(int(warmup), self.memory))
        self._costs: dict[str, list[float]] = {n: [] for n in self.names}
        self._seen: set[str] = set()
        self._calls = 0
        self._turn = 0
        self._again: str | None = None  # an alternative that beat the fastest at its try: run at once again

    def estimate(self, name: str) -> float:
        """Median recent cost of ``name`` [s per unit of work]; inf before it has one."""
        costs = sorted(self._costs[name])
        return costs[len(costs) // 2] if costs else float("inf")

    def pick(self) -> str:
        """The implementation to run now."""
        self._calls += 1
        untried = [n for n in self.names if len(self._costs[n]) < self.warmup]
        if untried:
            if self.warmup == 1:
                return untried[0]
            # in turns, so every implementation is timed over the same stretch of the work
            return min(untried, key=lambda n: len(self._costs[n]) + (n in self._seen))
        if self._again is not None:
            name, self._again = self._again, None
            return name
        ranked = sorted(self.names, key=self.estimate)
        if len(ranked) > 1:
            gap = self.estimate(ranked[1]) / max(self.estimate(ranked[0]), 1e-300)
            if self._calls % round(self.explore_every * min(gap * gap, self.max_spacing)) == 0:
                self._turn += 1
                return ranked[1 + self._turn % (len(ranked) - 1)]
        return ranked[0]

    def record(self, name: str, seconds: float, work: float) -> None:
        """Note that ``name`` took ``seconds`` [s] for ``work`` [arbitrary units] of work."""
        if name not in self._seen:  # a first call may include loading compiled code
            self._seen.add(name)
            return
        costs = self._costs[name]
        fastest = min(self.names, key=self.estimate)
        cost = seconds / max(work, 1e-12)
        costs.append(cost)
        del costs[:-self.memory]
        # one cheap try among stale dear costs leaves the median dear: without a second try at once, a freed
        # machine would wait for the next scheduled try (up to max_spacing * explore_every calls)
        if name != fastest and cost < self.estimate(fastest) and self.estimate(name) > self.estimate(fastest):
            self._again = name

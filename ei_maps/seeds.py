"""Named, independent random streams spawned from one seed.

Every consumer of randomness in a run (the dictionary's initialization, the
training samples, the spiking network's initial potentials, each phase of
the touch experiment) draws from its own child of
``numpy.random.SeedSequence(seed)``. Children of one seed are independent of
each other and of every other seed's children, so in a seed sweep no run
reuses a neighbour's stream, and the dictionary never shares a stream with
the samples it is trained on.
"""

from __future__ import annotations

import numpy as np

#: The streams of one seed. A stream's position here is its spawn key, so this
#: tuple is append-only: reordering it would change every seeded result.
STREAMS: tuple[str, ...] = ("set", "before", "after", "probe", "dictionary", "samples", "network", "retinotopy")


def stream(seed: int | np.random.SeedSequence | None, name: str) -> np.random.SeedSequence:
    """The child of ``seed`` that feeds ``name`` (one of :data:`STREAMS`).

    Parameters
    ----------
    seed : int, numpy.random.SeedSequence or None
        The run's seed; ``None`` draws fresh entropy (a fresh stream each call).
    name : str
        What the stream feeds, one of :data:`STREAMS`.

    Returns
    -------
    numpy.random.SeedSequence
        Equal to the ``STREAMS.index(name)``-th child ``SeedSequence(seed).spawn``
        would give, whatever else was spawned before.
    """
    if name not in STREAMS:
        raise ValueError(f"unknown random stream {name!r}; the streams are {', '.join(STREAMS)}")
    parent = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return np.random.SeedSequence(parent.entropy, spawn_key=tuple(parent.spawn_key) + (STREAMS.index(name),),
                                  pool_size=parent.pool_size)


def generator(seed: int | np.random.SeedSequence | None, name: str) -> np.random.Generator:
    """A ``numpy.random.Generator`` on :func:`stream` ``(seed, name)``.

    Parameters
    ----------
    seed : int, numpy.random.SeedSequence or None
        The run's seed.
    name : str
        What the stream feeds, one of :data:`STREAMS`.

    Returns
    -------
    numpy.random.Generator
        A generator independent of the other names' streams.
    """
    return np.random.default_rng(stream(seed, name))

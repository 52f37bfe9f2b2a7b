"""Synthetic touch on a hand: receptor activity of fingers touched alone or in pairs.

Lufkin et al. (2022) study the plasticity of cortical maps (finger amputation,
syndactyly) with a toy somatosensory input. A hand has ``n_fingers`` fingers of
``receptors_per_finger`` receptors each, plus ``n_extra`` inputs that never
carry signal. Each stimulus belongs to one class: a single finger touched
alone, or a pair of fingers touched together. A touched finger's receptors
fire with independent intensities uniform in [0, 1] (dimensionless, arbitrary
units); all other receptors are 0; Gaussian receptor noise of standard
deviation ``noise`` (same units) is then added to every input. The receptor
order is permuted once per hand so topography cannot be read off input order.

Class ``k`` follows :func:`class_names`: ``"finger 1"`` ... ``"finger n"``,
then the pairs in configuration order (``"fingers 1+2"`` ...).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np

from ._seeded import SeededSampler

__all__ = ["HandConfig", "HandSampler", "Manipulation", "class_names"]

MANIPULATION_KINDS: tuple[str, ...] = ("none", "deprive", "remove_pair", "syndactyly")
# fingers each kind takes
_N_FINGERS = {"none": 0, "deprive": 1, "remove_pair": 2, "syndactyly": 2}


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_probability(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)


@dataclass(frozen=True)
class HandConfig:
    """Geometry and statistics of the synthetic hand.

    Parameters
    ----------
    n_fingers : int
        Number of fingers (>= 1), numbered from 1.
    receptors_per_finger : int
        Receptors (inputs) per finger (>= 1).
    n_extra : int
        Inputs that never carry signal, only noise (>= 0).
    pairs : tuple of (int, int)
        Co-activation classes: pairs of distinct fingers touched together.
        Lists (e.g. from JSON) are converted to tuples of ints.
    single_probability : float
        Probability of each single-finger class.
    pair_probability : float
        Probability of each pair class. ``n_fingers * single_probability +
        len(pairs) * pair_probability`` must be 1 (within 1e-6).
    noise : float
        Standard deviation of the Gaussian noise added to every input (>= 0,
        intensity units; touch intensities are in [0, 1]).
    permutation_seed : int
        Seed (>= 0) of the fixed random permutation of the inputs.

    Raises
    ------
    ValueError
        For a bad count, probability, pair or noise level, naming the value.
    """

    n_fingers: int = 5
    receptors_per_finger: int = 51
    n_extra: int = 1
    pairs: tuple[tuple[int, int], ...] = ((1, 2), (1, 3))
    single_probability: float = 0.16
    pair_probability: float = 0.10
    noise: float = 0.3
    permutation_seed: int = 0

    def __post_init__(self) -> None:
        n = _check_int(self.n_fingers, "n_fingers", 1)
        _check_int(self.receptors_per_finger, "receptors_per_finger", 1)
        _check_int(self.n_extra, "n_extra", 0)
        _check_int(self.permutation_seed, "permutation_seed", 0)
        single = _check_probability(self.single_probability, "single_probability")
        pair = _check_probability(self.pair_probability, "pair_probability")
        if (isinstance(self.noise, bool) or not isinstance(self.noise, Real)
                or not (math.isfinite(self.noise) and self.noise >= 0)):
            raise ValueError(f"noise must be a finite number >= 0, got {self.noise!r}")
        if isinstance(self.pairs, (str, bytes)) or not isinstance(self.pairs, (tuple, list)):
            raise ValueError(f"pairs must be a sequence of (finger, finger) pairs, got {self.pairs!r}")
        pairs: list[tuple[int, int]] = []
        for p in self.pairs:
            if (isinstance(p, (str, bytes)) or not hasattr(p, "__len__") or len(p) != 2
                    or any(isinstance(f, bool) or not isinstance(f, Integral) for f in p)):
                raise ValueError(f"each pair must be two finger numbers, got {p!r}")
            a, b = int(p[0]), int(p[1])
            if not (1 <= a <= n and 1 <= b <= n):
                raise ValueError(f"pair {p!r}: fingers must be in 1..{n}")
            if a == b:
                raise ValueError(f"pair {p!r}: a pair needs two different fingers")
            if frozenset((a, b)) in map(frozenset, pairs):
                raise ValueError(f"pair {p!r} is listed twice")
            pairs.append((a, b))
        total = n * single + len(pairs) * pair
        if abs(total - 1) > 1e-6:
            raise ValueError(f"class probabilities must sum to 1, got n_fingers * single_probability"
                             f" + len(pairs) * pair_probability = {n} * {single} + {len(pairs)} * "
                             f"{pair} = {total:.6g}")
        # frozen: bypass __setattr__ to store the normalised pairs
        object.__setattr__(self, "pairs", tuple(pairs))

    @property
    def n_inputs(self) -> int:
        """Width of a stimulus: ``n_fingers * receptors_per_finger + n_extra``."""
        return self.n_fingers * self.receptors_per_finger + self.n_extra

    def replace(self, **changes: Any) -> HandConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


def class_names(config: HandConfig) -> list[str]:
    """Names of the stimulus classes: single fingers, then pairs, in class-index order."""
    return ([f"finger {f}" for f in range(1, config.n_fingers + 1)]
            + [f"fingers {a}+{b}" for a, b in config.pairs])


@dataclass(frozen=True)
class Manipulation:
    """A change of the hand's input statistics, as in the deprivation experiments.

    Parameters
    ----------
    kind : {"none", "deprive", "remove_pair", "syndactyly"}
        ``"deprive"`` (1 finger, amputation): the finger's receptors carry
        only noise in every class and its single-finger class never occurs
        (the other probabilities are renormalised); pairs including it still
        occur but touch only the other finger. ``"remove_pair"`` (2 fingers):
        that pair class, which must exist, never occurs (renormalised).
        ``"syndactyly"`` (2 fingers, fused): their single classes are dropped
        and their probabilities go to the pair class ``a+b`` (appended if the
        configuration lacks it), and every class touching either finger
        touches both.
    fingers : tuple of int
        Finger numbers (from 1); two-finger kinds are stored sorted.
    """

    kind: str = "none"
    fingers: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in _N_FINGERS:
            raise ValueError(f"unknown manipulation {self.kind!r}; expected one of "
                             f"{', '.join(MANIPULATION_KINDS)}")
        fingers = tuple(self.fingers)
        want = _N_FINGERS[self.kind]
        if len(fingers) != want:
            raise ValueError(f"manipulation {self.kind!r} takes {want} finger(s), got {len(fingers)}: "
                             f"{fingers!r}")
        fingers = tuple(_check_int(f, f"{self.kind} finger", 1) for f in fingers)
        if len(set(fingers)) != len(fingers):
            raise ValueError(f"manipulation {self.kind!r} needs two different fingers, got {fingers!r}")
        object.__setattr__(self, "fingers", tuple(sorted(fingers)))

    @classmethod
    def parse(cls, text: str) -> Manipulation:
        """Read ``"none"``, ``"deprive:3"``, ``"remove_pair:1,2"`` or ``"syndactyly:2,3"``."""
        if not isinstance(text, str):
            raise ValueError(f"manipulation must be text like 'deprive:3', got {text!r}")
        kind, sep, rest = text.strip().partition(":")
        kind = kind.strip()
        fingers: list[int] = []
        for token in (rest.split(",") if sep else []):
            try:
                fingers.append(int(token.strip()))
            except ValueError:
                raise ValueError(f"manipulation {text!r}: finger {token.strip()!r} "
                                 "is not an integer") from None
        return cls(kind, tuple(fingers))

    def __str__(self) -> str:
        if self.kind == "none":
            return "none"
        return f"{self.kind}:{','.join(map(str, self.fingers))}"


class HandSampler(SeededSampler):
    """Batches of touch stimuli drawn i.i.d. from the (manipulated) class probabilities.

    Parameters
    ----------
    config : HandConfig
    manipulation : Manipulation, str or None
        Change of the statistics (see :class:`Manipulation`); text is parsed
        with :meth:`Manipulation.parse`, ``None`` means ``"none"``.
    seed : int or None
        Seed of ``np.random.default_rng``; the same seed gives the same
        batches. ``None`` draws fresh entropy. The input permutation depends
        only on ``config.permutation_seed``.
    dtype : dtype
        Floating type of the batches.

    Attributes
    ----------
    n_inputs : int
    class_names : list of str
        :func:`class_names`, plus ``"fingers a+b"`` when a syndactyly adds it.
    class_probabilities : (n_classes,) ndarray of float64
        Probability of each class after the manipulation (0 for dropped ones).
    class_fingers : list of tuple of int
        Fingers whose receptors each class activates after the manipulation.
    permutation : (n_inputs,) ndarray of int64
        Input ``j`` of a stimulus is receptor ``permutation[j]`` in hand order
        (finger 1's receptors, finger 2's, ..., the extra inputs).

    Raises
    ------
    ValueError
        If the manipulation names a finger outside ``1..n_fingers``, removes a
        pair that is not a class, leaves no class with probability > 0, or the
        dtype is not floating.
    """

    def __init__(self, config: HandConfig = HandConfig(), manipulation: Manipulation | str | None = None,
                 seed: int | None = 0, dtype: Any = "float32") -> None:
        self.dtype = np.dtype(dtype)
        if not np.issubdtype(self.dtype, np.floating):
            raise ValueError(f"dtype must be a floating-point type, got {self.dtype}")
        if manipulation is None:
            manipulation = Manipulation()
        elif isinstance(manipulation, str):
            manipulation = Manipulation.parse(manipulation)
        elif not isinstance(manipulation, Manipulation):
            raise ValueError(f"manipulation must be a Manipulation, text or None, got {manipulation!r}")
        self.config, self.manipulation = config, manipulation
        n, m = config.n_fingers, manipulation
        if any(f > n for f in m.fingers):
            raise ValueError(f"manipulation {str(m)!r}: fingers must be in 1..{n}")

        self.class_names = class_names(config)
        fingers = [{f} for f in range(1, n + 1)] + [set(p) for p in config.pairs]
        prob = [config.single_probability] * n + [config.pair_probability] * len(config.pairs)
        pair_index = {frozenset(p): n + i for i, p in enumerate(config.pairs)}
        if m.kind == "deprive":
            (d,) = m.fingers
            prob[d - 1] = 0.0
            for s in fingers:
                s.discard(d)
        elif m.kind == "remove_pair":
            k = pair_index.get(frozenset(m.fingers))
            if k is None:
                raise ValueError(f"manipulation {str(m)!r}: fingers {m.fingers[0]}+{m.fingers[1]} "
                                 f"are not a pair class of this hand (pairs: {list(config.pairs)})")
            prob[k] = 0.0
        elif m.kind == "syndactyly":
            a, b = m.fingers
            k = pair_index.get(frozenset(m.fingers))
            if k is None:
                k = len(fingers)
                self.class_names.append(f"fingers {a}+{b}")
                fingers.append({a, b})
                prob.append(0.0)
            prob[k] += prob[a - 1] + prob[b - 1]
            prob[a - 1] = prob[b - 1] = 0.0
            for s in fingers:
                if s & {a, b}:
                    s |= {a, b}
        p = np.asarray(prob, dtype=np.float64)
        if not p.sum() > 0:
            raise ValueError(f"manipulation {str(m)!r} leaves no stimulus class with probability > 0")
        self.class_probabilities = p / p.sum()
        self.class_fingers = [tuple(sorted(s)) for s in fingers]
        # inverse-CDF sampling: one cumulative sum here instead of one per batch
        self._cdf = np.cumsum(self.class_probabilities)
        r = config.receptors_per_finger
        # class x finger touch table, expanded to receptors once so a batch is one gather
        touch = np.zeros((len(fingers), n), dtype=bool)
        for k, s in enumerate(fingers):
            touch[k, [f - 1 for f in s]] = True
        self._touch = np.repeat(touch, r, axis=1)
        self.n_inputs = config.n_inputs
        self.permutation = np.random.default_rng(config.permutation_seed).permutation(self.n_inputs)
        self._rng = np.random.default_rng(seed)

    def _stimuli(self, classes: np.ndarray, rng: np.random.Generator, noise: bool) -> np.ndarray:
        """Stimuli of the given classes, in permuted input order."""
        batch = len(classes)
        x = np.zeros((batch, self.n_inputs))
        n_rec = self._touch.shape[1]
        x[:, :n_rec] = rng.random((batch, n_rec)) * self._touch[classes]
        if noise and self.config.noise > 0:
            x += self.config.noise * rng.standard_normal(x.shape)
        return x[:, self.permutation].astype(self.dtype, copy=False)

    def sample_with_classes(self, batch: int) -> tuple[np.ndarray, np.ndarray]:
        """A (batch, n_inputs) batch of noisy stimuli and the (batch,) int64 class of each."""
        batch = _check_int(batch, "batch", 1)
        classes = np.searchsorted(self._cdf, self._rng.random(batch) * self._cdf[-1], side="right")
        # rounding can leave cdf[-1] a hair below a draw
        classes = np.minimum(classes, len(self._cdf) - 1).astype(np.int64)
        return self._stimuli(classes, self._rng, noise=True), classes

    def sample(self, batch: int) -> np.ndarray:
        """A (batch, n_inputs) batch of noisy stimuli (see :meth:`sample_with_classes`)."""
        return self.sample_with_classes(batch)[0]

    def probe(self, class_index: int, n: int, noise: bool = False, seed: int | None = 0) -> np.ndarray:
        """``n`` stimuli of one class, e.g. to measure mean responses per class.

        Any class of :attr:`class_names` may be probed, also one the
        manipulation made improbable; its fingers follow the manipulation
        (a deprived finger stays silent, a fused finger drags its partner).

        Parameters
        ----------
        class_index : int
            Index into :attr:`class_names`.
        n : int
            Number of stimuli (>= 1).
        noise : bool
            Add the receptor noise (``config.noise``) too.
        seed : int or None
            Seed of a generator used only here, so probing neither disturbs
            nor depends on the training batches.

        Returns
        -------
        (n, n_inputs) ndarray of ``dtype``
        """
        k = _check_int(class_index, "class_index", 0)
        if k >= len(self.class_names):
            raise ValueError(f"class_index must be < {len(self.class_names)}, got {class_index!r}")
        n = _check_int(n, "n", 1)
        return self._stimuli(np.full(n, k), np.random.default_rng(seed), noise)

    def receptor_finger(self) -> np.ndarray:
        """(n_inputs,) int64: the finger (1..n_fingers) of each input, 0 for extra inputs."""
        c = self.config
        hand = np.zeros(self.n_inputs, dtype=np.int64)
        hand[:c.n_fingers * c.receptors_per_finger] = np.repeat(
            np.arange(1, c.n_fingers + 1), c.receptors_per_finger)
        return hand[self.permutation]

    def __repr__(self) -> str:
        return (f"HandSampler(n_inputs={self.n_inputs}, manipulation={str(self.manipulation)!r}, "
                f"dtype={self.dtype})")

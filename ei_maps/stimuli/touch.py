"""Synthetic touch on a hand: receptor activity of fingers touched alone or in pairs.

Lufkin et al. (2022) study the plasticity of cortical maps with a toy
somatosensory input. A hand has ``n_fingers`` fingers of
``receptors_per_finger`` receptors each, plus ``n_extra`` inputs that never
carry signal. Each stimulus belongs to one class: a single finger touched
alone, or a pair of fingers touched together. Every input starts as Gaussian
receptor noise of standard deviation ``noise`` (dimensionless intensity
units); a touched receptor's value is then *set* to an intensity uniform in
[0, 1], replacing its noise (the paper's generator; ``touch_noise="add"``
adds the noise on top instead). The receptor order is permuted once per hand
so topography cannot be read off input order; the extra inputs stay last.

As in the paper, training can draw its batches with replacement from one
fixed set of stimuli (``sample_set``) instead of fresh ones; a manipulation
then acts on that set (removing or relabelling its stimuli), so the trained
hand before and after differ only by the manipulation.

Class ``k`` follows :func:`class_names`: ``"finger 1"`` ... ``"finger n"``,
then the pairs in configuration order (``"fingers 1+2"`` ...).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np

from ..params import check_declared, declared, param
from ._seeded import SeededSampler

__all__ = ["HandConfig", "HandSampler", "Manipulation", "class_names"]

MANIPULATION_KINDS: tuple[str, ...] = ("none", "deprive", "silence", "remove_pair", "syndactyly")
# fingers each kind takes
_N_FINGERS = {"none": 0, "deprive": 1, "silence": 1, "remove_pair": 2, "syndactyly": 2}
#: How the noise meets a touched receptor: replaced by the touch (paper) or added to it.
TOUCH_NOISE: tuple[str, ...] = ("replace", "add")


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def parse_pairs(value: Any) -> tuple[tuple[int, int], ...]:
    """Co-activated finger pairs as a tuple of ``(finger, finger)``, from themselves or from ``"1+2,1+3"``.

    Parameters
    ----------
    value : str or sequence of pairs
        ``"1+2,1+3"`` (the command line's form, ``""`` for none), or pairs
        of finger numbers (lists from JSON are accepted).

    Returns
    -------
    tuple of (int, int)

    Raises
    ------
    ValueError
        Naming the item that is not two finger numbers.
    """
    if isinstance(value, str):
        items = [item for item in value.split(",") if item.strip()]
        try:
            return tuple((int(a), int(b)) for a, b in (item.split("+") for item in items))
        except ValueError as err:
            raise ValueError(f"pairs take items like 1+2 separated by commas, got {value!r}") from err
    if isinstance(value, bytes) or not isinstance(value, (tuple, list)):
        raise ValueError(f"pairs must be a sequence of (finger, finger) pairs, got {value!r}")
    for p in value:
        if (isinstance(p, (str, bytes)) or not hasattr(p, "__len__") or len(p) != 2
                or any(isinstance(f, bool) or not isinstance(f, Integral) for f in p)):
            raise ValueError(f"each pair must be two finger numbers, got {p!r}")
    return tuple((int(p[0]), int(p[1])) for p in value)


def pairs_text(pairs: tuple[tuple[int, int], ...]) -> str:
    """``"1+2,1+3"``: the text form of finger pairs (see :func:`parse_pairs`)."""
    return ",".join(f"{a}+{b}" for a, b in pairs)


@declared
@dataclass(frozen=True)
class HandConfig:
    """Geometry and statistics of the synthetic hand.

    The class probabilities must sum to 1 (within 1e-6):
    ``n_fingers * single_probability + len(pairs) * pair_probability``.

    Parameters
    ----------

    Raises
    ------
    ValueError
        For a bad count, probability, pair or noise level, naming the value.
    """

    n_fingers: int = param(5, "number of fingers, numbered from 1", "count", low=1, flag=False)
    receptors_per_finger: int = param(51, "receptors (inputs) per finger", "count", low=1, flag=False)
    n_extra: int = param(1, "inputs that never carry signal, only noise", "count", low=0, flag=False)
    pairs: tuple[tuple[int, int], ...] = param(
        ((1, 2), (1, 3)), "co-activated finger pairs (each a class of its own), '' for none", "finger number",
        kind=tuple, parse=parse_pairs, text=pairs_text)
    single_probability: float | None = param(
        None, "probability of each single-finger class", "dimensionless", low=0, high=1, optional=True,
        none_means="the rest shared by the fingers, (1 - len(pairs) pair_probability) / n_fingers", flag=False)
    pair_probability: float = param(0.10, "probability of each pair class", "dimensionless", low=0, high=1,
                                    flag=False)
    noise: float = param(0.3, "standard deviation of the Gaussian receptor noise; touch intensities lie in [0, 1]",
                         "intensity units", low=0)
    touch_noise: str = param("replace", "'replace' (paper): a touched receptor carries only its touch intensity, "
                             "the others only noise; 'add': noise on every input, touched or not",
                             choices=TOUCH_NOISE)
    permutation_seed: int = param(0, "seed of the fixed random permutation of the receptor inputs (the extra "
                                  "inputs are not permuted)", low=0, flag=False)

    def __post_init__(self) -> None:
        check_declared(self)
        n = self.n_fingers
        pairs: list[tuple[int, int]] = []
        for p in self.pairs:
            a, b = p
            if not (1 <= a <= n and 1 <= b <= n):
                raise ValueError(f"pair {p!r}: fingers must be in 1..{n}")
            if a == b:
                raise ValueError(f"pair {p!r}: a pair needs two different fingers")
            if frozenset((a, b)) in map(frozenset, pairs):
                raise ValueError(f"pair {p!r} is listed twice")
            pairs.append((a, b))
        if self.single_probability is None:
            object.__setattr__(self, "single_probability", (1.0 - len(pairs) * self.pair_probability) / n)
        total = n * self.single_probability + len(pairs) * self.pair_probability
        if abs(total - 1) > 1e-6:
            raise ValueError(f"class probabilities must sum to 1, got n_fingers * single_probability"
                             f" + len(pairs) * pair_probability = {n} * {self.single_probability} + {len(pairs)} * "
                             f"{self.pair_probability} = {total:.6g}")

    @property
    def n_receptors(self) -> int:
        """Inputs that belong to a finger: ``n_fingers * receptors_per_finger``."""
        return self.n_fingers * self.receptors_per_finger

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
    kind : {"none", "deprive", "silence", "remove_pair", "syndactyly"}
        ``"deprive"`` (1 finger; the paper's deprivation): every class that
        touches the finger, alone or in a pair, stops occurring (the other
        probabilities are renormalized; from a fixed set of stimuli, those
        stimuli are removed). The receptors themselves are intact, so probing
        the finger's classes afterwards shows what became of its territory.
        ``"silence"`` (1 finger, amputation): the finger's receptors carry
        only noise in every class and its single-finger class never occurs;
        pairs including it still occur but touch only the other finger.
        ``"remove_pair"`` (2 fingers):
        that pair class, which must exist, never occurs (renormalized).
        ``"syndactyly"`` (2 fingers, fused): their single classes are dropped
        and their probabilities go to the pair class ``a+b`` (appended if the
        configuration lacks it), and every class touching either finger
        touches both.
    fingers : tuple of int
        Finger numbers (from 1) [finger number]; two-finger kinds are stored
        sorted.
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
        """Read ``"none"``, ``"deprive:3"``, ``"silence:3"``, ``"remove_pair:1,2"`` or ``"syndactyly:2,3"``."""
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
    """Batches of touch stimuli from the (manipulated) class probabilities, fresh or from a fixed set.

    Parameters
    ----------
    config : HandConfig
        Geometry and statistics of the hand.
    manipulation : Manipulation, str or None
        Change of the statistics (see :class:`Manipulation`); text is parsed
        with :meth:`Manipulation.parse`, ``None`` means ``"none"``.
    seed : int, numpy.random.SeedSequence or None
        Seed of the batch stream (``np.random.default_rng``); the same seed
        gives the same batches. ``None`` draws fresh entropy. The input
        permutation depends only on ``config.permutation_seed``.
    dtype : dtype
        Floating type of the batches.
    sample_set : int
        Size of the fixed set of stimuli [count].
        ``0``: every batch is drawn fresh from the class probabilities.
        ``n > 0`` (the paper: 1,000): ``n`` stimuli are drawn once from the
        *unmanipulated* hand with ``set_seed``, the manipulation is applied
        to that set (stimuli of classes it removes are dropped, the others
        are relabelled and redrawn with the same intensities and noise), and
        batches are drawn from it uniformly with replacement.
    set_seed : int, numpy.random.SeedSequence or None
        Seed of the fixed set (default: ``seed``). Two samplers with the same
        ``set_seed`` and different manipulations hold the same stimuli, less
        what the manipulation removes.

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
        (finger 1's receptors, finger 2's, ..., then the extra inputs, which
        keep their places).
    set_classes : (n_kept,) ndarray of int64 or None
        Class of every stimulus of the fixed set after the manipulation
        (``None`` without a fixed set).

    Raises
    ------
    ValueError
        If the manipulation names a finger outside ``1..n_fingers``, removes a
        pair that is not a class, leaves no class with probability > 0 (or no
        stimulus in the fixed set), or the dtype is not floating.
    """

    def __init__(self, config: HandConfig = HandConfig(), manipulation: Manipulation | str | None = None,
                 seed: Any = 0, dtype: Any = "float32", sample_set: int = 0, set_seed: Any = None) -> None:
        self.dtype = np.dtype(dtype)
        if not np.issubdtype(self.dtype, np.floating):
            raise ValueError(f"dtype must be a floating-point type, got {self.dtype}")
        if manipulation is None:
            manipulation = Manipulation()
        elif isinstance(manipulation, str):
            manipulation = Manipulation.parse(manipulation)
        elif not isinstance(manipulation, Manipulation):
            raise ValueError(f"manipulation must be a Manipulation, text or None, got {manipulation!r}")
        sample_set = _check_int(sample_set, "sample_set", 0)
        self.config, self.manipulation = config, manipulation
        n, m = config.n_fingers, manipulation
        if any(f > n for f in m.fingers):
            raise ValueError(f"manipulation {str(m)!r}: fingers must be in 1..{n}")

        self.class_names = class_names(config)
        fingers = [{f} for f in range(1, n + 1)] + [set(p) for p in config.pairs]
        base_prob = [config.single_probability] * n + [config.pair_probability] * len(config.pairs)
        prob = list(base_prob)
        # where each class of the unmanipulated hand goes (a fixed set is relabelled with it)
        relabel = list(range(len(fingers)))
        pair_index = {frozenset(p): n + i for i, p in enumerate(config.pairs)}
        if m.kind == "deprive":
            (d,) = m.fingers
            for k, s in enumerate(fingers):
                if d in s:
                    prob[k] = 0.0
        elif m.kind == "silence":
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
            relabel[a - 1] = relabel[b - 1] = k
            for s in fingers:
                if s & {a, b}:
                    s |= {a, b}
        p = np.asarray(prob, dtype=np.float64)
        if not p.sum() > 0:
            raise ValueError(f"manipulation {str(m)!r} leaves no stimulus class with probability > 0")
        self.class_probabilities = p / p.sum()
        self.class_fingers = [tuple(sorted(s)) for s in fingers]
        r = config.receptors_per_finger
        # class x finger touch table, expanded to receptors once so a batch is one gather
        touch = np.zeros((len(fingers), n), dtype=bool)
        for k, s in enumerate(fingers):
            touch[k, [f - 1 for f in s]] = True
        self._touch = np.repeat(touch, r, axis=1)
        self.n_inputs = config.n_inputs
        self.permutation = np.concatenate([
            np.random.default_rng(config.permutation_seed).permutation(config.n_receptors),
            np.arange(config.n_receptors, config.n_inputs)]).astype(np.int64)
        self._rng = np.random.default_rng(seed)
        self.sample_set = sample_set
        self.set_classes: np.ndarray | None = None
        if sample_set:
            # the set is drawn from the hand as it was, then the manipulation acts on it
            set_rng = np.random.default_rng(seed if set_seed is None else set_seed)
            base = np.asarray(base_prob) / np.sum(base_prob)
            classes = np.asarray(relabel)[_draw_classes(np.cumsum(base), sample_set, set_rng)]
            intensity, noise = self._draw_touch(sample_set, set_rng)
            keep = self.class_probabilities[classes] > 0
            if not keep.any():
                raise ValueError(f"manipulation {str(m)!r} removes every stimulus of the fixed set of "
                                 f"{sample_set}")
            self.set_classes = classes[keep]
            self._set = self._render(self.set_classes, intensity[keep], noise[keep])
        # inverse-CDF sampling: one cumulative sum here instead of one per batch
        self._cdf = np.cumsum(self.class_probabilities)

    def _draw_touch(self, batch: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Touch intensities U(0, 1) of every receptor and the receptor noise of every input."""
        intensity = rng.random((batch, self.config.n_receptors))
        noise = self.config.noise * rng.standard_normal((batch, self.n_inputs))
        return intensity, noise

    def _render(self, classes: np.ndarray, intensity: np.ndarray, noise: np.ndarray,
                touched: np.ndarray | None = None) -> np.ndarray:
        """Stimuli of the given classes (or receptor mask ``touched``) from intensities and noise, permuted."""
        x = noise.copy()
        n_rec = self.config.n_receptors
        if touched is None:
            touched = self._touch[classes]
        if self.config.touch_noise == "replace":
            x[:, :n_rec] = np.where(touched, intensity, x[:, :n_rec])
        else:
            x[:, :n_rec] += intensity * touched
        return x[:, self.permutation].astype(self.dtype, copy=False)

    def sample_with_classes(self, batch: int) -> tuple[np.ndarray, np.ndarray]:
        """A (batch, n_inputs) batch of stimuli and the (batch,) int64 class of each.

        Parameters
        ----------
        batch : int
            Number of stimuli (>= 1) [count].

        Returns
        -------
        stimuli : (batch, n_inputs) ndarray of ``dtype``
            The batch.
        classes : (batch,) ndarray of int64
            Index into :attr:`class_names` of each stimulus.
        """
        batch = _check_int(batch, "batch", 1)
        if self.set_classes is not None:
            pick = self._rng.integers(0, self.set_classes.size, batch)
            return self._set[pick], self.set_classes[pick]
        classes = _draw_classes(self._cdf, batch, self._rng)
        return self._render(classes, *self._draw_touch(batch, self._rng)), classes

    def sample(self, batch: int) -> np.ndarray:
        """A (batch, n_inputs) batch of stimuli (see :meth:`sample_with_classes`).

        Parameters
        ----------
        batch : int
            Number of stimuli (>= 1) [count].

        Returns
        -------
        (batch, n_inputs) ndarray of ``dtype``
        """
        return self.sample_with_classes(batch)[0]

    def probe(self, class_index: int, n: int, noise: bool = False, seed: Any = 0) -> np.ndarray:
        """``n`` fresh stimuli of one class, e.g. to measure mean responses per class.

        Any class of :attr:`class_names` may be probed, also one the
        manipulation made improbable; its fingers follow the manipulation
        (a silenced finger stays silent, a fused finger drags its partner, a
        deprived finger is touched as before).

        Parameters
        ----------
        class_index : int
            Index into :attr:`class_names` [index].
        n : int
            Number of stimuli (>= 1) [count].
        noise : bool
            With the receptor noise (``config.noise``), as in training.
        seed : int, SeedSequence or None
            Seed of a generator used only here, so probing neither disturbs
            nor depends on the training batches.

        Returns
        -------
        (n, n_inputs) ndarray of ``dtype``
        """
        k = _check_int(class_index, "class_index", 0)
        if k >= len(self.class_names):
            raise ValueError(f"class_index must be < {len(self.class_names)}, got {class_index!r}")
        return self.probe_fingers(self.class_fingers[k], n, noise, seed)

    def probe_fingers(self, fingers, n: int, noise: bool = False, seed: Any = 0) -> np.ndarray:
        """``n`` fresh stimuli touching the given fingers (no manipulation applies), as in :meth:`probe`.

        Parameters
        ----------
        fingers : sequence of int
            Finger numbers in ``1..n_fingers`` [finger number] (empty: noise
            only).
        n : int
            Number of stimuli (>= 1) [count].
        noise : bool
            With the receptor noise (``config.noise``), as in training.
        seed : int, SeedSequence or None
            Seed of a generator used only here, so probing neither disturbs
            nor depends on the training batches.

        Returns
        -------
        (n, n_inputs) ndarray of ``dtype``
        """
        fingers = [_check_int(f, "finger", 1) for f in fingers]
        if any(f > self.config.n_fingers for f in fingers):
            raise ValueError(f"fingers must be in 1..{self.config.n_fingers}, got {fingers}")
        n = _check_int(n, "n", 1)
        mask = np.zeros(self.config.n_fingers, dtype=bool)
        mask[[f - 1 for f in fingers]] = True
        touched = np.repeat(mask, self.config.receptors_per_finger)[None, :]
        intensity, noise_values = self._draw_touch(n, np.random.default_rng(seed))
        return self._render(np.zeros(n, np.int64), intensity, noise_values if noise else np.zeros_like(noise_values),
                            touched=touched)

    def receptor_finger(self) -> np.ndarray:
        """(n_inputs,) int64: the finger (1..n_fingers) of each input, 0 for extra inputs."""
        c = self.config
        hand = np.zeros(self.n_inputs, dtype=np.int64)
        hand[:c.n_fingers * c.receptors_per_finger] = np.repeat(
            np.arange(1, c.n_fingers + 1), c.receptors_per_finger)
        return hand[self.permutation]

    def __repr__(self) -> str:
        return (f"HandSampler(n_inputs={self.n_inputs}, manipulation={str(self.manipulation)!r}, "
                f"sample_set={self.sample_set}, dtype={self.dtype})")


def _draw_classes(cdf: np.ndarray, batch: int, rng: np.random.Generator) -> np.ndarray:
    """``batch`` class indices drawn by inverse CDF from a cumulative probability table."""
    classes = np.searchsorted(cdf, rng.random(batch) * cdf[-1], side="right")
    # rounding can leave cdf[-1] a hair below a draw
    return np.minimum(classes, len(cdf) - 1).astype(np.int64)

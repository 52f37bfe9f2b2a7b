"""The E/I activation model: two soft-thresholded rate sheets settled to a fixed point.

For a batch of stimuli ``x`` (B, D) and dictionary ``Phi`` (D, L*L)::

    s   = x @ Phi                                   drive of the E sheet
    eE  = k_exc * aE,  iI = k_inh * aI              lateral input (2-D convolution)
    aE <- S(aE + eta * (-leak * aE + s + eE - iI))
    aI <- S(aI + eta * (-leak * aI + eE))
    S(u) = sign(u) * max(|u| - lam, 0)

starting from ``aE = aI = 0`` and stopping when the relative change of the
whole batch state, ``||a_t - a_{t-1}|| / (eps + ||a_{t-1}||)``, drops below
``eps`` (or after ``max_iter`` updates). This is the published algorithm of
Lufkin et al. (2022).
"""
from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from ...errors import EiMapsError
from ... import seeds
from ...sheet import RowSeparableKernel, excitatory_kernel, inhibitory_kernel
from .. import learning
from .._blas import single_threaded_blas
from ..contract import configured
from .config import ENGINES, ModelConfig


class UnstableDynamicsError(EiMapsError, RuntimeError):
    """The E/I dynamics diverged (activations became non-finite)."""


class ActivationModel:
    """Excitatory/inhibitory rate model on a ``side x side`` sheet.

    Parameters
    ----------
    config : ModelConfig, optional
        The parameters (default: the paper's for natural images; see
        :class:`~ei_maps.models.activation.ModelConfig` for each one, its
        bounds and its unit).
    dictionary : ndarray, shape (n_inputs, side*side), optional
        Feed-forward weights to start from; default a random one from the config's ``seed`` [dimensionless].
    engine : {"numba", "numpy"}
        Compute engine: "numba" (default, jitted and multi-threaded) or
        "numpy" (the plain reference the tests check it against); same
        results within rounding.
    backend : str or None
        Deprecated alias of ``engine``.
    **overrides
        Parameters of :class:`ModelConfig` that replace the config's
        (``ActivationModel(side=20, w_inh=8)``).

    Attributes
    ----------
    dictionary : ndarray, shape (n_inputs, side*side)
        Feed-forward weights, unit-norm columns after every learning step.
    a_inh : ndarray, shape (batch, side*side)
        Inhibitory activations of the last :meth:`settle`.
    iterations : int
        Number of updates of the last :meth:`settle`.
    lam : float
        Current soft threshold (changes during learning if
        ``target_sparsity`` is set).

    Examples
    --------
    >>> m = ActivationModel(side=40, n_inputs=256)
    >>> a = m.settle(x)            # (batch, 1600)
    >>> a = m.learn(x, lr=0.03)    # one gradient step
    """

    #: What :meth:`learn` reports in ``last_record`` (the Trainer's history).
    RECORD = ("loss", "sparsity", "iterations", "lam")
    #: The parameter class this model takes.
    CONFIG = ModelConfig
    #: The learning rule: the gradient summed over the batch, as published.
    RULE = learning.GradientRule(mean_over_batch=False)

    def __init__(self, config: ModelConfig | None = None, *, dictionary: np.ndarray | None = None,
                 engine: str = "numba", backend: str | None = None, **overrides: Any) -> None:
        if backend is not None:  # deprecated alias, one release
            warnings.warn("ActivationModel(backend=...) is now engine=...; backend goes in the next release",
                          DeprecationWarning, stacklevel=2)
            engine = backend
        self._build(configured(self.CONFIG, config, overrides), dictionary, engine)

    def _build(self, cfg: ModelConfig, dictionary: np.ndarray | None, engine: str) -> None:
        """Set the model up from a validated config (what every constructor of this family shares)."""
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
        #: Compute engine, "numba" (jitted, multi-threaded) or "numpy" (plain reference); same results
        #: within rounding, so it is a choice of this object, not a saved parameter.
        self.engine = engine
        self._config = cfg
        self.dtype = np.dtype(cfg.dtype)
        self.lam = cfg.lam
        self.k_exc: RowSeparableKernel = excitatory_kernel(cfg.r_exc, cfg.w_exc, cfg.sigma2)
        self.k_inh: RowSeparableKernel = inhibitory_kernel(cfg.r_inh, cfg.w_inh)
        self._pad = max(cfg.r_exc, cfg.r_inh)
        self._workspace: dict[str, Any] | None = None
        self._residual: np.ndarray | None = None
        self._chooser = None
        #: Force a parallel scheme ("barrier" or "free"), for benchmarks; None chooses by speed.
        self._scheme: str | None = None
        self._chooser_threads = 0
        if dictionary is None:
            rng = seeds.generator(cfg.seed, "dictionary")
            dictionary = learning.init_dictionary(self.n_weights, cfg.side**2, rng)
        self.dictionary = dictionary
        #: Per-unit offsets of the excitatory thresholds from ``lam``, (side, side); None: all units use ``lam``.
        self.threshold_offsets: np.ndarray | None = None
        self.a_inh: np.ndarray | None = None
        self.iterations: int = 0
        self.last_loss: float = float("nan")
        self.last_sparsity: float = float("nan")
        self.last_record: dict[str, float] = {}

    # ------------------------------------------------------------------ pickling
    #: Attributes rebuilt on first use rather than copied: scratch space, helper threads and the timing of the
    #: parallel schemes (which give the same numbers; only their speed is measured).
    _TRANSIENT = {"_workspace": None, "_residual": None, "_chooser": None, "_chooser_threads": 0}

    def __getstate__(self) -> dict[str, Any]:
        """The model's state for pickle and ``copy.deepcopy``: parameters, dictionary, thresholds, last results."""
        state = dict(self.__dict__)
        state.update(self._TRANSIENT)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # ------------------------------------------------------------------ params
    @classmethod
    def from_config(cls, config: ModelConfig, **overrides: Any) -> "ActivationModel":
        """Build a model from a :class:`ModelConfig` (``overrides`` win); the same as ``cls(config, **overrides)``.

        Parameters
        ----------
        config : ModelConfig
            The parameters.
        **overrides
            Parameters (or ``dictionary``, ``engine``) that replace the config's.

        Returns
        -------
        ActivationModel
            The model.
        """
        return cls(config, **overrides)

    @property
    def config(self) -> ModelConfig:
        """The model's parameters, with the current ``lam``."""
        return self._config.replace(lam=float(self.lam))

    @property
    def side(self) -> int:
        return self._config.side

    @property
    def n_inputs(self) -> int:
        return self._config.n_inputs

    @property
    def n_units(self) -> int:
        return self._config.side ** 2

    @property
    def n_weights(self) -> int:
        """Feed-forward weights per unit: every input (each unit sees the whole stimulus)."""
        return self._config.n_inputs

    @property
    def leak(self) -> float:
        return self._config.effective_leak

    #: What a column of the dictionary holds, in error messages.
    _weights_name = "n_inputs"

    @property
    def dictionary(self) -> np.ndarray:
        # held transposed (units, inputs) so each unit's weights are contiguous
        # for the sparse update; this is a view, shape (n_inputs, side*side)
        return self._phi_t.T

    @dictionary.setter
    def dictionary(self, value: np.ndarray) -> None:
        value = np.asarray(value)
        expected = (self.n_weights, self.n_units)
        if value.shape != expected:
            raise ValueError(f"dictionary must have shape ({self._weights_name}, side*side) = {expected}, "
                             f"got {value.shape}")
        if not np.all(np.isfinite(value)):
            raise ValueError("dictionary contains NaN or inf")
        self._phi_t = np.ascontiguousarray(value.T, dtype=self.dtype)

    def __repr__(self) -> str:
        c = self.config
        return (f"ActivationModel(side={c.side}, n_inputs={c.n_inputs}, r_exc={c.r_exc}, "
                f"r_inh={c.r_inh}, w_exc={c.w_exc}, w_inh={c.w_inh}, sigma2={c.sigma2}, "
                f"lam={c.lam:.4g}, eta={c.eta}, boundary={c.boundary!r}, dtype={c.dtype!r}, engine={self.engine!r})")

    # ---------------------------------------------------------------- dynamics
    def check_stimuli(self, x: np.ndarray) -> np.ndarray:
        """Validate a batch of stimuli and return it as a C-contiguous 2-D array of ``dtype``.

        Parameters
        ----------
        x : array_like, shape (batch, n_inputs) or (n_inputs,)
            Stimuli (a 1-D array is a batch of one) [dimensionless].

        Returns
        -------
        ndarray, shape (batch, n_inputs)
            The stimuli, of the model's ``dtype``.

        Raises
        ------
        ValueError
            If the shape is wrong, the batch is empty, or a value is not a finite real number.
        """
        x = np.asarray(x)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2:
            raise ValueError(f"stimuli must be a 2-D array (batch, n_inputs), got shape {x.shape}")
        if x.shape[1] != self.n_inputs:
            raise ValueError(f"stimuli have the wrong input width: expected n_inputs={self.n_inputs}, "
                             f"got {x.shape[1]} (shape {x.shape})")
        if x.shape[0] == 0:
            raise ValueError("stimuli batch is empty")
        if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
            raise ValueError(f"stimuli must be real numbers, got dtype {x.dtype}")
        bad = ~np.isfinite(x)
        if bad.any():
            rows = np.unique(np.nonzero(bad)[0])
            raise ValueError(f"stimuli contain NaN or inf in {rows.size} of {x.shape[0]} rows "
                             f"(first bad row: {rows[0]})")
        return np.ascontiguousarray(x, dtype=self.dtype)

    def drive(self, x: np.ndarray) -> np.ndarray:
        """Feed-forward drive ``x @ dictionary`` of the excitatory sheet, (batch, side*side).

        Parameters
        ----------
        x : array_like, shape (batch, n_inputs)
            Stimuli (a 1-D array is a batch of one) [dimensionless].

        Returns
        -------
        ndarray, shape (batch, side*side)
            The drive [dimensionless].
        """
        return self.check_stimuli(x) @ self.dictionary

    def settle(self, x: np.ndarray, lam: float | None = None) -> np.ndarray:
        """Run the E/I dynamics to the fixed point for a batch of stimuli.

        Parameters
        ----------
        x : array, shape (batch, n_inputs)
            Stimuli (a 1-D array is a batch of one) [dimensionless].
        lam : float, optional
            Soft threshold for this call only (e.g. 0.025 when probing
            receptive fields); default the model's current ``lam`` [dimensionless].

        Returns
        -------
        a_exc : ndarray, shape (batch, side*side)
            Settled excitatory activations. ``self.a_inh`` and
            ``self.iterations`` hold the inhibitory activations and the
            number of updates.

        Raises
        ------
        UnstableDynamicsError
            If the activations become non-finite (the parameters make the
            dynamics diverge).
        """
        with single_threaded_blas(self.engine == "numba"):
            return self._settle_drive(self.drive(x), self.lam if lam is None else float(lam))

    def _settle_drive(self, s: np.ndarray, lam: float, update: tuple[np.ndarray, float] | None = None
                      ) -> np.ndarray:
        """Settle a drive; with ``update = (x, lr)`` (numba engine) also take the dictionary step on the
        same threads, which sets ``self._residual``."""
        if not (np.isfinite(lam) and lam >= 0):
            raise ValueError(f"lam must be a finite number >= 0, got {lam!r}")
        side = self.side
        s = s.reshape(-1, side, side)
        if self.engine == "numba":
            a_e, a_i, n, ratio = self._settle_numba(s, lam, update)
        else:
            a_e, a_i, n, ratio = settle_numpy(s, self.k_exc.dense(), self.k_inh.dense(), lam=lam,
                                              eta=self._config.eta, leak=self.leak, eps=self._config.eps,
                                              max_iter=self._config.max_iter, boundary=self._config.boundary,
                                              lam_e=self.unit_thresholds(lam))
        # a change larger than the state itself after max_iter updates is
        # growth (or an undamped oscillation), not slow convergence
        growing = n == self._config.max_iter and ratio > 1.0
        if n < 0 or growing or not (np.all(np.isfinite(a_e)) and np.all(np.isfinite(a_i))):
            c = self.config
            what = (f"non-finite activations after {abs(n)} updates" if not growing else
                    f"activity still growing after max_iter={n} updates (relative change {ratio:.3g})")
            raise UnstableDynamicsError(
                f"E/I dynamics diverged ({what}) with w_exc={c.w_exc}, w_inh={c.w_inh}, leak={self.leak}, "
                f"eta={c.eta}, lam={lam}, r_exc={c.r_exc}, r_inh={c.r_inh}, sigma2={c.sigma2}: lateral "
                f"excitation outgrows leak and inhibition (lower w_exc or eta, or raise w_inh or leak), "
                f"or the drive is too large (max |x @ dictionary| = {float(np.max(np.abs(s))):.3g})"
                + (f"; or max_iter={c.max_iter} is too few updates to settle (the paper's: 49)"
                   if growing and c.max_iter < 10 else ""))
        batch = s.shape[0]
        self.a_inh = a_i.reshape(batch, side * side)
        self.iterations = int(n)
        return a_e.reshape(batch, side * side)

    def unit_thresholds(self, lam: float | None = None) -> np.ndarray | None:
        """Each excitatory unit's soft threshold, (side, side), or None when all share ``lam``.

        Models that adapt a threshold per unit (homeostasis) hold their offsets
        from ``lam`` in ``threshold_offsets``; a threshold never goes below 0.

        Parameters
        ----------
        lam : float, optional
            The shared threshold (default the model's ``lam``) [dimensionless].

        Returns
        -------
        ndarray of the model's dtype, shape (side, side), or None
            The thresholds [dimensionless].
        """
        offsets = self.threshold_offsets
        if offsets is None:
            return None
        lam = self.lam if lam is None else lam
        return np.maximum(lam + offsets, 0).astype(self.dtype)

    def _threshold_rows(self, lam: float) -> np.ndarray:
        """The excitatory thresholds in the jitted loop's layout, (side, side * TILE), lanes repeated."""
        from ._numba import TILE

        per_unit = self.unit_thresholds(lam)
        if per_unit is None:
            return np.full((self.side, self.side * TILE), lam, self.dtype)
        return np.ascontiguousarray(np.repeat(per_unit, TILE, axis=1))

    def _dynamics(self, lam: float):
        """The constants of the jitted settling loops (:class:`~ei_maps.models.activation._numba.Dynamics`)."""
        from ._numba import Dynamics

        t, cfg = self.dtype.type, self._config
        return Dynamics(t(lam), self._threshold_rows(lam), t(cfg.eta), t(self.leak), float(cfg.eps), int(cfg.max_iter))

    def _settle_numba(self, s: np.ndarray, lam: float, update: tuple[np.ndarray, float] | None = None
                      ) -> tuple[np.ndarray, np.ndarray, int, float]:
        """The jitted settling (and, with ``update``, the dictionary step), on whichever of the two
        parallel schemes has been faster lately (:class:`~ei_maps.models._workers.FastestOf`).

        ``"barrier"``: Numba ``prange`` loops, all threads in step, one barrier
        per update; fastest on an idle machine. ``"free"``: helper threads that
        never wait for each other (:func:`~ei_maps.models.activation._numba.settle_worker`);
        much faster when other processes share the cores. Both give the same bits.
        """
        import time

        from .._workers import FastestOf, thread_count

        threads = max(1, thread_count())
        if self._chooser is None or self._chooser_threads != threads:
            # beside a busy process "barrier" is 2.5-5x slower, and each try of it also slows the calls after it:
            # tried at most once in 80 calls there (20 before: 18.8-21.2 instead of 16.3-19.3 ms per step at paper
            # settings, four one-process runs); when the load falls, barrier is back within 80 calls (~1 s)
            self._chooser = FastestOf(("barrier", "free"), explore_every=10, max_spacing=8.0)
            self._chooser_threads = threads
        scheme = self._scheme or (self._chooser.pick() if threads > 1 else "barrier")
        started = time.perf_counter()
        run = self._settle_free if scheme == "free" else self._settle_barrier
        a_e, a_i, n, ratio = run(s, lam, update, threads)
        # work ~ updates of the batch, plus the dictionary step (worth about four updates)
        self._chooser.record(scheme, time.perf_counter() - started, s.shape[0] * (abs(n) + (4 if update else 0)))
        return a_e, a_i, n, ratio

    def _settle_barrier(self, s: np.ndarray, lam: float, update: tuple[np.ndarray, float] | None,
                        threads: int) -> tuple[np.ndarray, np.ndarray, int, float]:
        from .._learning_numba import sparse_dictionary_update
        from ._numba import TILE, History, Scratch, Sheet, clear_slot, from_tiles, settle_batch, to_tiles

        batch, side, p = s.shape[0], self.side, self._pad
        tiles = -(-batch // TILE)
        ws = self._get_workspace(tiles, threads)
        bw = ws["barrier"]
        to_tiles(np.ascontiguousarray(s), ws["drive"])
        state_e, state_i = bw["state_e"], bw["state_i"]
        # start from silence; slot 1's interior is written before it is read, and its halo is either
        # never written (zero boundary) or refreshed
        clear_slot(state_e, 0)
        clear_slot(state_i, 0)
        t = self.dtype.type
        ke, ki = ws["k_exc"], ws["k_inh"]
        cfg = self._config
        n = settle_batch(Sheet(ws["drive"], state_e, state_i, p, cfg.boundary == "periodic"), ke, ki,
                         Scratch(bw["ring_e"], bw["ring_i"], bw["exc"], bw["inh"], bw["sums"]),
                         History(bw["change2"], bw["size2"]), self._dynamics(lam), bw["last_ratio"])
        ratio = float(bw["last_ratio"][0])
        a_e = np.empty((batch, side, side), self.dtype)
        a_i = np.empty((batch, side, side), self.dtype)
        from_tiles(state_e, abs(n) % 2, p, a_e)
        from_tiles(state_i, abs(n) % 2, p, a_i)
        if update is not None:
            x, lr = update
            self._residual = np.empty_like(x)
            # a diverged or still-growing batch is refused by the caller: the dictionary stays as it was
            if n > 0 and not (n == cfg.max_iter and ratio > 1.0):
                sparse_dictionary_update(self._phi_t, x, a_e.reshape(batch, -1), t(lr), self._residual,
                                         t(cfg.effective_code_scale))
        return a_e, a_i, n, ratio

    def _settle_free(self, s: np.ndarray, lam: float, update: tuple[np.ndarray, float] | None,
                     threads: int) -> tuple[np.ndarray, np.ndarray, int, float]:
        from .._learning_numba import Claims, update_worker
        from .._workers import PATIENCE, start_helpers
        from ._numba import (RESULT, TILE, Finishing, Handout, History, Reconstruction, Scratch, Settled, Sheet,
                             clear_slot, finish_worker, settle_worker, to_tiles, wait_while_any)

        batch, side, p = s.shape[0], self.side, self._pad
        tiles = -(-batch // TILE)
        ws = self._get_workspace(tiles, threads)
        # a helper still finishing a piece of the last call owns its buffers: leave its number out
        helpers = [w for w in range(1, threads) if not (w in ws["helpers"] and ws["helpers"][w].is_alive())]
        if update is None:
            helpers = helpers[:max(0, tiles - 1)]
        to_tiles(np.ascontiguousarray(s), ws["drive"])
        state_e, state_i = ws["state_e"], ws["state_i"]
        clear_slot(state_e[0], 0)  # update 0, silence, is slot 0 of thread 0
        clear_slot(state_i[0], 0)
        cfg = self._config
        max_iter, slots, stride = int(cfg.max_iter), state_e.shape[0], int(cfg.max_iter) + 1
        # per-call hand-out state: a late helper of an earlier call only ever touches its own call's
        done = np.zeros(tiles, np.int64)
        claimed = np.zeros(tiles, np.int64)
        owner = np.full(tiles * stride, -1, np.int64)
        owner[::stride] = 0
        count = np.zeros(max_iter + 2, np.int64)
        control = np.zeros(3, np.int64)
        last_ratio = np.zeros(1)
        finishing = np.zeros(2, np.int64)
        finished = np.zeros(tiles, np.int64)
        in_finish = np.zeros(threads, np.int64)
        t = self.dtype.type
        ke, ki = ws["k_exc"], ws["k_inh"]
        a_e = np.empty((batch, side, side), self.dtype)
        a_i = np.empty((batch, side, side), self.dtype)
        phi_t = self._phi_t
        if update is not None:
            x, lr = update
            residual = np.empty_like(x)
            chunk = ws["unit_chunk"]
            phi_new = ws["phi_new"]
            updating = np.zeros(2, np.int64)
            chunk_owner = np.full(-(-self.n_units // chunk), -1, np.int64)
        else:
            x = residual = np.empty((0, self.n_inputs), self.dtype)
        code_scale = t(cfg.effective_code_scale)
        patience = PATIENCE
        workers = state_e.shape[1]

        sheet = Sheet(ws["drive"], state_e, state_i, p, cfg.boundary == "periodic")
        scratch = Scratch(ws["ring_e"], ws["ring_i"], ws["exc"], ws["inh"], ws["sums"])
        history = History(ws["change_hist"], ws["size_hist"])
        handout = Handout(done, claimed, owner, count, control)
        dynamics = self._dynamics(lam)

        def task(worker: int) -> None:
            settle_worker(worker, workers, sheet, ke, ki, scratch, history, handout, dynamics, last_ratio, patience)
            n = int(control[RESULT])
            try:
                finish_worker(worker, Settled(state_e, state_i, abs(n) % slots, owner, stride, abs(n), p), a_e, a_i,
                              Finishing(finishing, finished, in_finish), patience,
                              Reconstruction(phi_t, x, code_scale, residual), ws["scratch"][worker, 0])
            finally:
                in_finish[worker] = 0
            # a diverged or still-growing batch is refused by the caller: the dictionary stays as it was
            if update is None or n < 0 or (n == max_iter and last_ratio[0] > 1.0):
                return
            update_worker(phi_t, a_e.reshape(batch, -1), t(lr), residual, phi_new, chunk, ws["a_t"][worker],
                          ws["scratch"][worker], Claims(updating, chunk_owner, patience))

        ws["helpers"].update(start_helpers(task, helpers))
        task(0)
        # a helper may still be redoing a finished tile into a_e (the same values): let it leave first
        wait_while_any(in_finish)
        n = int(control[RESULT])
        if update is not None and n > 0 and not (n == max_iter and last_ratio[0] > 1.0):
            # in place, as callers holding ``dictionary`` expect; no helper reads phi_t for a live result now
            phi_t[...] = phi_new
        self._residual = residual if update is not None else None
        return a_e, a_i, n, float(last_ratio[0])

    def _get_workspace(self, tiles: int, threads: int) -> dict[str, Any]:
        """Buffers of the jitted settling loop for ``tiles`` tiles on ``threads`` threads (kept between calls)."""
        from ._numba import STATE_SLOTS, TILE, UNIT_CHUNK, Kernel

        ws = self._workspace
        if ws is not None and ws["tiles"] == tiles and ws["threads"] == threads:
            return ws
        side, pad, dt = self.side, self._pad, self.dtype
        padded = side + 2 * pad

        def kernel_arrays(k: RowSeparableKernel) -> Kernel:
            levels = np.unique(k.half_width).astype(np.int64)
            return Kernel(radius=k.radius, vertical=k.vertical.astype(dt), horizontal=k.horizontal.astype(dt),
                          levels=levels, level_of_row=np.searchsorted(levels, k.half_width).astype(np.int64))

        ke, ki = kernel_arrays(self.k_exc), kernel_arrays(self.k_inh)
        hist = (threads, self._config.max_iter + 1, tiles, TILE)
        barrier = {"state_e": np.zeros((2, tiles, padded, padded * TILE), dt),
                   "state_i": np.zeros((2, tiles, padded, padded * TILE), dt),
                   "ring_e": np.zeros((tiles, 2 * ke.radius + 1, ke.levels.size, side * TILE), dt),
                   "ring_i": np.zeros((tiles, 2 * ki.radius + 1, ki.levels.size, side * TILE), dt),
                   "exc": np.zeros((tiles, side * TILE), dt), "inh": np.zeros((tiles, side * TILE), dt),
                   "sums": np.zeros((tiles, 2, side * TILE), dt), "last_ratio": np.zeros(1),
                   "change2": np.zeros((tiles, TILE), dt), "size2": np.zeros((tiles, TILE), dt)}
        # "free": every thread has its own state slots and scratch, and writes only into its own
        ws = {"tiles": tiles, "threads": threads, "k_exc": ke, "k_inh": ki, "helpers": {}, "barrier": barrier,
              "drive": np.zeros((tiles, side, side * TILE), dt),
              "state_e": np.zeros((STATE_SLOTS, threads, tiles, padded, padded * TILE), dt),
              "state_i": np.zeros((STATE_SLOTS, threads, tiles, padded, padded * TILE), dt),
              "ring_e": np.zeros((threads, 2 * ke.radius + 1, ke.levels.size, side * TILE), dt),
              "ring_i": np.zeros((threads, 2 * ki.radius + 1, ki.levels.size, side * TILE), dt),
              "exc": np.zeros((threads, side * TILE), dt),
              "inh": np.zeros((threads, side * TILE), dt),
              "sums": np.zeros((threads, 2, side * TILE), dt),
              "change_hist": np.zeros(hist, dt), "size_hist": np.zeros(hist, dt),
              "unit_chunk": UNIT_CHUNK,
              "a_t": np.zeros((threads, UNIT_CHUNK, tiles * TILE), dt),
              "scratch": np.zeros((threads, UNIT_CHUNK, self.n_inputs), dt),
              "phi_new": np.zeros((self.n_units, self.n_inputs), dt)}
        self._workspace = ws
        return ws

    # ---------------------------------------------------------------- learning
    def learn(self, x: np.ndarray, lr: float = 0.03) -> np.ndarray:
        """One gradient step on a batch: settle, update the dictionary, renormalize.

        ``dictionary += lr * (x - c a_exc @ dictionary.T).T @ a_exc`` summed over
        the batch (``c``: the config's ``effective_code_scale``, 1 up to the
        paper's 40 x 40 sheet), then every column is scaled to unit norm. If
        ``target_sparsity`` is set, ``lam`` then moves by
        ``0.01 * (fraction of |a_exc| > 1e-5 - target_sparsity)``.

        Parameters
        ----------
        x : array_like, shape (batch, n_inputs)
            Stimuli (a 1-D array is a batch of one) [dimensionless].
        lr : float
            Learning rate of the dictionary update [dimensionless].

        Returns
        -------
        a_exc : ndarray, shape (batch, side*side)
            The settled activations used for the update. ``last_loss`` (half
            the mean squared reconstruction error per stimulus, before the
            update) and ``last_sparsity`` (fraction of active units) are set.
        """
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a positive finite number, got {lr!r}")
        x = self.check_stimuli(x)
        lam_used = self.lam
        with single_threaded_blas(self.engine == "numba"):
            if self.engine == "numba":
                a = self._settle_drive(x @ self.dictionary, self.lam, update=(x, self.RULE.step(lr, x.shape[0])))
                self.last_loss = learning.reconstruction_loss(self._residual)
                self._residual = None
            else:
                a = self._settle_drive(x @ self.dictionary, self.lam)
                self.last_loss = self.RULE.reference(self.dictionary, x, a, lr, self._config.effective_code_scale)
        self.last_sparsity = learning.active_fraction(a)
        if self._config.target_sparsity is not None:
            self.lam = learning.adapt_lam(self.lam, self.last_sparsity, self._config.target_sparsity)
        self.last_record = {"loss": self.last_loss, "sparsity": self.last_sparsity,
                            "iterations": self.iterations, "lam": lam_used}
        return a


def settle_numpy(s: np.ndarray, k_exc: np.ndarray, k_inh: np.ndarray, lam: float, eta: float,
                 leak: float, eps: float, max_iter: int, boundary: str = "zero", lam_e: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Plain NumPy/SciPy settling loop (reference path for checking the jitted one).

    Parameters
    ----------
    s : ndarray, shape (batch, L, L)
        Drive of the excitatory sheet [dimensionless].
    k_exc, k_inh : ndarray
        Dense odd-sized kernels [dimensionless].
    lam : float
        Soft threshold [dimensionless].
    eta : float
        Step size of the dynamics [dimensionless].
    leak : float
        Leak [dimensionless].
    eps : float
        Relative-change tolerance of the stopping rule [dimensionless].
    max_iter : int
        Maximum number of updates [count].
    boundary : {"zero", "periodic"}
        Silent padding or a torus.
    lam_e : ndarray, shape (L, L), optional
        Per-unit thresholds of the excitatory sheet (default ``lam`` for every unit) [dimensionless].

    Returns
    -------
    a_exc, a_inh : ndarray, shape (batch, L, L)
    n : int
        Number of updates, ``-n`` if the state became non-finite at update n.
    ratio : float
        The stopping rule's ratio at the last update.
    """
    from scipy import ndimage  # here: this check's path alone needs it, and it costs a command 0.2 s to import

    mode = "constant" if boundary == "zero" else "wrap"
    dt = s.dtype
    lam, eta, leak = dt.type(lam), dt.type(eta), dt.type(leak)
    lam_exc = lam if lam_e is None else np.asarray(lam_e, dt)
    ke, ki = k_exc.astype(dt)[None], k_inh.astype(dt)[None]
    a_e = np.zeros_like(s)
    a_i = np.zeros_like(s)
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
        for n in range(1, max_iter + 1):
            exc = ndimage.convolve(a_e, ke, mode=mode)
            inh = ndimage.convolve(a_i, ki, mode=mode)
            new_e = _soft_threshold(a_e + eta * (-leak * a_e + s + exc - inh), lam_exc)
            new_i = _soft_threshold(a_i + eta * (-leak * a_i + exc), lam)
            change = np.sqrt(np.sum((new_e - a_e) ** 2, dtype=float) + np.sum((new_i - a_i) ** 2, dtype=float))
            size = np.sqrt(np.sum(a_e.astype(float) ** 2) + np.sum(a_i.astype(float) ** 2))
            a_e, a_i = new_e, new_i
            if not np.isfinite(change):
                return a_e, a_i, -n, float("inf")
            ratio = float(change / (eps + size))
            if ratio < eps:
                return a_e, a_i, n, ratio
    return a_e, a_i, max_iter, ratio


def _soft_threshold(u: np.ndarray, lam) -> np.ndarray:
    """Two-sided soft threshold ``sign(u) * max(|u| - lam, 0)``."""
    return np.maximum(u - lam, 0) - np.maximum(-u - lam, 0)

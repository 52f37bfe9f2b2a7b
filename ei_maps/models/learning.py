"""Dictionary learning: the gradient update, sparsity control and the Trainer.

The update is one gradient step on the reconstruction error
``0.5 * ||x - a @ Phi.T||^2`` with the settled activations ``a`` held fixed,
followed by renormalizing every column of ``Phi`` to unit length.
"""
from __future__ import annotations

import signal
import sys
import threading
from dataclasses import dataclass

import numpy as np

#: An activation counts as "active" above this magnitude (published value).
ACTIVE_THRESHOLD = 1e-5
#: Step of the soft-threshold adaptation (published value).
LAM_ADAPT_RATE = 0.01


def init_dictionary(n_inputs: int, n_units: int, rng: np.random.Generator,
                    scale: float = 0.3) -> np.ndarray:
    """Initial dictionary ``scale * N(0, 1)`` of shape (n_inputs, n_units), as published."""
    return scale * rng.standard_normal((n_inputs, n_units))


def normalize_columns(dictionary: np.ndarray) -> None:
    """Scale every column to unit norm in place (columns of norm < 1e-8 are left tiny, not NaN)."""
    norms = np.sqrt(np.sum(dictionary * dictionary, axis=0))
    dictionary /= np.maximum(norms, 1e-8)


def dictionary_update(dictionary: np.ndarray, x: np.ndarray, a: np.ndarray, lr: float,
                      code_scale: float = 1.0) -> float:
    """One gradient step on the dictionary, in place; returns the loss before it.

    Parameters
    ----------
    dictionary : ndarray, shape (n_inputs, n_units)
    x : ndarray, shape (batch, n_inputs)
    a : ndarray, shape (batch, n_units)
        Settled excitatory activations.
    lr : float
        Learning rate (the gradient is summed, not averaged, over the batch).
    code_scale : float
        The reconstruction is ``code_scale * Phi a`` (1: the published
        update; see :attr:`ei_maps.models.ModelConfig.code_scale`).

    Returns
    -------
    float
        Half the mean squared reconstruction error per stimulus,
        ``0.5 * mean_b ||x_b - code_scale Phi a_b||^2``.
    """
    residual = x - (a * code_scale) @ dictionary.T if code_scale != 1.0 else x - a @ dictionary.T
    dictionary += lr * (residual.T @ a)
    normalize_columns(dictionary)
    return reconstruction_loss(residual)


@dataclass(frozen=True)
class GradientRule:
    """The learning rule of the dictionary: one gradient step on ``0.5 ||x - c Phi a||^2``, then unit-norm columns.

    ``Phi += step * (x - c Phi a)^T a`` with ``c`` the code scale, the
    activations ``a`` held fixed. The rule is written once per engine: the
    NumPy reference (:meth:`reference`) and one jitted per-unit update that
    every parallel scheme applies (:meth:`apply`, and the activation model's
    fused settle-and-learn loops through the same kernel).

    Parameters
    ----------
    mean_over_batch : bool
        The step is ``lr / batch`` (the spiking coder, as in the paper's
        appendix) instead of ``lr`` (the activation model: the gradient is
        summed over the batch, as published).
    """

    mean_over_batch: bool = False

    def step(self, lr: float, batch: int) -> float:
        """The step the kernels take for learning rate ``lr`` on a batch of ``batch`` stimuli.

        Parameters
        ----------
        lr : float
            Learning rate [dimensionless].
        batch : int
            Stimuli in the batch [count].

        Returns
        -------
        float
            ``lr / batch`` or ``lr`` [dimensionless].
        """
        return lr / batch if self.mean_over_batch else lr

    def reference(self, dictionary: np.ndarray, x: np.ndarray, a: np.ndarray, lr: float,
                  code_scale: float = 1.0) -> float:
        """The step in NumPy, in place on ``dictionary`` (n_inputs, n_units); returns the loss before it.

        Parameters
        ----------
        dictionary : ndarray, shape (n_inputs, n_units)
            Updated in place [dimensionless].
        x : ndarray, shape (batch, n_inputs)
            Stimuli [dimensionless].
        a : ndarray, shape (batch, n_units)
            The code [dimensionless].
        lr : float
            Learning rate [dimensionless].
        code_scale : float
            ``c`` [dimensionless].

        Returns
        -------
        float
            Half the mean squared reconstruction error per stimulus before the step.
        """
        return dictionary_update(dictionary, x, a, self.step(lr, x.shape[0]), code_scale)

    def apply(self, phi_t: np.ndarray, x: np.ndarray, a: np.ndarray, lr: float, residual: np.ndarray,
              code_scale: float = 1.0) -> None:
        """The step with the jitted kernel, in place on the transposed dictionary; only active units are touched.

        Parameters
        ----------
        phi_t : ndarray, shape (n_units, n_inputs)
            The transposed dictionary, updated in place [dimensionless].
        x : ndarray, shape (batch, n_inputs)
            Stimuli [dimensionless].
        a : ndarray, shape (batch, n_units)
            The code [dimensionless].
        lr : float
            Learning rate [dimensionless].
        residual : ndarray, shape (batch, n_inputs)
            Output: ``x - c a Phi^T`` before the step [dimensionless].
        code_scale : float
            ``c`` [dimensionless].
        """
        from ._learning_numba import sparse_dictionary_update

        sparse_dictionary_update(phi_t, x, a, self.step(lr, x.shape[0]), residual, code_scale)


def reconstruction_loss(residual: np.ndarray) -> float:
    """``0.5 * mean_b ||residual_b||^2``: half the squared error per stimulus."""
    return 0.5 * float(np.mean(np.sum(residual.astype(np.float64) ** 2, axis=1)))


def active_fraction(a: np.ndarray) -> float:
    """Fraction of activations with ``|a| > 1e-5``."""
    return float(np.mean(np.abs(a) > ACTIVE_THRESHOLD))


def adapt_lam(lam: float, sparsity: float, target: float) -> float:
    """Move the soft threshold towards a target fraction of active units.

    ``lam + 0.01 * (sparsity - target)``, kept >= 0 because a negative
    threshold would turn the shrinkage into an expansion.
    """
    return max(0.0, float(lam) + LAM_ADAPT_RATE * (sparsity - target))


class Trainer:
    """Runs gradient steps on batches from a sampler, with history and checkpoints.

    Parameters
    ----------
    model : LearningModel
        The model to train (:class:`~ei_maps.models.contract.LearningModel`; one with ``learn_stream`` runs
        many steps per simulator call).
    sampler : object
        Has ``sample(batch) -> (batch, n_inputs)``, and ``get_state()`` /
        ``set_state(state)`` for exact resumption.
    steps : int
        Total number of steps the run should reach [count].
    batch : int
        Stimuli per step [count].
    lr : float
        Learning rate [dimensionless].
    checkpoint : callable or None
        ``checkpoint(trainer)`` is called every ``checkpoint_every`` steps,
        at the end, and when the run is interrupted (Ctrl-C), before the
        interruption propagates.
    checkpoint_every : int
        Steps between checkpoints (0: only at the end / on interruption) [count].
    progress : bool
        Show a tqdm progress bar with loss, sparsity, iterations and lam.
    monitor : callable or None
        ``monitor(trainer)`` is called every ``monitor_every`` steps (and
        after the last), before any checkpoint of that step, e.g. to measure
        learning curves; it must leave the model and sampler as it found them.
    monitor_every : int
        Steps between monitor calls (0: never) [count].

    Attributes
    ----------
    step : int
        Steps completed so far (a resumed trainer starts above 0).
    history : dict of lists
        Per step, every quantity in the model's ``RECORD`` (taken from its
        ``last_record`` after each ``learn``): for the activation model
        ``loss``, ``sparsity``, ``iterations`` and ``lam`` (the threshold used
        for that step).
    """

    def __init__(self, model, sampler, steps: int, batch: int, lr: float,
                 checkpoint=None, checkpoint_every: int = 0, progress: bool = True,
                 monitor=None, monitor_every: int = 0) -> None:
        self.model = model
        self.sampler = sampler
        self.steps = int(steps)
        self.batch = int(batch)
        self.lr = float(lr)
        self.checkpoint = checkpoint
        self.checkpoint_every = int(checkpoint_every)
        self.progress = progress
        self.monitor = monitor
        self.monitor_every = int(monitor_every)
        self.step = 0
        self.keys = tuple(model.RECORD)
        self.history: dict[str, list[float]] = {k: [] for k in self.keys}
        #: What a monitor wants shown on the progress bar beside the model's record (e.g. the map's Lambda).
        self.status: dict[str, str] = {}

    def restore(self, step: int, history: dict[str, "np.ndarray"], sampler_state: dict) -> None:
        """Continue from a checkpoint: completed steps, history so far, sampler state.

        Parameters
        ----------
        step : int
            Steps the checkpoint had completed [count].
        history : dict
            The checkpoint's history: one sequence per key of the model's
            ``RECORD``, each in that quantity's own unit (the first ``step``
            entries are kept).
        sampler_state : dict
            What the sampler's ``get_state()`` returned at the checkpoint.
        """
        self.step = int(step)
        self.history = {k: [float(v) for v in history[k][:step]] for k in self.keys}
        self.sampler.set_state(sampler_state)

    def run(self) -> None:
        """Train until ``steps`` steps are done.

        Ctrl-C is honoured between steps, so the checkpoint it triggers is a
        consistent state (a step is never half applied); a second Ctrl-C
        interrupts at once.
        """
        from .._progress import tqdm

        interrupted = []

        from .. import _interrupts

        def on_sigint(signum, frame):
            _interrupts.note()  # remembered: one that comes after the last step is reported, not lost
            if interrupted:
                raise KeyboardInterrupt
            interrupted.append(True)

        _interrupts.check()  # a Ctrl-C swallowed during start-up (e.g. in a garbage-collector callback) stops here
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, on_sigint) if in_main else None
        bar = tqdm(total=self.steps, initial=self.step, disable=not self.progress,
                   unit="step", dynamic_ncols=True, desc="training")

        def after_step() -> bool:
            """Book-keeping after one learning step; False when the run must stop (Ctrl-C)."""
            self.step += 1
            record = self.model.last_record
            for k in self.keys:
                self.history[k].append(float(record[k]))
            bar.update(1)
            if self.step % 20 == 0 or self.step == self.steps:
                bar.set_postfix({**{k: f"{record[k]:.3g}" for k in self.keys}, **self.status}, refresh=False)
            if self.monitor and self.monitor_every and (self.step % self.monitor_every == 0
                                                        or self.step == self.steps):
                self.monitor(self)
            if interrupted:
                if self.checkpoint:
                    self.checkpoint(self)
                    bar.write(f"interrupted at step {self.step}: checkpoint saved", file=sys.stderr)
                return False
            if self.checkpoint and self.checkpoint_every and self.step % self.checkpoint_every == 0:
                self.checkpoint(self)
            return True

        try:
            if hasattr(self.model, "learn_stream"):
                # a model that runs many steps in one simulator call (Brian2's set-up cost is per run)
                self.model.learn_stream(lambda: self.sampler.sample(self.batch), self.steps - self.step, self.lr,
                                        after_step)
            else:
                while self.step < self.steps:
                    self.model.learn(self.sampler.sample(self.batch), lr=self.lr)
                    if not after_step():
                        break
            if interrupted:
                raise KeyboardInterrupt
            if self.checkpoint and not (self.checkpoint_every and self.step % self.checkpoint_every == 0):
                self.checkpoint(self)  # the final state, whatever comes after training
        finally:
            bar.close()
            if in_main:
                signal.signal(signal.SIGINT, previous)


from .._deprecated import forwarder  # noqa: E402  (deprecated names, one release)

__getattr__ = forwarder(__name__, {"normalise_columns": (__name__, "normalize_columns")})

"""Validated parameter sets and the paper's presets.

Every run's full configuration is one of these dataclasses; results store them
as JSON in their attrs so a saved run can rebuild its model exactly.
"""
from __future__ import annotations

import json
import math
import numbers
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

DTYPES = ("float32", "float64")
#: The paper's sheet side; larger sheets scale the reconstruction (ModelConfig.code_scale).
PAPER_SIDE = 40
BACKENDS = ("numba", "numpy")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


@dataclass(frozen=True)
class ModelConfig:
    """Parameters of the E/I activation model (names as in DESIGN.md).

    Parameters
    ----------
    side : int
        Grid side L; the sheet has L*L excitatory and L*L inhibitory units.
    n_inputs : int
        Input dimension D (256 for 16 x 16 patches).
    r_exc, r_inh : int
        Radii of the excitatory and inhibitory kernels (grid units).
    w_exc, w_inh : float
        Sums of the excitatory and inhibitory kernels.
    sigma2 : float
        Variance of the excitatory Gaussian (grid units squared).
    lam : float
        Soft threshold.
    eta : float
        Step size of the dynamics.
    leak : float or None
        Leak; ``None`` means ``w_exc + w_inh`` (the published choice).
    eps : float
        Relative-change tolerance of the stopping rule.
    max_iter : int
        Maximum number of updates per settle.
    dtype : {"float32", "float64"}
        Floating type of the state and dictionary.
    boundary : {"zero", "periodic"}
        ``"zero"`` pads the sheet with silent units (published); ``"periodic"``
        makes it a torus.
    target_sparsity : float or None
        If set, ``lam`` is adapted after every learning step towards this
        fraction of active units.
    seed : int or None
        Seed of the dictionary initialisation ``0.3 * N(0, 1)``.
    code_scale : float or None
        The learning step reconstructs a stimulus as ``code_scale * Phi a``.
        A sheet larger than the paper's 40 x 40 activates ``(side / 40)^2``
        times as many units per stimulus at the same active fraction, and
        with the published ``code_scale = 1`` their summed reconstruction
        overshoots the stimulus and drives every column to the same field
        (the map collapses). ``None`` (default) means ``min(1, (40 / side)^2)``,
        which keeps the reconstruction at the paper's scale and leaves
        sheets up to 40 x 40 unchanged.
    backend : {"numba", "numpy"}
        Jitted kernel (default) or the plain NumPy/SciPy path used to check it.
    """

    side: int = 40
    n_inputs: int = 256
    r_exc: int = 3
    r_inh: int = 5
    w_exc: float = 30.0
    w_inh: float = 5.0
    sigma2: float = 3.0
    lam: float = 0.05
    eta: float = 0.025
    leak: float | None = None
    eps: float = 5e-3
    max_iter: int = 49
    dtype: str = "float32"
    boundary: str = "zero"
    target_sparsity: float | None = None
    seed: int | None = 0
    code_scale: float | None = None
    backend: str = "numba"

    def __post_init__(self) -> None:
        if self.code_scale is not None:
            _require(isinstance(self.code_scale, numbers.Real) and not isinstance(self.code_scale, bool)
                     and math.isfinite(self.code_scale) and self.code_scale > 0,
                     f"code_scale must be a finite number > 0, got {self.code_scale!r}")
        for name in ("side", "n_inputs", "max_iter"):
            value = getattr(self, name)
            _require(_is_int(value) and value >= 1, f"{name} must be a positive integer, got {value!r}")
        for name in ("r_exc", "r_inh"):
            value = getattr(self, name)
            _require(_is_int(value) and value >= 1,
                     f"{name} must be a positive integer (grid units), got {value!r}")
        for name in ("w_exc", "w_inh", "sigma2", "lam", "eta", "eps"):
            value = getattr(self, name)
            _require(isinstance(value, numbers.Real) and math.isfinite(value),
                     f"{name} must be a finite number, got {value!r}")
        _require(self.w_exc >= 0, f"w_exc must be >= 0, got {self.w_exc}")
        _require(self.w_inh >= 0, f"w_inh must be >= 0, got {self.w_inh}")
        _require(self.sigma2 > 0, f"sigma2 must be > 0 (grid units squared), got {self.sigma2}")
        _require(self.lam >= 0, f"lam must be >= 0, got {self.lam}")
        _require(self.eta > 0, f"eta must be > 0, got {self.eta}")
        _require(self.eps > 0, f"eps must be > 0, got {self.eps}")
        if self.leak is not None:
            _require(math.isfinite(self.leak) and self.leak > 0, f"leak must be > 0, got {self.leak}")
        _require(self.dtype in DTYPES, f"dtype must be one of {DTYPES}, got {self.dtype!r}")
        _require(self.boundary in ("zero", "periodic"),
                 f"boundary must be 'zero' or 'periodic', got {self.boundary!r}")
        _require(self.backend in BACKENDS, f"backend must be one of {BACKENDS}, got {self.backend!r}")
        if self.target_sparsity is not None:
            _require(0 < self.target_sparsity < 1,
                     f"target_sparsity must lie in (0, 1), got {self.target_sparsity}")
        _require(self.effective_leak > 0,
                 "leak is 0 (w_exc + w_inh = 0 and no leak given): activity would grow without "
                 "bound; pass leak > 0")
        # The leak alone maps a -> (1 - eta*leak) a each update: beyond 2 it
        # oscillates with growing amplitude, so the dynamics cannot settle.
        _require(self.eta * self.effective_leak < 2,
                 f"unstable dynamics: eta * leak = {self.eta} * {self.effective_leak} = "
                 f"{self.eta * self.effective_leak:.4g} must be < 2 (lower eta, or w_exc + w_inh / leak)")

    @property
    def effective_leak(self) -> float:
        """The leak actually used: ``leak`` or ``w_exc + w_inh``."""
        return float(self.w_exc + self.w_inh) if self.leak is None else float(self.leak)

    @property
    def effective_code_scale(self) -> float:
        """The code scale actually used: ``code_scale`` or ``min(1, (40 / side)^2)``."""
        if self.code_scale is not None:
            return float(self.code_scale)
        return min(1.0, (PAPER_SIDE / self.side) ** 2)

    def replace(self, **changes: Any) -> "ModelConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class TrainConfig:
    """Parameters of a training run on image patches.

    Parameters
    ----------
    steps : int
        Number of gradient steps.
    batch : int
        Patches per step.
    lr : float
        Learning rate of the dictionary update.
    seed : int
        Seed of the patch sampler (the model has its own).
    patch_size : int
        Patch side in pixels.
    images : str or None
        ``None`` for the bundled photographs, else an ``IMAGES.mat`` file or a
        folder of photographs.
    whiten : bool
        Whiten the photographs (bundled or from a folder; IMAGES.mat is used as it is).
    f0 : float
        Whitening cutoff (cycles/pixel).
    checkpoint_every : int
        Steps between checkpoints (0 disables them).
    probe_lam : float
        Soft threshold used when probing receptive fields (paper: 0.025).
    """

    steps: int = 10_000
    batch: int = 128
    lr: float = 0.03
    seed: int = 0
    patch_size: int = 16
    images: str | None = None
    whiten: bool = True
    f0: float = 0.4
    checkpoint_every: int = 500
    probe_lam: float = 0.025

    def __post_init__(self) -> None:
        if self.images is not None:
            # an absolute path, so a resumed run finds the same data from anywhere
            object.__setattr__(self, "images", str(Path(self.images).expanduser().resolve()))
        _require(_is_int(self.seed) and self.seed >= 0, f"seed must be an integer >= 0, got {self.seed!r}")
        _require(_is_int(self.steps) and self.steps >= 0, f"steps must be an integer >= 0, got {self.steps!r}")
        _require(_is_int(self.batch) and self.batch >= 1, f"batch must be a positive integer, got {self.batch!r}")
        _require(_is_int(self.patch_size) and self.patch_size >= 2,
                 f"patch_size must be an integer >= 2 (pixels), got {self.patch_size!r}")
        _require(_is_int(self.checkpoint_every) and self.checkpoint_every >= 0,
                 f"checkpoint_every must be an integer >= 0, got {self.checkpoint_every!r}")
        _require(math.isfinite(self.lr) and self.lr > 0, f"lr must be > 0, got {self.lr!r}")
        _require(math.isfinite(self.f0) and self.f0 > 0, f"f0 must be > 0 (cycles/pixel), got {self.f0!r}")
        _require(math.isfinite(self.probe_lam) and self.probe_lam >= 0,
                 f"probe_lam must be >= 0, got {self.probe_lam!r}")

    def replace(self, **changes: Any) -> "TrainConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class TextTrainConfig:
    """Parameters of a training run on word vectors (the paper's text experiment).

    Parameters
    ----------
    steps : int
        Number of gradient steps.
    batch : int
        Words per step, drawn by unigram frequency.
    lr : float
        Learning rate of the dictionary update.
    seed : int
        Seed of the word sampler.
    n_words : int
        Vocabulary: the most frequent alphabetic words of 3+ letters that have a vector.
    embeddings : str or None
        ``None`` for the bundled GloVe 6B 50-d vectors, else a GloVe or
        word2vec text file.
    drop_outliers : bool
        Drop embedding coordinates whose mean |value| is an outlier (as the paper did).
    checkpoint_every : int
        Steps between checkpoints (0 disables them).
    """

    steps: int = 10_000
    batch: int = 128
    lr: float = 0.01
    seed: int = 0
    n_words: int = 20_000
    embeddings: str | None = None
    drop_outliers: bool = True
    checkpoint_every: int = 1000

    def __post_init__(self) -> None:
        if self.embeddings is not None:
            object.__setattr__(self, "embeddings", str(Path(self.embeddings).expanduser().resolve()))
        for name in ("seed", "steps", "checkpoint_every"):
            value = getattr(self, name)
            _require(_is_int(value) and value >= 0, f"{name} must be an integer >= 0, got {value!r}")
        for name in ("batch", "n_words"):
            value = getattr(self, name)
            _require(_is_int(value) and value >= 1, f"{name} must be a positive integer, got {value!r}")
        _require(self.n_words >= 2, f"n_words must be at least 2, got {self.n_words}")
        _require(isinstance(self.lr, numbers.Real) and math.isfinite(self.lr) and self.lr > 0,
                 f"lr must be > 0, got {self.lr!r}")

    def replace(self, **changes: Any) -> "TextTrainConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)


#: Paper settings for word maps: the model (n_inputs is set from the vectors).
PAPER_TEXT_MODEL = ModelConfig(side=40, r_exc=3, r_inh=5, w_exc=30.0, w_inh=5.0, sigma2=3.0, eta=0.01,
                               target_sparsity=0.2)


@dataclass(frozen=True)
class TouchTrainConfig:
    """Parameters of the two-phase touch experiment (training, then a manipulation and more training).

    Parameters
    ----------
    steps : int
        Gradient steps on the normal hand (phase "before").
    after_steps : int
        Further steps from the trained state with the manipulation applied (phase "after").
    batch, lr
        As for images (the paper: 128 and 0.02).
    seed : int
        Seed of the touches: independent streams for the fixed stimulus set,
        the batches of each phase and the probes are spawned from it
        (``numpy.random.SeedSequence``).
    manipulation : str
        ``"deprive:F"`` (the paper: every class touching F stops),
        ``"silence:F"`` (F's receptors carry only noise), ``"remove_pair:F,G"``,
        ``"syndactyly:F,G"`` or ``"none"``.
    sample_set : int
        Size of the fixed set of stimuli batches are drawn from with
        replacement (the paper: 1,000); 0 draws fresh stimuli for every batch.
    probe_samples : int
        Fresh stimuli per class when measuring each unit's mean response to
        every class (the same probes in both phases).
    territory_fraction : float
        A unit is in a finger's territory when its mean response, of the
        class's dominant sign, exceeds this fraction of the class's peak
        before the manipulation (see
        :func:`ei_maps.analysis.plasticity.finger_territories`).
    checkpoint_every : int
        Steps between checkpoints (0 disables them).
    """

    steps: int = 4000
    after_steps: int = 3000
    batch: int = 128
    lr: float = 0.02
    seed: int = 0
    manipulation: str = "deprive:3"
    sample_set: int = 1000
    probe_samples: int = 200
    territory_fraction: float = 0.5
    checkpoint_every: int = 1000

    def __post_init__(self) -> None:
        _require(isinstance(self.territory_fraction, numbers.Real) and not isinstance(self.territory_fraction, bool)
                 and 0 < self.territory_fraction < 1,
                 f"territory_fraction must lie in (0, 1), got {self.territory_fraction!r}")
        for name in ("steps", "after_steps", "seed", "checkpoint_every", "sample_set"):
            value = getattr(self, name)
            _require(_is_int(value) and value >= 0, f"{name} must be an integer >= 0, got {value!r}")
        for name in ("batch", "probe_samples"):
            value = getattr(self, name)
            _require(_is_int(value) and value >= 1, f"{name} must be a positive integer, got {value!r}")
        _require(isinstance(self.lr, numbers.Real) and math.isfinite(self.lr) and self.lr > 0,
                 f"lr must be > 0, got {self.lr!r}")
        _require(isinstance(self.manipulation, str), f"manipulation must be text, got {self.manipulation!r}")

    def replace(self, **changes: Any) -> "TouchTrainConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)


#: Paper settings for the touch experiment (n_inputs: 5 fingers x 51 receptors + 1).
PAPER_TOUCH_MODEL = ModelConfig(side=40, n_inputs=256, r_exc=5, r_inh=7, w_exc=20.0, w_inh=5.0, sigma2=4.0,
                                lam=0.002, eta=0.025, target_sparsity=0.3)


@dataclass(frozen=True)
class LIFCodingConfig:
    """Parameters of the spiking sparse-coding sheet (the paper's appendix, adapted).

    Units as in :class:`LIFConfig`: conductances over capacitance in 1/ms,
    potentials in mV, times in ms, distances in sites.

    Parameters
    ----------
    side : int
        The sheet has ``side x side`` sites, one neuron per site.
    n_inputs : int
        Input dimension (256 for 16 x 16 patches).
    inh_every : int
        One site in ``inh_every`` holds an inhibitory neuron, on a regular
        sub-lattice; the others are excitatory.
    inh_lattice : {"spread", "paper"}
        ``"spread"``: the most evenly spread sub-lattice of one site in
        ``inh_every``. ``"paper"``: the one of the paper's code, the sites
        with even row and column and (row + column) % 4 == 0 (one in 8, so
        ``inh_every`` must be 8 and ``side`` a multiple of 4 on a torus), to
        run the authors' own dictionary on its own layout.
    boundary : {"periodic", "zero"}
        A torus, or an open sheet whose edge neurons have fewer partners.
    r_exc, r_inh : float
        Radii (sites) within which excitatory / inhibitory neurons act.
    w_exc, w_inh : float
        Kernel sums (1/ms): the conductance a neuron receives for one step
        when every excitatory (inhibitory) neuron within the radius spikes in
        that step (averaged over positions on the sub-lattice). Excitation
        has a Gaussian profile, inhibition is flat.
    sigma2 : float
        Variance (sites squared) of the excitatory Gaussian.
    g_leak, v_leak, v_reset, v_exc, v_inh : float
        Leak conductance over C (1/ms) and potentials (mV), as in the wave
        model (the paper's g_L: 5e-5 S with C = 1 uF is 0.05 /ms).
    drive_exc : float
        F_E: constant conductance of every neuron's excitatory channel (1/ms;
        the paper's 15 uS with C = 1 uF).
    drive_inh : float
        F_I: constant conductance of every neuron's inhibitory channel, a
        tonic inhibition (1/ms; the paper's 2 uS).
    ff_scale : float
        Stimulus conductance per unit of ``max(0, x . phi_j)`` (1/ms), added
        to the excitatory channel (inhibitory columns of the dictionary are
        zero, so inhibitory neurons get F_E only). The paper's 1e-4 S per unit
        with C = 1 uF is 100 /s = 0.1 /ms.
    dt : float
        Time step (ms).
    n_steps : int
        Steps per stimulus window (each from a fresh membrane state, uniform
        between ``v_reset`` and the threshold).
    target_rate : float
        Target activity: spikes per neuron per window, counted over all
        neurons, excitatory and inhibitory (the paper: 0.03).
    threshold_init : float
        Starting threshold (mV).
    threshold_step : float
        Threshold change per batch per unit of rate error (mV per spike per
        neuron per window): ``V_T <- V_T + threshold_step * (rate -
        target_rate)``, clamped to ``[v_reset, v_exc]`` (the paper: 1 mV, its
        lr_VT of 0.001 V).
    skip_factor : float
        The dictionary is not updated while the excitatory spikes per neuron
        (all neurons counted) per window exceed ``skip_factor * target_rate``.
    seed : int
        Seed of the dictionary and of the initial membrane states.

    Notes
    -----
    The paper states its values in SI units with C = 1 uF; here every
    conductance is divided by C: ``g [1/ms] = g [S] / C [F] / 1000``.
    """

    side: int = 30
    n_inputs: int = 256
    inh_every: int = 5
    inh_lattice: str = "spread"
    boundary: str = "periodic"
    r_exc: float = 2.0
    r_inh: float = 5.0
    w_exc: float = 40.0
    w_inh: float = 10.0
    sigma2: float = 2.0
    g_leak: float = 0.05
    v_leak: float = -70.0
    v_reset: float = -70.0
    v_exc: float = 0.0
    v_inh: float = -80.0
    drive_exc: float = 0.015
    drive_inh: float = 0.002
    ff_scale: float = 0.1
    dt: float = 0.05
    n_steps: int = 50
    target_rate: float = 0.03
    threshold_init: float = -20.0
    threshold_step: float = 1.0
    skip_factor: float = 1.1
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("side", "n_inputs", "n_steps"):
            value = getattr(self, name)
            _require(_is_int(value) and value >= 1, f"{name} must be a positive integer, got {value!r}")
        _require(_is_int(self.inh_every) and self.inh_every >= 2,
                 f"inh_every must be an integer >= 2 (one site in inh_every is inhibitory), got {self.inh_every!r}")
        _require(self.boundary in ("zero", "periodic"),
                 f"boundary must be 'zero' or 'periodic', got {self.boundary!r}")
        _require(self.inh_lattice in ("spread", "paper"),
                 f"inh_lattice must be 'spread' or 'paper', got {self.inh_lattice!r}")
        if self.inh_lattice == "paper":
            _require(self.inh_every == 8, f"inh_lattice 'paper' has one inhibitory site in 8: set inh_every=8, "
                                          f"got {self.inh_every}")
        if self.boundary == "periodic":
            period = 4 if self.inh_lattice == "paper" else self.inh_every
            _require(self.side % period == 0,
                     f"on a torus side ({self.side}) must be a multiple of {period} so the inhibitory "
                     "sub-lattice closes; use boundary='zero' or another side")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name not in ("boundary", "inh_lattice"):
                _require(isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value),
                         f"{f.name} must be a finite number, got {value!r}")
        for name in ("r_exc", "r_inh"):
            _require(getattr(self, name) >= 1, f"{name} must be >= 1 site, got {getattr(self, name)!r}")
        for name in ("sigma2", "g_leak", "dt", "ff_scale", "threshold_step"):
            _require(getattr(self, name) > 0, f"{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("w_exc", "w_inh", "drive_exc", "drive_inh"):
            _require(getattr(self, name) >= 0, f"{name} must be >= 0, got {getattr(self, name)!r}")
        _require(0 < self.target_rate < self.n_steps,
                 f"target_rate must lie in (0, n_steps) spikes per neuron per window, got {self.target_rate}")
        _require(self.skip_factor >= 1, f"skip_factor must be >= 1, got {self.skip_factor}")
        _require(self.v_inh < self.v_reset < self.v_exc,
                 f"need v_inh < v_reset < v_exc, got {self.v_inh}, {self.v_reset}, {self.v_exc}")
        _require(self.v_reset <= self.threshold_init <= self.v_exc,
                 f"threshold_init must lie in [v_reset, v_exc], got {self.threshold_init}")
        _require(_is_int(self.seed) and self.seed >= 0, f"seed must be an integer >= 0, got {self.seed!r}")

    @property
    def n_sites(self) -> int:
        return self.side * self.side

    def replace(self, **changes: Any) -> "LIFCodingConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)


def to_json(config) -> str:
    """JSON text of a config (for NetCDF attrs)."""
    return json.dumps(asdict(config), sort_keys=True)


def from_json(cls: type, text: str):
    """Rebuild a config of class ``cls`` from :func:`to_json` text; unknown keys are ignored."""
    data = json.loads(text)
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})


#: Paper settings for natural images (Fig. 2): model and training.
PAPER_IMAGES_MODEL = ModelConfig()
PAPER_IMAGES_TRAIN = TrainConfig()


@dataclass(frozen=True)
class LIFConfig:
    """Parameters of the spiking E/I sheet (Keane & Gong 2015, published configuration).

    Units: conductances per capacitance in 1/ms, potentials in mV, times in
    ms, distances in sites. Weights are dimensionless: a presynaptic spike's
    conductance integrates to ``C * W(r)``.

    Parameters
    ----------
    side : int
        The sheet is a ``side x side`` torus with an excitatory neuron at every
        site and an inhibitory one every ``inh_spacing`` sites in x and y.
    radius : float
        Every pair within this distance (sites) is connected (no self-connections);
        on a torus smaller than the disk each pair is still connected once.
    w_exc, exc_width : float
        Excitatory weight ``W_E(r) = w_exc * exp(-r^2 / exc_width)``.
    w_inh : float
        Flat inhibitory weight ``W_I``.
    g_leak : float
        Leak conductance over capacitance (1/ms): ``tau_m = 1 / g_leak``.
    v_leak, v_reset, v_exc, v_inh, v_threshold : float
        Potentials (mV).
    refractory : float
        Refractory period (ms).
    tau_rise_exc, tau_decay_exc, tau_rise_inh, tau_decay_inh : float
        Difference-of-exponentials synaptic time constants (ms).
    drive_exc, drive_inh : float
        Constant external excitatory and inhibitory conductances over C (1/ms).
    dt : float
        Time step (ms).
    seed : int
        Seed of the initial membrane potentials (uniform in [v_reset, v_threshold]).
    """

    side: int = 300
    radius: float = 15.0
    w_exc: float = 0.23
    exc_width: float = 12.0
    w_inh: float = 0.30
    inh_spacing: int = 2
    g_leak: float = 0.05
    v_leak: float = -70.0
    v_reset: float = -70.0
    v_exc: float = 0.0
    v_inh: float = -80.0
    v_threshold: float = -55.0
    refractory: float = 5.0
    tau_rise_exc: float = 0.5
    tau_decay_exc: float = 2.0
    tau_rise_inh: float = 0.5
    tau_decay_inh: float = 7.0
    drive_exc: float = 0.015
    drive_inh: float = 0.002
    dt: float = 0.05
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("side", "inh_spacing"):
            value = getattr(self, name)
            _require(_is_int(value) and value >= 1, f"{name} must be a positive integer, got {value!r}")
        _require(self.side % self.inh_spacing == 0,
                 f"side ({self.side}) must be a multiple of inh_spacing ({self.inh_spacing}) on a torus")
        for f in fields(self):
            value = getattr(self, f.name)
            _require(isinstance(value, numbers.Real) and math.isfinite(value),
                     f"{f.name} must be a finite number, got {value!r}")
        for name in ("radius", "g_leak", "dt", "tau_rise_exc", "tau_decay_exc", "tau_rise_inh", "tau_decay_inh"):
            _require(getattr(self, name) > 0, f"{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("w_exc", "w_inh", "drive_exc", "drive_inh", "refractory", "exc_width"):
            _require(getattr(self, name) >= 0, f"{name} must be >= 0, got {getattr(self, name)!r}")
        _require(self.tau_decay_exc > self.tau_rise_exc and self.tau_decay_inh > self.tau_rise_inh,
                 "synaptic decay times must exceed the rise times")
        _require(self.v_reset < self.v_threshold, "v_reset must be below v_threshold")
        _require(self.dt * self.g_leak < 1, f"dt * g_leak = {self.dt * self.g_leak} must be < 1 for forward Euler")
        _require(_is_int(self.seed) and self.seed >= 0, f"seed must be an integer >= 0, got {self.seed!r}")

    def replace(self, **changes: Any) -> "LIFConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)

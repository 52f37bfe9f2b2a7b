"""Training parameters of the experiments, and what every parameter dataclass shares.

Each parameter set lives beside what it parameterizes: a model's in its
folder of :mod:`ei_maps.models` (``ModelConfig``, ``LIFCodingConfig``,
``WaveSheetConfig``), a stimulus sampler's beside the sampler
(``HandConfig``), and the training runs' here (``TrainConfig``,
``TextTrainConfig``, ``TouchTrainConfig``). Every run stores its configs as
JSON in its attrs (:func:`to_json`), so a saved run can rebuild its model
exactly (:func:`from_json`).

It imports only :mod:`ei_maps._deprecated` (the model configs it used to
hold are found there, deprecated, for one release).
"""
from __future__ import annotations

import json
import math
import numbers
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from ._deprecated import forwarder


def require(condition: bool, message: str) -> None:
    """Raise a ``ValueError`` with ``message`` unless ``condition`` holds.

    Parameters
    ----------
    condition : bool
        What must hold.
    message : str
        The error's text when it does not.
    """
    if not condition:
        raise ValueError(message)


def _parameter_entries(doc: str) -> tuple[list[str], list[tuple[set[str], str]], list[str]]:
    """Split a NumPy-style docstring around its Parameters section: (lines before, entries, lines after)."""
    import inspect

    lines = inspect.cleandoc(doc).splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Parameters") + 2
    end = next((i for i in range(start, len(lines)) if lines[i] and not lines[i].startswith(" ")
                and (i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"})), len(lines))
    entries: list[tuple[set[str], str]] = []
    for line in lines[start:end]:
        if line and not line.startswith(" "):
            names = {n.strip() for n in line.split(":")[0].split(",")}
            entries.append((names, line))
        elif entries:
            entries[-1] = (entries[-1][0], entries[-1][1] + "\n" + line)
    return lines[:start], entries, lines[end:]


def inherit_parameter_docs(cls: type, base: type) -> type:
    """Give a config subclass the Parameters entries of ``base`` it does not document itself.

    A subclass that adds or redefines a few parameters documents only those;
    the base's entries for the rest are appended to its Parameters section,
    so each parameter's text is written once.

    Parameters
    ----------
    cls : type
        The subclass; its docstring is changed in place.
    base : type
        The class whose parameter entries it inherits.

    Returns
    -------
    type
        ``cls`` (usable as a decorator's result).
    """
    head, own, tail = _parameter_entries(cls.__doc__)
    _, inherited, _ = _parameter_entries(base.__doc__)
    documented = set().union(*(names for names, _ in own))
    extra = [text for names, text in inherited if not names <= documented]
    body = [text.rstrip() for _, text in own] + extra
    cls.__doc__ = "\n".join(head + body + ([""] + tail if tail else [])) + "\n"
    return cls


#: Largest learning rate accepted: columns are renormalized every step, so larger steps only overflow.
MAX_LR = 1e6

#: Seeds are stored as int64 NetCDF attributes.
MAX_SEED = 2**63 - 1


def check_seed(value: Any, name: str = "seed") -> None:
    """A seed is an integer from 0 to 2**63 - 1 (what a result file can store), else a clear error.

    Parameters
    ----------
    value : Any
        The seed to check.
    name : str
        The parameter's name in the error message.

    Raises
    ------
    ValueError
        When ``value`` is not an integer from 0 to 2**63 - 1.
    """
    require(is_int(value) and 0 <= value <= MAX_SEED,
            f"{name} must be an integer from 0 to 2**63 - 1, got {value!r}")


def is_int(value: Any) -> bool:
    """Whether ``value`` is an integer (of any integral type) and not a bool.

    Parameters
    ----------
    value : Any
        The value to test.

    Returns
    -------
    bool
        ``True`` for an integral number that is not ``True`` or ``False``.
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


@dataclass(frozen=True)
class TrainConfig:
    """Parameters of a training run on image patches.

    Parameters
    ----------
    steps : int
        Number of gradient steps [count].
    batch : int
        Patches per step [count].
    lr : float
        Learning rate of the dictionary update [dimensionless].
    seed : int
        Seed of the run: the patches come from its ``"samples"`` stream
        (:func:`ei_maps.seeds.stream`), independent of the dictionary's
        ``"dictionary"`` stream of the model's seed, even when both seeds agree.
    patch_size : int
        Patch side [pixels].
    images : str or None
        ``None`` for the bundled photographs, else an ``IMAGES.mat`` file or a
        folder of photographs.
    whiten : bool
        Whiten the photographs (bundled or from a folder; IMAGES.mat is used as it is).
    f0 : float
        Whitening cutoff [cycles/pixel].
    checkpoint_every : int
        Steps between checkpoints (0 disables them) [count].
    probe_lam : float
        Soft threshold used when probing receptive fields (paper: 0.025) [dimensionless].
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
        check_seed(self.seed)
        require(is_int(self.steps) and self.steps >= 0, f"steps must be an integer >= 0, got {self.steps!r}")
        require(is_int(self.batch) and self.batch >= 1, f"batch must be a positive integer, got {self.batch!r}")
        require(is_int(self.patch_size) and self.patch_size >= 2,
                 f"patch_size must be an integer >= 2 (pixels), got {self.patch_size!r}")
        require(is_int(self.checkpoint_every) and self.checkpoint_every >= 0,
                 f"checkpoint_every must be an integer >= 0, got {self.checkpoint_every!r}")
        require(math.isfinite(self.lr) and 0 < self.lr <= MAX_LR, f"lr must be in (0, {MAX_LR:g}], got {self.lr!r}")
        require(math.isfinite(self.f0) and self.f0 > 0, f"f0 must be > 0 (cycles/pixel), got {self.f0!r}")
        require(math.isfinite(self.probe_lam) and self.probe_lam >= 0,
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
        Number of gradient steps [count].
    batch : int
        Words per step, drawn by unigram frequency [count].
    lr : float
        Learning rate of the dictionary update [dimensionless].
    seed : int
        Seed of the run: the words come from its ``"samples"`` stream
        (:func:`ei_maps.seeds.stream`), independent of the dictionary's.
    n_words : int
        Vocabulary: the most frequent alphabetic words of 3+ letters that have a vector [count].
    embeddings : str or None
        ``None`` for the bundled GloVe 6B 50-d vectors, else a GloVe or
        word2vec text file.
    drop_outliers : bool
        Drop embedding coordinates whose mean absolute value is an outlier (as the paper did).
    checkpoint_every : int
        Steps between checkpoints (0 disables them) [count].
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
        check_seed(self.seed)
        for name in ("steps", "checkpoint_every"):
            value = getattr(self, name)
            require(is_int(value) and value >= 0, f"{name} must be an integer >= 0, got {value!r}")
        for name in ("batch", "n_words"):
            value = getattr(self, name)
            require(is_int(value) and value >= 1, f"{name} must be a positive integer, got {value!r}")
        require(self.n_words >= 2, f"n_words must be at least 2, got {self.n_words}")
        require(isinstance(self.lr, numbers.Real) and math.isfinite(self.lr) and 0 < self.lr <= MAX_LR,
                 f"lr must be in (0, {MAX_LR:g}], got {self.lr!r}")

    def replace(self, **changes: Any) -> "TextTrainConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class TouchTrainConfig:
    """Parameters of the two-phase touch experiment (training, then a manipulation and more training).

    Parameters
    ----------
    steps : int
        Gradient steps on the normal hand (phase "before") [count].
    after_steps : int
        Further steps from the trained state with the manipulation applied (phase "after") [count].
    batch : int
        Touches per step (the paper: 128) [count].
    lr : float
        Learning rate of the dictionary update (the paper: 0.02) [dimensionless].
    seed : int
        Seed of the touches: independent streams for the fixed stimulus set,
        the batches of each phase and the probes are spawned from it
        (:func:`ei_maps.seeds.stream`); the dictionary has its own stream.
    manipulation : str
        ``"deprive:F"`` (the paper: every class touching F stops),
        ``"silence:F"`` (F's receptors carry only noise), ``"remove_pair:F,G"``,
        ``"syndactyly:F,G"`` or ``"none"``.
    sample_set : int
        Size of the fixed set of stimuli batches are drawn from with
        replacement (the paper: 1,000); 0 draws fresh stimuli for every batch [count].
    probe_samples : int
        Fresh stimuli per class when measuring each unit's mean response to
        every class (the same probes in both phases) [count].
    territory_fraction : float
        A unit is in a finger's territory when its mean response, of the
        class's dominant sign, exceeds this fraction of the class's peak
        before the manipulation (see
        :func:`ei_maps.analysis.plasticity.finger_territories`) [dimensionless].
    checkpoint_every : int
        Steps between checkpoints (0 disables them) [count].
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
        require(isinstance(self.territory_fraction, numbers.Real) and not isinstance(self.territory_fraction, bool)
                 and 0 < self.territory_fraction < 1,
                 f"territory_fraction must lie in (0, 1), got {self.territory_fraction!r}")
        check_seed(self.seed)
        for name in ("steps", "after_steps", "checkpoint_every", "sample_set"):
            value = getattr(self, name)
            require(is_int(value) and value >= 0, f"{name} must be an integer >= 0, got {value!r}")
        for name in ("batch", "probe_samples"):
            value = getattr(self, name)
            require(is_int(value) and value >= 1, f"{name} must be a positive integer, got {value!r}")
        require(isinstance(self.lr, numbers.Real) and math.isfinite(self.lr) and 0 < self.lr <= MAX_LR,
                 f"lr must be in (0, {MAX_LR:g}], got {self.lr!r}")
        require(isinstance(self.manipulation, str), f"manipulation must be text, got {self.manipulation!r}")

    def replace(self, **changes: Any) -> "TouchTrainConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class RetinotopicTrainConfig:
    """Parameters of a training run of the retinotopic sheet on whole image regions.

    Parameters
    ----------
    steps : int
        Number of learning steps [count].
    batch : int
        Image regions per step [count].
    lr : float
        Learning rate of the field update [dimensionless].
    seed : int
        Seed of the run: the regions come from its ``"samples"`` stream
        (:func:`ei_maps.seeds.stream`), independent of the fields' ``"dictionary"`` stream.
    images : str or None
        ``None`` for the bundled scenes without periodic texture
        (:data:`ei_maps.stimuli.regions.SCENE_NAMES`), else a folder of
        photographs (raw: the filter below is applied to them).
    filter : {"whiten", "dog", "onoff"}
        Preprocessing of the photographs: Olshausen & Field's whitening (the
        paper's), a difference of Gaussians (band-pass), or the same DoG split
        into rectified ON and OFF channels (the model then needs ``channels=2``).
    f0 : float
        Whitening cutoff [cycles/pixel].
    dog_center, dog_surround : float
        Standard deviations of the DoG's centre and surround [pixels].
    rotations : int
        Copies of each photograph rotated by ``k * 180 / rotations`` degrees, which even out
        the orientations of the input's power [count].
    roll : bool
        Roll every region by a random offset, so the seam of the periodic region falls anywhere
        on the sheet (``False`` keeps it on the sheet's edges).
    checkpoint_every : int
        Steps between checkpoints (0 disables them) [count].
    map_every : int
        Steps between measurements of the map during training (its column spacing and pinwheel
        density, shown and saved); 0 measures only at the end [count].
    """

    steps: int = 10_000
    batch: int = 32
    lr: float = 0.03
    seed: int = 0
    images: str | None = None
    filter: str = "whiten"
    f0: float = 0.4
    dog_center: float = 1.0
    dog_surround: float = 3.0
    rotations: int = 8
    roll: bool = True
    checkpoint_every: int = 1000
    map_every: int = 1000

    def __post_init__(self) -> None:
        if self.images is not None:
            object.__setattr__(self, "images", str(Path(self.images).expanduser().resolve()))
        check_seed(self.seed)
        for name in ("steps", "checkpoint_every", "map_every"):
            value = getattr(self, name)
            require(is_int(value) and value >= 0, f"{name} must be an integer >= 0, got {value!r}")
        for name in ("batch", "rotations"):
            value = getattr(self, name)
            require(is_int(value) and value >= 1, f"{name} must be a positive integer, got {value!r}")
        require(isinstance(self.lr, numbers.Real) and math.isfinite(self.lr) and 0 < self.lr <= MAX_LR,
                f"lr must be in (0, {MAX_LR:g}], got {self.lr!r}")
        require(self.filter in ("whiten", "dog", "onoff"),
                f"filter must be 'whiten', 'dog' or 'onoff', got {self.filter!r}")
        for name in ("f0", "dog_center", "dog_surround"):
            value = getattr(self, name)
            require(isinstance(value, numbers.Real) and math.isfinite(value) and value > 0,
                    f"{name} must be a finite number > 0, got {value!r}")
        require(self.dog_center < self.dog_surround,
                f"dog_center ({self.dog_center} px) must be smaller than dog_surround ({self.dog_surround} px)")
        require(isinstance(self.roll, bool), f"roll must be True or False, got {self.roll!r}")

    @property
    def channels(self) -> int:
        """Input channels the filter makes: 2 for ON/OFF, else 1 [count]."""
        return 2 if self.filter == "onoff" else 1

    def replace(self, **changes: Any) -> "RetinotopicTrainConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)


def to_json(config) -> str:
    """JSON text of a config (for NetCDF attrs).

    Parameters
    ----------
    config : dataclass instance
        The config to write.

    Returns
    -------
    str
        Its fields as a JSON object, keys sorted.
    """
    return json.dumps(asdict(config), sort_keys=True)


#: Parameters earlier releases saved that are no longer parameters (read and ignored without a warning).
RETIRED = frozenset({"backend", "input_scale"})


def from_json(cls: type, text: str, source: str | None = None):
    """Rebuild a config of class ``cls`` from :func:`to_json` text.

    Unknown parameters are ignored and missing ones take their defaults, each
    with a warning naming them (a file from another version, or edited);
    text that is not a JSON object is an error naming ``source``.

    Parameters
    ----------
    cls : type
        The config dataclass to build.
    text : str
        JSON text written by :func:`to_json`.
    source : str or None
        Where the text came from (a file name), for the warnings and errors.

    Returns
    -------
    object
        An instance of ``cls``.
    """
    import warnings

    where = f"{source}: " if source else ""
    try:
        data = json.loads(text)
    except (TypeError, json.JSONDecodeError) as err:
        raise ValueError(f"{where}the saved {cls.__name__} is not valid JSON ({err})") from err
    if not isinstance(data, dict):
        raise ValueError(f"{where}the saved {cls.__name__} is not a JSON object: {text[:80]!r}")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known - RETIRED)
    missing = sorted(f.name for f in fields(cls) if f.name not in data)
    if unknown:
        warnings.warn(f"{where}ignoring {cls.__name__} parameters this version does not know: {', '.join(unknown)}",
                      UserWarning, stacklevel=2)
    if missing:
        warnings.warn(f"{where}{cls.__name__} parameters missing from the file take their defaults: "
                      f"{', '.join(missing)}", UserWarning, stacklevel=2)
    return cls(**{k: v for k, v in data.items() if k in known})


#: Paper settings for natural images (Fig. 2): training.
PAPER_IMAGES_TRAIN = TrainConfig()




# Deprecated aliases for one release: name -> (module, name there).
_MOVED = {
    "ModelConfig": ("ei_maps.models.activation.config", "ModelConfig"),
    "DTYPES": ("ei_maps.models.activation.config", "DTYPES"),
    "PAPER_SIDE": ("ei_maps.models.activation.config", "PAPER_SIDE"),
    "BACKENDS": ("ei_maps.models.activation.config", "ENGINES"),
    "PAPER_IMAGES_MODEL": ("ei_maps.models.activation.presets", "PAPER_IMAGES_MODEL"),
    "PAPER_TEXT_MODEL": ("ei_maps.models.activation.presets", "PAPER_TEXT_MODEL"),
    "PAPER_TOUCH_MODEL": ("ei_maps.models.activation.presets", "PAPER_TOUCH_MODEL"),
    "LIFCodingConfig": ("ei_maps.models.spiking_coder.config", "LIFCodingConfig"),
    "LIFConfig": ("ei_maps.models.wave_sheet.config", "WaveSheetConfig"),
}

__getattr__ = forwarder(__name__, _MOVED)

"""Training parameters of the experiments, and what every parameter dataclass shares.

Each parameter set lives beside what it parameterizes: a model's in its
folder of :mod:`ei_maps.models` (``ModelConfig``, ``LIFCodingConfig``,
``WaveSheetConfig``), a stimulus sampler's beside the sampler
(``HandConfig``), and the training runs' here (``TrainConfig``,
``TextTrainConfig``, ``TouchTrainConfig``). Every run stores its configs as
JSON in its attrs (:func:`to_json`), so a saved run can rebuild its model
exactly (:func:`from_json`).

It imports only :mod:`ei_maps.params` (how a parameter is declared) and
:mod:`ei_maps._deprecated` (the model configs it used to hold are found
there, deprecated, for one release).
"""
from __future__ import annotations

import json
import numbers
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from ._deprecated import forwarder
from .params import Spec, check_declared, declare, declared, param


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


#: What every training config declares alike; each gives its own default (and may say more in its help).
STEPS = Spec("number of learning steps", "count", kind=int, low=0)
BATCH = Spec("stimuli per step", "count", kind=int, low=1)
LR = Spec("learning rate of the dictionary update", "dimensionless", kind=float, low=0, low_open=True, high=MAX_LR)
SEED = Spec("seed of the run: its stimuli come from its 'samples' stream (ei_maps.seeds.stream), independent of "
            "the model's 'dictionary' stream even when both seeds agree", kind=int)
CHECKPOINT_EVERY = Spec("steps between checkpoints (0 disables them)", "count", kind=int, low=0)


def _resolved(config: Any, name: str) -> None:
    """An input path made absolute, so a resumed run finds the same data from anywhere."""
    value = getattr(config, name)
    if value is not None:
        try:
            resolved = Path(value).expanduser().resolve()
        except (RuntimeError, OSError) as err:  # a symbolic link that points back at itself
            raise ValueError(f"{name} {value!r} cannot be followed ({err}): a symbolic link loop? Give the real "
                             "file or folder") from None
        object.__setattr__(config, name, str(resolved))


@declared
@dataclass(frozen=True)
class TrainConfig:
    """Parameters of a training run on image patches."""

    steps: int = declare(STEPS, 10_000, help="number of gradient steps")
    batch: int = declare(BATCH, 128, help="patches per step")
    lr: float = declare(LR, 0.03)
    seed: int = declare(SEED, 0)
    patch_size: int = param(16, "patch side", "pixels", low=2)
    images: str | None = param(None, "an IMAGES.mat file or a folder of photographs", kind=str, optional=True,
                               none_means="the bundled photographs")
    whiten: bool = param(True, "whiten the photographs (bundled or from a folder; IMAGES.mat is used as it is)")
    f0: float = param(0.4, "whitening cutoff", "cycles/pixel", low=0, low_open=True)
    checkpoint_every: int = declare(CHECKPOINT_EVERY, 500)
    probe_lam: float = param(0.025, "soft threshold used when probing receptive fields (paper: 0.025)",
                             "dimensionless", low=0)

    def __post_init__(self) -> None:
        check_seed(self.seed)
        check_declared(self)
        _resolved(self, "images")

    def replace(self, **changes: Any) -> "TrainConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)


@declared
@dataclass(frozen=True)
class TextTrainConfig:
    """Parameters of a training run on word vectors (the paper's text experiment)."""

    steps: int = declare(STEPS, 10_000, help="number of gradient steps")
    batch: int = declare(BATCH, 128, help="words per step, drawn by unigram frequency")
    lr: float = declare(LR, 0.01)
    seed: int = declare(SEED, 0)
    n_words: int = param(20_000, "vocabulary: the most frequent alphabetic words of 3+ letters that have a vector",
                         "count", low=2)
    embeddings: str | None = param(None, "a GloVe or word2vec text file", kind=str, optional=True,
                                   none_means="the bundled GloVe 6B 50-d vectors")
    drop_outliers: bool = param(True, "drop embedding coordinates whose mean absolute value is an outlier "
                                      "(as the paper did)")
    checkpoint_every: int = declare(CHECKPOINT_EVERY, 1000)

    def __post_init__(self) -> None:
        check_seed(self.seed)
        check_declared(self)
        _resolved(self, "embeddings")

    def replace(self, **changes: Any) -> "TextTrainConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)


@declared
@dataclass(frozen=True)
class TouchTrainConfig:
    """Parameters of the two-phase touch experiment (training, then a manipulation and more training).

    Territories are measured by :func:`ei_maps.analysis.plasticity.finger_territories`.
    """

    steps: int = declare(STEPS, 4000, help='gradient steps on the normal hand (phase "before")')
    after_steps: int = param(3000, 'further steps from the trained state with the manipulation applied (phase '
                                   '"after")', "count", low=0)
    batch: int = declare(BATCH, 128, help="touches per step (the paper: 128)")
    lr: float = declare(LR, 0.02, help="learning rate of the dictionary update (the paper: 0.02)")
    seed: int = declare(SEED, 0, help="seed of the touches: independent streams for the fixed stimulus set, the "
                                      "batches of each phase and the probes are spawned from it "
                                      "(ei_maps.seeds.stream); the dictionary has its own stream")
    manipulation: str = param("deprive:3", "what changes after the first phase: deprive:F (the paper: every class "
                                           "touching finger F stops), silence:F (F's receptors carry only noise), "
                                           "remove_pair:F,G (a co-activation class stops), syndactyly:F,G (two "
                                           "fingers always touched together), none")
    sample_set: int = param(1000, "size of the fixed set of stimuli batches are drawn from with replacement (the "
                                  "paper: 1,000); 0 draws fresh stimuli for every batch", "count", low=0)
    probe_samples: int = param(200, "fresh stimuli per class when measuring each unit's mean response to every "
                                    "class (the same probes in both phases)", "count", low=1)
    territory_fraction: float = param(0.5, "a unit is in a finger's territory when its mean response, of the "
                                           "class's dominant sign, exceeds this fraction of the class's peak "
                                           "before the manipulation", "dimensionless", low=0, high=1,
                                      low_open=True, high_open=True)
    checkpoint_every: int = declare(CHECKPOINT_EVERY, 1000)

    def __post_init__(self) -> None:
        check_seed(self.seed)
        check_declared(self)

    def replace(self, **changes: Any) -> "TouchTrainConfig":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)


@declared
@dataclass(frozen=True)
class RetinotopicTrainConfig:
    """Parameters of a training run of the retinotopic sheet on whole image regions.

    ``filter``: Olshausen & Field's whitening (the paper's), a difference of
    Gaussians (band-pass), or the same DoG split into rectified ON and OFF
    channels (the model then needs ``channels=2``). With ``images`` None the
    bundled scenes without periodic texture are used
    (:data:`ei_maps.stimuli.regions.SCENE_NAMES`); a folder's photographs are
    read raw and filtered as chosen.
    """

    steps: int = declare(STEPS, 10_000)
    batch: int = declare(BATCH, 32, help="image regions per step")
    lr: float = declare(LR, 0.03, help="learning rate of the field update")
    seed: int = declare(SEED, 0)
    images: str | None = param(None, "a folder of photographs", kind=str, optional=True,
                               none_means="the bundled scenes without periodic texture")
    filter: str = param("whiten", "preprocessing of the photographs: whitening (the paper's), a difference of "
                                  "Gaussians (band-pass) or the DoG split into ON and OFF channels",
                        choices=("whiten", "dog", "onoff"))
    f0: float = param(0.4, "whitening cutoff", "cycles/pixel", low=0, low_open=True)
    dog_center: float = param(1.0, "standard deviation of the DoG's centre", "pixels", low=0, low_open=True)
    dog_surround: float = param(3.0, "standard deviation of the DoG's surround", "pixels", low=0, low_open=True)
    rotations: int = param(8, "copies of each photograph rotated by k * 180 / rotations degrees, which even out "
                              "the orientations of the input's power", "count", low=1)
    roll: bool = param(True, "roll every region by a random offset, so the seam of the periodic region falls "
                             "anywhere on the sheet (False keeps it on the sheet's edges)")
    checkpoint_every: int = declare(CHECKPOINT_EVERY, 1000)
    map_every: int = param(1000, "steps between measurements of the map during training (its column spacing and "
                                 "pinwheel density, shown and saved); 0 measures only at the end", "count", low=0)

    def __post_init__(self) -> None:
        check_seed(self.seed)
        check_declared(self)
        _resolved(self, "images")
        require(self.dog_center < self.dog_surround,
                f"dog_center ({self.dog_center} px) must be smaller than dog_surround ({self.dog_surround} px)")

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

"""A parameter is declared once (ei_maps.params.param) and its check, docs and command-line option follow."""
from __future__ import annotations

import argparse
import inspect
from dataclasses import dataclass

import pytest

from ei_maps.cli import _build_parser, main
from ei_maps.models import ModelConfig
from ei_maps.params import add_options, check_declared, declared, param, specs


@declared
@dataclass(frozen=True)
class _Toy:
    """A toy parameter set."""

    side: int = param(40, "grid side", "grid units", low=1)
    rate: float = param(0.5, "a fraction", "dimensionless", low=0, high=1, high_open=True)
    mode: str = param("a", "how", choices=("a", "b"))
    scale: float | None = param(None, "a scale", "ms", kind=float, low=0, low_open=True, optional=True,
                                none_means="the side in ms")

    def __post_init__(self):
        check_declared(self)


def test_one_declaration_gives_the_check_the_docs_and_the_option():
    # the worked example of adding a parameter: the four lines of _Toy above are all there is
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\), got 1.0"):
        _Toy(rate=1)
    with pytest.raises(ValueError, match=r"side must be a positive integer \[grid units\], got 0"):
        _Toy(side=0)
    with pytest.raises(ValueError, match="mode must be one of 'a', 'b'"):
        _Toy(mode="c")
    with pytest.raises(ValueError, match=r"scale must be > 0 ms, got -1.0"):
        _Toy(scale=-1)
    assert _Toy(scale=2).scale == 2.0 and isinstance(_Toy(scale=2).scale, float)  # an int for a float converts
    doc = inspect.getdoc(_Toy)
    assert "rate : float\n    A fraction (in [0, 1)) [dimensionless]." in doc
    assert "scale : float or None\n    A scale (> 0); ``None`` means the side in ms [ms]." in doc
    parser = argparse.ArgumentParser()
    assert add_options(parser, _Toy) == ["side", "rate", "mode", "scale"]
    args = parser.parse_args(["--side", "7", "--mode", "b"])
    assert (args.side, args.rate, args.mode, args.scale) == (7, None, "b", None)
    with pytest.raises(SystemExit):
        parser.parse_args(["--mode", "c"])
    assert "default the side in ms [ms]" in parser.format_help()


def test_a_structured_value_declares_its_parse_and_text():
    from ei_maps.stimuli.touch import HandConfig

    # the option takes the text form; the class parses it (its own message), --help shows the default as text
    parser = argparse.ArgumentParser()
    add_options(parser, HandConfig, ("pairs",))
    assert "default 1+2,1+3" in parser.format_help()
    args = parser.parse_args(["--pairs", "2+4"])
    assert HandConfig(pairs=args.pairs).pairs == ((2, 4),)
    assert HandConfig(pairs=[[1, 2], [1, 3]]) == HandConfig()  # JSON lists
    with pytest.raises(ValueError, match="pairs take items like 1"):
        HandConfig(pairs="1-2")
    with pytest.raises(TypeError, match="parse="):
        param((1, 2), "a pair", kind=tuple)


def test_every_activation_model_parameter_is_declared_with_a_unit_or_as_a_name():
    declared_fields = specs(ModelConfig)
    assert set(declared_fields) == set(ModelConfig.__dataclass_fields__)
    for name, s in declared_fields.items():
        if s.kind in (int, float) and name != "seed":
            assert s.unit, name
        assert f"{name} : " in ModelConfig.__doc__, name


@pytest.mark.parametrize("name", [n for n, s in specs(ModelConfig).items() if s.low is not None])
def test_every_lower_bound_is_enforced(name):
    s = specs(ModelConfig)[name]
    below = s.low if s.low_open else s.low - 1
    with pytest.raises(ValueError, match=name):
        ModelConfig(**{name: below})


def test_train_images_has_an_option_for_every_activation_model_parameter():
    parser = _build_parser()
    images = parser._defaults["_commands"]["images"]
    actions = {a.dest: a for a in images._actions}
    for name, s in specs(ModelConfig).items():
        if not s.flag:
            continue
        assert name in actions, name
        action = actions[name]
        assert action.default is None, name  # so a command can tell what was given
        assert (action.type is s.kind) if s.kind in (int, float) else (list(action.choices) == list(s.choices)), name


def test_a_declared_option_reaches_the_model(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "images", "--side", "6", "--steps", "2", "--batch", "4", "--eps", "0.01",
                 "--max-iter", "7", "--out", str(out), "--no-figures", "--no-progress", "--json"]) == 0
    from ei_maps import load_model

    model = load_model(out)
    assert model.config.eps == 0.01 and model.config.max_iter == 7


@pytest.mark.parametrize("argv", [["--help"], ["train", "images", "--help"], ["train", "touch", "--help"],
                                  ["train", "text", "--help"], ["waves", "--help"], ["sweep", "--help"],
                                  ["analyze", "--help"], ["reproduce", "--help"]])
def test_every_help_renders(argv, capsys):
    # a '%' in a help text breaks argparse's formatting; this reads every command's help
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "usage:" in text and "option_strings" not in text


def test_brian2_quantities_convert_to_the_declared_unit():
    b2 = pytest.importorskip("brian2")
    from ei_maps.models import LIFCodingConfig

    config = LIFCodingConfig(dt=0.1 * b2.ms, v_reset=-65 * b2.mV, g_leak=50 * b2.Hz, threshold_init=-0.02 * b2.volt)
    assert (config.dt, config.v_reset, config.g_leak, config.threshold_init) == (0.1, -65.0, 0.05, -20.0)
    assert isinstance(config.dt, float)
    with pytest.raises(ValueError, match=r"dt must be in ms, got 3\. \* mvolt"):
        LIFCodingConfig(dt=3 * b2.mV)  # float() of it would silently be 0.003
    with pytest.raises(ValueError, match="side is declared in grid units, so give a plain number"):
        LIFCodingConfig(side=3 * b2.ms)

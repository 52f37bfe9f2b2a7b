"""Names that moved in 0.2 keep working for one release, with a DeprecationWarning naming the new place."""
import importlib

import numpy as np
import pytest

MOVED = [
    ("ei_maps.config", "ModelConfig", "ei_maps.models", "ModelConfig"),
    ("ei_maps.config", "LIFCodingConfig", "ei_maps.models", "LIFCodingConfig"),
    ("ei_maps.config", "LIFConfig", "ei_maps.models", "WaveSheetConfig"),
    ("ei_maps.config", "PAPER_TOUCH_MODEL", "ei_maps.models", "PAPER_TOUCH_MODEL"),
    ("ei_maps.config", "BACKENDS", "ei_maps.models.activation", "ENGINES"),
    ("ei_maps.models.lif", "LIFSheet", "ei_maps.models", "WaveSheet"),
    ("ei_maps.models.lif", "disk_offsets", "ei_maps.sheet", "disk_offsets"),
    ("ei_maps.models.lif_coding", "LIFCodingModel", "ei_maps.models", "LIFCodingModel"),
    ("ei_maps.models.lif_coding", "inhibitory_lattice_shift", "ei_maps.sheet", "inhibitory_lattice_shift"),
    ("ei_maps.models.learning", "normalise_columns", "ei_maps.models.learning", "normalize_columns"),
    ("ei_maps.analysis", "reorganisation", "ei_maps.analysis", "reorganization"),
    ("ei_maps.framework.sweep", "summarise", "ei_maps.framework.sweep", "summarize"),
    ("ei_maps.io", "load_model", "ei_maps", "load_model"),
]


@pytest.mark.parametrize("old_module, old, new_module, new", MOVED)
def test_old_names_warn_and_are_the_new_objects(old_module, old, new_module, new):
    with pytest.warns(DeprecationWarning, match=new):
        found = getattr(importlib.import_module(old_module), old)
    assert found is getattr(importlib.import_module(new_module), new)


def test_unknown_names_still_raise_attribute_error():
    import ei_maps.config

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        ei_maps.config.Nope  # noqa: B018


def test_old_keywords_warn_and_give_the_same_result():
    from ei_maps.models import ActivationModel
    from ei_maps.stimuli.gratings import sine_gratings

    with pytest.warns(DeprecationWarning, match="engine"):
        old = ActivationModel(side=6, n_inputs=9, r_exc=1, r_inh=2, backend="numpy")
    assert old.engine == "numpy"
    with pytest.warns(DeprecationWarning, match="standardize"):
        raw = sine_gratings((4, 4), n_orientations=2, n_phases=2, frequencies=[0.25], standardise=False)
    np.testing.assert_array_equal(raw.values, sine_gratings((4, 4), n_orientations=2, n_phases=2,
                                                            frequencies=[0.25], standardize=False).values)
    with pytest.raises(ValueError, match="engine must be one of"):
        ActivationModel(side=6, n_inputs=9, r_exc=1, r_inh=2, engine="gpu")


def test_runs_saved_with_a_backend_parameter_still_load():
    # 0.1 saved the compute choice in the model config; it is now an argument and ignored on load
    import json
    from dataclasses import asdict

    from ei_maps.config import from_json
    from ei_maps.models import ModelConfig

    text = json.dumps({**asdict(ModelConfig(side=8)), "backend": "numba"})
    assert from_json(ModelConfig, text) == ModelConfig(side=8)


def test_the_runs_module_forwards_to_the_framework():
    import ei_maps
    import ei_maps.runs
    from ei_maps.framework import results

    with pytest.warns(DeprecationWarning, match="ei_maps.runs.load_run moved to ei_maps.framework.results"):
        assert ei_maps.runs.load_run is results.load_run
    assert ei_maps.load_model is results.load_model  # the top-level names are unchanged, and warn nothing

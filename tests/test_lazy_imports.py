"""The command line imports only what a command needs: the heavy SciPy modules stay out of a wave run's startup.

Importing ``scipy.stats`` alone costs about a second, ``scipy.ndimage`` and
``scipy.optimize`` a few tenths each; every command builds its parser from all
experiment modules, so one eager import there is paid by every command.
"""
import subprocess
import sys

import pytest

HEAVY = ("scipy.stats", "scipy.ndimage", "scipy.optimize")


def _imported_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint(' '.join(m for m in %r if m in sys.modules))" % (HEAVY,)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_building_the_command_line_imports_no_heavy_scipy_module():
    assert _imported_after("import ei_maps.cli as c; c._build_parser()") == set()


def test_the_wave_run_path_imports_only_the_image_filters_its_front_detection_needs():
    # everything ``ei-maps waves`` imports before it simulates and analyzes; wave fronts are labelled with
    # scipy.ndimage
    assert _imported_after("import ei_maps.cli as c; c._build_parser(); import ei_maps.experiments.waves; "
                           "import ei_maps.analysis.waves; from ei_maps.models import WaveSheet") == {"scipy.ndimage"}


@pytest.mark.parametrize("package", ["ei_maps", "ei_maps.analysis", "ei_maps.stimuli", "ei_maps.experiments"])
def test_every_public_name_of_a_lazy_package_resolves(package):
    import importlib

    module = importlib.import_module(package)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []
    assert set(module.__all__) <= set(dir(module))


def test_an_unknown_name_of_a_lazy_package_is_an_attribute_error():
    import ei_maps.analysis

    with pytest.raises(AttributeError, match="no_such_name"):
        ei_maps.analysis.no_such_name

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


def test_modules_imported_meanwhile_are_loaded_on_leaving_and_no_thread_is_left():
    import threading

    from ei_maps._lazy import imported_meanwhile

    probe = ("import sys; from ei_maps._lazy import imported_meanwhile\n"
             "with imported_meanwhile(['no_such_module_here', 'json']):\n    pass\n"
             "with imported_meanwhile(['scipy.ndimage']):\n    pass\n"
             "import threading; assert threading.active_count() == 1, threading.enumerate()\n"
             "print('scipy.ndimage' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True"]  # a failing module stops that helper quietly; the next one loads
    before = threading.active_count()
    with pytest.raises(RuntimeError, match="body"):
        with imported_meanwhile(["json"]):
            raise RuntimeError("body")
    assert threading.active_count() == before  # joined even when the body raises


def test_only_a_sheet_on_its_serial_loop_runs_beside_imports(monkeypatch):
    from ei_maps.models import WaveSheet

    small = WaveSheet(side=20)
    assert not small.runs_serially  # not built yet
    small.build()
    assert small.runs_serially
    monkeypatch.setattr(WaveSheet, "MIN_NEURONS_PER_THREAD", 100)
    shared = WaveSheet(side=20)
    shared.build()
    import numba

    assert shared.runs_serially == (numba.get_num_threads() == 1)
    shared._threads = 1
    assert shared.runs_serially

"""The command line imports only what a command needs: the heavy SciPy modules stay out of a wave run's startup.

Importing ``scipy.stats`` alone costs about a second, ``scipy.ndimage`` and
``scipy.optimize`` a few tenths each; every command builds its parser from all
experiment modules, so one eager import there is paid by every command.
"""
import subprocess
import sys

import pytest

HEAVY = ("scipy.stats", "scipy.ndimage", "scipy.optimize", "xarray", "pandas")


def _imported_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint(' '.join(m for m in %r if m in sys.modules))" % (HEAVY,)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_building_the_command_line_imports_no_heavy_scipy_module():
    assert _imported_after("import ei_maps.cli as c; c._build_parser()") == set()


def test_a_wave_sheet_is_built_before_xarray_or_any_heavy_scipy_module_is_imported():
    # everything ``ei-maps waves`` imports before it simulates: xarray and pandas (0.3 s) then load on the
    # helper thread beside the serial loop
    assert _imported_after("import ei_maps.cli as c; c._build_parser(); import ei_maps.experiments.waves; "
                           "from ei_maps.models import WaveSheet; WaveSheet(side=20).build()") == set()


def test_the_wave_analysis_imports_only_the_image_filters_its_front_detection_needs():
    # wave fronts are labelled with scipy.ndimage; the analysis' results are xarray objects
    assert _imported_after("import ei_maps.analysis.waves") == {"scipy.ndimage", "xarray", "pandas"}


def test_a_deferred_module_imports_on_first_use_and_is_the_module_every_importer_sees():
    probe = ("import sys; from ei_maps._lazy import DeferredModule\n"
             "j = DeferredModule('json'); sys.modules.pop('json', None)\n"
             "print('json' in sys.modules)\n"
             "print(j.dumps([1]) == '[1]', 'json' in sys.modules)\n"
             "import json; j.marker = 5; print(json.marker == 5)\n"
             "del j.marker; print(hasattr(json, 'marker'), 'dumps' in dir(j))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "True", "True", "False", "True"]


def test_a_deferred_module_that_cannot_be_imported_fails_where_it_is_used():
    from ei_maps._lazy import DeferredModule

    missing = DeferredModule("no_such_module_here")  # nothing happens yet
    assert "no_such_module_here" in repr(missing)
    with pytest.raises(ModuleNotFoundError, match="no_such_module_here"):
        missing.anything


def test_two_threads_first_using_a_deferred_module_get_one_import():
    probe = ("import sys, threading\n"
             "from ei_maps._lazy import DeferredModule\n"
             "xr = DeferredModule('xarray'); seen = []\n"
             "threads = [threading.Thread(target=lambda: seen.append(xr.Dataset)) for _ in range(4)]\n"
             "[t.start() for t in threads]; [t.join() for t in threads]\n"
             "import xarray; print(len(seen), all(s is xarray.Dataset for s in seen))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["4", "True"]


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

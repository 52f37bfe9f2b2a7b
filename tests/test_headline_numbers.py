"""The README's headline numbers as regression tests (slow: run with ``--runslow``).

Tolerances are stated per number: they cover the spread between seeds and machines measured when the numbers
were written (float32 sums differ in the last bits between CPUs, which moves a trained map slightly), not
today's exact output.
"""
import json

import pytest

pytestmark = pytest.mark.slow


def test_paper_settings_map_measures(tmp_path):
    # README: adjacent |cos| 0.892 vs random 0.054; oriented fraction 0.96; spatial spread 0.41 (10,000 steps)
    from ei_maps.experiments.images import train_images

    s = json.loads(train_images(out=tmp_path, progress=False, figures=False, log=lambda m: None).attrs["summary"])
    assert s["adjacent_similarity"] == pytest.approx(0.892, abs=0.03)
    assert s["random_similarity"] == pytest.approx(0.054, abs=0.03)
    assert s["oriented_fraction"] == pytest.approx(0.96, abs=0.04)
    assert s["spatial_spread_median"] == pytest.approx(0.41, abs=0.06)


def test_published_wave_sheet_statistics(tmp_path):
    # README: the 300 x 300 sheet, 2 s: rates 20.0 / 20.1 Hz, CV 0.85, Fano(100 ms) 0.97, front speed 2.06
    # sites/ms, correlations 0.88 / 0.78 / 0.61 / 0.31 / 0.00 at 1 / 2 / 4 / 8 / >= 16 sites
    pytest.importorskip("brian2")
    from ei_maps.experiments.waves import run_waves

    s = run_waves(out=tmp_path, figures=False, progress=False, log=lambda m: None)
    assert s["rate_exc_hz"] == pytest.approx(20.0, rel=0.1)
    assert s["rate_inh_hz"] == pytest.approx(20.1, rel=0.1)
    assert s["cv_isi_mean"] == pytest.approx(0.85, abs=0.08)
    assert s["fano_100ms"] == pytest.approx(0.97, abs=0.15)
    assert s["wave_speed_median"] == pytest.approx(2.06, rel=0.15)
    corr = s["correlation_by_distance"]
    for d, value in zip(("1", "2", "4", "8", "16"), (0.88, 0.78, 0.61, 0.31, 0.0)):
        assert corr[d] == pytest.approx(value, abs=0.08), d

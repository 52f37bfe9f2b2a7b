"""Tests for ei_maps.plotting: figures build, save, and show the right data."""
from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np
import pytest
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from ei_maps.plotting import (
    MOSAIC_SEPARATOR,
    orientation_colors,
    plot_activation_map,
    plot_orientation_map,
    plot_power_spectrum,
    plot_receptive_fields,
    plot_saccade,
    plot_selectivity,
    plot_similarity_by_distance,
    plot_training,
    receptive_field_mosaic,
    save_figure,
)

NY, NX, P = 6, 6, 4


def make_fields(ny: int = NY, nx: int = NX, p: int = P, seed: int = 0) -> xr.DataArray:
    rng = np.random.default_rng(seed)
    return xr.DataArray(
        rng.normal(size=(ny, nx, p, p)), dims=("unit_y", "unit_x", "patch_y", "patch_x")
    )


def make_history(n: int = 3, drop: tuple[str, ...] = ()) -> xr.Dataset:
    rng = np.random.default_rng(1)
    data = {
        "loss": ("step", 1.0 / (1 + np.arange(n)) + 0.01 * rng.random(n)),
        "sparsity": ("step", 0.1 + 0.01 * rng.random(n)),
        "iterations": ("step", rng.integers(10, 50, size=n)),
        "lam": ("step", np.linspace(0.1, 0.2, n)),
    }
    for name in drop:
        del data[name]
    return xr.Dataset(data, coords={"step": np.arange(n)})


def make_saccade(frames: int = 5, side: int = 8, p: int = 4):
    yy, xx = np.mgrid[0:side, 0:side]
    centers = np.stack([np.full(frames, side / 2), np.linspace(1, side - 2, frames)], axis=1)
    act = np.exp(-((yy - centers[:, :1, None]) ** 2 + (xx - centers[:, 1:, None]) ** 2) / 2.0)
    patches = np.zeros((frames, p, p))
    for t in range(frames):
        patches[t, :, : min(p, t + 1)] = 1.0
    return (
        xr.DataArray(act, dims=("frame", "unit_y", "unit_x")),
        xr.DataArray(patches, dims=("frame", "patch_y", "patch_x")),
        xr.DataArray(centers, dims=("frame", "coord"), coords={"coord": ["y", "x"]}),
    )


def the_image(fig: Figure) -> AxesImage:
    images = [im for ax in fig.axes for im in ax.get_images()]
    assert len(images) == 1
    return images[0]


def assert_png_matches(path, fig: Figure, dpi: int) -> np.ndarray:
    assert path.exists() and path.stat().st_size > 0
    img = mpimg.imread(path)
    w_in, h_in = fig.get_size_inches()
    assert img.shape[1] == pytest.approx(w_in * dpi, abs=1)
    assert img.shape[0] == pytest.approx(h_in * dpi, abs=1)
    return img


# --- save_figure ---------------------------------------------------------
def test_save_figure_writes_png_creates_dirs_and_is_atomic(tmp_path):
    fig = plot_activation_map(make_saccade()[0].isel(frame=0))
    target = tmp_path / "a" / "b" / "map.png"
    out = save_figure(fig, target, dpi=50)
    assert out == target
    assert_png_matches(target, fig, dpi=50)
    # overwrite in place, still no temp files left anywhere
    save_figure(fig, target, dpi=50)
    assert sorted(p.name for p in target.parent.iterdir()) == ["map.png"]


def test_save_figure_failure_leaves_no_temp(tmp_path, monkeypatch):
    fig = plot_activation_map(make_saccade()[0].isel(frame=0))

    def boom(*args, **kwargs):
        raise RuntimeError("render failed")

    monkeypatch.setattr(fig, "savefig", boom)
    with pytest.raises(RuntimeError):
        save_figure(fig, tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []


def test_save_figure_rejects_non_png(tmp_path):
    with pytest.raises(ValueError, match=r"\.png"):
        save_figure(Figure(), tmp_path / "x.pdf")


# --- receptive fields ----------------------------------------------------
def test_receptive_fields_figure_and_png_aspect(tmp_path):
    fig = plot_receptive_fields(make_fields())
    assert isinstance(fig, Figure)
    img = assert_png_matches(save_figure(fig, tmp_path / "rf.png", dpi=60), fig, dpi=60)
    # Without a title the figure is exactly the mosaic (square here).
    side = NY * (P + 1) - 1
    mosaic = the_image(fig).get_array()
    assert mosaic.shape == (side, side)
    assert img.shape[0] == pytest.approx(img.shape[1], abs=1)
    assert not any(ax.get_xticks().size or ax.get_yticks().size for ax in fig.axes)


def test_receptive_fields_rectangular_layout_and_separators():
    fields = make_fields(ny=3, nx=5).isel(patch_x=slice(0, 2))  # patch 4 x 2
    mosaic = receptive_field_mosaic(fields)
    assert mosaic.shape == (3 * 5 - 1, 5 * 3 - 1)
    assert np.all(mosaic[4::5, :] == MOSAIC_SEPARATOR)
    assert np.all(mosaic[:, 2::3] == MOSAIC_SEPARATOR)
    # tile (1, 2) is field (1, 2) scaled to max |value| 1
    tile = mosaic[5:9, 6:8]
    expected = fields.isel(unit_y=1, unit_x=2).values
    np.testing.assert_allclose(tile, expected / np.abs(expected).max())


def test_receptive_fields_zero_field_is_finite_and_peak_hits_vmax():
    fields = make_fields()
    fields[2, 3] = 0.0
    fields[4, 1] = 0.0
    fields[4, 1, 2, 1] = 1.0
    fig = plot_receptive_fields(fields, title="sheet")
    im = the_image(fig)
    mosaic = np.asarray(im.get_array())
    assert np.all(np.isfinite(mosaic))
    s = P + 1
    np.testing.assert_array_equal(mosaic[2 * s : 2 * s + P, 3 * s : 3 * s + P], 0.0)
    peak = mosaic[4 * s + 2, 1 * s + 1]
    assert peak == im.norm.vmax
    assert im.norm(peak) == pytest.approx(1.0)
    # every tile spans at most the color range, zero stays mid-grey
    assert im.norm.vmin == -im.norm.vmax
    tiles = mosaic[mosaic != MOSAIC_SEPARATOR]
    assert tiles.min() >= -1 and tiles.max() <= 1


def test_receptive_fields_dim_order_and_crop():
    fields = make_fields()
    swapped = fields.transpose("patch_x", "unit_x", "patch_y", "unit_y")
    np.testing.assert_array_equal(receptive_field_mosaic(swapped), receptive_field_mosaic(fields))
    fig = plot_receptive_fields(fields, max_side=2)
    assert the_image(fig).get_array().shape == (2 * (P + 1) - 1,) * 2
    with pytest.raises(ValueError, match="max_side"):
        plot_receptive_fields(fields, max_side=0)


def test_figure_size_scales_with_sheet():
    small = plot_receptive_fields(make_fields(ny=6, nx=6, p=2))
    big = plot_receptive_fields(make_fields(ny=40, nx=40, p=2))
    assert big.get_size_inches()[0] == pytest.approx(10.0)
    assert small.get_size_inches()[0] < big.get_size_inches()[0]


def test_wrong_dims_raise_naming_missing():
    fields = make_fields().isel(patch_x=0)
    with pytest.raises(ValueError, match="patch_x"):
        plot_receptive_fields(fields)
    act, patches, _ = make_saccade()
    with pytest.raises(ValueError, match="unit_y"):
        plot_activation_map(act.isel(frame=0).rename(unit_y="row"))
    with pytest.raises(ValueError, match="frame"):
        plot_saccade(act.isel(frame=0), patches)


# --- training ------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 3, 200])
def test_training_panels(tmp_path, n):
    fig = plot_training(make_history(n))
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 4
    assert fig.axes[1].get_ylabel() == "fraction active"
    ticks = fig.axes[-1].get_xticks()
    np.testing.assert_array_equal(ticks, np.round(ticks))  # steps are counts
    assert_png_matches(save_figure(fig, tmp_path / "train.png", dpi=40), fig, dpi=40)


def test_training_running_mean_drawn_for_long_runs():
    fig = plot_training(make_history(200, drop=("lam", "iterations", "sparsity")))
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2  # raw (faint) + running mean (window 4)
    assert lines[0].get_alpha() < 1
    assert np.all(np.isfinite(lines[1].get_ydata()))


def test_training_missing_variable_skips_panel():
    fig = plot_training(make_history(3, drop=("iterations",)))
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss (a.u.)", "fraction active", "\u03bb (a.u.)"]


def test_training_without_known_variables_raises():
    with pytest.raises(ValueError, match="loss"):
        plot_training(xr.Dataset({"other": ("step", [1.0])}))


# --- saccade / activation map --------------------------------------------
def test_saccade_figure(tmp_path):
    act, patches, centroids = make_saccade()
    fig = plot_saccade(act, patches, centroids)
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert [f"t={t}" for t in range(5)] == [t for t in titles if t.startswith("t=")]
    maps = [ax.get_images()[0] for ax in fig.axes if ax.get_images()
            and ax.get_images()[0].get_cmap().name == "RdBu_r"]
    assert len(maps) == 5
    assert len({(m.norm.vmin, m.norm.vmax) for m in maps}) == 1
    assert maps[0].norm.vmin == -maps[0].norm.vmax
    assert any(ax.get_ylabel() == "activation (a.u.)" for ax in fig.axes)  # colorbar
    assert_png_matches(save_figure(fig, tmp_path / "saccade.png", dpi=40), fig, dpi=40)


def test_saccade_without_centroids_and_frame_mismatch():
    act, patches, centroids = make_saccade()
    assert isinstance(plot_saccade(act, patches), Figure)
    with pytest.raises(ValueError, match="frames"):
        plot_saccade(act, patches.isel(frame=slice(0, 3)))
    with pytest.raises(ValueError, match="frames"):
        plot_saccade(act, patches, centroids.isel(frame=slice(0, 2)))


def test_activation_map(tmp_path):
    act = make_saccade()[0].isel(frame=2)
    fig = plot_activation_map(act, title="frame 2")
    im = fig.axes[0].get_images()[0]
    assert im.norm.vmin == -im.norm.vmax == -float(act.max())
    assert_png_matches(save_figure(fig, tmp_path / "map.png", dpi=40), fig, dpi=40)
    # all-zero map must not produce a degenerate color range
    zero = plot_activation_map(xr.zeros_like(act))
    assert zero.axes[0].get_images()[0].norm.vmax > 0


# --- orientation maps ----------------------------------------------------
def make_orientation(ny: int = 6, nx: int = 7, seed: int = 2):
    rng = np.random.default_rng(seed)
    dims = ("unit_y", "unit_x")
    pref = xr.DataArray(rng.uniform(0, np.pi, size=(ny, nx)), dims=dims)
    sel = xr.DataArray(rng.uniform(0.2, 1.0, size=(ny, nx)), dims=dims)
    return pref, sel


def make_pinwheels(charges=(0.5, -0.5, 0.5)) -> xr.Dataset:
    n = len(charges)
    return xr.Dataset({
        "y": ("pinwheel", np.linspace(0.5, 4.5, n)),
        "x": ("pinwheel", np.linspace(1.5, 5.5, n)),
        "charge": ("pinwheel", np.asarray(charges, dtype=float)),
    })


def pinwheel_lines(fig: Figure) -> dict[str, np.ndarray]:
    """Plotted (x, y) points of each pinwheel line, keyed by its label."""
    return {line.get_label(): np.column_stack([line.get_xdata(), line.get_ydata()])
            for ax in fig.axes for line in ax.get_lines()
            if line.get_label().startswith("pinwheel")}


def test_orientation_map_figure_and_png(tmp_path):
    pref, sel = make_orientation()
    fig = plot_orientation_map(pref, sel, make_pinwheels(), title="map")
    assert isinstance(fig, Figure)
    rgb = np.asarray(the_image(fig).get_array())
    assert rgb.shape == (6, 7, 3)
    np.testing.assert_allclose(rgb, orientation_colors(pref, sel))
    assert "preferred orientation (deg)" in [ax.get_xlabel() for ax in fig.axes]  # color key
    assert "selectivity" in fig.get_supxlabel()  # caption: brightness = selectivity
    assert fig.get_suptitle() == "map"
    img = assert_png_matches(save_figure(fig, tmp_path / "ori.png", dpi=40), fig, dpi=40)
    assert img.ndim == 3


def test_orientation_map_hue_is_cyclic_and_zero_selectivity_is_black():
    dims = ("unit_y", "unit_x")
    pref = xr.DataArray([[0.0, np.pi - 1e-9, np.pi / 2]], dims=dims)
    sel = xr.DataArray([[1.0, 1.0, 0.0]], dims=dims)
    rgb = np.asarray(the_image(plot_orientation_map(pref, sel)).get_array())
    np.testing.assert_allclose(rgb[0, 0], rgb[0, 1], atol=1e-6)
    np.testing.assert_allclose(rgb[0, 0], [1.0, 0.0, 0.0], atol=1e-6)  # full red
    np.testing.assert_array_equal(rgb[0, 2], [0.0, 0.0, 0.0])
    # without selectivity every unit is at full brightness, also pi/2
    plain = np.asarray(the_image(plot_orientation_map(pref)).get_array())
    np.testing.assert_allclose(plain.max(axis=-1), 1.0)
    # pi/2 is the opposite hue (cyan): orthogonal orientations look most different
    np.testing.assert_allclose(plain[0, 2], [0.0, 1.0, 1.0], atol=1e-6)


def test_orientation_map_selectivity_scaled_by_99th_percentile():
    pref = xr.DataArray(np.zeros((10, 10)), dims=("unit_y", "unit_x"))
    sel = xr.DataArray(np.linspace(0, 0.5, 100).reshape(10, 10), dims=("unit_y", "unit_x"))
    brightness = orientation_colors(pref, sel).max(axis=-1)  # HSV value
    p99 = np.percentile(sel.values, 99)
    np.testing.assert_allclose(brightness, np.clip(sel.values / p99, 0, 1))


def test_orientation_map_pinwheel_markers():
    pref, sel = make_orientation()
    fig = plot_orientation_map(pref, sel, make_pinwheels((0.5, -0.5, 0.5)))
    lines = pinwheel_lines(fig)
    assert set(lines) == {"pinwheel +1/2 (2)", "pinwheel \u22121/2 (1)"}
    np.testing.assert_allclose(lines["pinwheel \u22121/2 (1)"], [[3.5, 2.5]])  # (x, y)
    legend_texts = [t.get_text() for ax in fig.axes if ax.get_legend()
                    for t in ax.get_legend().get_texts()]
    assert legend_texts == ["pinwheel +1/2 (2)", "pinwheel \u22121/2 (1)"]
    # markers do not change the map's extent
    ax = fig.axes[0]
    assert ax.get_xlim() == (-0.5, 6.5) and ax.get_ylim() == (5.5, -0.5)  # unit_y=0 on top


def test_orientation_map_empty_pinwheels_and_no_selectivity(tmp_path):
    pref, _ = make_orientation()
    fig = plot_orientation_map(pref, pinwheels=make_pinwheels(()))
    lines = pinwheel_lines(fig)
    assert set(lines) == {"pinwheel +1/2 (0)", "pinwheel \u22121/2 (0)"}
    assert all(v.size == 0 for v in lines.values())
    assert fig.get_supxlabel() == ""  # no brightness caption without selectivity
    assert_png_matches(save_figure(fig, tmp_path / "ori.png", dpi=30), fig, dpi=30)


def test_orientation_map_bad_inputs():
    pref, sel = make_orientation()
    with pytest.raises(ValueError, match="unit_x"):
        plot_orientation_map(pref.rename(unit_x="col"))
    with pytest.raises(ValueError, match="unit_y"):
        plot_orientation_map(pref, sel.isel(unit_y=0))
    with pytest.raises(ValueError, match="shape"):
        plot_orientation_map(pref, sel.isel(unit_y=slice(0, 3)))
    with pytest.raises(ValueError, match="charge"):
        plot_orientation_map(pref, pinwheels=make_pinwheels().drop_vars("charge"))
    # dim order does not matter
    np.testing.assert_allclose(orientation_colors(pref.T, sel.T), orientation_colors(pref, sel))


def test_orientation_map_nan_units_are_grey():
    pref, sel = make_orientation()
    pref[0, 0] = np.nan
    sel[1, 1] = np.nan
    rgb = orientation_colors(pref, sel)
    assert np.all(np.isfinite(rgb))
    np.testing.assert_allclose(rgb[0, 0], [0.5, 0.5, 0.5])
    np.testing.assert_allclose(rgb[1, 1], [0.5, 0.5, 0.5])


def test_selectivity_map(tmp_path):
    _, sel = make_orientation()
    fig = plot_selectivity(sel, title="selectivity")
    im = fig.axes[0].get_images()[0]
    assert (im.norm.vmin, im.norm.vmax) == (0.0, 1.0)
    assert im.get_cmap().name.startswith("viridis")
    assert any(ax.get_ylabel() == "orientation selectivity" for ax in fig.axes)
    assert_png_matches(save_figure(fig, tmp_path / "sel.png", dpi=40), fig, dpi=40)
    over = plot_selectivity(sel * 2)
    assert over.axes[0].get_images()[0].norm.vmax == pytest.approx(float((sel * 2).max()))
    with pytest.raises(ValueError, match="unit_y"):
        plot_selectivity(sel.isel(unit_y=0))


# --- map statistics ------------------------------------------------------
def make_spectrum(spacing: float = 8.0, fit: bool = True) -> xr.Dataset:
    k = np.linspace(0.0, 0.5, 21)
    power = np.exp(-((k - 1 / 8) ** 2) / 0.002) + 0.01
    data = {"power": ("wavenumber", power)}
    if fit:
        data["fit"] = ("wavenumber", power * 1.1)
    return xr.Dataset(data, coords={"wavenumber": k}, attrs={"column_spacing": spacing})


def test_power_spectrum(tmp_path):
    fig = plot_power_spectrum(make_spectrum(), title="spectrum")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "spatial frequency (cycles / unit)"
    assert ax.get_ylabel() == "power (a.u.)"
    assert ax.get_yscale() == "log"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["power", "fit", "\u039b = 8.00 units"]
    np.testing.assert_allclose(ax.get_lines()[2].get_xdata(), 1 / 8)
    assert ax.get_lines()[2].get_linestyle() == "--"
    assert_png_matches(save_figure(fig, tmp_path / "spec.png", dpi=40), fig, dpi=40)


def test_power_spectrum_nan_spacing_no_fit_and_nonpositive_power(tmp_path):
    spec = make_spectrum(spacing=np.nan, fit=False)
    fig = plot_power_spectrum(spec)
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["power"]
    assert_png_matches(save_figure(fig, tmp_path / "spec.png", dpi=40), fig, dpi=40)
    spec["power"][0] = 0.0
    assert plot_power_spectrum(spec).axes[0].get_yscale() == "linear"
    with pytest.raises(ValueError, match="wavenumber"):
        plot_power_spectrum(spec.rename(wavenumber="k"))
    with pytest.raises(ValueError, match="power"):
        plot_power_spectrum(spec.rename(power="p"))


def test_similarity_by_distance(tmp_path):
    d = np.arange(1, 9)
    sim = xr.DataArray(1 + np.exp(-d / 2.0), dims="distance", coords={"distance": d})
    fig = plot_similarity_by_distance(sim, title="similarity")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "cortical distance (units)"
    assert ax.get_ylabel() == "similarity / shuffled"
    baseline = [line for line in ax.get_lines() if line.get_label() == "shuffled baseline"]
    assert len(baseline) == 1 and baseline[0].get_linestyle() == "--"
    np.testing.assert_allclose(baseline[0].get_ydata(), 1.0)
    data = [line for line in ax.get_lines() if line.get_marker() == "o"]
    np.testing.assert_allclose(data[0].get_xydata(), np.column_stack([d, sim.values]))
    assert_png_matches(save_figure(fig, tmp_path / "sim.png", dpi=40), fig, dpi=40)
    with pytest.raises(ValueError, match="distance"):
        plot_similarity_by_distance(sim.rename(distance="r"))


def test_wave_gif_frames_are_the_colormap_of_the_counts(tmp_path):
    from matplotlib import colormaps
    from PIL import Image, ImageSequence

    from ei_maps.plotting import save_wave_gif

    rng = np.random.default_rng(3)
    counts = rng.integers(0, 4, size=(6, 5, 7)).astype(np.uint8)
    counts[np.arange(6), 0, 0] = np.arange(6) % 4  # no two frames alike, so none is merged
    movie = xr.DataArray(counts, dims=("frame", "y", "x"))
    path = save_wave_gif(movie, tmp_path / "w.gif", fps=10, scale=2)
    expected = (colormaps["inferno"](counts / counts.max())[..., :3] * 255).astype(np.uint8)
    with Image.open(path) as gif:
        frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(gif)]
    assert len(frames) == 6
    for k, f in enumerate(frames):
        assert f.shape == (10, 14, 3)
        np.testing.assert_array_equal(f[::2, ::2], expected[k])
        np.testing.assert_array_equal(f[1::2, 1::2], expected[k])
    assert not list(tmp_path.glob(".*.tmp"))


def test_every_plotting_function_draws_where_the_caller_says():
    import inspect

    import ei_maps.plotting as plotting

    functions = {n: getattr(plotting, n) for n in dir(plotting) if n.startswith("plot_")}
    assert len(functions) >= 20
    lacking = [n for n, f in functions.items() if not {"ax", "fig"} & set(inspect.signature(f).parameters)]
    assert not lacking, lacking  # matplotlib's convention for library plotting functions


def test_a_panel_goes_in_the_callers_axes_and_panels_in_the_callers_subfigure():
    from matplotlib.figure import Figure as MplFigure

    mine = MplFigure(figsize=(10, 4))
    left, right = mine.subfigures(1, 2)
    ax = left.add_subplot()
    returned = plot_activation_map(make_saccade()[0].isel(frame=0), ax=ax)
    assert returned is mine and ax.images  # drawn into the caller's axes; their figure comes back
    assert plot_training(make_history(50), fig=right) is mine and len(right.axes) >= 2
    with pytest.raises(ValueError, match="already holds axes"):
        plot_training(make_history(50), fig=right)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_activation_map(make_saccade()[0].isel(frame=0), ax=mine)
    # without them: a figure of its own that shows itself in a notebook
    own = plot_activation_map(make_saccade()[0].isel(frame=0))
    assert own is not mine and own._repr_png_().startswith(b"\x89PNG")

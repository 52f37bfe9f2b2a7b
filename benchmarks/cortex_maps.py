"""The figures and tables of docs/pinwheels.md, from finished runs and sweeps.

Usage::

    python benchmarks/cortex_maps.py development RUN [RUN ...]   [--out docs/figures/cortex_development.png]
    python benchmarks/cortex_maps.py table RUN [RUN ...]                       # analyzed runs: one row each
    python benchmarks/cortex_maps.py wavelength SWEEP [SWEEP ...]  [--out docs/figures/cortex_wavelength.png]
    python benchmarks/cortex_maps.py control RUN [RUN ...]                     # non-retinotopic tori
    python benchmarks/cortex_maps.py band RUN [RUN ...]      [--out docs/figures/cortex_band.png]

``development``: Lambda and the pinwheel density (raw map, spectral Lambda:
what training measures every ``--map-every`` steps) against the step, one line
per run. ``table``: each run's ``analysis.nc`` (``ei-maps analyze``) as a
markdown row: Lambda two ways, pinwheels, the four densities, ring contrast.
``wavelength``: the measured Lambda of every configuration and seed of
``ei-maps sweep retinotopic`` folders against the window in sheet units
(``window * units_per_pixel``) and against ``r_inh``, with a least-squares
line; prints the table. ``control``: the paper's non-retinotopic model on
tori of several sides: the power-weighted mean wavelength of its orientation
map against the side. ``band``: each analyzed run's pinwheel densities
against the mean spatial frequency of its training images' power (measured on
the images its filter prepares: whitening cutoffs and DoG widths on one axis).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def _runs(paths):
    from ei_maps.io import load_dataset

    for p in paths:
        p = Path(p)
        name = "run.nc" if (p / "run.nc").is_file() else "checkpoint.nc"
        yield p, load_dataset(p / name)


def development(args) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4), layout="constrained")
    ax_l, ax_d = fig.subplots(1, 2)
    labels = args.labels.split(",") if args.labels else []
    for i, (path, run) in enumerate(_runs(args.runs)):
        step = run["map_step"].values
        label = labels[i] if i < len(labels) else path.name
        ax_l.plot(step, run["map_column_spacing"].values, "o-", ms=3, label=label)
        ax_d.plot(step, run["map_pinwheel_density"].values, "o-", ms=3, label=label)
    ax_l.set_xlabel("learning step")
    ax_l.set_ylabel("column spacing \u039b (units)")
    # what training measures: the raw map per spectral Lambda^2, not cortex's measure (no cortex band here)
    ax_d.set_xlabel("learning step")
    ax_d.set_ylabel("pinwheels per spectral \u039b\u00b2, raw map")
    ax_d.legend(fontsize="small", frameon=False)
    fig.savefig(args.out, dpi=130)
    print(f"wrote {args.out}")


def table(args) -> None:
    from ei_maps.io import load_dataset

    print("| run | steps | Lambda spectral | Lambda wavelet | ring | pinwheels | raw / spectral | filtered / spectral "
          "| raw / wavelet | filtered / wavelet (Kaschube) | selectivity | cardinal fraction |")
    print("| --- |" + " --- |" * 11)
    for path in args.runs:
        a = load_dataset(Path(path) / "analysis.nc")
        s = json.loads(a.attrs["summary"])
        p = s["pinwheels"]
        pref = np.degrees(a["preference"].values).ravel()
        cardinal = float(np.mean(np.minimum(pref % 90, 90 - pref % 90) < 22.5))

        def f(v, d=2):
            return "n/a" if v is None else f"{v:.{d}f}"

        print(f"| {Path(path).name} | {s.get('steps', '')} | {f(s['column_spacing'])} | "
              f"{f(s['column_spacing_wavelet']['mean'])} | {f(s['column_spacing_ring_contrast'], 1)} | {p['count']} | "
              f"{f(p['density'])} | {f(p['density_plateau'])} | {f(p.get('density_wavelet'))} | "
              f"{f(p.get('density_plateau_wavelet'))} | {f(s['orientation']['selectivity_median'], 3)} | "
              f"{cardinal:.2f} |")


def wavelength(args) -> None:
    from matplotlib.figure import Figure

    from ei_maps.io import load_dataset

    rows = []
    for sweep in args.runs:
        ds = load_dataset(Path(sweep) / "sweep.nc")
        flat = ds.stack(configuration=[d for d in ds["column_spacing"].dims]).reset_index("configuration")
        config = json.loads(ds.attrs.get("base_model_config", "{}")) if "base_model_config" in ds.attrs else {}
        for i in range(flat.sizes["configuration"]):
            one = flat.isel(configuration=i)
            get = lambda name, default: float(one[name]) if name in one.coords else default  # noqa: E731
            window = get("window", config.get("window", 16))
            m = get("units_per_pixel", config.get("units_per_pixel", 1.0))
            rows.append({"sweep": Path(sweep).name, "window": window, "units_per_pixel": m,
                         "r_inh": get("r_inh", config.get("r_inh", 5)), "seed": int(get("seed", 0)),
                         "lambda": float(one["column_spacing"]), "lambda_wavelet": float(one["wavelet_spacing"]),
                         "density": float(one["pinwheel_density"]),
                         "predicted": float(one["predicted_wavelength"])})
    print("| sweep | window (px) | units per pixel | window (units) | r_inh | seed | Lambda | mean local Lambda "
          "| Lambda / window (units) | predicted (E/I kernels) |")
    print("| --- |" + " --- |" * 9)
    for r in rows:
        w_units = r["window"] * r["units_per_pixel"]
        print(f"| {r['sweep']} | {r['window']:g} | {r['units_per_pixel']:g} | {w_units:g} | {r['r_inh']:g} | "
              f"{r['seed']} | {r['lambda']:.2f} | {r['lambda_wavelet']:.2f} | {r['lambda'] / w_units:.2f} | "
              f"{r['predicted']:.1f} |")
    fig = Figure(figsize=(10, 4), layout="constrained")
    ax_w, ax_r = fig.subplots(1, 2)
    for i, m in enumerate(sorted({r["units_per_pixel"] for r in rows})):
        mine = [r for r in rows if r["units_per_pixel"] == m and r["r_inh"] == 5]
        ring = [r for r in mine if np.isfinite(r["lambda"])]
        none = [r for r in mine if not np.isfinite(r["lambda"])]
        if ring:
            ax_w.plot([r["window"] * m for r in ring], [r["lambda"] for r in ring], "o", color=f"C{i}",
                      label=f"{m:g} units per pixel: spectral \u039b")
        if none:
            ax_w.plot([r["window"] * m for r in none], [r["lambda_wavelet"] for r in none], "x", color=f"C{i}",
                      label=f"{m:g} units per pixel: no ring (mean local spacing)")
        if len({r["window"] for r in ring}) >= 2:
            x = np.array([r["window"] * m for r in ring])
            slope, icpt = np.polyfit(x, [r["lambda"] for r in ring], 1)
            xs = np.linspace(x.min(), x.max(), 2)
            ax_w.plot(xs, icpt + slope * xs, "-", color=f"C{i}", lw=1,
                      label=f"fit: \u039b = {icpt:.1f} + {slope:.2f} window")
            print(f"{m:g} units per pixel: Lambda = {icpt:.2f} + {slope:.3f} * window (units), least squares")
    ax_w.set_xlabel("window (sheet units = pixels x units per pixel)")
    ax_w.set_ylabel("\u039b (units)")
    ax_w.legend(fontsize="small", frameon=False)
    sel = [r for r in rows if r["window"] == 16 and r["units_per_pixel"] == 1]
    ax_r.plot([r["r_inh"] for r in sel], [r["lambda"] for r in sel], "o", color="C1", label="measured \u039b")
    pred = [r for r in sel if np.isfinite(r["predicted"])]
    ax_r.plot([r["r_inh"] for r in pred], [r["predicted"] for r in pred], "s", mfc="none", color="k",
              label="predicted by the E/I kernels (linear)")
    ax_r.set_xlabel("inhibitory radius r_inh (units); window 16 units")
    ax_r.set_ylabel("\u039b (units)")
    ax_r.set_title("no predicted wavelength below r_inh 10 (no gain peak)", fontsize="small")
    ax_r.legend(fontsize="small", frameon=False)
    fig.savefig(args.out, dpi=130)
    print(f"wrote {args.out}")


def control(args) -> None:
    from ei_maps.analysis.orientation import orientation_field, power_spectrum
    from ei_maps.io import load_dataset

    print("| side | mean wavelength (units) | mean wavelength / side | spectral peak | pinwheels |")
    print("| --- | --- | --- | --- | --- |")
    for path in args.runs:
        a = load_dataset(Path(path) / "analysis.nc")
        s = json.loads(a.attrs["summary"])
        side = a.sizes["unit_y"]
        z = orientation_field(a["preference"].values, a["selectivity"].values)
        spec = power_spectrum(z, periodic=True)
        k, p = spec["wavenumber"].values[1:], spec["power"].values[1:]
        mean = 1 / float(np.sum(k * p) / np.sum(p))
        peak = s["column_spacing"]
        print(f"| {side} | {mean:.2f} | {mean / side:.3f} | {'none' if peak is None else f'{peak:.2f}'} | "
              f"{s['pinwheels']['count']} |")


def _mean_frequency(train: dict) -> float:
    """Power-weighted mean spatial frequency (cycles per pixel) of the images a run's filter prepares."""
    from ei_maps.stimuli.regions import prepare_scenes

    images = prepare_scenes(filter=train["filter"], f0=train["f0"], dog_center=train["dog_center"],
                            dog_surround=train["dog_surround"], rotations=1)
    total = weighted = 0.0
    for im in images:
        planes = im if im.ndim == 3 else im[None]
        for plane in planes:
            p = np.abs(np.fft.fft2(plane - plane.mean())) ** 2
            f = np.hypot(np.fft.fftfreq(plane.shape[0])[:, None], np.fft.fftfreq(plane.shape[1])[None, :])
            total += p.sum()
            weighted += (p * f).sum()
    return weighted / total


def band(args) -> None:
    from matplotlib.figure import Figure

    from ei_maps.io import load_dataset

    rows = []
    for path in args.runs:
        a = load_dataset(Path(path) / "analysis.nc")
        run = load_dataset(Path(path) / "run.nc")
        s = json.loads(a.attrs["summary"])
        train = json.loads(run.attrs["train_config"])
        label = "whiten f0 %g" % train["f0"] if train["filter"] == "whiten" else \
            f"{train['filter']} {train['dog_center']:g}/{train['dog_surround']:g} px"
        rows.append((_mean_frequency(train), label, s["pinwheels"], s["column_spacing"]))
    rows.sort()
    print("| input | mean frequency (cycles/px) | Lambda | raw / spectral | filtered / wavelet (Kaschube) |")
    print("| --- | --- | --- | --- | --- |")
    for f, label, p, lam in rows:
        print(f"| {label} | {f:.3f} | {lam:.2f} | {p['density']:.2f} | {p['density_plateau_wavelet']:.2f} |")
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    ax.axhspan(np.pi - 0.3, np.pi + 0.3, color="C2", alpha=0.2, label="cortex 3.1 \u00b1 0.3")
    for family, marker in (("whiten", "o-"), ("dog", "D"), ("onoff", "^")):
        sel = [r for r in rows if r[1].startswith(family)]
        if not sel:
            continue
        ax.plot([r[0] for r in sel], [r[2]["density_plateau_wavelet"] for r in sel], marker, color="C0",
                label=f"{family}: filtered map, mean local \u039b (Kaschube)")
        ax.plot([r[0] for r in sel], [r[2]["density"] for r in sel], marker.replace("-", "--"), color="C1",
                mfc="none", label=f"{family}: raw map, spectral \u039b")
    for f, label, p, _ in rows:
        ax.annotate(label, (f, p["density_plateau_wavelet"]), fontsize="x-small", xytext=(3, -10),
                    textcoords="offset points")
    ax.set_xlabel("mean spatial frequency of the input's power (cycles / pixel)")
    ax.set_ylabel("pinwheels per \u039b\u00b2")
    ax.legend(fontsize="small", frameon=False)
    fig.savefig(args.out, dpi=130)
    print(f"wrote {args.out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("development", "table", "wavelength", "control", "band"))
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--out", default=None)
    parser.add_argument("--labels", default=None, help="development: comma-separated names of the runs")
    args = parser.parse_args()
    if args.out is None:
        args.out = f"docs/figures/cortex_{args.what}.png"
    {"development": development, "table": table, "wavelength": wavelength, "control": control,
     "band": band}[args.what](args)


if __name__ == "__main__":
    main()

"""Whole image regions for a retinotopic sheet: scenes, their preprocessing, and a periodic region sampler.

A retinotopic sheet (:class:`~ei_maps.models.retinotopic.RetinotopicModel`)
sees a whole ``R x R`` region of an image at once, each unit its own window.
The sheet is a torus, so the region is treated as periodic: its top and
bottom (left and right) edges meet at a *seam*. :class:`RegionSampler` rolls
every region by a random offset, so the seam falls at a new place of the
sheet for every stimulus instead of always on the same units.

Preprocessing (:func:`prepare_scenes`), in the order applied:

1. ``rotations``: copies of each photograph rotated by ``k * 180 / n``
   degrees (cubic interpolation, cropped to the inscribed square), which
   evens out the orientations of the input's power (photographs have more
   power at the cardinal orientations);
2. a filter: ``"whiten"`` (Olshausen & Field's, as the paper), ``"dog"`` (a
   difference of Gaussians, the centre-surround receptive field of retinal
   and LGN cells, band-pass) or ``"onoff"`` (the same DoG split into a
   rectified ON and an OFF channel, as in GCAL's LGN);
3. each image scaled to variance 0.1, like :func:`~ei_maps.stimuli.whiten`.

:func:`orientation_power` measures how the input's power is spread over
orientations, and how much of it sits in one periodic component.
Positions and sizes are in pixels, frequencies in cycles per pixel.
"""
from __future__ import annotations

import math
from numbers import Integral
from typing import Any, Sequence

import numpy as np

from .._lazy import DeferredModule
from ._seeded import SeededSampler
from .images import BUNDLED_NAMES, FLAT_STD, _check_positive, _crop_square, _float_dtype, _raw_bundled, _validate, \
    whiten

xr = DeferredModule("xarray")

__all__ = ["FILTERS", "SCENE_NAMES", "RegionSampler", "difference_of_gaussians", "orientation_power",
           "prepare_scenes", "rotated_copies"]

#: The bundled photographs without a periodic component or a dominant orientation (measured with
#: :func:`orientation_power`, docs/pinwheels.md): a single Fourier coefficient at most 33x the median power
#: at its frequency (brick 1154x, rocket 629x, camera 77x, moon 54x) and anisotropy below 0.2 (brick and
#: rocket 0.67, camera and moon 0.29). Grass and gravel are natural textures, but not periodic ones.
SCENE_NAMES: tuple[str, ...] = ("astronaut", "chelsea", "coffee", "grass", "gravel")

#: Filters of :func:`prepare_scenes`.
FILTERS = ("whiten", "dog", "onoff")

#: Variance of every prepared image (as :func:`~ei_maps.stimuli.whiten` leaves them) [squared intensity].
VARIANCE = 0.1


def rotated_copies(image: np.ndarray, n: int) -> list[np.ndarray]:
    """``n`` copies of an image rotated by ``k * 180 / n`` degrees, each cropped to its inscribed square.

    Parameters
    ----------
    image : (H, W) array_like
        Grey image [arbitrary intensity units].
    n : int
        Number of copies (1: the image itself, cropped square) [count].

    Returns
    -------
    list of 2-D ndarray of float64
        Square images; all but the unrotated one are ``floor(side / sqrt(2))`` a side.
    """
    from scipy import ndimage

    if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
        raise ValueError(f"rotations must be an integer >= 1, got {n!r}")
    img = _crop_square(np.asarray(image, dtype=np.float64))
    side = img.shape[0]
    out = [np.ascontiguousarray(img)]
    inner = int(side / math.sqrt(2))
    start = (side - inner) // 2
    for k in range(1, int(n)):
        turned = ndimage.rotate(img, 180.0 * k / n, reshape=False, order=3, mode="reflect")
        out.append(np.ascontiguousarray(turned[start:start + inner, start:start + inner]))
    return out


def difference_of_gaussians(image: np.ndarray, center: float, surround: float) -> np.ndarray:
    """Centre-surround (band-pass) filtering: ``G_center * image - G_surround * image``, periodic edges.

    Parameters
    ----------
    image : (H, W) array_like
        Grey image [arbitrary intensity units].
    center, surround : float
        Standard deviations of the two Gaussians, ``center < surround`` [pixels].

    Returns
    -------
    (H, W) ndarray of float64
        The filtered image (mean 0) [arbitrary intensity units].
    """
    _check_positive(center, "dog center")
    _check_positive(surround, "dog surround")
    if not center < surround:
        raise ValueError(f"the DoG centre ({center} px) must be narrower than its surround ({surround} px)")
    img = np.asarray(image, dtype=np.float64)
    fy = np.fft.fftfreq(img.shape[0])[:, None]
    fx = np.fft.fftfreq(img.shape[1])[None, :]
    f2 = fy**2 + fx**2
    # the transform of a unit-area Gaussian of std s is exp(-2 pi^2 s^2 f^2)
    filt = np.exp(-2 * np.pi**2 * center**2 * f2) - np.exp(-2 * np.pi**2 * surround**2 * f2)
    return np.fft.ifft2(np.fft.fft2(img - img.mean()) * filt).real


def _scaled(img: np.ndarray) -> np.ndarray:
    var = float(np.mean(img**2))
    if not var > 0:
        raise ValueError("an image has no power left after filtering")
    return img * math.sqrt(VARIANCE / var)


def prepare_scenes(images: Sequence[np.ndarray] | None = None, names: Sequence[str] | None = SCENE_NAMES,
                   filter: str = "whiten", f0: float = 0.4, dog_center: float = 1.0, dog_surround: float = 3.0,
                   rotations: int = 1) -> list[np.ndarray]:
    """Raw photographs made into a retinotopic sheet's input: rotated copies, filtered, variance 0.1.

    Parameters
    ----------
    images : sequence of (H, W) arrays, optional
        Raw grey photographs (not whitened) [arbitrary intensity units];
        default the bundled ones named in ``names``.
    names : sequence of str or None
        Which bundled photographs (:data:`~ei_maps.stimuli.images.BUNDLED_NAMES`),
        when ``images`` is not given; default :data:`SCENE_NAMES`; None: all.
    filter : {"whiten", "dog", "onoff"}
        See the module's description.
    f0 : float
        Whitening cutoff [cycles per pixel].
    dog_center, dog_surround : float
        Standard deviations of the DoG's Gaussians [pixels].
    rotations : int
        Rotated copies of each photograph (:func:`rotated_copies`) [count].

    Returns
    -------
    list of ndarray
        (N, N) images, or (2, N, N) ON/OFF pairs for ``"onoff"`` (both
        channels non-negative), each of variance (mean square) 0.1.
    """
    if filter not in FILTERS:
        raise ValueError(f"filter must be one of {FILTERS}, got {filter!r}")
    if images is None:
        chosen = BUNDLED_NAMES if names is None else tuple(names)
        unknown = [n for n in chosen if n not in BUNDLED_NAMES]
        if unknown or not chosen:
            raise ValueError(f"unknown bundled image(s) {unknown or chosen!r}; the bundled ones are "
                             f"{', '.join(BUNDLED_NAMES)}")
        raw = _raw_bundled()
        images = [raw[BUNDLED_NAMES.index(n)] for n in chosen]
    out = []
    for i, image in enumerate(images):
        img = np.asarray(image, dtype=np.float64)
        _validate(img, f"image {i}")
        for turned in rotated_copies(img, rotations):
            if filter == "whiten":
                out.append(whiten(turned, f0=f0, variance=VARIANCE))
                continue
            band = _scaled(difference_of_gaussians(turned, dog_center, dog_surround))
            if filter == "dog":
                out.append(band)
            else:
                out.append(np.stack([np.maximum(band, 0), np.maximum(-band, 0)]))
    return out


class RegionSampler(SeededSampler):
    """Random square regions of a set of images, each treated as periodic and rolled by a random offset.

    A region is drawn by choosing an image uniformly, then a top-left pixel
    uniformly among the positions where it fits; it is rolled by a random
    ``(dy, dx)`` (so the seam where its edges meet falls anywhere on the
    sheet), flattened as (channel, y, x) and standardized: one-channel
    regions to mean 0 and standard deviation 1, ON/OFF regions (kept
    non-negative) to a mean square of 1. Flat regions are redrawn.

    Parameters
    ----------
    images : sequence of (H, W) or (C, H, W) arrays
        Prepared images (:func:`prepare_scenes`), all with the same channels,
        each at least ``region`` pixels a side [arbitrary intensity units].
    region : int
        Region side R [pixels].
    seed : int or None
        Seed of the generator (same seed, same batches).
    dtype : dtype
        Floating type of the batches.
    roll : bool
        Roll each region by a random offset (default). ``False`` keeps every
        seam on the sheet's edges.

    Attributes
    ----------
    n_inputs : int
        ``channels * region**2``, the width of a batch.
    channels : int
    """

    MAX_REDRAWS = 1000

    def __init__(self, images: Sequence[np.ndarray], region: int, seed: int | None = 0, dtype: Any = "float32",
                 roll: bool = True) -> None:
        if isinstance(region, bool) or not isinstance(region, Integral) or region < 2:
            raise ValueError(f"region must be an integer >= 2 (pixels), got {region!r}")
        self.dtype = _float_dtype(dtype)
        imgs = [np.asarray(im, dtype=np.float64) for im in images]
        if not imgs:
            raise ValueError("RegionSampler needs at least one image, got an empty list")
        imgs = [im[None] if im.ndim == 2 else im for im in imgs]
        channels = imgs[0].shape[0]
        for i, im in enumerate(imgs):
            if im.ndim != 3 or im.shape[0] != channels:
                raise ValueError(f"image {i}: expected (H, W) or ({channels}, H, W), got shape {im.shape}")
            if min(im.shape[1:]) < region:
                raise ValueError(f"image {i} of shape {im.shape[1:]} is smaller than the {region} x {region} region")
            if not np.all(np.isfinite(im)):
                raise ValueError(f"image {i} contains NaN or inf")
        self.region = int(region)
        self.channels = channels
        self.n_inputs = channels * self.region**2
        self.n_images = len(imgs)
        self.roll = bool(roll)
        self._images = imgs
        self._rng = np.random.default_rng(seed)

    def _draw(self, n: int) -> np.ndarray:
        rng, r = self._rng, self.region
        out = np.empty((n, self.channels, r, r))
        for k in range(n):
            im = self._images[int(rng.integers(0, self.n_images))]
            y = int(rng.integers(0, im.shape[1] - r + 1))
            x = int(rng.integers(0, im.shape[2] - r + 1))
            block = im[:, y:y + r, x:x + r]
            if self.roll:
                block = np.roll(block, (int(rng.integers(0, r)), int(rng.integers(0, r))), axis=(1, 2))
            out[k] = block
        return out.reshape(n, -1)

    def sample(self, batch: int) -> np.ndarray:
        """A batch of standardized regions.

        Parameters
        ----------
        batch : int
            Number of regions (>= 1) [count].

        Returns
        -------
        (batch, n_inputs) ndarray of ``dtype``
            Rows are regions flattened (channel, y, x).
        """
        if isinstance(batch, bool) or not isinstance(batch, Integral) or batch < 1:
            raise ValueError(f"batch must be an integer >= 1, got {batch!r}")
        x = self._draw(int(batch))
        for _ in range(self.MAX_REDRAWS):
            if self.channels == 1:
                x -= x.mean(axis=1, keepdims=True)
            scale = np.sqrt(np.mean(x**2, axis=1))
            flat = np.flatnonzero(scale < FLAT_STD)
            if not flat.size:
                break
            x[flat] = self._draw(flat.size)
        else:
            raise ValueError(f"could not find non-flat regions after {self.MAX_REDRAWS} redraws")
        x /= scale[:, None]
        return x.astype(self.dtype, copy=False)

    def __repr__(self) -> str:
        return (f"RegionSampler(n_images={self.n_images}, region={self.region}, channels={self.channels}, "
                f"roll={self.roll}, dtype={self.dtype})")


def orientation_power(image: np.ndarray, n_bins: int = 8, band: tuple[float, float] = (1 / 32, 0.4)
                      ) -> xr.Dataset:
    """How an image's power is spread over orientations, and how much sits in one periodic component.

    Parameters
    ----------
    image : (H, W) or (C, H, W) array_like
        The image (channels are summed in power) [arbitrary intensity units].
    n_bins : int
        Orientation bins over [0, 180) degrees [count].
    band : (float, float)
        Spatial frequencies counted, low and high [cycles per pixel].

    Returns
    -------
    xarray.Dataset
        ``fraction`` on ``orientation`` (degrees; the orientation of the
        stripes, 0 = horizontal) sums to 1 over the band, with attrs
        ``anisotropy`` (``|sum P exp(2i theta)| / sum P``: 0 for isotropic
        power, 1 for one orientation), ``cardinal_excess`` (power within
        22.5 degrees of horizontal or vertical over the isotropic half),
        ``peak_ratio`` (the largest single Fourier coefficient's power over
        the median power at its frequency: large for periodic texture) and
        ``peak_period`` (its period) [pixels].
    """
    img = np.asarray(image, dtype=np.float64)
    img = img[None] if img.ndim == 2 else img
    if img.ndim != 3 or min(img.shape[1:]) < 8:
        raise ValueError(f"orientation_power needs a 2-D image (or channels of one) at least 8 pixels a side, "
                         f"got shape {np.shape(image)}")
    lo, hi = band
    if not 0 <= lo < hi <= 0.5 * math.sqrt(2):
        raise ValueError(f"band must be (low, high) with 0 <= low < high <= 0.707 cycles per pixel, got {band!r}")
    ny, nx = img.shape[1:]
    win = np.outer(np.hanning(ny), np.hanning(nx))
    power = sum(np.abs(np.fft.fft2((c - c.mean()) * win)) ** 2 for c in img)
    fy = np.fft.fftfreq(ny)[:, None]
    fx = np.fft.fftfreq(nx)[None, :]
    f = np.hypot(fy, fx)
    inside = (f >= lo) & (f <= hi)
    # stripes run perpendicular to their wave vector
    theta = (np.arctan2(fy, fx) + np.pi / 2) % np.pi
    theta = np.broadcast_to(theta, f.shape)
    p, t = power[inside], theta[inside]
    bins = np.minimum((t / np.pi * n_bins).astype(int), n_bins - 1)
    fraction = np.bincount(bins, weights=p, minlength=n_bins) / p.sum()
    anisotropy = float(np.abs(np.sum(p * np.exp(2j * t))) / p.sum())
    near = np.minimum(np.abs(((t + np.pi / 4) % (np.pi / 2)) - np.pi / 4), np.pi)
    cardinal = float(p[near < np.pi / 8].sum() / p.sum())
    ring = np.rint(f * max(ny, nx)).astype(int)
    medians = {r: np.median(power[(ring == r) & inside]) for r in np.unique(ring[inside])}
    ratio = power[inside] / np.array([medians[r] for r in ring[inside]])
    k = int(np.argmax(ratio))
    ds = xr.Dataset({"fraction": ("orientation", fraction)},
                    coords={"orientation": (np.arange(n_bins) + 0.5) * 180.0 / n_bins})
    ds["orientation"].attrs.update(units="degree", long_name="stripe orientation (0 = horizontal)")
    ds["fraction"].attrs.update(units="1", long_name="fraction of the band's power")
    ds.attrs.update(anisotropy=anisotropy, cardinal_excess=cardinal / 0.5, peak_ratio=float(ratio[k]),
                    peak_period=float(1.0 / f[inside][k]), band=list(band))
    return ds

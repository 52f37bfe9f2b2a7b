"""Natural-image stimuli: whitened photographs and random patches drawn from them.

The training data of the image experiment are small patches of whitened
natural photographs, prepared the way Olshausen & Field prepared their
``IMAGES.mat``: each photograph is filtered with the whitening/low-pass filter

    R(f) = |f| * exp(-(|f| / f0)**4)          f in cycles/pixel, f0 = 0.4

which flattens the ~1/|f| amplitude spectrum of natural scenes and removes the
corner frequencies, then scaled to variance 0.1.

Image sources
-------------
* ``None``: nine photographs bundled with scikit-image (no download), whitened
  once and cached on disk (``$EI_MAPS_CACHE`` or ``~/.cache/ei-maps``).
* an ``IMAGES.mat`` file (Olshausen's ten 512 x 512 whitened images).
* a folder of PNG/JPEG/TIFF photographs.

All pixel arrays are 2-D ``float64`` in arbitrary intensity units (variance
0.1 after whitening); positions and sizes are in pixels.
"""
from __future__ import annotations

import functools
import math
import os
import warnings
from numbers import Integral
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from scipy import ndimage

from ._seeded import SeededSampler

__all__ = [
    "BUNDLED_NAMES",
    "IMAGE_EXTENSIONS",
    "image_files",
    "images_fingerprint",
    "read_image_file",
    "PatchSampler",
    "bundled_images",
    "extract_patch",
    "find_edge_path",
    "load_image_folder",
    "load_images",
    "load_images_mat",
    "whiten",
]

#: scikit-image sample photographs used as the default data: outdoor scenes,
#: animals, a portrait and textures; no text, charts or synthetic images.
BUNDLED_NAMES: tuple[str, ...] = (
    "camera", "astronaut", "chelsea", "coffee", "rocket", "grass", "gravel", "brick", "moon")

#: File extensions (lower case) read by :func:`load_image_folder`.
IMAGE_EXTENSIONS: frozenset[str] = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})

#: Patches whose standard deviation is below this are treated as flat.
FLAT_STD = 1e-6

# Bump when the preparation recipe changes so stale cache files are ignored.
_CACHE_VERSION = 1


# --------------------------------------------------------------------------
# whitening


def whiten(image: np.ndarray, f0: float = 0.4, variance: float = 0.1) -> np.ndarray:
    """Whiten an image with Olshausen & Field's filter and fix its variance.

    The image mean is removed, its 2-D spectrum is multiplied by
    ``R(f) = |f| * exp(-(|f| / f0)**4)`` and the real part of the inverse FFT
    is scaled to ``variance``.

    Parameters
    ----------
    image : (H, W) array_like
        Grey-scale image, any real dtype [arbitrary intensity units].
        Non-square images are whitened as they are: the frequency grid is
        ``np.fft.fftfreq`` of each axis, so ``|f|`` is in cycles/pixel along
        both axes and no cropping is needed.
    f0 : float
        Cutoff of the low-pass part of the filter (> 0) [cycles per pixel];
        Nyquist is 0.5 cycles/pixel.
    variance : float
        Variance (ddof=0) of the returned image (> 0) [squared intensity units].

    Returns
    -------
    (H, W) ndarray of float64
        Whitened image with mean 0 and variance ``variance``.

    Raises
    ------
    ValueError
        If the image is not 2-D, not finite, constant, or the parameters are
        out of range.

    Notes
    -----
    The variance is fixed per image. Olshausen's script scaled all ten
    images by one common factor (their mean variance), so individual images
    of ``IMAGES.mat`` deviate slightly from 0.1.
    """
    img = np.asarray(image)
    if img.ndim != 2:
        raise ValueError(f"whiten expects a 2-D grey-scale image, got shape {img.shape}")
    if not (np.issubdtype(img.dtype, np.number) or img.dtype == bool) or np.iscomplexobj(img):
        raise ValueError(f"whiten expects a real numeric image, got dtype {img.dtype}")
    _check_positive(f0, "f0")
    _check_positive(variance, "variance")
    img = img.astype(np.float64)
    if not np.all(np.isfinite(img)):
        raise ValueError("whiten: image contains NaN or inf")

    # The filter is zero at DC, so subtracting the mean changes nothing in
    # exact arithmetic; it keeps a large offset from costing FFT precision.
    img = img - img.mean()
    fy = np.fft.fftfreq(img.shape[0])[:, None]
    fx = np.fft.fftfreq(img.shape[1])[None, :]
    rho = np.hypot(fy, fx)
    filt = rho * np.exp(-((rho / f0) ** 4))
    out = np.fft.ifft2(np.fft.fft2(img) * filt).real
    out -= out.mean()
    var = out.var()
    # a constant image (or one whose only content the filter removes) has
    # nothing to scale; relative tolerance because the input units are free
    if not var > 1e-24 * max(1.0, float(np.abs(img).max()) ** 2):
        raise ValueError("whiten: image is constant (nothing left after removing the mean)")
    out *= math.sqrt(variance / var)
    return out


def _check_positive(value: float, name: str) -> None:
    try:
        ok = math.isfinite(value) and value > 0
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


# --------------------------------------------------------------------------
# grey-scale conversion and validation


def _as_grey(img: np.ndarray, what: str) -> np.ndarray:
    """Float64 grey-scale version of an image read from disk or skimage.data.

    Integer images are scaled to [0, 1] (by the dtype's maximum), an alpha
    channel is dropped and RGB is converted with ``skimage.color.rgb2gray``.
    """
    img = np.asarray(img)
    if img.dtype == bool:
        img = img.astype(np.float64)
    elif np.issubdtype(img.dtype, np.integer):
        img = img.astype(np.float64) / np.iinfo(img.dtype).max
    elif np.issubdtype(img.dtype, np.floating):
        img = img.astype(np.float64)
    else:
        raise ValueError(f"{what}: unsupported pixel type {img.dtype}")
    if img.ndim == 3 and img.shape[-1] in (1, 2, 3, 4):
        channels = img.shape[-1]
        if channels in (2, 4):  # grey+alpha or RGBA: transparency is not luminance
            img = img[..., :-1]
        if img.shape[-1] == 3:
            from skimage.color import rgb2gray

            img = rgb2gray(img)
        else:
            img = img[..., 0]
    if img.ndim != 2:
        raise ValueError(f"{what}: expected a 2-D grey-scale or RGB(A) image, got shape {img.shape}")
    return img


def _crop_square(img: np.ndarray) -> np.ndarray:
    """Largest centered square of a 2-D image (the extra row/column goes at the end)."""
    h, w = img.shape
    n = min(h, w)
    y0, x0 = (h - n) // 2, (w - n) // 2
    return img[y0:y0 + n, x0:x0 + n]


def _validate(img: np.ndarray, what: str) -> None:
    """Raise ValueError unless ``img`` is a finite, non-constant 2-D array."""
    if img.ndim != 2:
        raise ValueError(f"{what}: expected a 2-D image, got shape {img.shape}")
    if img.size == 0:
        raise ValueError(f"{what}: image is empty (shape {img.shape})")
    bad = ~np.isfinite(img)
    if bad.any():
        raise ValueError(f"{what}: image contains {int(bad.sum())} NaN/inf pixel(s)")
    if np.ptp(img) == 0:
        raise ValueError(f"{what}: image is constant (value {float(img.flat[0]):g}): it has no pattern to learn")
    largest = float(np.max(np.abs(img)))
    if largest > MAX_PIXEL:
        raise ValueError(f"{what}: pixel values up to {largest:.3g} are too large to compute with (sums of "
                         f"squares overflow float64 beyond about {MAX_PIXEL:.0e}); rescale the images")


#: Largest pixel magnitude accepted: patch norms and whitening square the values.
MAX_PIXEL = 1e100


# --------------------------------------------------------------------------
# bundled photographs, cached


def _cache_dir() -> Path:
    """``$EI_MAPS_CACHE``, else ``$XDG_CACHE_HOME/ei-maps``, else ``~/.cache/ei-maps``."""
    env = os.environ.get("EI_MAPS_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "ei-maps"


def _cache_path(f0: float) -> Path:
    return _cache_dir() / f"bundled_images_f0{float(f0)!r}.npz"


def _raw_bundled() -> list[np.ndarray]:
    """The bundled photographs: grey, float64 in [0, 1], centered square crops."""
    import skimage.data

    out = []
    for name in BUNDLED_NAMES:
        img = _crop_square(_as_grey(getattr(skimage.data, name)(), f"skimage.data.{name}"))
        _validate(img, f"skimage.data.{name}")
        out.append(np.ascontiguousarray(img))
    return out


def _prepare_bundled(f0: float) -> list[np.ndarray]:
    return [whiten(img, f0=f0) for img in _raw_bundled()]


def _read_cache(path: Path, f0: float) -> list[np.ndarray] | None:
    """Images from a cache file, or None if it is missing, stale or corrupt."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            if (int(npz["version"]) != _CACHE_VERSION or float(npz["f0"]) != float(f0)
                    or tuple(str(n) for n in npz["names"]) != BUNDLED_NAMES):
                return None
            images = [np.array(npz[f"image{i}"], dtype=np.float64) for i in range(len(BUNDLED_NAMES))]
    except FileNotFoundError:
        return None
    except Exception:  # truncated or foreign file: recompute and overwrite
        return None
    for img in images:
        if img.ndim != 2 or not np.all(np.isfinite(img)):
            return None
    return images


def _write_cache(path: Path, f0: float, images: list[np.ndarray]) -> None:
    """Write atomically so a concurrent reader never sees a half-written file."""
    from ..io import atomic_write

    def write(tmp: Path) -> None:
        # an open file, not a name: np.savez would append ".npz" to the temp name
        with open(tmp, "wb") as fh:
            np.savez(fh, version=np.int64(_CACHE_VERSION), f0=np.float64(f0),
                     names=np.array(BUNDLED_NAMES), **{f"image{i}": im for i, im in enumerate(images)})

    try:
        atomic_write(path, write)
    except OSError as exc:
        # an unwritable cache only costs recomputation next time
        warnings.warn(f"could not write the image cache {path}: {exc}", RuntimeWarning, stacklevel=3)


@functools.lru_cache(maxsize=8)
def _bundled_cached(f0: float) -> tuple[np.ndarray, ...]:
    path = _cache_path(f0)
    images = _read_cache(path, f0)
    if images is None:
        images = _prepare_bundled(f0)
        _write_cache(path, f0, images)
    for img in images:
        # shared between callers through the lru cache: guard against in-place edits
        img.setflags(write=False)
    return tuple(images)


def bundled_images(f0: float = 0.4) -> list[np.ndarray]:
    """Whitened grey-scale photographs bundled with scikit-image.

    The nine images of :data:`BUNDLED_NAMES` are converted to grey, cropped
    to their largest centered square (300 to 512 pixels a side) and whitened
    with :func:`whiten` (variance 0.1). The result is cached on disk as
    ``bundled_images_f0{f0}.npz`` in ``$EI_MAPS_CACHE`` (default
    ``~/.cache/ei-maps``) and in memory; an unwritable cache directory only
    means recomputing (about a second).

    Parameters
    ----------
    f0 : float
        Whitening cutoff [cycles per pixel].

    Returns
    -------
    list of (N, N) ndarray of float64
        Read-only arrays (shared with the in-memory cache); copy before
        editing them.
    """
    _check_positive(f0, "f0")
    return list(_bundled_cached(float(f0)))


# --------------------------------------------------------------------------
# loaders


def load_images_mat(path: str | os.PathLike) -> list[np.ndarray]:
    """Read Olshausen & Field's ``IMAGES.mat``.

    Parameters
    ----------
    path : path-like
        MATLAB (v4/v5/v7, not v7.3/HDF5) file with a variable ``IMAGES`` of
        shape (H, W, n_images), e.g. (512, 512, 10), already whitened.

    Returns
    -------
    list of (H, W) ndarray of float64
        One image per slice of the last axis, unchanged (not re-whitened,
        not cropped).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file cannot be read as a MATLAB file, has no ``IMAGES``
        variable, ``IMAGES`` is not 3-D numeric, or an image is not finite or
        constant.
    """
    from scipy.io import loadmat

    path = Path(path).expanduser()
    if not path.is_file():
        if path.exists():
            raise ValueError(f"{path}: is not a file (expected an IMAGES.mat file)")
        raise FileNotFoundError(f"{path}: no such file (expected an IMAGES.mat file)")
    try:
        data = loadmat(str(path))
    except NotImplementedError as exc:  # scipy's answer to v7.3 (HDF5) files
        raise ValueError(f"{path}: cannot read this MATLAB file ({exc}); "
                         "re-save it in MATLAB with save(..., '-v7')") from exc
    except Exception as exc:
        raise ValueError(f"{path}: not a readable MATLAB .mat file ({type(exc).__name__}: {exc})") from exc
    if "IMAGES" not in data:
        found = sorted(k for k in data if not k.startswith("__"))
        raise ValueError(f"{path}: no variable 'IMAGES' in the file (found: {', '.join(found) or 'none'})")
    arr = np.asarray(data["IMAGES"])
    if arr.ndim != 3:
        raise ValueError(f"{path}: 'IMAGES' must be 3-D (height, width, n_images), got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise ValueError(f"{path}: 'IMAGES' must be real numbers, got dtype {arr.dtype}")
    images = [np.ascontiguousarray(arr[:, :, i], dtype=np.float64) for i in range(arr.shape[2])]
    if not images:
        raise ValueError(f"{path}: 'IMAGES' holds no images (shape {arr.shape})")
    for i, img in enumerate(images):
        _validate(img, f"{path}: IMAGES[:, :, {i}]")
    return images


def load_image_folder(path: str | os.PathLike, whiten_images: bool = True,
                      f0: float = 0.4, min_size: int = 1) -> list[np.ndarray]:
    """Read all PNG/JPEG/TIFF photographs in a folder (not recursive).

    Files are read in sorted name order with :func:`read_image_file`
    (Pillow; CMYK converted to RGB); integer pixels are scaled to [0, 1], an alpha channel is dropped, RGB is turned
    grey with ``skimage.color.rgb2gray`` and each image is cropped to its
    largest centered square.

    Parameters
    ----------
    path : path-like
        Folder; files with extensions ``.png .jpg .jpeg .tif .tiff`` (any
        case) are read, everything else is ignored.
    whiten_images : bool
        ``True``: :func:`whiten` each image (mean 0, variance 0.1).
        ``False``: only subtract each image's mean; the pixel values keep
        their [0, 1] intensity scale (no variance normalization).
    f0 : float
        Whitening cutoff [cycles per pixel].
    min_size : int
        Smallest acceptable side after cropping [pixels], e.g. the patch size;
        a smaller image is an error naming the file.

    Returns
    -------
    list of (N, N) ndarray of float64

    Raises
    ------
    FileNotFoundError
        If the folder does not exist.
    ValueError
        If ``path`` is not a folder, holds no image files, a file cannot be
        read (the file is named), or an image is not 2-D grey/RGB(A), not
        finite, or constant.
    """
    if whiten_images:
        _check_positive(f0, "f0")
    images = []
    for file in image_files(path):
        img = _crop_square(_as_grey(read_image_file(file), str(file)))
        if img.shape[0] < max(min_size, 2):
            raise ValueError(f"{file}: image is {img.shape[0]} x {img.shape[1]} pixels after cropping to its "
                             f"centred square, smaller than the {max(min_size, 2)} x {max(min_size, 2)} patch "
                             "(at least 2 x 2); remove it or use larger photographs")
        _validate(img, f"{file} (its centred {img.shape[0]} x {img.shape[1]} square)")
        img = whiten(img, f0=f0) if whiten_images else img - img.mean()
        images.append(np.ascontiguousarray(img))
    return images


def image_files(path: str | os.PathLike) -> list[Path]:
    """The image files of a folder that :func:`load_image_folder` reads, in sorted name order.

    Parameters
    ----------
    path : path-like
        The folder.

    Returns
    -------
    list of Path

    Raises
    ------
    FileNotFoundError
        If the folder does not exist.
    ValueError
        If it is not a folder, holds no image files, or an image-named entry
        is a broken or looping symbolic link (named).
    """
    folder = Path(path).expanduser()
    if not folder.exists():
        raise FileNotFoundError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise ValueError(f"{folder}: is not a folder")
    named = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS)
    broken = [p.name for p in named if p.is_symlink() and not p.exists()]
    if broken:
        raise ValueError(f"{folder}: {', '.join(broken[:5])} {'is a' if len(broken) == 1 else 'are'} symbolic "
                         f"link{'s' if len(broken) > 1 else ''} to nothing (broken or looping); remove or fix them")
    files = [p for p in named if p.is_file()]
    if not files:
        others = sum(1 for p in folder.iterdir())
        what = "is empty" if not others else f"holds {others} entries but no image files"
        raise ValueError(f"{folder}: {what} ({', '.join(sorted(IMAGE_EXTENSIONS))})")
    return files


def read_image_file(file: str | os.PathLike) -> np.ndarray:
    """The pixels of one PNG/JPEG/TIFF file, with colour spaces other than grey and RGB(A) converted to RGB.

    Pillow's own conversion turns CMYK and YCCK JPEGs (print workflows) and
    palette images into RGB, so ink is read as ink, not as inverted light.

    Parameters
    ----------
    file : path-like
        The image file.

    Returns
    -------
    ndarray
        (H, W) grey, (H, W, 2) grey and alpha, or (H, W, 3|4) RGB(A), in the file's integer or float type.

    Raises
    ------
    ValueError
        Naming the file: unreadable, not an image, or an image Pillow cannot decode.
    """
    from PIL import Image, UnidentifiedImageError

    file = Path(file)
    try:
        with Image.open(file) as img:
            if img.mode not in ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F", "RGB", "RGBA"):
                img = img.convert("RGBA" if "A" in img.getbands() and img.mode != "CMYK" else "RGB")
            pixels = np.array(img)
    except UnidentifiedImageError:
        size = file.stat().st_size
        raise ValueError(f"{file}: is not an image ({size} bytes that no PNG/JPEG/TIFF reader recognizes); "
                         "remove it from the folder") from None
    except (OSError, ValueError) as exc:
        raise ValueError(f"{file}: cannot read this image file ({exc})") from None
    if pixels.dtype.byteorder == ">":
        pixels = pixels.astype(pixels.dtype.newbyteorder("="))
    return pixels


def load_images(spec: str | os.PathLike | None, whiten_images: bool = True,
                f0: float = 0.4, min_size: int = 1) -> list[np.ndarray]:
    """Images from the bundled set, an ``IMAGES.mat`` file or a folder.

    Parameters
    ----------
    spec : None, or path-like
        ``None``: :func:`bundled_images`. A file ending in ``.mat``:
        :func:`load_images_mat` (already whitened, so ``whiten_images`` and
        ``f0`` are ignored). A folder: :func:`load_image_folder`.
    whiten_images : bool
        Whiten photographs (bundled or from a folder). With ``False`` the
        bundled photographs are returned grey, cropped and mean-subtracted
        only, like a folder's.
    f0 : float
        Whitening cutoff [cycles per pixel].
    min_size : int
        Smallest acceptable image side [pixels] (checked per file for folders).

    Returns
    -------
    list of 2-D ndarray of float64

    Raises
    ------
    FileNotFoundError
        If ``spec`` names a path that does not exist.
    ValueError
        If ``spec`` is neither a ``.mat`` file nor a folder, or a loader
        rejects the data.
    TypeError
        If ``spec`` is not None, a string or a path.
    """
    if spec is None:
        if whiten_images:
            return bundled_images(f0)
        return [img - img.mean() for img in _raw_bundled()]
    if not isinstance(spec, (str, os.PathLike)):
        raise TypeError(f"images must be None, a path to IMAGES.mat or a folder, got {type(spec).__name__}")
    path = Path(spec).expanduser()
    if str(spec) == "":
        raise ValueError("images: empty path (use None for the bundled photographs)")
    if path.is_dir():
        return load_image_folder(path, whiten_images=whiten_images, f0=f0, min_size=min_size)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder (expected IMAGES.mat or a folder of images)")
    if path.suffix.lower() == ".mat":
        return load_images_mat(path)
    raise ValueError(f"{path}: unsupported image source: expected a .mat file (Olshausen's IMAGES.mat) "
                     f"or a folder of {'/'.join(sorted(e[1:].upper() for e in IMAGE_EXTENSIONS))} images")


def images_fingerprint(spec: str | os.PathLike | None) -> dict[str, Any]:
    """What :func:`load_images` would read from ``spec``, for a run to record and ``--resume`` to compare.

    Parameters
    ----------
    spec : None, or path-like
        As for :func:`load_images`.

    Returns
    -------
    dict
        ``{"images": "the bundled photographs of scikit-image VERSION"}``,
        or ``{"image files": {name: "SIZE bytes, sha256 HEX16"}}`` for an
        ``IMAGES.mat`` file or a folder (names, sizes and content, not the
        path: a folder moved elsewhere holds the same inputs).
    """
    from ..io import files_fingerprint

    if spec is None:
        import skimage

        return {"images": f"the bundled photographs of scikit-image {skimage.__version__}"}
    path = Path(spec).expanduser()
    return {"image files": files_fingerprint(image_files(path) if path.is_dir() else [path])}


# --------------------------------------------------------------------------
# patches


def _check_patch_size(patch_size: Any) -> int:
    if isinstance(patch_size, bool) or not isinstance(patch_size, Integral) or patch_size < 1:
        raise ValueError(f"patch_size must be an integer >= 1, got {patch_size!r}")
    return int(patch_size)


def _float_dtype(dtype: Any) -> np.dtype:
    dt = np.dtype(dtype)
    if not np.issubdtype(dt, np.floating):
        raise ValueError(f"dtype must be a floating-point type, got {dt}")
    return dt


def extract_patch(image: np.ndarray, y: int, x: int, patch_size: int,
                  dtype: Any = "float32") -> np.ndarray:
    """One standardized, flattened patch, as :class:`PatchSampler` makes them.

    Parameters
    ----------
    image : (H, W) array_like
        Image [arbitrary intensity units].
    y, x : int
        Top-left pixel of the patch (row, column) [pixels].
    patch_size : int
        Patch side [pixels].
    dtype : dtype
        Floating type of the result (default float32, like the sampler).

    Returns
    -------
    (patch_size**2,) ndarray
        ``image[y:y+p, x:x+p]`` flattened row-major, minus its mean, divided
        by its population standard deviation (mean 0, std 1).

    Raises
    ------
    ValueError
        If the patch does not lie inside the image, or is flat
        (std < 1e-6) or not finite.
    """
    p = _check_patch_size(patch_size)
    img = np.asarray(image)
    if img.ndim != 2:
        raise ValueError(f"extract_patch expects a 2-D image, got shape {img.shape}")
    if not (isinstance(y, Integral) and isinstance(x, Integral)):
        raise ValueError(f"patch position must be integers, got y={y!r}, x={x!r}")
    h, w = img.shape
    if not (0 <= y <= h - p and 0 <= x <= w - p):
        raise ValueError(f"a {p} x {p} patch at (y={y}, x={x}) does not fit in an image of shape {img.shape}")
    patch = img[y:y + p, x:x + p].astype(np.float64).ravel()
    if not np.all(np.isfinite(patch)):
        raise ValueError(f"patch at (y={y}, x={x}) contains NaN or inf")
    std = patch.std()
    if std < FLAT_STD:
        raise ValueError(f"patch at (y={y}, x={x}) is flat (std {std:.3g} < {FLAT_STD}): cannot standardize")
    return ((patch - patch.mean()) / std).astype(_float_dtype(dtype))


class PatchSampler(SeededSampler):
    """Random square patches of a set of images, standardized per patch.

    Each patch is drawn by choosing an image uniformly (equal probability per
    image, whatever its size), then a top-left pixel uniformly among all
    positions where the patch fits. The patch is flattened row-major and
    standardized to mean 0 and population standard deviation 1; flat patches
    (std < 1e-6) are redrawn.

    Parameters
    ----------
    images : sequence of (H, W) array_like
        Finite 2-D images, each at least ``patch_size`` pixels a side
        [arbitrary intensity units].
    patch_size : int
        Patch side [pixels].
    seed : int or None
        Seed of ``np.random.default_rng``; the same seed gives the same
        batches. ``None`` draws fresh entropy.
    dtype : dtype
        Floating type of the batches.

    Attributes
    ----------
    patch_size : int
    n_inputs : int
        ``patch_size**2``, the width of a batch.
    n_images : int
    dtype : numpy.dtype

    Raises
    ------
    ValueError
        For an empty image list, a bad ``patch_size`` or ``dtype``, or an
        image that is not 2-D, not finite, constant, or smaller than the
        patch (its index and shape are named).
    """

    #: redraw rounds before giving up on images made of flat regions
    MAX_REDRAWS = 1000

    def __init__(self, images: Sequence[np.ndarray], patch_size: int = 16, seed: int | None = 0,
                 dtype: Any = "float32") -> None:
        p = _check_patch_size(patch_size)
        self.dtype = _float_dtype(dtype)
        imgs = [np.asarray(im) for im in images]
        if not imgs:
            raise ValueError("PatchSampler needs at least one image, got an empty list")
        for i, im in enumerate(imgs):
            if im.ndim != 2:
                raise ValueError(f"image {i}: expected a 2-D array, got shape {im.shape}")
            if im.shape[0] < p or im.shape[1] < p:
                raise ValueError(f"image {i} of shape {im.shape} is smaller than the "
                                 f"{p} x {p} patch")
            _validate(im.astype(np.float64, copy=False), f"image {i}")
        self.patch_size = p
        self.n_inputs = p * p
        self.n_images = len(imgs)
        # One flat buffer of all images lets a whole batch be gathered with a
        # single fancy-indexing call, whatever the image sizes.
        self._heights = np.array([im.shape[0] for im in imgs], dtype=np.int64)
        self._widths = np.array([im.shape[1] for im in imgs], dtype=np.int64)
        sizes = self._heights * self._widths
        self._offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self._buffer = np.concatenate([im.astype(np.float64, copy=False).ravel() for im in imgs])
        self._dy = np.arange(p, dtype=np.int64)[None, :, None]
        self._dx = np.arange(p, dtype=np.int64)[None, None, :]
        self._rng = np.random.default_rng(seed)

    def _draw(self, n: int) -> np.ndarray:
        """``n`` raw patches, (n, n_inputs) float64."""
        rng, p = self._rng, self.patch_size
        k = rng.integers(0, self.n_images, size=n)
        y = rng.integers(0, self._heights[k] - p + 1)
        x = rng.integers(0, self._widths[k] - p + 1)
        w = self._widths[k]
        base = (self._offsets[k] + y * w + x)[:, None, None]
        idx = base + self._dy * w[:, None, None] + self._dx
        return self._buffer[idx.reshape(n, -1)]

    def sample(self, batch: int) -> np.ndarray:
        """A batch of standardized patches.

        Parameters
        ----------
        batch : int
            Number of patches (>= 1) [count].

        Returns
        -------
        (batch, n_inputs) ndarray of ``dtype``
            Rows are row-major flattened patches with mean 0 and population
            std 1.
        """
        if isinstance(batch, bool) or not isinstance(batch, Integral) or batch < 1:
            raise ValueError(f"batch must be an integer >= 1, got {batch!r}")
        batch = int(batch)
        x = self._draw(batch)
        std = x.std(axis=1)
        flat = np.flatnonzero(std < FLAT_STD)
        rounds = 0
        while flat.size:
            rounds += 1
            if rounds > self.MAX_REDRAWS:
                raise ValueError(f"could not find non-flat patches after {self.MAX_REDRAWS} redraws: "
                                 "the images are (nearly) constant at this patch size (or their values are "
                                 "too small to resolve)")
            x[flat] = self._draw(flat.size)
            std[flat] = x[flat].std(axis=1)
            flat = flat[std[flat] < FLAT_STD]
        x -= x.mean(axis=1, keepdims=True)
        x /= std[:, None]
        return x.astype(self.dtype, copy=False)

    def __repr__(self) -> str:
        return (f"PatchSampler(n_images={self.n_images}, patch_size={self.patch_size}, "
                f"dtype={self.dtype})")


# --------------------------------------------------------------------------
# a path across an edge


def find_edge_path(image: np.ndarray, patch_size: int, n_frames: int = 8,
                   step: int = 1, direction: str = "across") -> list[tuple[int, int]]:
    """Patch positions that walk across, or along, a strong, straight edge of an image.

    The image (used as given: pass the whitened training image) is smoothed
    with a Gaussian (sigma 1 pixel) and its structure tensor is averaged over
    a Gaussian window of sigma ``patch_size / 4``. The edge point is the
    pixel with the largest oriented energy ``lambda1 - lambda2`` (strong and
    consistently oriented gradients) among the centers far enough from the
    borders for the whole path to fit. With ``direction="across"`` the path
    runs through it along the dominant gradient direction (perpendicular to
    the edge), from the darker to the brighter side of the smoothed image;
    with ``"along"`` it follows the edge (the edge stays at the same place in
    the patch while the patch slides along it).

    Parameters
    ----------
    image : (H, W) array_like
        Finite grey-scale image [arbitrary intensity units].
    patch_size : int
        Patch side [pixels].
    n_frames : int
        Number of positions (>= 1) [count].
    step : int
        Distance per frame along the dominant axis of the direction (>= 1) [pixels]:
        the direction is scaled so that its larger component is ``step``,
        so consecutive positions never coincide after rounding and a
        diagonal path moves up to ``step * sqrt(2)`` pixels a frame.
    direction : {"across", "along"}
        Walk across the edge or along it.

    Returns
    -------
    list of (int, int)
        ``n_frames`` top-left positions ``(y, x)``, all valid for
        :func:`extract_patch`, whose patch centers are spread symmetrically
        about the edge point. Deterministic.

    Raises
    ------
    ValueError
        For bad arguments, an image too small for the path, or an image
        without any edge.
    """
    p = _check_patch_size(patch_size)
    if direction not in ("across", "along"):
        raise ValueError(f"direction must be 'across' or 'along', got {direction!r}")
    for value, name in ((n_frames, "n_frames"), (step, "step")):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    img = np.asarray(image, dtype=np.float64)
    _validate(img, "find_edge_path")
    h, w = img.shape

    # Worst-case excursion of the path from its center along either axis.
    reach = (n_frames - 1) / 2 * step
    lo_y, hi_y = math.ceil(reach + p / 2), math.floor(h - p / 2 - 1 - reach)
    lo_x, hi_x = math.ceil(reach + p / 2), math.floor(w - p / 2 - 1 - reach)
    if lo_y > hi_y or lo_x > hi_x:
        raise ValueError(f"image of shape {img.shape} is too small for {n_frames} frames of "
                         f"{p} x {p} patches {step} pixel(s) apart")

    # sigma 1 tames the pixel-scale noise that whitening amplifies
    smooth = ndimage.gaussian_filter(img, 1.0)
    gy = ndimage.sobel(smooth, axis=0)
    gx = ndimage.sobel(smooth, axis=1)
    # integrate over about a patch so that the orientation is consistent at
    # the scale the model sees
    s = max(p / 4, 1.0)
    jyy = ndimage.gaussian_filter(gy * gy, s)
    jxx = ndimage.gaussian_filter(gx * gx, s)
    jxy = ndimage.gaussian_filter(gx * gy, s)
    oriented = np.hypot(jxx - jyy, 2 * jxy)  # lambda1 - lambda2

    window = oriented[lo_y:hi_y + 1, lo_x:hi_x + 1]
    if not window.max() > 0:
        raise ValueError("find_edge_path: no oriented edge found in the image")
    iy, ix = np.unravel_index(int(np.argmax(window)), window.shape)
    cy, cx = lo_y + int(iy), lo_x + int(ix)

    # dominant eigenvector of [[jyy, jxy], [jxy, jxx]] (the gradient direction)
    theta = 0.5 * math.atan2(2 * jxy[cy, cx], jyy[cy, cx] - jxx[cy, cx])
    dy, dx = math.cos(theta), math.sin(theta)
    # orient from dark to bright: the mean gradient near the edge point
    mgy = ndimage.gaussian_filter(gy, s)[cy, cx]
    mgx = ndimage.gaussian_filter(gx, s)[cy, cx]
    proj = dy * mgy + dx * mgx
    if proj < 0 or (proj == 0 and (dy, dx) < (0.0, 0.0)):
        dy, dx = -dy, -dx
    if direction == "along":
        # a quarter turn: along the edge, with the bright side on the left
        dy, dx = -dx, dy
    scale = step / max(abs(dy), abs(dx))
    dy, dx = dy * scale, dx * scale

    half = (p - 1) / 2  # center of a patch relative to its top-left pixel
    positions = []
    for k in range(n_frames):
        t = k - (n_frames - 1) / 2
        # round half up: np.round's half-to-even would make the steps uneven
        y = int(math.floor(cy + t * dy - half + 0.5))
        x = int(math.floor(cx + t * dx - half + 0.5))
        if not (0 <= y <= h - p and 0 <= x <= w - p):  # guaranteed by the margins above
            raise AssertionError(f"internal error: position {(y, x)} outside image {img.shape}")
        positions.append((y, x))
    return positions

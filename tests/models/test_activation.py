"""ActivationModel: equivalence with the published algorithm, analytic cases, bad inputs."""
from __future__ import annotations

import numpy as np
import pytest

from ei_maps.models import ModelConfig
from ei_maps.models import ActivationModel, UnstableDynamicsError
from ei_maps.models.activation import settle_numpy

PAPER = {}
OTHER_A = dict(side=24, r_exc=2, r_inh=6, w_exc=20.0, w_inh=8.0, sigma2=2.0, lam=0.1, eta=0.03)
OTHER_B = dict(side=13, r_exc=4, r_inh=3, w_exc=10.0, w_inh=3.0, sigma2=5.0, lam=0.02, eps=1e-3)
SETTINGS = [pytest.param(PAPER, id="paper"), pytest.param(OTHER_A, id="wide-inhibition"),
            pytest.param(OTHER_B, id="narrow-inhibition")]


def _stimuli(n_inputs=256, batch=16, seed=1):
    return np.random.default_rng(seed).standard_normal((batch, n_inputs))


def _reference_settle(reference, model, x, lam=None):
    c = model.config
    ke, ki = reference.kernels(c.r_exc, c.r_inh, c.w_exc, c.w_inh, c.sigma2)
    s = (x @ model.dictionary.astype(float)).reshape(x.shape[0], c.side, c.side)
    return reference.settle(s, ke, ki, lam=c.lam if lam is None else lam, eta=c.eta, eps=c.eps,
                            max_iter=c.max_iter)


@pytest.mark.parametrize("engine", ["numba", "numpy"])
@pytest.mark.parametrize("params", SETTINGS)
def test_settle_matches_reference(reference, params, engine):
    model = ActivationModel(dtype="float64", engine=engine, seed=3, **params)
    x = _stimuli()
    a = model.settle(x)
    ref_e, ref_i, ref_it = _reference_settle(reference, model, x)
    assert model.iterations == ref_it
    np.testing.assert_allclose(a, ref_e.reshape(a.shape), rtol=0, atol=1e-9)
    np.testing.assert_allclose(model.a_inh, ref_i.reshape(a.shape), rtol=0, atol=1e-9)
    # the comparison is not vacuous: a real, sparse, non-trivial response
    assert 0.02 < np.mean(np.abs(a) > 1e-5) < 0.98


@pytest.mark.parametrize("params", SETTINGS)
def test_learn_matches_reference(reference, params):
    model = ActivationModel(dtype="float64", seed=5, **params)
    c = model.config
    ke, ki = reference.kernels(c.r_exc, c.r_inh, c.w_exc, c.w_inh, c.sigma2)
    phi = model.dictionary.copy()
    rng = np.random.default_rng(7)
    for _ in range(4):
        x = rng.standard_normal((16, c.n_inputs))
        a = model.learn(x, lr=0.03)
        ref_a, ref_it = reference.train_step(phi, x, ke, ki, c.side, lam=c.lam, eta=c.eta, lr=0.03,
                                             eps=c.eps, max_iter=c.max_iter)
        assert model.iterations == ref_it
        np.testing.assert_allclose(a, ref_a, rtol=0, atol=1e-9)
    np.testing.assert_allclose(model.dictionary, phi, rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(model.dictionary, axis=0), 1.0, atol=1e-12)


def test_receptive_fields_match_reference(reference):
    from ei_maps.analysis import probe_receptive_fields

    model = ActivationModel(side=16, n_inputs=64, dtype="float64", seed=2)
    c = model.config
    ke, ki = reference.kernels(c.r_exc, c.r_inh, c.w_exc, c.w_inh, c.sigma2)
    fields = probe_receptive_fields(model, lam=0.025)
    ref = reference.receptive_fields(model.dictionary.copy(), ke, ki, c.side, lam=0.025, eta=c.eta)
    got = fields.values.reshape(c.side * c.side, -1).T
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9)
    assert fields.dims == ("unit_y", "unit_x", "patch_y", "patch_x")


@pytest.mark.parametrize("params", SETTINGS)
def test_float32_agrees_with_float64(params):
    x = _stimuli()
    m64 = ActivationModel(dtype="float64", seed=3, **params)
    m32 = ActivationModel(dtype="float32", seed=3, dictionary=m64.dictionary, **params)
    a64, a32 = m64.settle(x), m32.settle(x)
    assert a32.dtype == np.float32
    np.testing.assert_allclose(a32, a64, rtol=0, atol=1e-3)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("boundary", ["zero", "periodic"])
def test_numba_matches_numpy_path(dtype, boundary):
    params = dict(side=20, n_inputs=49, boundary=boundary, dtype=dtype, seed=4)
    jit = ActivationModel(**params)
    plain = ActivationModel(engine="numpy", **params)
    x = _stimuli(49, batch=9)
    a, b = jit.settle(x), plain.settle(x)
    assert jit.iterations == plain.iterations
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(a, b, rtol=0, atol=tol)
    np.testing.assert_allclose(jit.a_inh, plain.a_inh, rtol=0, atol=tol)


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_periodic_sheet_is_translation_equivariant(engine):
    # identity dictionary: the drive is the stimulus itself, laid out on the sheet
    side = 12
    common = dict(side=side, n_inputs=side * side, dtype="float64", dictionary=5 * np.eye(side * side),
                  engine=engine, r_inh=7, eps=1e-8, max_iter=300)
    model = ActivationModel(boundary="periodic", **common)
    rng = np.random.default_rng(0)
    drive = rng.standard_normal((side, side))
    shifted = np.roll(drive, (3, -5), axis=(0, 1))
    a = model.settle(drive.ravel()).reshape(side, side)
    b = model.settle(shifted.ravel()).reshape(side, side)
    np.testing.assert_allclose(np.roll(a, (3, -5), axis=(0, 1)), b, atol=1e-12)
    # with a zero boundary the edges break the symmetry
    zero = ActivationModel(boundary="zero", **common)
    a0 = zero.settle(drive.ravel()).reshape(side, side)
    b0 = zero.settle(shifted.ravel()).reshape(side, side)
    assert model.iterations > 20 and np.mean(np.abs(a) > 0) > 0.3
    assert np.abs(np.roll(a0, (3, -5), axis=(0, 1)) - b0).max() > 1e-2


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_without_lateral_weights_fixed_point_is_soft_threshold(engine):
    # a = S(a + eta(-leak a + s)) has the fixed point a = S_{lam/eta}(s) / leak
    side, lam, eta, leak = 10, 0.05, 0.4, 2.0
    model = ActivationModel(side=side, n_inputs=side * side, w_exc=0.0, w_inh=0.0, leak=leak, lam=lam,
                            eta=eta, eps=1e-12, max_iter=400, dtype="float64",
                            dictionary=np.eye(side * side), engine=engine)
    s = np.random.default_rng(1).standard_normal((3, side * side))
    a = model.settle(s)
    t = lam / eta
    expected = np.sign(s) * np.maximum(np.abs(s) - t, 0) / leak
    np.testing.assert_allclose(a, expected, atol=1e-9)
    assert np.all(model.a_inh == 0)


def test_iterations_and_inhibitory_state_are_exposed():
    model = ActivationModel(side=16, n_inputs=64)
    a = model.settle(4 * _stimuli(64, batch=5))
    assert a.shape == (5, 256) and model.a_inh.shape == (5, 256)
    assert 1 <= model.iterations <= model.config.max_iter
    assert np.any(model.a_inh != 0)


def test_max_iter_caps_the_updates():
    model = ActivationModel(side=16, n_inputs=64, eps=1e-15, max_iter=3)
    model.settle(_stimuli(64))
    assert model.iterations == 3


def test_target_sparsity_moves_lam_towards_target():
    x = _stimuli(64, batch=32)
    dense = ActivationModel(side=16, n_inputs=64, lam=0.0, target_sparsity=0.05)
    dense.learn(x, lr=0.01)
    assert dense.last_sparsity > 0.05 and dense.lam > 0.0
    assert dense.lam == pytest.approx(0.01 * (dense.last_sparsity - 0.05))
    sparse = ActivationModel(side=16, n_inputs=64, lam=5.0, target_sparsity=0.5)
    sparse.learn(x, lr=0.01)
    assert sparse.lam < 5.0


def test_same_seed_same_result():
    x = _stimuli(64)
    runs = []
    for _ in range(2):
        m = ActivationModel(side=16, n_inputs=64, seed=11)
        for _ in range(3):
            m.learn(x, lr=0.03)
        runs.append(m.dictionary)
    np.testing.assert_array_equal(runs[0], runs[1])


def test_config_round_trip():
    m = ActivationModel(side=16, n_inputs=64, boundary="periodic", dtype="float64", lam=0.2)
    clone = ActivationModel.from_config(m.config, dictionary=m.dictionary)
    assert clone.config == m.config
    np.testing.assert_array_equal(clone.dictionary, m.dictionary)


# ----------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("bad, message", [
    (np.nan, "NaN or inf"), (np.inf, "NaN or inf")])
def test_non_finite_stimuli_are_rejected(bad, message):
    model = ActivationModel(side=8, n_inputs=16)
    x = _stimuli(16, batch=4)
    x[2, 3] = bad
    with pytest.raises(ValueError, match=message):
        model.settle(x)
    with pytest.raises(ValueError, match=message):
        model.learn(x)


def test_wrong_input_width_names_both_sizes():
    model = ActivationModel(side=8, n_inputs=16)
    with pytest.raises(ValueError, match=r"expected n_inputs=16, got 15"):
        model.settle(np.zeros((4, 15)))
    with pytest.raises(ValueError, match="2-D"):
        model.settle(np.zeros((2, 4, 16)))
    with pytest.raises(ValueError, match="empty"):
        model.settle(np.zeros((0, 16)))


@pytest.mark.parametrize("params, message", [
    (dict(side=0), "side must be a positive integer"),
    (dict(side=-3), "side must be a positive integer"),
    (dict(n_inputs=0), "n_inputs must be a positive integer"),
    (dict(r_exc=-1), "r_exc must be a positive integer"),
    (dict(r_exc=0), "r_exc must be a positive integer"),
    (dict(r_inh=2.5), "r_inh must be a positive integer"),
    (dict(sigma2=0.0), "sigma2 must be > 0"),
    (dict(eta=0.0), "eta must be > 0"),
    (dict(max_iter=0), "max_iter must be a positive integer"),
    (dict(lam=float("nan")), "lam must be a finite number"),
    (dict(dtype="float16"), "dtype must be one of"),
    (dict(boundary="reflect"), "boundary must be"),
    (dict(eta=0.06), r"unstable dynamics: eta \* leak"),
    (dict(leak=100.0), r"unstable dynamics: eta \* leak"),
    (dict(target_sparsity=1.5), "target_sparsity"),
])
def test_bad_parameters_are_rejected(params, message):
    with pytest.raises(ValueError, match=message):
        ActivationModel(**params)


@pytest.mark.parametrize("engine", ["numba", "numpy"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_growing_but_finite_activity_is_an_error(engine, dtype):
    # in float64 this grows to ~1e93 within max_iter without overflowing
    model = ActivationModel(side=12, n_inputs=16, w_exc=200.0, w_inh=0.0, leak=1.0, eta=0.5,
                            engine=engine, dtype=dtype)
    with pytest.raises(UnstableDynamicsError, match="diverged"):
        model.settle(_stimuli(16, batch=2))
    with pytest.raises(UnstableDynamicsError):
        model.learn(_stimuli(16, batch=2))


def test_bad_call_arguments_are_rejected():
    model = ActivationModel(side=8, n_inputs=16)
    x = _stimuli(16, batch=2)
    for lam in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="lam must be"):
            model.settle(x, lam=lam)
    with pytest.raises(ValueError, match="real numbers"):
        model.settle(x + 1j)
    with pytest.raises(ValueError, match="lr must be"):
        model.learn(x, lr="0.1")


@pytest.mark.parametrize("batch", [1, 17, 33])
def test_partial_tiles_match_reference(reference, batch):
    model = ActivationModel(dtype="float64", side=20, seed=4)
    x = _stimuli(batch=batch, seed=batch)
    a = model.settle(x)
    ref_e, ref_i, ref_it = _reference_settle(reference, model, x)
    assert model.iterations == ref_it
    np.testing.assert_allclose(a, ref_e.reshape(a.shape), rtol=0, atol=1e-9)


def test_float32_learning_tracks_float64():
    m64 = ActivationModel(side=16, dtype="float64", seed=3)
    m32 = ActivationModel(side=16, dtype="float32", seed=3, dictionary=m64.dictionary)
    rng = np.random.default_rng(5)
    for _ in range(5):
        x = rng.standard_normal((32, 256))
        m64.learn(x, lr=0.03)
        m32.learn(x, lr=0.03)
    np.testing.assert_allclose(m32.dictionary, m64.dictionary, atol=1e-3)


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_diverging_dynamics_raise_instead_of_nan(engine):
    # strong recurrent excitation with a weak leak and no inhibition explodes
    model = ActivationModel(side=12, n_inputs=16, w_exc=60.0, w_inh=0.0, leak=1.0, eta=0.5,
                            max_iter=2000, eps=1e-12, engine=engine)
    with pytest.raises(UnstableDynamicsError, match="w_exc=60.0"):
        model.settle(_stimuli(16, batch=2))


def test_bad_dictionary_and_learning_rate():
    model = ActivationModel(side=8, n_inputs=16)
    with pytest.raises(ValueError, match=r"shape \(n_inputs, side\*side\) = \(16, 64\)"):
        model.dictionary = np.zeros((16, 63))
    bad = np.zeros((16, 64))
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.dictionary = bad
    with pytest.raises(ValueError, match="lr"):
        model.learn(_stimuli(16), lr=-1.0)


def test_model_config_is_validated_directly():
    with pytest.raises(ValueError, match="w_inh must be >= 0"):
        ModelConfig(w_inh=-1.0)


def test_settle_numpy_reports_divergence():
    s = np.full((1, 6, 6), 1e300)
    k = np.ones((3, 3)) * 10
    _, _, n, ratio = settle_numpy(s, k, k * 0, lam=0.0, eta=0.1, leak=1.0, eps=1e-9, max_iter=50)
    assert n < 0 and ratio == np.inf


def test_sparse_numba_update_matches_numpy_update():
    x_rng = np.random.default_rng(8)
    jit = ActivationModel(side=12, n_inputs=36, dtype="float64", seed=9)
    plain = ActivationModel(side=12, n_inputs=36, dtype="float64", seed=9, engine="numpy")
    for _ in range(5):
        x = x_rng.standard_normal((10, 36))
        a, b = jit.learn(x, lr=0.05), plain.learn(x, lr=0.05)
        np.testing.assert_allclose(a, b, atol=1e-12)
        assert jit.last_loss == pytest.approx(plain.last_loss, rel=1e-12)
    np.testing.assert_allclose(jit.dictionary, plain.dictionary, atol=1e-12)
    assert not np.allclose(jit.dictionary, ActivationModel(side=12, n_inputs=36, seed=9).dictionary, atol=1e-3)


def test_periodic_kernel_wider_than_the_sheet_wraps_around():
    # r_inh = 5 on a 6-wide torus: the disk overlaps itself; both paths must
    # equal an explicit circular convolution of the lateral input
    side = 6
    x = _stimuli(side * side, batch=3, seed=2) * 20
    params = dict(side=side, n_inputs=side * side, r_inh=5, boundary="periodic", dtype="float64",
                  dictionary=np.eye(side * side), max_iter=1)
    many = {**params, "max_iter": 6, "eps": 1e-15}
    jit, plain = ActivationModel(**many), ActivationModel(engine="numpy", **many)
    np.testing.assert_allclose(jit.settle(x), plain.settle(x), atol=1e-12)
    assert np.abs(jit.a_inh).max() > 1e-3  # the wide inhibitory disk was exercised
    # three updates against an explicit circular convolution: the third sees
    # the wide inhibitory disk wrap round the torus several times
    jit3 = ActivationModel(**{**params, "max_iter": 3, "eps": 1e-15})
    a3 = jit3.settle(x).reshape(-1, side, side)
    m = jit3.config
    lam, eta, leak = m.lam, m.eta, jit3.leak
    s = x.reshape(-1, side, side)
    soft = lambda u: np.sign(u) * np.maximum(np.abs(u) - lam, 0)  # noqa: E731

    def circular(a, kernel):
        r = kernel.shape[0] // 2
        out = np.zeros_like(a)
        for dy in range(-r, r + 1):
            for dx in range(-r, r + 1):
                out += kernel[dy + r, dx + r] * np.roll(a, (dy, dx), axis=(1, 2))
        return out

    ke, ki = jit3.k_exc.dense(), jit3.k_inh.dense()
    a_e, a_i = np.zeros_like(s), np.zeros_like(s)
    for _ in range(3):
        exc, inh = circular(a_e, ke), circular(a_i, ki)
        a_e, a_i = soft(a_e + eta * (-leak * a_e + s + exc - inh)), soft(a_i + eta * (-leak * a_i + exc))
    assert np.abs(a_i).max() > 1e-3
    np.testing.assert_allclose(a3, a_e, atol=1e-12)
    np.testing.assert_allclose(jit3.a_inh.reshape(a_i.shape), a_i, atol=1e-12)

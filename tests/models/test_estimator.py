"""``TopographicCoder`` is a scikit-learn transformer (issue 35): the library's own checks, a Pipeline, a search."""
from __future__ import annotations

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from ei_maps.models.estimator import EXPECTED_FAILED_CHECKS, TopographicCoder  # noqa: E402

SMALL = dict(side=6, r_exc=1, r_inh=2, n_steps=20, batch_size=16, random_state=0)


def test_scikit_learns_estimator_checks_pass():
    from sklearn.utils.estimator_checks import check_estimator

    results = check_estimator(TopographicCoder(**SMALL), on_fail=None, expected_failed_checks=EXPECTED_FAILED_CHECKS)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"]
    assert not failed, failed
    assert len(results) > 40
    # the one listed check does fail, for the stated reason (a test that could not fail would list nothing)
    assert {r["check_name"] for r in results if r["status"] == "xfail"} == set(EXPECTED_FAILED_CHECKS)


def test_its_parameters_are_the_models_declared_ones():
    from ei_maps.models import ModelConfig
    from ei_maps.params import specs

    params = TopographicCoder().get_params()
    assert set(specs(ModelConfig)) - {"n_inputs", "seed"} <= set(params)
    assert params["side"] == ModelConfig().side and params["lam"] == ModelConfig().lam
    assert "w_inh : float" in TopographicCoder.__doc__
    with pytest.raises(ValueError, match="r_inh"):  # checked by the declaration, at fit
        TopographicCoder(side=6, r_exc=1, r_inh=9).fit(np.ones((4, 3)) + np.eye(4, 3))
    with pytest.raises(TypeError, match="unexpected parameter"):
        TopographicCoder(sidee=6)


def test_pipeline_clone_grid_search_and_partial_fit():
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 16)) @ rng.standard_normal((16, 16))
    pipe = make_pipeline(StandardScaler(), TopographicCoder(**SMALL))
    codes = pipe.fit_transform(X)
    coder = pipe[-1]
    assert codes.shape == (120, 36) and coder.components_.shape == (36, 16)
    np.testing.assert_allclose(np.linalg.norm(coder.components_, axis=1), 1.0, atol=1e-5)
    assert coder.get_feature_names_out()[0] == "topographiccoder0"
    twin = clone(coder)
    assert twin.get_params() == coder.get_params() and not hasattr(twin, "model_")
    # a search scores by reconstruction (inverse_transform back to the data)
    def score(estimator, data):
        scaled = estimator[0].transform(data)
        return -float(np.mean((estimator[-1].inverse_transform(estimator.transform(data)) - scaled) ** 2))
    search = GridSearchCV(make_pipeline(StandardScaler(), TopographicCoder(**SMALL)),
                          {"topographiccoder__lam": [0.05, 0.5]}, scoring=score, cv=2).fit(X)
    assert search.best_params_["topographiccoder__lam"] in (0.05, 0.5)
    # partial_fit: one step per batch, the same as the model's learn
    streaming = TopographicCoder(**SMALL)
    for start in range(0, 120, 40):
        streaming.partial_fit(X[start:start + 40] / X.std())
    assert streaming.n_steps_ == 3 and streaming.n_iter_ == 3

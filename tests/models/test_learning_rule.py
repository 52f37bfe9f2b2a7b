"""The learning rule is written once per engine (GradientRule): the jitted per-unit kernel every scheme applies
equals the NumPy reference, for each rule and code scale; each learning model states its batch convention."""
from __future__ import annotations

import numpy as np
import pytest

from ei_maps.models import ActivationModel, LIFCodingModel, RetinotopicModel
from ei_maps.models.learning import GradientRule

RULES = [GradientRule(mean_over_batch=False), GradientRule(mean_over_batch=True)]


@pytest.mark.parametrize("rule", RULES, ids=["sum over the batch", "mean over the batch"])
@pytest.mark.parametrize("code_scale", [1.0, 0.25])
def test_the_kernel_equals_the_reference(rule, code_scale):
    rng = np.random.default_rng(4)
    n_inputs, n_units, batch = 12, 30, 7
    dictionary = rng.standard_normal((n_inputs, n_units))
    dictionary /= np.linalg.norm(dictionary, axis=0)
    x = rng.standard_normal((batch, n_inputs))
    a = np.where(rng.random((batch, n_units)) < 0.2, rng.random((batch, n_units)), 0.0)  # sparse, as settled
    expected = dictionary.copy()
    loss = rule.reference(expected, x, a, 0.05, code_scale)
    phi_t = np.ascontiguousarray(dictionary.T)
    residual = np.empty_like(x)
    rule.apply(phi_t, x, a, 0.05, residual, code_scale)
    np.testing.assert_allclose(phi_t.T, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(residual, x - code_scale * a @ dictionary.T, rtol=1e-12, atol=1e-12)
    assert loss == pytest.approx(0.5 * np.mean(np.sum(residual**2, axis=1)))
    silent = ~np.any(a != 0, axis=0)  # a unit that never fired keeps its field (renormalized: to rounding)
    assert silent.any()
    np.testing.assert_allclose(phi_t.T[:, silent], dictionary[:, silent], rtol=0, atol=1e-15)


def test_the_step_states_the_batch_convention():
    assert GradientRule().step(0.03, 10) == 0.03
    assert GradientRule(mean_over_batch=True).step(0.1, 10) == pytest.approx(0.01)


def test_each_learning_model_states_its_rule():
    # the paper: the rate model sums the gradient over the batch, the spiking coder averages it (appendix)
    assert ActivationModel.RULE == GradientRule(mean_over_batch=False)
    assert RetinotopicModel.RULE == ActivationModel.RULE
    assert LIFCodingModel.RULE == GradientRule(mean_over_batch=True)

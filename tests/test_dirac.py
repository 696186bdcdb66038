"""The Dirac-GAN: the library's own steps (Modules, losses, r1, SGD, the Trainer) against the analytic rates."""

import numpy as np
import pytest

from scratchgan.theory import dirac


def radii(path):
    return np.linalg.norm(path, axis=1)


@pytest.mark.parametrize("objective", ["minimax", "nonsaturating"])
@pytest.mark.parametrize("h", [0.05, 0.1, 0.3])
@pytest.mark.parametrize("angle", [0.0, 1.0, 2.5])
def test_near_equilibrium_simultaneous_steps_grow_the_distance_by_sqrt_1_plus_h2_over_4(objective, h, angle):
    """J at (0, 0) has eigenvalues +-i f'(0) = +-i/2, so I + hJ is sqrt(1 + h^2/4) times a rotation:
    to first order, every step near the equilibrium multiplies the distance by that factor (the exact
    minimax factor, sqrt(1 + h^2 sigmoid(psi theta)^2), is the test after next). docs/fixes.md: within 4e-9."""
    r0 = 1e-4
    r = radii(dirac.DiracGAN(r0 * np.cos(angle), r0 * np.sin(angle), objective=objective, h=h).run(100))
    assert np.allclose(r[1:] / r[:-1], np.sqrt(1 + h * h / 4), rtol=4e-9, atol=0)


@pytest.mark.parametrize("objective", ["minimax", "nonsaturating"])
def test_measured_jacobian_has_eigenvalues_plus_minus_i_over_2(objective):
    h = 0.1
    path = dirac.DiracGAN(1e-4, 0.0, objective=objective, h=h).run(50)
    J = (dirac.fit_step_matrix(path) - np.eye(2)) / h
    eig = np.sort_complex(np.linalg.eigvals(J))
    assert np.allclose(eig, [-0.5j, 0.5j], atol=1e-6)
    assert np.allclose(np.sort_complex(np.linalg.eigvals(dirac.jacobian())), [-0.5j, 0.5j])


@pytest.mark.parametrize("mode", dirac.MODES)
@pytest.mark.parametrize("gamma", [0.0, 0.3, 0.7])
def test_library_steps_are_the_analytic_step_matrix(mode, gamma):
    """The map the library's steps take near (0, 0), fitted from its trajectory, is I + hJ (simultaneous)
    or the product of the two players' maps (alternating), with R1's -gamma in D's row."""
    h = 0.1
    game = dirac.DiracGAN(1e-4, 5e-5, h=h, penalty="r1" if gamma else None, weight=gamma)
    M = dirac.fit_step_matrix(game.run(200, mode))
    A = dirac.step_matrix(h, mode, gamma)
    assert np.abs(M - A).max() < 1e-6
    assert dirac.spectral_radius(M) == pytest.approx(dirac.spectral_radius(A), abs=1e-6)


def test_analytic_rates():
    h = 0.1
    assert dirac.spectral_radius(dirac.step_matrix(h)) == pytest.approx(np.sqrt(1 + h * h / 4), rel=1e-14)
    assert dirac.spectral_radius(dirac.step_matrix(h, "alternating")) == pytest.approx(1.0, rel=1e-14)
    for gamma in (0.1, 0.5, 2.0):          # R1: both update schemes contract for small steps
        for mode in dirac.MODES:
            assert dirac.spectral_radius(dirac.step_matrix(h, mode, gamma)) < 1


@pytest.mark.parametrize("start", [(1.0, 1.0), (-0.5, 2.0), (2.0, -0.3)])
def test_far_from_equilibrium_simultaneous_minimax_steps_are_orthogonal_to_the_radius(start):
    """Minimax: both gradients carry s = sigmoid(psi theta), the step h (psi s, -theta s) is orthogonal to
    (theta, psi), so r_{t+1}^2 = r_t^2 (1 + h^2 s^2) EXACTLY, at any distance: it spirals out for ever."""
    h = 0.1
    path = dirac.DiracGAN(*start, h=h).run(300, "simultaneous")
    s = 1 / (1 + np.exp(-path[:-1, 0] * path[:-1, 1]))
    assert np.allclose(radii(path)[1:] / radii(path)[:-1], np.sqrt(1 + h * h * s * s), rtol=1e-12, atol=0)


@pytest.mark.parametrize("start", [(1.0, 1.0), (-0.5, 2.0), (2.0, -0.3)])
def test_r1_converges_and_unregularised_training_does_not(start):
    """From far away (non-linear regime): simultaneous steps spiral out, alternating ones circle at a
    roughly constant distance, and with R1 both reach the equilibrium."""
    h, steps = 0.1, 800
    r0 = np.hypot(*start)
    sim = radii(dirac.DiracGAN(*start, h=h).run(steps, "simultaneous"))
    assert np.all(np.diff(sim) > 0)
    alt = radii(dirac.DiracGAN(*start, h=h).run(steps, "alternating"))
    assert 0.3 * r0 < alt[-200:].min() and alt.max() < 3 * r0
    for mode in dirac.MODES:
        r1 = radii(dirac.DiracGAN(*start, h=h, penalty="r1", weight=1.0).run(steps, mode))
        assert r1[-1] < 1e-3 * r0


@pytest.mark.parametrize("gamma", [0.0, 0.5])
def test_the_trainer_takes_the_alternating_step(gamma):
    """scratchgan.game.trainer.Trainer (SGD, k = 1, penalty r1) on Shift / Scale / PointMass: its train_step is
    the alternating step, bit for bit, and its fitted map is the analytic one."""
    h = 0.1
    tr = dirac.dirac_trainer(1e-4, 5e-5, h=h, penalty="r1" if gamma else "none", weight=gamma)
    path = [(tr.G.b.data[0], tr.D.W.data[0, 0])]
    for _ in range(200):
        tr.train_step()
        path.append((tr.G.b.data[0], tr.D.W.data[0, 0]))
    path = np.array(path)
    ref = dirac.DiracGAN(1e-4, 5e-5, h=h, penalty="r1" if gamma else None, weight=gamma).run(200, "alternating")
    assert np.array_equal(path, ref)
    assert np.abs(dirac.fit_step_matrix(path) - dirac.step_matrix(h, "alternating", gamma)).max() < 1e-6


def test_bad_mode_and_penalty():
    with pytest.raises(ValueError, match="update mode"):
        dirac.DiracGAN(1.0, 1.0).step("sideways")
    with pytest.raises(ValueError, match="penalty"):
        dirac.DiracGAN(1.0, 1.0, penalty="l2")

"""The lecture's formulas, executable: each claim of the GAN theory as a function you can call and check.

Densities in 1D are passed as *log*-density functions, log_p(x) -> log p(x) for an array x of shape (n,),
so that products like p log(p / q) can be formed without log(0). Integrals over x are done by adaptive
quadrature (scipy.integrate.quad) on a finite interval [lo, hi] that holds essentially all the mass, or,
inside optimisers, by the trapezoidal rule on a fine grid (see optimal_d._integrate).

One claim-family per submodule; every function is also available here, as theory.NAME. Claims are numbered
as in the lecture (the README's table and docs/theory.md); demo N is demos/theory_N_*.py:

    Claim 1   likelihood is not sample quality     demo 1  likelihood     kde_log_likelihood,
                                                                          noise_mixture_log_likelihood,
                                                                          likelihood_vs_quality, gaussian_log_pdf
    Claim 4   the optimal discriminator            demo 2  optimal_d      optimal_discriminator, log_density_ratio
                                                           discriminator  train_discriminator
    Claim 5   the JSD theorem                      demo 3  optimal_d      value_function, kl_divergence,
                                                                          js_divergence
    Claim 6   loss curves vs sample quality        demo 8  curves         loss_curves_vs_quality
    Claim 7   vanishing gradients                  demo 4  gradients      generator_gradient_norms,
                                                                          vanishing_gradients
    Claim 8   KL vs JSD                            demo 5  fitting        fit_gaussian, divergence_on_grid
    Claim 12  disjoint supports (and 14)           demo 6  supports       kl_discrete, js_discrete,
                                                                          disjoint_supports,
                                                                          disjoint_supports_gradient
    Claim 13  the earth mover's distance           demo 7  supports       earth_movers_distance
    (the 1D test densities pi and p)                       densities      gaussian_logpdf_1d, mixture_logpdf_1d

Reading order, and the direction of the imports (each submodule imports only from those above it and from
the rest of scratchgan): densities, optimal_d, discriminator, likelihood, gradients, fitting, supports,
curves. fitting takes LOG2 from optimal_d; gradients and supports train D with discriminator.

The demos in demos/theory_*.py plot these; tests/test_theory.py checks each against an independent answer.
"""

from .curves import loss_curves_vs_quality
from .densities import gaussian_logpdf_1d, mixture_logpdf_1d
from .discriminator import train_discriminator
from .fitting import divergence_on_grid, DIVERGENCES, fit_gaussian
from .gradients import generator_gradient_norms, vanishing_gradients
from .likelihood import gaussian_log_pdf, kde_log_likelihood, likelihood_vs_quality, noise_mixture_log_likelihood
from .optimal_d import js_divergence, kl_divergence, LOG2, log_density_ratio, optimal_discriminator, value_function
from .supports import (disjoint_supports, disjoint_supports_gradient, earth_movers_distance, js_discrete,
    kl_discrete)

__all__ = [
    "gaussian_logpdf_1d", "mixture_logpdf_1d",
    "LOG2", "optimal_discriminator", "log_density_ratio", "value_function", "kl_divergence", "js_divergence",
    "train_discriminator",
    "gaussian_log_pdf", "kde_log_likelihood", "noise_mixture_log_likelihood", "likelihood_vs_quality",
    "generator_gradient_norms", "vanishing_gradients",
    "DIVERGENCES", "divergence_on_grid", "fit_gaussian",
    "kl_discrete", "js_discrete", "earth_movers_distance", "disjoint_supports", "disjoint_supports_gradient",
    "loss_curves_vs_quality",
]

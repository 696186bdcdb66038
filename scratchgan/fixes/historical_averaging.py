"""Historical averaging: each player is pulled towards the mean of its own past (Salimans et al. 2016).

    P(theta) = w sum || theta - mean of past theta ||^2,     dP/dtheta = 2 w (theta - mean)

HistoricalAverage     the running mean of one player's parameters and the penalty's gradient
HistoricalAveraging   the fix: the term on both players' losses, the means updated after each step
"""

import numpy as np

from .base import Fix


class HistoricalAverage:
    """Historical averaging (Salimans et al. 2016, Section 3.3) for one player's parameters:

        P(theta) = weight * sum over parameters || theta - (1/t) sum_{i=1..t} theta_i ||^2

    where theta_1 is the initial value and theta_2 .. theta_t the values after each of the t - 1 updates so
    far (the average is a running mean, a constant for the gradient). dP/dtheta = 2 weight (theta - avg),
    added into .grad by backward(). Call update() after each optimizer step. It resists the large orbits
    of a game that cycles.
    """

    def __init__(self, params, weight):
        if not np.isfinite(weight) or weight < 0:
            raise ValueError(f"HistoricalAverage: weight must be a finite number >= 0, got {weight}")
        self.params = list(params)
        self.weight = float(weight)
        self.avg = [p.data.copy() for p in self.params]    # theta_0: the initial value counts as t = 1
        self.t = 1

    def update(self):
        """avg <- avg + (theta - avg) / (t + 1): the running mean of all values seen."""
        self.t += 1
        for p, a in zip(self.params, self.avg):
            a += (p.data - a) / self.t

    def backward(self):
        """Add 2 weight (theta - avg) into each .grad and return the penalty's value."""
        value = 0.0
        for p, a in zip(self.params, self.avg):
            diff = p.data - a
            value += float(np.sum(diff * diff))
            if p.requires_grad:
                p.grad += (2.0 * self.weight) * diff
        return self.weight * value


class HistoricalAveraging(Fix):
    """+ w ||theta - mean of past theta||^2 on each player (Salimans et al. 2016), both gradients added."""

    name = "hist_avg"

    def __init__(self, D, G, weight):
        self.hist_d = HistoricalAverage(D.parameters(), weight)
        self.hist_g = HistoricalAverage(G.parameters(), weight)

    def d_terms(self, trainer, D, x_real, x_fake):
        self.hist_d.backward()

    def after_d_update(self, trainer):
        self.hist_d.update()

    def g_terms(self, trainer, z):
        self.hist_g.backward()
        return 0.0

    def after_g_update(self, trainer):
        self.hist_g.update()

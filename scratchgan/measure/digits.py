"""Metrics for generated digits, built from the library's own layers.

A two-sample test says *whether* generated digits differ from real ones; these numbers say *how*. All of them
rest on one small digit classifier, an MLP made of scratchgan.engine.nn layers and trained here with Adam
(scratchgan.engine.optim) on a softmax cross-entropy whose gradient is written by hand, like every other gradient of
the library (tests/test_digits.py checks it against central differences).

    softmax_cross_entropy   the classifier's loss and its gradient dL/dlogits = (softmax - onehot) / n
    DigitClassifier         64 -> 128 -> 10: logits, probabilities, features (its last hidden layer)
    digit_classifier        the classifier of a dataset, trained once per process and seed (cached)
    class_histogram         which digits the samples are: the fractions p_k, coverage, reverse KL
    frechet_distance        ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)) between two feature clouds
    nearest_neighbour       distances to the nearest training image: the copying check
    digit_report            every number at once, as plain floats, ints and bools for metrics.json

What each number means, and the real-vs-real value to hold it against (docs/digits.md):

    classifier_accuracy   the classifier's accuracy on the 300 held-out digits (0.987): how far to trust it
    classes               the digits holding at least COVERAGE_MIN_FRACTION (2%) of the samples, out of 10
    class_reverse_kl      KL(p || uniform) = sum_k p_k log(10 p_k) of the classifier's class histogram p, as
                          metrics.mode_coverage defines it for modes: 0 when every digit has its tenth, log 10 =
                          2.30 when all samples are one digit. (The real classes are not exactly uniform: on the
                          held-out digits it is about 0.01.)
    confidence            mean max_k softmax_k of the classifier on the samples; real_confidence the same on
                          the held-out digits. Blurry or hybrid digits make the classifier hesitate.
    frechet_distance      in the classifier's feature space (its 128 ReLU units), samples against the training
                          rows; frechet_floor the same for the held-out digits, i.e. the value a generator that
                          draws fresh digits from the true distribution gets at this sample size (see digit_report)
    nn_ratio, copy_rate, copying   memorisation: see nearest_neighbour

The classifier is deterministic given its seed, and cached per process: training it takes 1 to 2 s.
"""

import hashlib

import numpy as np

from ..engine import nn, optim

N_DIGITS = 10
CLASSIFIER_HIDDEN = 128          # one hidden layer of ReLU units: its activations are the Frechet features
CLASSIFIER_STEPS = 2000          # Adam steps ...
CLASSIFIER_BATCH = 64            # ... on minibatches of this many training rows ...
CLASSIFIER_LR = 1e-3             # ... at this learning rate
COVERAGE_MIN_FRACTION = 0.02     # a digit counts as covered when it holds at least 2% of the samples
COPY_RATE_MAX = 0.05             # copying: more than 5% of the samples nearer a training image than any real digit
NN_RATIO_MIN = 0.5               # ... or their median nearest-neighbour distance below half the real digits'


# ---------------------------------------------------------------------------------------------------------
# The loss: softmax cross-entropy, by hand
# ---------------------------------------------------------------------------------------------------------

def log_softmax(logits):
    """log softmax_k(l) = l_k - logsumexp(l), row by row, stably (the largest logit is subtracted first).

    logits: (n, K) -> (n, K)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(logits):
    """softmax_k(l) = exp(l_k) / sum_j exp(l_j), row by row.  logits: (n, K) -> (n, K), rows summing to 1."""
    return np.exp(log_softmax(logits))


def softmax_cross_entropy(logits, labels):
    """The mean cross-entropy of the labels under softmax(logits), and its gradient with respect to the logits.

    logits: (n, K) scores l_i.  labels: (n,) integers y_i in 0..K-1.

        L = -(1/n) sum_i log softmax_{y_i}(l_i) = (1/n) sum_i [logsumexp(l_i) - l_{i, y_i}]

    Gradient. d logsumexp(l_i) / d l_ik = exp(l_ik) / sum_j exp(l_ij) = softmax_k(l_i), and d l_{i,y_i} / d l_ik
    = 1[k = y_i], so
        dL/dl_ik = (softmax_k(l_i) - onehot(y_i)_k) / n       (n, K), each row summing to 0

    Returns (L as a float, dL/dlogits of the logits' shape and dtype)."""
    if not isinstance(logits, np.ndarray) or logits.ndim != 2 or logits.shape[0] == 0:
        got = getattr(logits, "shape", type(logits).__name__)
        raise ValueError(f"softmax_cross_entropy: expected logits of shape (batch, classes), got {got}")
    labels = np.asarray(labels)
    n, k = logits.shape
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"softmax_cross_entropy: expected {n} integer labels in 0..{k - 1}, got shape {labels.shape} "
                         f"and dtype {labels.dtype}")
    logp = log_softmax(logits)
    rows = np.arange(n)
    loss = -float(logp[rows, labels].mean())
    grad = np.exp(logp)
    grad[rows, labels] -= 1.0
    grad /= n
    return loss, grad.astype(logits.dtype, copy=False)


# ---------------------------------------------------------------------------------------------------------
# The classifier
# ---------------------------------------------------------------------------------------------------------

class DigitClassifier:
    """An MLP digit classifier: x (n, 64) pixels in 0..16 -> 10 logits.

        net = Sequential(FixedAffine(1/s, -m/s), Linear(64, 128), ReLU, Linear(128, 10))

    The FixedAffine maps the pixels' box [0, 16] to [-2, 2] (m = 8, s = 4, as the GAN's D does; networks.data_scale).
    features(x) is the output of the ReLU, the last hidden layer: 128 numbers per digit in which the classes
    separate, the space of the Frechet distance (as FID uses Inception's last pooling layer).
    All in float64: the classifier is small and its numbers then do not depend on summation order.
    """

    def __init__(self, dim=64, hidden=CLASSIFIER_HIDDEN, n_classes=N_DIGITS, *, rng, low=0.0, high=16.0):
        m, s = (low + high) / 2, (high - low) / 4
        body = nn.mlp([dim, hidden, n_classes], rng=rng, activation="relu", dtype=np.float64)
        self.net = nn.Sequential(nn.FixedAffine(np.full(dim, 1.0 / s), np.full(dim, -m / s), np.float64), *body.layers)
        self.dim, self.n_classes = int(dim), int(n_classes)

    def __repr__(self):
        return f"DigitClassifier({self.net!r})"

    def _as_input(self, x):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"{self!r}: expected digits of shape (n, {self.dim}), got {x.shape}")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{self!r}: the digits contain NaN or infinite pixels")
        return x

    def logits(self, x):
        """(n, 64) -> (n, 10) scores; softmax of them are the class probabilities."""
        return self.net.forward(self._as_input(x))

    def probabilities(self, x):
        """(n, 64) -> (n, 10): softmax(logits), each row summing to 1."""
        return softmax(self.logits(x))

    def predict(self, x):
        """(n, 64) -> (n,) the most probable digit of each image."""
        return self.logits(x).argmax(axis=1)

    def features(self, x):
        """(n, 64) -> (n, hidden): the activations of the last hidden layer (the ReLU before the logit layer)."""
        h = self._as_input(x)
        for layer in self.net.layers[:-1]:
            h = layer.forward(h)
        return h

    def accuracy(self, x, labels):
        """The fraction of images whose predicted digit is their label."""
        return float(np.mean(self.predict(x) == np.asarray(labels)))

    def loss_and_backward(self, x, labels):
        """One training step's gradient: L = softmax_cross_entropy(net(x), labels); dL/dtheta is ADDED into
        the parameters' .grad (zero them first) by net.backward(dL/dlogits). Returns L."""
        loss, d_logits = softmax_cross_entropy(self.logits(x), labels)
        nn.backward_params_only(self.net, d_logits)
        return loss

    def fit(self, x, labels, *, rng, steps=CLASSIFIER_STEPS, batch=CLASSIFIER_BATCH, lr=CLASSIFIER_LR):
        """Train with Adam on minibatches drawn with replacement from (x, labels); returns the list of losses."""
        x, labels = self._as_input(x), np.asarray(labels, dtype=np.int64)
        opt = optim.Adam(self.net.parameters(), lr=lr)
        losses = []
        for _ in range(int(steps)):
            i = rng.integers(0, len(x), size=batch)
            opt.zero_grad()
            losses.append(self.loss_and_backward(x[i], labels[i]))
            opt.step()
        return losses


_CACHE = {}


def _fingerprint(*arrays):
    h = hashlib.sha1()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.shape, a.dtype.str)).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def digit_classifier(data, seed=0):
    """The DigitClassifier of a labelled dataset (data.rows, data.labels: the digits' training rows), trained
    with `seed` (its initial weights and minibatches come from np.random.default_rng([seed, 15])).

    Deterministic given the seed and the rows; cached per process under (seed, a hash of rows and labels), so
    every report of a process shares one classifier. It is trained on the training rows only: the held-out
    digits measure its accuracy and serve as the real digits it has never seen."""
    if getattr(data, "labels", None) is None:
        raise ValueError(f"digit_classifier: dataset {getattr(data, 'name', data)!r} has no labels to learn from")
    key = (int(seed), _fingerprint(data.rows, data.labels))
    if key not in _CACHE:
        rng = np.random.default_rng([int(seed), 15])
        low, high = (float(v) for v in np.asarray(data.bounds)[0])
        clf = DigitClassifier(data.dim, n_classes=int(data.n_classes or N_DIGITS), rng=rng, low=low, high=high)
        clf.fit(data.rows, data.labels, rng=rng)
        _CACHE[key] = clf
    return _CACHE[key]


# ---------------------------------------------------------------------------------------------------------
# The numbers
# ---------------------------------------------------------------------------------------------------------

def class_histogram(predictions, n_classes=N_DIGITS, min_fraction=COVERAGE_MIN_FRACTION):
    """Which digits the samples are, from the classifier's predictions (n,) in 0..K-1.

    fractions   p_k = #{i : prediction_i = k} / n, (K,)
    classes     how many digits hold at least min_fraction of the samples (K when every digit is there)
    reverse_kl  KL(p || uniform) = sum_k p_k log(K p_k), with 0 log 0 = 0: 0 for equal shares, log K when every
                sample is one digit (metrics.mode_coverage's reverse KL, with classes for modes)
    Returns dict(fractions=ndarray, classes=int, reverse_kl=float)."""
    predictions = np.asarray(predictions)
    if predictions.ndim != 1 or len(predictions) == 0:
        raise ValueError(f"class_histogram: expected a non-empty (n,) array of predictions, got {predictions.shape}")
    p = np.bincount(predictions, minlength=n_classes) / len(predictions)
    nz = p > 0
    return {"fractions": p, "classes": int(np.sum(p >= min_fraction)),
            "reverse_kl": float(np.sum(p[nz] * np.log(n_classes * p[nz])))}


def gaussian_moments(features):
    """(mean (d,), covariance (d, d)) of a cloud of feature vectors (n, d), n >= 2 (covariance with 1 / (n - 1))."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] < 2:
        raise ValueError(f"gaussian_moments: expected (n >= 2, d) features, got shape {features.shape}")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def frechet_distance(mu1, cov1, mu2, cov2):
    """The Frechet (2-Wasserstein) distance, squared, between N(mu1, S1) and N(mu2, S2):

        d^2 = ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))

    (Dowson & Landau 1982; the FID of Heusel et al. 2017 is this on Inception features.)

    The trace of the square root without scipy.linalg.sqrtm of a non-symmetric matrix: with R = S1^(1/2) (the
    symmetric root, from the eigendecomposition S1 = V diag(w) V^T, R = V diag(sqrt w) V^T),
    S1 S2 = R (R S2 R) R^(-1) is similar to the symmetric positive semi-definite M = R S2 R, so both have the
    same eigenvalues lambda_i >= 0, and Tr (S1 S2)^(1/2) = sum_i sqrt(lambda_i). Eigenvalues that round-off makes
    slightly negative are taken as 0. This stays exact when a covariance is singular (a ReLU unit that never
    fires has zero variance), where sqrtm(S1 S2) warns and loses digits."""
    mu1, mu2 = np.asarray(mu1, dtype=np.float64), np.asarray(mu2, dtype=np.float64)
    cov1, cov2 = np.atleast_2d(cov1).astype(np.float64), np.atleast_2d(cov2).astype(np.float64)
    if mu1.shape != mu2.shape or cov1.shape != cov2.shape or cov1.shape != (mu1.size, mu1.size):
        raise ValueError(f"frechet_distance: shapes do not match: mu {mu1.shape}, {mu2.shape}, "
                         f"covariances {cov1.shape}, {cov2.shape}")
    w, V = np.linalg.eigh(cov1)
    R = (V * np.sqrt(np.clip(w, 0.0, None))) @ V.T               # S1^(1/2)
    lam = np.linalg.eigvalsh(R @ cov2 @ R)                        # the eigenvalues of S1 S2
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2.0 * np.sum(np.sqrt(np.clip(lam, 0.0, None))))


def frechet_between(features1, features2):
    """frechet_distance of the Gaussians with the two clouds' means and covariances; (n1, d), (n2, d)."""
    return frechet_distance(*gaussian_moments(features1), *gaussian_moments(features2))


def nearest_neighbour(samples, rows, chunk=2048):
    """(n,) the Euclidean distance of each sample (n, d) to its nearest row of `rows` (m, d), in pixel units.

    The copying check compares these distances for the generated digits with the same distances for the
    held-out digits, which the GAN never saw: a generator that learned the distribution puts its samples as
    far from the training images as new real digits are; one that memorised puts them on top of them."""
    from .metrics import distances

    samples, rows = np.asarray(samples, dtype=np.float64), np.asarray(rows, dtype=np.float64)
    return np.concatenate([distances(samples[i:i + chunk], rows).min(axis=1) for i in range(0, len(samples), chunk)])


def _check_samples(samples, data):
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[1] != data.dim or len(samples) < 2:
        raise ValueError(f"digit_report: expected samples of shape (n >= 2, {data.dim}), got {samples.shape}")
    if not np.all(np.isfinite(samples)):
        raise ValueError("digit_report: the samples contain NaN or infinite pixels")
    return samples


def digit_report(samples, data, seed=0):
    """Every digit metric of generated samples (n, 64) against a labelled dataset of rows (data.Rows: rows,
    labels, heldout, heldout_labels; the digits), as a flat dict of plain floats, ints and bools.

    The samples are measured as given, in the pixels' units (0..16; Trainer.sample clips a digits run's samples
    into data.value_range); out_of_range says how much of them lies outside it.

        n_samples             n
        out_of_range          fraction of all pixels of the samples that round to no grey level 0..16: outside
                              [-0.5, 16.5] (a generator that is not clipped leaves [0, 16] by a little all the time)
        classifier_accuracy   digit_classifier(data, seed)'s accuracy on the held-out digits
        classes, n_classes    how many digits hold >= 2% of the samples (class_histogram), out of 10
        class_fractions       the class histogram p_0..p_9, a list of 10 floats
        class_reverse_kl      sum_k p_k log(10 p_k)
        real_class_reverse_kl the same for the held-out digits (the real classes are not exactly equal)
        confidence            mean over the samples of max_k softmax_k(classifier logits)
        real_confidence       the same on the held-out digits
        frechet_distance      Frechet distance in the classifier's features between the samples and ALL training
                              rows: the samples are cut into c = min(n // m, 10) disjoint chunks of m = min(n, 300)
                              (300: the number of held-out digits), each chunk's distance to the training rows is
                              computed, and the mean is reported
        frechet_floor         the same distance for the first m held-out digits: real digits the classifier and the
                              GAN never saw, drawn from the true distribution. A Frechet distance from finite samples
                              is biased upward by roughly Tr(S) / m, so the floor is computed with the same m: a
                              generator of fresh real digits scores the floor, give or take its noise (over four
                              other splits of the rows, 300 unseen real digits gave 0.87 to 1.12 times it). A
                              memoriser scores about the floor as well (copies of training rows: 7.1 to 8.7 against
                              7.5): the Frechet distance cannot see copying, the nearest-neighbour numbers can
        frechet_ratio         frechet_distance / frechet_floor
        nn_distance           median over samples of the L2 distance to the nearest training image (nearest_neighbour)
        real_nn_distance      the same median for the held-out digits
        nn_ratio              nn_distance / real_nn_distance: about 1 for a generator of new digits, near 0 for one
                              that copies
        copy_threshold        the smallest nearest-training-image distance of any held-out digit (7.55 pixel units
                              on the digits: no new real digit came closer to the training set than this)
        copy_rate             fraction of samples nearer a training image than copy_threshold; a generator of new
                              digits gets about 1 / (300 + 1) = 0.3% (300 held-out digits), a memoriser
                              about 100%
        copying               copy_rate > COPY_RATE_MAX (0.05) or nn_ratio < NN_RATIO_MIN (0.5): the verdict

    seed: the classifier's seed (digit_classifier); nothing else here is random."""
    samples = _check_samples(samples, data)
    clf = digit_classifier(data, seed)
    held, held_labels, rows = data.heldout, data.heldout_labels, data.rows
    low, high = (float(v) for v in (getattr(data, "value_range", None) or np.asarray(data.bounds)[0]))
    k = clf.n_classes
    out = {"n_samples": int(len(samples)),
           "out_of_range": float(np.mean((samples < low - 0.5) | (samples > high + 0.5))),
           "classifier_accuracy": clf.accuracy(held, held_labels)}

    probs, real_probs = clf.probabilities(samples), clf.probabilities(held)
    hist = class_histogram(probs.argmax(axis=1), k)
    out.update(classes=hist["classes"], n_classes=k, class_fractions=[float(p) for p in hist["fractions"]],
               class_reverse_kl=hist["reverse_kl"],
               real_class_reverse_kl=class_histogram(real_probs.argmax(axis=1), k)["reverse_kl"],
               confidence=float(probs.max(axis=1).mean()), real_confidence=float(real_probs.max(axis=1).mean()))

    m = min(len(samples), len(held))
    n_chunks = min(len(samples) // m, 10)
    mu_r, cov_r = gaussian_moments(clf.features(rows))
    fake = clf.features(samples[:m * n_chunks])
    fd = np.mean([frechet_distance(*gaussian_moments(fake[i * m:(i + 1) * m]), mu_r, cov_r) for i in range(n_chunks)])
    floor = frechet_distance(*gaussian_moments(clf.features(held[:m])), mu_r, cov_r)
    out.update(frechet_distance=float(fd), frechet_floor=float(floor), frechet_ratio=float(fd / floor),
               frechet_samples=int(m), frechet_chunks=int(n_chunks))

    d_fake, d_real = nearest_neighbour(samples, rows), nearest_neighbour(held, rows)
    threshold = float(d_real.min())
    copy_rate = float(np.mean(d_fake < threshold))
    nn_ratio = float(np.median(d_fake) / np.median(d_real))
    out.update(nn_distance=float(np.median(d_fake)), real_nn_distance=float(np.median(d_real)), nn_ratio=nn_ratio,
               copy_threshold=threshold, copy_rate=copy_rate,
               copying=bool(copy_rate > COPY_RATE_MAX or nn_ratio < NN_RATIO_MIN))
    return out

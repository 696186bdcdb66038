"""The data's pieces: the connected components of a graph that joins near points, found without being told.

A mixture of tight Gaussians is a handful of separate clouds, and how many there are is written in the data
itself: join every two points that are near each other and the clouds are the graph's connected components.
"Near" is measured against the local density, so that a cloud's sparse tail holds together as well as its
dense core:

    r_i       the distance from point i to its k-th nearest neighbour (k = PIECE_K): the local spacing
    graph     i -- j  when ||x_i - x_j|| <= REACH r_i (or <= REACH r_j): j is within a few local spacings of i
    pieces    its connected components; a component of fewer than min_size points (a few stray points far out
              in a tail) joins the piece of its nearest point outside it
    frame     each piece k gets its share w_k (its fraction of the points), its mean m_k and its standard
              deviation per coordinate s_k

Inside a cloud, going from one point to the next never takes a step of more than about a spacing; between two
clouds the gap is many spacings wide, so no edge crosses it. Data that is one connected shape (a spiral, a
single Gaussian, even in 1D with 20,000 points) is one piece; the two moons, whose gap is a few spacings, are
two. (A plain k-nearest-neighbour graph is not enough: in 1D it breaks a Gaussian into several pieces wherever
two runs of k points happen to be further apart than their own spacing.) Too many pieces (more than
MAX_PIECES, e.g. a table of integers, where every value is a cloud of its own) are no pieces at all:
find_pieces then returns one piece.

This is how the self-conditioned GAN of Liu et al. 2020 ("Diverse Image Generation via Self-Conditioned
GANs") gets its classes, with the clustering on the data instead of on D's features (for data of a few
dimensions the data are their own features), and with the number of clusters read from the graph instead of
chosen beforehand; the graph is single linkage at a density-adapted scale, as in HDBSCAN's mutual
reachability (Campello et al. 2013). scratchgan/fixes/pieces.py gives each piece a class of G's latent code
and a frame of its own; docs/modes.md measures it.

Pieces            the pieces of a set of reference points, and which piece a new point falls in
find_pieces       Pieces from (n, d) rows
pieces_of_data    Pieces of a dataset: its training rows, or PIECE_POINTS draws with their own seed
"""

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

PIECE_K = 10            # r_i: the distance to the k-th nearest neighbour
REACH = 2.0             # i -- j when ||x_i - x_j|| <= REACH r_i
PIECE_POINTS = 10000    # points drawn from a named dataset to find its pieces (a table uses its own rows)
SHARE_POINTS = 200000   # further draws on which a named dataset's pieces are measured (shares, means, widths)
PIECE_SEED = 22         # the seed of those draws: the pieces do not depend on the run's seed
MAX_PIECES = 64         # more components than this: the data is not a few separate clouds, one piece
ANCHORS = 8             # points of each piece that mark it (Pieces.assign)
MAX_ROWS = 20000        # a larger table finds its pieces on this many of its rows (every step of training
                        # asks which piece a point is in; a bigger tree would cost more than it tells)


class Pieces:
    """K pieces of the reference points `rows` (n, d), with their labels (n,) in 0..K-1.

    .K            the number of pieces
    .weights      (K,) w_k, each piece's fraction of the points (they sum to 1)
    .mean         (K, d) m_k, each piece's mean
    .scale        (K, d) s_k, each piece's standard deviation per coordinate, at least SCALE_FLOOR times the
                  data's own (a piece that is flat in some coordinate keeps a frame of non-zero width)
    .anchors      (K * A, d) A = ANCHORS points of each piece, spread over it by farthest-point sampling
                  (the first is the point nearest the piece's mean, each next one the point farthest from those
                  chosen), and .anchor_piece (K * A,) their pieces
    .assign(x)    (m,) the piece of each row of x: the piece of its nearest anchor

    Why anchors rather than every reference point: D asks for the pieces of every batch it sees, and the
    nearest of a few hundred anchors is one small matrix product; the nearest of 20,000 points, a tree search
    that costs more than D itself. A few anchors spread over a piece mark its whole extent, so a point of the
    data gets its own piece (checked in tests/test_pieces.py: the anchors agree with all the points on ring8,
    grid25 and moons).
    """

    SCALE_FLOOR = 1e-3

    def __init__(self, rows, labels):
        rows = np.asarray(rows, dtype=np.float64)
        labels = np.asarray(labels, dtype=np.int64)
        self.rows, self.labels = rows, labels
        self.K = int(labels.max()) + 1
        counts = np.bincount(labels, minlength=self.K)
        self.measure(rows, labels)
        self.anchors = np.concatenate([spread_points(rows[labels == k], ANCHORS) for k in range(self.K)])
        self.anchor_piece = np.repeat(np.arange(self.K), [min(ANCHORS, c) for c in counts])
        self._anchors32 = self.anchors.astype(np.float32)
        self._half_norms = 0.5 * np.sum(self._anchors32 ** 2, axis=1)

    def __repr__(self):
        return f"Pieces(K={self.K}, d={self.rows.shape[1]}, points={len(self.rows)})"

    def measure(self, points, labels=None):
        """Set .weights, .mean and .scale from points (m, d) in these pieces (labels (m,), else self.assign):
        each piece's fraction of them, mean and per-coordinate std. Returns self."""
        points = np.asarray(points, dtype=np.float64)
        if labels is None:                # in blocks: one product of all the points at once is slower, not faster
            labels = np.concatenate([self.assign(points[i:i + 2048]) for i in range(0, len(points), 2048)])
        counts = np.bincount(labels, minlength=self.K)
        self.weights = counts / counts.sum()
        self.mean = np.stack([points[labels == k].mean(axis=0) for k in range(self.K)])
        floor = self.SCALE_FLOOR * np.maximum(points.std(axis=0), 1e-12)
        self.scale = np.stack([np.maximum(points[labels == k].std(axis=0), floor) for k in range(self.K)])
        return self

    def assign(self, x):
        """(m,) int64: the piece of each row of x (m, d), that of its nearest anchor.
        argmin_a ||x - a||^2 = argmax_a (x . a - ||a||^2 / 2): one matrix product."""
        x = np.asarray(x, dtype=np.float32)
        return self.anchor_piece[np.argmax(x @ self._anchors32.T - self._half_norms, axis=1)]


def spread_points(points, count):
    """`count` of the (n, d) points spread over them (farthest-point sampling): first the point nearest their
    mean, then each time the point farthest from all chosen so far. All the points if n <= count."""
    if len(points) <= count:
        return points
    chosen = [int(np.argmin(np.sum((points - points.mean(axis=0)) ** 2, axis=1)))]
    gap = np.sum((points - points[chosen[0]]) ** 2, axis=1)     # squared distance to the nearest chosen point
    for _ in range(count - 1):
        chosen.append(int(np.argmax(gap)))
        gap = np.minimum(gap, np.sum((points - points[chosen[-1]]) ** 2, axis=1))
    return points[chosen]


def find_pieces(rows, k=PIECE_K, min_size=None):
    """Pieces of `rows` (n, d): the connected components of the graph i -- j when ||x_i - x_j|| <= REACH r_i,
    r_i the distance to i's k-th nearest neighbour (see the module's docstring). min_size: components with
    fewer points join their nearest piece (default max(2 (k + 1), n / 200)). More than MAX_PIECES pieces, or
    too few points for two: one piece."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2 or len(rows) < 2:
        raise ValueError(f"find_pieces: rows must be (n, d) with n >= 2, got shape {rows.shape}")
    n = len(rows)
    min_size = max(2 * (k + 1), n // 200) if min_size is None else int(min_size)
    if n < 2 * min_size:
        return Pieces(rows, np.zeros(n, dtype=np.int64))
    tree = cKDTree(rows)
    spacing, _ = tree.query(rows, k=min(k, n - 1) + 1)            # column 0 is the point itself
    near = tree.query_ball_point(rows, REACH * spacing[:, -1])
    i = np.repeat(np.arange(n), [len(js) for js in near])
    graph = coo_matrix((np.ones(len(i)), (i, np.concatenate(near))), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    sizes = np.bincount(component)
    big = sizes >= min_size
    if big.sum() > MAX_PIECES or big.sum() < 2:
        return Pieces(rows, np.zeros(n, dtype=np.int64))
    kept = big[component]
    if not kept.all():                                       # stray points join their nearest kept point's piece
        _, j = cKDTree(rows[kept]).query(rows[~kept], k=1)
        component[~kept] = component[kept][j]
    _, labels = np.unique(component, return_inverse=True)    # renumber 0..K-1, in the order of the components
    return Pieces(rows, labels.reshape(-1))


def pieces_of_data(data):
    """The Pieces of a dataset: of its training rows (a table: data.rows, at most MAX_ROWS of them, drawn with
    PIECE_SEED) or of PIECE_POINTS draws from it with PIECE_SEED, so a run's seed never changes them.

    The pieces are found on those points, then measured (shares, means, widths; Pieces.measure) on all the
    data there is: all of a table's rows, or SHARE_POINTS further draws of a named dataset. Measured on 10,000
    draws, grid25's shares were off by up to 8% (a reverse KL of 0.0007 from equal shares), and a G that
    draws its classes with them inherits the error; on 200,000 draws it is about 2%."""
    rng = np.random.default_rng(PIECE_SEED)
    rows = getattr(data, "rows", None)
    if rows is None:
        found = find_pieces(data.sample(PIECE_POINTS, rng, dtype=np.float64))
        return found.measure(data.sample(SHARE_POINTS, rng, dtype=np.float64)) if found.K > 1 else found
    if len(rows) > MAX_ROWS:
        found = find_pieces(rows[np.sort(rng.choice(len(rows), MAX_ROWS, replace=False))])
        return found.measure(rows) if found.K > 1 else found
    return find_pieces(rows)

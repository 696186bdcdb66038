"""tools/pages.py: one side-by-side page per file of the README's reading path, self-contained, every line of
code on its page, every formula drawn, the pages linked in reading order."""

import ast
import html
import importlib.util
import io
import os
import re
import time
import tokenize

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("pages", os.path.join(ROOT, "tools", "pages.py"))
pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pages)


SOURCES = {}      # the text of each file as it was when its page was built (others may edit the tree meanwhile)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """All pages, built once into a temporary folder: (folder, reading path, Formulas, seconds)."""
    out = str(tmp_path_factory.mktemp("pages"))
    paths = pages.reading_path(ROOT)
    read = lambda: {p: open(os.path.join(ROOT, p), encoding="utf-8").read() for p in paths}   # noqa: E731
    for _ in range(3):                               # build again if a file changed while it was built
        before = read()
        start = time.perf_counter()
        formulas = pages.build(out, ROOT, paths)
        seconds = time.perf_counter() - start
        if read() == before:
            break
    SOURCES.update(before)
    return out, paths, formulas, seconds


class Page:
    """A built page read back: its code column as {line number: text} (un-escaped), its notes' text (a formula
    by its plain text, kept in its title) and its links [(rel, href)]."""

    def __init__(self, path):
        raw = open(path, encoding="utf-8").read()
        strip = lambda s: html.unescape(re.sub(r"<[^>]*>", "", s))          # noqa: E731
        self.code = {int(n): strip(text) for n, text in
                     re.findall(r'<span class="l" data-n="(\d+)">(.*?)</span>(?=<span class="l"|</pre>)', raw)}
        notes = " ".join(re.findall(r'<div class="note">(.*?)</div><div class="code">', raw, re.S))
        notes = re.sub(r'<span class="math" title="([^"]*)">.*?</svg></span>', r" \1 ", notes, flags=re.S)
        self.notes = strip(notes)
        self.links = [(rel or None, href) for href, rel in re.findall(r'<a href="([^"]*)"(?: rel="(\w+)")?>', raw)]


def moved_lines(source):
    """Lines that leave the code column: docstrings standing on lines of their own, and comment-only lines."""
    lines = source.splitlines()
    moved = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            s = node.body[0]
            if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str):
                moved.update(range(s.lineno, s.end_lineno + 1))
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT and not tok.line[:tok.start[1]].strip() and not tok.string.startswith("#!"):
            moved.add(tok.start[0])
    return {n for n in moved if n <= len(lines)}


def test_reading_path_follows_the_readme():
    paths = pages.reading_path(ROOT)
    head = ["demos/minimal_gan.py"] + ["scratchgan/" + f + ".py" for f in (
        "engine/nn engine/losses engine/optim engine/gradcheck gradcheck_catalogue engine/gan_backward game/config "
        "game/recipes game/networks game/trainer fixes/base fixes/__init__ data/latent data/pieces game/sampling game/run "
        "game/step_trace game/checkpoint fixes/instance_noise fixes/packing fixes/penalties fixes/clipping "
        "fixes/historical_averaging fixes/feature_matching fixes/mmd fixes/ema fixes/learned_prior fixes/conditional "
        "fixes/pieces "
        "fixes/warmstart "
        "fixes/truncation fixes/rejection engine/batchnorm data/datasets data/tables measure/metrics "
        "measure/digits").split()]
    assert paths[:len(head)] == head
    assert len(paths) == len(set(paths)) and all(os.path.isfile(os.path.join(ROOT, p)) for p in paths)
    for folder in ("scratchgan/theory/", "scratchgan/plots/", "scratchgan/cli/"):
        inside = [p for p in paths if p.startswith(folder)]
        expected = sorted(folder + f for f in os.listdir(os.path.join(ROOT, folder)) if f.endswith(".py"))
        assert inside == expected
        assert paths[paths.index(inside[0]):paths.index(inside[0]) + len(inside)] == inside   # together, in order


def test_every_line_of_code_is_on_its_page(built):
    out, paths, _, _ = built
    for path in paths:
        source = SOURCES[path]
        page = Page(os.path.join(out, pages.page_name(path)))
        moved = moved_lines(source)
        for n, line in enumerate(source.splitlines(), 1):
            if n in moved:
                assert n not in page.code, f"{path}:{n} is a docstring or comment line, yet in the code column"
            elif line.strip():
                assert page.code.get(n) == line, f"{path}:{n} missing or changed in the code column: {line!r}"
        assert list(page.code) == sorted(page.code), f"{path}: code lines out of order"


def test_notes_are_the_docstrings_and_comments(built):
    out, paths, _, _ = built
    squash = lambda s: re.sub(r"\s+", " ", re.sub(r"[`*]", "", s)).strip()       # noqa: E731
    for path in paths:
        source = SOURCES[path]
        notes = squash(Page(os.path.join(out, pages.page_name(path))).notes)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node):
                first = squash(ast.get_docstring(node).splitlines()[0])
                assert first in notes, f"{path}: docstring {first[:60]!r} not in the notes"


def test_pages_are_self_contained(built):
    out, _, _, _ = built
    for name in os.listdir(out):
        raw = open(os.path.join(out, name), encoding="utf-8").read()
        assert not re.search(r"""\b(src|href)\s*=\s*["']?\s*(https?:|//)""", raw, re.I), name
        assert not re.search(r"<script|<link|@import|url\(\s*['\"]?https?:", raw, re.I), name
        assert "http://" not in raw.split("<body>")[0], name               # nothing remote in the head


def test_every_formula_is_rendered(built):
    _, _, formulas, _ = built
    assert formulas.failed == [], "not rendered:\n" + "\n".join(f"{p}  ({why})" for p, why in formulas.failed)
    assert formulas.rendered >= 50


def test_pages_link_in_reading_order(built):
    out, paths, _, seconds = built
    names = [pages.page_name(p) for p in paths]
    index = Page(os.path.join(out, "index.html"))
    assert [href for rel, href in index.links if rel is None] == names
    for i, name in enumerate(names):
        links = dict(Page(os.path.join(out, name)).links)
        assert links.get("prev") == (names[i - 1] if i else None)
        assert links.get("next") == (names[i + 1] if i + 1 < len(names) else None)
        assert links.get("index") == "index.html"
    assert seconds < 30


@pytest.mark.parametrize("plain, expected", [
    ("D*(x) = pi(x) / (pi(x) + p(x))", r"$D^{*} ( x ) = \pi ( x ) / ( \pi ( x ) + p ( x ) )$"),
    ("-log D(G(z))", r"$- \log D ( G ( z ) )$"),
    ("sqrt(v_t) + eps", r"$\sqrt{v_{t}} + \epsilon$"),
    ("x^2 + sigma^(1/2)", r"$x ^{2} + \sigma ^{1 / 2}$"),
    ("theta <- theta - lr * g_t", r"$\theta \leftarrow \theta - lr \cdot g_{t}$"),
    ("||x_hat_i - mu1|| >= 0", r"$\Vert \hat{x}_{i} - \mu_{1} \Vert \geq 0$"),
    ("sum_{i=1..t} l_fake", r"$\sum_{i = 1 \ldots t} l_{\mathrm{fake}}$"),
    ("dL/dtheta = gbar_k", r"$dL / d\theta = \bar{g}_{k}$"),
])
def test_plain_text_maths_to_mathtext(plain, expected):
    assert pages.to_mathtext(plain) == expected
    assert pages.Formulas().svg(expected).startswith("<svg ")       # and mathtext draws it


@pytest.mark.parametrize("line, is_formula", [
    ("    V(D, G) = E_pi log D(x) + E_p(z) log(1 - D(G(z)))", True),
    ("    result = check_module(my_layer, x)          # x in float64", False),       # code
    ("    loss_G, dL_dfake = objective.g_loss(fake_logits)", False),                 # code
    ("    .pdf(x) = exp(log_prob(x)).", False),                                      # an attribute
    ("    purple dots  generated samples x = G(z), z ~ p(z), the same z in every frame", False),   # prose
    ("    J = [[ 0,      f'(0)],", False),                                           # an open bracket
    ("    python demos/minimal_gan.py --seed 1", False),
])
def test_which_lines_are_formulas(line, is_formula):
    assert (pages.formula_parts(line) is not None) == is_formula


def test_a_formula_mathtext_refuses_falls_back_to_plain_text():
    f = pages.Formulas()
    out = f.render("x = \\frac{")
    assert out.startswith('<code class="fallback"') and len(f.failed) == 1 and f.rendered == 0


def test_comment_rulers_become_headings():
    assert pages.comment_text(["    # -- one iteration ------------------"]) == "## one iteration"
    assert pages.comment_text(["# " + "-" * 20, "# Rows and code", "# " + "-" * 20]) == "## Rows and code"
    assert pages.comment_text(["# a plain comment -- with dashes"]) == "a plain comment -- with dashes"

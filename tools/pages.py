"""The reading path as side-by-side pages: notes and maths on the left, code on the right, row by row.

    python tools/pages.py --out DIR          (default runs/pages; open DIR/index.html)

One HTML page per file of README.md's "Reading path" (reading_path), in that order, each linked to the previous,
the next and the index. Nothing is written twice: a page's notes are its module's own docstrings and comments.

How a file becomes rows (split_rows): the module docstring is the first note; each def or class of the module
or of a class, and each def inside a function that has a docstring, starts a row whose note is its docstring;
a block of comment lines that stand on their own lines is a note beside the code that follows it. Docstrings
and those comments leave the code column; every other line stays, in order, with trailing comments.

Which text becomes a formula (the convention, formula_parts): in a note, a line indented by 4 or more spaces
(relative to the docstring) that holds "=", "<-" or "~" and reads as maths. The line is cut at runs of 3+
spaces; a piece with three or more words of prose (or prose and no relation) stays text, the other pieces are
maths, translated by to_mathtext (pi -> \\pi, x_i -> x_i, x^2, sqrt(..), ||x|| ...) and drawn by matplotlib's
mathtext as one inline SVG path (no network, no fonts needed). A line that looks like code (a call of
`obj.method`, quotes, #, --, a keyword argument, CamelCase, a URL's query) or leaves a bracket open stays
preformatted text.
When mathtext refuses a piece, the plain text is shown in <code> and counted as not rendered.
"""

import argparse
import ast
import builtins
import html
import io
import keyword
import os
import re
import sys
import textwrap
import tokenize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------------------------------------------------
# The reading path
# ---------------------------------------------------------------------------------------------------------

def reading_path(root=ROOT):
    """The files of README.md's "Reading path" section, in order, as paths relative to root.

    Every backticked name ending in .py that is a file under scratchgan/ or demos/ (as written, or a bare
    module name under scratchgan/) counts; a backticked folder there ending in / stands for its .py files in
    sorted order. Each file is listed once, where first named."""
    text = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    section = text.split("## Reading path", 1)[1].split("\n## ", 1)[0]
    paths = []
    for name in re.findall(r"`([^`\s]+)`", section):
        if "/" in name and not name.startswith(("scratchgan/", "demos/")):
            found = []
        elif name.endswith("/") and os.path.isdir(os.path.join(root, name)):
            found = [name + f for f in sorted(os.listdir(os.path.join(root, name))) if f.endswith(".py")]
        elif name.endswith(".py"):
            path = name if "/" in name else "scratchgan/" + name
            found = [path] if os.path.isfile(os.path.join(root, path)) else []
        else:
            found = []
        paths += [p for p in found if p not in paths]
    return paths


def page_name(path):
    """demos/minimal_gan.py -> demos-minimal_gan.html."""
    return path[:-3].replace("/", "-") + ".html"


# ---------------------------------------------------------------------------------------------------------
# Plain-text maths to mathtext
# ---------------------------------------------------------------------------------------------------------

GREEK = {g: "\\" + g for g in "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
         "sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega".split()}
GREEK["eps"] = r"\epsilon"
FUNCS = {"log": r"\log", "exp": r"\exp", "max": r"\max", "min": r"\min", "sup": r"\sup", "det": r"\det",
         "tanh": r"\tanh", "sum": r"\sum", "Tr": r"\mathrm{Tr}"}
# Words that are maths, not prose, when deciding whether a piece of a line is a formula.
MATH_WORDS = set(GREEK) | set(FUNCS) | set("sqrt inf mean var std grad sigmoid softplus softmax logsumexp logaddexp "
                                           "onehot over for all with and subject iff in on or of to at per".split())
SHORT_PROSE = set("is so it be by as an if no we".split())
BIG = (r"\log", r"\exp", r"\max", r"\min", r"\sup", r"\det", r"\tanh", r"\sum")
RELATION = re.compile(r"=|<-|~")
TOKEN = re.compile(r"(?P<space>\s+)|(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z][A-Za-z0-9_]*'*\*?)"
                   r"|(?P<op><-|->|>=|<=|!=|\+=|\+-|\|\||\.\.\.|\.\.|//|[-+*/=<>~|()\[\],;:^_{}!.'@&%$])")
OPS = {"<-": r"\leftarrow", "->": r"\rightarrow", ">=": r"\geq", "<=": r"\leq", "!=": r"\neq", "+-": r"\pm",
       "||": r"\Vert", "...": r"\ldots", "..": r"\ldots", "~": r"\sim", "*": r"\cdot", "{": r"\{", "}": r"\}",
       "%": r"\%", "&": r"\&", "$": r"\$", "+=": r"{+}\!="}
BINARY = set("= + - / < > ~ , ; : <- -> >= <= != +- * ^ _ ( [".split())


def _word(w):
    """A name without subscripts: Greek letters and functions by their commands, d+letter as a differential,
    one letter (and digits, as in p1) italic, any other word upright."""
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", w)
    if m and (len(m.group(1)) == 1 or m.group(1) in GREEK):
        return f"{_word(m.group(1))}_{{{m.group(2)}}}"
    if w in GREEK or w in FUNCS:
        return GREEK.get(w) or FUNCS[w]
    if len(w) == 1 or w.isdigit() or (len(w) == 2 and w.islower()):
        return w
    if w.endswith("bar") and _word(w[:-3]) in (w[:-3], GREEK.get(w[:-3])):
        return r"\bar{" + _word(w[:-3]) + "}"
    if w[0] == "d" and (len(w) == 2 or w[1:] in GREEK):
        return "d" + _word(w[1:])
    return r"\mathrm{" + w + "}"


def _name(w, nxt):
    """A plain-text name (x_hat_i, E_pi, l_fake, D*, f', running_mean) as mathtext; nxt is the next token."""
    star = w.endswith("*")
    w = w.rstrip("*")
    primes = len(w) - len(w.rstrip("'"))
    w = w.rstrip("'")
    if w == "inf":
        return r"\infty" if nxt in ("", ",", ")", ".") else r"\inf"
    base, *subs = w.split("_")
    hat = "hat" in subs
    subs = [s for s in subs if s != "hat"]
    named = [s for s in subs if s and len(s) > 2 and s not in GREEK]
    if named and base not in GREEK and len(base) > 1 and base not in FUNCS and base[0] != "d":
        out = r"\mathrm{" + w.replace("_", r"\_") + "}"                    # a variable's name: running_mean
    else:
        out = _word(base)
        if hat:
            out = "d" + r"\hat{" + out[1:] + "}" if base[0] == "d" and len(base) == 2 else r"\hat{" + out + "}"
        parts = [s if len(s) <= 2 and not s in GREEK else _word(s) for s in subs if s]
        out += "_{" + ",".join(parts) + "}" if parts else ""
        out += "_" if w.endswith("_") and subs and not subs[-1] else ""      # l_{i, y_i}: the group follows
    return out + "'" * primes + ("^{*}" if star else "")


def _group(tokens, i):
    """(mathtext of the atom at tokens[i], index after it): a bracketed group loses its outer brackets."""
    kind, text = tokens[i]
    if text in ("(", "{"):
        close, depth = {"(": ")", "{": "}"}[text], 0
        for j in range(i, len(tokens)):
            depth += {text: 1, close: -1}.get(tokens[j][1], 0)
            if depth == 0:
                return _convert(tokens[i + 1:j]), j + 1
        raise ValueError("unbalanced " + text)
    return _convert(tokens[i:i + 1]), i + 1


def _convert(tokens):
    out, i, prev = [], 0, "="
    while i < len(tokens):
        kind, text = tokens[i]
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if kind == "space":
            following = next((t for k, t in tokens[i + 1:] if k != "space"), "")
            if prev not in BINARY and following not in BINARY | {")", "]", "^", "_"} and not out[-1].startswith(BIG):
                out.append(r"\quad" if len(text) > 1 else r"\ ")
            i += 1
            continue
        if text in ("^", "_") or (kind == "name" and text.endswith("_") and nxt == "{"):
            head = _name(text, nxt) if kind == "name" else text
            body, i = _group(tokens, i + 1)
            out.append(head + "{" + body + "}")
        elif kind == "name" and text == "sqrt" and nxt == "(":
            body, i = _group(tokens, i + 1)
            out.append(r"\sqrt{" + body + "}")
        else:
            out.append(_name(text, nxt) if kind == "name" else OPS.get(text, text))
            i += 1
        prev = text
    return " ".join(out)


def to_mathtext(plain):
    """Plain-text maths, as the docstrings write it, as a mathtext string "$...$"; ValueError if it cannot."""
    tokens, pos = [], 0
    while pos < len(plain):
        m = TOKEN.match(plain, pos)
        if not m:
            raise ValueError(f"cannot read {plain[pos:]!r}")
        tokens.append((m.lastgroup, m.group()))
        pos = m.end()
    return "$" + _convert(tokens) + "$"


def _prose_words(piece):
    """How many words of a piece are prose: lower-case words that would be set upright (not dt, dtheta, x, pi)
    and are not maths (log, sum, over, in), short words such as is or so, and possessives (D's)."""
    words = re.findall(r"(?<![\w'])[a-z]{2,}(?![\w'(])", piece)
    prose = [w for w in words if w not in MATH_WORDS and (_word(w).startswith(r"\mathrm") or w in SHORT_PROSE)]
    return len(prose) + len(re.findall(r"[A-Za-z]'[a-z]", piece))


# Code, not maths: quotes, #, --, obj.attr, CamelCase, a keyword argument, a call of a snake_case function, a
# URL's query (?token=T).
CODE = re.compile(r"[\"#`]|--|(?<![.\d])\.[A-Za-z_]|[A-Z][a-z]+[A-Z]|[(,]\s*\w+=|\b[a-z]+_[a-z0-9]{2,}\(|\?\w+=")


def formula_parts(line):
    """[(kind, text)] for a note line indented by 4+ spaces that is a formula, kind "math" or "text"; else None."""
    pieces = [p for p in re.split(r"\s{3,}", line.strip()) if p]
    parts = []
    if any(p.startswith("#") for p in pieces):
        return None
    for p in pieces:
        prose = _prose_words(p)
        is_text = prose >= 2 or (prose and not RELATION.search(p))
        balanced = all(p.count(a) == p.count(b) for a, b in ("()", "[]", "{}"))
        if not is_text and (CODE.search(p) or not balanced):
            return None
        parts.append(("text" if is_text else "math", p))
    return parts if any(k == "math" and RELATION.search(t) for k, t in parts) else None


# ---------------------------------------------------------------------------------------------------------
# Formulas as inline SVG
# ---------------------------------------------------------------------------------------------------------

class Formulas:
    """Draws formulas as inline SVG with matplotlib's mathtext; remembers what it drew and what it could not."""

    def __init__(self, size=15):
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib.font_manager import FontProperties
        self.prop = FontProperties(size=size)      # in CSS px, as the notes' text
        self.cache, self.rendered, self.failed = {}, 0, []

    def svg(self, mathtext):
        """An <svg> of one path for a mathtext string (cached); raises ValueError when mathtext cannot parse it."""
        if mathtext not in self.cache:
            from matplotlib.path import Path
            from matplotlib.textpath import TextPath
            path = TextPath((0, 0), mathtext, prop=self.prop)
            box = path.get_extents()
            x0, y0, w, h = box.x0 - 1, box.y0 - 1, box.width + 2, box.height + 2
            letters = {Path.MOVETO: "M", Path.LINETO: "L", Path.CURVE3: "Q", Path.CURVE4: "C", Path.CLOSEPOLY: "Z"}
            d = []
            for points, code in path.iter_segments():
                xy = points.reshape(-1, 2) if code != Path.CLOSEPOLY else points[:0].reshape(-1, 2)
                d.append(letters[code] + " ".join(f"{x - x0:.2f} {y0 + h - y:.2f}" for x, y in xy))
            self.cache[mathtext] = (f'<svg width="{w:.1f}" height="{h:.1f}" viewBox="0 0 {w:.1f} {h:.1f}" '
                                    f'style="vertical-align:{y0:.1f}px"><path d="{"".join(d)}"/></svg>')
        return self.cache[mathtext]

    def render(self, plain):
        """HTML for one piece of plain-text maths: the SVG, or the text in <code> when it cannot be drawn."""
        try:
            out = f'<span class="math" title="{html.escape(plain)}">{self.svg(to_mathtext(plain))}</span>'
            self.rendered += 1
            return out
        except Exception as err:               # noqa: BLE001 (mathtext raises ValueError and others)
            why = next((line.strip() for line in str(err).splitlines() if line.strip()), "")
            self.failed.append((plain, f"{type(err).__name__}: {why}"))
            return f'<code class="fallback" title="not rendered">{html.escape(plain)}</code>'


# ---------------------------------------------------------------------------------------------------------
# Notes
# ---------------------------------------------------------------------------------------------------------

def _inline(text):
    """Escaped prose with `code` and *emphasis* (URLs stay plain text, never links)."""
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))
    return re.sub(r"(?<![\w*])\*(\w[^*\n]*?\w|\w)\*(?!\w)", r"<em>\1</em>", text)


def _pre_line(line):
    """One line of a preformatted note block; when it wraps, it continues under its own second column (the text
    after the first run of 2+ spaces: a table's descriptions) or under its first character."""
    m = re.match(r"(\s*\S.*?\s{2,})\S", line)
    col = len(m.group(1)) if m else len(line) - len(line.lstrip())
    return (f'<span class="pl" style="padding-left:{col}ch;text-indent:-{col}ch">'
            f'{html.escape(line, quote=False) or " "}</span>')


def note_html(text, formulas):
    """A docstring's or a comment block's text as HTML: paragraphs, formulas, and preformatted blocks for the
    other indented lines and for lines laid out in columns (3+ spaces inside), such as tables of names."""
    out, para, pre = [], [], []

    def flush():
        if para:
            out.append("<p>" + "<br>".join(_inline(" ".join(item)) for item in para) + "</p>")
        if pre:
            out.append("<pre>" + "".join(_pre_line(line) for line in textwrap.dedent("\n".join(pre)).split("\n"))
                       + "</pre>")
        para.clear(), pre.clear()

    for line in text.splitlines():
        indent = len(line) - len(line.lstrip())
        if indent >= 4 or re.search(r"\S {3,}\S", line) or (pre and re.search(r"\S {2,}\S", line)):  # columns
            if para:
                flush()
            parts = formula_parts(line) if indent >= 4 else None
            if parts is None:
                pre.append(line)
                continue
            flush()
            inner = "".join(formulas.render(t) if k == "math" else f'<span class="mtext">{_inline(t)}</span>'
                            for k, t in parts)
            out.append(f'<div class="formula">{inner}</div>')
        elif not line.strip():
            flush()
        else:
            if pre:
                flush()
            if not para or re.match(r"(- |\* |\d+\. )", line.strip()):
                para.append([])
            para[-1].append(line.strip())
    flush()
    html_ = "\n".join(out)
    return re.sub(r"^<p>## (.*?)</p>", r"<h3>\1</h3>", html_)


def comment_text(lines):
    """The text of a block of comment lines: '#' and one space removed; ruler lines (# ----) dropped, and a
    one-line title between rulers marked "## " (a heading), as is a one-line ruler with a title inside it
    (# -- title -----)."""
    text = [re.sub(r"^\s*# ?", "", line) for line in lines]
    inline = re.fullmatch(r"-{2,} (.+?) -{3,}", text[0]) if len(text) == 1 else None
    if inline:
        return "## " + inline.group(1)
    kept = "\n".join(t for t in text if not re.fullmatch(r"[-=#*~ ]{3,}", t))
    return "## " + kept if len(kept) < len("\n".join(text)) and "\n" not in kept else kept


# ---------------------------------------------------------------------------------------------------------
# Rows and code
# ---------------------------------------------------------------------------------------------------------

def _docstring_lines(node, lines):
    """(first, last) 1-based lines of node's docstring when it stands on lines of its own, else None."""
    body = getattr(node, "body", None)
    if not body or not isinstance(body[0], ast.Expr) or not isinstance(getattr(body[0], "value", None),
                                                                        ast.Constant):
        return None
    s = body[0]
    if not isinstance(s.value.value, str):
        return None
    first, last = s.lineno, s.end_lineno
    alone = lines[first - 1][:s.col_offset].strip() == "" and lines[last - 1][s.end_col_offset:].strip() == ""
    return (first, last) if alone else None


def docstring(node):
    """node's docstring with the indentation of its code removed, and nothing else: unlike inspect.cleandoc,
    a docstring whose lines after the first are all indented formulas keeps them indented."""
    s = node.body[0]
    first, *rest = s.value.value.strip("\n").rstrip().split("\n")
    indent = s.col_offset
    return "\n".join([first.strip()] + [line[indent:] if line[:indent].strip() == "" else line.lstrip()
                                        for line in rest])


def split_rows(source):
    """The rows of a page: [(note text, [(line number, code line)])], in source order.

    Docstring lines and stand-alone comment lines leave the code; every other line is in exactly one row.
    A note with no code joins the next row's note; code with no note joins the row before."""
    lines = source.splitlines()
    tree = ast.parse(source)
    starts, removed = {}, set()                   # line -> note text that starts a row there
    doc = _docstring_lines(tree, lines)
    if doc:
        starts[1] = docstring(tree)
        removed.update(range(doc[0], doc[1] + 1))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            doc = _docstring_lines(node, lines)
            if doc or isinstance(parents[node], (ast.Module, ast.ClassDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                starts[first] = docstring(node) if doc else ""
                removed.update(range(doc[0], doc[1] + 1) if doc else ())
    alone = sorted(tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                   if tok.type == tokenize.COMMENT and not tok.line[:tok.start[1]].strip()
                   and not tok.string.startswith("#!"))
    for n in alone:                              # a block of comment lines is a note for the code after it
        if n - 1 not in alone:
            block = [n]
            while block[-1] + 1 in alone:
                block.append(block[-1] + 1)
            starts[n] = comment_text([lines[k - 1] for k in block])
            removed.update(block)
    rows = [("", [])]
    for n, line in enumerate(lines, 1):
        if n in starts:
            rows.append((starts[n], []))
        if n not in removed:
            rows[-1][1].append((n, line))
    merged = []
    for note, code in rows:                      # a note with no code joins the next row's note
        code = _trim(code)
        if merged and not merged[-1][1]:
            note = (merged.pop()[0].strip() + "\n\n" + note).strip()
        merged.append((note.strip(), code))
    out = []
    for note, code in merged:                    # code with no note joins the row before, after a blank line
        if out and not note and code:
            first = code[0][0]
            gap = [(first - 1, "")] if first > 1 and not lines[first - 2].strip() else []
            out[-1] = (out[-1][0], out[-1][1] + gap + code)
        elif note or code:
            out.append((note, code))
    return out


def _trim(code):
    while code and not code[0][1].strip():
        code = code[1:]
    while code and not code[-1][1].strip():
        code = code[:-1]
    return code


BUILTINS = set(dir(builtins))


def highlight(source):
    """{line number: HTML of that line} with tokens coloured by class (keyword, string, number, comment, ...)."""
    lines = source.splitlines()
    marks = {n: [] for n in range(1, len(lines) + 1)}
    prev = None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            kind = {tokenize.STRING: "s", tokenize.NUMBER: "n", tokenize.COMMENT: "c"}.get(tok.type)
            if tok.type == tokenize.NAME:
                if keyword.iskeyword(tok.string):
                    kind = "k"
                elif prev in ("def", "class"):
                    kind = "f"
                elif tok.string in BUILTINS or tok.string == "self":
                    kind = "b"
            elif tok.type == tokenize.OP and tok.string == "@" and not tok.line[:tok.start[1]].strip():
                kind = "d"
            if kind:
                (r0, c0), (r1, c1) = tok.start, tok.end
                for r in range(r0, r1 + 1):
                    marks[r].append((c0 if r == r0 else 0, c1 if r == r1 else len(lines[r - 1]), kind))
            if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                prev = tok.string
    except (tokenize.TokenError, KeyError, IndexError):
        marks = {n: [] for n in marks}
    out = {}
    for n, line in enumerate(lines, 1):
        pieces, pos = [], 0
        for c0, c1, kind in marks[n]:
            pieces.append(html.escape(line[pos:c0], quote=False))
            pieces.append(f'<span class="{kind}">{html.escape(line[c0:c1], quote=False)}</span>')
            pos = c1
        out[n] = "".join(pieces) + html.escape(line[pos:], quote=False)
    return out


# ---------------------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------------------

CSS = """
body{margin:0;font:15px/1.55 Georgia,'DejaVu Serif',serif;color:#222;background:#fff}
header,footer{padding:10px 24px;background:#f4f1ea;border-bottom:1px solid #ddd;font-family:sans-serif;font-size:14px}
footer{border-top:1px solid #ddd;border-bottom:0}
header a,footer a{margin-right:18px;color:#1a5fb4;text-decoration:none}
h1{font:600 20px sans-serif;margin:16px 24px}
.row{display:flex;border-top:1px solid #eee}
.note{flex:0 0 40%;max-width:40%;box-sizing:border-box;padding:8px 22px 8px 24px;overflow-x:auto}
.note p{margin:6px 0}
.note pre{font:12px/1.4 'DejaVu Sans Mono',monospace;background:#f7f7f2;padding:4px 6px;white-space:pre-wrap}
.pl{display:block;overflow-wrap:anywhere}
.note code{font:13px 'DejaVu Sans Mono',monospace;background:#f3f3ee;padding:0 2px}
.note h3{font:600 16px sans-serif;margin:6px 0}
.formula{margin:8px 0 8px 18px;display:flex;flex-wrap:wrap;align-items:center;gap:4px 2.2em;overflow-x:auto}
.formula .mtext{font-size:14px;color:#555}
.math{max-width:100%;line-height:0}.math svg{fill:#111;max-width:100%;height:auto}
code.fallback{color:#a00}
.code{flex:1;min-width:0;background:#f6f8fa;border-left:1px solid #e3e3e3}
.code pre{margin:0;padding:8px 12px;font:12.5px/1.5 'DejaVu Sans Mono',monospace;white-space:pre-wrap}
.l{display:block;padding-left:4.2em;text-indent:-4.2em;overflow-wrap:anywhere}
.l::before{content:attr(data-n);display:inline-block;width:3.2em;margin-right:1em;text-indent:0;
color:#aaa;text-align:right;user-select:none}
.k{color:#8e24aa;font-weight:600}.s{color:#2e7d32}.n{color:#c62828}.c{color:#777;font-style:italic}
.f{color:#1565c0;font-weight:600}.b{color:#00838f}.d{color:#ef6c00}
ol li{margin:4px 0}
"""


def _nav(paths, i):
    links = ['<a href="index.html" rel="index">index</a>']
    if i > 0:
        links.insert(0, f'<a href="{page_name(paths[i - 1])}" rel="prev">&larr; {paths[i - 1]}</a>')
    if i + 1 < len(paths):
        links.append(f'<a href="{page_name(paths[i + 1])}" rel="next">{paths[i + 1]} &rarr;</a>')
    return " ".join(links)


def _page(title, body, nav):
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<style>{CSS}</style></head>\n<body><header>{nav}</header>\n{body}\n'
            f'<footer>{nav}</footer></body></html>\n')


def file_page(root, paths, i, formulas):
    """The HTML of reading-path file paths[i]."""
    source = open(os.path.join(root, paths[i]), encoding="utf-8").read()
    coloured = highlight(source)
    rows = []
    for note, code in split_rows(source):
        text = "".join(f'<span class="l" data-n="{n}">{coloured[n] or " "}</span>' for n, _ in code)
        note = note_html(note, formulas)
        anchor = f' id="L{code[0][0]}"' if code else ""
        rows.append(f'<div class="row"{anchor}><div class="note">{note}</div>'
                    f'<div class="code"><pre>{text}</pre></div></div>')
    body = f"<h1>{i}. {html.escape(paths[i])}</h1>\n" + "\n".join(rows)
    return _page(paths[i], body, _nav(paths, i))


def index_page(root, paths):
    """The index: the reading path in order, each file with the first line of its module docstring."""
    items = []
    for p in paths:
        doc = ast.get_docstring(ast.parse(open(os.path.join(root, p), encoding="utf-8").read())) or ""
        items.append(f'<li><a href="{page_name(p)}">{html.escape(p)}</a>: {_inline(doc.split(chr(10))[0])}</li>')
    body = ("<h1>scratchgan: the reading path</h1>\n<p style='margin:0 24px'>Notes and maths on the left, code on "
            "the right, built by <code>python tools/pages.py</code> from the modules' own docstrings and "
            "comments.</p>\n<ol start='0'>" + "\n".join(items) + "</ol>")
    return _page("scratchgan: the reading path", body, f'<a href="{page_name(paths[0])}" rel="next">start &rarr;</a>')


def build(out, root=ROOT, paths=None):
    """Write index.html and one page per reading-path file to out; returns the Formulas (counts, failures)."""
    paths = paths or reading_path(root)
    os.makedirs(out, exist_ok=True)
    formulas = Formulas()
    for i in range(len(paths)):
        with open(os.path.join(out, page_name(paths[i])), "w", encoding="utf-8") as f:
            f.write(file_page(root, paths, i, formulas))
    with open(os.path.join(out, "index.html"), "w", encoding="utf-8") as f:
        f.write(index_page(root, paths))
    return formulas


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "runs", "pages"), help="output folder (runs/pages)")
    args = parser.parse_args(argv)
    paths = reading_path()
    formulas = build(args.out, ROOT, paths)
    print(f"{len(paths)} pages, {formulas.rendered + len(formulas.failed)} formulas, "
          f"{len(formulas.failed)} not rendered; open {os.path.join(args.out, 'index.html')}")
    for plain, why in formulas.failed:
        print(f"  not rendered: {plain}  ({why})", file=sys.stderr)


if __name__ == "__main__":
    main()

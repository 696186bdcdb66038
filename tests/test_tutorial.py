"""docs/tutorial.md runs: every ```python block of the tutorial, in order, in one shared namespace."""

import os
import re

TUTORIAL = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "tutorial.md")

# A fence opens at the start of a line with ```python and closes at the next line that is just ```.
BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def python_blocks(text):
    """The source of each ```python block of a Markdown text, in order."""
    return BLOCK.findall(text)


def test_the_block_finder_finds_python_blocks_only():
    text = "intro\n```python\na = 1\n```\n```text\nnot code\n```\n    indented\n```python\nb = a + 1\n```\n"
    assert python_blocks(text) == ["a = 1\n", "b = a + 1\n"]


def test_the_tutorial_runs_block_by_block(tmp_path, monkeypatch):
    with open(TUTORIAL) as f:
        blocks = python_blocks(f.read())
    assert len(blocks) >= 4, f"docs/tutorial.md has only {len(blocks)} python blocks"
    monkeypatch.chdir(tmp_path)             # anything a block writes lands in a temporary directory
    namespace = {"__name__": "__tutorial__"}
    for i, source in enumerate(blocks, start=1):
        first_line = next((line for line in source.splitlines() if line.strip()), "")
        try:
            exec(compile(source, f"docs/tutorial.md, python block {i}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"python block {i} of docs/tutorial.md (first line: {first_line!r}) raised "
                                 f"{type(exc).__name__}: {exc}") from exc

"""The lab: train a GAN live in the browser, stage by stage, on the library's own Trainer (`python -m scratchgan lab`).

    library.py    every import from the rest of scratchgan, in one place
    settings.py   the settings the page offers, their one-line formulas, which can change mid-run
    session.py    one tab's run: the Trainer, played and stepped, and its latest frame
    stages.py     one iteration's stages (as `scratchgan step` prints them) and the source lines that run them
    frames.py     what the page draws, as JSON: the heatmap, the samples, G's pull, the manifold, Figure 1
    runs.py       the server's runs by tab; data drawn or uploaded; export to a run directory
    server.py     the standard library's HTTP server, the JSON API and the token
    page.html, page.css, page.js   the one page (inlined into one file when served), which only draws

docs/lab.md says how to use it and how it works.
"""

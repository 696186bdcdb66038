"""`scratchgan lab`: a local web page where a GAN trains live, stage by stage, on the library's own Trainer."""

import errno
import os
import sys
import threading
import webbrowser

from ..engine.errors import UsageError
from ..lab.server import LabServer


def add_parser(sub):
    """The `lab` subcommand and its options, on the subparsers `sub`."""
    p = sub.add_parser("lab", help="train a GAN live in your browser: play, pause, step, slow motion, your own data")
    p.add_argument("--host", default="127.0.0.1",
                   help="the address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765, help="the port (default 8765; 0: any free port)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser; just print the URL")
    p.add_argument("--pages", metavar="DIR", help="the reading path's pages (python tools/pages.py --out DIR), which "
                                                  "the code pane links to (default runs/pages when it exists)")
    p.add_argument("--runs", metavar="DIR", default="runs", help="where Export writes run directories (default runs)")
    p.set_defaults(func=run)


def run(args):
    """Serve the lab until Ctrl-C; print its URL (with the token) first."""
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be in 0..65535, got {args.port}")
    pages = args.pages or ("runs/pages" if os.path.isdir("runs/pages") else None)
    if pages is not None and not os.path.isdir(pages):
        raise UsageError(f"--pages {pages}: no such directory (write it with python tools/pages.py --out {pages})")
    try:
        server = LabServer((args.host, args.port), pages_dir=pages, runs_dir=args.runs)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise UsageError(f"port {args.port} is in use: try --port 0 (any free port)") from None
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}") from None
    print(f"scratchgan lab: open {server.url}", flush=True)
    print("(the token in the URL keeps other web pages from driving it; Ctrl-C stops it)", file=sys.stderr, flush=True)
    if not args.no_browser:
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopping the lab ...", file=sys.stderr)
    finally:
        server.close()
    print("stopped", file=sys.stderr)
    return 0

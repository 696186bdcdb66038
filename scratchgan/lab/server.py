"""The lab's web server: the standard library's ThreadingHTTPServer, one page, a small JSON API and a token.

    GET  /?token=T                        the page (page.html with its CSS and script inlined: one file, nothing
                                          fetched from elsewhere); it also sets the token as a SameSite cookie
    GET  /api/info                        the datasets, the settings (settings.SETTINGS), the speeds
    POST /api/session                     a new run for a new tab: {"data": NAME} -> its id, state and picture
    GET  /api/session/ID/frame?after=N    the first frame numbered above N (waits up to a second for it)
    GET  /api/session/ID/state            step, status, message, settings, code pane
    GET  /api/session/ID/history?since=I  the curves from index I on
    POST /api/session/ID/ACTION           play, pause, iteration, d_step, g_step, stages, speed, settings,
                                          reset, data, draw, upload, export
    GET  /pages/FILE                      the reading path's pages (tools/pages.py), when --pages names them

Every request carries the token: ?token=T, the header X-Lab-Token, or the cookie the page set. Without it the
answer is 403, so another web page open in the same browser cannot drive the server (it cannot read the
token, and a cross-site request does not carry a SameSite cookie). A file is served only from inside the pages
folder: any other path is 404. A request body has a size limit (MAX_BODY, MAX_UPLOAD); an upload is written
only into the server's temporary folder. A mistake (a bad setting, a bad file) is a 400 with one line,
{"error": "..."}, and the server goes on; any other exception is a 500 whose traceback goes to the terminal.
"""

import http.cookies
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .library import UsageError
from .runs import Sessions

MAX_BODY = 1 << 20          # a JSON request: 1 MiB (a drawing of 20,000 points)
MAX_UPLOAD = 5 << 20        # an uploaded table: 5 MiB
DRAIN = 64 << 20            # a body over its limit is still read (and dropped) up to this size, to answer 413
COOKIE = "scratchgan_lab_token"
HERE = os.path.dirname(os.path.abspath(__file__))


def page_html():
    """The page: page.html with page.css and page.js inlined, one self-contained file."""
    def read(name):
        with open(os.path.join(HERE, name), encoding="utf-8") as f:
            return f.read()
    return read("page.html").replace("/*CSS*/", read("page.css")).replace("/*JS*/", read("page.js"))


class LabServer(ThreadingHTTPServer):
    """The HTTP server and what the handlers share: the token, the runs, the temporary and pages folders."""

    daemon_threads = True

    def __init__(self, address, *, pages_dir=None, runs_dir="runs", quiet=True):
        super().__init__(address, LabHandler)
        self.token = secrets.token_urlsafe(24)
        self.tmp = tempfile.mkdtemp(prefix="scratchgan-lab-")
        self.sessions = Sessions(self.tmp, MAX_UPLOAD)
        self.pages_dir = os.path.realpath(pages_dir) if pages_dir else None
        self.runs_dir = runs_dir
        self.quiet = quiet
        self.page = page_html()

    def hide_tmp(self, message):
        """A message with the temporary folders cut out: a file is named as the user named it (data.csv)."""
        return re.sub(re.escape(self.tmp) + r"[/\\]([0-9a-f]+[/\\])?", "", message)

    @property
    def url(self):
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/?token={self.token}"

    def close(self):
        """Stop every run's worker, close the socket and remove the temporary folder (uploads, drawings)."""
        self.sessions.close()
        self.server_close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def start(host="127.0.0.1", port=0, **kwargs):
    """A LabServer serving in a daemon thread (for the tests and the benchmark); stop it with stop(server)."""
    server = LabServer((host, port), **kwargs)
    threading.Thread(target=server.serve_forever, name="lab-server", daemon=True).start()
    return server


def stop(server):
    server.shutdown()
    server.close()


class LabHandler(BaseHTTPRequestHandler):
    """One request: check the token, then route it (see the module docstring)."""

    server_version = "scratchgan-lab"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        if not self.server.quiet:
            super().log_message(format, *args)

    # -- answering ----------------------------------------------------------------------------------------

    def send(self, status, body, content_type="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, separators=(",", ":")).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, message):
        self.send(status, {"error": message})

    # -- checking -----------------------------------------------------------------------------------------

    def token_ok(self, query):
        """Does the request carry the server's token (query, header or cookie)? Compared in constant time."""
        given = query.get("token", [None])[0] or self.headers.get("X-Lab-Token")
        if not given:
            cookie = http.cookies.SimpleCookie(self.headers.get("Cookie", ""))
            given = cookie[COOKIE].value if COOKIE in cookie else None
        return bool(given) and secrets.compare_digest(given.encode(), self.server.token.encode())

    def body(self, limit):
        """The request's body, at most `limit` bytes; a UsageError when longer or without its length."""
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise UsageError("the request has no Content-Length")
        if int(length) > limit:
            self.close_connection = True            # an unread rest must not be taken for the next request
            left = int(length) if int(length) <= DRAIN else 0
            while left > 0:                         # read it away, so the browser sees the answer, not a reset
                left -= len(self.rfile.read(min(left, 1 << 16)) or b"x" * left)
            raise TooLarge(f"too large: {int(length)} bytes, the limit is {limit} bytes ({limit >> 20} MiB)")
        return self.rfile.read(int(length))

    def json_body(self):
        raw = self.body(MAX_BODY)
        try:
            value = json.loads(raw or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise UsageError("the request's body is not JSON") from None
        if not isinstance(value, dict):
            raise UsageError("the request's body must be a JSON object")
        return value

    # -- routing ------------------------------------------------------------------------------------------

    def do_GET(self):
        self.handle_request("GET")

    def do_POST(self):
        self.handle_request("POST")

    def handle_request(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if not self.token_ok(query):
            if method == "POST" and self.headers.get("Content-Length", "0").isdigit():
                self.close_connection = True
            return self.send(403, "403: open the lab with the URL it printed, token included "
                                  "(python -m scratchgan lab)\n", "text/plain; charset=utf-8")
        try:
            self.route(method, url.path, query)
        except TooLarge as e:
            self.error(413, str(e))
        except UsageError as e:
            self.error(400, self.server.hide_tmp(str(e)))
        except KeyError as e:
            self.error(404, str(e.args[0]) if e.args else "not found")
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as e:                      # a bug: the traceback for the terminal, a line for the page
            traceback.print_exc(file=sys.stderr)
            self.error(500, f"internal error (a bug in scratchgan; the terminal shows its traceback): {e}")

    def route(self, method, path, query):
        parts = [p for p in path.split("/") if p]
        if method == "GET" and not parts:
            cookie = f"{COOKIE}={self.server.token}; Path=/; HttpOnly; SameSite=Strict"
            return self.send(200, self.server.page, "text/html; charset=utf-8", [("Set-Cookie", cookie)])
        if method == "GET" and parts[0] == "pages":
            return self.serve_page(parts[1:])
        if parts[:1] != ["api"]:
            raise KeyError(f"no such page: {path}")
        sessions = self.server.sessions
        if method == "GET" and parts[1:] == ["info"]:
            return self.send(200, sessions.info())
        if method == "POST" and parts[1:] == ["session"]:
            return self.send(200, sessions.create(self.json_body()))
        if len(parts) != 4 or parts[1] != "session":
            raise KeyError(f"no such API call: {method} {path}")
        session, what = sessions.get(parts[2]), parts[3]
        if method == "GET" and what == "frame":
            seq, frame = session.wait_frame(int(query.get("after", ["0"])[0] or 0))
            return self.send(200, b'{"seq":%d,"frame":%s}' % (seq, frame))
        if method == "GET" and what in ("state", "history", "meta"):
            return self.send(200, sessions.read(session, what, query))
        if method != "POST":
            raise KeyError(f"no such API call: {method} {path}")
        if what == "upload":
            name = query.get("name", [""])[0]
            return self.send(200, sessions.upload(session, name, self.body(MAX_UPLOAD)))
        return self.send(200, sessions.action(session, what, self.json_body(), self.server.runs_dir))

    def serve_page(self, parts):
        """A file of the reading path's pages, only from inside the pages folder (no .., no links out)."""
        root = self.server.pages_dir
        if root is None:
            raise KeyError("the reading path's pages are not served: build them with python tools/pages.py "
                           "--out runs/pages, then start the lab with --pages runs/pages")
        name = "/".join(parts) or "index.html"
        path = os.path.realpath(os.path.join(root, urllib.parse.unquote(name)))
        if os.path.commonpath([path, root]) != root or not os.path.isfile(path):
            raise KeyError(f"no such page: {name}")
        kind = {".html": "text/html; charset=utf-8", ".png": "image/png", ".css": "text/css"}
        with open(path, "rb") as f:
            self.send(200, f.read(), kind.get(os.path.splitext(path)[1], "application/octet-stream"))


class TooLarge(UsageError):
    """A request body over its limit (answered 413)."""

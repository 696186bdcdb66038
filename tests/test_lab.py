"""The lab driven as a web application: pytest talks to a real server over HTTP (port 0), as the page does."""

import base64
import http.client
import json
import os
import re
import time

import numpy as np
import pytest

from scratchgan.cli import main
from scratchgan.lab.server import MAX_UPLOAD, start, stop


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pages = tmp_path_factory.mktemp("pages")
    (pages / "scratchgan-game-trainer.html").write_text("<html>the trainer's page</html>")
    (pages.parent / "secret.txt").write_text("outside the pages folder")
    lab = start(port=0, pages_dir=str(pages), runs_dir=str(tmp_path_factory.mktemp("runs")))
    yield lab
    stop(lab)


def request(server, method, path, body=None, *, token=True, raw=None, headers=None):
    """(status, parsed JSON or text) of one request; the token goes in the header unless token=False."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=60)
    head = dict(headers or {})
    if token:
        head["X-Lab-Token"] = server.token if token is True else token
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    if data is not None:
        head["Content-Length"] = str(len(data))
    conn.request(method, path, body=data, headers=head)
    response = conn.getresponse()
    text = response.read()
    conn.close()
    try:
        return response.status, json.loads(text)
    except ValueError:
        return response.status, text.decode(errors="replace")


def new_run(server, data="ring8", **settings):
    status, state = request(server, "POST", "/api/session", {"data": data, "settings": settings})
    assert status == 200, state
    return state


def post(server, run, action, body=None):
    return request(server, "POST", f"/api/session/{run['id']}/{action}", body or {})


def frame(server, run, after=0):
    status, answer = request(server, "GET", f"/api/session/{run['id']}/frame?after={after}")
    assert status == 200
    return answer["seq"], answer["frame"]


def test_every_request_needs_the_token(server):
    assert request(server, "GET", "/", token=False)[0] == 403
    assert request(server, "GET", "/api/info", token=False)[0] == 403
    assert request(server, "GET", "/api/info", token="wrong")[0] == 403
    assert request(server, "POST", "/api/session", {"data": "ring8"}, token=False)[0] == 403
    assert request(server, "GET", f"/api/info?token={server.token}", token=False)[0] == 200
    cookie = {"Cookie": f"scratchgan_lab_token={server.token}"}
    assert request(server, "GET", "/api/info", token=False, headers=cookie)[0] == 200


def test_the_page_is_one_file_that_loads_nothing_from_elsewhere(server):
    status, page = request(server, "GET", f"/?token={server.token}", token=False)
    assert status == 200 and "<canvas id=\"field\"" in page and "/*JS*/" not in page and "/*CSS*/" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page


def test_info_lists_every_1d_and_2d_toy(server):
    status, info = request(server, "GET", "/api/info")
    assert status == 200
    assert info["datasets"] == ["gaussian", "mixture1d", "ring8", "grid25", "spiral", "moons"]
    names = {s["name"] for s in info["settings"]}
    assert {"loss", "k", "lr_d", "lr_g", "optimizer", "g_hidden", "d_hidden", "z_dim", "penalty", "clip",
            "instance_noise", "pack", "feature_matching", "hist_avg", "mmd", "label_smoothing", "ema"} <= names
    assert all(s["formula"] for s in info["settings"])


def test_a_run_steps_and_its_frames_change(server):
    run = new_run(server)
    assert run["step"] == 0 and run["meta"]["dim"] == 2 and len(run["meta"]["real"]) == 256
    seq0, f0 = frame(server, run)
    status, state = post(server, run, "iteration")
    assert status == 200 and state["step"] == 1
    seq1, f1 = frame(server, run, seq0)
    assert seq1 > seq0 and f1["step"] == 1 and f1["fake"] != f0["fake"]
    assert len(base64.b64decode(f1["heat"])) == f1["n_grid"] ** 2
    assert np.array(f1["fake"]).shape == (256, 2) and np.array(f1["grad"]).shape == (256, 2)
    # a D-step alone moves D, not the count nor G; a G-step alone moves G
    post(server, run, "d_step")
    seq2, f2 = frame(server, run, seq1)
    assert f2["step"] == 1 and f2["heat"] != f1["heat"] and f2["fake"] == f1["fake"]
    status, state = post(server, run, "g_step")
    assert status == 200 and state["step"] == 1 and state["code"]["what"] == "g_step"
    assert frame(server, run, seq2)[1]["fake"] != f2["fake"]
    status, history = request(server, "GET", f"/api/session/{run['id']}/history?since=0")
    assert history["step"] == [1] and len(history["loss_d"]) == 1


def test_a_conditional_run_takes_every_step_and_draws_every_frame(server):
    # G(z, y) and D(x, y): the labels of a D-step or a G-step alone must not outlive it (the frames draw 256 rows)
    run = new_run(server, latent_classes=0, pack=1, conditional=True)
    seq = frame(server, run)[0]
    for action in ("iteration", "d_step", "g_step", "stages", "d_step", "iteration"):
        status, state = post(server, run, action)
        assert status == 200, (action, state)
        seq, f = frame(server, run, seq)
        assert np.array(f["fake"]).shape == (256, 2), action
    assert state["step"] == 3 and state["settings"]["conditional"] is True
    status, answer = request(server, "POST", "/api/session",
                             {"data": "ring8", "settings": {"conditional": True, "latent_classes": 8}})
    assert status == 400 and "conditional does not combine with latent_classes" in answer["error"]


def test_slow_motion_is_the_step_command_stage_by_stage(server):
    run = new_run(server)
    status, state = post(server, run, "stages")
    assert status == 200 and state["step"] == 1
    stages = state["result"]["stages"]
    assert [s["key"] for s in stages] == ["samples", "verdict", "loss_d", "d_grad", "d_update", "g_pull",
                                          "g_update"]
    assert stages[0]["text"].startswith("One iteration of Algorithm 1") and "L_D = " in stages[2]["text"]
    assert stages[5]["text"].startswith("6. G's step")
    for stage in stages:
        train_step = stage["code"]["snippets"][0]
        assert train_step["name"] == "Trainer.train_step" and train_step["marked"]
        assert train_step["page"].startswith("scratchgan-game-trainer.html#L")
        marked = [train_step["lines"][n - train_step["first"]] for n in train_step["marked"]]
        assert all(line.strip() for line in marked)
    assert "opt_d.step()" in " ".join(stages[4]["code"]["snippets"][0]["lines"][n - stages[4]["code"]["snippets"][0]
                                                                                 ["first"]] for n in
                                      stages[4]["code"]["snippets"][0]["marked"])
    assert stages[5]["code"]["snippets"][1]["name"] == "generator_pull"
    assert stages[6]["frame"]["before"] and "grad" not in stages[4]["frame"]


def test_play_pause_and_speed(server):
    run = new_run(server)
    assert post(server, run, "speed", {"speed": "100"})[0] == 200
    assert post(server, run, "play")[1]["playing"] is True
    seq, first = frame(server, run)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        seq, later = frame(server, run, seq)
        if later["step"] >= 3:
            break
    status, state = post(server, run, "pause")
    assert state["playing"] is False and state["status"] == "paused" and state["step"] >= 3
    assert post(server, run, "speed", {"speed": "warp"})[0] == 400


def test_settings_live_or_after_a_reset(server):
    run = new_run(server)
    status, state = post(server, run, "settings", {"settings": {"lr_d": "0.0005", "k": "2", "loss": "hinge"}})
    assert status == 200 and state["result"] == {"applied": ["k", "lr_d"], "needs_reset": ["loss"]}
    assert state["settings"]["lr_d"] == 0.0005 and state["settings"]["loss"] == "nonsaturating"
    status, state = post(server, run, "reset", {"settings": {"loss": "hinge"}})
    assert status == 200 and state["meta"]["loss"] == "hinge" and state["meta"]["critic"]
    assert state["settings"]["lr_d"] == 0.0005 and state["step"] == 0           # kept over the reset
    for bad, words in (({"lr_d": "fast"}, "lr_d must be a number"), ({"lr_d": "-1"}, "lr_d must be a positive"),
                       ({"warp": "1"}, "unknown setting"), ({"loss": "nope"}, "unknown loss"),
                       ({"pack": "3"}, "divisible by pack")):
        status, answer = post(server, run, "settings", {"settings": bad})
        assert status == 400 and words in answer["error"] and "\n" not in answer["error"], (bad, answer)
    assert request(server, "GET", f"/api/session/{run['id']}/state")[1]["settings"]["lr_d"] == 0.0005


def test_two_tabs_have_two_runs(server):
    a, b = new_run(server), new_run(server, "spiral")
    assert a["id"] != b["id"]
    post(server, a, "iteration")
    post(server, a, "iteration")
    assert request(server, "GET", f"/api/session/{b['id']}/state")[1]["step"] == 0
    assert request(server, "GET", f"/api/session/{a['id']}/state")[1]["step"] == 2


def test_one_dimensional_data_draws_figure_1(server):
    run = new_run(server, "gaussian")
    assert run["meta"]["dim"] == 1 and len(run["meta"]["pi"]) == len(run["meta"]["x_grid"])
    _, f = frame(server, run)
    assert len(f["p_g"]) == len(f["d"]) == len(run["meta"]["x_grid"]) and "d_star" in f
    status, state = post(server, run, "stages")
    assert status == 200 and len(state["result"]["stages"]) == 7


def test_a_diverging_run_stops_naming_the_step_and_keeps_what_came_before(server):
    # SGD at 1e12 diverges within an iteration or two (on which one depends on the networks); the steps
    # done before it are kept, and the run says at which step it diverged
    run = new_run(server, optimizer="sgd", lr_d="1e12", lr_g="1e12")
    seq, good = frame(server, run)
    for done in range(3):
        status, state = post(server, run, "iteration")
        if state.get("status") == "diverged":
            break
    assert state["status"] == "diverged" and f"diverged at step {done + 1}" in state["message"]
    _, kept = frame(server, run, seq)
    assert kept["status"] == "diverged" and kept["heat"] == frame(server, run)[1]["heat"]
    status, answer = post(server, run, "iteration")
    assert status == 400 and "diverged" in answer["error"]
    assert request(server, "GET", f"/api/session/{run['id']}/history?since=0")[1]["step"] == list(range(1, done + 1))


def upload(server, run, name, body):
    return request(server, "POST", f"/api/session/{run['id']}/upload?name={name}", raw=body,
                   headers={"Content-Type": "application/octet-stream"})


def test_an_uploaded_file_is_read_as_data_file_is(server, tmp_path):
    run = new_run(server)
    rows = np.random.default_rng(0).normal(size=(50, 2))
    text = "x,y\n" + "\n".join(f"{a},{b}" for a, b in rows)
    status, state = upload(server, run, "my%20data.csv", text.encode())
    assert status == 200 and state["result"] == {"file": "my_data.csv", "rows": 40}
    assert state["meta"]["dim"] == 2 and post(server, run, "iteration")[1]["step"] == 1
    status, answer = upload(server, run, "bad.csv", (text + "\n1.5,oops\n").encode())
    assert status == 400 and answer["error"] == "bad.csv, row 52, column 2: 'oops' is not a number"
    assert upload(server, run, "wide.csv", b"\n".join([b"1,2,3"] * 30))[1]["error"].startswith(
        "the lab draws 1D and 2D data; wide.csv has 3 columns")
    assert "a table must be a .npy" in upload(server, run, "data.exe", b"MZ")[1]["error"]
    np.save(tmp_path / "x.npy", rows)
    assert upload(server, run, "../../x.npy", (tmp_path / "x.npy").read_bytes())[0] == 200
    assert not os.path.exists(os.path.join(os.path.dirname(server.tmp), "x.npy"))
    status, answer = upload(server, run, "big.csv", b"1" * (MAX_UPLOAD + 1))
    assert status == 413 and "limit" in answer["error"]
    assert request(server, "GET", f"/api/session/{run['id']}/state")[0] == 200        # still serving


def test_points_drawn_with_the_mouse_are_data(server):
    run = new_run(server)
    points = np.random.default_rng(1).normal(size=(60, 2)).tolist()
    status, state = post(server, run, "draw", {"points": points})
    assert status == 200 and state["meta"]["dim"] == 2 and state["data"].endswith("drawn.npy")
    status, answer = post(server, run, "draw", {"points": points[:5]})
    assert status == 400 and answer["error"].startswith("drawn.npy: 5 rows of numbers, too few to train on")
    assert post(server, run, "draw", {"points": [["a", "b"]] * 30})[0] == 400


def test_paths_outside_the_served_folder_are_refused(server):
    assert request(server, "GET", "/pages/scratchgan-game-trainer.html")[0] == 200
    for path in ("/pages/../secret.txt", "/pages/%2e%2e/secret.txt", "/pages/..%2fsecret.txt", "/../setup.cfg",
                 "/pages//etc/passwd", "/etc/passwd", "/api/../../etc/passwd", "/scratchgan/lab/server.py"):
        status, body = request(server, "GET", path)
        assert status == 404 and "outside" not in str(body), path


def test_mistakes_get_one_line_and_the_server_keeps_running(server):
    assert request(server, "GET", "/api/session/nope/state")[0] == 404
    assert request(server, "POST", "/api/session", raw=b"{not json")[0] == 400
    assert request(server, "POST", "/api/session", {"data": "digits"})[1]["error"].startswith("unknown dataset")
    run = new_run(server)
    assert post(server, run, "teleport")[0] == 404
    assert request(server, "GET", "/api/info")[0] == 200


def test_export_writes_a_run_that_sample_and_plot_accept(server, tmp_path):
    run = new_run(server, "moons", g_hidden="16", d_hidden="16")
    for _ in range(3):
        post(server, run, "iteration")
    status, state = post(server, run, "export")
    assert status == 200, state
    out = state["result"]["dir"]
    assert {"checkpoint.npz", "history.npz", "samples.npy", "metrics.json"} <= set(os.listdir(out))
    assert main(["sample", out, "-n", "7", "--out", str(tmp_path / "s.npy")]) == 0
    assert np.load(tmp_path / "s.npy").shape == (7, 2)
    assert main(["plot", out]) == 0 and os.path.isfile(os.path.join(out, "frame.png"))

"""What the real-browser tests share: Debian's Chromium, its launch flags, a free port and
waiting for `streamlit run` to answer.

In: nothing. Out: constants and helpers; `require_chromium()` skips (saying why) where Chromium
or Playwright is missing, and fails instead under $CI, so CI can never skip the browser tests.
"""
from __future__ import annotations

import contextlib
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

CHROMIUM = pathlib.Path(os.environ.get("NEWSROOM_LENS_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium calls out at start and is refused here.
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
START_TIMEOUT_S = 60
STEP_TIMEOUT_MS = 90_000  # the first page run loads the dictionaries
APP_READY = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
             '[data-test-script-state="notRunning"]')


def settle(pg) -> None:
    """Wait until the app is connected and the script has finished its run."""
    pg.wait_for_selector(APP_READY, timeout=STEP_TIMEOUT_MS)
    pg.wait_for_timeout(300)  # the state flips late; let the last deltas paint
    pg.wait_for_selector(APP_READY, timeout=STEP_TIMEOUT_MS)


def require_chromium() -> pathlib.Path:
    def missing(message: str):
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run the browser tests")
        pytest.skip(message)

    if not CHROMIUM.exists():
        missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("playwright is not installed (pip install -r requirements-dev.txt)")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, log: pathlib.Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"streamlit exited early:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"streamlit did not answer in {START_TIMEOUT_S} s:\n"
                         f"{log.read_text(errors='replace')}")


@contextlib.contextmanager
def running_app(root: pathlib.Path, db: pathlib.Path, log: pathlib.Path, **env_extra: str):
    """`streamlit run app.py` on a free loopback port with the store at `db`; yields the base
    URL once it answers, and stops the server on the way out, whatever happened."""
    port = free_port()
    env = dict(os.environ, NEWSROOM_LENS_DB=str(db), PYTHONUNBUFFERED="1", **env_extra)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(root / "app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, proc, log)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

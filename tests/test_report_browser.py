"""The safety report in a real browser: Debian's chromium, headless, driven through the
DevTools protocol (a small client on the standard library: no extra packages).

The report must load without console errors or uncaught exceptions, show the release
decisions table with each line's expected decision, and leave a screenshot as an
artifact in the test's tmp folder (pytest keeps the last runs' folders; the path is
printed).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
SKIP_REASON = (
    "no chromium on PATH: install the Debian package 'chromium' "
    "(apt-get install --no-install-recommends chromium) to run the browser test"
)


def chromium_path() -> str | None:
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


class DevTools:
    """A minimal Chrome DevTools protocol client over one page's websocket."""

    def __init__(self, url: str):
        match = re.match(r"ws://([^:/]+):(\d+)(/.*)", url)
        host, port, path = match.group(1), int(match.group(2)), match.group(3)
        self.socket = socket.create_connection((host, port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.socket.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.socket.recv(1)
        assert b" 101 " in response.split(b"\r\n")[0], response
        self.next_id = 0
        self.events: list[dict] = []

    def _receive_exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.socket.recv(size - len(data))
            if not chunk:
                raise ConnectionError("devtools closed the connection")
            data += chunk
        return data

    def _receive_message(self) -> dict:
        payload = b""
        while True:
            first, second = self._receive_exactly(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._receive_exactly(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._receive_exactly(8))[0]
            payload += self._receive_exactly(length)
            if first & 0x80:  # final fragment
                return json.loads(payload.decode())

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        message = json.dumps({"id": self.next_id, "method": method, "params": params}).encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(message) < 126:
            header += bytes([0x80 | len(message)])
        elif len(message) < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(message))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(message))
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(message))
        self.socket.sendall(header + mask + masked)
        while True:
            reply = self._receive_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(self._receive_message())
        raise TimeoutError(method)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def drain(self, seconds: float) -> None:
        """Collect events for a while (late console errors of the report's scripts)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.socket], [], [], 0.2)
            if readable:  # a whole message is then read, blocking
                self.events.append(self._receive_message())


def browser_errors(events: list[dict]) -> list[str]:
    """Console errors, uncaught exceptions and error log entries among the events."""
    errors = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            errors.append(
                f"exception: {details.get('exception', {}).get('description', details['text'])}"
            )
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(
                "console.error: "
                + " ".join(str(arg.get("value", arg.get("description"))) for arg in params["args"])
            )
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            errors.append(f"log: {params['entry']['text']} ({params['entry'].get('url', '')})")
    return errors


@pytest.fixture
def browser(tmp_path):
    chromium = chromium_path()
    if chromium is None:
        pytest.skip(SKIP_REASON)
    process = subprocess.Popen(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",  # tests may run as root in containers
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--remote-debugging-port=0",
            "--remote-allow-origins=*",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            "--window-size=1400,1000",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = None
        deadline = time.monotonic() + 60
        while port is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line and process.poll() is not None:
                break
            match = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if match:
                port = int(match.group(1))
        if port is None:
            pytest.fail("chromium did not start its DevTools endpoint")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/json/list")
        pages = [
            target
            for target in json.loads(connection.getresponse().read())
            if target["type"] == "page"
        ]
        yield DevTools(pages[0]["webSocketDebuggerUrl"])
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def expected_decisions(truth: dict) -> dict[str, str]:
    """The decision each toy line must get: the clean line PASSes, the others FAIL."""
    return {"D1_clone_clean": "PASS", "D1_clone_events": "FAIL", "D1_clone_swap": "FAIL"}


def open_report(browser: DevTools, report: Path) -> list[str]:
    browser.send("Runtime.enable")
    browser.send("Log.enable")
    browser.send("Page.enable")
    browser.send("Page.navigate", url=report.resolve().as_uri())
    browser.wait_for("Page.loadEventFired", timeout=120)
    browser.drain(3)
    return browser_errors(browser.events)


SUMMARY_SCRIPT = """
(() => {
  const section = document.getElementById('mqc-module-section-ipscqc_safety_summary');
  if (!section) { return null; }
  section.scrollIntoView({block: 'start', behavior: 'instant'});
  const rect = section.getBoundingClientRect();
  const style = window.getComputedStyle(section);
  const rows = {};
  const table = section.querySelector('table');
  if (!table) { return {visible: false, headers: [], rows: {}}; }
  for (const row of table.querySelectorAll('tbody tr')) {
    const cells = Array.from(row.querySelectorAll('th, td')).map(c => c.innerText.trim());
    if (cells.length > 1) { rows[cells[0]] = cells.slice(1); }
  }
  const headers = Array.from(table.querySelectorAll('thead th'))
    .map(c => c.innerText.trim());
  return {visible: rect.height > 0 && rect.width > 0 && style.visibility !== 'hidden'
                   && style.display !== 'none',
          top: rect.top, headers: headers, rows: rows};
})()
"""


def test_safety_report_opens_without_errors_and_shows_decisions(browser, toy_run, tmp_path):
    report = toy_run.results / "report" / "multiqc_report.html"
    assert report.exists(), f"no report at {report}"
    errors = open_report(browser, report)
    assert errors == [], "the report logged errors in the browser:\n" + "\n".join(errors)

    summary = browser.evaluate(SUMMARY_SCRIPT)
    assert summary is not None, "the release decisions section is not in the report"
    assert summary["visible"], summary
    assert -5 < summary["top"] < 200, summary["top"]  # scrolled into the viewport
    decision_column = next(
        index for index, title in enumerate(summary["headers"][1:]) if "Decision" in title
    )
    decisions = {line: cells[decision_column] for line, cells in summary["rows"].items()}
    for line, decision in expected_decisions(toy_run.truth).items():
        assert decisions.get(line) == decision, (line, summary["rows"].get(line))

    # the section comes first, right after General Statistics
    order = browser.evaluate(
        "Array.from(document.querySelectorAll('[id^=\"mqc-module-section-\"]')).map(e => e.id)"
    )
    assert order and order[0] == "mqc-module-section-ipscqc_safety_summary", order

    # the viewport, scrolled to the release decisions (a blank page compresses to a few kB)
    shot = browser.send("Page.captureScreenshot", format="png")
    image = base64.b64decode(shot["data"])
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 10_000
    artifact = tmp_path / "safety_summary.png"
    artifact.write_bytes(image)
    print(f"screenshot of the safety summary: {artifact}")

"""A headless Chromium driven through the DevTools protocol over a pipe (no extra packages).

Chromium started with ``--remote-debugging-pipe`` reads protocol commands (JSON, each ending with
a NUL byte) on file descriptor 3 and writes replies and events on 4. That is enough to load a
page, click at a point with real mouse events, press keys, run JavaScript, list the network
requests the page made, and take screenshots.
"""

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium():
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Chromium:
    """One headless browser with one page (a tab), viewport ``width`` x ``height`` CSS pixels."""

    def __init__(self, width=1280, height=800, timeout=60):
        exe = find_chromium()
        if exe is None:
            raise RuntimeError("no chromium on PATH")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="mg-chromium-")
        to_chrome_r, self._w = os.pipe()
        self._r, from_chrome_w = os.pipe()

        def wire():  # in the child: the protocol's fixed descriptors. The pipe may itself be on 3
            r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)  # or 4: copy it out of the way first;
            os.dup2(r, 3)  # dup2 makes 3 and 4 inheritable, every other descriptor Python made is
            os.dup2(w, 4)  # closed on exec

        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next = 0
        self.events = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.page(f"{domain}.enable")
        self.page("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    # --- the protocol ----------------------------------------------------------------------------
    def _send(self, method, params, session=None):
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        return self._next

    def _read(self):
        while b"\0" not in self._buf:
            ready, _, _ = select.select([self._r], [], [], self.timeout)
            if not ready:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, session=None, **params):
        wanted = self._send(method, params, session)
        while True:
            msg = self._read()
            if msg.get("id") == wanted:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def page(self, method, **params):
        return self.call(method, session=self.session, **params)

    def wait_for(self, method):
        for i, e in enumerate(self.events):
            if e["method"] == method:
                return self.events.pop(i)
        while True:
            msg = self._read()
            if msg.get("method") == method:
                return msg
            if "method" in msg:
                self.events.append(msg)

    # --- what tests use --------------------------------------------------------------------------
    def load(self, path):
        self.page("Page.navigate", url="file://" + os.path.abspath(path))
        self.wait_for("Page.loadEventFired")

    def js(self, expression):
        result = self.page("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def js_until(self, expression, predicate, seconds=5.0):
        """``js(expression)`` once ``predicate`` holds for it (a loaded machine may render late)."""
        import time
        deadline = time.monotonic() + seconds
        value = self.js(expression)
        while not predicate(value) and time.monotonic() < deadline:
            time.sleep(0.05)
            value = self.js(expression)
        return value

    def click(self, x, y):
        """A real left click (mouse moved, pressed and released) at viewport point (x, y)."""
        self.page("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        for kind in ("mousePressed", "mouseReleased"):
            self.page("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def key(self, key, code=None, keycode=0):
        for kind in ("keyDown", "keyUp"):
            self.page("Input.dispatchKeyEvent", type=kind, key=key, code=code or key,
                      windowsVirtualKeyCode=keycode)

    def type_text(self, text):
        self.page("Input.insertText", text=text)

    def screenshot(self, path):
        data = self.page("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def requests(self):
        """The URLs of every network request seen so far."""
        self.js("0")  # flush events that arrived before now
        return [e["params"]["request"]["url"] for e in self.events
                if e["method"] == "Network.requestWillBeSent"]

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:  # noqa: BLE001 - it may already be gone
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._w)
        os.close(self._r)
        shutil.rmtree(self.profile, ignore_errors=True)

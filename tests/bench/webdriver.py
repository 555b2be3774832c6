"""Just enough of a W3C WebDriver client (stdlib only) to drive the app through tauri-driver:
a session, and scripts run in the page. The bench clicks through the UI with scripts, not with
WebDriver's pointer actions: it measures memory, not the pointer path."""
import json
import time
import urllib.error
import urllib.request


class WebDriver:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.session = None

    def call(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.load(r).get("value")
        except ConnectionResetError:
            # tauri-driver has dropped the first script of a fresh session once (a reset, the app
            # still up); the bench's scripts are safe to run again, a new session is not.
            if "/execute/" not in path or getattr(self, "_retrying", False):
                raise
            time.sleep(1)
            self._retrying = True
            try:
                return self.call(method, path, body, timeout)
            finally:
                self._retrying = False
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors="replace")
            try:
                detail = json.loads(detail)["value"]["message"]
            except (ValueError, KeyError, TypeError):
                pass
            raise RuntimeError(f"WebDriver {method} {path}: {detail}") from None

    def answers(self):
        try:
            self.call("GET", "/status", timeout=2)
            return True
        except (OSError, RuntimeError):
            return False

    def start(self, application, timeout=60):
        """Opens a session on `application` (tauri-driver starts it)."""
        caps = {"capabilities": {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": application}}}}
        self.session = self.call("POST", "/session", caps, timeout=timeout)["sessionId"]

    def end(self):
        if self.session:
            try:
                self.call("DELETE", f"/session/{self.session}", timeout=20)
            except (OSError, RuntimeError):
                pass
            self.session = None

    def js(self, script, *args):
        """Runs `script` (a function body; `arguments` holds args) in the page; returns its value."""
        return self.call("POST", f"/session/{self.session}/execute/sync", {"script": script, "args": list(args)})

    def wait_js(self, script, *args, timeout=30, what="the page"):
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(script, *args)
            if value:
                return value
            if time.monotonic() > deadline:
                raise RuntimeError(f"waited {timeout} s for {what}")
            time.sleep(0.2)

    def click(self, selector, what=None, timeout=15):
        """Clicks the element `selector` matches, once it exists."""
        self.wait_js("const e = document.querySelector(arguments[0]); if (e) e.click(); return !!e;",
                     selector, timeout=timeout, what=what or selector)

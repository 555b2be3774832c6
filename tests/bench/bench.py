#!/usr/bin/env python3
"""Measurements for tests/bench/run.sh (stdlib only). Each subcommand writes JSON to --out.

  apps    start Berth and the floor app under one X display: start-up times, then PSS/RSS
          after idling and idle CPU, each app's process tree measured the same way
  use     Berth driven through tauri-driver: every view opened once, a chatty container's logs
          followed for a while; PSS then, and after its details closed
  list    `docker ps -a` and a raw API call on the socket, timed
  report  the final table from the JSON files, each figure with its target and PASS/FAIL
"""
import argparse
import http.client
import json
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import WebDriver  # noqa: E402
from x11 import X11, filled  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
MARKER = b"BERTH_FIRST_LIST"


# ---- process trees ---------------------------------------------------------------------------

def tree(root):
    """root and all its descendants (WebKitWebProcess, WebKitNetworkProcess, bwrap, ...)."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def memory(root):
    """Summed Pss and Rss (kB) from smaps_rollup over the tree, and what each process holds."""
    pss = rss = 0
    parts = []
    for pid in tree(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                fields = dict(line.split(":", 1) for line in f if line[0].isupper() and ":" in line)
        except OSError:
            continue
        p, r = int(fields["Pss"].split()[0]), int(fields["Rss"].split()[0])
        pss, rss = pss + p, rss + r
        parts.append(f"{comm(pid)} {p / 1024:.0f}")
    return pss, rss, parts


def other_webkit(root):
    """WebKit processes outside our tree. Each one sharing the WebKit/GTK libraries lowers our PSS
    (shared pages are split between all who map them), so figures are comparable within a run."""
    ours = set(tree(root))
    return sum(1 for d in os.listdir("/proc") if d.isdigit() and int(d) not in ours
               and comm(int(d)).startswith("WebKitWebProc"))


def cpu_ticks(root):
    """utime+stime per process of the tree."""
    out = {}
    for pid in tree(root):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = int(fields[11]) + int(fields[12])
    return out


def kill_tree(proc):
    """TERM the whole tree, KILL what is left after 5 s, and reap our own child."""
    pids = tree(proc.pid)
    for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            proc.poll()
            if all(_gone(p) for p in pids):
                return proc.wait(timeout=5)
            time.sleep(0.05)
    raise RuntimeError(f"processes {pids} survived SIGKILL")


def _gone(pid):
    """Exited: no /proc entry, or a zombie (reaped by whoever is its parent now)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


# ---- one app run -----------------------------------------------------------------------------

class Run:
    """One start of an app. `marker` is the time to Berth's BERTH_FIRST_LIST line (None for the
    floor, which prints nothing); `painted` is the time until the screen shows table rows."""

    def __init__(self, name, argv, env, display, log, timeout):
        self.name, self.marker, self.painted, self.rows, self.timeline = name, None, None, None, None
        x = X11(display)
        t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
        fd = self.proc.stdout.fileno()
        os.set_blocking(fd, False)
        deadline = t0 + timeout
        try:
            self._wait(x, fd, t0, deadline)
        except BaseException:
            self.stop()
            raise
        finally:
            x.close()
        # Keep draining stdout so a chatty app never blocks on a full pipe.
        threading.Thread(target=self._drain, args=(fd,), daemon=True).start()

    def _done(self):
        return self.painted is not None and (self.name != "berth" or self.marker is not None)

    def _wait(self, x, fd, t0, deadline):
        buf = b""
        while not self._done():
            if time.monotonic() > deadline:
                what = "painted rows" if self.painted is None else "BERTH_FIRST_LIST line"
                raise RuntimeError(f"{self.name}: no {what} within {deadline - t0:.0f} s")
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} during start-up")
            if select.select([fd], [], [], 0.01)[0]:
                buf += os.read(fd, 65536)
                if self.marker is None and MARKER in buf:
                    self.marker = time.monotonic() - t0
                    line = buf[buf.index(MARKER):].split(b"\n")[0].decode()
                    self.rows = int(line.split("rows=")[1].split()[0])
                    # The page's own steps, in ms since Berth's main() (see commands/app.rs).
                    self.timeline = line.split("ms-since-main:")[1].strip() if "ms-since-main:" in line else None
            if self.painted is None and filled(x, *PAINT_BAND):
                self.painted = time.monotonic() - t0

    def _drain(self, fd):
        os.set_blocking(fd, True)
        try:
            while os.read(fd, 65536):
                pass
        except OSError:
            pass

    def stop(self):
        kill_tree(self.proc)


# A band both windows cover at (0,0) with no window manager (Berth 1280x800, the floor 1000x700):
# the rows of a painted list fill it; Berth's engine-down page or a blank window do not.
PAINT_BAND = (300, 650, 50, 4, 900)  # y0, y1, slice, step, width (from x=0)


def cmd_apps(a):
    env = dict(os.environ, DISPLAY=a.display, WEBKIT_DISABLE_DMABUF_RENDERER="1")
    apps = [("berth", [a.berth])] + ([("floor", [a.floor])] if a.floor else [])
    res = {name: {"marker": [], "painted": [], "rows": None} for name, _ in apps}
    log = open(a.log, "ab")

    # One untimed start each first (the WebKit caches and page cache warm up), then the timed
    # starts interleaved so that any background load hits both apps alike.
    for rnd in range(a.runs + 1):
        for name, argv in apps:
            r = Run(name, argv, env, a.display, log, a.timeout)
            r.stop()
            if rnd == 0:
                continue
            res[name]["painted"].append(r.painted)
            if r.marker is not None:
                res[name]["marker"].append(r.marker)
                res[name]["rows"] = r.rows
            print(f"  {name:5} start {rnd}: painted {r.painted * 1e3:4.0f} ms"
                  + (f", BERTH_FIRST_LIST {r.marker * 1e3:4.0f} ms (rows={r.rows})" if r.marker else ""), flush=True)
            if r.timeline:
                print(f"        page timeline, ms since main(): {r.timeline}", flush=True)
            time.sleep(0.5)

    # Memory and idle CPU: one app at a time, so neither measures the other's load. An "Up 12
    # seconds" text rightly changes every second; idle is measured once every status on screen
    # counts minutes (the bench's containers are then over two minutes old).
    wait = a.settle_until - time.time()
    if wait > 0:
        print(f"  waiting {wait:.0f} s until the containers' statuses count minutes, not seconds", flush=True)
        time.sleep(wait)
    for name, argv in apps:
        r = Run(name, argv, env, a.display, log, a.timeout)
        try:
            time.sleep(a.idle)
            pss, rss, parts = memory(r.proc.pid)
            others = other_webkit(r.proc.pid)
            c0, t0, wall0 = cpu_ticks(r.proc.pid), time.monotonic(), int(time.time())
            time.sleep(a.cpu)
            c1, t1 = cpu_ticks(r.proc.pid), time.monotonic()
            ticks = {p: v - c0.get(p, 0) for p, v in c1.items()}
            pct = 100 * sum(ticks.values()) / TICK / (t1 - t0)
            per = ", ".join(f"{comm(p)} {100 * t / TICK / (t1 - t0):.2f}" for p, t in ticks.items() if t)
            res[name].update(pss_mb=pss / 1024, rss_mb=rss / 1024, procs=parts, cpu_pct=pct, cpu_s=a.cpu,
                             events=engine_events(wall0, int(time.time()) + 1), other_webkit=others)
            print(f"  {name:5} PSS {pss / 1024:.0f} MB, RSS {rss / 1024:.0f} MB ({', '.join(parts)}); "
                  f"other WebKit processes on the machine: {others}", flush=True)
            print(f"  {name:5} idle CPU {pct:.2f} % ({per or 'nothing'}); engine events meanwhile: "
                  f"{res[name]['events']} (other clients' work that Berth follows live)", flush=True)
        finally:
            r.stop()
    json.dump(res, open(a.out, "w"), indent=1)


def engine_events(since, until):
    """How many engine events fell in [since, until): activity an idle Berth rightly reacts to."""
    try:
        out = subprocess.run(["docker", "events", "--since", str(since), "--until", str(until)],
                             capture_output=True, text=True, timeout=30).stdout
        return len(out.splitlines())
    except subprocess.TimeoutExpired:
        return -1


# ---- in use ----------------------------------------------------------------------------------

# Every view in the sidebar, ending on the containers; then every tab of a container's details,
# ending on its logs, which stay followed.
VIEWS = ("images", "volumes", "networks", "registries", "stacks", "build", "pipelines", "settings", "containers")
TABS = ("summary", "stats", "terminal", "inspect", "logs")
FILTER = ("const i = document.querySelector('[data-testid=container-filter]');"
          " i.value = arguments[0]; i.dispatchEvent(new Event('input', {bubbles: true})); return true;")


def app_pid(root, binary, timeout=30):
    """The process running `binary` below `root` (tauri-driver, then WebKitWebDriver, then it)."""
    real, deadline = os.path.realpath(binary), time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in tree(root):
            try:
                if os.path.realpath(f"/proc/{pid}/exe") == real:
                    return pid
            except OSError:
                pass
        time.sleep(0.2)
    raise RuntimeError(f"no process of {binary} below tauri-driver")


def cmd_use(a):
    env = dict(os.environ, DISPLAY=a.display, WEBKIT_DISABLE_DMABUF_RENDERER="1")
    log = open(a.log, "ab")
    driver = subprocess.Popen([a.driver, "--port", str(a.port), "--native-port", str(a.port + 1)],
                              env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    wd = WebDriver(a.port)
    try:
        deadline = time.monotonic() + 15
        while not wd.answers():
            if driver.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"tauri-driver did not answer on port {a.port}, see {a.log}")
            time.sleep(0.2)
        wd.start(a.berth)
        pid = app_pid(driver.pid, a.berth)
        wd.wait_js("return document.querySelectorAll('[data-testid=container-row]').length > 0",
                   timeout=60, what="container rows")
        for view in VIEWS:
            wd.click(f'[data-testid="nav-{view}"]')
            time.sleep(2)
        wd.js(FILTER, a.chatty)
        wd.click(f'[data-testid=container-row][data-name="{a.chatty}"]', what=f"the row of {a.chatty}")
        for tab in TABS:
            wd.click(f'[data-testid="tab-{tab}"]')
            time.sleep(2)
        wd.wait_js("return document.querySelectorAll('[data-testid=log-line]').length > 0", what="log lines")
        print(f"  every view and tab opened; following {a.chatty}'s logs for {a.minutes:g} min", flush=True)
        peak, start = 0, time.monotonic()
        end, samples = start + a.minutes * 60, []
        while time.monotonic() < end:
            time.sleep(min(30, max(0, end - time.monotonic())))
            pss = memory(pid)[0]
            peak = max(peak, pss)
            samples.append(f"{(time.monotonic() - start) / 60:.1f} min {pss / 1024:.0f}")
        # The curve shows whether memory levels off (bounded buffers) or keeps climbing (a leak).
        print(f"  PSS while following, MB: {'; '.join(samples)}", flush=True)
        following = memory(pid)
        wd.click('button[aria-label="Close details"]')
        wd.js(FILTER, "")
        time.sleep(a.idle)
        closed = memory(pid)
        res = {"minutes": a.minutes, "pss_mb": following[0] / 1024, "peak_pss_mb": peak / 1024,
               "closed_pss_mb": closed[0] / 1024, "procs": following[2]}
        print(f"  berth after {a.minutes:g} min of logs: PSS {res['pss_mb']:.0f} MB (peak {res['peak_pss_mb']:.0f};"
              f" {', '.join(following[2])}); {a.idle:g} s after the details closed: {res['closed_pss_mb']:.0f} MB",
              flush=True)
    finally:
        wd.end()
        kill_tree(driver)
    json.dump(res, open(a.out, "w"), indent=1)


# ---- list latency ----------------------------------------------------------------------------

class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=30)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(self.path)


def timed(fn, runs):
    fn()  # warm-up, untimed
    ms = []
    for _ in range(runs):
        t = time.monotonic()
        fn()
        ms.append((time.monotonic() - t) * 1e3)
    return statistics.median(ms), min(ms)


def cmd_list(a):
    # One kept-alive connection, as Berth keeps one Engine: this is the engine's own cost plus
    # the bytes on the socket, the least any client can pay.
    conn = UnixHTTP(a.socket)

    def raw():
        conn.request("GET", "/v1.41/containers/json?all=1")
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError(f"raw list: HTTP {r.status}: {body[:200]!r}")

    def cli():
        subprocess.run(["docker", "ps", "-a"], check=True, stdout=subprocess.DEVNULL, timeout=30)

    res = {}
    for name, fn in (("raw", raw), ("docker_ps", cli)):
        med, lo = timed(fn, a.runs)
        res[name] = {"median_ms": med, "min_ms": lo}
        print(f"  {name:9} median {med:6.1f} ms, min {lo:6.1f} ms", flush=True)
    json.dump(res, open(a.out, "w"), indent=1)


# ---- report ----------------------------------------------------------------------------------

def kv(text):
    """The key=value words of an example's output."""
    return dict(w.split("=", 1) for w in text.split() if "=" in w)


def kv_file(path):
    """kv() of a file; {} when that step was skipped."""
    try:
        return kv(open(path).read())
    except (OSError, TypeError):
        return {}


def mib(path):
    return os.path.getsize(path) / 2**20 if path and os.path.exists(path) else None


def cmd_report(a):
    apps = json.load(open(a.apps))
    use = json.load(open(a.use)) if a.use and os.path.exists(a.use) else None
    lst = json.load(open(a.list))
    core = kv_file(a.core)
    b, f = apps["berth"], apps.get("floor")
    med = statistics.median
    rows = [("figure", "Berth", "floor / ref", "ratio", "target", "")]

    def row(name, mine, ref, target, fmt="{:.2f}", ratio_max=None, limit=None):
        """A figure with its reference; PASS/FAIL when the ratio (or the value) has a target."""
        ratio = mine / ref if ref else None
        verdict = ""
        if ratio_max is not None and ratio is not None:
            verdict = "PASS" if ratio <= ratio_max else "FAIL"
        if limit is not None:
            verdict = "PASS" if mine <= limit else "FAIL"
        rows.append((name, fmt.format(mine), "-" if ref is None else fmt.format(ref),
                     "-" if ratio is None else f"{ratio:.2f}", target, verdict))

    fs = med(f["painted"]) if f else None
    fpss = f["pss_mb"] if f else None
    row("start -> containers listed (s)", med(b["marker"]), fs, "<= floor rows x1.10", ratio_max=1.10)
    row("start -> rows on screen (s)", med(b["painted"]), fs, "<= floor x1.15", ratio_max=1.15)
    row("PSS, 10 s idle, 200 containers (MB)", b["pss_mb"], fpss, "<= floor x1.05", "{:.0f}", ratio_max=1.05)
    if use:
        m = f"{use['minutes']:g} min"
        row(f"PSS after {m} of logs + every view (MB)", use["pss_mb"], fpss, "<= floor x1.25", "{:.0f}", ratio_max=1.25)
        row("  the same, details closed again (MB)", use["closed_pss_mb"], fpss, "<= floor x1.25", "{:.0f}", ratio_max=1.25)
    else:
        rows.append(("PSS after logs + every view (MB)", "skipped", "-", "-", "<= floor x1.25", ""))
    row("RSS, for reference (MB)", b["rss_mb"], f["rss_mb"] if f else None, "-", "{:.0f}")
    fcpu = f["cpu_pct"] if f else None
    row(f"idle CPU over {b['cpu_s']:g} s (% of a core)", b["cpu_pct"], fcpu, "<= floor +0.05",
        limit=None if fcpu is None else fcpu + 0.05)
    bl = float(core["median_ms"])
    row("list latency vs raw API (ms)", bl, lst["raw"]["median_ms"], "<= raw x1.2", "{:.1f}", ratio_max=1.2)
    row("list latency vs docker ps -a (ms)", bl, lst["docker_ps"]["median_ms"], "< 1", "{:.1f}", ratio_max=1.0)
    row("release binary (MiB)", mib(a.binary), mib(a.floor_binary), "-")
    deb = mib(a.deb)
    if deb is None:
        rows.append((".deb (MiB)", "none", "-", "-", "< 6 (make dist)", ""))
    else:
        row(f".deb {os.path.basename(a.deb)} (MiB)", deb, None, "< 6", limit=6)
    follow, build = kv_file(a.follow), kv_file(a.build)
    pulls = [kv(line) for line in open(a.pull)] if a.pull and os.path.exists(a.pull) else []
    peaks = [("following a chatty log", follow.get("peak_mb")), ("pulling 40 layers",
             max((float(p["peak_mb"]) for p in pulls if p.get("peak_mb")), default=None)),
             ("building a 500 MB context", build.get("peak_mb"))]
    for what, peak in peaks:
        rows.append((f"core VmHWM {what} (MB)", "skipped" if peak is None else f"{float(peak):.1f}", "-", "-", "-", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    failed = [r[0].strip() for r in rows if r[5] == "FAIL"]
    notes = [
        f"start: median (min {min(b['marker']):.2f} s) of {len(b['marker'])} starts after an untimed one, each app"
        " alike; Berth listed: exec -> BERTH_FIRST_LIST; rows on screen: exec -> table rows in the window's pixels,"
        " polled ~10 ms (the floor's only figure: it prints nothing)",
        "memory: PSS (RSS) from smaps_rollup summed over the app and its descendants (WebKit), with"
        f" WEBKIT_DISABLE_DMABUF_RENDERER=1; {b.get('other_webkit', '?')} other WebKit processes ran on the machine"
        " (they take a share of the libraries' pages, so compare ratios across runs)",
        "in use: Berth under tauri-driver (WebDriver automation on), every view and details tab opened once, then a"
        " container printing 200 lines/s followed in the Logs tab; the floor figure is its idle PSS",
        "CPU: utime+stime over the same tree, during which the engine"
        f" reported {b.get('events', '?')} events (other clients' work, which Berth follows live)",
        f"list: Berth = containers::list on a connected Engine; raw = GET /containers/json?all=1 on a kept-alive"
        f" socket; docker ps -a = a new CLI process; median of {a.runs}; {b['rows']} containers",
        "core VmHWM: peak resident memory of the examples that run Berth's core alone (follow_logs "
        f"{follow.get('seconds', '?')} s, pull_bench, build_context)",
        f"verdict: {'all targets met' if not failed else 'FAIL: ' + '; '.join(failed)}",
    ]
    text = "\n".join(lines + [""] + notes) + "\n"
    print(text, end="")
    with open(a.out, "w") as fh:
        fh.write(a.header + "\n\n" + text)


def main():
    # TERM from run.sh's trap: unwind, so every app started so far is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("apps")
    s.add_argument("--display", required=True)
    s.add_argument("--berth", required=True)
    s.add_argument("--floor")
    s.add_argument("--runs", type=int, default=5)
    s.add_argument("--idle", type=float, default=10)
    s.add_argument("--cpu", type=float, default=60)
    s.add_argument("--settle-until", type=float, default=0, help="epoch seconds before which memory and CPU are not measured")
    s.add_argument("--timeout", type=float, default=30)
    s.add_argument("--log", required=True)
    s.add_argument("--out", required=True)
    s = sub.add_parser("list")
    s.add_argument("--socket", default="/var/run/docker.sock")
    s.add_argument("--runs", type=int, default=20)
    s.add_argument("--out", required=True)
    s = sub.add_parser("use")
    s.add_argument("--display", required=True)
    s.add_argument("--berth", required=True)
    s.add_argument("--driver", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--chatty", required=True)
    s.add_argument("--minutes", type=float, default=10)
    s.add_argument("--idle", type=float, default=10)
    s.add_argument("--log", required=True)
    s.add_argument("--out", required=True)
    s = sub.add_parser("report")
    for k in ("apps", "list", "core", "out"):
        s.add_argument(f"--{k}", required=True)
    for k in ("use", "follow", "build", "pull", "binary", "floor-binary", "deb"):
        s.add_argument(f"--{k}")
    s.add_argument("--runs", type=int, default=20)
    s.add_argument("--header", default="")
    a = p.parse_args()
    {"apps": cmd_apps, "use": cmd_use, "list": cmd_list, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""artsite serve's live-reload latency, measured from outside as a browser sees it.

    python3 bench/serve_latency.py [--artsite PATH] [--work DIR] [--runs N] [--sizes example,10000]

For the bundled example and for a generated tree of 10,000 artifacts (50 versions x 200,
made by bench/gen_corpus.py), it starts `artsite serve` on a free loopback port, opens the
live-reload event stream, then N times rewrites one number in one ETL JSON file of a
middle version and prints:
  - write -> event: from just before the file write to the `reload` event arriving on the
    stream (notify's 50 ms debounce included), as a browser would get it;
  - rebuild only: the rebuild's own time, which the server puts in the event (`ms`);
and, as the baseline, a clean `artsite build` of the same tree into a new folder.
Figures are medians (min-max) of N runs. Build artsite first: `cargo build --release`.
Standard library only.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
EXAMPLE = os.path.join(REPO, "examples", "artifacts")


class Events:
    """A raw Server-Sent Events reader."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(f"GET /__artsite/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        self.buf = b""
        self.next("hello", 30)

    def next(self, name, limit):
        deadline = time.monotonic() + limit
        while True:
            while b"\n\n" in self.buf:
                block, self.buf = self.buf.split(b"\n\n", 1)
                event = data = None
                for line in block.decode("utf-8", "replace").splitlines():
                    if line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: "):
                        data = line[6:]
                if event == name:
                    return json.loads(data)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {name} event in {limit}s")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the event stream closed")
            self.buf += chunk


def median_range(xs):
    return f"{statistics.median(xs):7.1f} ({min(xs):.1f}-{max(xs):.1f})"


def measure(artsite, root, runs, label):
    versions = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)) and not os.path.islink(os.path.join(root, d)))
    # A middle version: its compare page and the next version's depend on it too.
    target = None
    for v in versions[len(versions) // 2:] + versions:
        p = os.path.join(root, v, "etl_metadata", "cleaned_data", "cleaning_summary.json")
        if os.path.isfile(p):
            target = p
            break
    if target is None:
        sys.exit(f"{root}: no cleaning_summary.json to edit")
    original = open(target, encoding="utf-8").read()
    proc = subprocess.Popen([artsite, "serve", "--root", root, "--port", "0", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        t0 = time.monotonic()
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            sys.exit(f"artsite serve did not start: {line}{proc.stderr.read()}")
        startup = time.monotonic() - t0
        port = int(m.group(1))
        events = Events(port)
        time.sleep(0.5)
        latencies, rebuilds, pages = [], [], []
        for i in range(runs):
            text = re.sub(r'"valid_records":\s*(\d+)', lambda mm: f'"valid_records": {int(mm.group(1)) + i + 1}', original, count=1)
            start = time.monotonic()
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
            data = events.next("reload", 30)
            latencies.append((time.monotonic() - start) * 1000)
            rebuilds.append(data["ms"])
            pages.append(len(data["paths"]))
            time.sleep(0.3)
        return {"label": label, "startup": startup, "latency": latencies, "rebuild": rebuilds, "paths": pages}
    finally:
        with open(target, "w", encoding="utf-8") as f:
            f.write(original)
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def full_build(artsite, root, work):
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.monotonic()
    subprocess.run([artsite, "build", "--root", root, "--out", out, "--quiet"], check=True)
    took = time.monotonic() - t0
    shutil.rmtree(out, ignore_errors=True)
    return took


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--artsite", default=os.environ.get("ARTSITE") or os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")), "release", "artsite"))
    ap.add_argument("--work", help="folder for the copies and the generated tree (default: a temporary one)")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--sizes", default="example,10000")
    a = ap.parse_args()
    if not os.path.isfile(a.artsite):
        sys.exit(f"{a.artsite} not found: cargo build --release first, or pass --artsite")
    work = a.work or tempfile.mkdtemp(prefix="artsite-serve-bench-")
    os.makedirs(work, exist_ok=True)
    rows = []
    for size in a.sizes.split(","):
        if size == "example":
            root = os.path.join(work, "example", "artifacts")
            shutil.rmtree(os.path.dirname(root), ignore_errors=True)
            shutil.copytree(EXAMPLE, root, symlinks=True)
            label = "example (132 artifacts)"
        else:
            n = int(size)
            versions = 50 if n >= 10000 else 10
            corpus = os.path.join(work, f"c{n}")
            root = os.path.join(corpus, "artifacts")
            if not os.path.isdir(root):
                subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), corpus, "--versions", str(versions),
                                "--artifacts-per-version", str(n // versions)], check=True, stdout=subprocess.DEVNULL)
            label = f"{n:,} artifacts ({versions} versions)"
        r = measure(a.artsite, root, a.runs, label)
        r["build"] = full_build(a.artsite, root, work)
        rows.append(r)
    print(f"artsite serve latency, {a.runs} edits of one JSON number each; median (min-max), ms")
    print(f"{'tree':28} {'write->event':>22} {'rebuild only':>22} {'paths':>6} {'start':>7} {'full build':>11}")
    for r in rows:
        print(f"{r['label']:28} {median_range(r['latency']):>22} {median_range(r['rebuild']):>22} "
              f"{int(statistics.median(r['paths'])):>6} {r['startup']:6.2f}s {r['build']:10.2f}s")
    print("write->event includes notify's 50 ms debounce; 'start' is serve's initial build in memory;")
    print("'full build' is a clean `artsite build` of the same tree into a new folder (the baseline).")


if __name__ == "__main__":
    main()

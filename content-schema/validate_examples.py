#!/usr/bin/env python3
"""Validate an artifacts tree's known JSON files against the schemas in this folder.

    python3 content-schema/validate_examples.py            # the bundled examples/artifacts
    python3 content-schema/validate_examples.py ROOT       # your own artifacts root

Checks, in order:
1. every *.schema.json is a valid draft 2020-12 schema, has $id, title and
   description, and every property it declares has a title and a description;
2. a few hand-made bad documents are rejected (so the schemas are not vacuous);
3. every JSON file under ROOT whose name maps to a schema (see SCHEMA_FOR and
   README.md) validates.  Files are parsed with Python's json, which accepts
   NaN / Infinity / -Infinity as pipelines write them; such files are listed.

For the bundled examples the deliberate warts (see examples/README.md) are
expected: the truncated JSON file must fail to parse, and the NaN/Infinity
files must be the ones listed below.  Anything else that fails is an error.
Symlinked folders (e.g. `current`) are not followed.  Exit code 0 = all good.

Needs: pip install jsonschema
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from jsonschema import Draft202012Validator

HERE = Path(__file__).resolve().parent
EXAMPLES = (HERE.parent / "examples" / "artifacts").resolve()

# file name inside a version folder -> schema name (without .schema.json)
SCHEMA_FOR = {
    "artifact_manifest.json": "artifact_manifest",
    "cleaning_summary.json": "cleaning_summary",
    "cleaning_report.json": "cleaning_report",
    "cleaning_stats.json": "cleaning_stats",
    "validation_errors.json": "validation_errors",
    "download_log.json": "download_log",
    "extraction_stats.json": "extraction_stats",
    "processing_log.json": "processing_log",
    "feature_summary.json": "feature_summary",
    "validation_report.json": "validation_report",
    "feature_registry.json": "feature_registry",
}

# Deliberate warts of the bundled examples (paths relative to examples/artifacts).
EXPECTED_MALFORMED = {
    "2024-03-04_09-00-00_ci-runner/etl_metadata/features/digraph/validation_report.json",
}
EXPECTED_NONSTANDARD = {  # files that contain NaN / Infinity tokens
    "2024-03-02_09-00-00_ci-runner/etl_metadata/keypairs/extraction_stats.json",
    "2024-03-02_09-00-00_ci-runner/etl_metadata/features/flight_time/feature_summary.json",
}

# (schema, document) pairs that must NOT validate.
MUST_FAIL = [
    ("cleaning_summary", {"total_records": "48000", "valid_records": 1, "data_quality_score": 1.0}),
    ("cleaning_summary", {"total_records": 10, "valid_records": 9, "data_quality_score": 190.0}),
    ("cleaning_stats", {"total_records": 10, "valid_records": 9, "missing_data_handled": {"key": -1}}),
    ("validation_errors", [{"row": -3, "column": "key"}]),
    ("validation_errors", ["not an object"]),
    ("download_manifest", {"files": [{"name": "a.parquet", "sha256": "xyz"}]}),
    ("download_log", {"attempts": [{"file": "a", "status": "ok", "elapsed_s": -1}]}),
    ("extraction_stats", {"input_records": 1, "output_records": 1, "memory_usage_mb": "big"}),
    ("processing_log", {"events": [{"time": "yesterday", "level": "INFO", "msg": "x"}]}),
    ("feature_summary", {"by_user": {"u1": {"count": 1.5}}}),
    ("validation_report", {"checks": [{"check": "null_fraction", "passed": "yes"}]}),
    ("feature_registry", {"hold_time": {"records": -3}}),
    ("cleaning_summary", {"total_records": 10, "valid_records": 9, "data_quality_score": 90.0}),
    ("cleaning_report", {"steps": "dedupe"}),
    ("artifact_manifest", {"version_id": "v", "artifacts": {"a": {"stage": "s", "name": "n",
                                                                  "file_path": "p"}}}),
    ("artifact_manifest", {"artifacts": [{"artifact_type": "plot", "stage": "s", "name": "n"}]}),
    ("artifact_manifest", {"a": {"artifact_type": "plot", "stage": "s", "name": "n", "file_path": ""}}),
    ("artifact_manifest", [{"artifact_type": "table", "stage": "s", "name": "n", "file_path": "p",
                            "metadata": {"shape": [3]}}]),
    ("artifact_manifest", "not a manifest"),
]


def schema_name_for(rel: PurePosixPath) -> str | None:
    if rel.name == "manifest.json" and rel.parent.name == "download":
        return "download_manifest"
    return SCHEMA_FOR.get(rel.name)


def load_schemas() -> dict[str, dict[str, Any]]:
    return {p.name[: -len(".schema.json")]: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(HERE.glob("*.schema.json"))}


def untitled_properties(node: Any, pointer: str = "") -> Iterator[str]:
    """JSON pointers (into the schema) of declared properties lacking title or description."""
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            if not isinstance(sub, dict) or not sub.get("title") or not sub.get("description"):
                yield f"{pointer}/properties/{name}"
        for key, sub in node.items():
            yield from untitled_properties(sub, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from untitled_properties(sub, f"{pointer}/{i}")


def pointer_of(error: Any) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)


def json_files(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):  # followlinks=False: `current` is skipped
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.endswith(".json") and not path.is_symlink():
                yield path


def main(argv: list[str]) -> int:
    root = Path(argv[1]).resolve() if len(argv) > 1 else EXAMPLES
    bundled = root == EXAMPLES
    problems: list[str] = []

    schemas = load_schemas()
    validators = {}
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        for key in ("$schema", "$id", "title", "description"):
            if key not in schema:
                problems.append(f"{name}.schema.json: missing top-level {key}")
        if schema.get("$id") != f"https://artsite.dev/schema/{name}.schema.json":
            problems.append(f"{name}.schema.json: $id does not match the file name")
        problems += [f"{name}.schema.json: {p}: property without title or description"
                     for p in untitled_properties(schema)]
        validators[name] = Draft202012Validator(schema)
    missing = set(SCHEMA_FOR.values()) | {"download_manifest"}
    problems += [f"no schema file for {n}" for n in sorted(missing - set(schemas))]
    print(f"schemas: {len(schemas)} checked")

    for name, doc in MUST_FAIL:
        if validators[name].is_valid(doc):
            problems.append(f"{name}: accepted a bad document: {json.dumps(doc)}")
    print(f"negative cases: {len(MUST_FAIL)} checked")

    counts = {"valid": 0, "malformed": 0, "nonstandard": 0, "no_schema": 0}
    for path in json_files(root):
        rel = PurePosixPath(path.relative_to(root).as_posix())
        where = str(rel)
        name = schema_name_for(rel)
        if name is None:
            counts["no_schema"] += 1
            print(f"  (no schema) {where}")
            continue
        nonstandard: list[str] = []

        def on_constant(token: str) -> float:
            nonstandard.append(token)
            return float(token.replace("Infinity", "inf"))

        try:
            doc = json.loads(path.read_text(encoding="utf-8"), parse_constant=on_constant)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            counts["malformed"] += 1
            if bundled and where in EXPECTED_MALFORMED:
                print(f"  expected: {where}: not JSON ({exc})")
            else:
                problems.append(f"{where}: not JSON: {exc}")
            continue
        if nonstandard:
            counts["nonstandard"] += 1
            print(f"  note: {where}: contains {', '.join(sorted(set(nonstandard)))}")
            if bundled and where not in EXPECTED_NONSTANDARD:
                problems.append(f"{where}: unexpected NaN/Infinity")
        errors = sorted(validators[name].iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors:
            problems.append(f"{where}: {pointer_of(e)}: {e.message} [{name}]")
        if not errors:
            counts["valid"] += 1
    if bundled:
        for rel in sorted(EXPECTED_MALFORMED | EXPECTED_NONSTANDARD):
            if not (root / rel).is_file():
                problems.append(f"{rel}: expected wart file is missing")
    print(f"files under {root}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))

    for p in problems:
        print(f"FAIL {p}")
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Palmer penguins ETL pipeline with artifact management (real-tools example).

A data pipeline written the way a data team would write it from the original
design (ArtifactManager, ETLMetadataCollector, UnifiedReportGenerator), run on
the palmerpenguins data set with real third-party tools:

  download  -> tables/download_penguins_raw.parquet, etl_metadata/download/*
  cleaning  -> tables/cleaned_data_penguins.parquet, etl_metadata/cleaning/*,
               etl_metadata/cleaned_data/* (written by the ETLMetadataCollector),
               validation with pandera (lazy), outliers as CSV + parquet
  keypairs  -> breeding pairs per nest (N{n}A1 + N{n}A2), etl_metadata/keypairs/*
  features  -> morphometric / isotope / dimorphism, etl_metadata/features/*
  eda       -> eda_reports/profile/report.html (ydata-profiling, minimal)
               eda_reports/sweetviz/report.html (sweetviz)
  reports   -> unified_reports/pipeline_summary.html (jinja2),
               unified_reports/data_quality_dashboard.html (plotly),
               unified_reports/full_report.pdf (reportlab)

Several runs ("versions") are written under --out.  Everything is deterministic
for a given --seed: timestamps and durations come from a simulated clock that
starts at the time in the version id, not from datetime.now().  Only the
timestamps the EDA tools embed in their own HTML differ between reruns.

Usage:
    python3 examples/real_tools/pipeline.py --out /tmp/rt/artifacts --runs 4
    python3 examples/real_tools/pipeline.py --out /tmp/rt_warts/artifacts --warts
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import sys
import warnings
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

warnings.filterwarnings("ignore")  # ydata-profiling / sweetviz are chatty

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

log = logging.getLogger("penguin_pipeline")

HOST = "ci-runner-07"
PLOT_DPI = 100


# ---------------------------------------------------------------------------
# Simulated clock (determinism).  The design calls datetime.now() and
# time.time(); we route both through this so that reruns give identical files.
# ---------------------------------------------------------------------------
class SimClock:
    """A wall clock + perf counter that only moves when the pipeline says so."""

    def __init__(self, start: datetime, seed: int):
        self._start = start
        self._t = start
        self._rng = np.random.default_rng(seed)

    def now(self) -> datetime:
        return self._t

    def advance(self, seconds: float) -> None:
        self._t += timedelta(seconds=float(seconds))

    def tick(self) -> None:
        """A few milliseconds pass (file write, bookkeeping)."""
        self.advance(self._rng.uniform(0.004, 0.09))

    def work(self, base: float, jitter: float = 0.25) -> float:
        """Simulate a unit of work of about `base` seconds; return its duration."""
        d = float(base * self._rng.uniform(1 - jitter, 1 + jitter))
        self.advance(d)
        return d

    def perf_counter(self) -> float:
        return (self._t - self._start).total_seconds()


# ---------------------------------------------------------------------------
# utils/artifact_manager.py
# ---------------------------------------------------------------------------
class ArtifactType(Enum):
    ETL_METADATA = "etl_metadata"
    EDA_REPORT = "eda_report"
    PLOT = "plot"
    TABLE = "table"
    LOG = "log"
    SUMMARY = "summary"


@dataclass
class Artifact:
    """Single artifact metadata"""

    artifact_id: str
    artifact_type: ArtifactType
    stage: str
    name: str
    description: str
    file_path: Path
    created_at: datetime
    metadata: Dict[str, Any]

    def to_dict(self) -> Dict:
        d = asdict(self)
        d["artifact_type"] = self.artifact_type.value
        d["file_path"] = str(self.file_path)
        d["created_at"] = self.created_at.isoformat()
        return d


class ArtifactManager:
    """Centralized artifact management"""

    def __init__(self, version_id: str, base_dir: Path = Path("artifacts"),
                 clock: Optional[SimClock] = None):
        self.version_id = version_id
        self.base_dir = base_dir / version_id
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.clock = clock

        self.manifest_file = self.base_dir / "artifact_manifest.json"
        self.artifacts: Dict[str, Artifact] = {}
        self._load_manifest()

    def _now(self) -> datetime:
        if self.clock is None:
            return datetime.now()
        self.clock.tick()
        return self.clock.now()

    def _load_manifest(self) -> None:
        if not self.manifest_file.exists():
            return
        try:
            with open(self.manifest_file) as f:
                data = json.load(f)
        except (json.JSONDecodeError, OSError) as exc:
            log.warning("could not read %s (%s); starting a new manifest", self.manifest_file, exc)
            return
        for artifact_id, rec in data.get("artifacts", {}).items():
            try:
                self.artifacts[artifact_id] = Artifact(
                    artifact_id=rec["artifact_id"],
                    artifact_type=ArtifactType(rec["artifact_type"]),
                    stage=rec["stage"],
                    name=rec["name"],
                    description=rec.get("description", ""),
                    file_path=Path(rec["file_path"]),
                    created_at=datetime.fromisoformat(rec["created_at"]),
                    metadata=rec.get("metadata", {}),
                )
            except (KeyError, ValueError) as exc:
                log.warning("skipping manifest entry %s: %s", artifact_id, exc)

    def _save_manifest(self) -> None:
        manifest = {
            "version_id": self.version_id,
            "artifacts": {aid: a.to_dict() for aid, a in self.artifacts.items()},
        }
        with open(self.manifest_file, "w") as f:
            json.dump(manifest, f, indent=2)

    def register_artifact(self,
                          artifact_type: ArtifactType,
                          stage: str,
                          name: str,
                          file_path: Path,
                          description: str = "",
                          metadata: Optional[Dict] = None) -> str:
        """Register a new artifact"""
        now = self._now()
        artifact_id = f"{stage}_{name}_{now.strftime('%Y%m%d_%H%M%S')}"

        artifact = Artifact(
            artifact_id=artifact_id,
            artifact_type=artifact_type,
            stage=stage,
            name=name,
            description=description,
            file_path=file_path,
            created_at=now,
            metadata=metadata or {},
        )

        self.artifacts[artifact_id] = artifact
        self._save_manifest()

        return artifact_id

    def get_artifacts_by_stage(self, stage: str) -> List[Artifact]:
        """Get all artifacts for a specific stage"""
        return [a for a in self.artifacts.values() if a.stage == stage]

    def get_artifacts_by_type(self, artifact_type: ArtifactType) -> List[Artifact]:
        """Get all artifacts of a specific type"""
        return [a for a in self.artifacts.values() if a.artifact_type == artifact_type]

    def save_dataframe(self, df: pd.DataFrame, stage: str, name: str,
                       description: str = "") -> str:
        """Save a DataFrame as an artifact"""
        file_path = self.base_dir / "tables" / f"{stage}_{name}.parquet"
        file_path.parent.mkdir(parents=True, exist_ok=True)

        df.to_parquet(file_path)

        return self.register_artifact(
            ArtifactType.TABLE,
            stage,
            name,
            file_path,
            description,
            metadata={
                "shape": df.shape,
                "columns": df.columns.tolist(),
                "dtypes": df.dtypes.astype(str).to_dict(),
            },
        )

    def save_plot(self, fig, stage: str, name: str,
                  description: str = "", dpi: int = 300) -> str:
        """Save a matplotlib figure as an artifact"""
        file_path = self.base_dir / "plots" / f"{stage}_{name}.png"
        file_path.parent.mkdir(parents=True, exist_ok=True)

        fig.savefig(file_path, dpi=dpi, bbox_inches="tight")

        return self.register_artifact(
            ArtifactType.PLOT,
            stage,
            name,
            file_path,
            description,
        )


# ---------------------------------------------------------------------------
# utils/etl_metadata.py
# ---------------------------------------------------------------------------
@dataclass
class CleaningMetadata:
    """Metadata from cleaning stage"""

    total_records: int
    valid_records: int
    invalid_records: int
    outliers_removed: int
    duplicates_removed: int
    missing_data_handled: Dict[str, int]
    validation_errors: List[Dict[str, Any]]
    processing_time: float

    def to_summary(self) -> Dict[str, Any]:
        return {
            "total_records": self.total_records,
            "valid_records": self.valid_records,
            "data_quality_score": self.valid_records / self.total_records * 100,
            "issues_found": len(self.validation_errors),
            "outliers_removed": self.outliers_removed,
        }


@dataclass
class ExtractionMetadata:
    """Metadata from feature extraction"""

    input_records: int
    output_records: int
    features_extracted: List[str]
    extraction_errors: List[Dict[str, Any]]
    computation_time: float
    memory_usage_mb: float


class ETLMetadataCollector:
    """Collect and manage ETL metadata"""

    def __init__(self, artifact_manager: ArtifactManager):
        self.artifact_manager = artifact_manager
        self.metadata: Dict[str, Any] = {}

    def collect_cleaning_metadata(self, stage_name: str,
                                  metadata: CleaningMetadata,
                                  outliers_df: Optional[pd.DataFrame] = None):
        """Collect metadata from cleaning stage"""
        # Save summary
        summary_path = self.artifact_manager.base_dir / "etl_metadata" / stage_name / "cleaning_summary.json"
        summary_path.parent.mkdir(parents=True, exist_ok=True)

        with open(summary_path, "w") as f:
            json.dump(metadata.to_summary(), f, indent=2)

        self.artifact_manager.register_artifact(
            ArtifactType.ETL_METADATA,
            stage_name,
            "cleaning_summary",
            summary_path,
            "Summary of data cleaning process",
        )

        # Save detailed outliers if provided
        if outliers_df is not None and not outliers_df.empty:
            self.artifact_manager.save_dataframe(
                outliers_df,
                stage_name,
                "outliers_removed",
                "Details of outliers removed during cleaning",
            )

        # Save validation errors
        if metadata.validation_errors:
            errors_path = summary_path.parent / "validation_errors.json"
            with open(errors_path, "w") as f:
                json.dump(metadata.validation_errors, f, indent=2)

            self.artifact_manager.register_artifact(
                ArtifactType.ETL_METADATA,
                stage_name,
                "validation_errors",
                errors_path,
                "Validation errors encountered",
            )


# ---------------------------------------------------------------------------
# small helpers shared by the stages
# ---------------------------------------------------------------------------
def write_json(path: Path, obj: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
    return path


def mem_mb(df: pd.DataFrame) -> float:
    return df.memory_usage(deep=True).sum() / 1024 ** 2


def etl_dir(am: ArtifactManager, *parts: str) -> Path:
    p = am.base_dir.joinpath("etl_metadata", *parts)
    p.mkdir(parents=True, exist_ok=True)
    return p


def to_builtin(v: Any) -> Any:
    """pandera failure cases carry numpy scalars and Timestamps; json can't."""
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if isinstance(v, np.generic):
        return v.item()
    return v


SPECIES_SHORT = {
    "Adelie Penguin (Pygoscelis adeliae)": "Adelie",
    "Gentoo penguin (Pygoscelis papua)": "Gentoo",
    "Chinstrap penguin (Pygoscelis antarctica)": "Chinstrap",
}
STUDY_YEAR = {"PAL0708": 2007, "PAL0809": 2008, "PAL0910": 2009}
COLUMN_MAP = {
    "studyName": "study_name",
    "Sample Number": "sample_number",
    "Species": "species",
    "Region": "region",
    "Island": "island",
    "Stage": "stage",
    "Individual ID": "individual_id",
    "Clutch Completion": "clutch_completion",
    "Date Egg": "date_egg",
    "Culmen Length (mm)": "bill_length_mm",
    "Culmen Depth (mm)": "bill_depth_mm",
    "Flipper Length (mm)": "flipper_length_mm",
    "Body Mass (g)": "body_mass_g",
    "Sex": "sex",
    "Delta 15 N (o/oo)": "delta_15n",
    "Delta 13 C (o/oo)": "delta_13c",
    "Comments": "comments",
}


@dataclass
class RunConfig:
    version_id: str
    seed: int
    sample_n: Optional[int] = None      # exact sample size (used by the "records fell" run)
    sample_frac: Optional[float] = None  # otherwise a fraction of the source


# ---------------------------------------------------------------------------
# scripts/pipeline/01_download.py
# ---------------------------------------------------------------------------
def download_data(cfg: RunConfig, am: ArtifactManager, rng: np.random.Generator) -> pd.DataFrame:
    """'Download' the per-season field files.

    The source is the penguins-raw.csv shipped in the palmerpenguins package; the
    field station delivers one CSV per season (studyName).  Each run sees a random
    sample of birds, and the deliveries have the usual upstream defects (a batch
    re-sent in part, a body mass typed in kg, a '.' for unknown sex, a bird
    re-weighed and sent twice, an egg date with the wrong year)."""
    import palmerpenguins

    clock = am.clock
    t0 = clock.perf_counter()
    src = palmerpenguins.load_penguins_raw()
    if cfg.sample_n is not None:
        df = src.sample(n=cfg.sample_n, random_state=cfg.seed)
    else:
        df = src.sample(frac=cfg.sample_frac, random_state=cfg.seed)
    df = df.sort_index()

    # --- upstream defects -------------------------------------------------
    n_dups = int(rng.integers(2, 6))
    dup_rows = df.sample(n=n_dups, random_state=cfg.seed + 1)
    n_kg = int(rng.integers(1, 4))
    kg_idx = df.sample(n=n_kg, random_state=cfg.seed + 2).index
    df.loc[kg_idx, "Body Mass (g)"] = df.loc[kg_idx, "Body Mass (g)"] / 1000.0
    if rng.random() < 0.75:
        dot_idx = df[df["Sex"].notna()].sample(n=1, random_state=cfg.seed + 3).index
        df.loc[dot_idx, "Sex"] = "."
    reweighed = df[df["Body Mass (g)"] > 100].sample(n=1, random_state=cfg.seed + 4).copy()
    reweighed["Body Mass (g)"] += 25.0
    if rng.random() < 0.5:
        typo_idx = df.sample(n=1, random_state=cfg.seed + 5).index
        df.loc[typo_idx, "Date Egg"] = df.loc[typo_idx, "Date Egg"].str.replace(
            r"^(\d{4})", lambda m: str(int(m.group(1)) + 1), regex=True)
    df = pd.concat([df, dup_rows, reweighed])

    # --- one delivery file per season --------------------------------------
    files = []
    events = []
    batches = []
    for study, part in df.groupby("studyName", sort=True):
        payload = part.to_csv(index=False).encode("utf-8")
        events.append({"timestamp": clock.now().isoformat(), "level": "INFO",
                       "event": "fetch_start", "file": f"{study}.csv", "attempt": 1})
        attempt = 1
        if rng.random() < 0.3:
            clock.work(30.0, 0.0)
            events.append({"timestamp": clock.now().isoformat(), "level": "WARNING",
                           "event": "fetch_retry", "file": f"{study}.csv", "attempt": attempt,
                           "error": "ReadTimeout: read timed out after 30s", "backoff_s": 2 ** attempt})
            clock.work(2 ** attempt, 0.0)
            attempt += 1
        elapsed = clock.work(0.35 + len(payload) / 180_000)
        events.append({"timestamp": clock.now().isoformat(), "level": "INFO",
                       "event": "fetch_done", "file": f"{study}.csv", "attempt": attempt,
                       "bytes": len(payload), "rows": int(len(part)), "elapsed_s": round(elapsed, 3)})
        files.append({
            "name": f"{study}.csv",
            "study": study,
            "season": f"{STUDY_YEAR[study]}-{STUDY_YEAR[study] + 1}",
            "rows": int(len(part)),
            "bytes": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),
            "attempts": attempt,
        })
        batches.append(part)

    raw = pd.concat(batches, ignore_index=True)
    events.append({"timestamp": clock.now().isoformat(), "level": "INFO", "event": "concat",
                   "rows": int(len(raw)), "files": len(files)})

    out = etl_dir(am, "download")
    manifest = {
        "source": {
            "package": "palmerpenguins",
            "package_version": palmerpenguins.__version__ if hasattr(palmerpenguins, "__version__") else None,
            "resource": "data/penguins-raw.csv",
            "license": "CC0-1.0",
        },
        "retrieved_at": clock.now().isoformat(),
        "sample": {"method": "pandas.DataFrame.sample", "random_state": cfg.seed,
                   "frac": cfg.sample_frac, "n": cfg.sample_n},
        "files": files,
        "total_records": int(len(raw)),
        "columns": raw.columns.tolist(),
    }
    write_json(out / "manifest.json", manifest)
    am.register_artifact(ArtifactType.ETL_METADATA, "download", "manifest", out / "manifest.json",
                         "What was downloaded", {"records_out": int(len(raw)), "files": len(files)})
    write_json(out / "download_log.json", events)
    am.register_artifact(ArtifactType.LOG, "download", "download_log", out / "download_log.json",
                         "Download attempts and timings")

    am.save_dataframe(raw, "download", "penguins_raw", "Raw field records, all seasons concatenated")

    fig, ax = plt.subplots(figsize=(5, 3))
    counts = raw.groupby(["studyName", "Island"]).size().unstack(fill_value=0)
    counts.plot.bar(stacked=True, ax=ax)
    ax.set_xlabel("season file")
    ax.set_ylabel("records")
    ax.set_title("Records delivered per season")
    am.save_plot(fig, "download", "records_by_study", "Records per delivery file and island", dpi=PLOT_DPI)
    plt.close(fig)

    log.info("download: %d records in %d files (%.1fs)", len(raw), len(files), clock.perf_counter() - t0)
    return raw


# ---------------------------------------------------------------------------
# scripts/pipeline/02_clean_data.py
# ---------------------------------------------------------------------------
CLEANING_RULES = {
    "bill_length_mm": {"min": 30, "max": 60},
    "bill_depth_mm": {"min": 12, "max": 23},
    "flipper_length_mm": {"min": 160, "max": 240},
    "body_mass_g": {"min": 2500, "max": 6500},
    "drop_na": ["sex", "bill_length_mm", "flipper_length_mm", "body_mass_g"],
    "dedupe": {"subset": None, "keep": "first"},
    "sex_map": {"MALE": "male", "FEMALE": "female", ".": None},
    "iqr_k": 1.5,
    "iqr_by": "species",
    "iqr_columns": ["body_mass_g", "flipper_length_mm"],
}


def penguin_schema():
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "species": pa.Column(str, pa.Check.isin(["Adelie", "Chinstrap", "Gentoo"])),
            "island": pa.Column(str, pa.Check.isin(["Biscoe", "Dream", "Torgersen"])),
            "sex": pa.Column(str, pa.Check.isin(["male", "female"])),
            "clutch_completion": pa.Column(str, pa.Check.isin(["Yes", "No"])),
            "bill_length_mm": pa.Column(float, pa.Check.in_range(32.0, 60.0)),
            "bill_depth_mm": pa.Column(float, pa.Check.in_range(13.0, 21.5)),
            "flipper_length_mm": pa.Column(float, pa.Check.in_range(172.0, 231.0)),
            "body_mass_g": pa.Column(float, pa.Check.in_range(2700.0, 6300.0)),
            "delta_15n": pa.Column(float, pa.Check.in_range(7.5, 10.0), nullable=False),
            "delta_13c": pa.Column(float, pa.Check.in_range(-27.1, -23.7), nullable=False),
            "date_egg": pa.Column("datetime64[ns]"),
            "year": pa.Column(int, pa.Check.isin([2007, 2008, 2009])),
        },
        checks=[pa.Check(lambda d: d["date_egg"].dt.year == d["year"], name="egg_year_matches_study")],
        unique=["study_name", "species", "sample_number"],
        name="penguins_clean",
    )


def validate_data(df: pd.DataFrame) -> Dict[str, Any]:
    import pandera.pandas as pa

    try:
        penguin_schema().validate(df, lazy=True)
        return {"valid": True, "errors": []}
    except pa.errors.SchemaErrors as exc:
        records = exc.failure_cases.to_dict(orient="records")
        errors = [{k: to_builtin(v) for k, v in r.items()} for r in records]
        return {"valid": False, "errors": errors}


def clean_data(cfg: RunConfig, am: ArtifactManager, raw_data: pd.DataFrame) -> pd.DataFrame:
    """Clean data with metadata collection"""
    clock = am.clock
    start_time = clock.perf_counter()
    metadata_collector = ETLMetadataCollector(am)

    initial_count = len(raw_data)
    steps = []

    def step(rule: str, before: int, after: int, **extra):
        steps.append({"rule": rule, "rows_before": before, "rows_after": after,
                      "removed": before - after, **extra})

    df = raw_data.rename(columns=COLUMN_MAP)
    df["species"] = df["species"].map(SPECIES_SHORT)
    df["year"] = df["study_name"].map(STUDY_YEAR).astype("int64")
    df["date_egg"] = pd.to_datetime(df["date_egg"])
    clock.work(0.08)

    # 1. duplicates (the same record delivered twice)
    n = len(df)
    dup_mask = df.duplicated(keep="first")
    df = df[~dup_mask]
    duplicates_removed = int(dup_mask.sum())
    step("dedupe", n, len(df))
    clock.work(0.03)

    # 2. normalise sex codes ('.' means unknown)
    dots = int((df["sex"] == ".").sum())
    df["sex"] = df["sex"].map(lambda s: CLEANING_RULES["sex_map"].get(s, s) if isinstance(s, str) else s)
    step("sex_map", len(df), len(df), values_mapped_to_null=dots)

    # 3. Remove outliers: hard ranges, then IQR within species
    missing_before = df.isnull().sum().to_dict()
    reasons = pd.Series("", index=df.index)
    for col in ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]:
        lo, hi = CLEANING_RULES[col]["min"], CLEANING_RULES[col]["max"]
        bad = (df[col] < lo) | (df[col] > hi)
        reasons[bad & (reasons == "")] = f"range:{col}"
    range_mask = reasons != ""
    step("range", len(df), int((~range_mask).sum()))
    k = CLEANING_RULES["iqr_k"]
    iqr_mask = pd.Series(False, index=df.index)
    ok = df[~range_mask]
    for col in CLEANING_RULES["iqr_columns"]:
        q1 = ok.groupby("species")[col].transform(lambda s: s.quantile(0.25))
        q3 = ok.groupby("species")[col].transform(lambda s: s.quantile(0.75))
        iqr = q3 - q1
        bad = (ok[col] < q1 - k * iqr) | (ok[col] > q3 + k * iqr)
        bad_idx = bad[bad].index
        fresh = bad_idx[reasons[bad_idx] == ""]
        reasons[fresh] = f"iqr:{col}"
        iqr_mask[bad_idx] = True
    outlier_mask = range_mask | iqr_mask
    step("iqr", int((~range_mask).sum()), int((~outlier_mask).sum()), k=k, by="species")
    outliers_removed = df[outlier_mask].assign(reason=reasons[outlier_mask])
    cleaned_data = df[~outlier_mask]
    clock.work(0.12)

    # 4. Handle missing data: rows without sex or core measurements are dropped
    n = len(cleaned_data)
    cleaned_data = cleaned_data.dropna(subset=CLEANING_RULES["drop_na"])
    step("drop_na", n, len(cleaned_data), columns=CLEANING_RULES["drop_na"])
    missing_after = cleaned_data.isnull().sum().to_dict()
    clock.work(0.02)

    # 5. Validate data (pandera, lazy: collect every failure case)
    validation_results = validate_data(cleaned_data)
    validation_errors = validation_results["errors"]
    clock.work(0.21)

    cleaning_metadata = CleaningMetadata(
        total_records=initial_count,
        valid_records=len(cleaned_data),
        invalid_records=initial_count - len(cleaned_data),
        outliers_removed=len(outliers_removed),
        duplicates_removed=duplicates_removed,
        missing_data_handled={
            col: int(missing_before[col] - missing_after[col])
            for col in missing_before
        },
        validation_errors=validation_errors,
        processing_time=clock.perf_counter() - start_time,
    )

    # Save metadata (the collector writes etl_metadata/cleaned_data/...)
    metadata_collector.collect_cleaning_metadata("cleaned_data", cleaning_metadata, outliers_removed)

    # Stage's own detailed files (etl_metadata/cleaning/...)
    out = etl_dir(am, "cleaning")
    report = {
        "stage": "cleaning",
        "input": "tables/download_penguins_raw.parquet",
        "output": "tables/cleaned_data_penguins.parquet",
        "rules": CLEANING_RULES,
        "steps": steps,
        "schema": {"name": "penguins_clean", "library": "pandera", "lazy": True,
                   "checks": int(sum(len(c.checks) for c in penguin_schema().columns.values()) + 1)},
        "validation_passed": validation_results["valid"],
    }
    write_json(out / "cleaning_report.json", report)
    am.register_artifact(ArtifactType.ETL_METADATA, "cleaning", "cleaning_report",
                         out / "cleaning_report.json", "Cleaning rules and what each removed",
                         {"records_in": initial_count, "records_out": len(cleaned_data)})

    outliers_removed.to_csv(out / "outliers_removed.csv", index=True, index_label="raw_index")
    am.register_artifact(ArtifactType.TABLE, "cleaning", "outliers_removed", out / "outliers_removed.csv",
                         "Rows removed as outliers, with the rule that caught them",
                         {"rows": int(len(outliers_removed)), "columns": ["raw_index"] + outliers_removed.columns.tolist()})

    write_json(out / "validation_errors.json", validation_errors)
    am.register_artifact(ArtifactType.ETL_METADATA, "cleaning", "validation_errors",
                         out / "validation_errors.json", "pandera failure cases (lazy validation)",
                         {"count": len(validation_errors)})

    per_species = {}
    raw_species = raw_data["Species"].map(SPECIES_SHORT).value_counts().to_dict()
    out_species = cleaned_data["species"].value_counts().to_dict()
    for sp in sorted(raw_species):
        per_species[sp] = {"in": int(raw_species[sp]), "out": int(out_species.get(sp, 0))}
    stats = {
        "records_in": initial_count,
        "records_out": int(len(cleaned_data)),
        "duplicates_removed": duplicates_removed,
        "outliers_removed": int(len(outliers_removed)),
        "outliers_by_reason": {k: int(v) for k, v in outliers_removed["reason"].value_counts().sort_index().items()},
        "missing_before": {k: int(v) for k, v in missing_before.items()},
        "missing_after": {k: int(v) for k, v in missing_after.items()},
        "missing_data_handled": cleaning_metadata.missing_data_handled,
        "validation_failures_by_check": {k: int(v) for k, v in pd.Series(
            [e["check"] for e in validation_errors], dtype=object).value_counts().sort_index().items()},
        "per_species": per_species,
        "processing_time": cleaning_metadata.processing_time,
        "memory_usage_mb": mem_mb(cleaned_data),
    }
    write_json(out / "cleaning_stats.json", stats)
    am.register_artifact(ArtifactType.ETL_METADATA, "cleaning", "cleaning_stats",
                         out / "cleaning_stats.json", "Counts per cleaning step")

    am.save_dataframe(cleaned_data, "cleaned_data", "penguins", "Cleaned penguin records")

    # plots
    fig, ax = plt.subplots(figsize=(6, 3))
    pd.Series(missing_before).sort_values().plot.barh(ax=ax, color="#4c72b0")
    ax.set_xlabel("null values before cleaning")
    ax.set_title("Missing values by column")
    am.save_plot(fig, "cleaning", "missing_by_column", "Nulls per column before drop_na", dpi=PLOT_DPI)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5, 4))
    for sp, g in cleaned_data.groupby("species"):
        ax.scatter(g["flipper_length_mm"], g["body_mass_g"], s=10, label=sp, alpha=0.7)
    o = outliers_removed[outliers_removed["body_mass_g"] > 100]
    ax.scatter(o["flipper_length_mm"], o["body_mass_g"], s=40, marker="x", color="k", label="outlier")
    ax.set_xlabel("flipper length (mm)")
    ax.set_ylabel("body mass (g)")
    ax.legend(fontsize=7)
    ax.set_title("Outliers removed")
    am.save_plot(fig, "cleaning", "outliers_scatter", "Flipper vs mass with removed outliers", dpi=PLOT_DPI)
    plt.close(fig)

    log.info("cleaning: %d -> %d records, %d outliers, %d validation failures",
             initial_count, len(cleaned_data), len(outliers_removed), len(validation_errors))
    return cleaned_data


# ---------------------------------------------------------------------------
# scripts/pipeline/03_extract_keypairs.py  (breeding pairs: N{n}A1 + N{n}A2)
# ---------------------------------------------------------------------------
def extract_keypairs(cfg: RunConfig, am: ArtifactManager, cleaned: pd.DataFrame) -> pd.DataFrame:
    clock = am.clock
    t0 = clock.perf_counter()
    started = clock.now()
    steps = []
    warnings_ = []

    df = cleaned.copy()
    df["nest_id"] = df["individual_id"].str.extract(r"^(N\d+)A\d$", expand=False)
    bad_id = int(df["nest_id"].isna().sum())
    steps.append({"step": "parse_individual_id", "timestamp": clock.now().isoformat(),
                  "rows": int(len(df)), "unparsed": bad_id, "elapsed_s": round(clock.work(0.015), 4)})
    df = df.dropna(subset=["nest_id"])

    keys = ["study_name", "island", "nest_id"]
    groups = df.groupby(keys, sort=True)
    steps.append({"step": "group_by_nest", "timestamp": clock.now().isoformat(),
                  "groups": int(groups.ngroups), "elapsed_s": round(clock.work(0.02), 4)})

    pairs, invalid = [], []
    counts = {"single_bird_nest": 0, "same_sex_pair": 0, "more_than_two_adults": 0, "mixed_species_nest": 0}
    for (study, island, nest), g in groups:
        reason = None
        if len(g) == 1:
            reason = "single_bird_nest"
        elif len(g) > 2:
            reason = "more_than_two_adults"
        elif g["species"].nunique() > 1:
            reason = "mixed_species_nest"
        elif set(g["sex"]) != {"male", "female"}:
            reason = "same_sex_pair"
        if reason:
            counts[reason] += 1
            invalid.append({
                "study_name": study, "island": island, "nest_id": nest,
                "individual_ids": ";".join(g["individual_id"]),
                "n_birds": int(len(g)), "sexes": ";".join(g["sex"]), "reason": reason,
            })
            continue
        m = g[g["sex"] == "male"].iloc[0]
        f = g[g["sex"] == "female"].iloc[0]
        pairs.append({
            "study_name": study, "island": island, "nest_id": nest, "species": m["species"],
            "year": int(m["year"]), "clutch_completion": m["clutch_completion"], "date_egg": m["date_egg"],
            "male_id": m["individual_id"], "female_id": f["individual_id"],
            "male_bill_length_mm": m["bill_length_mm"], "female_bill_length_mm": f["bill_length_mm"],
            "male_bill_depth_mm": m["bill_depth_mm"], "female_bill_depth_mm": f["bill_depth_mm"],
            "male_flipper_length_mm": m["flipper_length_mm"], "female_flipper_length_mm": f["flipper_length_mm"],
            "male_body_mass_g": m["body_mass_g"], "female_body_mass_g": f["body_mass_g"],
        })
    pairs_df = pd.DataFrame(pairs)
    invalid_df = pd.DataFrame(invalid, columns=["study_name", "island", "nest_id", "individual_ids",
                                                "n_birds", "sexes", "reason"])
    steps.append({"step": "pair_validation", "timestamp": clock.now().isoformat(),
                  "valid_pairs": int(len(pairs_df)), "invalid_nests": int(len(invalid_df)),
                  "elapsed_s": round(clock.work(0.06), 4)})
    if counts["same_sex_pair"]:
        warnings_.append(f"{counts['same_sex_pair']} nest(s) with two birds of the same sex; check sexing")
    if len(invalid_df) > 0.2 * groups.ngroups:
        warnings_.append(f"{len(invalid_df)} of {groups.ngroups} nests could not be paired (>20%)")

    out = etl_dir(am, "keypairs")
    invalid_df.to_csv(out / "invalid_sequences.csv", index=False)
    am.register_artifact(ArtifactType.TABLE, "keypairs", "invalid_sequences", out / "invalid_sequences.csv",
                         "Nests that could not be turned into a male/female pair",
                         {"rows": int(len(invalid_df))})
    am.save_dataframe(pairs_df, "keypairs", "nest_pairs", "One row per breeding pair (male + female)")

    meta = ExtractionMetadata(
        input_records=int(len(cleaned)),
        output_records=int(len(pairs_df)),
        features_extracted=[c for c in pairs_df.columns
                            if c.startswith(("male_", "female_")) and not c.endswith("_id")],
        extraction_errors=[{"stage": "parse_individual_id", "count": bad_id}]
        + [{"stage": k, "count": v} for k, v in counts.items()],
        computation_time=clock.perf_counter() - t0,
        memory_usage_mb=mem_mb(pairs_df),
    )
    write_json(out / "extraction_stats.json", asdict(meta))
    am.register_artifact(ArtifactType.ETL_METADATA, "keypairs", "extraction_stats",
                         out / "extraction_stats.json", "Pair extraction statistics",
                         {"records_in": meta.input_records, "records_out": meta.output_records})

    steps.append({"step": "write", "timestamp": clock.now().isoformat(),
                  "path": "tables/keypairs_nest_pairs.parquet", "elapsed_s": round(clock.work(0.01), 4)})
    plog = {"stage": "keypairs", "started_at": started.isoformat(), "finished_at": clock.now().isoformat(),
            "group_keys": keys, "steps": steps, "warnings": warnings_}
    write_json(out / "processing_log.json", plog)
    am.register_artifact(ArtifactType.LOG, "keypairs", "processing_log", out / "processing_log.json",
                         "Step-by-step log of pair extraction")

    fig, ax = plt.subplots(figsize=(5, 3))
    status = pd.Series({"paired": len(pairs_df), **counts})
    status.plot.bar(ax=ax, color=["#55a868"] + ["#c44e52"] * len(counts))
    ax.set_ylabel("nests")
    ax.set_title("Nest pairing outcome")
    ax.tick_params(axis="x", labelrotation=30)
    am.save_plot(fig, "keypairs", "pair_status", "Valid pairs and reasons for unpaired nests", dpi=PLOT_DPI)
    plt.close(fig)

    log.info("keypairs: %d pairs, %d invalid nests", len(pairs_df), len(invalid_df))
    return pairs_df


# ---------------------------------------------------------------------------
# scripts/pipeline/04_extract_features.py
# ---------------------------------------------------------------------------
FEATURE_DEFS = {
    "morphometric": {
        "entity": "individual", "source": "tables/cleaned_data_penguins.parquet",
        "key": ["study_name", "species", "sample_number"], "group_by": ["species", "sex"],
        "features": {
            "bill_ratio": ("1", "bill length / bill depth"),
            "bill_area_mm2": ("mm^2", "bill length x bill depth"),
            "mass_per_flipper_g_mm": ("g/mm", "body mass / flipper length"),
            "mass_z_in_species": ("sd", "body mass standardised within species and sex"),
        },
    },
    "isotope": {
        "entity": "individual", "source": "tables/cleaned_data_penguins.parquet",
        "key": ["study_name", "species", "sample_number"], "group_by": ["species", "island"],
        "features": {
            "delta_15n": ("per mil", "nitrogen isotope ratio (trophic level)"),
            "delta_13c": ("per mil", "carbon isotope ratio (foraging habitat)"),
            "trophic_offset": ("per mil", "delta_15n minus species mean"),
        },
    },
    "dimorphism": {
        "entity": "pair", "source": "tables/keypairs_nest_pairs.parquet",
        "key": ["study_name", "island", "nest_id"], "group_by": ["species", "island", "year", "clutch_completion"],
        "features": {
            "bill_length_ratio": ("1", "male / female bill length"),
            "bill_depth_ratio": ("1", "male / female bill depth"),
            "flipper_diff_mm": ("mm", "male minus female flipper length"),
            "mass_ratio": ("1", "male / female body mass"),
        },
    },
}

FEATURE_RANGES = {
    "bill_ratio": (1.5, 4.0), "mass_ratio": (0.7, 1.52), "bill_length_ratio": (0.8, 1.35),
    "delta_15n": (7.0, 10.5), "delta_13c": (-28.0, -23.0),
}


def _compute(ftype: str, cleaned: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    if ftype == "morphometric":
        d = cleaned[["study_name", "sample_number", "species", "island", "sex"]].copy()
        d["bill_ratio"] = cleaned["bill_length_mm"] / cleaned["bill_depth_mm"]
        d["bill_area_mm2"] = cleaned["bill_length_mm"] * cleaned["bill_depth_mm"]
        d["mass_per_flipper_g_mm"] = cleaned["body_mass_g"] / cleaned["flipper_length_mm"]
        grp = cleaned.groupby(["species", "sex"])["body_mass_g"]
        d["mass_z_in_species"] = (cleaned["body_mass_g"] - grp.transform("mean")) / grp.transform("std")
        return d
    if ftype == "isotope":
        d = cleaned[["study_name", "sample_number", "species", "island", "delta_15n", "delta_13c"]].copy()
        d["trophic_offset"] = d["delta_15n"] - d.groupby("species")["delta_15n"].transform("mean")
        return d
    d = pairs[["study_name", "island", "nest_id", "species", "year", "clutch_completion"]].copy()
    d["bill_length_ratio"] = pairs["male_bill_length_mm"] / pairs["female_bill_length_mm"]
    d["bill_depth_ratio"] = pairs["male_bill_depth_mm"] / pairs["female_bill_depth_mm"]
    d["flipper_diff_mm"] = pairs["male_flipper_length_mm"] - pairs["female_flipper_length_mm"]
    d["mass_ratio"] = pairs["male_body_mass_g"] / pairs["female_body_mass_g"]
    return d


def extract_features(cfg: RunConfig, am: ArtifactManager, cleaned: pd.DataFrame, pairs: pd.DataFrame) -> Dict:
    clock = am.clock
    registry = {"registry_version": 3, "updated_at": None, "feature_types": {}}
    results = {}
    for ftype, spec in FEATURE_DEFS.items():
        t0 = clock.perf_counter()
        src = pairs if spec["entity"] == "pair" else cleaned
        feats = list(spec["features"])
        d = _compute(ftype, cleaned, pairs)
        clock.work(0.04 + 0.0004 * len(d))

        errors = []
        if ftype == "isotope":
            errors.append({"stage": "missing_isotope", "count": int(d[["delta_15n", "delta_13c"]].isna().any(axis=1).sum())})
        non_finite = int((~np.isfinite(d[feats].to_numpy(dtype=float)) & d[feats].notna().to_numpy()).sum())
        errors.append({"stage": "non_finite", "count": non_finite})
        errors.append({"stage": "compute", "count": 0})
        if ftype == "dimorphism":
            errors.insert(0, {"stage": "load_pairs", "count": 0})

        out = etl_dir(am, "features", ftype)
        am.save_dataframe(d, "features", ftype, f"{ftype} features, one row per {spec['entity']}")

        meta = ExtractionMetadata(
            input_records=int(len(src)),
            output_records=int(len(d)),
            features_extracted=feats,
            extraction_errors=errors,
            computation_time=clock.perf_counter() - t0,
            memory_usage_mb=mem_mb(d),
        )
        write_json(out / "extraction_stats.json", asdict(meta))
        am.register_artifact(ArtifactType.ETL_METADATA, "features", f"{ftype}_extraction_stats",
                             out / "extraction_stats.json", f"Extraction statistics for {ftype} features",
                             {"feature_type": ftype, "records_in": meta.input_records,
                              "records_out": meta.output_records})

        summary = {
            "feature_type": ftype,
            "rows": int(len(d)),
            "features": {
                f: {"mean": d[f].mean(), "std": d[f].std(), "min": d[f].min(), "max": d[f].max(),
                    "nulls": int(d[f].isna().sum())}
                for f in feats
            },
            "group_by": spec["group_by"],
            "groups": [],
        }
        for key, g in d.groupby(spec["group_by"], sort=True):
            entry = {k: (int(v) if isinstance(v, (np.integer,)) else v) for k, v in zip(spec["group_by"], key)}
            entry["n"] = int(len(g))
            for f in feats:
                entry[f"{f}_mean"] = g[f].mean()
                entry[f"{f}_std"] = g[f].std()  # NaN for a one-row group
            summary["groups"].append(entry)
        write_json(out / "feature_summary.json", summary)
        am.register_artifact(ArtifactType.ETL_METADATA, "features", f"{ftype}_feature_summary",
                             out / "feature_summary.json", f"Per-feature statistics for {ftype}",
                             {"feature_type": ftype})

        checks = [{"check": "row_count", "expected": int(len(src)), "actual": int(len(d)),
                   "passed": len(src) == len(d)}]
        for f in feats:
            nulls = int(d[f].isna().sum())
            rate = nulls / len(d) if len(d) else 0.0
            checks.append({"check": "null_rate", "column": f, "threshold": 0.02, "value": rate,
                           "passed": rate <= 0.02, "severity": "warning"})
            if f in FEATURE_RANGES:
                lo, hi = FEATURE_RANGES[f]
                fails = int(((d[f] < lo) | (d[f] > hi)).sum())
                checks.append({"check": "range", "column": f, "min": lo, "max": hi, "failures": fails,
                               "passed": fails == 0, "severity": "error"})
        n_err = sum(1 for c in checks if not c["passed"] and c.get("severity", "error") == "error")
        n_warn = sum(1 for c in checks if not c["passed"] and c.get("severity") == "warning")
        report = {
            "feature_type": ftype,
            "validated_at": clock.now().isoformat(),
            "status": "failed" if n_err else ("warning" if n_warn else "passed"),
            "checks": checks,
            "summary": {"total": len(checks), "passed": sum(c["passed"] for c in checks),
                        "warnings": n_warn, "errors": n_err},
        }
        write_json(out / "validation_report.json", report)
        am.register_artifact(ArtifactType.ETL_METADATA, "features", f"{ftype}_validation_report",
                             out / "validation_report.json", f"Validation of {ftype} features",
                             {"status": report["status"]})

        fig, axes = plt.subplots(1, len(feats), figsize=(3 * len(feats), 2.6))
        for ax, f in zip(np.atleast_1d(axes), feats):
            ax.hist(d[f].dropna(), bins=20, color="#8172b3")
            ax.set_title(f, fontsize=8)
            ax.tick_params(labelsize=7)
        fig.suptitle(f"{ftype} features", fontsize=9)
        am.save_plot(fig, "features", f"{ftype}_hist", f"Histograms of {ftype} features", dpi=PLOT_DPI)
        plt.close(fig)

        registry["feature_types"][ftype] = {
            "entity": spec["entity"],
            "source": spec["source"],
            "table": f"tables/features_{ftype}.parquet",
            "key": spec["key"],
            "features": [{"name": f, "dtype": str(d[f].dtype), "unit": unit, "description": desc}
                         for f, (unit, desc) in spec["features"].items()],
        }
        results[ftype] = meta
        log.info("features/%s: %d rows, status %s", ftype, len(d), report["status"])

    registry["updated_at"] = clock.now().isoformat()
    path = write_json(am.base_dir / "etl_metadata" / "features" / "feature_registry.json", registry)
    am.register_artifact(ArtifactType.ETL_METADATA, "features", "feature_registry", path,
                         "Registry of all extracted features",
                         {"feature_types": list(registry["feature_types"]),
                          "n_features": sum(len(v["features"]) for v in registry["feature_types"].values())})
    return results


# ---------------------------------------------------------------------------
# EDA reports (ydata-profiling, sweetviz)
# ---------------------------------------------------------------------------
def run_eda(cfg: RunConfig, am: ArtifactManager, cleaned: pd.DataFrame) -> None:
    import sweetviz
    from ydata_profiling import ProfileReport
    import ydata_profiling

    clock = am.clock
    eda_df = cleaned.drop(columns=["region", "stage", "comments"]).reset_index(drop=True)

    out = am.base_dir / "eda_reports" / "profile"
    out.mkdir(parents=True, exist_ok=True)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        profile = ProfileReport(eda_df, minimal=True, title=f"Penguins (cleaned) - {cfg.version_id}",
                                progress_bar=False)
        profile.to_file(out / "report.html")
    clock.work(5.2)
    am.register_artifact(ArtifactType.EDA_REPORT, "eda", "profile", out / "report.html",
                         "ydata-profiling report of the cleaned data (minimal mode)",
                         {"tool": "ydata-profiling", "tool_version": ydata_profiling.__version__,
                          "minimal": True, "rows": int(len(eda_df)), "columns": int(eda_df.shape[1])})

    out = am.base_dir / "eda_reports" / "sweetviz"
    out.mkdir(parents=True, exist_ok=True)
    # sweetviz changes matplotlib's global rcParams (fonts, colours); keep that out of our own plots
    with plt.rc_context(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        report = sweetviz.analyze([eda_df, "cleaned"], target_feat=None, pairwise_analysis="off")
        report.show_html(str(out / "report.html"), open_browser=False, layout="vertical")
    clock.work(4.6)
    am.register_artifact(ArtifactType.EDA_REPORT, "eda", "sweetviz", out / "report.html",
                         "Sweetviz report of the cleaned data",
                         {"tool": "sweetviz", "tool_version": sweetviz.__version__,
                          "rows": int(len(eda_df)), "pairwise_analysis": "off"})


# ---------------------------------------------------------------------------
# utils/report_generator.py
# ---------------------------------------------------------------------------
PIPELINE_SUMMARY_TEMPLATE = """<!DOCTYPE html>
<html>
<head>
    <title>Pipeline Summary - {{ version_id }}</title>
    <style>
        /* Modern, professional styling */
        body { font-family: -apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, sans-serif; }
        .metric-card {
            background: #f8f9fa;
            padding: 20px;
            border-radius: 8px;
            margin: 10px;
        }
        .metric-value { font-size: 2em; font-weight: bold; color: #007bff; }
        .stage-section { margin: 30px 0; }
        .artifact-link { color: #007bff; text-decoration: none; }
    </style>
</head>
<body>
    <div class="container">
        <h1>Pipeline Execution Summary</h1>
        <p>Version: {{ version_id }}</p>
        <p>Generated: {{ now() }}</p>

        <div class="metrics-grid">
            <div class="metric-card">
                <h3>Total Records Processed</h3>
                <div class="metric-value">{{ stats.total_records }}</div>
            </div>
            <div class="metric-card">
                <h3>Data Quality Score</h3>
                <div class="metric-value">{{ stats.quality_score }}%</div>
            </div>
            <div class="metric-card">
                <h3>Processing Time</h3>
                <div class="metric-value">{{ stats.total_time }}min</div>
            </div>
        </div>

        {% for stage in stats.stages %}
        <div class="stage-section">
            <h2>{{ stage.name }}</h2>
            <table>
                <tr><td>Records In:</td><td>{{ stage.records_in }}</td></tr>
                <tr><td>Records Out:</td><td>{{ stage.records_out }}</td></tr>
                <tr><td>Issues:</td><td>{{ stage.issues }}</td></tr>
                <tr><td>Time:</td><td>{{ stage.time }}s</td></tr>
            </table>

            <h4>Artifacts</h4>
            <ul>
            {% for artifact in stage.artifacts %}
                <li>
                    <a href="{{ artifact.file_path }}" class="artifact-link">
                        {{ artifact.name }}
                    </a> - {{ artifact.description }}
                </li>
            {% endfor %}
            </ul>
        </div>
        {% endfor %}
    </div>
</body>
</html>
"""


class UnifiedReportGenerator:
    """Generate unified reports from all artifacts"""

    def __init__(self, artifact_manager: ArtifactManager):
        from jinja2 import DictLoader, Environment

        self.artifact_manager = artifact_manager
        self.template_env = Environment(loader=DictLoader({"pipeline_summary.html": PIPELINE_SUMMARY_TEMPLATE}))
        clock = artifact_manager.clock
        self.template_env.globals["now"] = (lambda: clock.now()) if clock else datetime.now

    def _read(self, a: Artifact) -> Any:
        with open(a.file_path) as f:
            return json.load(f)

    def _aggregate_pipeline_stats(self, etl_artifacts: List[Artifact]) -> Dict[str, Any]:
        by_key = {(a.stage, a.name): a for a in etl_artifacts}
        am = self.artifact_manager
        dl = self._read(by_key[("download", "manifest")])
        dl_log = self._read(next(a for a in am.get_artifacts_by_stage("download") if a.name == "download_log"))
        dl_time = sum(e.get("elapsed_s", 0) for e in dl_log)
        cs = self._read(by_key[("cleaned_data", "cleaning_summary")])
        cstats = self._read(by_key[("cleaning", "cleaning_stats")])
        kp = self._read(by_key[("keypairs", "extraction_stats")])
        feats = [self._read(a) for (s, n), a in by_key.items() if s == "features" and n.endswith("_extraction_stats")]

        stages = [
            {"name": "download", "records_in": dl["total_records"], "records_out": dl["total_records"],
             "issues": sum(f["attempts"] - 1 for f in dl["files"]), "time": round(dl_time, 2),
             "artifacts": am.get_artifacts_by_stage("download")},
            {"name": "cleaning", "records_in": cs["total_records"], "records_out": cs["valid_records"],
             "issues": cs["issues_found"], "time": round(cstats["processing_time"], 2),
             "artifacts": am.get_artifacts_by_stage("cleaned_data") + am.get_artifacts_by_stage("cleaning")},
            {"name": "keypairs", "records_in": kp["input_records"], "records_out": kp["output_records"],
             "issues": sum(e["count"] for e in kp["extraction_errors"]), "time": round(kp["computation_time"], 2),
             "artifacts": am.get_artifacts_by_stage("keypairs")},
            {"name": "features", "records_in": sum(f["input_records"] for f in feats),
             "records_out": sum(f["output_records"] for f in feats),
             "issues": sum(e["count"] for f in feats for e in f["extraction_errors"]),
             "time": round(sum(f["computation_time"] for f in feats), 2),
             "artifacts": am.get_artifacts_by_stage("features")},
        ]
        return {
            "total_records": cs["total_records"],
            "quality_score": round(cs["data_quality_score"], 1),
            "total_time": round(am.clock.perf_counter() / 60, 2) if am.clock else None,
            "stages": stages,
        }

    def _create_pipeline_visualizations(self, pipeline_stats: Dict[str, Any]) -> Dict[str, Any]:
        return {"records": [(s["name"], s["records_out"]) for s in pipeline_stats["stages"]]}

    def generate_pipeline_summary(self) -> Path:
        """Generate comprehensive pipeline summary"""
        etl_artifacts = self.artifact_manager.get_artifacts_by_type(ArtifactType.ETL_METADATA)
        pipeline_stats = self._aggregate_pipeline_stats(etl_artifacts)
        figures = self._create_pipeline_visualizations(pipeline_stats)

        template = self.template_env.get_template("pipeline_summary.html")
        html_content = template.render(
            version_id=self.artifact_manager.version_id,
            stats=pipeline_stats,
            figures=figures,
            artifacts=etl_artifacts,
        )

        output_path = self.artifact_manager.base_dir / "unified_reports" / "pipeline_summary.html"
        output_path.parent.mkdir(parents=True, exist_ok=True)
        output_path.write_text(html_content)
        self._stats = pipeline_stats
        return output_path

    def generate_data_quality_dashboard(self) -> Path:
        """Interactive data quality dashboard"""
        from plotly.subplots import make_subplots
        import plotly.graph_objects as go

        stats = getattr(self, "_stats", None) or self._aggregate_pipeline_stats(
            self.artifact_manager.get_artifacts_by_type(ArtifactType.ETL_METADATA))
        names = [s["name"] for s in stats["stages"]]

        fig = make_subplots(
            rows=2, cols=2,
            subplot_titles=("Records Processed", "Data Quality Score",
                            "Issues by Stage", "Processing Time"),
            specs=[[{"type": "bar"}, {"type": "indicator"}],
                   [{"type": "bar"}, {"type": "scatter"}]],
        )
        fig.add_trace(go.Bar(x=names, y=[s["records_in"] for s in stats["stages"]], name="records in"), row=1, col=1)
        fig.add_trace(go.Bar(x=names, y=[s["records_out"] for s in stats["stages"]], name="records out"), row=1, col=1)
        fig.add_trace(go.Indicator(mode="gauge+number", value=stats["quality_score"],
                                   number={"suffix": "%"}, gauge={"axis": {"range": [0, 100]}}), row=1, col=2)
        fig.add_trace(go.Bar(x=names, y=[s["issues"] for s in stats["stages"]], name="issues",
                             marker_color="#c44e52"), row=2, col=1)
        fig.add_trace(go.Scatter(x=names, y=[s["time"] for s in stats["stages"]], mode="lines+markers",
                                 name="seconds"), row=2, col=2)
        fig.update_layout(title=f"Data quality - {self.artifact_manager.version_id}", height=700, barmode="group")

        output_path = self.artifact_manager.base_dir / "unified_reports" / "data_quality_dashboard.html"
        output_path.parent.mkdir(parents=True, exist_ok=True)
        fig.write_html(output_path, include_plotlyjs="cdn", div_id="data-quality-dashboard")
        return output_path

    def generate_full_report(self, include_eda: bool = True) -> Path:
        """Generate comprehensive PDF report (ReportLab)"""
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.lib.units import cm
        from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

        am = self.artifact_manager
        stats = getattr(self, "_stats", None) or self._aggregate_pipeline_stats(
            am.get_artifacts_by_type(ArtifactType.ETL_METADATA))
        output_path = am.base_dir / "unified_reports" / "full_report.pdf"
        output_path.parent.mkdir(parents=True, exist_ok=True)

        styles = getSampleStyleSheet()
        doc = SimpleDocTemplate(str(output_path), pagesize=A4, title=f"Pipeline report {am.version_id}",
                                author="penguin-pipeline", invariant=1)
        story = [
            Paragraph("Palmer Penguins Pipeline Report", styles["Title"]),
            Paragraph(f"Version: {am.version_id}", styles["Normal"]),
            Paragraph(f"Records downloaded: {stats['total_records']} &nbsp; "
                      f"Data quality score: {stats['quality_score']}% &nbsp; "
                      f"Total time: {stats['total_time']} min", styles["Normal"]),
            Spacer(1, 0.5 * cm),
        ]
        rows = [["Stage", "Records in", "Records out", "Issues", "Time (s)"]]
        rows += [[s["name"], s["records_in"], s["records_out"], s["issues"], s["time"]] for s in stats["stages"]]
        table = Table(rows, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ]))
        story += [table, Spacer(1, 0.5 * cm)]
        plot = am.base_dir / "plots" / "cleaning_outliers_scatter.png"
        if plot.exists():
            story += [Paragraph("Outliers removed during cleaning", styles["Heading3"]),
                      Image(str(plot), width=10 * cm, height=8 * cm)]
        if include_eda:
            for a in am.get_artifacts_by_type(ArtifactType.EDA_REPORT):
                story.append(Paragraph(f"EDA report: {a.name} ({a.metadata.get('tool')}) - "
                                       f"{Path(a.file_path).relative_to(am.base_dir)}", styles["Normal"]))
        # reportlab stamps the PDF with the build time; take it from the run's clock
        # (SOURCE_DATE_EPOCH, naive time read as UTC) so reruns give the same bytes.
        when = am.clock.now() if am.clock else datetime.now()
        old_epoch = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(int((when - datetime(1970, 1, 1)).total_seconds()))
        try:
            doc.build(story)
        finally:
            if old_epoch is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = old_epoch
        return output_path


# ---------------------------------------------------------------------------
# scripts/pipeline/run_pipeline.py
# ---------------------------------------------------------------------------
def version_id_for(n: int, host: str = HOST) -> str:
    day = datetime(2026, 11, 20, 14, 30, 0) + timedelta(days=n)
    return f"{day.strftime('%Y-%m-%d_%H-%M-%S')}_{host}"


def run_pipeline(out: Path, cfg: RunConfig, generate_reports: bool = True) -> Dict[str, Any]:
    start = datetime.strptime(cfg.version_id[:19], "%Y-%m-%d_%H-%M-%S")
    clock = SimClock(start, cfg.seed)
    rng = np.random.default_rng(cfg.seed)

    vdir = out / cfg.version_id
    if vdir.exists():
        shutil.rmtree(vdir)  # a rerun replaces the version, it does not merge into it
    am = ArtifactManager(cfg.version_id, out, clock=clock)

    raw = download_data(cfg, am, rng)
    cleaned = clean_data(cfg, am, raw)
    pairs = extract_keypairs(cfg, am, cleaned)
    extract_features(cfg, am, cleaned, pairs)
    run_eda(cfg, am, cleaned)

    reports = {}
    if generate_reports:
        gen = UnifiedReportGenerator(am)
        reports["pipeline_summary"] = gen.generate_pipeline_summary()
        reports["data_quality"] = gen.generate_data_quality_dashboard()
        reports["full_report"] = gen.generate_full_report(include_eda=True)
    log.info("%s: %d artifacts, reports: %s", cfg.version_id, len(am.artifacts),
             ", ".join(str(p.relative_to(out)) for p in reports.values()))
    return {"am": am, "raw_records": len(raw), "sample_size": len(raw)}


def truncate_file(path: Path, fraction: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("artifacts"), help="artifacts root (default ./artifacts)")
    ap.add_argument("--runs", type=int, default=4, help="number of clean runs (default 4)")
    ap.add_argument("--seed", type=int, default=7, help="base random seed (default 7)")
    ap.add_argument("--warts", action="store_true",
                    help="also make three broken runs: records fell ~56%%, truncated manifest, "
                         "unparseable cleaning_stats.json")
    ap.add_argument("--host", default=HOST, help="host part of the version ids")
    args = ap.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stderr)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    frac_rng = np.random.default_rng(args.seed)
    n = 0
    last_clean = None
    prev_sample = None
    for i in range(args.runs):
        n += 1
        frac = round(float(frac_rng.uniform(0.86, 0.97)), 3)
        cfg = RunConfig(version_id_for(n, args.host), seed=args.seed * 100 + n, sample_frac=frac)
        res = run_pipeline(out, cfg)
        last_clean = cfg.version_id
        prev_sample = res["sample_size"]

    if args.warts:
        # (a) records fell ~56% vs the previous run: upstream only delivered part of the season files
        n += 1
        src_n = round(prev_sample * 0.43)
        cfg = RunConfig(version_id_for(n, args.host), seed=args.seed * 100 + n, sample_n=src_n)
        run_pipeline(out, cfg)
        log.info("wart: %s has ~56%% fewer records", cfg.version_id)

        # (b) the manifest was cut off mid-write (process killed while rewriting it)
        n += 1
        cfg = RunConfig(version_id_for(n, args.host), seed=args.seed * 100 + n,
                        sample_frac=round(float(frac_rng.uniform(0.86, 0.97)), 3))
        res = run_pipeline(out, cfg)
        truncate_file(res["am"].manifest_file, 0.60)
        log.info("wart: %s has a truncated artifact_manifest.json", cfg.version_id)

        # (c) one ETL JSON does not parse (cleaning_stats.json cut short)
        n += 1
        cfg = RunConfig(version_id_for(n, args.host), seed=args.seed * 100 + n,
                        sample_frac=round(float(frac_rng.uniform(0.86, 0.97)), 3))
        res = run_pipeline(out, cfg)
        truncate_file(res["am"].base_dir / "etl_metadata" / "cleaning" / "cleaning_stats.json", 0.45)
        log.info("wart: %s has an unparseable etl_metadata/cleaning/cleaning_stats.json", cfg.version_id)

    if last_clean:
        link = out / "current"
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(last_clean, link)
        log.info("current -> %s", last_clean)
    return 0


if __name__ == "__main__":
    sys.exit(main())

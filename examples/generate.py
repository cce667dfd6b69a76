#!/usr/bin/env python3
"""Regenerate ``examples/artifacts/``: the output of a keystroke-dynamics pipeline.

    python3 examples/generate.py            # rewrites examples/artifacts/
    python3 examples/generate.py --out DIR  # writes DIR/ instead (DIR is replaced)

The tree imitates what the pipeline's Python ``ArtifactManager`` leaves behind
after five runs, plus a ``current`` symlink, including the mess that real runs
leave (see ``examples/README.md`` for the list of deliberate warts).

Deterministic: a fixed seed per version, no wall-clock time, no dict-order
surprises.  Needs Python 3.11 and ``pyarrow`` (for the two Parquet tables);
PNG charts and the PDF are written by hand with ``zlib`` and ``struct``.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import math
import os
import random
import shutil
import statistics
import struct
import sys
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pyarrow as pa
import pyarrow.parquet as pq

SEED = 20240301
HERE = Path(__file__).resolve().parent

USERS = ["s002", "s003", "s004", "s005", "s007", "s008", "s010", "s011"]
# Keys of the CMU-style password ".tie5Roanl" plus Return, as the raw data names them.
KEYS = ["period", "t", "i", "e", "five", "Shift.r", "o", "a", "n", "l", "Return"]
DIGRAPHS = ["t-i", "i-e", "e-5", "5-R", "R-o", "o-a", "a-n", "n-l", "l-RET", ".-t"]
RAW_COLUMNS = ["user_id", "session_id", "key", "press_ts", "release_ts", "hold_ms"]


# ===========================================================================
# PNG charts: an indexed-colour canvas, a 5x7 bitmap font, two chart kinds.
# ===========================================================================

PALETTE = [
    (255, 255, 255),  # 0 background
    (40, 44, 52),     # 1 text
    (140, 140, 140),  # 2 axis
    (232, 234, 238),  # 3 grid
    (59, 110, 165),   # 4 blue
    (197, 90, 90),    # 5 red
    (76, 154, 106),   # 6 green
    (221, 140, 60),   # 7 orange
]
WHITE, INK, AXIS, GRID, BLUE, RED, GREEN, ORANGE = range(8)

# Each glyph: seven rows of five pixels, top to bottom.
_GLYPHS = {
    "0": "01110 10001 10011 10101 11001 10001 01110",
    "1": "00100 01100 00100 00100 00100 00100 01110",
    "2": "01110 10001 00001 00010 00100 01000 11111",
    "3": "11111 00010 00100 00010 00001 10001 01110",
    "4": "00010 00110 01010 10010 11111 00010 00010",
    "5": "11111 10000 11110 00001 00001 10001 01110",
    "6": "00110 01000 10000 11110 10001 10001 01110",
    "7": "11111 00001 00010 00100 01000 01000 01000",
    "8": "01110 10001 10001 01110 10001 10001 01110",
    "9": "01110 10001 10001 01111 00001 00010 01100",
    "A": "01110 10001 10001 11111 10001 10001 10001",
    "B": "11110 10001 10001 11110 10001 10001 11110",
    "C": "01110 10001 10000 10000 10000 10001 01110",
    "D": "11100 10010 10001 10001 10001 10010 11100",
    "E": "11111 10000 10000 11110 10000 10000 11111",
    "F": "11111 10000 10000 11110 10000 10000 10000",
    "G": "01110 10001 10000 10111 10001 10001 01111",
    "H": "10001 10001 10001 11111 10001 10001 10001",
    "I": "01110 00100 00100 00100 00100 00100 01110",
    "J": "00111 00010 00010 00010 00010 10010 01100",
    "K": "10001 10010 10100 11000 10100 10010 10001",
    "L": "10000 10000 10000 10000 10000 10000 11111",
    "M": "10001 11011 10101 10101 10001 10001 10001",
    "N": "10001 10001 11001 10101 10011 10001 10001",
    "O": "01110 10001 10001 10001 10001 10001 01110",
    "P": "11110 10001 10001 11110 10000 10000 10000",
    "Q": "01110 10001 10001 10001 10101 10010 01101",
    "R": "11110 10001 10001 11110 10100 10010 10001",
    "S": "01111 10000 10000 01110 00001 00001 11110",
    "T": "11111 00100 00100 00100 00100 00100 00100",
    "U": "10001 10001 10001 10001 10001 10001 01110",
    "V": "10001 10001 10001 10001 10001 01010 00100",
    "W": "10001 10001 10001 10101 10101 10101 01010",
    "X": "10001 10001 01010 00100 01010 10001 10001",
    "Y": "10001 10001 10001 01010 00100 00100 00100",
    "Z": "11111 00001 00010 00100 01000 10000 11111",
    " ": "00000 00000 00000 00000 00000 00000 00000",
    ".": "00000 00000 00000 00000 00000 01100 01100",
    ",": "00000 00000 00000 00000 01100 00100 01000",
    "-": "00000 00000 00000 11111 00000 00000 00000",
    "(": "00010 00100 01000 01000 01000 00100 00010",
    ")": "01000 00100 00010 00010 00010 00100 01000",
    "%": "11000 11001 00010 00100 01000 10011 00011",
    "/": "00000 00001 00010 00100 01000 10000 00000",
    ":": "00000 01100 01100 00000 01100 01100 00000",
    "_": "00000 00000 00000 00000 00000 00000 11111",
}
FONT = {ch: [int(row, 2) for row in rows.split()] for ch, rows in _GLYPHS.items()}


class Canvas:
    """A small paletted raster image that can draw rectangles, lines and text."""

    def __init__(self, w: int, h: int):
        self.w, self.h = w, h
        self.px = bytearray(w * h)  # palette index per pixel, 0 = background

    def rect(self, x0: int, y0: int, x1: int, y1: int, c: int) -> None:
        """Fill the inclusive rectangle [x0, x1] x [y0, y1], clipped to the canvas."""
        x0, x1 = max(0, min(x0, x1)), min(self.w - 1, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.h - 1, max(y0, y1))
        for y in range(y0, y1 + 1):
            self.px[y * self.w + x0: y * self.w + x1 + 1] = bytes([c]) * (x1 - x0 + 1)

    def hline(self, x0: int, x1: int, y: int, c: int) -> None:
        self.rect(x0, y, x1, y, c)

    def vline(self, x: int, y0: int, y1: int, c: int) -> None:
        self.rect(x, y0, x, y1, c)

    @staticmethod
    def text_width(s: str, scale: int = 1) -> int:
        return max(0, len(s) * 6 - 1) * scale

    def text(self, x: int, y: int, s: str, c: int = INK, scale: int = 1) -> None:
        for i, ch in enumerate(s.upper()):
            rows = FONT.get(ch, FONT[" "])
            for ry, bits in enumerate(rows):
                for rx in range(5):
                    if bits & (1 << (4 - rx)):
                        px, py = x + (i * 6 + rx) * scale, y + ry * scale
                        self.rect(px, py, px + scale - 1, py + scale - 1, c)

    def text_centered(self, cx: float, y: int, s: str, c: int = INK, scale: int = 1) -> None:
        self.text(round(cx - self.text_width(s, scale) / 2), y, s, c, scale)

    def png(self) -> bytes:
        def chunk(tag: bytes, data: bytes) -> bytes:
            return (struct.pack(">I", len(data)) + tag + data
                    + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

        raw = b"".join(b"\x00" + bytes(self.px[y * self.w:(y + 1) * self.w]) for y in range(self.h))
        ihdr = struct.pack(">IIBBBBB", self.w, self.h, 8, 3, 0, 0, 0)  # 8-bit indexed colour
        plte = b"".join(bytes(rgb) for rgb in PALETTE)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"PLTE", plte)
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def nice_step(span: float, ticks: int = 4) -> float:
    """A 1/2/2.5/5 x 10^k step that splits `span` into about `ticks` parts."""
    raw = span / ticks if span > 0 else 1.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return m * mag
    return 10 * mag


def fmt_tick(v: float) -> str:
    if abs(v) >= 10000:
        return f"{v / 1000:g}K"
    return f"{v:g}"


def histogram_png(values: list[float], lo: float, hi: float, bins: int, title: str,
                  xlabel: str, color: int = BLUE, w: int = 320, h: int = 200) -> bytes:
    counts = [0] * bins
    for v in values:
        if lo <= v < hi:
            counts[int((v - lo) / (hi - lo) * bins)] += 1
    c = Canvas(w, h)
    left, right, top, bottom = 40, 12, 22, 34
    pw, ph = w - left - right, h - top - bottom
    ystep = nice_step(max(counts) or 1)
    ymax = ystep * math.ceil((max(counts) or 1) / ystep)
    base = h - bottom
    for i in range(int(round(ymax / ystep)) + 1):
        y = base - round(ph * i * ystep / ymax)
        c.hline(left, w - right, y, GRID)
        label = fmt_tick(i * ystep)
        c.text(left - 5 - c.text_width(label), y - 3, label, AXIS)
    for i, n in enumerate(counts):
        x0 = left + round(pw * i / bins) + 1
        x1 = left + round(pw * (i + 1) / bins) - 1
        bh = round(ph * n / ymax)
        if bh:
            c.rect(x0, base - bh, x1, base - 1, color)
    c.hline(left, w - right, base, AXIS)
    c.vline(left, top, base, AXIS)
    xstep = nice_step(hi - lo, 5)
    v = math.ceil(lo / xstep) * xstep
    while v <= hi + 1e-9:
        x = left + round(pw * (v - lo) / (hi - lo))
        c.vline(x, base, base + 3, AXIS)
        c.text_centered(x, base + 6, fmt_tick(v), AXIS)
        v += xstep
    c.text_centered(left + pw / 2, h - 12, xlabel)
    c.text_centered(w / 2, 7, title)
    c.text(2, 7, "N", AXIS)
    return c.png()


def bar_png(labels: list[str], values: list[float], title: str, color: int = BLUE,
            horizontal: bool = True, w: int = 320, h: int = 200) -> bytes:
    c = Canvas(w, h)
    vmax_raw = max(values) if values and max(values) > 0 else 1
    step = nice_step(vmax_raw)
    vmax = step * math.ceil(vmax_raw / step)
    c.text_centered(w / 2, 7, title)
    if horizontal:
        left = 12 + max(c.text_width(s) for s in labels)
        right, top, bottom = 16, 24, 22
        pw, ph = w - left - right, h - top - bottom
        for i in range(int(round(vmax / step)) + 1):
            x = left + round(pw * i * step / vmax)
            c.vline(x, top, h - bottom, GRID)
            c.text_centered(x, h - bottom + 6, fmt_tick(i * step), AXIS)
        slot = ph / len(labels)
        for i, (lab, v) in enumerate(zip(labels, values)):
            y0 = top + round(slot * i + slot * 0.18)
            y1 = top + round(slot * (i + 1) - slot * 0.18)
            bw = round(pw * v / vmax)
            if bw:
                c.rect(left + 1, y0, left + bw, y1, color)
            c.text(left - 6 - c.text_width(lab), (y0 + y1) // 2 - 3, lab)
        c.vline(left, top, h - bottom, AXIS)
    else:
        left, right, top, bottom = 40, 12, 22, 24
        pw, ph = w - left - right, h - top - bottom
        base = h - bottom
        for i in range(int(round(vmax / step)) + 1):
            y = base - round(ph * i * step / vmax)
            c.hline(left, w - right, y, GRID)
            label = fmt_tick(i * step)
            c.text(left - 5 - c.text_width(label), y - 3, label, AXIS)
        slot = pw / len(labels)
        for i, (lab, v) in enumerate(zip(labels, values)):
            x0 = left + round(slot * i + slot * 0.2)
            x1 = left + round(slot * (i + 1) - slot * 0.2)
            bh = round(ph * v / vmax)
            if bh:
                c.rect(x0, base - bh, x1, base - 1, color)
            c.text_centered((x0 + x1) / 2, base + 6, lab, AXIS)
        c.hline(left, w - right, base, AXIS)
    return c.png()


# ===========================================================================
# PDF: one A4 page, built-in Helvetica fonts, hand-computed xref table.
# ===========================================================================

def _pdf_str(s: str) -> str:
    return "(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def one_page_pdf(title: str, subtitle: str, rows: list[tuple[str, str]],
                 bars: list[tuple[str, float]], bar_title: str, created: datetime) -> bytes:
    ops = ["0.12 0.23 0.35 rg", "0 772 595 70 re f",
           "BT /F2 22 Tf 1 1 1 rg 48 800 Td " + _pdf_str(title) + " Tj ET",
           "BT /F1 11 Tf 1 1 1 rg 48 782 Td " + _pdf_str(subtitle) + " Tj ET"]
    y = 735
    for label, value in rows:
        ops.append(f"BT /F1 11 Tf 0.2 0.2 0.2 rg 48 {y} Td " + _pdf_str(label) + " Tj ET")
        ops.append(f"BT /F2 11 Tf 0.2 0.2 0.2 rg 300 {y} Td " + _pdf_str(value) + " Tj ET")
        ops.append(f"0.85 0.85 0.85 RG 0.5 w 48 {y - 6} m 547 {y - 6} l S")
        y -= 22
    y -= 20
    ops.append(f"BT /F2 13 Tf 0 0 0 rg 48 {y} Td " + _pdf_str(bar_title) + " Tj ET")
    y -= 28
    vmax = max(v for _, v in bars) or 1
    for label, v in bars:
        bw = 330 * v / vmax
        ops.append(f"BT /F1 10 Tf 0.2 0.2 0.2 rg 48 {y + 3} Td " + _pdf_str(label) + " Tj ET")
        ops.append(f"0.23 0.43 0.65 rg 170 {y} {bw:.1f} 14 re f")
        ops.append(f"BT /F1 9 Tf 0.2 0.2 0.2 rg {176 + bw:.1f} {y + 3} Td " + _pdf_str(f"{v:,.0f}") + " Tj ET")
        y -= 22
    ops.append("BT /F1 8 Tf 0.5 0.5 0.5 rg 48 40 Td "
               + _pdf_str("Generated by the keystroke pipeline's report stage. Source: artifact_manifest.json")
               + " Tj ET")
    content = ("\n".join(ops) + "\n").encode("latin-1")
    stamp = created.strftime("D:%Y%m%d%H%M%S")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 6 0 R "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"endstream",
        ("<< /Title " + _pdf_str(title) + " /Producer (keystroke-pipeline report_generator) "
         f"/CreationDate ({stamp}) >>").encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 7 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


# ===========================================================================
# Small text helpers
# ===========================================================================

def dump_json(obj: Any) -> str:
    """What the pipeline's `json.dump(obj, f, indent=2)` writes (NaN/Infinity included)."""
    return json.dumps(obj, indent=2) + "\n"


def csv_text(header: list[str], rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        if v is None:
            return ""
        s = str(v)
        return '"' + s.replace('"', '""') + '"' if any(ch in s for ch in ',"\n') else s
    return "\n".join(",".join(cell(v) for v in r) for r in [header] + rows) + "\n"


def mean_std(xs: list[float]) -> tuple[float, float]:
    return statistics.fmean(xs), statistics.stdev(xs)


CSS = """
:root{--ink:#23272e;--muted:#6b7280;--line:#e2e5ea;--accent:#1f5fa0;--bg:#f7f8fa}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{background:#1f3b5a;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px;font-weight:600}
header p{margin:4px 0 0;opacity:.8}
main{max-width:960px;margin:0 auto;padding:8px 28px 28px}
h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 14px;min-width:140px}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:22px;font-weight:600;color:var(--accent)}
.card.bad .v{color:#b23b3b}
table{border-collapse:collapse;background:#fff;margin:8px 0;font-variant-numeric:tabular-nums}
th,td{border:1px solid var(--line);padding:4px 10px;text-align:right}
th{background:#eef1f5;font-weight:600}
th:first-child,td:first-child{text-align:left}
figure{margin:14px 0;background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px;display:inline-block}
figcaption{color:var(--muted);font-size:12px;margin-top:6px}
.grid{display:flex;flex-wrap:wrap;gap:16px}
a{color:var(--accent)}
.pass{color:#2f7d4f;font-weight:600}.fail{color:#b23b3b;font-weight:600}
footer{color:var(--muted);font-size:12px;max-width:960px;margin:0 auto;padding:0 28px 24px}
""".strip()


def html_page(title: str, subtitle: str, body: str, footer: str) -> str:
    e = html.escape
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{e(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n"
            f"<header><h1>{e(title)}</h1><p>{e(subtitle)}</p></header>\n<main>\n{body}\n</main>\n"
            f"<footer>{e(footer)}</footer>\n</body>\n</html>\n")


def html_table(header: list[str], rows: list[list[Any]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(str(h))}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def cards(items: list[tuple[str, str]], bad: set[str] = frozenset()) -> str:
    e = html.escape
    return "<div class=\"cards\">\n" + "\n".join(
        f"<div class=\"card{' bad' if k in bad else ''}\"><div class=\"k\">{e(k)}</div>"
        f"<div class=\"v\">{e(v)}</div></div>" for k, v in items) + "\n</div>"


# ===========================================================================
# One pipeline run
# ===========================================================================

@dataclass
class Spec:
    vid: str
    start: datetime
    shape: str | None            # wrapped_map | bare_map | wrapped_list | bare_list | None (no manifest)
    features: list[str]
    zone: str = "naive"          # naive | utc | mixed: how created_at is written
    warts: set[str] = field(default_factory=set)
    full: bool = True            # False: download + cleaning stages only


class Run:
    """Simulates one pipeline run: numbers first, then files and manifest records."""

    def __init__(self, spec: Spec, root: Path):
        self.s = spec
        self.rnd = random.Random(f"{SEED}:{spec.vid}")
        self.dir = root / spec.vid
        self.clock = spec.start
        self.records: list[dict[str, Any]] = []
        self.log_lines: list[str] = []
        self.stage_times: dict[str, float] = {}

    # ---- plumbing -------------------------------------------------------
    def tick(self, lo: float, hi: float) -> datetime:
        self.clock += timedelta(seconds=self.rnd.uniform(lo, hi))
        return self.clock

    def write(self, rel: str, data: str | bytes) -> None:
        path = self.dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def stamp(self, t: datetime) -> str:
        zone = self.s.zone
        if zone == "mixed":
            zone = "utc" if len(self.records) % 3 == 1 else "naive"
        return t.replace(tzinfo=timezone.utc).isoformat() if zone == "utc" else t.isoformat()

    def log(self, level: str, logger: str, msg: str) -> None:
        t = self.tick(0.05, 1.5)
        self.log_lines.append(f"{t.strftime('%Y-%m-%d %H:%M:%S')},{t.microsecond // 1000:03d} "
                              f"{level:<7} {logger}: {msg}")

    def register(self, atype: str, stage: str, name: str, rel: str, desc: str,
                 meta: dict[str, Any] | None = None) -> dict[str, Any]:
        t = self.tick(0.2, 2.5)
        rec = {
            "artifact_id": f"{stage}_{name}_{t.strftime('%Y%m%d_%H%M%S')}",
            "artifact_type": atype,
            "stage": stage,
            "name": name,
            "description": desc,
            "file_path": f"artifacts/{self.s.vid}/{rel}",
            "created_at": self.stamp(t),
            "metadata": meta or {},
        }
        self.records.append(rec)
        return rec

    def emit(self, atype: str, stage: str, name: str, rel: str, data: str | bytes, desc: str,
             meta: dict[str, Any] | None = None) -> dict[str, Any]:
        self.write(rel, data)
        return self.register(atype, stage, name, rel, desc, meta)

    def emit_table(self, stage: str, name: str, table: pa.Table, desc: str) -> None:
        rel = f"tables/{stage}_{name}.parquet"
        path = self.dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path, compression="snappy")
        self.register("table", stage, name, rel, desc, table_meta(table))

    # ---- the run --------------------------------------------------------
    def simulate(self) -> None:
        r = self.rnd
        self.n_raw = r.randint(48_000, 52_000)
        self.quality_target = r.uniform(91.0, 97.0)
        self.n_valid = round(self.n_raw * self.quality_target / 100)
        self.outliers = r.randint(20, 40)
        self.duplicates = r.randint(300, 900)
        self.invalid = self.n_raw - self.n_valid
        self.n_sessions = r.randint(120, 170)
        self.n_invalid_seq = r.randint(12, 22)
        self.n_pairs = self.n_valid - self.n_sessions - self.n_invalid_seq
        self.missing = {"user_id": 0, "session_id": r.randint(0, 6), "key": r.randint(40, 160),
                        "press_ts": r.randint(5, 40), "release_ts": r.randint(60, 260),
                        "hold_ms": 0}
        self.missing["hold_ms"] = self.missing["release_ts"] + r.randint(0, 12)
        # per-user timing behaviour (ms)
        self.users = {}
        weights = [r.uniform(0.7, 1.3) for _ in USERS]
        for u, wgt in zip(USERS, weights):
            self.users[u] = {
                "share": wgt / sum(weights),
                "hold_mu": r.uniform(75, 125), "hold_sd": r.uniform(18, 34),
                "flight_mu": r.uniform(110, 240), "flight_sd": r.uniform(55, 110),
            }
        self.hold_samples = {u: [max(20.5, r.gauss(p["hold_mu"], p["hold_sd"]))
                                 for _ in range(450)] for u, p in self.users.items()}
        self.flight_samples = {u: [r.gauss(p["flight_mu"], p["flight_sd"]) for _ in range(450)]
                               for u, p in self.users.items()}

    def split(self, total: int) -> dict[str, int]:
        """Split `total` across users by their share, exactly."""
        parts = {u: int(total * p["share"]) for u, p in self.users.items()}
        parts[USERS[0]] += total - sum(parts.values())
        return parts

    def run(self) -> None:
        self.simulate()
        self.log("INFO", "pipeline", f"run {self.s.vid} starting (mode=full, seed={SEED})")
        self.stage_download()
        self.stage_cleaning()
        if self.s.full:
            self.stage_keypairs()
            self.stage_features()
            self.stage_eda()
            self.stage_reports()
        self.apply_warts()
        self.write_manifest()

    # ---- download -------------------------------------------------------
    def stage_download(self) -> None:
        r, s = self.rnd, self.s
        self.log("INFO", "pipeline.download", "fetching s3://keystroke-lab-raw/cmu-style/v3/ (4 parts)")
        parts = [self.n_raw // 4] * 4
        parts[-1] += self.n_raw - sum(parts)
        files, attempts, elapsed_total = [], [], 0.0
        for i, n in enumerate(parts):
            name = f"keystrokes-part-{i:02d}.parquet"
            digest = hashlib.sha256(f"{s.vid}/{name}/{n}".encode()).hexdigest()
            files.append({"name": name, "records": n, "sha256": digest})
            tries = 2 if r.random() < 0.3 else 1
            for a in range(1, tries + 1):
                ok = a == tries
                el = round(r.uniform(1.8, 9.5) if ok else r.uniform(20, 30), 3)
                elapsed_total += el
                attempts.append({"file": name, "attempt": a, "status": "ok" if ok else "timeout",
                                 "elapsed_s": el})
                self.clock += timedelta(seconds=el)
                if ok:
                    self.log("INFO", "pipeline.download", f"{name}: {n} records, sha256 {digest[:12]}… ({el} s)")
                else:
                    self.log("WARNING", "pipeline.download", f"{name}: attempt {a} timed out after {el} s, retrying")
        self.log("INFO", "pipeline.download", f"downloaded {self.n_raw} records in {elapsed_total:.1f} s")
        self.stage_times["download"] = elapsed_total
        self.emit("etl_metadata", "download", "manifest", "etl_metadata/download/manifest.json",
                  dump_json({"source": "s3://keystroke-lab-raw/cmu-style/v3/", "total_records": self.n_raw,
                             "files": files, "downloaded_at": self.clock.isoformat()}),
                  "What was downloaded", {"records_out": self.n_raw, "files": len(files)})
        self.emit("log", "download", "download_log", "etl_metadata/download/download_log.json",
                  dump_json({"attempts": attempts, "total_elapsed_s": round(elapsed_total, 3)}),
                  "Download attempts and timings")

    # ---- cleaning -------------------------------------------------------
    def stage_cleaning(self) -> None:
        r = self.rnd
        proc = round(r.uniform(18, 36), 3)
        self.log("INFO", "pipeline.clean", f"cleaning {self.n_raw} records")
        kinds = [
            ("hold_ms", "error", lambda: f"value {r.uniform(2100, 9800):.1f} out of range [20, 2000] ms"),
            ("hold_ms", "warning", lambda: "missing value imputed with session median"),
            ("key", "error", lambda: f"unknown key code 'KEY_0x{r.randint(0x10, 0x7F):02X}'"),
            ("press_ts", "warning", lambda: f"non-monotonic timestamp within session (delta -{r.randint(1, 40)} ms)"),
            ("release_ts", "error", lambda: "release_ts earlier than press_ts"),
            ("session_id", "warning", lambda: "session_id missing; inferred from user and 30 min gap"),
        ]
        errors = []
        for _ in range(r.randint(10, 25)):
            col, sev, msg = r.choice(kinds)
            errors.append({"row": r.randint(0, self.n_raw - 1), "column": col, "error": msg(), "severity": sev})
        errors.sort(key=lambda e: e["row"])
        self.validation_errors = errors
        n_err = sum(1 for e in errors if e["severity"] == "error")
        imputed = ", ".join(f"{k}={v}" for k, v in self.missing.items() if v)
        steps = [("INFO", f"step drop_duplicates: removed {self.duplicates} duplicate keystrokes"),
                 ("INFO", f"step remove_outliers: removed {self.outliers} rows (hold_ms > 2000)"),
                 ("INFO", f"step impute_missing: {imputed}"),
                 ("INFO", "step validate_schema: 6 columns, dtypes ok"),
                 ("WARNING", f"step validate_ranges: {len(errors)} issues ({n_err} errors), "
                             f"{self.invalid - self.outliers - self.duplicates} rows dropped")]
        for level, msg in steps:
            self.clock += timedelta(seconds=proc / len(steps))
            self.log(level, "pipeline.clean", msg)
        self.stage_times["cleaning"] = proc
        self.log("INFO", "pipeline.clean", f"{self.n_valid} of {self.n_raw} records valid "
                                           f"({self.n_valid / self.n_raw * 100:.2f}%) in {proc} s")
        io = {"records_in": self.n_raw, "records_out": self.n_valid}
        self.emit("etl_metadata", "cleaned_data", "cleaning_summary",
                  "etl_metadata/cleaned_data/cleaning_summary.json",
                  dump_json({"total_records": self.n_raw, "valid_records": self.n_valid,
                             "data_quality_score": self.n_valid / self.n_raw * 100,
                             "issues_found": len(errors), "outliers_removed": self.outliers}),
                  "Summary of data cleaning process", io)
        self.emit("etl_metadata", "cleaning", "cleaning_report", "etl_metadata/cleaning/cleaning_report.json",
                  dump_json({"steps": ["drop_duplicates", "remove_outliers", "impute_missing",
                                       "validate_schema", "validate_ranges"],
                             "records_in": self.n_raw, "records_out": self.n_valid,
                             "rules": {"drop_duplicates": "identical (user_id, session_id, key, press_ts)",
                                       "remove_outliers": "hold_ms > 2000 or flight_ms > 5000",
                                       "impute_missing": "hold_ms: session median; key: drop row",
                                       "validate_schema": "columns user_id, session_id, key, press_ts, release_ts",
                                       "validate_ranges": "20 <= hold_ms <= 2000; release_ts >= press_ts"}}),
                  "Cleaning steps and rules applied", io)
        self.emit("etl_metadata", "cleaning", "cleaning_stats", "etl_metadata/cleaning/cleaning_stats.json",
                  dump_json({"total_records": self.n_raw, "valid_records": self.n_valid,
                             "invalid_records": self.invalid, "outliers_removed": self.outliers,
                             "duplicates_removed": self.duplicates,
                             "missing_data_handled": self.missing, "processing_time": proc}),
                  "Counts and timings of the cleaning stage", io)
        self.emit("etl_metadata", "cleaning", "validation_errors", "etl_metadata/cleaning/validation_errors.json",
                  dump_json(errors), "Validation errors encountered", {"count": len(errors)})
        rows = []
        for _ in range(self.outliers):
            u = r.choice(USERS)
            rows.append([u, f"{u}-{r.randint(1, 8):02d}", r.choice(KEYS), round(r.uniform(2005, 9400), 2)])
        self.emit("etl_metadata", "cleaning", "outliers_removed", "etl_metadata/cleaning/outliers_removed.csv",
                  csv_text(["user_id", "session_id", "key", "hold_ms"], rows),
                  "Details of outliers removed during cleaning", {"rows": len(rows)})

    # ---- key pairs ------------------------------------------------------
    def stage_keypairs(self) -> None:
        r = self.rnd
        comp = round(r.uniform(24, 46), 3)
        mem = round(r.uniform(310, 620), 1)
        events = []

        def ev(level: str, msg: str) -> None:
            self.log(level, "pipeline.keypairs", msg)
            events.append({"time": self.clock.isoformat(timespec="milliseconds"), "level": level, "msg": msg})

        ev("INFO", f"pairing {self.n_valid} keystrokes in {self.n_sessions} sessions")
        errs = []
        for _ in range(r.randint(1, 4)):
            rec = r.randint(0, self.n_valid - 1)
            e = r.choice(["press_ts not increasing within session", "missing release for key 'Shift.r'",
                          "session has a single keystroke"])
            errs.append({"record": rec, "error": e})
        errs.sort(key=lambda e: e["record"])
        for e in errs:
            ev("WARNING", f"record {e['record']}: {e['error']}")
        ev("INFO", f"rejected {self.n_invalid_seq} invalid sequences")
        if r.random() < 0.5:
            ev("ERROR", "worker 3 exited with MemoryError; chunk retried on worker 1")
        self.clock += timedelta(seconds=comp)
        ev("INFO", f"wrote {self.n_pairs} key pairs in {comp} s (peak {mem} MB)")
        self.stage_times["keypairs"] = comp
        self.emit("etl_metadata", "keypairs", "extraction_stats", "etl_metadata/keypairs/extraction_stats.json",
                  dump_json({"input_records": self.n_valid, "output_records": self.n_pairs,
                             "features_extracted": ["hold1_ms", "hold2_ms", "press_press_ms",
                                                    "release_press_ms", "release_release_ms"],
                             "extraction_errors": errs, "computation_time": comp, "memory_usage_mb": mem}),
                  "Key-pair extraction statistics", {"records_in": self.n_valid, "records_out": self.n_pairs})
        rows = []
        for _ in range(self.n_invalid_seq):
            u = r.choice(USERS)
            k1, k2 = r.sample(KEYS, 2)
            reason, pp = r.choice([("gap_too_long", round(r.uniform(5000, 60000), 1)),
                                   ("negative_interval", round(-r.uniform(1, 80), 1)),
                                   ("missing_release", None)])
            rows.append([u, f"{u}-{r.randint(1, 8):02d}", k1, k2, pp, reason])
        self.emit("etl_metadata", "keypairs", "invalid_sequences", "etl_metadata/keypairs/invalid_sequences.csv",
                  csv_text(["user_id", "session_id", "key1", "key2", "press_press_ms", "reason"], rows),
                  "Key sequences rejected during pairing", {"rows": len(rows)})
        self.emit("log", "keypairs", "processing_log", "etl_metadata/keypairs/processing_log.json",
                  dump_json({"events": events}), "Processing log of the key-pair stage")

    # ---- features -------------------------------------------------------
    def stage_features(self) -> None:
        r = self.rnd
        registry = {}
        total = 0.0
        for ft in self.s.features:
            comp = round(r.uniform(3, 14), 3)
            mem = round(r.uniform(80, 260), 1)
            if ft == "hold_time":
                n_in = self.n_valid
                n_out = n_in - self.missing["hold_ms"] // 3
                feats = ["hold_ms", "hold_ms_zscore", "hold_ms_user_median"]
                samples = self.hold_samples
            elif ft == "flight_time":
                n_in = self.n_pairs
                n_out = n_in - r.randint(0, 30)
                feats = ["flight_ud_ms", "flight_dd_ms", "flight_uu_ms"]
                samples = self.flight_samples
            else:  # digraph
                n_in = self.n_pairs
                n_out = r.randint(3400, 4200)
                feats = ["digraph", "dd_mean_ms", "dd_std_ms", "ud_mean_ms", "count"]
                samples = {u: [x + r.gauss(40, 10) for x in self.flight_samples[u]] for u in USERS}
            self.log("INFO", f"pipeline.features.{ft}", f"extracting {ft} from {n_in} records")
            self.clock += timedelta(seconds=comp)
            total += comp
            self.log("INFO", f"pipeline.features.{ft}", f"{n_out} {ft} records in {comp} s (peak {mem} MB)")
            counts = self.split(n_out)
            by_user = {}
            for u in USERS:
                m, sd = mean_std(samples[u])
                by_user[u] = {"count": counts[u], "mean": round(m, 3), "std": round(sd, 3)}
            errs = []
            if ft == "flight_time":
                errs = [{"record": r.randint(0, n_in - 1), "error": "overlapping keys: negative flight kept"}]
            stage = f"features/{ft}"
            base = f"etl_metadata/features/{ft}"
            self.emit("etl_metadata", stage, "extraction_stats", f"{base}/extraction_stats.json",
                      dump_json({"input_records": n_in, "output_records": n_out, "features_extracted": feats,
                                 "extraction_errors": errs, "computation_time": comp, "memory_usage_mb": mem}),
                      f"Extraction statistics for {ft} features",
                      {"records_in": n_in, "records_out": n_out, "feature_type": ft})
            self.emit("etl_metadata", stage, "feature_summary", f"{base}/feature_summary.json",
                      dump_json({"feature_type": ft, "by_user": by_user}),
                      f"Per-user summary of {ft} features", {"feature_type": ft, "users": len(USERS)})
            pooled = [x for u in USERS for x in samples[u]]
            if ft == "digraph":  # n_out counts aggregates, not rows: report the nulls seen while grouping
                null_frac = round(r.uniform(0.0, 0.004), 5)
            else:
                null_frac = round((n_in - n_out) / n_in, 5) if n_in > n_out else 0.0
            checks = [{"check": "null_fraction", "value": null_frac, "threshold": 0.01,
                       "comparison": "<=", "passed": null_frac <= 0.01},
                      {"check": "min_samples_per_user", "value": min(counts.values()), "threshold": 200,
                       "comparison": ">=", "passed": min(counts.values()) >= 200}]
            if ft == "flight_time":
                neg = round(sum(1 for x in pooled if x < 0) / len(pooled), 4)
                thr = 0.03 if "strict_flight_check" in self.s.warts else 0.08
                checks.append({"check": "negative_fraction", "value": neg, "threshold": thr,
                               "comparison": "<=", "passed": neg <= thr})
            else:
                hi = round(max(pooled), 1)
                checks.append({"check": "max_value_ms", "value": hi, "threshold": 2000,
                               "comparison": "<=", "passed": hi <= 2000})
            drift = round(r.uniform(0.01, 0.09), 4)
            checks.append({"check": "ks_drift_vs_baseline", "value": drift, "threshold": 0.1,
                           "comparison": "<=", "passed": drift <= 0.1})
            self.emit("etl_metadata", stage, "validation_report", f"{base}/validation_report.json",
                      dump_json({"feature_type": ft, "checks": checks}),
                      f"Validation checks on {ft} features",
                      {"feature_type": ft, "checks": len(checks),
                       "failed": sum(1 for c in checks if not c["passed"])})
            failed = [c["check"] for c in checks if not c["passed"]]
            self.log("WARNING" if failed else "INFO", f"pipeline.features.{ft}",
                     f"validation: {len(checks)} checks, {len(failed)} failed" + (f" ({', '.join(failed)})" if failed else ""))
            registry[ft] = {"path": base, "records": n_out, "features": feats}
        self.stage_times["features"] = total
        self.emit("summary", "features", "feature_registry", "etl_metadata/features/feature_registry.json",
                  dump_json(registry), "Registry of extracted feature types",
                  {"feature_types": len(registry)})
        # per (user, key) hold-time table
        rows = {"user_id": [], "key": [], "count": [], "mean_hold_ms": [], "std_hold_ms": [],
                "p50_hold_ms": [], "p95_hold_ms": []}
        for u in USERS:
            p = self.users[u]
            for k in KEYS:
                f = 1.25 if k in ("Shift.r", "Return") else r.uniform(0.88, 1.1)
                mu, sd = p["hold_mu"] * f, p["hold_sd"] * r.uniform(0.8, 1.2)
                rows["user_id"].append(u)
                rows["key"].append(k)
                rows["count"].append(r.randint(300, 720))
                rows["mean_hold_ms"].append(round(mu, 3))
                rows["std_hold_ms"].append(round(sd, 3))
                rows["p50_hold_ms"].append(round(mu - sd * 0.12, 3))
                rows["p95_hold_ms"].append(round(mu + sd * 1.64, 3))
        table = pa.table({
            "user_id": pa.array(rows["user_id"], pa.string()),
            "key": pa.array(rows["key"], pa.string()),
            "count": pa.array(rows["count"], pa.int64()),
            "mean_hold_ms": pa.array(rows["mean_hold_ms"], pa.float64()),
            "std_hold_ms": pa.array(rows["std_hold_ms"], pa.float64()),
            "p50_hold_ms": pa.array(rows["p50_hold_ms"], pa.float64()),
            "p95_hold_ms": pa.array(rows["p95_hold_ms"], pa.float64()),
        })
        self.emit_table("features", "hold_time", table, "Hold-time statistics per user and key")
        self.log("INFO", "pipeline.features", f"wrote feature_registry.json ({len(registry)} feature types)"
                                              f" and tables/features_hold_time.parquet ({table.num_rows} rows)")

    # ---- EDA ------------------------------------------------------------
    def stage_eda(self) -> None:
        r = self.rnd
        t0 = self.clock
        self.log("INFO", "pipeline.eda", "building EDA reports")
        # sessions table (cleaned data)
        per_user = self.split(self.n_valid)
        sess_users = [USERS[i % len(USERS)] for i in range(self.n_sessions)]
        sess_rows: dict[str, list[Any]] = {k: [] for k in
                                           ["user_id", "session_id", "device", "started_at", "n_keystrokes",
                                            "duration_s", "mean_hold_ms", "mean_flight_ms", "is_complete"]}
        per_sess = {u: sess_users.count(u) for u in USERS}
        left = dict(per_user)
        seen: dict[str, int] = {}
        start = self.s.start - timedelta(days=21)
        for i, u in enumerate(sess_users):
            seen[u] = seen.get(u, 0) + 1
            remaining = per_sess[u] - seen[u]
            n = left[u] if remaining == 0 else round(per_user[u] / per_sess[u] * r.uniform(0.85, 1.15))
            left[u] -= n
            p = self.users[u]
            sess_rows["user_id"].append(u)
            sess_rows["session_id"].append(int(u[1:]) * 100 + seen[u])
            sess_rows["device"].append(r.choice(["laptop-builtin", "usb-external", "usb-external"]))
            sess_rows["started_at"].append(start + timedelta(minutes=i * 197 + r.randint(0, 90),
                                                             seconds=r.randint(0, 59)))
            sess_rows["n_keystrokes"].append(n)
            sess_rows["duration_s"].append(round(n * r.uniform(0.28, 0.42), 2))
            sess_rows["mean_hold_ms"].append(round(r.gauss(p["hold_mu"], 4), 3))
            sess_rows["mean_flight_ms"].append(None if r.random() < 0.04 else round(r.gauss(p["flight_mu"], 9), 3))
            sess_rows["is_complete"].append(r.random() > 0.06)
        table = pa.table({
            "user_id": pa.array(sess_rows["user_id"], pa.string()),
            "session_id": pa.array(sess_rows["session_id"], pa.int64()),
            "device": pa.array(sess_rows["device"], pa.string()),
            "started_at": pa.array(sess_rows["started_at"], pa.timestamp("us")),
            "n_keystrokes": pa.array(sess_rows["n_keystrokes"], pa.int64()),
            "duration_s": pa.array(sess_rows["duration_s"], pa.float64()),
            "mean_hold_ms": pa.array(sess_rows["mean_hold_ms"], pa.float64()),
            "mean_flight_ms": pa.array(sess_rows["mean_flight_ms"], pa.float64()),
            "is_complete": pa.array(sess_rows["is_complete"], pa.bool_()),
        })
        self.emit_table("cleaned_data", "sessions", table, "One row per cleaned typing session")
        self.log("INFO", "pipeline.eda", f"tables/cleaned_data_sessions.parquet: {table.num_rows} sessions")
        # column summary csv
        hold_all = [x for u in USERS for x in self.hold_samples[u]]
        summ_rows = []
        for col in RAW_COLUMNS:
            miss = self.missing[col]
            dtype = {"user_id": "object", "key": "object"}.get(col, "float64" if col == "hold_ms" else "int64")
            if col == "hold_ms":
                m, sd = mean_std(hold_all)
                stats_ = [round(m, 3), round(sd, 3), round(min(hold_all), 3), round(max(hold_all), 3)]
            elif col == "session_id":
                ids = sess_rows["session_id"]
                stats_ = [round(statistics.fmean(ids), 3), round(statistics.stdev(ids), 3), min(ids), max(ids)]
            else:
                stats_ = [None, None, None, None]
            summ_rows.append([col, dtype, self.n_valid - miss, miss] + stats_)
        hdr = ["column", "dtype", "non_null", "missing", "mean", "std", "min", "max"]
        self.emit("table", "cleaned_data", "summary", "tables/cleaned_data_summary.csv", csv_text(hdr, summ_rows),
                  "Column summary of the cleaned keystroke table",
                  {"shape": [len(summ_rows), len(hdr)], "columns": hdr,
                   "dtypes": {"column": "object", "dtype": "object", "non_null": "int64", "missing": "int64",
                              "mean": "float64", "std": "float64", "min": "float64", "max": "float64"}})
        # standalone plots
        flight_all = [x for u in USERS for x in self.flight_samples[u]]
        self.emit("plot", "eda", "hold_time_hist", "plots/eda_hold_time_hist.png",
                  histogram_png(hold_all, 0, 240, 30, "HOLD TIME DISTRIBUTION", "HOLD TIME (MS)", BLUE),
                  "Histogram of key hold times", {"bins": 30, "range_ms": [0, 240], "samples": len(hold_all)})
        self.emit("plot", "eda", "flight_time_hist", "plots/eda_flight_time_hist.png",
                  histogram_png(flight_all, -100, 500, 30, "FLIGHT TIME DISTRIBUTION", "FLIGHT TIME (MS)", GREEN),
                  "Histogram of flight times (release to next press)",
                  {"bins": 30, "range_ms": [-100, 500], "samples": len(flight_all)})
        miss_cols = [c for c in RAW_COLUMNS if c != "user_id"]
        self.emit("plot", "cleaning", "missing_by_column", "plots/cleaning_missing_by_column.png",
                  bar_png(miss_cols, [self.missing[c] for c in miss_cols], "MISSING VALUES BY COLUMN", RED),
                  "Missing values handled per column", {"columns": miss_cols})
        self.log("INFO", "pipeline.eda", "wrote 3 plots to plots/")
        # EDA report: data quality
        rd = "eda_reports/data_quality"
        self.write(f"{rd}/figures/missing_by_column.png",
                   bar_png(miss_cols, [self.missing[c] for c in miss_cols], "MISSING VALUES BY COLUMN", RED))
        self.write(f"{rd}/figures/records_by_user.png",
                   bar_png(USERS, [per_user[u] for u in USERS], "CLEAN RECORDS BY USER", BLUE, horizontal=False))
        self.write(f"{rd}/tables/missing_by_column.csv",
                   csv_text(["column", "missing", "percent"],
                            [[c, self.missing[c], round(self.missing[c] / self.n_raw * 100, 4)] for c in RAW_COLUMNS]))
        by_col: dict[tuple[str, str], int] = {}
        for e in self.validation_errors:
            by_col[(e["column"], e["severity"])] = by_col.get((e["column"], e["severity"]), 0) + 1
        issue_rows = [[c, s, n] for (c, s), n in sorted(by_col.items())]
        self.write(f"{rd}/tables/validation_issues.csv", csv_text(["column", "severity", "count"], issue_rows))
        q = self.n_valid / self.n_raw * 100
        body = "\n".join([
            cards([("Raw records", f"{self.n_raw:,}"), ("Valid records", f"{self.n_valid:,}"),
                   ("Quality score", f"{q:.2f}%"), ("Issues found", str(len(self.validation_errors))),
                   ("Outliers removed", str(self.outliers)), ("Duplicates removed", str(self.duplicates))],
                  bad={"Quality score"} if q < 93 else set()),
            "<h2>Missing values</h2>",
            html_table(["Column", "Missing", "% of raw"],
                       [[c, self.missing[c], f"{self.missing[c] / self.n_raw * 100:.3f}"] for c in RAW_COLUMNS]),
            "<div class=\"grid\">",
            "<figure><img src=\"figures/missing_by_column.png\" width=\"320\" height=\"200\" "
            "alt=\"Bar chart of missing values per column\"><figcaption>Missing values handled per column "
            "(imputed or dropped).</figcaption></figure>",
            "<figure><img src=\"figures/records_by_user.png\" width=\"320\" height=\"200\" "
            "alt=\"Bar chart of clean records per user\"><figcaption>Clean keystrokes per user."
            "</figcaption></figure>",
            "</div>",
            "<h2>Validation issues</h2>",
            html_table(["Column", "Severity", "Count"], issue_rows),
            "<h2>Tables</h2>",
            "<ul><li><a href=\"tables/missing_by_column.csv\">missing_by_column.csv</a></li>"
            "<li><a href=\"tables/validation_issues.csv\">validation_issues.csv</a></li></ul>",
        ])
        self.tick(4, 9)
        self.emit("eda_report", "eda", "data_quality", f"{rd}/report.html",
                  html_page("Data quality", f"Keystroke pipeline · run {self.s.vid}", body,
                            f"Generated {self.clock.isoformat(timespec='seconds')} by eda/data_quality.py"),
                  "Data-quality EDA report",
                  {"figures": ["figures/missing_by_column.png", "figures/records_by_user.png"],
                   "tables": ["tables/missing_by_column.csv", "tables/validation_issues.csv"]})
        self.log("INFO", "pipeline.eda", "wrote eda_reports/data_quality/report.html (2 figures, 2 tables)")
        # EDA report: keystroke timing
        rd = "eda_reports/keystroke_timing"
        hold_means = [statistics.fmean(self.hold_samples[u]) for u in USERS]
        self.write(f"{rd}/figures/hold_time_by_user.png",
                   bar_png(USERS, hold_means, "MEAN HOLD TIME BY USER (MS)", BLUE, horizontal=False))
        dig = sorted(((d, r.uniform(95, 260)) for d in DIGRAPHS), key=lambda x: -x[1])
        self.write(f"{rd}/figures/digraph_latency_top10.png",
                   bar_png([d for d, _ in dig], [v for _, v in dig], "SLOWEST DIGRAPHS: MEAN DD LATENCY (MS)", ORANGE))
        timing_rows = []
        for u in USERS:
            hm, hs = mean_std(self.hold_samples[u])
            fm, fs = mean_std(self.flight_samples[u])
            timing_rows.append([u, per_user[u], round(hm, 2), round(hs, 2), round(fm, 2), round(fs, 2)])
        thdr = ["user_id", "keystrokes", "hold_mean_ms", "hold_std_ms", "flight_mean_ms", "flight_std_ms"]
        self.write(f"{rd}/tables/timing_by_user.csv", csv_text(thdr, timing_rows))
        self.write(f"{rd}/tables/digraph_latency.csv",
                   csv_text(["digraph", "dd_mean_ms"], [[d, round(v, 2)] for d, v in dig]))
        med_hold = statistics.median(hold_all)
        med_flight = statistics.median(flight_all)
        body = "\n".join([
            cards([("Keystrokes", f"{self.n_valid:,}"), ("Key pairs", f"{self.n_pairs:,}"),
                   ("Median hold", f"{med_hold:.1f} ms"), ("Median flight", f"{med_flight:.1f} ms"),
                   ("Users", str(len(USERS))), ("Sessions", str(self.n_sessions))]),
            "<h2>Timing by user</h2>",
            html_table(["User", "Keystrokes", "Hold mean (ms)", "Hold std (ms)", "Flight mean (ms)",
                        "Flight std (ms)"], [[row[0], f"{row[1]:,}"] + [f"{x:.2f}" for x in row[2:]]
                                             for row in timing_rows]),
            "<div class=\"grid\">",
            "<figure><img src=\"figures/hold_time_by_user.png\" width=\"320\" height=\"200\" "
            "alt=\"Mean hold time per user\"><figcaption>Mean hold time per user.</figcaption></figure>",
            "<figure><img src=\"figures/digraph_latency_top10.png\" width=\"320\" height=\"200\" "
            "alt=\"Mean down-down latency of the ten password digraphs\"><figcaption>Down-down latency of "
            "the password's digraphs, slowest first.</figcaption></figure>",
            "</div>",
            "<h2>Tables</h2>",
            "<ul><li><a href=\"tables/timing_by_user.csv\">timing_by_user.csv</a></li>"
            "<li><a href=\"tables/digraph_latency.csv\">digraph_latency.csv</a></li></ul>",
        ])
        self.tick(4, 9)
        self.emit("eda_report", "eda", "keystroke_timing", f"{rd}/report.html",
                  html_page("Keystroke timing", f"Keystroke pipeline · run {self.s.vid}", body,
                            f"Generated {self.clock.isoformat(timespec='seconds')} by eda/keystroke_timing.py"),
                  "Hold and flight time EDA report",
                  {"figures": ["figures/hold_time_by_user.png", "figures/digraph_latency_top10.png"],
                   "tables": ["tables/timing_by_user.csv", "tables/digraph_latency.csv"]})
        self.log("INFO", "pipeline.eda", "wrote eda_reports/keystroke_timing/report.html (2 figures, 2 tables)")
        self.stage_times["eda"] = (self.clock - t0).total_seconds()
        self.log("INFO", "pipeline.eda", f"EDA done in {self.stage_times['eda']:.1f} s")

    # ---- unified reports + pipeline log ---------------------------------
    def stage_reports(self) -> None:
        q = self.n_valid / self.n_raw * 100
        total = sum(self.stage_times.values())
        stages = [("download", None, self.n_raw, self.stage_times["download"]),
                  ("cleaning", self.n_raw, self.n_valid, self.stage_times["cleaning"]),
                  ("keypairs", self.n_valid, self.n_pairs, self.stage_times["keypairs"]),
                  ("features", self.n_pairs, None, self.stage_times["features"]),
                  ("eda", None, None, self.stage_times["eda"])]
        links = [(rec["name"], rec["description"], rec["file_path"].split(f"{self.s.vid}/", 1)[1])
                 for rec in self.records if rec["artifact_type"] in ("etl_metadata", "eda_report")]
        e = html.escape
        body = "\n".join([
            cards([("Records processed", f"{self.n_raw:,}"), ("Data quality score", f"{q:.1f}%"),
                   ("Processing time", f"{total / 60:.1f} min"), ("Feature types", str(len(self.s.features)))]),
            "<h2>Stages</h2>",
            html_table(["Stage", "Records in", "Records out", "Time (s)"],
                       [[n, "" if a is None else f"{a:,}", "" if b is None else f"{b:,}", f"{t:.1f}"]
                        for n, a, b, t in stages]),
            "<h2>Artifacts</h2>",
            "<ul>\n" + "\n".join(f"<li><a href=\"../{e(p)}\">{e(n)}</a> — {e(d)}</li>" for n, d, p in links)
            + "\n</ul>",
        ])
        self.tick(2, 5)
        self.emit("summary", "pipeline", "pipeline_summary", "unified_reports/pipeline_summary.html",
                  html_page("Pipeline execution summary", f"Version {self.s.vid}", body,
                            f"Generated {self.clock.isoformat(timespec='seconds')} by report_generator.py"),
                  "Pipeline summary (HTML)", {"total_time_s": round(total, 3)})
        pdf = one_page_pdf("Keystroke pipeline report", f"Version {self.s.vid}",
                           [("Records downloaded", f"{self.n_raw:,}"), ("Valid records", f"{self.n_valid:,}"),
                            ("Data quality score", f"{q:.2f} %"),
                            ("Issues found", str(len(self.validation_errors))),
                            ("Key pairs", f"{self.n_pairs:,}"), ("Feature types", ", ".join(self.s.features)),
                            ("Total processing time", f"{total:.1f} s")],
                           [("downloaded", self.n_raw), ("valid", self.n_valid), ("key pairs", self.n_pairs)],
                           "Records through the pipeline", self.clock)
        self.log("INFO", "pipeline.report", "wrote unified_reports/pipeline_summary.html")
        self.tick(1, 3)
        self.emit("summary", "pipeline", "full_report", "unified_reports/full_report.pdf", pdf,
                  "Full pipeline report (PDF)", {"pages": 1})
        self.log("INFO", "pipeline.report", "wrote unified_reports/full_report.pdf (1 page)")
        if self.s.shape is None:
            self.log("WARNING", "pipeline", "ARTIFACT_MANIFEST=0: artifact_manifest.json not written")
        else:
            self.log("INFO", "pipeline", f"artifact_manifest.json: {len(self.records) + 1} artifacts registered")
        self.log("INFO", "pipeline", f"run {self.s.vid} finished in {total:.1f} s")
        self.write("logs/pipeline.log", "\n".join(self.log_lines) + "\n")
        self.register("log", "pipeline", "pipeline_log", "logs/pipeline.log", "Text log of the whole run",
                      {"lines": len(self.log_lines)})

    # ---- warts ----------------------------------------------------------
    def find(self, stage: str, name: str) -> dict[str, Any]:
        return next(r for r in self.records if r["stage"] == stage and r["name"] == name)

    def rewrite_json(self, rel: str, fn: Callable[[Any], None]) -> None:
        path = self.dir / rel
        obj = json.loads(path.read_text())
        fn(obj)
        path.write_text(dump_json(obj))

    def apply_warts(self) -> None:
        w = self.s.warts
        vid = self.s.vid
        if "nan" in w:
            # Python's json writes float('nan') / float('inf') as bare NaN / Infinity.
            self.rewrite_json("etl_metadata/keypairs/extraction_stats.json",
                              lambda o: o.__setitem__("memory_usage_mb", float("nan")))
            self.rewrite_json("etl_metadata/features/flight_time/feature_summary.json",
                              lambda o: o["by_user"]["s008"].__setitem__("std", float("inf")))
        if "missing_file" in w:
            self.register("plot", "eda", "session_length_hist", "plots/eda_session_length_hist.png",
                          "Histogram of session lengths", {"bins": 20})
        if "unlisted_file" in w:
            r = self.rnd
            rows = [[u, int(u[1:]) * 100 + r.randint(1, 9), r.choice(KEYS), round(r.uniform(60, 160), 2)]
                    for u in r.sample(USERS, 6) for _ in range(2)]
            self.write("tables/cleaned_data_extra_sample.csv",
                       csv_text(["user_id", "session_id", "key", "hold_ms"], rows))
        if "foreign_abs_path" in w:
            self.find("eda", "hold_time_hist")["file_path"] = (
                f"/home/alice/work/keystroke/artifacts/{vid}/plots/eda_hold_time_hist.png")
        if "malformed_json" in w:
            path = self.dir / "etl_metadata/features/digraph/validation_report.json"
            text = path.read_text()
            cut = text.index('"threshold"', text.index('"max_value_ms"'))
            path.write_text(text[:cut + len('"threshold": ')])  # the writer died mid-object
        if "duplicate_id" in w:
            # A copy-pasted register call reused the hold-time plot's id for the flight-time plot.
            self.find("eda", "flight_time_hist")["artifact_id"] = self.find("eda", "hold_time_hist")["artifact_id"]
        if "unicode_name" in w:
            name = "hold time – Überblick"
            samples = [x for u in USERS for x in self.hold_samples[u]]
            self.emit("plot", "eda", name, f"plots/eda_{name}.png",
                      histogram_png(samples, 0, 240, 12, "HOLD TIME OVERVIEW", "HOLD TIME (MS)", BLUE),
                      "Überblick der Haltezeiten (coarse hold-time histogram)", {"bins": 12})
        if "empty_file" in w:
            self.emit("log", "pipeline", "empty", "logs/empty.log", b"",
                      "Log of the optional upload step (nothing to upload)")
        if "version_relative_path" in w:
            self.find("cleaning", "missing_by_column")["file_path"] = "plots/cleaning_missing_by_column.png"

    # ---- manifest -------------------------------------------------------
    def write_manifest(self) -> None:
        shape = self.s.shape
        if shape is None:
            return
        if shape == "wrapped_map":
            data: Any = {"version_id": self.s.vid, "artifacts": {r["artifact_id"]: r for r in self.records}}
        elif shape == "bare_map":
            data = {r["artifact_id"]: r for r in self.records}
        elif shape == "wrapped_list":
            data = {"artifacts": self.records}
        else:
            data = self.records
        self.write("artifact_manifest.json", dump_json(data))


def table_meta(table: pa.Table) -> dict[str, Any]:
    """`shape`, `columns`, `dtypes` as the ArtifactManager records them (pandas dtype names)."""
    names = {pa.string(): "object", pa.int64(): "int64", pa.float64(): "float64", pa.bool_(): "bool",
             pa.timestamp("us"): "datetime64[us]"}
    return {"shape": [table.num_rows, table.num_columns], "columns": table.column_names,
            "dtypes": {f.name: names[f.type] for f in table.schema}}


SPECS = [
    Spec("2024-03-01_09-00-00_ci-runner", datetime(2024, 3, 1, 9, 0, 0), "wrapped_map",
         ["hold_time", "flight_time", "digraph"], zone="naive"),
    Spec("2024-03-02_09-00-00_ci-runner", datetime(2024, 3, 2, 9, 0, 0), "bare_map",
         ["hold_time", "flight_time", "digraph"], zone="utc",
         warts={"nan", "missing_file", "unlisted_file", "foreign_abs_path", "strict_flight_check"}),
    Spec("2024-03-03_09-00-00_laptop-bob", datetime(2024, 3, 3, 9, 0, 0), None,
         ["hold_time", "flight_time"], zone="naive"),
    Spec("2024-03-04_09-00-00_ci-runner", datetime(2024, 3, 4, 9, 0, 0), "wrapped_list",
         ["hold_time", "flight_time", "digraph"], zone="mixed",
         warts={"malformed_json", "duplicate_id", "unicode_name", "empty_file", "version_relative_path"}),
    Spec("baseline", datetime(2024, 2, 28, 17, 42, 5), "bare_list", [], zone="naive", full=False),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "artifacts",
                    help="artifacts root to (re)create (default: examples/artifacts next to this script)")
    args = ap.parse_args(argv)
    out: Path = args.out
    if out.is_symlink() or out.is_file():
        out.unlink()
    elif out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for spec in SPECS:
        Run(spec, out).run()
    os.symlink("2024-03-04_09-00-00_ci-runner", out / "current")
    n_files = n_bytes = 0
    for dirpath, _dirs, names in os.walk(out):  # does not descend into the `current` symlink
        for name in names:
            path = Path(dirpath) / name
            if not path.is_symlink():
                n_files += 1
                n_bytes += path.stat().st_size
    print(f"wrote {out}: {len(SPECS)} versions + current -> {SPECS[3].vid}; {n_files} files, {n_bytes:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

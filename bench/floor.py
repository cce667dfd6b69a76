#!/usr/bin/env python3
"""The write floor of a site: its files' paths and sizes written again by a
plain loop, one thread, no rendering. Any generator that writes those files
pays at least this.

    python3 bench/floor.py list SITE LISTING   # every file's path and size
    python3 bench/floor.py write LISTING DEST  # the timed part

`write` makes a file of each listed size at each listed path under DEST.
"""
import json
import os
import sys


def listing(site):
    files = []
    for dirpath, _, names in os.walk(site):
        rel = os.path.relpath(dirpath, site)
        for n in names:
            path = os.path.join(dirpath, n)
            if os.path.isfile(path) and not os.path.islink(path):
                files.append((os.path.normpath(os.path.join(rel, n)), os.path.getsize(path)))
    return files


def write(files, dest):
    made = set()
    block = b"x" * max((size for _, size in files), default=0)
    for rel, size in files:
        path = os.path.join(dest, rel)
        parent = os.path.dirname(path)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(path, "wb") as f:
            f.write(block[:size])


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("list", "write"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "list":
        with open(sys.argv[3], "w") as f:
            json.dump(listing(sys.argv[2]), f)
    else:
        with open(sys.argv[2]) as f:
            write(json.load(f), sys.argv[3])


if __name__ == "__main__":
    main()

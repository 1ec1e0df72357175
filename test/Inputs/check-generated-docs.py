#!/usr/bin/env python3
# Compares the .md pages that the build generates (every add_mlir_doc of the
# project writes one under <build>/docs) with those committed under
# docs/generated/: the same set of pages with the same text. Prints one line per
# difference and exits 1 when there is any.
#   check-generated-docs.py BUILD_DOCS_DIR SOURCE_DOCS_GENERATED_DIR
import os
import sys


def pages(root):
    found = {}
    for folder, _, files in os.walk(root):
        if "CMakeFiles" in os.path.relpath(folder, root).split(os.sep):
            continue
        for name in files:
            if name.endswith(".md"):
                path = os.path.join(folder, name)
                found[os.path.relpath(path, root)] = path
    return found


if len(sys.argv) != 3:
    sys.exit("usage: check-generated-docs.py BUILD_DOCS_DIR SOURCE_DOCS_GENERATED_DIR")
built, committed = pages(sys.argv[1]), pages(sys.argv[2])
problems = []
if not built:
    problems.append(f"no generated page under {sys.argv[1]} (is mlir-doc built?)")
for page in sorted(built.keys() - committed.keys()):
    problems.append(f"docs/generated/{page} is missing")
for page in sorted(committed.keys() - built.keys()):
    problems.append(f"docs/generated/{page} is no longer generated")
for page in sorted(built.keys() & committed.keys()):
    with open(built[page], "rb") as a, open(committed[page], "rb") as b:
        if a.read() != b.read():
            problems.append(f"docs/generated/{page} is stale")
for p in problems:
    print(p)
if problems:
    print("run `cmake --build build --target softmoe-doc` and commit docs/generated/")
    sys.exit(1)
print(f"{len(built)} generated pages up to date")

#!/usr/bin/env python3
"""Run every fuzz target (proptest in crates/fupin-core/tests/fuzz_*.rs, Hypothesis in
tests/test_fuzz_*.py) with a large budget and print a summary.

    .venv/bin/python scripts/fuzz.py                     # 100,000 cases over all targets
    .venv/bin/python scripts/fuzz.py --budget 20000 --seed 7 --only metrics

Each target runs in its own process under a timeout, so a hang or a crash of one target is
counted and the others still run. The budget is split over the targets: ``--rust-share`` of it
(default 0.8) over the Rust targets, which are cheap, the rest over the Python ones. Cases are
counted as run (each test appends its name to a counts file per case; see tests/_fuzz.py and
crates/fupin-core/tests/fuzz_support). A target's result is:

* ``pass``, ``fail`` (the contract broke: see the log),
* ``hang`` (the process outlived ``--timeout``, or a call outlived its watchdog: FUZZ-HANG),
* ``crash`` (the process died of a signal or an unexpected exit code).

``panics`` counts Rust panics that reached Python (FUZZ-PANIC, PanicException) or, in Rust, that
were raised inside fupin-core's own code. Logs go to ``--out`` (default out/fuzz). Exit status 1 if
any target did not pass.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rust_targets(only: str | None) -> list[tuple[str, str]]:
    tests = sorted(p.stem for p in (ROOT / "crates/fupin-core/tests").glob("fuzz_*.rs"))
    subprocess.run(["cargo", "test", "-p", "fupin-core", "--no-run", "--quiet",
                    *sum((["--test", t] for t in tests), [])], cwd=ROOT, check=True)
    out = []
    for t in tests:
        listing = subprocess.run(["cargo", "test", "-p", "fupin-core", "--quiet", "--test", t,
                                  "--", "--list"], cwd=ROOT, check=True, capture_output=True,
                                 text=True).stdout
        for line in listing.splitlines():
            if line.endswith(": test"):
                out.append((t, line[: -len(": test")]))
    return [x for x in out if only is None or only in f"{x[0]}::{x[1]}"]


def python_targets(python: str, only: str | None) -> list[str]:
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_fuzz_*.py"))
    listing = subprocess.run([python, "-m", "pytest", "--collect-only", "-q", *files], cwd=ROOT,
                             capture_output=True, text=True).stdout
    ids = [line.strip() for line in listing.splitlines() if "::" in line]
    return [i for i in ids if only is None or only in i]


def classify(rc: int, log: str, timed_out: bool) -> str:
    if timed_out or "FUZZ-HANG" in log:
        return "hang"
    if rc == 0:
        return "pass"
    if rc < 0 or rc >= 128 or rc not in (1, 101):
        return "crash"
    return "fail"


def panics(log: str, rust: bool) -> int:
    """Distinct panics in a target's log (a failure is printed more than once)."""
    if rust:  # a panic raised in the library's own code, not a test's assertion
        return len(set(re.findall(r"panicked at crates/fupin-core/src/\S+", log)))
    return len({line.strip() for line in log.splitlines()
                if re.search(r"AssertionError: FUZZ-PANIC:|pyo3_runtime\.PanicException:", line)})


def run(cmd: list[str], env: dict, timeout: float, log_path: Path) -> tuple[int, str, bool, float]:
    start = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            rc = proc.wait()
            timed_out = True
    return rc, log_path.read_text(encoding="utf-8", errors="replace"), timed_out, \
        time.monotonic() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--budget", type=int, default=100_000, help="total cases over all targets")
    ap.add_argument("--rust-share", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=int(time.time()) % 2**31)
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per target")
    ap.add_argument("--only", help="run targets whose name contains this")
    ap.add_argument("--no-rust", action="store_true")
    ap.add_argument("--no-python", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "out/fuzz"))
    ap.add_argument("--python", default=str(ROOT / ".venv/bin/python"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    counts_path = out / "counts.txt"
    counts_path.write_text("")

    rust = [] if args.no_rust else rust_targets(args.only)
    py = [] if args.no_python else python_targets(args.python, args.only)
    share = args.rust_share if rust and py else (1.0 if rust else 0.0)
    per_rust = max(1, round(args.budget * share / len(rust))) if rust else 0
    per_py = max(1, round(args.budget * (1 - share) / len(py))) if py else 0
    print(f"fuzz: seed {args.seed}; {len(rust)} Rust targets × {per_rust} cases, "
          f"{len(py)} Python targets × {per_py} examples; logs in {out}", flush=True)

    base_env = {**os.environ, "FUPIN_FUZZ_COUNTS": str(counts_path),
                "FUPIN_FUZZ_SEED": str(args.seed), "RUST_BACKTRACE": "0"}
    rows = []
    for test_file, name in rust:
        env = {**base_env, "FUPIN_FUZZ_CASES": str(per_rust)}
        cmd = ["cargo", "test", "-p", "fupin-core", "--quiet", "--test", test_file, "--",
               "--exact", name, "--test-threads", "1"]
        label = f"rust {test_file}::{name}"
        rc, log, timed_out, secs = run(cmd, env, args.timeout, out / f"{test_file}.{name}.log")
        rows.append((label, name, classify(rc, log, timed_out), panics(log, True), secs))
        print(f"  {rows[-1][2]:5} {secs:7.1f} s  {label}", flush=True)
    for node in py:
        env = {**base_env, "FUPIN_FUZZ_EXAMPLES": str(per_py)}
        cmd = [args.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", node,
               f"--hypothesis-seed={args.seed}"]
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", node)
        rc, log, timed_out, secs = run(cmd, env, args.timeout, out / f"{safe}.log")
        name = node.split("::")[-1].split("[")[0]
        rows.append((f"py {node}", name, classify(rc, log, timed_out), panics(log, False), secs))
        print(f"  {rows[-1][2]:5} {secs:7.1f} s  py {node}", flush=True)

    cases = collections.Counter(counts_path.read_text().split())
    print("\ntarget                                                          cases  result  "
          "panics  seconds")
    for label, name, result, n_panics, secs in rows:
        print(f"{label[:62]:62} {cases.get(name, 0):7} {result:7} {n_panics:6} {secs:8.1f}")
    results = collections.Counter(r[2] for r in rows)
    total_cases = sum(cases.get(r[1], 0) for r in rows)
    print(f"\ncases run: {total_cases}; targets: {len(rows)}; failures: {results['fail']}; "
          f"panics reaching Python: {sum(r[3] for r in rows if r[0].startswith('py'))}; "
          f"panics in Rust: {sum(r[3] for r in rows if r[0].startswith('rust'))}; "
          f"hangs: {results['hang']}; crashes: {results['crash']}; seed {args.seed}")
    return 0 if results["pass"] == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())

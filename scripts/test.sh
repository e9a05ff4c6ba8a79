#!/usr/bin/env bash
# Every check, in the order CI runs them: set-up, fmt, clippy, Rust tests (with doctests),
# Python tests, notebooks, and the type stubs against the compiled module.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

step "set-up (venv, tools, release build of fupin)"
bash scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test (unit, integration, doctests)"
cargo test --workspace --quiet

step "pytest"
.venv/bin/python -m pytest -q tests

step "notebooks"
.venv/bin/python -m pytest -q --nbmake notebooks

step "stubtest of fupin._native"
.venv/bin/python -m mypy.stubtest fupin._native

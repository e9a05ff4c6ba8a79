#!/usr/bin/env bash
# Set up everything on a fresh machine (Rust toolchain and Python 3.11 with pip assumed):
# a virtual environment in .venv with the pinned tools, and fupin built in release mode into it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# maturin builds the Rust extension and installs fupin (editable) into .venv.
VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin develop --release --quiet

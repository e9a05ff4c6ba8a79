#!/usr/bin/env bash
# Long fuzz run over every target (see scripts/fuzz.py --help): 100,000 cases by default.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-.venv/bin/python}" scripts/fuzz.py "$@"

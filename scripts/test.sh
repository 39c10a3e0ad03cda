#!/usr/bin/env bash
# Install leftbehind with its test tools into .venv, then run ruff, mypy and the tests.
# Real-data tests read ../shared/data (or LEFTBEHIND_TEST_DATA); browser tests need Debian's
# chromium (installed here when missing and this runs as root).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "== installing chromium (Debian) for the browser tests"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
export LEFTBEHIND_TEST_DATA="${LEFTBEHIND_TEST_DATA:-$PWD/../shared/data}"
echo "== ruff";   .venv/bin/ruff check src tests benchmarks
echo "== mypy";   .venv/bin/mypy
echo "== pytest"; .venv/bin/pytest -q "$@"

#!/usr/bin/env bash
# The whole suite: lint, then pytest (with the statistics doctests) against PostgreSQL and Redis.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

./scripts/ensure_services.sh || exit 1
./scripts/ensure_system_packages.sh || exit 1

echo "== ruff"
$BIN/ruff check . || exit 1

echo "== import-linter (the apps' layers)"
$BIN/lint-imports || exit 1

echo "== mypy"
# annotate/ and workers/ (pyproject's [tool.mypy]); the statistics also under --strict. No database needed:
# the Django plugin only imports the test settings.
$BIN/python -m mypy || exit 1
$BIN/python -m mypy --strict workers/stats || exit 1

echo "== pytest"
# --create-db: a fresh test database every time, so a run never depends on what an interrupted earlier run
# left behind (pyproject's --reuse-db keeps developers' single-test runs fast).
$BIN/python -m pytest --create-db --doctest-modules workers/stats tests "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: a run with no tests is a broken run." >&2
  exit 1
fi
exit "$status"

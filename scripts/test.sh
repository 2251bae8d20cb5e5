#!/usr/bin/env bash
# The whole suite: on SQLite, and (always in CI, else when reachable) again on PostgreSQL.
# Browser tests run once: on PostgreSQL when it is used, else on SQLite.
# With CI=true a missing PostgreSQL or chromium is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export QCITY_DEV=1 QCITY_FAST_HASHER=1
PG_URL="${QCITY_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/qcity}"
SUMMARY=$(mktemp)
trap 'rm -f "$SUMMARY"' EXIT

run_pytest() {  # runs the suite, keeps its closing line for the total printed at the end
  local out
  out=$(mktemp)
  set +e
  "$@" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]}
  set -e
  tail -n 1 "$out" >> "$SUMMARY"
  rm -f "$out"
  return "$rc"
}

pg_available() {
  $BIN/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("/qcity", "/postgres"), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr); sys.exit(1)
PY
}

echo "== lint and checks"
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/qcity check
$BIN/qcity makemigrations --check --dry-run >/dev/null || { echo "missing migrations"; exit 1; }

use_pg=0
if pg_available; then use_pg=1
elif [ "${CI:-}" = "true" ]; then echo "CI: PostgreSQL is required but not reachable"; exit 1
fi

if [ $use_pg = 1 ]; then
  echo "== suite on SQLite (browser tests on PostgreSQL below)"
  run_pytest $BIN/python -m pytest -n 2 -m "not browser" -p no:cacheprovider
  echo "== suite on PostgreSQL (with browser tests)"
  run_pytest env DATABASE_URL="$PG_URL" $BIN/python -m pytest -n 2 -p no:cacheprovider
else
  echo "== suite on SQLite (PostgreSQL not available here)"
  run_pytest $BIN/python -m pytest -n 2 -p no:cacheprovider
fi

echo "== benchmarks at small scale (figures, not pass/fail timings; full scale runs by hand)"
$BIN/python bench/tracking --scale small
$BIN/python bench/assessment
$BIN/python bench/supervision --scale small
if [ $use_pg = 1 ]; then
  BENCH_URL="${PG_URL%/*}/qcity_bench"
  psql "${PG_URL%/*}/postgres" -q -c "DROP DATABASE IF EXISTS qcity_bench" -c "CREATE DATABASE qcity_bench"
  DATABASE_URL="$BENCH_URL" $BIN/python bench/supervision --scale small
fi
$BIN/python bench/extract

# one plain closing line over both databases (the runs' own summaries are above)
passed=$( (grep -oE '[0-9]+ passed' "$SUMMARY" || true) | awk '{s+=$1} END {print s+0}')
failed=$( (grep -oE '[0-9]+ failed' "$SUMMARY" || true) | awk '{s+=$1} END {print s+0}')
echo "suite, benchmarks and checks took ${SECONDS} s"
echo "tests: $passed passed, $failed failed"

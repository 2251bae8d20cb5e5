#!/usr/bin/env bash
# The whole suite: on SQLite, and (always in CI, else when reachable) again on PostgreSQL.
# Browser tests run once: on PostgreSQL when it is used, else on SQLite.
# With CI=true a missing PostgreSQL or chromium is a failure, never a skip.
# PostgreSQL databases made here (test_qcity_<run>*, qcity_bench_<run>) have names unique to this
# run and are dropped at exit, whatever happened; so are the temporary files.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export QCITY_DEV=1 QCITY_FAST_HASHER=1
unset DATABASE_URL  # each run below says which database it uses; never the caller's own
PG_URL="${QCITY_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/qcity}"
RUN_ID="$$_${RANDOM}${RANDOM}"
export QCITY_TEST_DB_NAME="test_qcity_${RUN_ID}"  # pytest-xdist adds _gw0, _gw1 (qcity/settings.py)
BENCH_DB="qcity_bench_${RUN_ID}"
SUMMARY=$(mktemp)
use_pg=0
status=0  # 1 once a test run or a benchmark failed: the script fails after printing the total

pg_admin() {  # pg_admin check | url NAME | create NAME | drop NAME...  (on the maintenance database)
  $BIN/python - "$PG_URL" "$@" <<'PY'
import sys
import urllib.parse

import psycopg
from psycopg import sql

url, action, *names = sys.argv[1:]


def with_db(name):  # the same server, user and options, another database
    return urllib.parse.urlsplit(url)._replace(path="/" + name).geturl()


if action == "url":
    print(with_db(names[0]))
    sys.exit(0)
try:
    conn = psycopg.connect(with_db("postgres"), connect_timeout=3, autocommit=True)
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
with conn:
    if action == "create":
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(names[0])))
    elif action == "drop":  # each NAME and every NAME_<suffix> (the xdist workers' copies)
        rows = conn.execute("SELECT datname FROM pg_database").fetchall()
        doomed = [d for (d,) in rows if any(d == n or d.startswith(n + "_") for n in names)]
        for name in doomed:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
            )
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            print(f"dropped leftover database {name}")
PY
}

cleanup() {
  rm -f "$SUMMARY"
  if [ $use_pg = 1 ]; then
    pg_admin drop "$QCITY_TEST_DB_NAME" "$BENCH_DB" || echo "could not drop the databases of run $RUN_ID"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

run_pytest() {  # runs the suite, keeps its closing line for the total printed at the end
  local out rc
  out=$(mktemp)
  set +e
  "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  set -e
  (grep -E '(passed|failed|error|no tests ran).* in [0-9.]+s' "$out" || true) | tail -n 1 >> "$SUMMARY"
  rm -f "$out"
  if [ "$rc" != 0 ]; then  # failures, errors, no tests collected (5), interrupted...
    echo "pytest exited with status $rc"
    status=1
  fi
}

run_bench() {  # a benchmark that misses its limit fails the run, after the total
  if ! "$@"; then
    echo "benchmark failed: $*"
    status=1
  fi
}

echo "== lint and checks"
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/qcity check
$BIN/qcity makemigrations --check --dry-run >/dev/null || { echo "missing migrations"; exit 1; }

if pg_admin check; then use_pg=1
elif [ "${CI:-}" = "true" ]; then echo "CI: PostgreSQL is required but not reachable"; exit 1
fi

if [ $use_pg = 1 ]; then
  echo "== suite on SQLite (browser tests on PostgreSQL below)"
  run_pytest $BIN/python -m pytest -n 2 -m "not browser and not fuzz" -p no:cacheprovider
  echo "== suite on PostgreSQL (with browser tests; test databases ${QCITY_TEST_DB_NAME}_gw*)"
  run_pytest env DATABASE_URL="$PG_URL" $BIN/python -m pytest -n 2 -m "not demo_dates and not fuzz" \
    -p no:cacheprovider
else
  echo "== suite on SQLite (PostgreSQL not available here)"
  run_pytest $BIN/python -m pytest -n 2 -m "not fuzz" -p no:cacheprovider
fi

# The loop, tracking and assessment tests again with today frozen at a day years ahead
# (SUITE_DATES): the full demo itself is built on every demo date (Spring Festival, month and
# year ends, 调休, 02-29, ...) by test_demo_dates above.
DATES=$($BIN/python -c "from qcity.core.tests.test_demo_dates import SUITE_DATES; print(*SUITE_DATES)")
for day in $DATES; do
  echo "== loop, tracking and assessment with today frozen at $day (SQLite)"
  run_pytest env QCITY_TEST_TODAY="$day" $BIN/python -m pytest -n 2 -m "not browser" \
    -p no:cacheprovider qcity/inspection/tests/test_loop_e2e.py qcity/tracking qcity/assessment
done

# The API fuzzing stage (marker fuzz, qcity/core/tests/test_api_fuzz.py): schemathesis sends a
# fixed, seeded number of requests to every operation of docs/api/openapi.yaml as the office and
# as a unit; any 5xx or answer the schema does not describe fails the run.
echo "== API fuzzing: schemathesis against docs/api/openapi.yaml (SQLite)"
# --assert=plain: pytest would otherwise rewrite ~440 hypothesis/schemathesis modules per worker
run_pytest $BIN/python -m pytest -n 2 -m fuzz -p no:cacheprovider --assert=plain \
  qcity/core/tests/test_api_fuzz.py

echo "== benchmarks at small scale (figures, not pass/fail timings; full scale runs by hand)"
run_bench $BIN/python bench/tracking --scale small
run_bench $BIN/python bench/assessment
if [ $use_pg = 1 ]; then  # the supervision pages on the production database (SQLite by hand)
  pg_admin create "$BENCH_DB"
  run_bench env DATABASE_URL="$(pg_admin url "$BENCH_DB")" $BIN/python bench/supervision --scale small
  pg_admin drop "$BENCH_DB" >/dev/null
else
  run_bench $BIN/python bench/supervision --scale small
fi
run_bench $BIN/python bench/extract

# one plain closing line over both databases (the runs' own summaries are above); errors count
# as failures
count() { (grep -oE "[0-9]+ $1" "$SUMMARY" || true) | awk '{s+=$1} END {print s+0}'; }
passed=$(count passed)
failed=$(($(count failed) + $(count 'errors?')))
trap - EXIT
cleanup  # before the closing lines, so that they stay the last ones
echo "suite, benchmarks and checks took ${SECONDS} s"
echo "tests: $passed passed, $failed failed"
exit $status

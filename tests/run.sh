#!/bin/bash
# Runs every test of one configured build and prints the grand totals as the
# last line, "N passed, M failed"; exits non-zero when anything failed.
#
# Usage: bash tests/run.sh [BUILD_DIR]     (default: the source tree itself)
#
# What runs, each from the source tree as working directory:
#   - the test programs of the build (check_PROGRAMS in Makefile.am), built
#     here with "make check TESTS=";
#   - tests/test_*.py, tests/*_test.py and tests/e2e_*.py (helper modules
#     take other names, e.g. tests/lib_*.py, and are not run);
#   - tests/test_*.sh.
# Each test prints its own "N passed, M failed" as its last such line.  A
# test that exits non-zero counts at least one failure; one that exits 0
# without a totals line (e.g. "skipped" when ../shared is absent) counts as
# skipped.  Full output goes to BUILD_DIR/tests/logs/NAME.log.
#
# Environment given to the tests: PALISADE_SRCDIR, PALISADE_BUILDDIR,
# PALISADE_MODULE, PALISADE_CLI, PALISADE_HTTPD, PALISADE_SHARED (when
# ../shared exists), and for a sanitizer build PALISADE_HTTPD_PRELOAD (the
# ASan runtime that httpd must preload to load the instrumented module).

set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC}" 2>/dev/null && pwd) || { echo "no such build directory: $1"; echo "0 passed, 1 failed"; exit 1; }
TEST_TIMEOUT=${PALISADE_TEST_TIMEOUT:-900}     # seconds, per test

if [ ! -f "$BUILD/tests/build.env" ]; then
    echo "$BUILD is not a configured build (run: bash tools/setup.sh build)"
    echo "0 passed, 1 failed"
    exit 1
fi
# shellcheck source=/dev/null
. "$BUILD/tests/build.env"

total_pass=0
total_fail=0
skipped=0
LOGDIR="$BUILD/tests/logs"
mkdir -p "$LOGDIR"

# --- build -------------------------------------------------------------------
echo "== building $BUILD"
if ! make -C "$BUILD" -s -j2 all >"$LOGDIR/build.log" 2>&1 \
   || ! make -C "$BUILD" -s -j2 check TESTS= >>"$LOGDIR/build.log" 2>&1; then
    tail -n 60 "$LOGDIR/build.log"
    echo "FAIL build"
    echo "0 passed, 1 failed"
    exit 1
fi

export PALISADE_SRCDIR="$SRC"
export PALISADE_BUILDDIR="$BUILD"
export PALISADE_MODULE="$BUILD/apache2/.libs/mod_palisade.so"
export PALISADE_CLI="$BUILD/tools/palisade-cli"
export PALISADE_HTTPD="${PL_HTTPD:-/usr/sbin/apache2}"
if [ -z "${PALISADE_SHARED:-}" ] && [ -d "$SRC/../shared" ]; then
    PALISADE_SHARED=$(cd "$SRC/../shared" && pwd)
    export PALISADE_SHARED
fi
if [ "${PL_SANITIZERS:-no}" = yes ]; then
    export PALISADE_HTTPD_PRELOAD="$PL_ASAN_LIB"
    # undefined behaviour fails the test instead of scrolling by
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    echo "== sanitizer build: httpd preloads $PL_ASAN_LIB"
fi
PYTHON=${PL_PYTHON3:-python3}

# --- one test -------------------------------------------------------------------
run_one() {
    local name=$1; shift
    local log="$LOGDIR/${name//\//_}.log"
    local start=$SECONDS rc line p f
    (cd "$SRC" && timeout -k 10 "$TEST_TIMEOUT" "$@") >"$log" 2>&1 </dev/null
    rc=$?
    line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -n "$line" ]; then
        p=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
        f=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
    else
        p=0; f=0
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1      # crashed, timed out or failed without saying so
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ -z "$line" ] && [ "$rc" -eq 0 ]; then
        skipped=$((skipped + 1))
        echo "-- $name: no totals, counted as skipped ($(tail -n 1 "$log"))"
    elif [ "$f" -ne 0 ]; then
        echo "-- $name: $p passed, $f failed (exit $rc, $((SECONDS - start))s)"
        grep -E '^(FAIL|not ok|ERROR|==[0-9]+==)' "$log" | head -n 40
        [ "$rc" -eq 124 ] && echo "   (timed out after ${TEST_TIMEOUT}s)"
        echo "   --- last lines of $log:"
        tail -n 25 "$log" | sed 's/^/   /'
    else
        echo "-- $name: $p passed, $f failed ($((SECONDS - start))s)"
    fi
}

# --- test programs of the build ---------------------------------------------------
for prog in $(make -C "$BUILD" -s print-check-programs 2>/dev/null); do
    run_one "$prog" "$BUILD/$prog"
done

# --- scripts -------------------------------------------------------------------
shopt -s nullglob
for t in "$SRC"/tests/test_*.py "$SRC"/tests/*_test.py "$SRC"/tests/e2e_*.py; do
    run_one "tests/$(basename "$t")" "$PYTHON" "$t"
done
for t in "$SRC"/tests/test_*.sh; do
    run_one "tests/$(basename "$t")" bash "$t"
done

[ "$skipped" -gt 0 ] && echo "($skipped test(s) skipped)"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]

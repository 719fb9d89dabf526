#!/bin/bash
# Builds the libFuzzer harnesses of tests/fuzz with clang against the engine
# sources (apache2/*.c but the Apache glue; not through libtool) and runs
# each for a bounded time.  A crash, a sanitizer report, a leak or a
# timeout of one input is a failure.  Last line: "N passed, M failed".
#
#   bash tests/fuzz/run.sh [SECONDS_PER_HARNESS [HARNESS...]]
#
# SECONDS_PER_HARNESS defaults to 20; without harness names all of them
# run.  A harness's seed corpus, tests/fuzz/corpus/HARNESS/, is copied into
# its working corpus first (libFuzzer adds to the working one only).
#
# Needs clang and its libFuzzer runtime (Debian: clang libclang-rt-dev);
# without them it prints "skipped" (and 0 passed, 0 failed).  PL_FUZZ_WORK names the
# build directory (default: a temporary one, removed at the end).

set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SECS=${1:-20}
CC=${PL_FUZZ_CC:-clang}
ALL="fuzz_ops fuzz_tfn fuzz_parse fuzz_detect fuzz_rsub fuzz_urlencoded fuzz_multipart fuzz_json fuzz_xml"
HARNESSES=$ALL
if [ $# -gt 1 ]; then
    shift
    HARNESSES="$*"
    for h in $HARNESSES; do
        case " $ALL " in
        *" $h "*) ;;
        *) echo "unknown harness $h (known: $ALL)"; echo "0 passed, 1 failed"; exit 1 ;;
        esac
    done
fi

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "skipped: $CC not found (apt-get install clang libclang-rt-dev)"
    echo "0 passed, 0 failed"
    exit 0
fi
probe=$(mktemp -d)
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
    rm -rf "$probe"
    echo "skipped: $CC cannot link -fsanitize=fuzzer (apt-get install libclang-rt-dev)"
    echo "0 passed, 0 failed"
    exit 0
fi
rm -rf "$probe"

WORK=${PL_FUZZ_WORK:-}
if [ -z "$WORK" ]; then
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK/obj" "$WORK/files"

# The engine's dependencies, with the optional ones the machine has.
CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
    -I$SRC/apache2 $(apr-1-config --cflags --cppflags --includes) $(apu-1-config --includes)
    $(pkg-config --cflags libpcre2-8 libxml-2.0)"
LIBS="$(apu-1-config --link-ld --libs) $(apr-1-config --link-ld --libs)
    $(pkg-config --libs libpcre2-8 libxml-2.0) -lm"
if pkg-config --exists lua5.4; then
    CFLAGS="$CFLAGS $(pkg-config --cflags lua5.4)"
    LIBS="$LIBS $(pkg-config --libs lua5.4)"
fi
if pkg-config --exists libmaxminddb; then
    CFLAGS="$CFLAGS -DPL_HAVE_MAXMINDDB $(pkg-config --cflags libmaxminddb)"
    LIBS="$LIBS $(pkg-config --libs libmaxminddb)"
fi
if [ -e /usr/include/fuzzy.h ]; then
    CFLAGS="$CFLAGS -DPL_HAVE_SSDEEP"
    LIBS="$LIBS -lfuzzy"
fi
export CC CFLAGS WORK

echo "== building the engine with $CC (fuzzer, ASan, UBSan) in $WORK"
sources=$(ls "$SRC"/apache2/*.c | grep -v '/mod_palisade\.c$')
# shellcheck disable=SC2086
if ! printf '%s\n' $sources | xargs -P 2 -I{} sh -c \
        'o="$WORK/obj/$(basename "{}" .c).o"; $CC $CFLAGS -fsanitize=fuzzer-no-link -c "{}" -o "$o" 2>>"$WORK/build.log" || { echo "FAIL compile {}"; exit 255; }'; then
    tail -n 40 "$WORK/build.log"
    echo "0 passed, 1 failed"
    exit 1
fi

pass=0
fail=0
for h in $HARNESSES; do
    # shellcheck disable=SC2086
    if ! $CC $CFLAGS -Wall -Wextra -Werror -fsanitize=fuzzer -o "$WORK/$h" "$SRC/tests/fuzz/$h.c" "$WORK"/obj/*.o $LIBS \
            >"$WORK/$h.build.log" 2>&1; then
        echo "FAIL $h: build"
        tail -n 30 "$WORK/$h.build.log"
        fail=$((fail + 1))
        continue
    fi
    mkdir -p "$WORK/corpus-$h"
    if [ -d "$SRC/tests/fuzz/corpus/$h" ]; then
        cp -R "$SRC/tests/fuzz/corpus/$h"/. "$WORK/corpus-$h"/
    fi
    # request bodies need room for a few parts or a document
    case $h in
    fuzz_urlencoded|fuzz_multipart|fuzz_json|fuzz_xml) max_len=16384 ;;
    *) max_len=4096 ;;
    esac
    start=$SECONDS
    # leaks are reported at exit of each input's pool; -timeout catches hangs
    if PL_FUZZ_DIR="$WORK/files" ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" \
       UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
       "$WORK/$h" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=$max_len \
            -artifact_prefix="$WORK/$h-" "$WORK/corpus-$h" >"$WORK/$h.log" 2>&1; then
        echo "ok   $h ($((SECONDS - start))s, $(grep -Eo '#[0-9]+' "$WORK/$h.log" | tail -n 1 | tr -d '#') runs)"
        pass=$((pass + 1))
    else
        echo "FAIL $h"
        grep -E 'ERROR|SUMMARY|runtime error|==[0-9]+==' "$WORK/$h.log" | head -n 10
        tail -n 40 "$WORK/$h.log"
        for a in "$WORK/$h"-crash-* "$WORK/$h"-leak-* "$WORK/$h"-timeout-*; do
            [ -e "$a" ] && echo "   input: $(od -An -c "$a" | head -n 4 | tr -s ' ')"
        done
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

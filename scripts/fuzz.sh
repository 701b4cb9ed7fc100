#!/bin/sh
# Build the libFuzzer harnesses of tests/fuzz (clang, -DPLAT_FUZZ=ON, in build-fuzz/) and run
# each for SECONDS (default 30) on a copy of its seed corpus and regressions, so the repository
# is never written. Fails on the first crash, sanitizer report, leak, failed check or timeout,
# leaving the input that caused it in build-fuzz/fuzz-findings/<name>/ and saying how to turn
# it into a regression test.
# Usage: scripts/fuzz.sh [SECONDS] [NAME ...]     (NAME: geometry, target, fieldmap, srs, csv, import)
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-30}
[ $# -gt 0 ] && shift
names="$*"
if [ -z "$names" ]; then
    for f in tests/fuzz/fuzz_*.c; do
        n=${f#tests/fuzz/fuzz_}
        names="$names ${n%.c}"
    done
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLAT_FUZZ=ON \
      -DPLAT_WERROR=ON >/dev/null
cmake --build build-fuzz -j "$jobs" --target fuzzers

work=$(mktemp -d "${TMPDIR:-/tmp}/plat-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
findings=build-fuzz/fuzz-findings
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
passed=0
failed=0
for n in $names; do
    corpus=$work/$n
    mkdir -p "$corpus" "$findings/$n"
    cp tests/fuzz/corpus/"$n"/* "$corpus"/
    if [ -d tests/fuzz/regressions/"$n" ]; then
        cp tests/fuzz/regressions/"$n"/* "$corpus"/
    fi
    log=$findings/$n.log
    # -timeout: an input taking 10 s is a hang; -rss_limit_mb: far above what a parser needs.
    if build-fuzz/tests/fuzz/fuzz_"$n" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
           -max_len=8192 -print_final_stats=1 -artifact_prefix="$findings/$n/" "$corpus" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "fuzz $n: ${runs:-?} inputs in ${seconds} s, no failure"
        passed=$((passed + 1))
    else
        status=1
        failed=$((failed + 1))
        echo "fuzz $n: FAILED; the end of $log:"
        tail -n 40 "$log"
        echo "fuzz $n: the input is in $findings/$n/; once fixed, keep it as a regression test:"
        echo "    cp $findings/$n/<crash-file> tests/fuzz/regressions/$n/"
    fi
done
echo "fuzz: $passed passed, $failed failed"
exit $status

#!/bin/sh
# Set up, build and run every test: the normal build (every unit, CLI and benchmark-agreement
# test, the CLI tests once on a SQLite file and once on PostgreSQL + PostGIS), the core commands
# under valgrind memcheck, then the whole suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer (with LeakSanitizer), then each fuzzing
# harness for 30 s (clang and libFuzzer, scripts/fuzz.sh).
# Usage: scripts/test.sh [--no-sanitize]     (--no-sanitize: neither ASan nor fuzzing)
#
# `ctest --test-dir build -L valgrind` runs every CLI test under memcheck; on a 2-core machine
# that takes the better part of an hour, so the default run takes the foundation commands
# (init, township, project) and leaves the rest to ASan, which sees the same class of errors.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh

# A throwaway PostgreSQL + PostGIS cluster for the pg.* tests, on a Unix socket in a temporary
# folder: stopped and removed however this script ends (success, failure, Ctrl-C). A cluster
# that cannot start fails the run: the pg tests are never skipped for want of a server.
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/plat-pg.XXXXXX")
trap 'sh scripts/pg_cluster.sh stop "$pgdir" || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
PLAT_TEST_PG=$(sh scripts/pg_cluster.sh start "$pgdir")
export PLAT_TEST_PG
echo "test: PostgreSQL test cluster at $PLAT_TEST_PG"

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLAT_WERROR=ON >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs" -LE valgrind
ctest --test-dir build --output-on-failure -j "$jobs" -R '^valgrind[.](init|township|project)$'

if [ "${1:-}" != "--no-sanitize" ]; then
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPLAT_SANITIZE=ON -DPLAT_WERROR=ON >/dev/null
    cmake --build build-asan -j "$jobs"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest --test-dir build-asan --output-on-failure -j "$jobs"
    # Every parser of user input under libFuzzer for a bounded time (6 harnesses x 30 s, after
    # a clang build of the libraries they need); a crash, sanitizer report or leak fails.
    sh scripts/fuzz.sh 30
fi

#!/bin/sh
# Set up, build and run `plat demo`: a fresh ledger of the five seed plans of four Hunan counties
# (data/), and what plat makes of it. The ledger is left at build/plat-demo.sqlite for the
# commands the demo suggests; running this again rebuilds it.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

build/cli/plat demo --db build/plat-demo.sqlite --data data --overwrite
printf '\nplat is build/cli/plat (add build/cli to PATH to type the commands above as they are).\n'

#!/bin/sh
# Set up, build, and run a short session on the bundled data: the four seed counties of the
# plans, three projects from them, two progress reports, and what plat says about them.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

plat=$PWD/build/cli/plat
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PLAT_DB="$work/demo.sqlite"
run() { printf '\n$ plat %s\n' "$*"; "$plat" "$@"; }

run init
run township import data/seed_counties.geojson
run township list
run project add --code PJ-G536 --name "G536青冲至伍市段改建" --category 公路 --target 21km --date 2024-01-15 \
    --lead-unit 县交通运输局 --geom "LINESTRING(113.30 28.70, 113.38 28.72, 113.45 28.75)"
run project add --code XY-YGG2 --name "虞公港二期（4个3000吨级泊位）" --category 港口 --target 4berth \
    --status 在建 --progress 35 --geom "POINT(112.90 28.75)"
run project add --code YJ-NDTH --name "南洞庭湖湿地生态修复" --category 湿地 --target 4万亩 \
    --geom "POLYGON((112.50 28.90, 112.60 28.90, 112.60 29.00, 112.50 29.00, 112.50 28.90))"
run project update PJ-G536 --status 在建 --progress 30 --date 2024-03-01 --note 路基施工
run project update PJ-G536 --progress 55 --done 11.5 --date 2024-06-30
run project list
run project list --township 平江县 --json
run project show PJ-G536

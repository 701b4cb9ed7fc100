#!/bin/sh
# Install what plat needs to build and test on Debian 12 (bookworm), from Debian's own packages.
# Idempotent: packages already present are left as they are. Run as root (or with sudo).
# Chromium and a Chinese font are for the test that renders `plat report` headless; clang and
# its runtime for the libFuzzer harnesses (scripts/fuzz.sh). PostgreSQL 15 with PostGIS 3 for
# the ledger's second backend: the benchmark's agreement tests and the pg.* CLI tests start a
# throwaway cluster of it (scripts/pg_cluster.sh); its programs are in /usr/lib/postgresql/15/bin.
# libgoogle-perftools-dev for tcmalloc, the plat command's allocator (CMakeLists.txt says why).
set -eu

PKGS="build-essential cmake pkg-config
      libgdal-dev gdal-bin libproj-dev proj-bin libgeos-dev
      libspatialite-dev libsqlite3-dev sqlite3 libsqlite3-mod-spatialite
      libjson-c-dev libpq-dev libgoogle-perftools-dev python3 valgrind
      chromium fonts-wqy-microhei
      clang libclang-rt-14-dev
      postgresql-15 postgresql-client-15 postgresql-15-postgis-3"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
else
    echo "setup: all packages present"
fi

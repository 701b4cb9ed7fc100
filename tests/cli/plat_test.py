"""Shared helpers for plat's end-to-end tests: run the binary, read its JSON, fingerprint a ledger.

Each test module is a unittest file run by ctest with PLAT_BIN (the plat executable) and
PLAT_DATA (the repository's data/ folder) in the environment.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

PLAT = os.environ.get("PLAT_BIN", "plat")
DATA = os.environ.get("PLAT_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "data"))
COUNTIES = os.path.join(DATA, "seed_counties.geojson")
# PLAT_TEST_WRAPPER lets CI run every command under valgrind: "valgrind --error-exitcode=99 ..."
WRAPPER = os.environ.get("PLAT_TEST_WRAPPER", "").split()


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"rc={self.rc}\nstdout:\n{self.out}\nstderr:\n{self.err}"


class PlatCase(unittest.TestCase):
    """A test case with a fresh temporary folder and a ledger path inside it."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="plat-test-")
        self.db = os.path.join(self.dir, "ledger.sqlite")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def plat(self, *args, db=True, env=None, stdin=None):
        cmd = WRAPPER + [PLAT] + (["--db", self.db] if db else []) + [str(a) for a in args]
        e = dict(os.environ)
        e.pop("PLAT_DB", None)
        e.pop("PLAT_FAULT_AT", None)
        if env:
            e.update(env)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=e, cwd=self.dir, input=stdin, timeout=300)
        r = Result(proc)
        if WRAPPER and r.rc == 99:
            self.fail(f"valgrind reported errors for {args}:\n{r.err}")
        return r

    def ok(self, *args, **kw):
        r = self.plat(*args, **kw)
        self.assertEqual(r.rc, 0, f"plat {' '.join(map(str, args))} failed:\n{r}")
        return r

    def fails(self, rc, *args, message=None, **kw):
        r = self.plat(*args, **kw)
        self.assertEqual(r.rc, rc, f"plat {' '.join(map(str, args))}: expected exit {rc}:\n{r}")
        if message:
            self.assertIn(message, r.err)
        return r

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def ledger_with_counties(self):
        self.ok("init")
        self.ok("township", "import", COUNTIES)

    def unchanged(self, before):
        self.assertEqual(digest(self.db), before, "the ledger changed after a failed command")


def digest(path):
    """A fingerprint of everything a ledger holds: schema, pragmas and every row of every
    ordinary table (R*Tree shadow tables included), independent of WAL or page layout."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    h = hashlib.sha256()
    for pragma in ("user_version", "application_id"):
        h.update(repr(con.execute(f"PRAGMA {pragma}").fetchone()).encode())
    rows = con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    for typ, name, sql in rows:
        h.update(repr((typ, name, sql)).encode())
        if typ != "table" or (sql or "").upper().startswith("CREATE VIRTUAL"):
            continue
        for row in con.execute(f'SELECT * FROM "{name}" ORDER BY rowid'):
            h.update(repr(row).encode())
    con.close()
    return h.hexdigest()


def geod_length_m(lonlats):
    """Length of a polyline on the CGCS2000 ellipsoid by PROJ's own `geod` program."""
    total = 0.0
    for (lon1, lat1), (lon2, lat2) in zip(lonlats, lonlats[1:]):
        out = subprocess.run(["geod", "+a=6378137", "+rf=298.257222101", "-I", "+units=m", "-f", "%.6f"],
                             input=f"{lat1} {lon1} {lat2} {lon2}\n", capture_output=True, text=True, check=True)
        total += float(out.stdout.split()[2])
    return total


def spatialite_ellipsoid_area_m2(wkt_lonlat):
    """Area of a lon/lat polygon on the CGCS2000 ellipsoid as SpatiaLite computes it (geodesic
    edges), through ogrinfo's SQLite dialect: an independent check on plat's figure."""
    sql = f"SELECT ST_Area(SetSRID(GeomFromText('{wkt_lonlat}'), 4490), 1) AS a"
    out = subprocess.run(["ogrinfo", "-q", "-ro", "-dialect", "SQLite", "-sql", sql, COUNTIES],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if "a (Real)" in line:
            return float(line.split("=")[1])
    raise AssertionError("ogrinfo printed no area:\n" + out)


main = unittest.main

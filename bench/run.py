#!/usr/bin/env python3
"""bench/run.py - plat's coverage and import, side by side with SpatiaLite SQL and PostGIS.

One run, one data set. The runner generates a province (bench/generate.py; or takes --gpkg),
builds a plat ledger from it (init, townships, projects), and times on that same data:

  import     `plat layer import` of the roads and the parcels   vs  ogr2ogr into SpatiaLite
  coverage   `plat coverage --layer roads|farmland --json`, ellipsoidal and --planar
             vs the same per-township km and m2 from SpatiaLite SQL on the SAME ledger file
             (R*Tree SpatialIndex, ST_Intersection, ST_Length, ST_Area; ellipsoidal through
             ST_Transform to EPSG:4490 and ST_Length(g, 1) / ST_Area(g, 1))
             vs PostGIS with GiST indexes, when PostgreSQL and PostGIS are installed: a throwaway
             cluster on 127.0.0.1, started and stopped here
  scaling    plat coverage (planar) on half of each layer, for the exponent of time in features

Every command is a child process: wall time is the median of --reps runs, peak memory the
largest resident set any run reached (os.wait4's rusage of that child). PostGIS's memory is the
high-water mark of the server backend that ran the query (parallel workers are not in it).

Agreement. plat's per-township km and m2 must equal each anchor's within 1e-6 relative (plus
half a unit of the last digit plat prints: 0.5 mm, 0.005 m2), planar and ellipsoidal alike:
plat's lengths are sums of geodesic segments between the vertices, as the anchors'; its areas
have edges straight in the Gauss-Kruger plane (32号), PostGIS's geodesic edges, which differ by
parts per billion on hectare parcels. One exception: SpatiaLite's ellipsoidal area (librttopo's
approximate spheroid algorithm) is itself about 1e-6 off the exact geodesic area, so that
comparison allows 1e-5. The generated roads never run along a township border, where plat
counts a line once and a plain SQL sum twice. The projects' own figures are checked the same way
against SpatiaLite (not timed): line projects clipped and summed, polygon projects unioned then
clipped; for their ellipsoidal areas the SQL divides edges every 100 m in the plane first, as
plat does, since a 1 km2 project's long edges make the Gauss-plane and geodesic regions differ by
about 1e-5. Disagreement exits 1: that is what the test suite runs this for (at --preset tiny
and --preset suite, one repetition).

Needs: Python 3, the plat binary, and Debian's sqlite3 and libsqlite3-mod-spatialite (the
SpatiaLite anchor); gdal-bin for ogr2ogr; postgresql and postgresql-NN-postgis-3 for PostGIS.
Whatever is missing is skipped with a line that says so.

Usage: run.py [--preset tiny|suite|county|province | --scale S] [--reps 3] [--plat PATH] [--keep] ...
"""
import argparse
import json
import math
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS = ("roads", "farmland")


# ---- running and timing children ----

class Run:
    def __init__(self, wall, cpu, rss_kb, out, err, rc):
        self.wall, self.cpu, self.rss_kb, self.out, self.err, self.rc = wall, cpu, rss_kb, out, err, rc


def run(cmd, tmp, env=None, user=None, check=True, stdin=None):
    """Run cmd as a child; its wall time and peak RSS, its stdout and stderr (kept in files, so
    a large JSON costs no pipe juggling)."""
    if user:
        cmd = ["runuser", "-u", user, "--"] + cmd
    with open(os.path.join(tmp, "out"), "w+b") as out, open(os.path.join(tmp, "err"), "w+b") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, stdin=subprocess.DEVNULL if stdin is None else stdin)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        r = Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                p.returncode)
    if check and r.rc != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed (exit {r.rc}):\n{r.err[-3000:]}")
    return r


class Timing:
    """Repeated runs of one task: median wall, min, max, median CPU (user + system, every
    thread), peak RSS, the last run's output."""

    def __init__(self, name, runs, rss_kb=None):
        self.name = name
        self.walls = [r.wall for r in runs]
        self.cpu = statistics.median(r.cpu for r in runs)
        self.rss_kb = rss_kb if rss_kb is not None else max(r.rss_kb for r in runs)
        self.last = runs[-1]

    @property
    def median(self):
        return statistics.median(self.walls)


def repeat(name, n, fn):
    runs = []
    for i in range(n):
        runs.append(fn(i))
        note(f"  {name}: run {i + 1}/{n} {runs[-1].wall:.2f} s wall, {runs[-1].cpu:.2f} s cpu, "
             f"{runs[-1].rss_kb // 1024} MB")
    return Timing(name, runs)


def note(msg):
    print(msg, file=sys.stderr, flush=True)


# ---- plat ----

class Plat:
    def __init__(self, binary, tmp):
        self.bin, self.tmp = binary, tmp

    def __call__(self, db, *args, check=True):
        return run([self.bin, "--db", db, "-q"] + [str(a) for a in args], self.tmp, check=check)


def per_township(cov_json, layer):
    """{township code: (km, m2)} of one layer from `plat coverage --json`."""
    out = {}
    for t in cov_json["townships"]:
        s = t["layers"][layer]
        out[t["code"]] = (s["line_km"], s["polygon_m2"])
    return out


def per_township_projects(cov_json):
    """{township code: (km, m2)} of the projects themselves: lines clipped, polygons unioned."""
    return {t["code"]: (t["line_km"], t["polygon_m2"]) for t in cov_json["townships"]}


# ---- SpatiaLite SQL ----

def spatialite_sql(table, kind, ellipsoidal):
    """Per-township sums the way a GIS analyst writes them: the R*Tree picks candidates by
    bounding box, ST_Intersection clips, ST_Length or ST_Area measures."""
    x = "ST_Intersection(t.geom, f.geom)"
    if ellipsoidal:
        x = f"ST_Transform({x}, 4490)"
    measure = (f"ST_Length({x}, 1)" if ellipsoidal else f"ST_Length({x})") if kind == "line" else \
        (f"ST_Area({x}, 1)" if ellipsoidal else f"ST_Area({x})")
    return (f"SELECT t.code, SUM({measure}) FROM townships AS t JOIN \"{table}\" AS f "
            f"ON f.ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = '{table}' "
            f"AND f_geometry_column = 'geom' AND search_frame = t.geom) "
            f"GROUP BY t.code ORDER BY t.code;")


def spatialite_projects_sql(kind, ellipsoidal):
    """The project figures of `plat coverage` the SQL way: line projects clipped to each
    township and summed; polygon projects unioned, then clipped, so overlaps count once."""
    def measure(x):
        # plat's polygons have edges straight in the working plane (gis/measure.c): dividing
        # them as plat does (100 m) before going to the ellipsoid compares the same regions.
        if ellipsoidal:
            x = f"ST_Transform({x if kind == 'line' else f'ST_Segmentize({x}, 100)'}, 4490)"
        f = "ST_Length" if kind == "line" else "ST_Area"
        return f"{f}({x}, 1)" if ellipsoidal else f"{f}({x})"
    types = "('LINESTRING', 'MULTILINESTRING')" if kind == "line" else "('POLYGON', 'MULTIPOLYGON')"
    value = (f"SUM({measure('ST_Intersection(t.geom, p.geom)')})" if kind == "line"
             else measure("ST_Intersection(t.geom, ST_Union(p.geom))"))
    return (f"SELECT t.code, {value} FROM townships AS t JOIN projects AS p "
            f"ON p.ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'projects' "
            f"AND f_geometry_column = 'geom' AND search_frame = t.geom) "
            f"WHERE p.removed_at IS NULL AND GeometryType(p.geom) IN {types} AND ST_Intersects(t.geom, p.geom) "
            f"GROUP BY t.code ORDER BY t.code;")


def run_spatialite(db, sql, tmp):
    return run(["sqlite3", "-batch", "-readonly", "-cmd", ".load mod_spatialite", "-separator", "|", db, sql], tmp)


def parse_rows(text):
    """'code|number' lines into {code: float}; an empty sum (nothing inside) is 0."""
    out = {}
    for line in text.splitlines():
        if "|" in line:
            code, v = line.rsplit("|", 1)
            out[code.strip()] = float(v) if v.strip() else 0.0
    return out


# ---- PostGIS ----

def find_postgis():
    """(bin dir, version) of a PostgreSQL with the PostGIS extension, or (None, reason)."""
    root = "/usr/lib/postgresql"
    if not os.path.isdir(root):
        return None, "PostgreSQL not installed"
    for ver in sorted(os.listdir(root), key=lambda v: float(v) if v.replace(".", "").isdigit() else 0, reverse=True):
        bindir = os.path.join(root, ver, "bin")
        if not os.path.exists(os.path.join(bindir, "initdb")):
            continue
        if os.path.exists(f"/usr/share/postgresql/{ver}/extension/postgis.control"):
            return bindir, ver
        return None, f"PostGIS not installed (Debian: postgresql-{ver}-postgis-3)"
    return None, "PostgreSQL not installed"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostGIS:
    """A throwaway cluster in a temporary folder, on 127.0.0.1 only; stopped by close()."""

    def __init__(self, bindir, work, tmp):
        self.bindir, self.tmp, self.work = bindir, tmp, work
        self.data = os.path.join(work, "pgdata")
        self.port = free_port()
        # initdb refuses to run as root: run the server as the postgres user then.
        self.user = "postgres" if os.geteuid() == 0 else None
        os.makedirs(self.data)
        if self.user:
            shutil.chown(work, self.user)
            shutil.chown(self.data, self.user)
        run([os.path.join(bindir, "initdb"), "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--no-sync"], tmp, user=self.user)
        conf = (f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{work}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 512MB\n"
                "work_mem = 64MB\nmaintenance_work_mem = 512MB\nmax_wal_size = 4GB\n")
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as f:
            f.write(conf)
        run([os.path.join(bindir, "pg_ctl"), "-D", self.data, "-l", os.path.join(work, "pg.log"), "-w", "start"],
            tmp, user=self.user)
        self.started = True
        self.psql(["-d", "postgres", "-c", "CREATE DATABASE bench"])
        self.psql(["-c", "CREATE EXTENSION postgis"])

    def conn(self):
        return f"host=127.0.0.1 port={self.port} dbname=bench user=postgres"

    def psql(self, args, check=True):
        base = [os.path.join(self.bindir, "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        if "-d" not in args:
            base += ["-d", "bench"]
        return run(base + args, self.tmp, check=check)

    def close(self):
        if getattr(self, "started", False):
            run([os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop"], self.tmp,
                user=self.user, check=False)
            self.started = False


def postgis_sql(table, kind, ellipsoidal):
    x = "ST_Intersection(t.geom, f.geom)"
    if ellipsoidal:
        x = f"ST_Transform({x}, 4490)::geography"
    m = f"ST_Length({x})" if kind == "line" else f"ST_Area({x})"
    return (f"SELECT t.code, SUM({m}) FROM townships t JOIN {table} f ON ST_Intersects(t.geom, f.geom) "
            f"GROUP BY t.code ORDER BY t.code")


def run_postgis(pg, sql, path):
    """One query in its own session; the backend's peak RSS read from /proc before it ends."""
    # psql does not expand its variables in \! commands, but it does in \setenv, and the shell
    # that runs the \! command expands the environment.
    with open(path, "w") as f:
        f.write("SELECT pg_backend_pid() AS pid \\gset\n\\setenv PLAT_BENCH_PID :pid\n"
                f"\\o {path}.rows\n{sql};\n\\o\n"
                "\\! grep VmHWM /proc/$PLAT_BENCH_PID/status\n"
                "\\! cat /proc/$PLAT_BENCH_PID/stat\n")
    r = pg.psql(["-f", path])
    with open(path + ".rows") as f:
        r.rows = f.read()
    hwm = [ln.split()[1] for ln in r.out.splitlines() if ln.startswith("VmHWM")]
    r.rss_kb = max(r.rss_kb, int(hwm[0])) if hwm else r.rss_kb
    # The backend's user + system time (fields 14 and 15 of /proc/PID/stat, after the name).
    stat = [ln for ln in r.out.splitlines() if ln.count(" ") > 20]
    if stat:
        f = stat[-1].rsplit(")", 1)[1].split()
        r.cpu += (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    return r


# ---- agreement ----

def disagreements(plat_vals, other, what, rel=1e-6):
    """Townships where plat and an anchor differ by more than rel, plus half the step of what
    plat prints (6 decimals of km, 2 of m2)."""
    col, unit, step = (0, 1000.0, 1e-6) if what == "km" else (1, 1.0, 0.01)
    bad = []
    for code, vals in plat_vals.items():
        p, q = vals[col], other.get(code, 0.0) / unit
        if abs(p - q) > rel * max(abs(p), abs(q)) + step / 2:
            bad.append((code, p, q))
    return bad


def max_rel(plat_vals, other, what):
    col = 0 if what == "km" else 1
    worst = 0.0
    for code, vals in plat_vals.items():
        p = vals[col]
        q = other.get(code, 0.0) / (1000.0 if what == "km" else 1.0)
        if max(abs(p), abs(q)) > 0:
            worst = max(worst, abs(p - q) / max(abs(p), abs(q)))
    return worst


# ---- the run ----

def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(next(ln.split()[1] for ln in f if ln.startswith("MemTotal"))) // 1024 // 1024
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()
    return (f"{os.cpu_count()} cores ({cpu}), {mem} GiB, {platform.system()} {platform.release()}; "
            f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def fmt_rss(kb):
    return f"{kb / 1024:.0f} MB" if kb < 1024 * 1024 else f"{kb / 1024 / 1024:.2f} GB"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Time plat against SpatiaLite SQL and PostGIS on one generated province.")
    ap.add_argument("--preset", choices=("tiny", "suite", "county", "province"), default="county")
    ap.add_argument("--scale", type=float, help="S times the province (see generate.py)")
    ap.add_argument("--gpkg", help="use this generated GeoPackage instead of generating one")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--reps", type=int, default=3, help="runs of each timed command (median; default 3)")
    ap.add_argument("--anchor-reps", type=int, help="runs of each SQL query (default: --reps)")
    ap.add_argument("--plat", default=shutil.which("plat") or os.path.join(HERE, "..", "build", "cli", "plat"))
    ap.add_argument("--jobs", type=int, help="plat coverage --jobs (default: every core)")
    ap.add_argument("--work", help="folder for the data and ledgers (default: a new one under $TMPDIR)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--no-postgis", action="store_true")
    ap.add_argument("--no-ogr2ogr", action="store_true")
    ap.add_argument("--no-ellipsoidal-sql", action="store_true",
                    help="skip the anchors' ellipsoidal queries (plat's are still timed)")
    ap.add_argument("--no-scaling", action="store_true", help="skip the half-size layers")
    ap.add_argument("--json", help="also write every figure to this JSON file")
    a = ap.parse_args(argv)
    a.anchor_reps = a.anchor_reps or a.reps
    if not shutil.which("sqlite3"):
        raise SystemExit("bench: the sqlite3 shell is needed for the SpatiaLite anchor (Debian: sqlite3)")
    work = a.work or tempfile.mkdtemp(prefix="plat-bench-")
    os.makedirs(work, exist_ok=True)
    tmp = os.path.join(work, "io")
    os.makedirs(tmp, exist_ok=True)
    plat = Plat(os.path.abspath(a.plat), tmp)
    results = {"machine": machine(), "command": " ".join([os.path.basename(sys.argv[0])] + (argv or sys.argv[1:])),
               "timings": {}, "agreement": {}, "skipped": []}
    T = results["timings"]
    timings = {}
    pg = None
    try:
        # -- data --
        gpkg = a.gpkg
        if not gpkg:
            gpkg = os.path.join(work, "province.gpkg")
            gen = [sys.executable, os.path.join(HERE, "generate.py"), "--seed", str(a.seed), "--out", gpkg]
            gen += ["--scale", str(a.scale)] if a.scale else ["--preset", a.preset]
            r = run(gen, tmp)
            note(r.err.strip() + f" in {r.wall:.1f} s")
            results["data"] = r.err.strip()
        counts = {}
        for lyr in LAYERS:
            r = run(["sqlite3", gpkg, f'SELECT count(*) FROM "{lyr}"'], tmp)
            counts[lyr] = int(r.out.strip())

        # -- the ledger: townships and projects once; layers per import run --
        base = os.path.join(work, "base.sqlite")
        for p in (base, base + "-wal", base + "-shm"):
            if os.path.exists(p):
                os.remove(p)
        plat(base, "init", "--crs", "EPSG:4547")
        plat(base, "township", "import", gpkg, "--layer", "townships", "--code-field", "code", "--name-field", "name",
             "--county-field", "county")
        plat(base, "project", "import", gpkg, "--layer", "projects")
        ledger = os.path.join(work, "ledger.sqlite")

        note("import: plat layer import")
        # Roads then parcels into each fresh copy, so every run builds the same ledger.
        runs = {lyr: [] for lyr in LAYERS}
        for i in range(a.reps):
            shutil.copyfile(base, ledger)
            for lyr in LAYERS:
                runs[lyr].append(plat(ledger, "layer", "import", lyr, gpkg, "--layer", lyr, "--kind", lyr))
                note(f"  plat import {lyr}: run {i + 1}/{a.reps} {runs[lyr][-1].wall:.2f} s, "
                     f"{runs[lyr][-1].cpu:.2f} s cpu")
        for lyr in LAYERS:
            timings[f"import {lyr}: plat"] = Timing(f"import {lyr}: plat", runs[lyr])
        if a.no_ogr2ogr or not shutil.which("ogr2ogr"):
            results["skipped"].append("ogr2ogr: " + ("--no-ogr2ogr" if a.no_ogr2ogr else "not installed (gdal-bin)"))
        else:
            note("import: ogr2ogr into SpatiaLite")
            target = os.path.join(work, "ogr2ogr.sqlite")
            runs = {lyr: [] for lyr in LAYERS}
            for i in range(a.reps):
                if os.path.exists(target):
                    os.remove(target)
                for k, lyr in enumerate(LAYERS):
                    cmd = ["ogr2ogr", "-f", "SQLite"] + (["-dsco", "SPATIALITE=YES"] if k == 0 else ["-update"])
                    runs[lyr].append(run(cmd + [target, gpkg, lyr], tmp))
                    note(f"  ogr2ogr {lyr}: run {i + 1}/{a.reps} {runs[lyr][-1].wall:.2f} s, "
                         f"{runs[lyr][-1].cpu:.2f} s cpu")
            for lyr in LAYERS:
                timings[f"import {lyr}: ogr2ogr"] = Timing(f"import {lyr}: ogr2ogr", runs[lyr])
            os.remove(target)

        tables = dict(ln.split("|") for ln in run(["sqlite3", ledger, "SELECT name, table_name FROM layers"],
                                                     tmp).out.split())
        if not a.no_scaling:
            for lyr in LAYERS:
                plat(ledger, "layer", "import", f"{lyr}_half", gpkg, "--layer", lyr, "--kind", lyr,
                     "--where", f"fid <= {counts[lyr] // 2}")

        # -- coverage: plat --
        # The first coverage of a layer keeps the layer's own figures per township in the
        # ledger, and later runs clip only the features near covering projects. The SQL
        # anchors recompute everything every time, so plat's timed runs start from a ledger
        # without them (cleared before each run, untimed); the repeated run is timed apart and
        # must print the very same figures.
        def cold(args):
            run(["sqlite3", ledger, "DELETE FROM layer_sums"], tmp)
            return plat(ledger, *args)

        jobs = ["--jobs", str(a.jobs)] if a.jobs else []
        plat_vals = {}
        failed = []
        for lyr in LAYERS:
            for planar in (False, True):
                m = "planar" if planar else "ellipsoidal"
                name = f"coverage {lyr} {m}: plat"
                args = ["coverage", "--layer", lyr, "--json"] + (["--planar"] if planar else []) + jobs
                timings[name] = repeat(name, a.reps, lambda i: cold(args))
                cov = json.loads(timings[name].last.out)
                plat_vals[lyr, m] = per_township(cov, lyr)
                plat_vals["projects", m] = per_township_projects(cov)
                again = f"coverage {lyr} {m} again: plat"
                plat(ledger, *args)  # stores the layer's figures
                timings[again] = repeat(again, a.reps, lambda i: plat(ledger, *args))
                if timings[again].last.out != timings[name].last.out:
                    failed.append(f"{again}: the output differs from the first run's")
        if not a.no_scaling:
            for lyr in LAYERS:
                name = f"coverage {lyr}_half planar: plat"
                args = ["coverage", "--layer", f"{lyr}_half", "--json", "--planar"] + jobs
                timings[name] = repeat(name, a.reps, lambda i: cold(args))

        # -- coverage: SpatiaLite SQL on the same ledger --
        # A ledger's spatial_ref_sys holds only its working CRS; ST_Transform and the ellipsoid
        # of ST_Length(g, 1) need CGCS2000's geographic CRS as well (one row, plat ignores it).
        run(["sqlite3", "-cmd", ".load mod_spatialite", ledger, "SELECT InsertEpsgSrid(4490);"], tmp)
        anchor_vals = {}
        for lyr in LAYERS:
            kind = "line" if lyr == "roads" else "polygon"
            for planar in (True, False):
                if not planar and a.no_ellipsoidal_sql:
                    continue
                m = "planar" if planar else "ellipsoidal"
                name = f"coverage {lyr} {m}: SpatiaLite"
                sql = spatialite_sql(tables[lyr], kind, not planar)
                timings[name] = repeat(name, a.anchor_reps, lambda i: run_spatialite(ledger, sql, tmp))
                anchor_vals["SpatiaLite", lyr, m] = parse_rows(timings[name].last.out)

        # The projects' own figures, checked (not timed) against the same SQL on the ledger.
        for kind, key in (("line", "project lines"), ("polygon", "project polygons")):
            for m in ("planar", "ellipsoidal"):
                rows = parse_rows(run_spatialite(ledger, spatialite_projects_sql(kind, m == "ellipsoidal"), tmp).out)
                plat_vals[key, m] = plat_vals["projects", m]
                anchor_vals["SpatiaLite", key, m] = rows

        # -- coverage: PostGIS --
        bindir, why = (None, "--no-postgis") if a.no_postgis else find_postgis()
        if not bindir:
            results["skipped"].append(f"PostGIS: {why}")
            note(f"skipped: {why}")
        else:
            note(f"PostGIS: a throwaway PostgreSQL {why} cluster on 127.0.0.1")
            # Its own folder: the server user must reach it, and need not reach the rest.
            pgwork = tempfile.mkdtemp(prefix="plat-bench-pg-")
            pg = PostGIS(bindir, pgwork, tmp)
            for lyr in ("townships",) + LAYERS:
                run(["ogr2ogr", "-f", "PostgreSQL", "PG:" + pg.conn(), gpkg, lyr, "-lco", "GEOMETRY_NAME=geom",
                     "-lco", "SPATIAL_INDEX=GIST", "-nln", lyr], tmp)
            pg.psql(["-c", "VACUUM ANALYZE"])
            for lyr in LAYERS:
                kind = "line" if lyr == "roads" else "polygon"
                for planar in (True, False):
                    if not planar and a.no_ellipsoidal_sql:
                        continue
                    m = "planar" if planar else "ellipsoidal"
                    name = f"coverage {lyr} {m}: PostGIS"
                    sql = postgis_sql(lyr, kind, not planar)
                    path = os.path.join(pgwork, "q.sql")
                    timings[name] = repeat(name, a.anchor_reps, lambda i: run_postgis(pg, sql, path))
                    anchor_vals["PostGIS", lyr, m] = parse_rows(timings[name].last.rows)
            pg.close()

        # -- agreement --
        for (anchor, lyr, m), vals in sorted(anchor_vals.items()):
            what = "km" if lyr in ("roads", "project lines") else "m2"
            # SpatiaLite's ST_Area(g, 1) is librttopo's approximate spheroidal area, about 1e-6
            # off the exact geodesic area (GeographicLib's, as PostGIS computes it, agrees with
            # plat to parts per billion): that one comparison gets 1e-5.
            polygons = lyr in ("farmland", "project polygons")
            rel = 1e-5 if (anchor, m) == ("SpatiaLite", "ellipsoidal") and polygons else 1e-6
            bad = disagreements(plat_vals[lyr, m], vals, what, rel)
            worst = max_rel(plat_vals[lyr, m], vals, what)
            key = f"{lyr} {m} vs {anchor}"
            results["agreement"][key] = {"townships": len(plat_vals[lyr, m]), "disagree": len(bad), "max_rel": worst,
                                         "tolerance": rel}
            if bad:
                failed.append(f"{key}: {len(bad)} townships differ, e.g. " +
                              ", ".join(f"{c}: plat {p!r} vs {q!r}" for c, p, q in bad[:3]))
        for k, t in timings.items():
            T[k] = {"median_s": t.median, "min_s": min(t.walls), "max_s": max(t.walls), "runs": len(t.walls),
                    "cpu_s": t.cpu, "peak_rss_kb": t.rss_kb}
        report(results, timings, counts, a)
        if a.json:
            with open(a.json, "w") as f:
                json.dump(results, f, indent=1, ensure_ascii=False)
        if failed:
            print("DISAGREE:\n  " + "\n  ".join(failed))
            return 1
        print("agreement: plat and every anchor agree in every township")
        return 0
    finally:
        if pg:
            pg.close()
            shutil.rmtree(pg.work, ignore_errors=True)
        if not a.keep and not a.work:
            shutil.rmtree(work, ignore_errors=True)


def report(results, timings, counts, a):
    print(f"machine: {results['machine']}")
    print(f"data: {results.get('data', a.gpkg)}")
    print(f"command: {results['command']}")
    for s in results["skipped"]:
        print(f"skipped: {s}")
    print(f"\n{'task':44} {'median s':>9} {'min-max s':>15} {'cpu s':>8} {'peak RSS':>9} {'vs plat':>8} "
          f"{'cpu vs':>7}")
    for k, t in timings.items():
        task, who = k.rsplit(": ", 1)
        ref = timings.get(f"{task}: plat")
        ratio = f"{t.median / ref.median:7.1f}x" if ref and who != "plat" and ref.median > 0 else ""
        cratio = f"{t.cpu / ref.cpu:6.1f}x" if ref and who != "plat" and ref.cpu > 0 else ""
        print(f"{k:44} {t.median:9.2f} {min(t.walls):7.2f}-{max(t.walls):<7.2f} {t.cpu:8.2f} {fmt_rss(t.rss_kb):>9} "
              f"{ratio:>8} {cratio:>7}")
    lines = []
    for lyr in LAYERS:
        e, p = timings.get(f"coverage {lyr} ellipsoidal: plat"), timings.get(f"coverage {lyr} planar: plat")
        if e and p:
            lines.append(f"ellipsoidal/planar {lyr}: {e.median / p.median:.2f}")
            results.setdefault("ellipsoidal_over_planar", {})[lyr] = e.median / p.median
        if e and p and p.cpu > 0:
            lines.append(f"ellipsoidal/planar {lyr} (cpu): {e.cpu / p.cpu:.2f}")
            results.setdefault("ellipsoidal_over_planar_cpu", {})[lyr] = e.cpu / p.cpu
        h = timings.get(f"coverage {lyr}_half planar: plat")
        if h and p and h.median > 0 and h.cpu > 0:
            # Features double from the half layer to the whole: t ~ n^k gives k = log2(t1/t0).
            k, kc = math.log(p.median / h.median, 2), math.log(p.cpu / h.cpu, 2)
            lines.append(f"scaling {lyr}: {counts[lyr] // 2} -> {counts[lyr]} features, "
                         f"{h.median:.2f} -> {p.median:.2f} s wall (exponent {k:.2f}), "
                         f"{h.cpu:.2f} -> {p.cpu:.2f} s cpu (exponent {kc:.2f})")
            results.setdefault("scaling_exponent", {})[lyr] = k
            results.setdefault("scaling_exponent_cpu", {})[lyr] = kc
    for k, v in results["agreement"].items():
        lines.append(f"agreement {k}: {v['townships']} townships, {v['disagree']} disagree, "
                     f"max relative difference {v['max_rel']:.1e} (allowed {v['tolerance']:g})")
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())

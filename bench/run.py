#!/usr/bin/env python3
"""bench/run.py - plat's coverage and import, side by side with SpatiaLite SQL and PostGIS.

One run, one data set. The runner generates a province (bench/generate.py; or takes --gpkg),
builds a plat ledger from it (init, townships, projects), and times on that same data:

  import     `plat layer import` of the roads and the parcels   vs  ogr2ogr into SpatiaLite
             and vs `plat layer import` into the same ledger kept in PostGIS
  coverage   `plat coverage --layer roads|farmland --json`, ellipsoidal and --planar
             vs the same per-township km and m2 from SpatiaLite SQL on the SAME ledger file
             (R*Tree SpatialIndex, ST_Intersection, ST_Length, ST_Area; ellipsoidal through
             ST_Transform to EPSG:4490 and ST_Length(g, 1) / ST_Area(g, 1))
             vs PostGIS with GiST indexes, when PostgreSQL and PostGIS are installed: a throwaway
             cluster on 127.0.0.1, started and stopped here
             and the same plat commands reading the ledger from that cluster (schema plat_bench,
             built with init, township, project and layer import over a libpq URL), beside
             PostGIS's own SQL
  scaling    plat coverage (planar) on half of each layer, for the exponent of time in features

Every command is a child process: wall time is the median of --reps runs, peak memory the
largest resident set any run reached (os.wait4's rusage of that child). PostGIS's memory is the
high-water mark of the server backend that ran the query (parallel workers are not in it). For
plat on PostGIS the memory is plat's process alone (the server's is not plat's), and the CPU the
server spent meanwhile is measured apart, from /proc, and shown beside plat's.

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
about 1e-5. plat's coverage read from the PostGIS ledger must be the JSON it prints from the
SQLite ledger: identical, or names, codes and counts equal and every figure within 1e-6 relative
(plus one unit of the last printed digit). Disagreement exits 1: that is what the test suite runs
this for (at --preset tiny and --preset suite, one repetition, with --require-postgis).

Needs: Python 3, the plat binary, and Debian's sqlite3 and libsqlite3-mod-spatialite (the
SpatiaLite anchor); gdal-bin for ogr2ogr; postgresql and postgresql-NN-postgis-3 for PostGIS.
Whatever is missing is skipped with a line that says so (PostGIS: unless --require-postgis).

Usage: run.py [--preset tiny|suite|county|province | --scale S] [--reps 3] [--plat PATH] [--keep] ...
"""
import argparse
import decimal
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
PG_SCHEMA = "plat_bench"  # plat's ledger in the cluster; PostGIS's own tables are in public


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
        # plat on PostGIS: the server's CPU during each run (plat_on_postgis), median.
        server = [r.server_cpu for r in runs if hasattr(r, "server_cpu")]
        self.server_cpu = statistics.median(server) if server else None
        self.last = runs[-1]

    @property
    def median(self):
        return statistics.median(self.walls)


def repeat(name, n, fn):
    runs = []
    for i in range(n):
        runs.append(fn(i))
        server = f", server {runs[-1].server_cpu:.2f} s cpu" if hasattr(runs[-1], "server_cpu") else ""
        note(f"  {name}: run {i + 1}/{n} {runs[-1].wall:.2f} s wall, {runs[-1].cpu:.2f} s cpu, "
             f"{runs[-1].rss_kb // 1024} MB{server}")
    return Timing(name, runs)


def note(msg):
    print(msg, file=sys.stderr, flush=True)


# ---- plat ----

class Plat:
    def __init__(self, binary, tmp, schema=None):
        self.bin, self.tmp, self.schema = binary, tmp, schema

    def __call__(self, db, *args, check=True):
        schema = ["--schema", self.schema] if self.schema else []
        return run([self.bin, "--db", db] + schema + ["-q"] + [str(a) for a in args], self.tmp, check=check)


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
        try:
            if self.user:
                shutil.chown(work, self.user)
                shutil.chown(self.data, self.user)
            run([os.path.join(bindir, "initdb"), "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--no-sync"], tmp, user=self.user)
            conf = (f"listen_addresses = '127.0.0.1'\nunix_socket_directories = '{work}'\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 512MB\n"
                    "work_mem = 64MB\nmaintenance_work_mem = 512MB\nmax_wal_size = 4GB\n")
            with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as f:
                f.write(conf)
            log = os.path.join(work, "pg.log")
            # The free port can be taken by another program before the server binds it (two
            # runs of the suite start at once): another port then, a few times; any other
            # failure to start ends the run.
            for attempt in range(3):
                if attempt:
                    self.port = free_port()
                with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as f:
                    f.write(f"port = {self.port}\n")
                if os.path.exists(log):
                    os.remove(log)
                r = run([os.path.join(bindir, "pg_ctl"), "-D", self.data, "-l", log, "-w", "start"], tmp,
                        user=self.user, check=False)
                self.started = True  # or half-started: close() stops whatever runs
                tail = ""
                if r.rc != 0 and os.path.exists(log):
                    with open(log, errors="replace") as f:
                        tail = f.read()[-2000:]
                if r.rc == 0 or "Address already in use" not in tail:
                    break
                note(f"PostGIS: port {self.port} was taken meanwhile")
            if r.rc != 0:
                raise SystemExit(f"bench: the PostgreSQL cluster did not start (pg_ctl exit {r.rc}):\n"
                                 f"{r.err[-1000:]}{tail}")
            self.psql(["-d", "postgres", "-c", "CREATE DATABASE bench"])
            self.psql(["-c", "CREATE EXTENSION postgis"])
        except BaseException:
            # The caller never sees this object: stop and remove the cluster here.
            self.close()
            shutil.rmtree(work, ignore_errors=True)
            raise

    def conn(self):
        return f"host=127.0.0.1 port={self.port} dbname=bench user=postgres"

    def url(self):
        """The same database as a libpq URL, the way a user gives it to plat --db."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/bench"

    def _processes(self):
        """{pid: /proc/PID/stat fields after the name} of the postmaster and its children."""
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            pm = int(f.readline())
        out = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(pid) == pm or int(fields[1]) == pm:
                out[int(pid)] = fields
        return out

    def server_cpu(self):
        """User + system seconds the cluster has used so far: its live processes, plus, in the
        postmaster's counts of its waited-for children, the backends that have ended."""
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            pm = int(f.readline())
        ticks = 0
        for pid, fields in self._processes().items():
            ticks += int(fields[11]) + int(fields[12])
            if pid == pm:
                ticks += int(fields[13]) + int(fields[14])
        return ticks / os.sysconf("SC_CLK_TCK")

    def settle(self, before, timeout=5.0):
        """Wait until the server has no processes but those in `before` (the backend of a client
        that just exited ends a moment later), so that its CPU time is counted whole."""
        end = time.monotonic() + timeout
        while set(self._processes()) - before and time.monotonic() < end:
            time.sleep(0.01)

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


def plat_on_postgis(pg, plat, *args):
    """A plat command against the ledger in the cluster: its own wall, CPU and peak RSS as any
    child's, and beside them (server_cpu) the CPU the server spent for it meanwhile: plat's
    backend, and whatever background work the server did in that time."""
    before = set(pg._processes())
    cpu0 = pg.server_cpu()
    r = plat(pg.url(), *args)
    pg.settle(before)
    r.server_cpu = pg.server_cpu() - cpu0
    return r


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


def json_differences(a, b, rel=1e-6):
    """Where two outputs of `plat coverage --json` differ: ([(path, a, b)], figures compared,
    largest relative difference). Names, codes and counts must be equal, and the structure;
    each figure within rel, plus one unit of the last digit printed (both sides are rounded to
    that digit, so values a hair apart can print a unit apart)."""
    bad, worst, figures = [], 0.0, 0

    def walk(x, y, path):
        nonlocal worst, figures
        if isinstance(x, decimal.Decimal) and isinstance(y, decimal.Decimal):
            figures += 1
            step = max(decimal.Decimal(1).scaleb(v.as_tuple().exponent) for v in (x, y))
            big = max(abs(x), abs(y))
            if big > 0:
                worst = max(worst, float(abs(x - y) / big))
            if abs(x - y) > decimal.Decimal(rel) * big + step:
                bad.append((path, x, y))
        elif isinstance(x, dict) and isinstance(y, dict):
            if x.keys() != y.keys():
                bad.append((path + " keys", sorted(x), sorted(y)))
            for k in x.keys() & y.keys():
                walk(x[k], y[k], f"{path}.{k}")
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                bad.append((path + " length", len(x), len(y)))
            for i, (u, v) in enumerate(zip(x, y)):
                walk(u, v, f"{path}[{i}]")
        elif type(x) is not type(y) or x != y:
            bad.append((path, x, y))

    walk(json.loads(a, parse_float=decimal.Decimal), json.loads(b, parse_float=decimal.Decimal), "")
    return bad, figures, worst


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
    ap.add_argument("--require-postgis", action="store_true",
                    help="fail, rather than skip, when PostgreSQL with PostGIS is not installed")
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
    bindir, why = (None, "--no-postgis") if a.no_postgis else find_postgis()
    if not bindir and a.require_postgis:
        raise SystemExit(f"bench: --require-postgis, but {why} (scripts/setup.sh installs it)")
    if not bindir:
        results["skipped"].append(f"PostGIS: {why}")
        note(f"skipped: {why}")
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

        # -- the same ledger in PostGIS, built by plat over a libpq URL --
        if bindir:
            note(f"PostGIS: a throwaway PostgreSQL {why} cluster on 127.0.0.1")
            # Its own folder: the server user must reach it, and need not reach the rest.
            pg = PostGIS(bindir, tempfile.mkdtemp(prefix="plat-bench-pg-"), tmp)
            plat_pg = Plat(os.path.abspath(a.plat), tmp, schema=PG_SCHEMA)

            def on_pg(*args):
                return plat_on_postgis(pg, plat_pg, *args)

            on_pg("init", "--crs", "EPSG:4547")
            on_pg("township", "import", gpkg, "--layer", "townships", "--code-field", "code", "--name-field", "name",
                  "--county-field", "county")
            on_pg("project", "import", gpkg, "--layer", "projects")
            note("import: plat layer import into PostGIS")
            # Between runs the layers are dropped again (untimed), where the SQLite ledger is
            # copied afresh: each run imports into a schema holding townships and projects only.
            runs = {lyr: [] for lyr in LAYERS}
            for i in range(a.reps):
                for lyr in LAYERS:
                    if i:
                        on_pg("layer", "drop", lyr)
                for lyr in LAYERS:
                    runs[lyr].append(on_pg("layer", "import", lyr, gpkg, "--layer", lyr, "--kind", lyr))
                    note(f"  plat import {lyr} into PostGIS: run {i + 1}/{a.reps} {runs[lyr][-1].wall:.2f} s, "
                         f"{runs[lyr][-1].cpu:.2f} s cpu, server {runs[lyr][-1].server_cpu:.2f} s cpu")
            for lyr in LAYERS:
                timings[f"import {lyr}: plat on PostGIS"] = Timing(f"import {lyr}: plat on PostGIS", runs[lyr])

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

        # -- coverage: plat on the PostGIS ledger, the same runs; its output against SQLite's --
        if pg:
            def cold_pg(args):
                pg.psql(["-c", f"DELETE FROM {PG_SCHEMA}.layer_sums"])
                return on_pg(*args)

            for lyr in LAYERS:
                for planar in (False, True):
                    m = "planar" if planar else "ellipsoidal"
                    name = f"coverage {lyr} {m}: plat on PostGIS"
                    args = ["coverage", "--layer", lyr, "--json"] + (["--planar"] if planar else []) + jobs
                    timings[name] = repeat(name, a.reps, lambda i: cold_pg(args))
                    again = f"coverage {lyr} {m} again: plat on PostGIS"
                    on_pg(*args)  # stores the layer's figures
                    timings[again] = repeat(again, a.reps, lambda i: on_pg(*args))
                    if timings[again].last.out != timings[name].last.out:
                        failed.append(f"{again}: the output differs from the first run's")
                    mine = timings[f"coverage {lyr} {m}: plat"].last.out
                    theirs = timings[name].last.out
                    bad, figures, worst = json_differences(mine, theirs)
                    key = f"coverage {lyr} {m}: plat on PostGIS vs plat on SQLite"
                    results["agreement"][key] = {"identical": mine == theirs, "figures": figures,
                                                 "disagree": len(bad), "max_rel": worst, "tolerance": 1e-6}
                    if bad:
                        failed.append(f"{key}: {len(bad)} figures differ, e.g. " +
                                      ", ".join(f"{p}: {x} vs {y}" for p, x, y in bad[:3]))

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

        # -- coverage: PostGIS's own SQL, on tables ogr2ogr loads into the same database --
        if pg:
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
                    path = os.path.join(pg.work, "q.sql")
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
            if t.server_cpu is not None:
                T[k]["server_cpu_s"] = t.server_cpu
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
    print(f"\n{'task':52} {'median s':>9} {'min-max s':>15} {'cpu s':>8} {'peak RSS':>9} {'vs plat':>8} "
          f"{'cpu vs':>7}")
    for k, t in timings.items():
        task, who = k.rsplit(": ", 1)
        ref = timings.get(f"{task}: plat")
        ratio = f"{t.median / ref.median:7.1f}x" if ref and who != "plat" and ref.median > 0 else ""
        cratio = f"{t.cpu / ref.cpu:6.1f}x" if ref and who != "plat" and ref.cpu > 0 else ""
        print(f"{k:52} {t.median:9.2f} {min(t.walls):7.2f}-{max(t.walls):<7.2f} {t.cpu:8.2f} {fmt_rss(t.rss_kb):>9} "
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
        if "figures" in v:
            lines.append(f"agreement {k}: " + ("identical JSON" if v["identical"] else
                         f"{v['figures']} figures, {v['disagree']} disagree, max relative difference "
                         f"{v['max_rel']:.1e} (allowed {v['tolerance']:g})"))
        else:
            lines.append(f"agreement {k}: {v['townships']} townships, {v['disagree']} disagree, "
                         f"max relative difference {v['max_rel']:.1e} (allowed {v['tolerance']:g})")
    print("\n" + "\n".join(lines))
    report_postgis(timings)


def report_postgis(timings):
    """plat reading its ledger from PostGIS beside PostGIS's own SQL on the same data. plat's
    peak RSS is its own process's; the server's memory is not plat's and is not in it. Its CPU
    is plat's own; the server's CPU during the run (its backend, and any background work) is
    given beside it, and the CPU ratio is to the two together, as the SQL's counts psql and
    its backend."""
    rows = [(k.rsplit(": ", 1)[0], t) for k, t in timings.items() if k.endswith(": plat on PostGIS")]
    if not rows:
        return
    print(f"\nplat on PostGIS (schema {PG_SCHEMA}; peak RSS is plat's process alone, not the server's)")
    print(f"{'task':38} {'median s':>9} {'cpu s':>7} {'server':>7} {'peak RSS':>9} {'SQL s':>7} {'SQL cpu':>8} "
          f"{'SQL/plat':>9} {'cpu':>6}")
    for task, t in rows:
        sql = timings.get(f"{task}: PostGIS") or timings.get(f"{task.replace(' again', '')}: PostGIS")
        cols = ""
        if sql:
            both = t.cpu + (t.server_cpu or 0.0)
            cols = (f"{sql.median:7.2f} {sql.cpu:8.2f} {sql.median / t.median:8.1f}x "
                    f"{sql.cpu / both if both > 0 else 0:5.1f}x")
        print(f"{task:38} {t.median:9.2f} {t.cpu:7.2f} {t.server_cpu or 0.0:7.2f} {fmt_rss(t.rss_kb):>9} {cols}")


if __name__ == "__main__":
    sys.exit(main())

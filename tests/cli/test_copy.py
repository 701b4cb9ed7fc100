"""plat copy SRC DST: a whole ledger into a new one, SQLite to SQLite and SQLite to PostgreSQL and
back, as the same ledger: every command that reads it prints the same bytes, `plat verify` walks
the same chain, and the ledger's own tables hold the same rows (geometry blobs included).

The source is the demo ledger with a history added to it (updates with Chinese notes, a quantity
done, a finished section, a correction, a new geometry, a removal, a township-level target),
built once for the file. The PostgreSQL tests need PLAT_TEST_PG, a connection string to a database
with PostGIS; each uses schemas of its own, dropped at the end. Without PLAT_TEST_PG they fail.
"""
import os
import shutil
import sqlite3
import subprocess
import tempfile
import urllib.parse
import uuid

from plat_test import DATA, PLAT, WRAPPER, PlatCase, digest, main

# What the copy must answer exactly as the source does (each with --db LEDGER [--schema S]).
READS = [
    ("project", "list", "--json"),
    ("project", "list", "--as-of", "2024-05-15", "--json"),
    ("project", "show", "PJ-004", "--json"),
    ("project", "show", "PJ-005", "--json"),
    ("project", "show", "PJ-050", "--json"),
    ("project", "show", "T-1", "--json"),
    ("project", "show", "PJ-004"),
    ("coverage", "--layer", "roads", "--layer", "farmland", "--json"),
    ("progress", "--by", "county", "--to", "2026-06-30", "--json"),  # a fixed day: a run may span midnight
    ("check", "conflicts", "--layer", "basic_farmland", "--json"),
    ("township", "list", "--json"),
    ("layer", "list", "--json"),
    ("verify",),
    ("verify", "--json"),
]

# The ledger's own tables (SpatiaLite's metadata and R*Tree tables are rebuilt, not copied).
LEDGER_TABLES = ("meta", "categories", "townships", "projects", "project_places", "project_events", "layers",
                 "layer_sums")


def ledger_rows(path):
    """Every row of the ledger's own tables and layer tables, geometry blobs included."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    tables = [n for n in names if n in LEDGER_TABLES or (n.startswith("layer_") and n[6:].isdigit())]
    rows = {t: con.execute(f'SELECT * FROM "{t}" ORDER BY 1, 2').fetchall() for t in tables}
    con.close()
    return rows


def run(args, cwd, env=None):
    e = dict(os.environ)
    e.pop("PLAT_DB", None)
    e.pop("PLAT_SCHEMA", None)
    e.pop("PLAT_FAULT_AT", None)
    e.update(env or {})
    return subprocess.run(WRAPPER + [PLAT] + list(args), capture_output=True, text=True, env=e, cwd=cwd, timeout=900)


SOURCE = {}


def setUpModule():
    """The demo ledger with a history added, built once for every test of this file."""
    shared = tempfile.mkdtemp(prefix="plat-copy-test-")
    src = os.path.join(shared, "src.sqlite")
    steps = [
        ["demo", "--data", DATA],
        ["project", "update", "PJ-004", "--status", "在建", "--progress", "30", "--done", "8",
         "--note", "路基施工，桥梁3座", "--date", "2024-03-01"],
        ["project", "update", "PJ-004", "--done-geom", "LINESTRING(113.30 28.70, 113.34 28.71)",
         "--note", "伍市段完工", "--date", "2024-06-30"],
        ["project", "update", "PJ-005", "--progress", "50", "--note", "路面铺筑", "--date", "2024-05-01"],
        ["project", "update", "PJ-050", "--geom", "LINESTRING(113.55 28.70, 113.60 28.72, 113.66 28.71)",
         "--precision", "sketched", "--date", "2024-04-10"],
        ["project", "rm", "NX-003", "--note", "并入二期", "--date", "2024-07-01"],
        ["project", "add", "--code", "T-1", "--name", "伍市镇高标准农田（乡镇级目标）", "--category", "高标准农田",
         "--precision", "township", "--township", "伍市镇", "--target", "2000亩", "--date", "2024-02-01"],
    ]
    for s in steps:
        r = run(["--db", src] + s, shared)
        assert r.returncode == 0, f"{s}: {r.stderr}"
    # The correction needs the id of the event it corrects: the newest of PJ-005.
    con = sqlite3.connect(src)
    (corrected,) = con.execute("SELECT max(e.id) FROM project_events e JOIN projects p ON p.id = e.project_id "
                               "WHERE p.code = 'PJ-005'").fetchone()
    con.close()
    r = run(["--db", src, "project", "update", "PJ-005", "--corrects", str(corrected), "--progress", "45",
             "--note", "更正：进度按验收计"], shared)
    assert r.returncode == 0, r.stderr
    reads = [run(["--db", src] + list(a), shared) for a in READS]
    for a, r in zip(READS, reads):
        assert r.returncode == 0, f"{a}: {r.stderr}"
    SOURCE.update(shared=shared, src=src, reads=reads)


def tearDownModule():
    shutil.rmtree(SOURCE["shared"], ignore_errors=True)


class Source(PlatCase):
    """Tests that copy the module's source ledger (self.src; never written to)."""

    def setUp(self):
        super().setUp()
        self.shared, self.src, self.src_reads = SOURCE["shared"], SOURCE["src"], SOURCE["reads"]

    def copy(self, *args, env=None):
        return self.plat("copy", *args, db=False, env=env)

    def assert_same_ledger(self, *db):
        """Every read of READS on the ledger db (--db X [--schema S]) prints what it prints on
        the source, byte for byte."""
        for a, want in zip(READS, self.src_reads):
            got = self.plat(*db, *a, db=False)
            self.assertEqual(got.rc, 0, f"{a}: {got}")
            self.assertEqual(got.out, want.stdout, f"plat {' '.join(a)} differs on the copy")


class SqliteCopyTest(Source):
    def test_the_copy_is_the_same_ledger(self):
        dst = os.path.join(self.dir, "copy.sqlite")
        before = digest(self.src)
        r = self.copy(self.src, dst)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, f"copied 66 townships, 138 projects (144 events), 5 layers (3007 features) "
                                f"from {self.src} to {dst}\n")
        self.assertEqual(digest(self.src), before, "copying changed the source")
        self.assert_same_ledger("--db", dst)
        self.assertEqual(ledger_rows(dst), ledger_rows(self.src))

    def test_history_and_chinese_text_arrive_intact(self):
        dst = os.path.join(self.dir, "copy.sqlite")
        self.assertEqual(self.copy(self.src, dst).rc, 0)
        self.assertEqual(self.plat("--db", dst, "verify", db=False).out,
                         "ok: 144 events, hash chain intact, schema version 3\n")
        show = self.plat("--db", dst, "project", "show", "PJ-005", "--json", db=False).json()
        notes = [e["note"] for e in show["history"]]
        self.assertIn("路面铺筑", notes)
        self.assertIn("更正：进度按验收计", notes)
        self.assertEqual(show["progress"], 45)
        pj4 = self.plat("--db", dst, "project", "show", "PJ-004", "--json", db=False).json()
        self.assertEqual(pj4["done"], 8)
        self.assertTrue(pj4["done_geometry"])
        self.assertIn("伍市段完工", [e["note"] for e in pj4["history"]])
        t1 = self.plat("--db", dst, "project", "show", "T-1", "--json", db=False).json()
        self.assertEqual((t1["name"], t1["precision"], t1["target"]),
                         ("伍市镇高标准农田（乡镇级目标）", "township", {"qty": 2000, "unit": "亩"}))
        listed = {p["code"] for p in self.plat("--db", dst, "project", "list", "--json", db=False).json()}
        self.assertNotIn("NX-003", listed)  # removed in the source, removed in the copy
        self.assertEqual(len(listed), 137)

    def test_the_copy_goes_on_as_the_source_would(self):
        """The same writes on the copy and on the source file itself (with the clock fixed)
        give the same ledger: the same ids, places and hashes."""
        dst = os.path.join(self.dir, "copy.sqlite")
        twin = os.path.join(self.dir, "twin.sqlite")
        shutil.copy(self.src, twin)
        self.assertEqual(self.copy(self.src, dst).rc, 0)
        clock = {"PLAT_NOW": "2025-01-02T03:04:05Z"}
        for db in (dst, twin):
            self.ok("--db", db, "project", "update", "PJ-004", "--progress", "60", "--note", "续建", db=False, env=clock)
            self.ok("--db", db, "project", "add", "--code", "C-1", "--name", "复制后新增", "--category", "公路",
                    "--geom", "LINESTRING(113.30 28.70, 113.38 28.72)", db=False, env=clock)
            self.ok("--db", db, "township", "import", os.path.join(DATA, "seed_counties.geojson"), db=False, env=clock)
        self.assertEqual(self.plat("--db", dst, "verify", db=False).out,
                         "ok: 146 events, hash chain intact, schema version 3\n")
        for args in (("project", "show", "C-1", "--json"), ("project", "show", "PJ-004", "--json"),
                     ("coverage", "--json")):
            self.assertEqual(self.plat("--db", dst, *args, db=False).out, self.plat("--db", twin, *args, db=False).out)
        self.assertEqual(ledger_rows(dst), ledger_rows(twin))

    def test_an_existing_dst_is_refused_unless_overwrite(self):
        dst = os.path.join(self.dir, "other.sqlite")
        self.ok("--db", dst, "init", "--crs", "EPSG:4546", db=False)
        before = digest(dst)
        r = self.copy(self.src, dst)
        self.assertEqual(r.rc, 1, r)
        self.assertIn(f"plat: {dst} holds a ledger already; pass --overwrite to replace it", r.err)
        self.assertEqual(digest(dst), before)
        r = self.copy(self.src, dst, "--overwrite")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(ledger_rows(dst), ledger_rows(self.src))
        self.assertEqual(self.plat("--db", dst, "township", "list", "--json", db=False).out,
                         self.src_reads[READS.index(("township", "list", "--json"))].stdout)

    def test_overwrite_replaces_only_a_ledger_and_never_src(self):
        notes = self.write("notes.sqlite", "not a ledger")
        r = self.copy(self.src, notes)
        self.assertEqual(r.rc, 1, r)
        self.assertIn(f"plat: {notes} exists; choose another file", r.err)
        r = self.copy(self.src, notes, "--overwrite")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("exists and is not a plat ledger; not overwriting it", r.err)
        with open(notes, encoding="utf-8") as f:
            self.assertEqual(f.read(), "not a ledger")
        before = digest(self.src)
        r = self.copy(self.src, os.path.join(self.shared, ".", "src.sqlite"), "--overwrite")  # SRC spelled otherwise
        self.assertEqual(r.rc, 1, r)
        self.assertIn("is SRC itself", r.err)
        self.assertEqual(digest(self.src), before)

    def test_a_failed_copy_leaves_no_dst(self):
        dst = os.path.join(self.dir, "copy.sqlite")
        # The writes of a whole copy, found by bisection: PLAT_FAULT_AT=N fails for every N up to
        # the last write (the COMMIT) and not beyond.
        lo, hi = 1, 64
        while self.copy(self.src, dst, env={"PLAT_FAULT_AT": str(hi)}).rc != 0:
            lo, hi = hi, hi * 2
            self.assertFalse(os.path.exists(dst))
        os.remove(dst)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.copy(self.src, dst, env={"PLAT_FAULT_AT": str(mid)}).rc == 0:
                hi = mid
                os.remove(dst)
            else:
                lo = mid
        last = lo
        # A write for every row copied, at least: 66 + 138 + 144 + 3007 features + places + sums.
        self.assertGreater(last, 66 + 138 + 144 + 3007)
        for n in sorted({1, 2, 3, 5, 8, 13, 40, 100, 400, 1000, 3000, last - 1, last}):
            r = self.copy(self.src, dst, env={"PLAT_FAULT_AT": str(n)})
            self.assertEqual(r.rc, 1, f"PLAT_FAULT_AT={n}: {r}")
            self.assertIn(f"injected fault at write {n} (PLAT_FAULT_AT)", r.err)
            self.assertEqual(r.out, "")
            for leftover in (dst, dst + "-wal", dst + "-shm"):
                self.assertFalse(os.path.exists(leftover), f"PLAT_FAULT_AT={n} left {leftover}")
        self.assertEqual(self.copy(self.src, dst, env={"PLAT_FAULT_AT": str(last + 1)}).rc, 0)
        self.assertEqual(ledger_rows(dst), ledger_rows(self.src))

    def test_bad_sources_and_usage(self):
        dst = os.path.join(self.dir, "copy.sqlite")
        r = self.copy(os.path.join(self.dir, "missing.sqlite"), dst)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("missing.sqlite", r.err)
        self.assertFalse(os.path.exists(dst))
        # A layer registry naming a table plat would never make is not written into SQL.
        bad = os.path.join(self.dir, "bad.sqlite")
        shutil.copy(self.src, bad)
        con = sqlite3.connect(bad)
        con.execute("UPDATE layers SET table_name = 'projects' WHERE name = 'rivers'")
        con.commit()
        con.close()
        r = self.copy(bad, dst)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("layer 2 keeps its features in 'projects', not in layer_2", r.err)
        self.assertFalse(os.path.exists(dst))
        self.assertEqual(self.copy(self.src).rc, 2)
        r = self.copy(self.src, dst, "--db", self.src)
        self.assertEqual(r.rc, 2)
        self.assertIn("the ledgers are SRC and DST, not --db", r.err)
        self.assertFalse(os.path.exists(dst))


def pg_target():
    return os.environ.get("PLAT_TEST_PG", "")


def respell(target):
    """The same connection in libpq's other form: a URI as key=value pairs, and back."""
    if target.startswith("PG:"):
        target = target[3:]
    if not target.startswith("postgres"):
        pairs = dict(kv.split("=", 1) for kv in target.split())
        query = "&".join(f"{k}={urllib.parse.quote(v, safe='/')}" for k, v in pairs.items() if k != "dbname")
        return f"postgresql:///{pairs.get('dbname', '')}" + (f"?{query}" if query else "")
    u = urllib.parse.urlsplit(target)
    pairs = {"dbname": u.path.lstrip("/")} if u.path.strip("/") else {}
    if u.hostname:
        pairs["host"] = u.hostname
    if u.port:
        pairs["port"] = str(u.port)
    if u.username:
        pairs["user"] = u.username
    pairs.update(urllib.parse.parse_qsl(u.query))
    return "PG:" + " ".join(f"{k}={v}" for k, v in pairs.items())


def psql(sql):
    target = pg_target()
    if target.startswith("PG:"):
        target = target[3:]
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", target, "-c", sql],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError(f"psql {sql}: {out.stderr}")
    return out.stdout.strip()


class PostgresCopyTest(Source):
    def setUp(self):
        if not pg_target():
            self.fail("PLAT_TEST_PG is not set: give it a connection string to a PostgreSQL database with PostGIS "
                      "(e.g. postgresql:///plat?host=/tmp/pg&user=postgres) to run the PostgreSQL copy tests")
        super().setUp()
        self.schemas = []
        self.pg = pg_target()

    def tearDown(self):
        for s in self.schemas:
            psql(f"DROP SCHEMA IF EXISTS {s} CASCADE")
        super().tearDown()

    def schema(self):
        s = "t_copy_" + uuid.uuid4().hex[:12]
        self.schemas.append(s)
        return s

    def schema_exists(self, s):
        return psql(f"SELECT count(*) FROM pg_namespace WHERE nspname = '{s}'") == "1"

    def test_round_trip_through_postgis_is_the_same_ledger(self):
        s = self.schema()
        r = self.copy(self.src, self.pg, "--schema", s)
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"^copied 66 townships, 138 projects \(144 events\), 5 layers \(3007 features\) "
                                rf"from {self.src} to PG:.* \(schema {s}\)\n$")
        self.assert_same_ledger("--db", self.pg, "--schema", s)
        # the hash chain is the source's, byte for byte
        con = sqlite3.connect(self.src)
        want = "\n".join("|".join(map(str, r)) for r in con.execute(
            "SELECT id, prev_hash, hash FROM project_events ORDER BY id"))
        (head,) = con.execute("SELECT value FROM meta WHERE key = 'history_head'").fetchone()
        con.close()
        self.assertEqual(psql(f"SELECT id, prev_hash, hash FROM {s}.project_events ORDER BY id"), want)
        self.assertEqual(psql(f"SELECT value FROM {s}.meta WHERE key = 'history_head'"), head)
        self.assertEqual(psql(f"SELECT ST_SRID(geom) FROM {s}.townships LIMIT 1"), "4547")

        back = os.path.join(self.dir, "back.sqlite")
        r = self.copy(self.pg, back, "--from-schema", s)
        self.assertEqual(r.rc, 0, r)
        self.assertIn(f"(schema {s}) to {back}\n", r.out)
        self.assert_same_ledger("--db", back)
        self.assertEqual(ledger_rows(back), ledger_rows(self.src))

    def test_postgis_to_postgis(self):
        a, b = self.schema(), self.schema()
        self.assertEqual(self.copy(self.src, self.pg, "--schema", a).rc, 0)
        r = self.copy(self.pg, self.pg, "--from-schema", a, "--schema", b)
        self.assertEqual(r.rc, 0, r)
        self.assert_same_ledger("--db", self.pg, "--schema", b)

    def test_the_postgis_copy_goes_on_as_a_ledger(self):
        s = self.schema()
        self.assertEqual(self.copy(self.src, self.pg, "--schema", s).rc, 0)
        db = ("--db", self.pg, "--schema", s)
        # New rows take ids after the copied ones (the identity sequences were moved on).
        self.ok(*db, "project", "add", "--code", "C-1", "--name", "复制后新增", "--category", "公路",
                "--geom", "LINESTRING(113.30 28.70, 113.38 28.72)", db=False)
        self.assertEqual(psql(f"SELECT id FROM {s}.projects WHERE code = 'C-1'"), "139")
        roads = self.write("roads.geojson", '{"type":"FeatureCollection","features":[{"type":"Feature",'
                           '"properties":{"名称":"新路"},"geometry":{"type":"LineString",'
                           '"coordinates":[[113.30,28.70],[113.31,28.71]]}}]}')
        self.ok(*db, "layer", "import", "新路", roads, "--kind", "roads", db=False)
        self.assertEqual(psql(f"SELECT id || ' ' || table_name FROM {s}.layers WHERE name = '新路'"), "6 layer_6")
        self.ok(*db, "layer", "import", "roads", os.path.join(DATA, "ref_roads.geojson"), "--kind", "roads",
                "--replace", db=False)
        self.assertEqual(self.plat(*db, "verify", db=False).out, "ok: 145 events, hash chain intact, schema version 3\n")

    def test_an_existing_schema_is_refused_unless_overwrite(self):
        s = self.schema()
        self.ok("--db", self.pg, "--schema", s, "init", "--crs", "EPSG:4546", db=False)
        r = self.copy(self.src, self.pg, "--schema", s)
        self.assertEqual(r.rc, 1, r)
        self.assertIn(f"(schema {s}) holds a ledger already; pass --overwrite to replace it", r.err)
        self.assertEqual(psql(f"SELECT value FROM {s}.meta WHERE key = 'srid'"), "4546")
        r = self.copy(self.src, self.pg, "--schema", s, "--overwrite")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(psql(f"SELECT value FROM {s}.meta WHERE key = 'srid'"), "4547")
        # SRC itself, spelled as another connection string, is never overwritten
        r = self.copy(self.pg, respell(self.pg), "--from-schema", s, "--schema", s, "--overwrite")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("is SRC itself", r.err)
        self.assertEqual(psql(f"SELECT count(*) FROM {s}.projects"), "138")

    def test_a_failed_copy_leaves_no_schema(self):
        s = self.schema()
        for n in (1, 2, 50, 3000):
            r = self.copy(self.src, self.pg, "--schema", s, env={"PLAT_FAULT_AT": str(n)})
            self.assertEqual(r.rc, 1, f"PLAT_FAULT_AT={n}: {r}")
            self.assertIn(f"injected fault at write {n} (PLAT_FAULT_AT)", r.err)
            self.assertFalse(self.schema_exists(s), f"PLAT_FAULT_AT={n} left the schema {s}")
        back = os.path.join(self.dir, "back.sqlite")
        self.assertEqual(self.copy(self.src, self.pg, "--schema", s).rc, 0)
        r = self.copy(self.pg, back, "--from-schema", s, env={"PLAT_FAULT_AT": "1000"})
        self.assertEqual(r.rc, 1, r)
        self.assertFalse(os.path.exists(back))

    def test_a_password_is_never_printed(self):
        s = self.schema()
        if self.pg.startswith("postgres"):
            target = self.pg + ("&" if "?" in self.pg else "?") + "password=sesame-4711"
        else:
            target = self.pg + " password=sesame-4711"
        r = self.copy(self.src, target, "--schema", s)
        self.assertEqual(r.rc, 0, r)
        self.assertNotIn("sesame-4711", r.out + r.err)
        r = self.copy(self.src, target, "--schema", s)
        self.assertEqual(r.rc, 1)
        self.assertNotIn("sesame-4711", r.out + r.err)


if __name__ == "__main__":
    main()

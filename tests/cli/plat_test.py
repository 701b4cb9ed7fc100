"""Shared helpers for plat's end-to-end tests: run the binary, read its JSON, fingerprint a ledger.

Each test module is a unittest file run by ctest with PLAT_BIN (the plat executable) and
PLAT_DATA (the repository's data/ folder) in the environment.

The same tests run on both backends of the store. PLAT_TEST_BACKEND=sqlite (the default) keeps
each ledger in a SQLite file in the test's temporary folder; PLAT_TEST_BACKEND=pg keeps it in a
schema of its own (`t_` and random hex) in the PostgreSQL + PostGIS cluster whose connection
string is PLAT_TEST_PG (scripts/pg_cluster.sh starts one), and drops the schema afterwards.
A ledger is then a pair (db, schema): `--db` and, on PostgreSQL, `--schema`. Tests look into
a ledger through digest() and PlatCase.sql(), which speak to either backend; what only makes
sense for a SQLite file is guarded by PlatCase.sqlite_only().
"""
import collections
import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

PLAT = os.environ.get("PLAT_BIN", "plat")
DATA = os.environ.get("PLAT_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "data"))
COUNTIES = os.path.join(DATA, "seed_counties.geojson")
# PLAT_TEST_WRAPPER lets CI run every command under valgrind: "valgrind --error-exitcode=99 ..."
WRAPPER = os.environ.get("PLAT_TEST_WRAPPER", "").split()

BACKEND = os.environ.get("PLAT_TEST_BACKEND") or "sqlite"
PG = os.environ.get("PLAT_TEST_PG", "")
ON_PG = BACKEND == "pg"
PG_BIN = "/usr/lib/postgresql/15/bin"   # Debian's own; not on PATH on a fresh machine
PSQL = next((p for p in (os.path.join(PG_BIN, "psql"), "/usr/bin/psql") if os.path.exists(p)), "psql")
PG_DUMP = next((p for p in (os.path.join(PG_BIN, "pg_dump"), "/usr/bin/pg_dump") if os.path.exists(p)), "pg_dump")


def backend_problem():
    """Why the tests cannot run on the backend asked for, or None. A missing server is a
    failure, never a skip: CI must not pass without having run the PostgreSQL tests."""
    if BACKEND not in ("sqlite", "pg"):
        return f"PLAT_TEST_BACKEND={BACKEND!r}: expected sqlite or pg"
    if ON_PG and not PG:
        return ("PLAT_TEST_BACKEND=pg needs PLAT_TEST_PG, the connection string of a running PostgreSQL + "
                "PostGIS cluster: `scripts/pg_cluster.sh start DIR` starts one and prints it "
                "(scripts/test.sh does so for every run)")
    return None


class SqlError(Exception):
    """A statement the ledger's database refused (sqlite3's error, or psql's message)."""


Ledger = collections.namedtuple("Ledger", "db schema")
Ledger.__doc__ = "Where a ledger lives: a SQLite file (schema None) or a schema in the PLAT_TEST_PG cluster."


def as_ledger(ledger):
    return ledger if isinstance(ledger, Ledger) else Ledger(ledger, None)


def ledger_args(ledger):
    """The options that name a ledger on plat's command line."""
    ledger = as_ledger(ledger)
    return ["--db", ledger.db] + (["--schema", ledger.schema] if ledger.schema else [])


def new_ledger(folder, name):
    """A ledger not made yet: the file `name` in folder, or on PostgreSQL a new schema name
    (nothing is created; drop_ledger() removes whatever plat made of it)."""
    if ON_PG:
        return Ledger(PG, "t_" + secrets.token_hex(6))
    return Ledger(os.path.join(folder, name), None)


def drop_ledger(ledger):
    """Remove a PostgreSQL ledger's schema; files go with their folder."""
    ledger = as_ledger(ledger)
    if ledger.schema:
        psql(f"DROP SCHEMA IF EXISTS {ident(ledger.schema)} CASCADE")


def ledger_exists(ledger):
    ledger = as_ledger(ledger)
    if ledger.schema:
        return psql(f"SELECT count(*) FROM pg_namespace WHERE nspname = {literal(ledger.schema)}").strip() == "1"
    return os.path.exists(ledger.db)


def foreign_schema(ledger):
    """Make a PostgreSQL ledger's schema hold something else: one table `t` of someone else's,
    with one row ('not a ledger'), for the tests that plat refuses to read or replace it."""
    psql(f"CREATE SCHEMA {ident(ledger.schema)}; CREATE TABLE {ident(ledger.schema)}.t(x text); "
         f"INSERT INTO {ident(ledger.schema)}.t VALUES ('not a ledger')")


def schema_version(ledger):
    """A ledger's schema version: a file's PRAGMA user_version, a schema's meta.schema_version."""
    ledger = as_ledger(ledger)
    if ledger.schema:
        return int(query(ledger, "SELECT value FROM meta WHERE key = 'schema_version'")[0][0])
    return query(ledger, "PRAGMA user_version")[0][0]


def set_schema_version(ledger, version):
    """Make a ledger claim another schema version, as a newer plat would have left it."""
    ledger = as_ledger(ledger)
    if ledger.schema:
        query(ledger, "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    else:
        query(ledger, f"PRAGMA user_version = {int(version)}")


@contextlib.contextmanager
def writer_holding(ledger):
    """Hold a ledger's write lock from another connection for the length of a `with`, as a
    writer in the middle of its transaction would: SQLite's BEGIN IMMEDIATE, or on PostgreSQL
    the advisory lock plat's writers take on the schema (layers/store.c)."""
    ledger = as_ledger(ledger)
    if not ledger.schema:
        con = sqlite3.connect(ledger.db, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            con.execute("ROLLBACK")
            con.close()
        return
    proc = subprocess.Popen([PSQL, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", PG], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, encoding="utf-8", env=pg_env())
    try:
        proc.stdin.write(f"SET search_path TO {ident(ledger.schema)}; BEGIN; "
                         "SELECT pg_advisory_xact_lock(hashtext('plat ledger ' || current_schema())); SELECT 'held';\n")
        proc.stdin.flush()
        for line in proc.stdout:  # the lock is held once psql answers the next statement
            if line.strip() == "held":
                break
        else:
            raise SqlError(f"psql could not take the write lock of schema {ledger.schema}")
        yield
    finally:
        proc.stdin.close()  # psql ends, and the transaction with it
        proc.wait(timeout=60)
        proc.stdout.close()


def copy_ledger(src, dst):
    """Copy a whole ledger: the file, or the schema through pg_dump with its name replaced
    (a random `t_` name never occurs in the data)."""
    src, dst = as_ledger(src), as_ledger(dst)
    if not src.schema:
        shutil.copyfile(src.db, dst.db)
        return
    dump = subprocess.run([PG_DUMP, "--no-owner", "--no-privileges", "--schema", src.schema, "-d", PG],
                          capture_output=True, encoding="utf-8", env=pg_env(), timeout=300)
    if dump.returncode != 0:
        raise SqlError(f"pg_dump of schema {src.schema}: {dump.stderr.strip()}")
    psql(dump.stdout.replace(src.schema, dst.schema))


def ident(name):
    return '"' + name.replace('"', '""') + '"'


def literal(text):
    return "'" + text.replace("'", "''") + "'"


def pg_env():
    e = dict(os.environ)
    e["PGCLIENTENCODING"] = "UTF8"
    return e


def psql(script, variables=None):
    """Run SQL on the cluster with psql: unaligned rows, one per line, fields split by '|';
    psql's own message as SqlError if a statement fails."""
    if not PG:
        raise AssertionError(backend_problem())
    cmd = [PSQL, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", PG]
    for k, v in (variables or {}).items():
        cmd += ["-v", f"{k}={v}"]
    proc = subprocess.run(cmd, input=script, capture_output=True, encoding="utf-8", env=pg_env(), timeout=300)
    if proc.returncode != 0:
        raise SqlError(proc.stderr.strip() or f"psql exited {proc.returncode}")
    return proc.stdout


ROWS = re.compile(r"\s*(SELECT|WITH|VALUES|TABLE)\b", re.IGNORECASE)


def query(ledger, sql, params=()):
    """Run one statement on a ledger; the rows of a query as tuples, [] for anything else.
    `?` marks parameters, as in sqlite3 (never inside a quoted literal here). On PostgreSQL each row travels as row_to_json, so
    numbers come back as numbers, NULL as None and booleans as True / False (== 1 / 0);
    a JSON value (jsonb, or a geometry as GeoJSON) comes back as JSON text."""
    ledger = as_ledger(ledger)
    if not ledger.schema:
        con = sqlite3.connect(ledger.db)
        try:
            rows = con.execute(sql, params).fetchall()
            con.commit()
            return rows
        except sqlite3.DatabaseError as e:
            raise SqlError(str(e)) from e
        finally:
            con.close()
    # psql quotes a variable written :'name' as a literal, whatever it holds.
    parts = sql.split("?")
    if len(parts) != len(params) + 1:
        raise AssertionError(f"{len(params)} parameters for {len(parts) - 1} placeholders in {sql}")
    variables = {}
    text = parts[0]
    for i, (value, part) in enumerate(zip(params, parts[1:])):
        if value is None:
            text += "NULL" + part
        else:
            variables[f"p{i}"] = value if isinstance(value, str) else repr(value)
            text += f":'p{i}'" + part
    script = f"SET search_path TO {ident(ledger.schema)}, public;\n"
    if ROWS.match(text):
        script += f"SELECT row_to_json(q) FROM ({text}) AS q;\n"
    else:
        script += text + ";\n"
    rows = []
    for line in psql(script, variables).splitlines():
        pairs = json.loads(line, object_pairs_hook=JsonPairs)
        rows.append(tuple(json.dumps(unpairs(v), ensure_ascii=False) if isinstance(v, (JsonPairs, list)) else v
                          for _, v in pairs))
    return rows


class JsonPairs(list):
    """A JSON object as its (key, value) pairs in order: a row keeps columns of the same name."""


def unpairs(v):
    if isinstance(v, JsonPairs):
        return {k: unpairs(x) for k, x in v}
    if isinstance(v, list):
        return [unpairs(x) for x in v]
    return v


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"rc={self.rc}\nstdout:\n{self.out}\nstderr:\n{self.err}"


def remove_all(folder, ledgers):
    for ledger in ledgers:
        drop_ledger(ledger)
    shutil.rmtree(folder, ignore_errors=True)


class PlatCase(unittest.TestCase):
    """A test case with a fresh temporary folder and a ledger of its own: `ledger.sqlite` inside
    the folder (self.db its path, self.pg_schema None), or a new schema on PostgreSQL (self.db the
    cluster's connection string, self.pg_schema its name)."""

    def setUp(self):
        problem = backend_problem()
        if problem:
            self.fail(problem)
        self.dir = tempfile.mkdtemp(prefix="plat-test-")
        self.made = []
        # A cleanup, not tearDown: it runs even when a subclass's setUp fails after this one. It
        # is given this folder and list, not the attributes: a test may call setUp again.
        self.addCleanup(remove_all, self.dir, self.made)
        self.use(self.other_ledger("ledger.sqlite"))

    @property
    def current_ledger(self):
        return Ledger(self.db, self.pg_schema)

    def use(self, ledger):
        """Point every later command at this ledger."""
        self.db, self.pg_schema = as_ledger(ledger)

    def other_ledger(self, name):
        """Another ledger for this test (the file `name` in its folder, or a new schema),
        removed with the test."""
        ledger = new_ledger(self.dir, name)
        self.made.append(ledger)
        return ledger

    def plat(self, *args, db=True, env=None, stdin=None):
        cmd = WRAPPER + [PLAT] + (ledger_args(self.current_ledger) if db else []) + [str(a) for a in args]
        e = dict(os.environ)
        for var in ("PLAT_DB", "PLAT_SCHEMA", "PLAT_FAULT_AT"):
            e.pop(var, None)
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

    def digest(self):
        return digest(self.current_ledger)

    def unchanged(self, before):
        self.assertEqual(self.digest(), before, "the ledger changed after a failed command")

    def sql(self, statement, params=()):
        """Rows of a query on the current ledger, whatever the backend (see query())."""
        return query(self.current_ledger, statement, params)

    def remove_ledger(self):
        """Remove the current ledger (the file, or the schema), to make it again."""
        if self.pg_schema:
            drop_ledger(self.current_ledger)
        elif os.path.exists(self.db):
            os.remove(self.db)

    def exists(self):
        """Whether the current ledger has been made: the file, or the schema."""
        return ledger_exists(self.current_ledger)

    def sqlite_only(self, why):
        """Skip the rest of this test on PostgreSQL: it is about the SQLite file itself."""
        if ON_PG:
            self.skipTest(f"SQLite only: {why}")


def digest(ledger):
    """A fingerprint of everything a ledger holds. A SQLite file: schema, pragmas and every row
    of every ordinary table (R*Tree shadow tables included), independent of WAL or page layout.
    A PostgreSQL schema: see pg_digest()."""
    ledger = as_ledger(ledger)
    if ledger.schema:
        return pg_digest(ledger.schema)
    con = sqlite3.connect(f"file:{ledger.db}?mode=ro", uri=True)
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


# The catalog of one schema, each part in a fixed order: its comment, every relation's columns
# (name, type, NOT NULL, default), constraints, indexes, triggers and functions; then every row
# of every table as its text form (a geometry's text form is its hex EWKB), ordered by that text.
# Sequence values are left out: PostgreSQL does not roll them back with a failed transaction.
PG_DIGEST = """
SELECT 'schema', coalesce(obj_description(oid, 'pg_namespace'), '') FROM pg_namespace WHERE nspname = :'s';
SELECT 'column', c.relkind, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       coalesce(pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
 WHERE n.nspname = :'s' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
 ORDER BY c.relname COLLATE "C", a.attnum;
SELECT 'constraint', c.relname, x.conname, pg_get_constraintdef(x.oid)
  FROM pg_constraint x JOIN pg_class c ON c.oid = x.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :'s' ORDER BY c.relname COLLATE "C", x.conname COLLATE "C";
SELECT 'index', pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :'s' ORDER BY pg_get_indexdef(i.indexrelid) COLLATE "C";
SELECT 'trigger', pg_get_triggerdef(t.oid)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :'s' AND NOT t.tgisinternal ORDER BY pg_get_triggerdef(t.oid) COLLATE "C";
SELECT 'function', pg_get_functiondef(p.oid)
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = :'s' AND p.prokind IN ('f', 'p') ORDER BY pg_get_functiondef(p.oid) COLLATE "C";
SELECT format('SELECT %L, t::text FROM %I.%I AS t ORDER BY t::text COLLATE "C"', c.relname, n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :'s' AND c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
 ORDER BY c.relname COLLATE "C" \\gexec
"""


def pg_digest(schema):
    """A fingerprint of everything one schema holds (PG_DIGEST), by psql, with the schema's
    own name taken out wherever it occurs (qualified names, a function's search_path), so that
    a copy under another name has the same fingerprint."""
    out = psql(PG_DIGEST, {"s": schema})
    return hashlib.sha256(out.replace(schema, "<schema>").encode()).hexdigest()


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


def main():
    """unittest.main, after checking that the backend asked for can be reached."""
    problem = backend_problem()
    if problem:
        print(f"{os.path.basename(sys.argv[0])}: {problem}", file=sys.stderr)
        sys.exit(1)
    unittest.main()

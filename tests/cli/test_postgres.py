"""A ledger on PostgreSQL + PostGIS: what only a server has. Connection strings in their three
forms, passwords that never show, a role that may only read, missing privileges named, schemas
side by side, an import killed half-way, and the demo's figures equal to a SQLite ledger's.

Needs PLAT_TEST_PG, a libpq connection string to a database with PostGIS whose user may create
roles and databases (scripts/test.sh starts a throwaway cluster and sets it); without it every
test here fails: a missing server is not a reason to skip."""
import json
import os
import secrets
import signal
import subprocess
import time
import unittest
import urllib.parse

from plat_test import COUNTIES, DATA, PLAT, PlatCase, main

PG = os.environ.get("PLAT_TEST_PG", "")
PSQL = next((p for p in ("/usr/bin/psql", "/usr/lib/postgresql/15/bin/psql") if os.path.exists(p)), "psql")
PASSWORD = "S3cr3t-Pw-7f1c"


def psql(sql, conninfo=None, check=True):
    """Run sql on the test server; the rows as lists of strings."""
    out = subprocess.run([PSQL, conninfo or PG, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True)
    if check and out.returncode != 0:
        raise AssertionError(f"psql failed: {sql}\n{out.stderr}")
    return [line.split("\t") for line in out.stdout.splitlines()]


def with_user(conninfo, user, password=None):
    """conninfo (a postgresql:// URL) for another user, with a password in it if given."""
    u = urllib.parse.urlsplit(conninfo)
    q = dict(urllib.parse.parse_qsl(u.query))
    q["user"] = user
    if password:
        q["password"] = password
    return url(u.netloc, u.path, q)


def url(netloc, path, query):
    """A postgresql:// URL; urlunsplit would drop the // of an empty host (a Unix socket)."""
    return f"postgresql://{netloc}{path}?{urllib.parse.urlencode(query)}"


def on_database(conninfo, name):
    u = urllib.parse.urlsplit(conninfo)
    return url(u.netloc, "/" + name, dict(urllib.parse.parse_qsl(u.query)))


def schema_digest(schema):
    """Every row of every table of a schema, as text, in a stable order."""
    rows = []
    for (table,) in psql(f"SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' ORDER BY tablename"):
        rows.append(table)
        rows += ["|".join(r) for r in psql(f'SELECT t::text FROM "{schema}"."{table}" t ORDER BY 1')]
    return rows


class PostgresCase(PlatCase):
    def setUp(self):
        super().setUp()
        if not PG:
            self.fail("PLAT_TEST_PG is not set: scripts/test.sh starts a PostgreSQL cluster and sets it")
        self.schema = "t_" + secrets.token_hex(6)
        self.db = PG
        self.roles, self.databases = [], []

    def tearDown(self):
        psql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE", check=False)
        for d in self.databases:
            psql(f"DROP DATABASE IF EXISTS {d}", check=False)
        for r in self.roles:
            psql(f"DROP OWNED BY {r}", check=False)
            psql(f"DROP ROLE IF EXISTS {r}", check=False)
        super().tearDown()

    def on(self, *args, db=None, schema=None, env=None):
        """plat on the test schema (or another ledger)."""
        return self.plat_at(db or self.db, schema or self.schema, *args, env=env)

    def plat_at(self, db, schema, *args, env=None):
        cmd = [PLAT, "--db", db, "--schema", schema] + [str(a) for a in args]
        e = dict(os.environ)
        e.pop("PLAT_DB", None)
        e.pop("PLAT_SCHEMA", None)
        e.update(env or {})
        proc = subprocess.run(cmd, capture_output=True, text=True, env=e, cwd=self.dir, timeout=300)

        class R:
            rc, out, err = proc.returncode, proc.stdout, proc.stderr

            def __repr__(self):
                return f"rc={self.rc}\nstdout:\n{self.out}\nstderr:\n{self.err}"
        return R()

    def ok_on(self, *args, **kw):
        r = self.on(*args, **kw)
        self.assertEqual(r.rc, 0, f"plat {' '.join(map(str, args))} failed:\n{r!r}")
        return r

    def role(self, privileges):
        name = "r_" + secrets.token_hex(5)
        psql(f"CREATE ROLE {name} LOGIN")
        self.roles.append(name)
        for p in privileges:
            psql(p.format(role=name, schema=self.schema))
        return name


class Connecting(PostgresCase):
    def test_the_three_forms_of_a_connection_reach_the_same_ledger(self):
        self.ok_on("init", "--crs", "EPSG:4547")
        self.ok_on("township", "import", COUNTIES)
        u = urllib.parse.urlsplit(PG)
        q = dict(urllib.parse.parse_qsl(u.query))
        keyvalue = f"dbname={u.path.lstrip('/')} host={q['host']} user={q.get('user', 'postgres')}"
        for form in (PG, keyvalue, "PG:" + keyvalue):
            rows = self.on("township", "list", "--json", db=form)
            self.assertEqual(rows.rc, 0, rows)
            self.assertEqual(sorted(t["name"] for t in json.loads(rows.out)),
                             ["南县", "平江县", "沅江市", "湘阴县"], form)
        # PLAT_DB and PLAT_SCHEMA stand in for --db and --schema
        e = dict(os.environ, PLAT_DB=PG, PLAT_SCHEMA=self.schema)
        out = subprocess.run([PLAT, "township", "list"], capture_output=True, text=True, env=e, cwd=self.dir)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("平江县", out.stdout)

    def test_schemas_side_by_side_are_separate_ledgers(self):
        other = "t_" + secrets.token_hex(6)
        try:
            self.ok_on("init", "--crs", "EPSG:4547")
            self.ok_on("init", "--crs", "EPSG:4545", schema=other)
            self.ok_on("township", "import", COUNTIES)
            n = self.on("township", "list", "--json", schema=other)
            self.assertEqual(n.rc, 0, n)
            self.assertEqual(json.loads(n.out), [])
            r = self.on("init", schema=other)
            self.assertEqual(r.rc, 1, r)
            self.assertIn("already holds a plat ledger", r.err)
        finally:
            psql(f"DROP SCHEMA IF EXISTS {other} CASCADE", check=False)

    def test_a_bad_schema_name_is_a_usage_error(self):
        r = self.on("init", schema="Bad-Name")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("--schema 'Bad-Name'", r.err)

    def test_no_ledger_in_the_schema_says_so(self):
        r = self.on("project", "list")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("no ledger at", r.err)
        self.assertIn(f"(schema {self.schema})", r.err)
        self.assertIn("plat init", r.err)


class Passwords(PostgresCase):
    """A password in the connection string works (the test server trusts its users, so any
    password is accepted) and never appears in anything plat prints."""

    def assertNoPassword(self, r):
        self.assertNotIn(PASSWORD, r.out)
        self.assertNotIn(PASSWORD, r.err)

    def test_a_password_never_shows_in_output_or_errors(self):
        db = with_user(PG, "postgres", PASSWORD)
        runs = [self.on("init", db=db), self.on("township", "import", COUNTIES, db=db),
                self.on("project", "add", "--code", "X-1", "--name", "路", "--category", "nonsense", db=db),
                self.on("project", "list", db=db), self.on("verify", db=db), self.on("init", db=db),
                self.on("demo", "--overwrite", db=db)]
        self.assertEqual([r.rc for r in runs], [0, 0, 1, 0, 0, 1, 0], runs)
        for r in runs:
            self.assertNoPassword(r)
        # the demo suggests commands with the ledger as given but for the password
        self.assertIn(f"--schema {self.schema} verify", runs[-1].out)
        self.assertIn("created PG:", runs[0].err)

    def test_a_failed_connection_names_the_database_not_the_password(self):
        r = self.on("project", "list", db=on_database(with_user(PG, "postgres", PASSWORD), "no_such_database_here"))
        self.assertEqual(r.rc, 1, r)
        self.assertIn("no_such_database_here", r.err)
        self.assertIn("cannot connect", r.err)
        self.assertNoPassword(r)


class Privileges(PostgresCase):
    def test_a_role_that_may_only_read_reads_everything_and_writes_nothing(self):
        self.ok_on("demo")
        reader = self.role(["GRANT USAGE ON SCHEMA {schema} TO {role}",
                            "GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"])
        db = with_user(PG, reader)
        before = schema_digest(self.schema)
        owner_cov = self.ok_on("coverage", "--layer", "roads", "--json").out
        reads = {
            "project list": ["project", "list", "--json"],
            "project show": ["project", "show", "PJ-004"],
            "coverage": ["coverage", "--layer", "roads", "--json"],
            "check targets": ["check", "targets"],
            "check conflicts": ["check", "conflicts", "--layer", "basic_farmland"],
            "query": ["query", "--township", "伍市镇"],
            "progress": ["progress", "--by", "county"],
            "verify": ["verify"],
            "export": ["export", "geojson", os.path.join(self.dir, "out")],
            "report": ["report", os.path.join(self.dir, "r.html")],
            "layer list": ["layer", "list"],
            "township list": ["township", "list"],
        }
        for what, args in reads.items():
            r = self.on(*args, db=db)
            self.assertEqual(r.rc, 0, f"{what}: {r!r}")
        self.assertEqual(self.on("coverage", "--layer", "roads", "--json", db=db).out, owner_cov)
        writes = {
            "project add": ["project", "add", "--code", "RO-1", "--name", "只读", "--category", "公路",
                            "--geom", "POINT(113.6 28.7)"],
            "project update": ["project", "update", "PJ-004", "--progress", "50"],
            "project rm": ["project", "rm", "PJ-004"],
            "township import": ["township", "import", COUNTIES],
            "layer drop": ["layer", "drop", "roads"],
            "layer import": ["layer", "import", "more", os.path.join(DATA, "ref_roads.geojson"), "--kind", "roads"],
            "project import": ["project", "import", os.path.join(DATA, "seed_projects.geojson"), "--upsert"],
        }
        for what, args in writes.items():
            r = self.on(*args, db=db)
            self.assertEqual(r.rc, 1, f"{what}: {r!r}")
            self.assertTrue("may only read" in r.err, f"{what}: {r.err}")
        self.assertEqual(schema_digest(self.schema), before)

    def test_a_role_that_may_not_create_a_schema_is_told_which_privilege(self):
        nobody = self.role([])
        psql(f"REVOKE CREATE ON DATABASE {urllib.parse.urlsplit(PG).path.lstrip('/')} FROM PUBLIC")
        r = self.on("init", db=with_user(PG, nobody))
        self.assertEqual(r.rc, 1, r)
        self.assertIn(f"cannot create the schema {self.schema}", r.err)
        self.assertIn("CREATE privilege", r.err)
        self.assertEqual(psql(f"SELECT count(*) FROM pg_namespace WHERE nspname = '{self.schema}'"), [["0"]])

    def test_a_database_without_postgis_names_the_missing_extension(self):
        name = "nopostgis_" + secrets.token_hex(4)
        psql(f"CREATE DATABASE {name}")
        self.databases.append(name)
        nobody = self.role([f"GRANT CREATE ON DATABASE {name} TO {{role}}"])
        r = self.on("init", db=on_database(with_user(PG, nobody), name))
        self.assertEqual(r.rc, 1, r)
        self.assertIn("no PostGIS extension", r.err)
        self.assertIn("CREATE EXTENSION postgis", r.err)
        # the owner (a superuser here) may create it: init does
        r = self.on("init", db=on_database(PG, name))
        self.assertEqual(r.rc, 0, r)


class Interrupted(PostgresCase):
    def test_an_import_killed_half_way_leaves_nothing(self):
        self.ok_on("init", "--crs", "EPSG:4547")
        self.ok_on("township", "import", COUNTIES)
        big = os.path.join(self.dir, "big.geojson")
        with open(big, "w", encoding="utf-8") as f:
            f.write('{"type":"FeatureCollection","features":[\n')
            for i in range(60000):
                x, y = 113.30 + (i % 300) * 0.001, 28.70 + (i // 300) * 0.001
                f.write('%s{"type":"Feature","properties":{"n":%d},"geometry":{"type":"LineString",'
                        '"coordinates":[[%.4f,%.4f],[%.4f,%.4f]]}}\n' % ("," if i else "", i, x, y, x + 0.0008, y))
            f.write("]}\n")
        before = schema_digest(self.schema)
        proc = subprocess.Popen([PLAT, "--db", PG, "--schema", self.schema, "layer", "import", "big", big,
                                 "--kind", "roads"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # kill it once its rows are reaching the server (the layer's table exists), before it ends
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            if psql(f"SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
                    f"OR query LIKE 'INSERT INTO %layer_%'")[0][0] != "0":
                break
            time.sleep(0.05)
        self.assertIsNone(proc.poll(), "the import ended before it could be killed")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        time.sleep(0.3)  # the server notices the closed connection and rolls back
        self.assertEqual(schema_digest(self.schema), before)
        self.assertEqual(json.loads(self.ok_on("layer", "list", "--json").out), [])
        self.assertEqual(psql(f"SELECT count(*) FROM pg_tables WHERE schemaname = '{self.schema}' "
                              f"AND tablename LIKE 'layer%'"), [["2"]])  # layers and layer_sums only
        self.ok_on("verify")


class SameFigures(PostgresCase):
    def test_the_demo_gives_the_same_figures_on_both_backends(self):
        lite = os.path.join(self.dir, "demo.sqlite")
        r = self.plat("demo", "--db", lite, db=False)
        self.assertEqual(r.rc, 0, r)
        self.ok_on("demo")
        for args in (["coverage", "--layer", "roads", "--layer", "farmland", "--json"],
                     ["coverage", "--planar", "--json"],
                     ["check", "targets", "--json"],
                     ["check", "conflicts", "--layer", "basic_farmland", "--json"],
                     ["progress", "--by", "county", "--json"]):
            a = self.plat("--db", lite, *args, db=False)
            b = self.on(*args)
            self.assertEqual((a.rc, b.rc), (0, 0), f"{args}: {a!r} {b!r}")
            self.assertEqual(a.out, b.out, args)
        v = self.ok_on("verify")
        self.assertIn("137 events", v.out + v.err)


if __name__ == "__main__":
    main()

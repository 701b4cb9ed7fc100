"""plat init and the ledger it creates; exit codes and --help of every command."""
import gzip
import os
import shutil
import sqlite3

from plat_test import ON_PG, PlatCase, foreign_schema, ledger_exists, main, schema_version, set_schema_version


class InitTest(PlatCase):
    def test_init_creates_a_versioned_wal_ledger_file(self):
        self.sqlite_only("user_version, application_id and WAL are properties of the SQLite file")
        self.ok("init")
        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute("PRAGMA user_version").fetchone()[0], 3)
        self.assertEqual(con.execute("PRAGMA application_id").fetchone()[0], 0x504C4154)
        self.assertEqual(con.execute("PRAGMA journal_mode").fetchone()[0], "wal")
        con.close()

    def test_init_creates_a_ledger_of_version_3_with_seeded_categories(self):
        r = self.ok("init")
        self.assertIn("created", r.err)
        self.assertEqual(schema_version(self.current_ledger), 3)
        cats = dict(self.sql("SELECT code, label_zh FROM categories"))
        self.assertEqual(len(cats), 26)
        self.assertEqual(cats["farmland"], "高标准农田")
        self.assertEqual(cats["pumped_storage"], "抽水蓄能")
        for code in ("highway", "rural_road", "bridge", "railway", "port", "waterway", "pipe_network", "wetland",
                     "dike", "water_supply", "power_plant", "solar", "wind", "substation", "grid", "school",
                     "hospital", "market", "industrial_park", "tourism", "housing", "telecom", "ev_charging", "other"):
            self.assertIn(code, cats)

    def test_init_with_crs_records_the_working_crs_and_spatial_indexes(self):
        self.ok("init", "--crs", "EPSG:4546")
        self.assertEqual(self.sql("SELECT value FROM meta WHERE key='srid'"), [("4546",)])
        if ON_PG:  # PostGIS lists every schema's columns; a spatial index is a GiST index
            cols = self.sql("SELECT f_table_name, srid FROM geometry_columns WHERE f_table_schema = ? "
                            "ORDER BY f_table_name", (self.pg_schema,))
            self.assertEqual(cols, [("projects", 4546), ("townships", 4546)])
            indexed = self.sql("SELECT DISTINCT tablename FROM pg_indexes WHERE schemaname = ? AND indexdef LIKE ? "
                               "ORDER BY tablename", (self.pg_schema, "% USING gist (geom)%"))
            self.assertEqual(indexed, [("projects",), ("townships",)])
        else:
            cols = self.sql("SELECT f_table_name, srid, spatial_index_enabled FROM geometry_columns "
                            "ORDER BY f_table_name")
            self.assertEqual(cols, [("projects", 4546, 1), ("townships", 4546, 1)])

    def test_init_refuses_an_existing_file_and_leaves_it_alone(self):
        self.ok("init")
        before = self.digest()
        self.fails(1, "init", message="already holds a plat ledger" if ON_PG else "already exists")
        self.unchanged(before)

    def test_init_refuses_a_geographic_or_unknown_crs_and_creates_nothing(self):
        self.fails(1, "init", "--crs", "EPSG:4490", message="not a projected CRS in metres")
        self.assertFalse(self.exists())
        self.fails(1, "init", "--crs", "EPSG:999999")
        self.assertFalse(self.exists())
        self.fails(1, "init", "--crs", "Gauss", message="EPSG")
        self.assertFalse(self.exists())

    def test_plat_db_environment_variable_names_the_ledger(self):
        other = self.other_ledger("env.sqlite")
        env = {"PLAT_DB": other.db, "PLAT_SCHEMA": other.schema} if ON_PG else {"PLAT_DB": other.db}
        self.ok("init", db=False, env=env)
        self.assertTrue(ledger_exists(other))
        self.assertFalse(self.exists())

    def test_commands_without_a_ledger_fail_with_a_hint(self):
        r = self.fails(1, "project", "list", message="run `plat init` first")
        self.assertIn(self.pg_schema or self.db, r.err)
        self.assertFalse(self.exists())

    def test_a_file_that_is_not_a_database_is_refused(self):
        self.sqlite_only("a text file where the SQLite file should be")
        with open(self.db, "w") as f:
            f.write("not a database")
        self.fails(1, "project", "list")

    def test_a_database_that_is_not_a_ledger_is_refused_and_left_alone(self):
        if ON_PG:
            foreign_schema(self.current_ledger)
        else:
            sqlite3.connect(self.db).execute("CREATE TABLE t(x)").connection.commit()
            self.sql("INSERT INTO t VALUES ('not a ledger')")
        self.fails(1, "project", "list", message="not a plat ledger")
        self.fails(1, "init")
        self.assertEqual(self.sql("SELECT x FROM t"), [("not a ledger",)])

    def test_a_ledger_from_a_newer_plat_is_refused(self):
        self.ok("init")
        set_schema_version(self.current_ledger, 99)
        self.fails(1, "project", "list", message="newer than this plat")

    def test_a_version_1_ledger_is_migrated_in_place_and_keeps_its_data(self):
        self.sqlite_only("the version-1 ledger is a SQLite file, tests/data/ledger_v1.sqlite.gz")
        # A ledger written by plat at schema version 1 (two projects, three townships' worth of
        # geometry): opening it brings every later table, the layers' stored figures among them.
        with gzip.open(os.path.join(os.path.dirname(__file__), "..", "data", "ledger_v1.sqlite.gz")) as src, \
                open(self.db, "wb") as dst:
            shutil.copyfileobj(src, dst)
        rows = self.ok("project", "list", "--json").json()
        self.assertEqual(sorted(p["code"] for p in rows), ["FARM", "G536"])
        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute("PRAGMA user_version").fetchone()[0], 3)
        self.assertEqual(con.execute("SELECT count(*) FROM layer_sums").fetchone()[0], 0)
        con.close()

    def test_every_command_has_help_and_usage_errors_exit_2(self):
        for cmd in (["init"], ["township", "import"], ["township", "list"], ["project", "add"],
                    ["project", "list"], ["project", "show"], ["project", "update"], ["project", "rm"]):
            r = self.ok(*cmd, "--help")
            self.assertIn("Usage: plat " + " ".join(cmd), r.out)
        self.assertIn("project", self.ok("help").out)
        self.fails(2, "frobnicate", message="unknown command")
        self.fails(2, "project", "list", "--no-such-option", message="unknown option")
        self.fails(2, "project")
        self.fails(2, "project", "show")


if __name__ == "__main__":
    main()

"""The ledger over time: the hash-chained history (plat verify), corrections, --as-of and
--as-recorded, and ledgers of schema version 1 brought forward.

Hand-computed townships in Gauss-Kruger metres (EPSG:4547) as in test_coverage: 伍市镇 x 400-410 km,
三市镇 x 410-420 km, both y 3170-3180 km. PLAT_NOW sets the clock, so "recorded on" days need no waiting.
"""
import gzip
import os
import shutil

from plat_test import ON_PG, PlatCase, SqlError, ledger_args, main, schema_version, set_schema_version

HERE = os.path.dirname(os.path.abspath(__file__))
V1 = os.path.join(HERE, "..", "data", "ledger_v1.sqlite.gz")
TOWNS = "\n".join([
    "code,name,county,WKT",
    '430626100,伍市镇,平江县,"POLYGON((400000 3170000,410000 3170000,410000 3180000,400000 3180000,400000 3170000))"',
    '430626101,三市镇,平江县,"POLYGON((410000 3170000,420000 3170000,420000 3180000,410000 3180000,410000 3170000))"',
]) + "\n"


def at(day):
    """The environment that makes plat record an entry at noon of that day."""
    return {"PLAT_NOW": f"{day}T12:00:00Z"}


class HistoryCase(PlatCase):
    def setUp(self):
        super().setUp()
        self.ok("init", "--crs", "EPSG:4547")
        self.ok("township", "import", self.write("towns.csv", TOWNS), "--s-srs", "EPSG:4547")

    def rec(self, day, *args):
        return self.ok(*args, env=at(day))

    def show(self, code, *args):
        return self.ok("project", "show", code, "--json", "--planar", *args).json()

    def tamper(self, *statements):
        for s in statements:
            self.sql(s)

    @staticmethod
    def drop_trigger(name):
        return f"DROP TRIGGER {name} ON project_events" if ON_PG else f"DROP TRIGGER {name}"


class VerifyTest(HistoryCase):
    def build(self):
        self.rec("2024-01-10", "project", "add", "--code", "G536", "--name", "G536改建", "--category", "公路",
                 "--target", "10km", "--s-srs", "EPSG:4547", "--geom", "LINESTRING(405000 3175000, 415000 3175000)",
                 "--date", "2024-01-10")
        self.rec("2024-03-02", "project", "update", "G536", "--status", "在建", "--progress", "30", "--date", "2024-03-01")
        self.rec("2024-07-03", "project", "update", "G536", "--progress", "55", "--date", "2024-06-30")

    def test_a_sound_history_is_ok_with_its_count(self):
        self.build()
        r = self.ok("verify")
        self.assertRegex(r.out.strip(), r"^ok: 3 events, hash chain intact, schema version \d+$")
        j = self.ok("verify", "--json").json()
        self.assertEqual((j["ok"], j["events"], j["bad_event"]), (True, 3, None))

    def test_an_event_altered_in_the_database_is_named(self):
        self.build()
        # as an attacker would: drop the append-only trigger, rewrite the past
        self.tamper(self.drop_trigger("project_events_no_update"), "UPDATE project_events SET progress = 45 WHERE id = 2")
        before = self.digest()
        r = self.fails(1, "verify")
        self.assertIn("event 2 (update 2024-03-01 of project G536)", r.err)
        self.assertIn("does not match its hash: it was altered", r.err)
        self.assertIn("(1 event before it sound)", r.err)
        self.unchanged(before)
        j = self.plat("verify", "--json")
        self.assertEqual(j.rc, 1)
        self.assertEqual((j.json()["ok"], j.json()["bad_event"]), (False, 2))

    def test_a_removed_event_breaks_the_chain_and_a_dropped_last_one_the_head(self):
        self.build()
        self.tamper(self.drop_trigger("project_events_no_delete"), "DELETE FROM project_events WHERE id = 2")
        r = self.fails(1, "verify")
        self.assertIn("event 3 (update 2024-06-30 of project G536)", r.err)
        self.assertIn("does not follow the event before it", r.err)
        self.tearDown()
        self.setUp()
        self.build()
        self.tamper(self.drop_trigger("project_events_no_delete"), "DELETE FROM project_events WHERE id = 3")
        r = self.fails(1, "verify")
        self.assertIn("the newest events are missing", r.err)

    def test_a_missing_append_only_trigger_is_a_broken_schema(self):
        self.build()
        self.tamper(self.drop_trigger("project_events_no_update"))
        r = self.fails(1, "verify")
        self.assertIn("lacks the trigger project_events_no_update", r.err)

    def test_the_history_cannot_be_edited_through_sql(self):
        self.build()
        with self.assertRaises(SqlError):
            self.sql("UPDATE project_events SET progress = 1 WHERE id = 2")
        self.ok("verify")


class MigrationTest(PlatCase):
    def test_a_version_1_ledger_is_brought_forward_and_keeps_working(self):
        self.sqlite_only("the version-1 ledger is a SQLite file, tests/data/ledger_v1.sqlite.gz")
        # made by plat with schema version 1 (towns as above): G536 added 2024-01-10 along y 3175 km
        # from x 405 to 415 km, 在建 30 % on 2024-03-01, its line redrawn from x 404 to 416 km on
        # 2024-05-01; FARM (20.8万亩, no geometry) added 2024-01-10, 10 % on 2024-06-30.
        with gzip.open(V1) as src, open(self.db, "wb") as dst:
            shutil.copyfileobj(src, dst)
        r = self.ok("verify")
        self.assertRegex(r.out.strip(), r"^ok: 5 events, hash chain intact, schema version \d+$")
        self.assertEqual(schema_version(self.db), self.current_version())
        self.assertGreaterEqual(schema_version(self.db), 2)
        g = self.ok("project", "show", "G536", "--json", "--planar").json()
        self.assertEqual((g["status"], g["progress"], g["precision"]), ("under_construction", 30, "surveyed"))
        self.assertAlmostEqual(g["measured"]["km"], 12.0, places=6)
        self.assertEqual([e["id"] for e in g["history"]], [1, 2, 3])
        # the geometry before its edit of 2024-05-01, and the status before 2024-03-01
        old = self.ok("project", "show", "G536", "--json", "--planar", "--as-of", "2024-04-30").json()
        self.assertAlmostEqual(old["measured"]["km"], 10.0, places=6)
        self.assertEqual([p["km"] for p in old["places"]], [5.0, 5.0])
        first = self.ok("project", "show", "G536", "--json", "--as-of", "2024-02-01").json()
        self.assertEqual((first["status"], first["progress"]), ("planned", 0))
        f = self.ok("project", "show", "FARM", "--json").json()
        self.assertEqual((f["precision"], f["name"], f["target"]), ("none", "高标准农田", {"qty": 20.8, "unit": "万亩"}))
        self.ok("project", "update", "FARM", "--progress", "20", "--date", "2024-09-30")
        self.assertRegex(self.ok("verify").out.strip(), r"^ok: 6 events, hash chain intact, schema version \d+$")

    def current_version(self):
        fresh = self.other_ledger("fresh.sqlite")
        self.ok(*ledger_args(fresh), "init", db=False)
        return schema_version(fresh)

    def test_a_newer_ledger_is_refused(self):
        self.ok("init")
        v = schema_version(self.current_ledger)
        set_schema_version(self.current_ledger, v + 1)
        self.fails(1, "project", "list", message=f"newer than this plat understands ({v})")


if __name__ == "__main__":
    main()

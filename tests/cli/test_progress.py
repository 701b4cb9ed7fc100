"""plat progress and the history's two clocks, against hand-computed figures.

Three 10 km townships in EPSG:4547 (as test_coverage): 伍市镇 x 400-410 km and 三市镇 x 410-420 km in
平江县, 东塘镇 x 420-430 km in 湘阴县, all y 3170-3180 km. --planar keeps every figure exact:

  ROAD  y 3175 km, x 405-415: 5 km in each of 伍市镇 and 三市镇. Finished sections drawn:
        x 405-412 on 2024-03-31 (5 + 2 km), x 405-414 on 2024-06-30 (5 + 4 km).
  R2    y 3172 km, x 408-414: 2 km in 伍市镇, 4 km in 三市镇, target 6 km; 3000 m done on 2024-06-30,
        spread in proportion: 1 km and 2 km.
  FARM  2 x 2 km square across the border at x 410: 3000 亩 each side; progress 10 % on 2024-03-31
        (300 亩 each), 25 % on 2024-06-30 (750 亩 each).
  HSF   高标准农田 20.8万亩, county-wide for 平江县; RR 农村公路 30 km known only in 伍市镇: never in the km or 亩.
"""
from plat_test import PlatCase, main

TOWNS = "\n".join([
    "code,name,county,WKT",
    '430626100,伍市镇,平江县,"POLYGON((400000 3170000,410000 3170000,410000 3180000,400000 3180000,400000 3170000))"',
    '430626101,三市镇,平江县,"POLYGON((410000 3170000,420000 3170000,420000 3180000,410000 3180000,410000 3170000))"',
    '430624102,东塘镇,湘阴县,"POLYGON((420000 3170000,430000 3170000,430000 3180000,420000 3180000,420000 3170000))"',
]) + "\n"
SQUARE = "POLYGON((409000 3176000,411000 3176000,411000 3178000,409000 3178000,409000 3176000))"


def at(day):
    return {"PLAT_NOW": f"{day}T12:00:00Z"}


class ProgressTest(PlatCase):
    def setUp(self):
        super().setUp()
        self.ok("init", "--crs", "EPSG:4547")
        self.ok("township", "import", self.write("towns.csv", TOWNS), "--s-srs", "EPSG:4547")
        gk = ("--s-srs", "EPSG:4547")
        day = at("2024-01-02")
        self.ok("project", "add", "--code", "ROAD", "--name", "G536", "--category", "公路", "--target", "10km", *gk,
                "--geom", "LINESTRING(405000 3175000, 415000 3175000)", "--date", "2024-01-01", env=day)
        self.ok("project", "add", "--code", "R2", "--name", "村道", "--category", "农村公路", "--target", "6km", *gk,
                "--geom", "LINESTRING(408000 3172000, 414000 3172000)", "--date", "2024-01-01", env=day)
        self.ok("project", "add", "--code", "FARM", "--name", "农田", "--category", "farmland", "--target", "6000亩",
                *gk, "--geom", SQUARE, "--date", "2024-01-01", env=day)
        self.ok("project", "add", "--code", "HSF", "--name", "高标准农田", "--category", "farmland", "--target",
                "20.8万亩", "--precision", "county", "--county", "平江县", "--date", "2024-01-01", env=day)
        self.ok("project", "add", "--code", "RR", "--name", "农村公路提质改造", "--category", "农村公路", "--target",
                "30km", "--township", "伍市镇", "--date", "2024-01-01", env=day)
        q1, q2 = at("2024-04-03"), at("2024-07-02")
        self.ok("project", "update", "ROAD", "--done-geom", "LINESTRING(405000 3175000, 412000 3175000)", *gk,
                "--date", "2024-03-31", env=q1)
        self.ok("project", "update", "FARM", "--progress", "10", "--date", "2024-03-31", env=q1)
        self.ok("project", "update", "ROAD", "--done-geom", "LINESTRING(405000 3175000, 414000 3175000)", *gk,
                "--date", "2024-06-30", env=q2)
        self.ok("project", "update", "R2", "--done", "3000m", "--date", "2024-06-30", env=q2)
        self.ok("project", "update", "FARM", "--progress", "25", "--date", "2024-06-30", env=q2)
        self.ok("project", "update", "HSF", "--progress", "40", "--date", "2024-06-30", env=q2)

    def progress(self, *args):
        return self.ok("progress", "--json", "--planar", *args).json()

    def towns(self, j):
        return {t["name"]: t for t in j["townships"]}

    def test_done_per_township_at_the_half_year_and_within_the_quarter(self):
        j = self.progress("--as-of", "2024-06-30", "--from", "2024-04-01")
        self.assertEqual((j["as_of"], j["from"], j["to"]), ("2024-06-30", "2024-04-01", "2024-06-30"))
        t = self.towns(j)
        self.assertEqual([r["code"] for r in j["townships"]], ["430624102", "430626100", "430626101"])
        w, s, d = t["伍市镇"], t["三市镇"], t["东塘镇"]
        self.assertEqual((w["planned_km"], w["done_km"], w["done_km_in_period"]), (7, 6, 1))
        self.assertEqual((s["planned_km"], s["done_km"], s["done_km_in_period"]), (9, 6, 4))
        self.assertEqual((w["planned_mu"], w["done_mu"], w["done_mu_in_period"]), (3000, 750, 450))
        self.assertEqual((s["planned_mu"], s["done_mu"], s["done_mu_in_period"]), (3000, 750, 450))
        self.assertEqual((d["planned_km"], d["done_km"], d["planned_mu"], d["projects"]), (0, 0, 0, []))
        self.assertEqual((j["totals"]["planned_km"], j["totals"]["done_km"], j["totals"]["done_km_in_period"]),
                         (16, 12, 5))
        self.assertEqual(j["totals"]["planned_mu"], 6000)
        basis = {(r["name"], p["code"]): (p["done_basis"], p["done_km"]) for r in j["townships"] for p in r["projects"]}
        self.assertEqual(basis[("三市镇", "ROAD")], ("geometry", 4))
        self.assertEqual(basis[("伍市镇", "R2")], ("quantity", 1))
        self.assertEqual(basis[("三市镇", "R2")], ("quantity", 2))
        self.assertEqual(basis[("伍市镇", "FARM")], ("progress", 0))

    def test_the_first_quarter_reads_the_ledger_as_it_stood(self):
        t = self.towns(self.progress("--as-of", "2024-03-31"))
        self.assertEqual((t["伍市镇"]["done_km"], t["三市镇"]["done_km"]), (5, 2))
        self.assertEqual((t["伍市镇"]["done_mu"], t["三市镇"]["done_mu"]), (300, 300))
        r2 = [p for p in t["三市镇"]["projects"] if p["code"] == "R2"][0]
        self.assertEqual((r2["done_basis"], r2["done_km"]), ("progress", 0))
        before = self.towns(self.progress("--as-of", "2023-12-31"))
        self.assertEqual((before["伍市镇"]["planned_km"], before["伍市镇"]["projects"]), (0, []))

    def test_county_and_township_targets_are_reported_apart_and_never_in_the_km(self):
        j = self.progress("--as-of", "2024-06-30")
        un = {u["code"]: u for u in j["unmapped"]}
        self.assertEqual(sorted(un), ["HSF", "RR"])
        self.assertEqual((un["HSF"]["precision"], un["HSF"]["place"], un["HSF"]["progress"]), ("county", "平江县", 40))
        self.assertEqual(un["HSF"]["target"], {"qty": 20.8, "unit": "万亩"})
        self.assertEqual((un["RR"]["precision"], un["RR"]["place"], un["RR"]["place_name"]),
                         ("township", "430626100", "伍市镇"))
        codes = {p["code"] for r in j["townships"] for p in r["projects"]}
        self.assertEqual(codes, {"ROAD", "R2", "FARM"})
        self.assertEqual([(r["name"], r["unmapped_targets"]) for r in j["townships"]],
                         [("东塘镇", []), ("伍市镇", ["RR"]), ("三市镇", [])])
        by_county = self.ok("progress", "--json", "--planar", "--as-of", "2024-06-30", "--by", "county").json()
        self.assertEqual({r["name"]: r["unmapped_targets"] for r in by_county["counties"]},
                         {"平江县": ["HSF", "RR"], "湘阴县": []})
        self.assertEqual(j["totals"]["planned_km"], 16)  # RR's 30 km are not in it
        table = self.ok("progress", "--as-of", "2024-06-30", "--planar").out
        self.assertIn("未上图", table)
        self.assertIn("20.8 万亩", table)

    def test_by_county_and_category(self):
        c = self.ok("progress", "--json", "--planar", "--as-of", "2024-06-30", "--by", "county").json()
        rows = {r["name"]: r for r in c["counties"]}
        self.assertEqual((rows["平江县"]["planned_km"], rows["平江县"]["done_km"], rows["平江县"]["code"]), (16, 12, "430626"))
        self.assertEqual(rows["湘阴县"]["planned_km"], 0)
        h = self.progress("--as-of", "2024-06-30", "--category", "公路")
        self.assertEqual((h["totals"]["planned_km"], h["totals"]["done_km"], h["totals"]["planned_mu"]), (10, 9, 0))

    def test_csv_has_a_row_per_township_and_project_with_its_basis(self):
        out = self.ok("progress", "--csv", "--planar", "--as-of", "2024-06-30").out.splitlines()
        self.assertEqual(out[0].split(",")[:7], ["code", "name", "county", "project", "project_name", "category",
                                                 "done_basis"])
        rows = [line.split(",") for line in out[1:]]
        self.assertIn(["430626101", "三市镇", "平江县", "R2", "村道", "rural_road", "quantity", "4", "2", "2", "0", "0",
                       "0"], rows)
        self.assertEqual(len(rows), 6)

    def test_ellipsoidal_done_sections_follow_the_clipped_lengths(self):
        j = self.ok("progress", "--json", "--as-of", "2024-06-30").json()
        cov = self.ok("coverage", "--json", "--category", "公路").json()
        t, c = self.towns(j), {r["name"]: r for r in cov["townships"]}
        # ROAD is the only highway: its planned part per township is coverage's line_km
        road = {n: [p for p in t[n]["projects"] if p["code"] == "ROAD"][0] for n in ("伍市镇", "三市镇")}
        for n in ("伍市镇", "三市镇"):
            self.assertAlmostEqual(road[n]["planned_km"], c[n]["line_km"], places=6)
        # the done section x 405-410 is ROAD's whole 伍市镇 part
        self.assertAlmostEqual(road["伍市镇"]["done_km"], road["伍市镇"]["planned_km"], places=6)
        self.assertAlmostEqual(road["三市镇"]["done_km"], 4.0, delta=0.01)

    def test_bad_requests_exit_1_and_change_nothing(self):
        before = self.digest()
        self.fails(1, "progress", "--from", "2024-07-01", "--to", "2024-06-30", message="starts (2024-07-01) after")
        self.fails(1, "progress", "--as-of", "2024-02-30", message="--as-of must be a date")
        self.fails(2, "progress", "--as-of", "2024-06-30", "--to", "2024-05-31")
        self.fails(1, "project", "update", "R2", "--done", "3万亩", message="target is in km, not 万亩")
        self.fails(1, "project", "update", "HSF", "--done", "-1", message="at least 0")
        self.fails(1, "project", "update", "ROAD", "--done-geom", "LINESTRING(405000 3175000,", "--s-srs", "EPSG:4547")
        self.fails(1, "project", "update", "NOPE", "--done", "1km", message="no project with code NOPE")
        self.fails(1, "project", "add", "--code", "X", "--name", "x", "--category", "公路", "--precision", "township",
                   "--township", "伍市镇", "--geom", "POINT(113.3 28.7)", message="takes no geometry")
        self.fails(1, "project", "add", "--code", "X", "--name", "x", "--category", "公路", "--township", "无此镇",
                   message="no township named '无此镇'")
        self.fails(1, "project", "add", "--code", "X", "--name", "x", "--category", "公路", "--precision", "surveyed",
                   message="needs a geometry")
        self.fails(1, "project", "add", "--code", "X", "--name", "x", "--category", "公路", "--precision", "exact",
                   "--geom", "POINT(113.3 28.7)", message="unknown precision 'exact'")
        self.unchanged(before)
        self.ok("verify")


    def test_an_injected_write_failure_leaves_the_ledger_and_its_chain_unchanged(self):
        before = self.digest()
        for args in (["project", "update", "ROAD", "--done-geom", "LINESTRING(405000 3175000, 415000 3175000)",
                      "--s-srs", "EPSG:4547", "--status", "已完工", "--date", "2024-09-30"],
                     ["project", "update", "ROAD", "--corrects", "6", "--done-geom",
                      "LINESTRING(405000 3175000, 413000 3175000)", "--s-srs", "EPSG:4547"]):
            n = 1
            while True:  # fail each write in turn until the command has none left to fail
                r = self.plat(*args, env={"PLAT_FAULT_AT": str(n)})
                if r.rc == 0:
                    break
                self.assertEqual(r.rc, 1, r)
                self.assertIn("injected fault", r.err)
                self.unchanged(before)
                n += 1
            self.assertGreaterEqual(n, 2)  # the event and the project's state
            before = self.digest()
        self.assertRegex(self.ok("verify").out.strip(), r"^ok: 13 events, hash chain intact, schema version \d+$")
        t = self.towns(self.progress("--as-of", "2024-09-30"))
        self.assertEqual((t["伍市镇"]["done_km"], t["三市镇"]["done_km"]), (6, 7))  # ROAD 5 + 3, R2 1 + 2


class TwoClocksTest(PlatCase):
    """As of a date (what was true then) and as recorded (what the ledger said then), combined."""

    def setUp(self):
        super().setUp()
        self.ok("init", "--crs", "EPSG:4547")
        self.ok("township", "import", self.write("towns.csv", TOWNS), "--s-srs", "EPSG:4547")
        gk = ("--s-srs", "EPSG:4547")
        self.ok("project", "add", "--code", "G536", "--name", "G536改建", "--category", "公路", "--target", "10km", *gk,
                "--geom", "LINESTRING(405000 3175000, 415000 3175000)", "--date", "2024-01-01", env=at("2024-01-02"))
        self.ok("project", "update", "G536", "--status", "在建", "--progress", "40", "--date", "2024-12-31",
                env=at("2025-01-05"))
        # the line is re-surveyed in March: it runs on to x 418 km
        self.ok("project", "update", "G536", "--geom", "LINESTRING(405000 3175000, 418000 3175000)", *gk,
                "--precision", "surveyed", "--date", "2025-03-01", env=at("2025-03-02"))
        # in February the year-end report is found wrong: 35 %, not 40 % (event 2)
        self.ok("project", "update", "G536", "--corrects", "2", "--progress", "35", "--note", "复核",
                env=at("2025-02-10"))
        # a site report of 2024-11-30 entered late, after the year-end one
        self.ok("project", "update", "G536", "--progress", "30", "--date", "2024-11-30", env=at("2025-02-20"))

    def show(self, *args):
        return self.ok("project", "show", "G536", "--json", "--planar", *args).json()

    def test_as_of_before_an_edit_shows_the_old_geometry_and_status(self):
        now = self.show()
        self.assertAlmostEqual(now["measured"]["km"], 13.0, places=9)
        self.assertEqual([p["km"] for p in now["places"]], [5, 8])
        self.assertEqual((now["status"], now["progress"]), ("under_construction", 35))
        old = self.show("--as-of", "2025-02-28")
        self.assertAlmostEqual(old["measured"]["km"], 10.0, places=9)
        self.assertEqual([p["km"] for p in old["places"]], [5, 5])
        self.assertEqual(old["precision"], "sketched")
        self.assertEqual(self.show("--as-of", "2025-03-01")["precision"], "surveyed")
        early = self.show("--as-of", "2024-06-30")
        self.assertEqual((early["status"], early["progress"]), ("planned", 0))
        self.assertEqual(self.show("--as-of", "2024-11-30")["progress"], 30)
        self.assertEqual([e["id"] for e in early["history"]], [1])
        self.fails(1, "project", "show", "G536", "--as-of", "2023-12-31", message="no project with code G536 as of 2023-12-31")
        listed = self.ok("project", "list", "--json", "--as-of", "2025-02-28", "--township", "三市镇", "--planar").json()
        self.assertEqual([p["code"] for p in listed], ["G536"])
        self.assertEqual(self.ok("project", "list", "--json", "--as-of", "2023-12-31").json(), [])

    def test_as_recorded_is_the_ledger_before_later_entries_and_corrections(self):
        # what the ledger said on 2025-01-31 of 31 December: 40 %, before the correction
        said = self.show("--as-of", "2024-12-31", "--as-recorded", "2025-01-31")
        self.assertEqual((said["status"], said["progress"]), ("under_construction", 40))
        self.assertEqual(self.show("--as-of", "2024-12-31")["progress"], 35)
        # read on 2025-01-04, the year-end report was not in yet
        self.assertEqual(self.show("--as-recorded", "2025-01-04")["progress"], 0)
        # read on 2025-02-15: corrected, the late November report not yet entered
        self.assertEqual(self.show("--as-of", "2024-11-30", "--as-recorded", "2025-02-15")["progress"], 0)
        self.assertEqual(self.show("--as-of", "2024-11-30")["progress"], 30)
        hist = {e["id"]: e for e in self.show()["history"]}
        self.assertEqual((hist[2]["corrected"], hist[4]["corrects"], hist[4]["date"], hist[4]["status"]),
                         (True, 2, "2024-12-31", "under_construction"))
        self.assertEqual(len(hist[4]["hash"]), 64)
        self.assertRegex(self.ok("verify").out.strip(), r"^ok: 5 events, hash chain intact, schema version \d+$")

    def test_a_correction_must_name_an_event_of_its_project(self):
        self.ok("project", "add", "--code", "OTHER", "--name", "x", "--category", "公路", "--date", "2024-01-01")
        before = self.digest()
        self.fails(1, "project", "update", "OTHER", "--corrects", "2", "--progress", "1", message="has no event 2")
        self.fails(1, "project", "update", "G536", "--corrects", "99", "--progress", "1", message="has no event 99")
        self.fails(1, "project", "update", "G536", "--corrects", "2", "--progress", "1", message="corrected already")
        self.fails(1, "project", "update", "G536", "--corrects", "x", message="--corrects takes an event number")
        self.fails(1, "project", "show", "G536", "--as-recorded", "2025-13-01", message="--as-recorded must be a date")
        self.unchanged(before)


if __name__ == "__main__":
    main()

"""plat coverage: hand-computed cases in Gauss-Kruger metres, so planar figures are exact.

Three 10 km townships side by side along y 3170-3180 km in EPSG:4547: 伍市镇 (x 400-410 km) and
三市镇 (410-420 km) in 平江县, 东塘镇 (420-430 km) in 湘阴县.
"""
import os

from plat_test import PlatCase, geod_length_m, main, writer_holding

TOWNS = [("430626100", "伍市镇", "平江县", 400000), ("430626101", "三市镇", "平江县", 410000),
         ("430624102", "东塘镇", "湘阴县", 420000)]


def square(x0, y0, size):
    return f"POLYGON(({x0} {y0},{x0 + size} {y0},{x0 + size} {y0 + size},{x0} {y0 + size},{x0} {y0}))"


class ThreeTownships(PlatCase):
    def setUp(self):
        super().setUp()
        rows = ["code,name,county,WKT"] + [f'{c},{n},{k},"{square(x, 3170000, 10000)}"' for c, n, k, x in TOWNS]
        self.ok("init", "--crs", "EPSG:4547")
        self.ok("township", "import", self.write("towns.csv", "\n".join(rows) + "\n"), "--s-srs", "EPSG:4547")

    def add(self, code, category, wkt, *extra):
        self.ok("project", "add", "--code", code, "--name", code, "--category", category, "--s-srs", "EPSG:4547",
                "--geom", wkt, *extra)

    def coverage(self, *args):
        return self.ok("coverage", "--json", *args).json()


class CoverageTest(ThreeTownships):

    def test_lines_split_at_borders_and_polygons_unioned_within_each_township(self):
        self.add("ROAD", "highway", "LINESTRING(405000 3175000, 415000 3175000)")
        self.add("FARM1", "farmland", square(409700, 3171000, 1000))  # 300 m in 伍市镇, 700 m in 三市镇
        self.add("FARM2", "farmland", square(410500, 3171000, 1000))  # overlaps FARM1's 三市镇 part by 200 m
        c = self.coverage("--planar")
        self.assertEqual(c["measure"], "planar")
        t = {r["name"]: r for r in c["townships"]}
        self.assertEqual([r["code"] for r in c["townships"]], ["430624102", "430626100", "430626101"])
        self.assertAlmostEqual(t["伍市镇"]["line_km"], 5.0, places=9)
        self.assertAlmostEqual(t["三市镇"]["line_km"], 5.0, places=9)
        self.assertEqual(t["东塘镇"]["line_km"], 0)
        self.assertAlmostEqual(t["伍市镇"]["polygon_m2"], 300000, places=3)
        # x 410 000-411 500: FARM1's 700 m and FARM2's 1 km overlap by 200 m, counted once
        self.assertAlmostEqual(t["三市镇"]["polygon_m2"], 1500000, places=3)
        self.assertAlmostEqual(t["三市镇"]["polygon_mu"], 2250.0, places=3)
        self.assertAlmostEqual(t["三市镇"]["polygon_ha"], 150.0, places=4)
        self.assertAlmostEqual(t["三市镇"]["share"], 0.015, places=9)
        self.assertAlmostEqual(t["伍市镇"]["road_density_km_per_km2"], 0.05, places=9)
        self.assertEqual((t["伍市镇"]["projects"], t["三市镇"]["projects"], t["东塘镇"]["projects"]), (2, 3, 0))
        self.assertEqual(t["三市镇"]["by_category"]["farmland"],
                         {"projects": 2, "line_km": 0, "polygon_m2": 1500000, "polygon_mu": 2250, "points": 0})
        self.assertEqual(t["三市镇"]["by_category"]["highway"]["line_km"], 5)
        self.assertAlmostEqual(t["伍市镇"]["area_km2"], 100.0, places=6)
        self.assertEqual(c["totals"]["projects"], 3)
        self.assertAlmostEqual(c["totals"]["line_km"], 10.0, places=9)
        self.assertAlmostEqual(c["totals"]["polygon_m2"], 1800000, places=3)
        self.assertEqual(c["outside"]["projects"], 0)

    def test_by_county_counts_a_project_once_per_county(self):
        self.add("ROAD", "highway", "LINESTRING(405000 3175000, 425000 3175000)")
        c = self.coverage("--planar", "--by", "county")
        self.assertEqual(c["by"], "county")
        rows = {r["name"]: r for r in c["counties"]}
        self.assertEqual(sorted(rows), ["平江县", "湘阴县"])
        self.assertEqual(rows["平江县"]["projects"], 1)
        self.assertAlmostEqual(rows["平江县"]["line_km"], 15.0, places=9)
        self.assertAlmostEqual(rows["湘阴县"]["line_km"], 5.0, places=9)
        self.assertAlmostEqual(rows["平江县"]["area_km2"], 200.0, places=6)
        self.assertEqual(rows["平江县"]["code"], "430626")

    def test_projects_outside_every_township_are_reported(self):
        self.add("IN", "highway", "LINESTRING(405000 3175000, 406000 3175000)")
        self.add("HALF", "highway", "LINESTRING(428000 3175000, 432000 3175000)")  # 2 km in 东塘镇, 2 km out
        self.add("OUT", "port", "POINT(500000 3175000)")
        c = self.coverage("--planar")
        self.assertEqual(c["outside"]["projects"], 2)
        self.assertEqual(c["outside"]["codes"], ["HALF", "OUT"])
        self.assertAlmostEqual(c["outside"]["line_km"], 2.0, places=9)
        self.assertEqual(c["outside"]["points"], 1)
        t = {r["name"]: r for r in c["townships"]}
        self.assertAlmostEqual(t["东塘镇"]["line_km"], 2.0, places=9)
        self.assertEqual(c["totals"]["projects_selected"], 3)
        r = self.ok("coverage", "--planar")
        self.assertIn("2 projects lie partly or wholly outside every township", r.err)

    def test_filters_by_category_and_status(self):
        self.add("ROAD", "highway", "LINESTRING(405000 3175000, 415000 3175000)", "--status", "在建")
        self.add("FARM", "farmland", square(401000, 3171000, 1000))
        farm = self.coverage("--planar", "--category", "高标准农田")
        self.assertEqual(farm["totals"]["projects"], 1)
        self.assertEqual(farm["totals"]["line_km"], 0)
        self.assertAlmostEqual(farm["totals"]["polygon_m2"], 1e6, places=3)
        self.assertEqual(farm["filters"]["category"], "高标准农田")
        building = self.coverage("--planar", "--status", "under_construction")
        self.assertEqual(building["totals"]["projects"], 1)
        self.assertAlmostEqual(building["totals"]["line_km"], 10.0, places=9)

    def test_ellipsoidal_by_default_and_equal_to_the_geodesic(self):
        self.ok("project", "add", "--code", "G", "--name", "G", "--category", "highway",
                "--geom", "LINESTRING(113.00 28.66, 113.06 28.66)")
        c = self.coverage()
        self.assertEqual(c["measure"], "ellipsoidal")
        self.assertAlmostEqual(c["totals"]["line_km"] * 1000, geod_length_m([(113.00, 28.66), (113.06, 28.66)]), delta=0.01)
        # 伍市镇's 100 km2 plane square is a little smaller on the ellipsoid 1.0-1.3 degrees west of CM 114E
        area = {r["name"]: r["area_km2"] for r in c["townships"]}["伍市镇"]
        self.assertLess(area, 100.0)
        self.assertGreater(area, 99.9)

    def test_no_townships_at_all(self):
        self.use(self.other_ledger("empty.sqlite"))
        self.ok("init", "--crs", "EPSG:4547")
        self.add("R", "highway", "LINESTRING(405000 3175000, 406000 3175000)")
        c = self.coverage("--planar")
        self.assertEqual(c["townships"], [])
        self.assertEqual(c["outside"]["codes"], ["R"])
        self.assertAlmostEqual(c["outside"]["line_km"], 1.0, places=9)
        self.assertEqual(c["totals"]["projects"], 0)

    def test_table_csv_and_thread_count_do_not_change_figures(self):
        self.add("ROAD", "highway", "LINESTRING(405000 3175000, 415000 3175000)")
        one = self.ok("coverage", "--json", "--jobs", "1").out
        four = self.ok("coverage", "--json", "--jobs", "4").out
        self.assertEqual(one, four)
        csv = self.ok("coverage", "--csv", "--planar").out.splitlines()
        self.assertEqual(csv[0].split(",")[:6], ["code", "name", "county", "area_km2", "projects", "line_km"])
        self.assertEqual(len(csv), 1 + 3 + 1)
        self.assertEqual(csv[-1].split(",")[1], "total")
        wushi = [l for l in csv if l.startswith("430626100")][0].split(",")
        self.assertEqual(wushi[5], "5")
        table = self.ok("coverage", "--planar").out
        self.assertIn("合计", table)
        self.assertIn("伍市镇", table)

    def test_places_are_kept_and_follow_new_township_boundaries(self):
        self.add("ROAD", "highway", "LINESTRING(405000 3175000, 415000 3175000)")
        show = self.ok("project", "show", "ROAD", "--json", "--planar").json()
        self.assertEqual([(t["name"], t["km"]) for t in show["places"]], [("伍市镇", 5), ("三市镇", 5)])
        rows = self.sql("SELECT t.name, p.planar_length_m FROM project_places p JOIN townships t "
                        "ON t.id = p.township_id ORDER BY t.code")
        self.assertEqual([(n, round(m, 6)) for n, m in rows], [("伍市镇", 5000.0), ("三市镇", 5000.0)])
        # 伍市镇 grows 2 km east: the road's parts move with the border, without touching the project.
        moved = ["code,name,county,WKT", '430626100,伍市镇,平江县,"POLYGON((400000 3170000,412000 3170000,412000 3180000,400000 3180000,'
                 '400000 3170000))"',
                 '430626101,三市镇,平江县,"POLYGON((412000 3170000,420000 3170000,420000 3180000,412000 3180000,'
                 '412000 3170000))"']
        self.ok("township", "import", self.write("moved.csv", "\n".join(moved) + "\n"), "--s-srs", "EPSG:4547")
        show = self.ok("project", "show", "ROAD", "--json", "--planar").json()
        self.assertEqual([(t["name"], t["km"]) for t in show["places"]], [("伍市镇", 7), ("三市镇", 3)])
        towns = {t["name"]: t["area_km2"] for t in self.ok("township", "list", "--json", "--planar").json()}
        self.assertAlmostEqual(towns["伍市镇"], 120.0, places=6)
        self.assertEqual(self.ok("project", "list", "--township", "伍市镇", "--json").json()[0]["code"], "ROAD")

    def test_bad_options(self):
        before = self.digest()
        self.fails(2, "coverage", "--by", "village", message="--by takes township or county")
        self.fails(1, "coverage", "--layer", "nope", message="no layer named 'nope'")
        self.fails(1, "coverage", "--jobs", "0", message="--jobs")
        self.fails(1, "coverage", "--tolerance", "-3", message="--tolerance")
        self.fails(1, "coverage", "--category", "spaceport", message="unknown category")
        self.fails(1, "coverage", "--status", "maybe", message="unknown status")
        self.unchanged(before)


class StoredLayerFiguresTest(ThreeTownships):
    """A layer's own km and m2 per township are measured by the first coverage that needs them
    and kept; later runs clip only the features near covering projects. Hand-computed layout
    (planar, metres): road R1 runs 16 km across 伍市镇 and 三市镇 (8 + 8), road R2 8 km inside
    东塘镇; parcel F1 is 2 x 2 km in 伍市镇 (4 km2 = 6000 亩). The highway project runs 10 m from
    R1 and past both its ends (all 16 km covered); the farmland project covers the east half of
    F1."""

    def setUp(self):
        super().setUp()
        roads = ["name,WKT", 'R1,"LINESTRING(402000 3172000,418000 3172000)"',
                 'R2,"LINESTRING(421000 3178000,429000 3178000)"']
        self.ok("layer", "import", "roads", self.write("roads.csv", "\n".join(roads) + "\n"), "--kind", "roads",
                "--s-srs", "EPSG:4547")
        farm = ["name,WKT", f'F1,"{square(401000, 3171000, 2000)}"']
        self.ok("layer", "import", "farmland", self.write("farm.csv", "\n".join(farm) + "\n"), "--kind", "farmland",
                "--s-srs", "EPSG:4547")
        self.add("HW", "highway", "LINESTRING(400000 3172010, 420000 3172010)")
        self.add("FL", "farmland", square(402000, 3171000, 2000))

    def layers(self, *extra):
        cov = self.coverage("--planar", "--layer", "roads", "--layer", "farmland", *extra)
        return cov, {t["name"]: (t["layers"]["roads"]["line_km"], t["layers"]["roads"]["covered_line_km"],
                                 t["layers"]["farmland"]["polygon_m2"], t["layers"]["farmland"]["covered_polygon_m2"])
                     for t in cov["townships"]}

    def stored(self, planar=1):
        return self.sql("SELECT l.name, t.name, s.features, s.line_m, s.area_m2 FROM layer_sums s "
                        "JOIN layers l ON l.id = s.layer_id LEFT JOIN townships t ON t.id = s.township_id "
                        "WHERE s.planar = ? ORDER BY l.name, s.township_id", (planar,))

    def test_first_run_stores_them_and_later_runs_read_them(self):
        self.assertEqual(self.stored(), [])
        first, rows = self.layers()
        self.assertEqual(rows["伍市镇"], (8, 8, 4000000, 2000000))
        self.assertEqual(rows["三市镇"], (8, 8, 0, 0))
        self.assertEqual(rows["东塘镇"], (8, 0, 0, 0))
        stored = self.stored()
        self.assertEqual(len(stored), 2 * 4)  # two layers x (three townships + outside)
        self.assertIn(("roads", "三市镇", 1, 8000.0, 0.0), stored)
        self.assertIn(("farmland", "伍市镇", 1, 0.0, 4000000.0), stored)
        self.assertEqual(self.stored(planar=0), [])
        again, _ = self.layers()
        self.assertEqual(again, first)
        # The figures really come from the ledger: doubled there, doubled in the output, while
        # what projects cover is still measured.
        self.sql("UPDATE layer_sums SET line_m = 2 * line_m")
        _, rows = self.layers()
        self.assertEqual(rows["伍市镇"], (16, 8, 4000000, 2000000))
        # New boundaries make them stale: measured again, right again.
        rows_csv = ["code,name,county,WKT"] + [f'{c},{n},{k},"{square(x, 3170000, 10000)}"' for c, n, k, x in TOWNS]
        self.ok("township", "import", self.write("towns2.csv", "\n".join(rows_csv) + "\n"), "--s-srs", "EPSG:4547")
        self.assertEqual(self.stored(), [])
        self.assertEqual(self.layers()[0], first)

    def test_new_projects_are_measured_against_stored_figures(self):
        self.layers()
        self.add("HW2", "rural_road", "LINESTRING(420000 3178020, 430000 3178020)")  # 20 m from all of R2
        self.add("FL2", "farmland", square(400000, 3171000, 1500))  # the west 0.5 km of F1 x 1.5 km
        cached, rows = self.layers()
        self.assertEqual(rows["东塘镇"], (8, 8, 0, 0))
        self.assertEqual(rows["伍市镇"], (8, 8, 4000000, 2750000))
        self.sql("DELETE FROM layer_sums")
        self.assertEqual(self.layers()[0], cached)
        # Filters and tolerance change what covers, never the stored figures.
        _, rows = self.layers("--tolerance", "15")
        self.assertEqual(rows["东塘镇"], (8, 0, 0, 0))
        self.assertEqual(rows["伍市镇"], (8, 8, 4000000, 2750000))

    def test_dropping_or_replacing_a_layer_forgets_its_figures(self):
        self.layers()
        self.ok("layer", "drop", "roads")
        self.assertEqual({r[0] for r in self.stored()}, {"farmland"})
        farm = ["name,WKT", f'F2,"{square(411000, 3171000, 1000)}"']
        self.ok("layer", "import", "farmland", self.write("farm2.csv", "\n".join(farm) + "\n"), "--kind", "farmland",
                "--s-srs", "EPSG:4547", "--replace")
        self.assertEqual(self.stored(), [])
        cov = self.coverage("--planar", "--layer", "farmland")
        got = {t["name"]: t["layers"]["farmland"]["polygon_m2"] for t in cov["townships"]}
        self.assertEqual(got, {"伍市镇": 0, "三市镇": 1000000, "东塘镇": 0})

    def test_a_ledger_another_writer_holds_still_answers_without_waiting(self):
        first, _ = self.layers()
        self.sql("DELETE FROM layer_sums")
        with writer_holding(self.current_ledger):  # readers go on (WAL, or the server's MVCC)
            again, _ = self.layers()
        self.assertEqual(again, first)
        self.assertEqual(self.stored(), [])  # nothing kept this time; measured again next time


class StoredPlacesTest(PlatCase):
    """Where each project lies is measured when the change that moves it commits: once for a
    whole import, and for one edited project against the townships near it only. Either way
    the stored figures must be the very numbers a full refresh gives."""

    PLACES = ("SELECT p.code, t.code, pp.length_m, pp.area_m2, pp.points, pp.planar_length_m, pp.planar_area_m2 "
              "FROM project_places pp JOIN projects p ON p.id = pp.project_id "
              "JOIN townships t ON t.id = pp.township_id ORDER BY 1, 2")

    def places(self):
        return self.sql(self.PLACES), self.sql("SELECT code, kinds, length_m, area_m2, points FROM projects ORDER BY code")

    def test_import_and_edit_store_what_a_full_refresh_stores(self):
        data = os.environ["PLAT_DATA"]
        towns = os.path.join(data, "townships_illustrative.geojson")
        self.ok("init")
        self.ok("township", "import", towns)
        self.ok("project", "import", os.path.join(data, "seed_projects.geojson"))
        # One road drawn anew: its parts change, nobody else's do.
        self.ok("project", "update", "PJ-002", "--geom",
                "LINESTRING(113.41 28.65, 113.60 28.73, 113.80 28.89, 113.95 28.95)", "--date", "2024-05-01")
        imported, whole = self.places()
        self.assertGreater(len(imported), 130)
        self.assertGreaterEqual(sum(1 for code, *_ in imported if code == "PJ-002"), 3)
        self.ok("township", "import", towns)  # the same boundaries again: every project measured anew
        refreshed, whole_again = self.places()
        self.assertEqual(refreshed, imported)
        self.assertEqual(whole_again, whole)


if __name__ == "__main__":
    main()

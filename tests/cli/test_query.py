"""plat query: by township, within a distance of a place or of a project, filters combined with AND.

Three townships side by side, 0.1 degree each, about 1 degree west of the central meridian of
the working CRS (EPSG:4547, CM 114E), so the Gauss-Kruger scale there (1.00009) is visible on
a 20 km distance. Points east of a north-south line are placed with PROJ's `geod` (forward
problem on the CGCS2000 ellipsoid), so their true distances are known without plat.
"""
import json
import subprocess

from plat_test import PlatCase, geod_length_m, ledger_args, main

TOWNSHIPS = [("430626100", "伍市镇", "平江县", 113.0), ("430626101", "三市镇", "平江县", 113.1),
             ("430624102", "东塘镇", "湘阴县", 113.2)]
L1 = "LINESTRING(113.05 28.02, 113.05 28.08)"


def geod_forward(lon, lat, azimuth, dist_m):
    """The point dist_m from (lon, lat) along the geodesic leaving at azimuth, by PROJ's `geod`."""
    out = subprocess.run(["geod", "+a=6378137", "+rf=298.257222101", "-f", "%.10f"],
                         input=f"{lat} {lon} {azimuth} {dist_m}\n", capture_output=True, text=True, check=True)
    lat2, lon2 = out.stdout.split()[:2]
    return float(lon2), float(lat2)


class QueryTest(PlatCase):
    def build(self, crs=True):
        self.ok("init", *(["--crs", "EPSG:4547"] if crs else []))
        fc = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": code, "name": name, "county": county},
             "geometry": {"type": "Polygon", "coordinates": [[[lon, 28.0], [lon + 0.1, 28.0], [lon + 0.1, 28.1],
                                                              [lon, 28.1], [lon, 28.0]]]}}
            for code, name, county, lon in TOWNSHIPS]}
        self.ok("township", "import", self.write("t.geojson", json.dumps(fc, ensure_ascii=False)))
        self.p1 = geod_forward(113.05, 28.05, 90, 2000)    # 2 km east of L1, in 伍市镇
        self.p3 = geod_forward(113.05, 28.05, 90, 6000)    # 6 km east, in 三市镇
        self.p2 = geod_forward(113.05, 28.05, 90, 20000)   # 20 km east, in 东塘镇
        add = lambda code, cat, *rest: self.ok("project", "add", "--code", code, "--name", code + "工程",
                                               "--category", cat, *rest)
        add("L1", "highway", "--geom", L1, "--status", "在建")
        add("P1", "port", "--geom", "POINT(%.10f %.10f)" % self.p1)
        add("P2", "substation", "--geom", "POINT(%.10f %.10f)" % self.p2)
        add("P3", "port", "--geom", "POINT(%.10f %.10f)" % self.p3)
        # From 伍市镇 across into 三市镇: 0.02 degree on each side of 113.1E.
        add("X", "rural_road", "--geom", "LINESTRING(113.08 28.05, 113.12 28.05)")
        add("N", "school")
        add("FAR", "farmland", "--geom", "POLYGON((113.9 28.9, 113.95 28.9, 113.95 28.95, 113.9 28.95, 113.9 28.9))")

    def query(self, *args):
        return self.ok("query", "--json", *args).json()

    def test_within_a_distance_of_a_project_is_the_true_distance_nearest_first(self):
        self.build()
        before = self.digest()
        rows = self.query("--within", "5km", "--of", "project:L1")
        self.assertEqual([r["code"] for r in rows], ["P1", "X"])
        p1 = rows[0]
        # 2 km by geod's forward problem; plat measures the nearest-point segment on the ellipsoid.
        self.assertAlmostEqual(p1["distance_m"], 2000.0, delta=1.0)
        self.assertEqual((p1["name"], p1["category"], p1["category_label"]), ("P1工程", "port", "港口"))
        self.assertEqual((p1["status"], p1["status_label"], p1["townships"]), ("planned", "计划", ["伍市镇"]))
        self.assertEqual(p1["measured"], {"points": 1})
        self.assertNotIn("overlap", p1)
        self.assertNotIn("inside", p1)
        # X begins 0.03 degree east of L1 on the parallel 28.05N.
        self.assertAlmostEqual(rows[1]["distance_m"], geod_length_m([(113.05, 28.05), (113.08, 28.05)]), delta=1.0)
        self.assertAlmostEqual(rows[1]["measured"]["km"] * 1000,
                               geod_length_m([(113.08, 28.05), (113.12, 28.05)]), delta=1.0)

        far = self.query("--within", "25km", "--of", "project:L1")
        self.assertEqual([r["code"] for r in far], ["P1", "X", "P3", "P2"])
        self.assertAlmostEqual(far[2]["distance_m"], 6000.0, delta=1.0)
        self.assertAlmostEqual(far[3]["distance_m"], 20000.0, delta=1.0)
        # In the plane the same 20 km are longer by the GK scale (about 1 + 9e-5 here).
        planar = self.query("--within", "25km", "--of", "project:L1", "--planar")
        self.assertGreater(planar[3]["distance_m"] - far[3]["distance_m"], 1.0)
        self.assertLess(planar[3]["distance_m"] - far[3]["distance_m"], 3.0)
        # DIST as a bare number of metres, in m, in 公里; the limit is inclusive of what is inside.
        self.assertEqual([r["code"] for r in self.query("--within", "5000", "--of", "project:L1")], ["P1", "X"])
        self.assertEqual([r["code"] for r in self.query("--within", "2010m", "--of", "project:L1")], ["P1"])
        self.assertEqual([r["code"] for r in self.query("--within", "1990m", "--of", "project:L1")], [])
        self.assertEqual([r["code"] for r in self.query("--within", "6.5公里", "--of", "project:L1")], ["P1", "X", "P3"])
        self.assertEqual(self.digest(), before, "a query changed the ledger")

    def test_within_a_distance_of_a_wkt_or_geojson_place(self):
        self.build()
        rows = self.query("--within", "5km", "--of", L1)
        self.assertEqual([(r["code"], r["distance_m"]) for r in rows][0], ("L1", 0))
        self.assertEqual([r["code"] for r in rows], ["L1", "P1", "X"])
        self.assertAlmostEqual(rows[1]["distance_m"], 2000.0, delta=1.0)
        point = '{"type": "Point", "coordinates": [113.05, 28.05]}'
        rows = self.query("--within", "2.5km", "--of", point)
        self.assertEqual([r["code"] for r in rows], ["L1", "P1"])
        self.assertLess(rows[0]["distance_m"], 0.1)
        self.assertAlmostEqual(rows[1]["distance_m"], 2000.0, delta=1.0)
        path = self.write("place.wkt", "POINT(%.10f %.10f)" % self.p2)
        rows = self.query("--within", "100", "--of", "@" + path)
        self.assertEqual([(r["code"], r["distance_m"]) for r in rows], [("P2", 0)])
        # The same place in Gauss-Kruger metres.
        out = subprocess.run(["cs2cs", "-f", "%.4f", "EPSG:4490", "EPSG:4547"], input="28.05 113.05\n",
                             capture_output=True, text=True, check=True).stdout.split()
        north, east = float(out[0]), float(out[1])
        rows = self.query("--within", "2.5km", "--of", f"POINT({east} {north})", "--s-srs", "EPSG:4547")
        self.assertEqual([r["code"] for r in rows], ["L1", "P1"])

    def test_township_filter_reports_the_part_inside(self):
        self.build()
        rows = self.query("--township", "伍市镇")
        self.assertEqual([r["code"] for r in rows], ["L1", "P1", "X"])
        x = rows[2]
        self.assertEqual(x["townships"], ["伍市镇", "三市镇"])
        self.assertAlmostEqual(x["inside"]["km"], x["measured"]["km"] / 2, delta=0.001)
        self.assertAlmostEqual(rows[0]["inside"]["km"], rows[0]["measured"]["km"], delta=1e-6)
        self.assertEqual(rows[1]["inside"], {"points": 1})
        self.assertNotIn("distance_m", x)
        self.assertEqual([r["code"] for r in self.query("--township", "三市镇")], ["P3", "X"])
        self.assertEqual([r["code"] for r in self.query("--township", "430624102")], ["P2"])
        self.assertEqual([r["code"] for r in self.query("--township", "平江县")], ["L1", "P1", "P3", "X"])
        # Filters combine with AND.
        both = self.query("--township", "三市镇", "--within", "5km", "--of", "project:L1")
        self.assertEqual([r["code"] for r in both], ["X"])
        self.assertIn("inside", both[0])
        self.assertIn("distance_m", both[0])
        self.assertEqual([r["code"] for r in self.query("--township", "平江县", "--category", "港口")], ["P1", "P3"])
        self.assertEqual([r["code"] for r in self.query("--status", "在建")], ["L1"])
        self.assertEqual([r["code"] for r in self.query("--within", "25km", "--of", "project:L1",
                                                        "--category", "port")], ["P1", "P3"])
        # No filter at all: every project, with or without geometry.
        everything = self.query()
        self.assertEqual([r["code"] for r in everything], ["FAR", "L1", "N", "P1", "P2", "P3", "X"])
        self.assertEqual(everything[2]["measured"], None)

    def test_intersecting_a_reference_layer_with_the_overlap(self):
        self.build()
        # A red-line square over the east half of 伍市镇's part of X and a patch away from everything.
        fc = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"名称": "红线一"},
             "geometry": {"type": "Polygon", "coordinates": [[[113.09, 28.04], [113.11, 28.04], [113.11, 28.06],
                                                              [113.09, 28.06], [113.09, 28.04]]]}},
            {"type": "Feature", "properties": {"名称": "红线二"},
             "geometry": {"type": "Polygon", "coordinates": [[[113.5, 28.5], [113.51, 28.5], [113.51, 28.51],
                                                              [113.5, 28.51], [113.5, 28.5]]]}}]}
        self.ok("layer", "import", "生态红线", self.write("eco.geojson", json.dumps(fc, ensure_ascii=False)),
                "--kind", "eco_redline")
        before = self.digest()
        rows = self.query("--intersects-layer", "生态红线")
        self.assertEqual([r["code"] for r in rows], ["X"])
        # The part of X between 113.09E and 113.11E, measured like any line.
        self.assertAlmostEqual(rows[0]["overlap"]["km"] * 1000, geod_length_m([(113.09, 28.05), (113.11, 28.05)]),
                               delta=1.0)
        both = self.query("--intersects-layer", "生态红线", "--within", "5km", "--of", "project:L1")
        self.assertEqual([(r["code"], "overlap" in r, "distance_m" in r) for r in both], [("X", True, True)])
        self.assertEqual(self.query("--intersects-layer", "生态红线", "--township", "东塘镇"), [])
        self.unchanged(before)

    def test_csv_and_table(self):
        self.build()
        lines = self.ok("query", "--within", "5km", "--of", "project:L1", "--csv").out.splitlines()
        head = lines[0].split(",")
        self.assertEqual(head[:8], ["code", "name", "category", "category_label", "county", "status", "status_label",
                                    "townships"])
        self.assertEqual(len(lines), 3)
        p1 = dict(zip(head, lines[1].split(",")))
        self.assertEqual((p1["code"], p1["measured_points"], p1["measured_km"]), ("P1", "1", ""))
        self.assertAlmostEqual(float(p1["distance_m"]), 2000.0, delta=1.0)
        x = dict(zip(head, self.ok("query", "--township", "伍市镇", "--csv").out.splitlines()[3].split(",")))
        self.assertEqual((x["code"], x["townships"]), ("X", "伍市镇;三市镇"))
        self.assertAlmostEqual(float(x["inside_km"]), float(x["measured_km"]) / 2, delta=0.001)
        table = self.ok("query", "--within", "5km", "--of", "project:L1").out.splitlines()
        self.assertEqual(table[0].split(), ["编号", "名称", "类别", "状态", "乡镇", "实测", "距离"])
        self.assertIn("2 km", table[1])

    def test_bad_input_fails_and_leaves_the_ledger_as_it_was(self):
        self.build()
        before = self.digest()
        self.fails(1, "query", "--within", "5 parsecs", "--of", "project:L1", message="not a distance")
        self.fails(1, "query", "--within", "-5km", "--of", "project:L1", message="distance")
        self.fails(1, "query", "--within", "5亩", "--of", "project:L1", message="not a unit of length")
        self.fails(1, "query", "--within", "5km", "--of", "project:NOPE", message="no project with code NOPE")
        self.fails(1, "query", "--within", "5km", "--of", "project:N", message="has no geometry")
        self.fails(1, "query", "--within", "5km", "--of", "LINESTRING(113 28", message="--of")
        self.fails(1, "query", "--within", "5km", "--of", "POINT(200 28)", message="200")
        self.fails(1, "query", "--within", "5km", "--of", "@missing.wkt", message="missing.wkt")
        self.fails(1, "query", "--within", "5km", "--of", "POINT(113 28)", "--s-srs", "EPSG:999999")
        self.fails(1, "query", "--intersects-layer", "生态红线", message="no layer named '生态红线'")
        self.fails(1, "query", "--township", "无此镇", message="no township or county named")
        self.fails(1, "query", "--category", "spaceport", message="unknown category")
        self.fails(1, "query", "--status", "maybe", message="unknown status")
        self.fails(2, "query", "--within", "5km", message="--of")
        self.fails(2, "query", "--of", "project:L1", message="--within")
        self.fails(2, "query", "--json", "--csv")
        self.fails(2, "query", "--nearest", "3")
        self.fails(2, "query", "stray")
        self.unchanged(before)
        self.fails(1, "query", *ledger_args(self.other_ledger("missing.sqlite")))
        self.assertEqual(self.ok("query", "--help").rc, 0)

    def test_a_ledger_without_geometry_answers_nothing_and_writes_nothing(self):
        self.ok("init")
        self.ok("project", "add", "--code", "N", "--name", "学校", "--category", "school")
        before = self.digest()
        self.assertEqual(self.query("--within", "5km", "--of", "POINT(113 28)"), [])
        self.fails(1, "query", "--within", "5km", "--of", "POINT(113 ")
        self.assertEqual([r["code"] for r in self.query()], ["N"])
        self.unchanged(before)


if __name__ == "__main__":
    main()

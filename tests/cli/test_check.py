"""plat check targets and plat check conflicts (usage and failures; the overlap figures of
conflicts are pinned in tests/unit/layers/test_query.c on a layer built through the store API).

Lines on the central meridian of EPSG:4547 (x = 500000) are exactly as long as their
difference in northing: the Gauss-Kruger scale is 1 along the central meridian, so a 10 km
line measures 10 km on the ellipsoid too, and a 1 km square 1 km2 to a few parts per billion.
"""
import json
import subprocess

from plat_test import PlatCase, geod_length_m, ledger_args, main, spatialite_ellipsoid_area_m2

TEN_KM_GK = "LINESTRING(500000 3100000, 500000 3110000)"
SQUARE_KM_GK = "POLYGON((500000 3100000, 501000 3100000, 501000 3101000, 500000 3101000, 500000 3100000))"
WET = [(112.50, 28.90), (112.60, 28.90), (112.60, 29.00), (112.50, 29.00), (112.50, 28.90)]
WET_WKT = "POLYGON((" + ", ".join(f"{x} {y}" for x, y in WET) + "))"


def gk_to_lonlat(east, north):
    out = subprocess.run(["cs2cs", "-f", "%.12f", "EPSG:4547", "EPSG:4490"], input=f"{north} {east}\n",
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[1]), float(out[0])


class CheckTargetsTest(PlatCase):
    def build(self):
        self.ok("init", "--crs", "EPSG:4547")
        add = lambda code, cat, *rest: self.ok("project", "add", "--code", code, "--name", code + "项目",
                                               "--category", cat, *rest)
        add("A", "highway", "--target", "12km", "--s-srs", "EPSG:4547", "--geom", TEN_KM_GK)
        add("B", "highway", "--target", "10.5公里", "--s-srs", "EPSG:4547", "--geom", TEN_KM_GK)
        add("C", "farmland", "--target", "20.8万亩", "--geom", WET_WKT)
        add("D", "port", "--target", "4berth", "--geom", "POINT(112.90 28.75)")
        add("E", "solar", "--target", "100MW")
        add("F", "rural_road", "--target", "3km")
        add("G", "highway", "--target", "5km", "--geom", "POINT(113.0 28.0)")
        add("H", "school")
        add("J", "farmland", "--target", "1500亩", "--s-srs", "EPSG:4547", "--geom", SQUARE_KM_GK)

    def test_targets_against_measured_geometry(self):
        self.build()
        before = self.digest()
        r = self.ok("check", "targets", "--json").json()
        self.assertEqual((r["tolerance_pct"], r["measure"], r["ok"], r["no_target"]), (10, "ellipsoidal", 2, 1))
        # Largest difference first: C (-22.08 %), then A (-16.67 %).
        self.assertEqual([m["code"] for m in r["mismatches"]], ["C", "A"])
        a = r["mismatches"][1]
        self.assertEqual((a["name"], a["target"]), ("A项目", {"qty": 12, "unit": "km"}))
        # The line's ends, back in lon/lat, are 10 km apart for PROJ's geod as well.
        self.assertAlmostEqual(geod_length_m([gk_to_lonlat(500000, 3100000), gk_to_lonlat(500000, 3110000)]),
                               10000.0, delta=0.01)
        self.assertAlmostEqual(a["measured"]["km"], 10.0, delta=1e-5)
        self.assertAlmostEqual(a["measured_in_target_unit"], 10.0, delta=1e-5)
        self.assertAlmostEqual(a["difference_pct"], -16.67, delta=0.005)
        c = r["mismatches"][0]
        area = spatialite_ellipsoid_area_m2(WET_WKT)          # about 162 072 亩
        self.assertEqual(c["target"], {"qty": 20.8, "unit": "万亩"})
        self.assertAlmostEqual(c["measured"]["m2"], area, delta=area * 1e-6)
        self.assertAlmostEqual(c["measured_in_target_unit"], area / (1e8 / 15), delta=1e-4)
        self.assertAlmostEqual(c["difference_pct"], (area / (1e8 / 15) / 20.8 - 1) * 100, delta=0.005)
        self.assertAlmostEqual(c["difference_pct"], -22.08, delta=0.005)
        un = {u["code"]: u for u in r["unmeasurable"]}
        self.assertEqual(sorted(un), ["D", "E", "G"])
        self.assertEqual(un["D"]["target"], {"qty": 4, "unit": "berth"})
        self.assertEqual(un["D"]["measured"], {"points": 1})
        self.assertIn("not a length or an area", un["D"]["reason"])
        self.assertEqual((un["E"]["target"], un["E"]["measured"]), ({"qty": 100, "unit": "MW"}, None))
        self.assertIn("no line", un["G"]["reason"])
        self.assertEqual([(n["code"], n["target"]) for n in r["no_geometry"]], [("F", {"qty": 3, "unit": "km"})])
        # B (-4.76 %) and J (1 km2 = 1500 亩) are within 10 %; at 4 % B is not.
        r4 = self.ok("check", "targets", "--tolerance", "4", "--json").json()
        self.assertEqual([m["code"] for m in r4["mismatches"]], ["C", "A", "B"])
        self.assertAlmostEqual(r4["mismatches"][2]["difference_pct"], -4.76, delta=0.005)
        self.assertEqual(r4["ok"], 1)
        self.assertEqual(self.ok("check", "targets", "--tolerance", "25%", "--json").json()["ok"], 4)
        # Filters narrow the projects checked.
        hw = self.ok("check", "targets", "--category", "公路", "--json").json()
        self.assertEqual(([m["code"] for m in hw["mismatches"]], hw["ok"], hw["no_target"]), (["A"], 1, 0))
        self.assertEqual(self.digest(), before, "check targets changed the ledger")

    def test_targets_csv_and_table(self):
        self.build()
        lines = self.ok("check", "targets", "--csv").out.splitlines()
        head = lines[0].split(",")
        rows = {l.split(",")[0]: dict(zip(head, l.split(","))) for l in lines[1:]}
        self.assertEqual(sorted(rows), ["A", "B", "C", "D", "E", "F", "G", "J"])
        self.assertEqual((rows["A"]["verdict"], rows["A"]["difference_pct"]), ("mismatch", "-16.67"))
        self.assertEqual((rows["J"]["verdict"], rows["J"]["target_unit"]), ("ok", "亩"))
        self.assertAlmostEqual(float(rows["J"]["measured_in_target_unit"]), 1500, delta=0.01)
        self.assertEqual((rows["D"]["verdict"], rows["F"]["verdict"]), ("unmeasurable", "no_geometry"))
        table = self.ok("check", "targets")
        self.assertIn("目标与实测不符", table.out)
        self.assertIn("-16.67%", table.out)
        self.assertIn("单位不是长度或面积", table.out)
        self.assertIn("2 within 10% of the target, 2 mismatched", table.err)

    def test_targets_failures_and_usage(self):
        self.build()
        before = self.digest()
        self.fails(1, "check", "targets", "--tolerance", "-3", message="--tolerance")
        self.fails(1, "check", "targets", "--tolerance", "ten", message="--tolerance")
        self.fails(1, "check", "targets", "--category", "spaceport", message="unknown category")
        self.fails(2, "check", "targets", "--json", "--csv")
        self.fails(2, "check", "targets", "extra")
        self.fails(2, "check")
        self.fails(2, "check", "everything", message="unknown subcommand")
        self.assertEqual(self.ok("check", "--help").rc, 0)
        self.unchanged(before)
        self.fails(1, "check", "targets", *ledger_args(self.other_ledger("missing.sqlite")))

    def test_an_empty_ledger_has_nothing_to_report(self):
        self.ok("init")
        r = self.ok("check", "targets", "--json").json()
        self.assertEqual((r["mismatches"], r["unmeasurable"], r["no_geometry"], r["ok"]), ([], [], [], 0))


def square(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def collection(features):
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features]}, ensure_ascii=False)


class CheckConflictsTest(PlatCase):
    """The layout of tests/unit/layers/test_query.c, in EPSG:4547 metres on the central meridian:
    two townships split at x = 500850; S a 1 km square; the red line R1 covers 300 m x 1000 m of
    it (30 %, 150 m on each side of the split), R2 lies inside that overlap and must not count
    twice, R3 covers 100 m of the 2 km line L; P is a point inside R1; T only shares an edge."""

    def build(self):
        self.ok("init", "--crs", "EPSG:4547")
        self.ok("township", "import", "--s-srs", "EPSG:4547", self.write("t.geojson", collection([
            ({"code": "430626100", "name": "甲镇", "county": "平江县"}, square(499000, 3100000, 500850, 3102000)),
            ({"code": "430626101", "name": "乙镇", "county": "平江县"}, square(500850, 3100000, 502000, 3102000))])))
        self.ok("layer", "import", "生态红线", self.write("eco.geojson", collection([
            ({"名称": "R1"}, square(500700, 3100500, 501700, 3101500)),
            ({"名称": "R2"}, square(500800, 3100500, 501200, 3101000)),
            ({"名称": "R3"}, square(501500, 3101700, 501600, 3101900))])),
                "--kind", "eco_redline", "--s-srs", "EPSG:4547")
        add = lambda code, cat, wkt: self.ok("project", "add", "--code", code, "--name", code + "项目",
                                             "--category", cat, "--s-srs", "EPSG:4547", "--geom", wkt)
        add("S", "farmland", "POLYGON((500000 3100500, 501000 3100500, 501000 3101500, 500000 3101500, "
                             "500000 3100500))")
        add("L", "highway", "LINESTRING(500000 3101800, 502000 3101800)")
        add("P", "substation", "POINT(501500 3101000)")
        add("T", "farmland", "POLYGON((501700 3100500, 501800 3100500, 501800 3101500, 501700 3101500, "
                             "501700 3100500))")
        add("F", "farmland", "POLYGON((600000 3100000, 601000 3100000, 601000 3101000, 600000 3101000, "
                             "600000 3100000))")

    def test_overlap_share_and_townships_of_each_project(self):
        self.build()
        before = self.digest()
        r = self.ok("check", "conflicts", "--layer", "生态红线", "--planar", "--json").json()
        self.assertEqual((r["layer"], r["kind"], r["geometry_kind"], r["measure"]),
                         ("生态红线", "eco_redline", "polygon", "planar"))
        # Largest overlap first; T (an edge only) and F (far away) are not listed.
        self.assertEqual([c["code"] for c in r["conflicts"]], ["S", "L", "P"])
        self.assertEqual((r["count"], r["examined"]), (3, 4))
        s, line, p = r["conflicts"]
        self.assertEqual((s["name"], s["category"], s["category_label"]), ("S项目", "farmland", "高标准农田"))
        self.assertAlmostEqual(s["overlap"]["m2"], 300000.0, delta=0.005)
        self.assertAlmostEqual(s["overlap"]["mu"], 450.0, delta=0.0005)
        self.assertAlmostEqual(s["share"], 0.30, delta=1e-6)
        self.assertEqual([(t["name"], t["code"]) for t in s["townships"]], [("甲镇", "430626100"), ("乙镇", "430626101")])
        for t in s["townships"]:
            self.assertAlmostEqual(t["m2"], 150000.0, delta=0.005)
        self.assertEqual(line["overlap"], {"km": 0.1})
        self.assertAlmostEqual(line["share"], 0.05, delta=1e-6)
        self.assertEqual([(t["name"], t["km"]) for t in line["townships"]], [("乙镇", 0.1)])
        self.assertEqual((p["overlap"], p["share"], [t["name"] for t in p["townships"]]), ({"points": 1}, 1, ["乙镇"]))
        # On the ellipsoid, a few parts per billion away from the plane on the central meridian.
        e = self.ok("check", "conflicts", "--layer", "生态红线", "--json").json()
        self.assertEqual(e["measure"], "ellipsoidal")
        self.assertAlmostEqual(e["conflicts"][0]["overlap"]["m2"], 300000.0, delta=1.0)
        self.assertAlmostEqual(e["conflicts"][0]["share"], 0.30, delta=1e-6)
        only = self.ok("check", "conflicts", "--layer", "生态红线", "--category", "公路", "--json").json()
        self.assertEqual([c["code"] for c in only["conflicts"]], ["L"])
        self.assertEqual(self.digest(), before, "check conflicts changed the ledger")

    def test_conflicts_csv_and_table(self):
        self.build()
        lines = self.ok("check", "conflicts", "--layer", "生态红线", "--planar", "--csv").out.splitlines()
        head = lines[0].split(",")
        s = dict(zip(head, lines[1].split(",")))
        self.assertEqual((s["code"], s["overlap_m2"], s["overlap_mu"], s["share"]), ("S", "300000", "450", "0.3"))
        self.assertEqual(s["townships"], "甲镇 150000 m2;乙镇 150000 m2")
        t = self.ok("check", "conflicts", "--layer", "生态红线")
        self.assertEqual(t.out.splitlines()[0].split(), ["编号", "名称", "类别", "重叠", "占比", "乡镇"])
        self.assertIn("450 亩", t.out)
        self.assertIn("30%", t.out)
        self.assertIn("3 of 4 projects", t.err)

    def test_a_layer_far_from_every_project_conflicts_with_nothing(self):
        self.build()
        self.ok("layer", "import", "远处农田", self.write("far.geojson", collection([
            ({}, square(700000, 3300000, 701000, 3301000))])), "--kind", "basic_farmland", "--s-srs", "EPSG:4547")
        r = self.ok("check", "conflicts", "--layer", "远处农田", "--json").json()
        self.assertEqual((r["kind"], r["conflicts"], r["count"], r["examined"]), ("basic_farmland", [], 0, 0))
        self.assertEqual(self.ok("query", "--intersects-layer", "远处农田", "--json").json(), [])

    def test_conflicts_needs_an_existing_layer(self):
        self.build()
        before = self.digest()
        self.fails(2, "check", "conflicts", message="--layer")
        self.fails(2, "check", "conflicts", "--layer", "x", "--json", "--csv")
        self.fails(1, "check", "conflicts", "--layer", "红线", message="no layer named '红线'")
        self.fails(1, "check", "conflicts", "--layer", "红线", "--json", message="no layer named")
        self.fails(1, "check", "conflicts", "--layer", "生态红线", "--status", "maybe", message="unknown status")
        self.unchanged(before)


if __name__ == "__main__":
    main()

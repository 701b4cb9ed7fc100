"""plat check targets and plat check conflicts (usage and failures; the overlap figures of
conflicts are pinned in tests/unit/layers/test_query.c on a layer built through the store API).

Lines on the central meridian of EPSG:4547 (x = 500000) are exactly as long as their
difference in northing: the Gauss-Kruger scale is 1 along the central meridian, so a 10 km
line measures 10 km on the ellipsoid too, and a 1 km square 1 km2 to a few parts per billion.
"""
import json
import subprocess

from plat_test import PlatCase, digest, geod_length_m, main, spatialite_ellipsoid_area_m2

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
        before = digest(self.db)
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
        self.assertEqual(digest(self.db), before, "check targets changed the ledger")

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
        before = digest(self.db)
        self.fails(1, "check", "targets", "--tolerance", "-3", message="--tolerance")
        self.fails(1, "check", "targets", "--tolerance", "ten", message="--tolerance")
        self.fails(1, "check", "targets", "--category", "spaceport", message="unknown category")
        self.fails(2, "check", "targets", "--json", "--csv")
        self.fails(2, "check", "targets", "extra")
        self.fails(2, "check")
        self.fails(2, "check", "everything", message="unknown subcommand")
        self.assertEqual(self.ok("check", "--help").rc, 0)
        self.unchanged(before)
        self.fails(1, "check", "targets", "--db", self.db + ".missing")

    def test_an_empty_ledger_has_nothing_to_report(self):
        self.ok("init")
        r = self.ok("check", "targets", "--json").json()
        self.assertEqual((r["mismatches"], r["unmeasurable"], r["no_geometry"], r["ok"]), ([], [], [], 0))


class CheckConflictsTest(PlatCase):
    def test_conflicts_needs_an_existing_layer(self):
        self.ok("init", "--crs", "EPSG:4547")
        self.ok("project", "add", "--code", "S", "--name", "方块", "--category", "farmland", "--s-srs", "EPSG:4547",
                "--geom", SQUARE_KM_GK)
        before = digest(self.db)
        self.fails(2, "check", "conflicts", message="--layer")
        self.fails(2, "check", "conflicts", "--layer", "x", "--json", "--csv")
        self.fails(1, "check", "conflicts", "--layer", "生态红线", message="no layer named '生态红线'")
        self.fails(1, "check", "conflicts", "--layer", "生态红线", "--json", message="no layer named")
        self.fails(1, "check", "conflicts", "--layer", "x", "--status", "maybe", message="unknown status")
        self.unchanged(before)


if __name__ == "__main__":
    main()

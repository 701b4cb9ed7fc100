"""Location precision and the ledger read at a date: coverage and exports --as-of, import --precision,
township- and county-level targets reported apart, sketched projects drawn dashed in the QGIS style.

Townships as in test_coverage (EPSG:4547 metres): 伍市镇 x 400-410 km, 三市镇 x 410-420 km, y 3170-3180 km.
"""
import csv
import json
import os
import subprocess
import xml.etree.ElementTree as ET

from plat_test import PlatCase, main

TOWNS = "\n".join([
    "code,name,county,WKT",
    '430626100,伍市镇,平江县,"POLYGON((400000 3170000,410000 3170000,410000 3180000,400000 3180000,400000 3170000))"',
    '430626101,三市镇,平江县,"POLYGON((410000 3170000,420000 3170000,420000 3180000,410000 3180000,410000 3170000))"',
]) + "\n"


def at(day):
    return {"PLAT_NOW": f"{day}T12:00:00Z"}


class PrecisionCase(PlatCase):
    def setUp(self):
        super().setUp()
        self.ok("init", "--crs", "EPSG:4547")
        self.ok("township", "import", self.write("towns.csv", TOWNS), "--s-srs", "EPSG:4547")
        gk = ("--s-srs", "EPSG:4547")
        # a line sketched in 伍市镇, surveyed in March 2024 to run on 6 km into 三市镇
        self.ok("project", "add", "--code", "G536", "--name", "G536改建", "--category", "公路", *gk,
                "--geom", "LINESTRING(402000 3175000, 408000 3175000)", "--date", "2024-01-01", env=at("2024-01-01"))
        self.ok("project", "update", "G536", "--geom", "LINESTRING(402000 3175000, 416000 3175000)", *gk,
                "--precision", "surveyed", "--status", "在建", "--date", "2024-03-15", env=at("2024-03-16"))
        self.ok("project", "add", "--code", "HSF", "--name", "高标准农田建设", "--category", "高标准农田", "--target",
                "20.8万亩", "--precision", "county", "--county", "平江县", "--date", "2024-01-01", env=at("2024-01-01"))
        self.ok("project", "add", "--code", "RR", "--name", "农村公路提质改造", "--category", "农村公路", "--target",
                "12km", "--township", "三市镇", "--date", "2024-01-01", env=at("2024-01-01"))

    def coverage(self, *args):
        return self.ok("coverage", "--json", "--planar", *args).json()


class CoverageAsOfTest(PrecisionCase):
    def test_coverage_as_of_uses_the_geometry_of_then(self):
        now = {t["name"]: t for t in self.coverage()["townships"]}
        self.assertEqual((now["伍市镇"]["line_km"], now["三市镇"]["line_km"]), (8, 6))
        then = self.coverage("--as-of", "2024-03-14")
        t = {r["name"]: r for r in then["townships"]}
        self.assertEqual((t["伍市镇"]["line_km"], t["三市镇"]["line_km"]), (6, 0))
        self.assertEqual(then["as_of"], "2024-03-14")
        before = self.coverage("--as-of", "2023-12-31")
        self.assertEqual((before["totals"]["projects"], before["totals"]["line_km"], before["unmapped"]), (0, 0, []))
        # as the ledger read on 2024-03-15: the survey of that day was entered on the 16th
        rec = {r["name"]: r for r in self.coverage("--as-recorded", "2024-03-15")["townships"]}
        self.assertEqual((rec["伍市镇"]["line_km"], rec["三市镇"]["line_km"]), (6, 0))
        by_status = self.coverage("--as-of", "2024-03-14", "--status", "在建")
        self.assertEqual(by_status["totals"]["line_km"], 0)

    def test_township_and_county_targets_are_apart_and_not_in_the_km(self):
        c = self.coverage()
        self.assertEqual(c["totals"]["line_km"], 14)  # G536 alone: RR's 12 km are a target, not a line
        un = {u["code"]: u for u in c["unmapped"]}
        self.assertEqual((un["HSF"]["precision"], un["HSF"]["place"], un["HSF"]["target"]),
                         ("county", "平江县", {"qty": 20.8, "unit": "万亩"}))
        self.assertEqual((un["RR"]["precision"], un["RR"]["place"], un["RR"]["county"]), ("township", "430626101", "平江县"))
        t = {r["name"]: r for r in c["townships"]}
        self.assertEqual((t["三市镇"]["unmapped_targets"], t["伍市镇"]["unmapped_targets"]), (["RR"], []))
        self.assertEqual(t["三市镇"]["line_km"], 6)
        county = self.coverage("--by", "county")["counties"][0]
        self.assertEqual((county["name"], county["unmapped_targets"], county["line_km"]), ("平江县", ["HSF", "RR"], 14))
        r = self.ok("coverage", "--planar")
        self.assertIn("2 targets known only by township or county", r.err)
        shown = self.ok("project", "show", "RR", "--json").json()
        self.assertEqual((shown["precision"], shown["place"], shown["geometry"], shown["townships"]),
                         ("township", "430626101", None, []))
        listed = {p["code"]: p["precision"] for p in self.ok("project", "list", "--json").json()}
        self.assertEqual(listed, {"G536": "surveyed", "HSF": "county", "RR": "township"})


class ExportAsOfTest(PrecisionCase):
    def test_export_as_of_writes_the_old_geometry_and_the_precision(self):
        self.ok("export", "csv", os.path.join(self.dir, "then"), "--as-of", "2024-03-14", "--planar")
        self.ok("export", "csv", os.path.join(self.dir, "now"), "--planar")

        def rows(folder):
            with open(os.path.join(self.dir, folder, "projects.csv"), encoding="utf-8-sig") as f:
                return {r["code"]: r for r in csv.DictReader(f)}
        then, now = rows("then"), rows("now")
        self.assertEqual(then["G536"]["WKT"], "LINESTRING (402000 3175000,408000 3175000)")
        self.assertEqual((then["G536"]["meas_km"], then["G536"]["precision"], then["G536"]["townships"]),
                         ("6", "sketched", "伍市镇"))
        self.assertEqual(then["G536"]["status"], "planned")
        self.assertEqual((now["G536"]["meas_km"], now["G536"]["precision"], now["G536"]["townships"]),
                         ("14", "surveyed", "伍市镇;三市镇"))
        self.assertEqual((now["HSF"]["precision"], now["RR"]["precision"]), ("county", "township"))
        with open(os.path.join(self.dir, "then", "coverage.csv"), encoding="utf-8-sig") as f:
            cov = {r["name"]: r for r in csv.DictReader(f)}
        self.assertEqual((cov["伍市镇"]["line_km"], cov["三市镇"]["line_km"]), ("6", "0"))

    def test_sketched_projects_are_drawn_dashed(self):
        self.ok("export", "shp", os.path.join(self.dir, "s"))
        qml = ET.parse(os.path.join(self.dir, "s", "projects_lines.qml")).getroot()
        exprs = [o.get("value") for o in qml.iter("Option") if o.get("name") == "expression"]
        self.assertEqual(exprs, ["CASE WHEN \"precision\" = 'sketched' THEN 'dash' ELSE 'solid' END"])
        prop = [o for o in qml.iter("Option") if o.get("name") == "outlineStyle"]
        self.assertEqual(len(prop), 1)
        out = subprocess.run(["ogrinfo", "-ro", "-al", "-q", os.path.join(self.dir, "s", "projects_lines.shp")],
                             capture_output=True, text=True, check=True).stdout
        self.assertIn("precision (String) = surveyed", out)


class ImportPrecisionTest(PlatCase):
    def setUp(self):
        super().setUp()
        self.ok("init", "--crs", "EPSG:4547")
        self.ok("township", "import", self.write("towns.csv", TOWNS), "--s-srs", "EPSG:4547")

    def test_import_takes_precision_from_a_column_or_the_option(self):
        rows = ["项目编号,项目名称,类别,定位精度,所在乡镇,县,建设规模,WKT",
                'A,测绘线,公路,实测,,,5km,"LINESTRING(402000 3175000,407000 3175000)"',
                'B,示意线,公路,示意,,,3km,"LINESTRING(412000 3175000,415000 3175000)"',
                "C,乡镇目标,农村公路,乡镇,伍市镇,,30km,",
                "D,全县目标,高标准农田,县,,平江县,20.8万亩,",
                'E,无精度,公路,,,,2km,"LINESTRING(412000 3176000,414000 3176000)"']
        path = self.write("plan.csv", "\n".join(rows) + "\n")
        self.ok("project", "import", path, "--s-srs", "EPSG:4547")
        got = {p["code"]: (p["precision"], p["place"]) for p in self.ok("project", "list", "--json").json()}
        self.assertEqual(got, {"A": ("surveyed", None), "B": ("sketched", None), "C": ("township", "430626100"),
                               "D": ("county", "平江县"), "E": ("surveyed", None)})
        j = self.ok("progress", "--json", "--planar").json()
        self.assertEqual(j["totals"]["planned_km"], 10)
        self.assertEqual(sorted(u["code"] for u in j["unmapped"]), ["C", "D"])

    def test_import_precision_option_and_bad_values(self):
        rows = ["code,name,category,WKT", 'X,x,公路,"LINESTRING(402000 3175000,407000 3175000)"']
        path = self.write("one.csv", "\n".join(rows) + "\n")
        before = self.digest()
        self.fails(1, "project", "import", path, "--s-srs", "EPSG:4547", "--precision", "approx",
                   message="is not a location precision")
        self.fails(1, "project", "import", path, "--s-srs", "EPSG:4547", "--precision", "county",
                   message="precision county takes no geometry")
        bad = self.write("bad.csv", "code,name,category,定位精度,WKT\nY,y,公路,大概,\"POINT(402000 3175000)\"\n")
        r = self.fails(1, "project", "import", bad, "--s-srs", "EPSG:4547")
        self.assertIn("bad.csv", r.err)
        self.assertIn("大概", r.err)
        self.unchanged(before)
        self.ok("project", "import", path, "--s-srs", "EPSG:4547", "--precision", "示意")
        self.assertEqual(self.ok("project", "show", "X", "--json").json()["precision"], "sketched")


if __name__ == "__main__":
    main()

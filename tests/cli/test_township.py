"""plat township import / list: reprojection, the working CRS, replacement, bad files."""
import json
import os
import subprocess

from plat_test import COUNTIES, PlatCase, main, spatialite_ellipsoid_area_m2


def square(lon, lat, d):
    return [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]


def feature_collection(features):
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def township(code, name, lon, lat, d=0.05, county=None):
    props = {"code": code, "名称": name}
    if county:
        props["county"] = county
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [square(lon, lat, d)]}}


class TownshipImportTest(PlatCase):
    def test_counties_import_picks_the_cm114_zone_and_measures_ellipsoidal_areas(self):
        self.ok("init")
        r = self.ok("township", "import", COUNTIES)
        self.assertIn("EPSG:4547", r.err)
        self.assertIn("imported 4 townships", r.err)
        rows = {t["name"]: t for t in self.ok("township", "list", "--json").json()}
        self.assertEqual(sorted(rows), ["南县", "平江县", "沅江市", "湘阴县"])
        self.assertEqual(rows["平江县"]["code"], "430626")
        self.assertEqual(rows["平江县"]["county"], "平江县")
        self.assertEqual(rows["平江县"]["source"], "seed_counties.geojson")
        # 平江县 is about 4 125 km2 by official statistics; the outline gives 4 115.5 km2.
        self.assertAlmostEqual(rows["平江县"]["area_km2"], 4115.5, delta=1.0)
        planar = {t["name"]: t for t in self.ok("township", "list", "--json", "--planar").json()}
        # 南县 lies 1.2-1.8 degrees west of CM 114E: the Gauss-Kruger plane enlarges it by ~0.05-0.08 %.
        ratio = planar["南县"]["area_km2"] / rows["南县"]["area_km2"]
        self.assertGreater(ratio, 1.0004)
        self.assertLess(ratio, 1.0009)

    def test_township_area_agrees_with_spatialite_on_the_ellipsoid(self):
        self.ok("init")
        path = self.write("t.geojson", feature_collection([township("430626100", "测试镇", 113.5, 28.7, 0.1)]))
        self.ok("township", "import", path)
        km2 = self.ok("township", "list", "--json").json()[0]["area_km2"]
        ring = ", ".join(f"{x} {y}" for x, y in square(113.5, 28.7, 0.1))
        ref = spatialite_ellipsoid_area_m2(f"POLYGON(({ring}))") / 1e6
        # plat's edges are straight in the Gauss-Kruger plane, SpatiaLite's are geodesics: the
        # two agree to a few parts per million on a 10 km cell.
        self.assertAlmostEqual(km2, ref, delta=ref * 1e-5)

    def test_nine_digit_codes_carry_their_county_and_reimport_replaces(self):
        self.ok("init")
        path = self.write("t.geojson", feature_collection([
            township("430626100", "伍市镇", 113.2, 28.7, county="平江县"),
            township("430626101", "三市镇", 113.25, 28.7, county="平江县")]))
        self.ok("township", "import", path)
        rows = self.ok("township", "list", "--json").json()
        self.assertEqual([(t["code"], t["name"], t["county_code"], t["county"]) for t in rows],
                         [("430626100", "伍市镇", "430626", "平江县"), ("430626101", "三市镇", "430626", "平江县")])
        path2 = self.write("t2.geojson", feature_collection([township("430626100", "伍市镇", 113.2, 28.7, d=0.1,
                                                                      county="平江县")]))
        r = self.ok("township", "import", path2)
        self.assertIn("1 replaced", r.err)
        rows = {t["code"]: t for t in self.ok("township", "list", "--json").json()}
        self.assertEqual(len(rows), 2)
        self.assertGreater(rows["430626100"]["area_km2"], 3.5 * rows["430626101"]["area_km2"])

    def test_field_options_pick_named_columns(self):
        self.ok("init", "--crs", "EPSG:4547")
        fc = {"type": "FeatureCollection", "features": [{"type": "Feature",
              "properties": {"XZDM": "430626100", "XZMC": "伍市镇", "SSX": "平江县"},
              "geometry": {"type": "Polygon", "coordinates": [square(113.2, 28.7, 0.05)]}}]}
        path = self.write("t.geojson", json.dumps(fc, ensure_ascii=False))
        self.fails(1, "township", "import", path, message="no code field")
        self.ok("township", "import", path, "--code-field", "XZDM", "--name-field", "XZMC", "--county-field", "SSX")
        t = self.ok("township", "list", "--json").json()[0]
        self.assertEqual((t["code"], t["name"], t["county"]), ("430626100", "伍市镇", "平江县"))
        self.fails(1, "township", "import", path, "--code-field", "NOPE", message="no field 'NOPE'")

    def test_csv_and_table_output(self):
        self.ledger_with_counties()
        csv = self.ok("township", "list", "--csv").out.splitlines()
        self.assertEqual(csv[0], "code,name,county_code,county,area_km2,source")
        self.assertEqual(len(csv), 5)
        table = self.ok("township", "list").out.splitlines()
        self.assertTrue(table[0].startswith("代码"))
        self.assertTrue(any("平江县" in line for line in table))

    def test_bad_files_fail_naming_file_and_feature_and_change_nothing(self):
        self.ledger_with_counties()
        before = self.digest()
        cases = [
            (feature_collection([township("430626100", "甲镇", 113.2, 28.7),
                                 {"type": "Feature", "properties": {"code": "430626101", "名称": "乙镇"},
                                  "geometry": {"type": "LineString", "coordinates": [[113.2, 28.7], [113.3, 28.8]]}}]),
             "feature 1: township 430626101 is not a polygon"),
            (feature_collection([township("430626100", "甲镇", 113.2, 28.7), township("", "乙镇", 113.3, 28.7)]),
             "feature 1: the township code is empty"),
            (feature_collection([township("430626100", "甲镇", 113.2, 28.7), township("4306", "乙镇", 113.3, 28.7)]),
             "feature 1: township code '4306' is not a 9-digit"),
            (feature_collection([township("430626100", "甲镇", 113.2, 28.7), township("430626100", "乙镇", 113.3, 28.7)]),
             "feature 1: township code 430626100 appears twice"),
            (feature_collection([township("430626100", "甲镇", 113.2, 28.7),
                                 {"type": "Feature", "properties": {"code": "430626101", "名称": "乙镇"},
                                  "geometry": None}]),
             "feature 1: township 430626101 (乙镇) has no geometry"),
            (feature_collection([township("430626100", "甲镇", 113.2, 95.0)]), "feature 0:"),
            ("{ this is not json", "not a vector file"),
        ]
        for i, (text, message) in enumerate(cases):
            path = self.write(f"bad{i}.geojson", text)
            r = self.fails(1, "township", "import", path)
            self.assertIn(path, r.err)
            self.assertIn(message, r.err)
            self.unchanged(before)
        self.fails(1, "township", "import", self.dir + "/missing.geojson", message="no such file")
        self.unchanged(before)

    def test_strict_refuses_an_invalid_boundary_that_is_otherwise_repaired(self):
        self.ok("init")
        bowtie = {"type": "Feature", "properties": {"code": "430626100", "名称": "甲镇"},
                  "geometry": {"type": "Polygon", "coordinates": [[[113.2, 28.7], [113.3, 28.8], [113.3, 28.7],
                                                                   [113.2, 28.8], [113.2, 28.7]]]}}
        path = self.write("bowtie.geojson", feature_collection([bowtie]))
        before = self.digest()
        self.fails(1, "township", "import", path, "--strict", message="--strict refuses repairs")
        self.unchanged(before)
        r = self.ok("township", "import", path)
        self.assertIn("repaired", r.err)
        area = self.ok("township", "list", "--json").json()[0]["area_km2"]
        self.assertGreater(area, 40)  # both triangles kept: half the 0.1-degree cell
        self.assertLess(area, 60)

    def test_a_file_without_crs_needs_s_srs(self):
        self.ok("init")
        gk = self.write("gk.csv", "code,name,WKT\n430626100,甲镇,\"POLYGON((380000 3170000,390000 3170000,"
                                  "390000 3180000,380000 3180000,380000 3170000))\"\n")
        before = self.digest()
        self.fails(1, "township", "import", gk, message="no coordinate reference system")
        self.unchanged(before)
        self.ok("township", "import", gk, "--s-srs", "EPSG:4547")
        t = self.ok("township", "list", "--json", "--planar").json()[0]
        self.assertAlmostEqual(t["area_km2"], 100.0, places=6)
        self.assertEqual(self.sql("SELECT value FROM meta WHERE key='srid'"), [("4547",)])

    def convert(self, src, dest, *options):
        subprocess.run(["ogr2ogr", *options, dest, src], check=True, capture_output=True)
        return dest

    def test_shapefile_and_geopackage_sources_give_the_same_townships(self):
        src = self.write("t.geojson", feature_collection([township("430626100", "伍市镇", 113.2, 28.7, county="平江县"),
                                                          township("430626101", "三市镇", 113.25, 28.7, county="平江县")]))
        shp = self.convert(src, os.path.join(self.dir, "towns.shp"), "-lco", "ENCODING=UTF-8")
        gpkg = self.convert(src, os.path.join(self.dir, "towns.gpkg"), "-nln", "乡镇")
        self.convert(src, gpkg, "-update", "-nln", "other")
        lists = []
        for path, extra in ((src, []), (shp, []), (gpkg, ["--layer", "乡镇"])):
            self.remove_ledger()
            self.ok("init")
            self.ok("township", "import", path, *extra)
            lists.append([(t["code"], t["name"], t["county"], t["area_km2"])
                          for t in self.ok("township", "list", "--json").json()])
        self.assertEqual(lists[0], lists[1])
        self.assertEqual(lists[0], lists[2])
        self.assertEqual(lists[0][0][1], "伍市镇")
        self.fails(1, "township", "import", gpkg, "--layer", "nope", message="has no layer 'nope'")

    def test_a_gbk_shapefile_without_cpg_is_refused_until_its_encoding_is_given(self):
        self.ok("init")
        src = self.write("t.geojson", feature_collection([township("430626100", "伍市镇", 113.2, 28.7, county="平江县")]))
        shp = self.convert(src, os.path.join(self.dir, "gbk.shp"), "-lco", "ENCODING=CP936")
        os.remove(os.path.join(self.dir, "gbk.cpg"))
        before = self.digest()
        r = self.fails(1, "township", "import", shp, message="--encoding GBK")
        self.assertIn("feature 0", r.err)
        self.unchanged(before)
        self.ok("township", "import", shp, "--encoding", "GBK")
        t = self.ok("township", "list", "--json").json()[0]
        self.assertEqual((t["name"], t["county"]), ("伍市镇", "平江县"))


if __name__ == "__main__":
    main()

"""plat layer import / list / drop: reference layers from every format, attributes kept, empty
geometries skipped, names taken or replaced, and refusals that leave the ledger as it was."""
import json
import os
import sqlite3
import struct

from import_fixtures import (bowtie, feat, fc, gbk_dxf, gpx, kml, kml_line, line, ogr2ogr, point, remove,
                             square)
from plat_test import PlatCase, main

FARMLAND = fc(
    feat({"DLMC": "水田", "DLBM": "0101", "TBMJ": 1200.5, "QSDWMC": "伍市镇新丰村"}, square(113.30, 28.70, 0.01)),
    feat({"DLMC": "旱地", "DLBM": "0103", "TBMJ": 80.25, "QSDWMC": "伍市镇合兴村"}, square(113.32, 28.70, 0.005)),
    feat({"DLMC": "水田", "DLBM": "0101", "TBMJ": 300.0, "QSDWMC": "三市镇"}, square(113.34, 28.70, 0.008)))


class LayerImportTest(PlatCase):
    def layers(self):
        return {li["name"]: li for li in self.ok("layer", "list", "--json").json()}

    def features(self, name):
        table = self.sql("SELECT table_name FROM layers WHERE name = ?", (name,))[0][0]
        rows = self.sql(f'SELECT fid, CAST(attrs AS TEXT) FROM "{table}" ORDER BY id')
        return [(fid, json.loads(a) if a else None) for fid, a in rows]

    def test_a_farmland_layer_keeps_every_attribute_and_lists_itself(self):
        self.ledger_with_counties()
        path = self.write("农用地.geojson", FARMLAND)
        r = self.ok("layer", "import", "永久基本农田", path, "--kind", "basic_farmland")
        self.assertIn(f"imported 3 features into layer 永久基本农田 from {path} (0 repaired, 0 skipped)", r.err)
        li = self.layers()["永久基本农田"]
        self.assertEqual((li["kind"], li["geometry_kind"], li["feature_count"], li["source_file"]),
                         ("basic_farmland", "polygon", 3, "农用地.geojson"))
        self.assertRegex(li["imported_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        feats = self.features("永久基本农田")
        self.assertEqual(feats[0], (0, {"DLMC": "水田", "DLBM": "0101", "TBMJ": 1200.5, "QSDWMC": "伍市镇新丰村"}))
        self.assertEqual([f[0] for f in feats], [0, 1, 2])
        table = self.ok("layer", "list").out
        self.assertIn("永久基本农田", table)
        self.assertIn("basic_farmland", table)
        csv = self.ok("layer", "list", "--csv").out.splitlines()
        self.assertEqual(csv[0], "name,kind,geometry_kind,feature_count,source_file,imported_at")
        self.assertTrue(csv[1].startswith("永久基本农田,basic_farmland,polygon,3,农用地.geojson,"))

    def test_every_format(self):
        self.ledger_with_counties()
        src = self.write("roads.geojson", fc(
            feat({"name": "S313", "等级": "省道"}, line((113.30, 28.70), (113.38, 28.72))),
            feat({"name": "X025", "等级": "县道"}, line((113.38, 28.72), (113.45, 28.75)))))
        shp = ogr2ogr(os.path.join(self.dir, "roads.shp"), src, "-lco", "ENCODING=UTF-8")
        gpkg = ogr2ogr(os.path.join(self.dir, "roads.gpkg"), src, "-nln", "道路")
        csv = ogr2ogr(os.path.join(self.dir, "roads.csv"), src, "-lco", "GEOMETRY=AS_WKT")
        k = kml(os.path.join(self.dir, "roads.kml"), {
            "省道": [("S313", {"等级": "省道"}, kml_line([(113.30, 28.70), (113.38, 28.72)]))],
            "县道": [("X025", {"等级": "县道"}, kml_line([(113.38, 28.72), (113.45, 28.75)]))]})
        g = gpx(os.path.join(self.dir, "roads.gpx"), tracks=[("S313", [[(113.30, 28.70), (113.38, 28.72)]])],
                routes=[("X025", [(113.38, 28.72), (113.45, 28.75)])])
        e, n = 38451140.202, 3176121.716
        dxf = gbk_dxf(os.path.join(self.dir, "roads.dxf"), [("道路中线", [(e, n), (e + 1000, n)]),
                                                             ("道路中线", [(e + 1000, n), (e + 2000, n)]),
                                                             ("图框", [(e, n), (e, n + 5000)])])
        cases = [("geojson", src, []), ("shp", shp, []), ("gpkg", gpkg, ["--layer", "道路"]), ("csv", csv, []),
                 ("kml", k, []), ("gpx", g, []),
                 ("dxf", dxf, ["--s-srs", "EPSG:4526", "--where", "Layer = '道路中线'"])]
        for name, path, extra in cases:
            r = self.ok("layer", "import", name, path, "--kind", "roads", *extra)
            self.assertIn(f"imported 2 features into layer {name}", r.err)
        layers = self.layers()
        for name, _, _ in cases:
            self.assertEqual((layers[name]["feature_count"], layers[name]["geometry_kind"]), (2, "line"), name)
        self.assertEqual(self.features("shp")[1][1], {"name": "X025", "等级": "县道"})
        self.assertEqual(self.features("kml")[0][1], {"Name": "S313", "等级": "省道"})
        self.assertEqual(self.features("dxf")[0][1]["Layer"], "道路中线")
        self.assertEqual(sorted(self.features("gpx")[i][1]["name"] for i in range(2)), ["S313", "X025"])

    def test_empty_geometries_are_skipped_and_counted(self):
        self.ledger_with_counties()
        path = self.write("w.geojson", fc(feat({"名称": "南洞庭湖"}, square(112.5, 28.9, 0.05)),
                                          feat({"名称": "未定界"}, None),
                                          feat({"名称": "东洞庭湖"}, square(112.9, 29.2, 0.05))))
        r = self.ok("layer", "import", "湿地", path, "--kind", "wetland")
        self.assertIn("w.geojson: feature 1: empty geometry, skipped", r.err)
        self.assertIn("(0 repaired, 1 skipped)", r.err)
        self.assertEqual([f[0] for f in self.features("湿地")], [0, 2])
        only_empty = self.write("e.geojson", fc(feat({"名称": "未定界"}, None)))
        before = self.digest()
        self.fails(1, "layer", "import", "空", only_empty, "--kind", "wetland", message="has no features with a geometry")
        self.unchanged(before)

    def raw_attrs(self, name):
        table = self.sql("SELECT table_name FROM layers WHERE name = ?", (name,))[0][0]
        return self.sql(f'SELECT fid, CAST(attrs AS TEXT) FROM "{table}" ORDER BY id')

    def test_attributes_are_stored_as_json_text_of_every_type(self):
        self.ledger_with_counties()
        path = self.write("typed.geojson", fc(feat(
            {"名称": '伍市镇"新丰村"', "路径": "C:\\图纸/1.dwg", "编号": 7, "大号": 9007199254740993, "面积": 1200.50,
             "比例": 0.1, "小": 0.00001, "合格": True, "日期": "2024-05-01", "时刻": "2024-05-01T08:30:00", "空": None,
             "控制": "a\u0001b\nc"}, point(113.3, 28.7))))
        self.ok("layer", "import", "点", path, "--kind", "other")
        # quotes, backslashes and control characters escaped, '/' and Chinese as they are; integers,
        # 64-bit integers, reals as typed ("%.15g"), booleans, dates; null fields left out
        self.assertEqual(self.raw_attrs("点"), [(0, '{"名称":"伍市镇\\"新丰村\\"","路径":"C:\\\\图纸/1.dwg","编号":7,'
                                                   '"大号":9007199254740993,"面积":1200.5,"比例":0.1,"小":1e-05,'
                                                   '"合格":true,"日期":"2024-05-01","时刻":"2024-05-01T08:30:00",'
                                                   '"控制":"a\\u0001b\\nc"}')])

    def test_a_repeated_column_name_keeps_its_last_value_where_it_first_appears(self):
        self.ledger_with_counties()
        path = self.write("重名.csv", 'WKT,名称,备注,名称\n"POINT (113.3 28.7)",甲,"x ""q""",乙\n'
                                      '"POINT (113.31 28.7)",丙,y,\n"POINT (113.32 28.7)",,\\z,丁\n')
        self.ok("layer", "import", "点", path, "--kind", "other")
        self.assertEqual(self.raw_attrs("点"), [(1, '{"名称":"乙","备注":"x \\"q\\""}'), (2, '{"名称":"丙","备注":"y"}'),
                                                 (3, '{"备注":"\\\\z","名称":"丁"}')])

    def test_a_taken_name_needs_replace_and_a_failed_replace_keeps_the_old_layer(self):
        self.ledger_with_counties()
        path = self.write("f.geojson", FARMLAND)
        self.ok("layer", "import", "农田", path, "--kind", "farmland")
        before = self.digest()
        self.fails(1, "layer", "import", "农田", path, "--kind", "farmland",
                   message="a layer named '农田' exists already: import with --replace")
        bad = self.write("bad.geojson", fc(feat({"DLMC": "水田"}, square(113.3, 28.7, 0.01)),
                                           feat({"DLMC": "水田"}, point(38500000, 3176121))))
        self.fails(1, "layer", "import", "农田", bad, "--kind", "farmland", "--replace",
                   message="bad.geojson: feature 1: coordinate (38500000 3176121)")
        self.unchanged(before)
        one = self.write("one.geojson", fc(feat({"DLMC": "水浇地"}, square(113.3, 28.7, 0.01))))
        self.ok("layer", "import", "农田", one, "--kind", "farmland", "--replace")
        li = self.layers()["农田"]
        self.assertEqual((li["feature_count"], li["source_file"]), (1, "one.geojson"))
        self.ok("layer", "import", "新层", one, "--kind", "other", "--replace")  # nothing to replace: a plain import
        self.ok("layer", "drop", "新层")
        self.ok("layer", "drop", "农田")
        self.assertEqual(self.ok("layer", "list", "--json").json(), [])
        before = self.digest()
        self.fails(1, "layer", "drop", "农田", message="no layer named '农田'")
        self.unchanged(before)

    def test_invalid_geometry_is_repaired_or_refused_under_strict(self):
        self.ledger_with_counties()
        path = self.write("r.geojson", fc(feat({"名称": "红线一"}, square(113.3, 28.7, 0.01)),
                                          feat({"名称": "红线二"}, bowtie(113.4, 28.7, 0.01))))
        before = self.digest()
        self.fails(1, "layer", "import", "生态保护红线", path, "--kind", "eco_redline", "--strict",
                   message="r.geojson: feature 1: the geometry is invalid")
        self.unchanged(before)
        r = self.ok("layer", "import", "生态保护红线", path, "--kind", "eco_redline")
        self.assertIn("r.geojson: feature 1: invalid geometry repaired with GEOS MakeValid", r.err)
        self.assertIn("(1 repaired, 0 skipped)", r.err)

    def test_refusals_change_nothing(self):
        self.ledger_with_counties()
        path = self.write("f.geojson", FARMLAND)
        before = self.digest()
        self.fails(2, "layer", "import", "x", path, message="--kind is required")
        self.fails(1, "layer", "import", "x", path, "--kind", "forest", message="unknown layer kind 'forest'")
        self.fails(1, "layer", "import", "x" * 65, path, "--kind", "other", message="1 to 64 bytes")
        self.fails(1, "layer", "import", "x", os.path.join(self.dir, "none.shp"), "--kind", "other",
                   message="no such file")
        table = self.write("t.csv", "a,b\n1,2\n")
        self.fails(1, "layer", "import", "x", table, "--kind", "other", message="has no geometry column")
        self.fails(1, "layer", "import", "x", path, "--kind", "other", "--where", "DLMC = '林地'",
                   message="no feature matches --where")
        self.unchanged(before)

    def test_gbk_shapefile_layer_and_where_in_chinese(self):
        self.ledger_with_counties()
        src = self.write("f.geojson", FARMLAND)
        shp = ogr2ogr(os.path.join(self.dir, "dltb.shp"), src, "-lco", "ENCODING=CP936")
        remove(os.path.join(self.dir, "dltb.cpg"))
        before = self.digest()
        self.fails(1, "layer", "import", "水田", shp, "--kind", "farmland", message="--encoding GBK")
        self.unchanged(before)
        # --where is written in UTF-8 and still matches the GBK bytes of the file
        self.ok("layer", "import", "水田", shp, "--kind", "farmland", "--encoding", "GBK", "--where", "DLMC = '水田'")
        feats = self.features("水田")
        self.assertEqual([(f[1]["DLMC"], f[1]["QSDWMC"]) for f in feats], [("水田", "伍市镇新丰村"), ("水田", "三市镇")])

    def test_a_coordinate_that_is_not_a_number_is_refused_in_a_file_of_the_working_crs(self):
        # No transform runs for a file already in the working CRS, yet a NaN vertex (a GeoPackage
        # can hold one) is refused as before, naming the feature.
        self.ok("init", "--crs", "EPSG:4547")
        src = self.write("p.geojson", fc(feat({"n": 1}, line((500000, 3000000), (500005, 3000010), (500010, 3000020))),
                                         feat({"n": 2}, line((500000, 3000000), (500010, 3000000))),
                                         crs="EPSG:4547"))
        gpkg = ogr2ogr(os.path.join(self.dir, "p.gpkg"), src, "-nln", "p")
        db = sqlite3.connect(gpkg)
        for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            db.execute(f'DROP TRIGGER "{trigger}"')  # they call GeoPackage functions plain sqlite3 lacks
        header = b"GP\x00\x01" + struct.pack("<i", 4547)
        nan = float("nan")
        db.execute("UPDATE p SET geom = ? WHERE fid = 1", (header + struct.pack(
            "<BII6d", 1, 2, 3, 500000, 3000000, nan, 3000010, 500010, 3000020),))
        db.execute("UPDATE p SET geom = ? WHERE fid = 2", (header + struct.pack(
            "<BIII8d", 1, 3, 1, 4, 500000, 3000000, 500010, 3000000, 500005, nan, 500000, 3000000),))
        db.commit()
        db.close()
        before = self.digest()
        self.fails(1, "layer", "import", "路", gpkg, "--kind", "roads", "--where", "n = 1",
                   message="p.gpkg: feature 1: coordinate (nan 3000010) cannot be transformed to EPSG:4547")
        self.fails(1, "layer", "import", "田", gpkg, "--kind", "farmland", "--where", "n = 2",
                   message="p.gpkg: feature 2: the polygon has no area (Invalid Coordinate[500005 nan])")
        self.unchanged(before)

    def test_the_first_layer_chooses_the_working_crs(self):
        self.ok("init")
        path = self.write("f.geojson", FARMLAND)
        r = self.ok("layer", "import", "农田", path, "--kind", "farmland")
        self.assertIn("working CRS: EPSG:4547", r.err)


if __name__ == "__main__":
    main()

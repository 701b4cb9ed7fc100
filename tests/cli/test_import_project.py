"""plat project import: every format, field mapping, Chinese values, encodings, --upsert, --merge,
repairs, empty geometries, and refusals that leave the ledger exactly as it was."""
import json
import os

from import_fixtures import (bowtie, feat, fc, gbk_dxf, gpx, kml, kml_line, kmz, line, ogr2ogr, patch_dbf, point,
                             remove, square)
from plat_test import PlatCase, geod_length_m, main

G536 = [(113.30, 28.70), (113.38, 28.72), (113.45, 28.75)]  # in 平江县
PORT = (112.90, 28.75)                                       # 虞公港, 湘阴县
WET = (112.50, 28.90)                                         # a square in 沅江市


def plan_sheet():
    """Three projects as a county office's GeoJSON export writes them: Chinese column names,
    categories and states in Chinese, units in the column names."""
    return fc(
        feat({"项目编号": "PJ-G536", "项目名称": "G536青冲至伍市段改建", "类别": "国省干线", "建设状态": "在建",
              "建设规模": "21公里", "牵头单位": "县交通运输局", "年度": 2024, "总投资(亿元)": 5.2,
              "开工时间": "2024/3/1", "完工时间": "2026年12月31日", "备注": "路基施工", "标段": 3},
             line(*G536)),
        feat({"项目编号": "XY-YGG2", "项目名称": "虞公港二期", "类别": "港口", "建设状态": "已竣工",
              "建设规模": "4个泊位"}, point(*PORT)),
        feat({"项目编号": "YJ-NDTH", "项目名称": "南洞庭湖湿地生态修复", "类别": "湿地修复", "建设状态": "计划",
              "面积(万亩)": 4, "进度": "15%"}, square(WET[0], WET[1], 0.1)))


class ProjectImportTest(PlatCase):
    def show(self, code):
        return self.ok("project", "show", code, "--json").json()

    def test_a_chinese_plan_sheet_maps_every_field_and_keeps_the_rest(self):
        self.ledger_with_counties()
        path = self.write("plan.geojson", plan_sheet())
        r = self.ok("project", "import", path)
        self.assertIn(f"imported 3 projects from {path} (0 repaired, 0 skipped, 0 updated)", r.err)
        g = self.show("PJ-G536")
        self.assertEqual((g["name"], g["category"], g["status"], g["county"]),
                         ("G536青冲至伍市段改建", "highway", "under_construction", "平江县"))
        self.assertEqual(g["target"], {"qty": 21, "unit": "km"})
        self.assertEqual((g["lead_unit"], g["year"], g["investment"]), ("县交通运输局", 2024, 52000))
        self.assertEqual((g["start_date"], g["end_date"]), ("2024-03-01", "2026-12-31"))
        self.assertEqual(g["attrs"], {"备注": "路基施工", "标段": 3})  # unmapped columns are kept, typed
        self.assertAlmostEqual(g["measured"]["km"] * 1000, geod_length_m(G536), delta=1.0)
        self.assertEqual(g["history"][0]["note"], "imported from plan.geojson")
        port = self.show("XY-YGG2")
        self.assertEqual((port["category"], port["status"], port["progress"], port["county"]),
                         ("port", "completed", 100, "湘阴县"))
        self.assertEqual(port["target"], {"qty": 4, "unit": "berth"})
        wet = self.show("YJ-NDTH")
        self.assertEqual((wet["category"], wet["status"], wet["progress"]), ("wetland", "planned", 15))
        self.assertEqual(wet["target"], {"qty": 4, "unit": "万亩"})

    def test_map_names_columns_and_can_switch_matching_off(self):
        self.ok("init", "--crs", "EPSG:4547")
        path = self.write("odd.geojson", fc(
            feat({"工程编码": "A-1", "工程名": "甲线", "分项": "农村公路", "名称": "别的名字", "县": "平江县"},
                 line(*G536))))
        self.ok("project", "import", path, "--map", "code=工程编码", "--map", "name=工程名",
                "--map", "category=分项", "--map", "county=")
        p = self.show("A-1")
        self.assertEqual((p["name"], p["category"], p["county"]), ("甲线", "rural_road", None))
        self.assertEqual(p["attrs"], {"名称": "别的名字", "县": "平江县"})
        before = self.digest()
        self.fails(2, "project", "import", path, "--map", "colour=分项", message="FIELD one of code, name")
        self.fails(1, "project", "import", path, "--map", "code=编码", message="has no field '编码'")
        self.unchanged(before)

    def test_category_and_status_values_written_as_the_plans_write_them(self):
        self.ok("init", "--crs", "EPSG:4547")
        cases = [("公路", "highway"), ("省道", "highway"), ("农村公路", "rural_road"), ("乡村道路", "rural_road"),
                 ("高标准农田", "farmland"), ("农田建设", "farmland"), ("湿地修复", "wetland"), ("光伏", "solar"),
                 ("风电", "wind"), ("变电站", "substation"), ("High-standard farmland", "farmland"),
                 ("SCHOOL", "school"), ("", "other")]
        states = [("在建", "under_construction", 0), ("已完工", "completed", 100), ("竣工", "completed", 100),
                  ("计划", "planned", 0), ("暂停", "suspended", 0), ("已开工", "under_construction", 0)]
        feats = [feat({"code": f"C{i}", "name": f"项目{i}", "category": c, "status": states[i % len(states)][0]},
                      point(113.3 + i * 0.01, 28.7)) for i, (c, _) in enumerate(cases)]
        path = self.write("cats.geojson", fc(*feats))
        self.ok("project", "import", path, "--category", "其他")  # the one without a category
        for i, (c, code) in enumerate(cases):
            p = self.show(f"C{i}")
            _, status, progress = states[i % len(states)]
            self.assertEqual((p["category"], p["status"], p["progress"]), (code, status, progress), c)

    def test_an_unknown_category_or_status_names_the_feature_and_the_value(self):
        self.ledger_with_counties()
        before = self.digest()
        bad_cat = self.write("c.geojson", fc(feat({"code": "A", "name": "甲", "类别": "公路"}, point(113.3, 28.7)),
                                             feat({"code": "B", "name": "乙", "类别": "航天港"}, point(113.3, 28.7))))
        self.fails(1, "project", "import", bad_cat, message="c.geojson: feature 1: column '类别' (category): '航天港'")
        bad_status = self.write("s.geojson", fc(feat({"code": "A", "name": "甲", "category": "公路", "状态": "也许"},
                                                     point(113.3, 28.7))))
        self.fails(1, "project", "import", bad_status, message="feature 0: column '状态' (status): '也许' is not a status")
        no_cat = self.write("n.geojson", fc(feat({"code": "A", "name": "甲"}, point(113.3, 28.7))))
        self.fails(1, "project", "import", no_cat, message="project A: no category")
        self.fails(1, "project", "import", no_cat, "--category", "航天港", message="--category: unknown category")
        self.unchanged(before)

    def test_every_format_gives_the_same_project(self):
        """GeoJSON, Shapefile, GeoPackage (--layer), KML, KMZ, CSV with WKT, FlatGeobuf: one road."""
        src = self.write("src.geojson", fc(feat({"code": "R-1", "name": "S313改建", "category": "公路"}, line(*G536))))
        shp = ogr2ogr(os.path.join(self.dir, "r.shp"), src, "-lco", "ENCODING=UTF-8")
        gpkg = ogr2ogr(os.path.join(self.dir, "r.gpkg"), src, "-nln", "道路")
        ogr2ogr(gpkg, src, "-update", "-nln", "other")
        csv = ogr2ogr(os.path.join(self.dir, "r.csv"), src, "-lco", "GEOMETRY=AS_WKT")
        fgb = ogr2ogr(os.path.join(self.dir, "r.fgb"), src)
        k = kml(os.path.join(self.dir, "r.kml"), {"道路": [("S313改建", {"code": "R-1", "category": "公路"},
                                                          kml_line(G536))]})
        z = kmz(os.path.join(self.dir, "r.kmz"), k)
        expected = geod_length_m(G536) / 1000
        for path, extra in ((src, []), (shp, []), (gpkg, ["--layer", "道路"]), (csv, []), (fgb, []), (k, []),
                            (z, [])):
            self.remove_ledger()
            self.ok("init", "--crs", "EPSG:4547")
            r = self.ok("project", "import", path, *extra)
            self.assertIn("imported 1 projects", r.err)
            p = self.show("R-1")
            self.assertEqual((p["name"], p["category"]), ("S313改建", "highway"), path)
            self.assertAlmostEqual(p["measured"]["km"], expected, delta=0.001, msg=path)
        r = self.ok("project", "import", gpkg, "--upsert")  # without --layer: the first layer, with a warning
        self.assertIn("has 2 layers", r.err)
        self.fails(1, "project", "import", gpkg, "--layer", "nope", message="has no layer 'nope'")

    def test_kml_folders_are_all_read_and_extended_data_keeps_chinese_names(self):
        self.ledger_with_counties()
        path = kml(os.path.join(self.dir, "ovi.kml"), {
            "道路": [("G536青冲至伍市", {"编号": "K-1", "类别": "公路", "桩号": "K0+000"}, kml_line(G536))],
            "电力": [("伍市变电站", {"编号": "K-2", "类别": "变电站"},
                      "<Point><coordinates>113.3,28.7</coordinates></Point>")]})
        r = self.ok("project", "import", path)
        self.assertIn("Z/M coordinates dropped", r.err)
        self.assertIn("imported 2 projects", r.err)
        k1, k2 = self.show("K-1"), self.show("K-2")
        self.assertEqual((k1["name"], k1["category"], k1["attrs"]), ("G536青冲至伍市", "highway", {"桩号": "K0+000"}))
        self.assertEqual((k2["name"], k2["category"], k2["measured"]), ("伍市变电站", "substation", {"points": 1}))

    def test_csv_with_longitude_latitude_or_gauss_kruger_columns(self):
        self.ledger_with_counties()
        ll = self.write("ll.csv", "项目编号,项目名称,类别,经度,纬度\nP-1,伍市变电站,变电站,113.30,28.70\n"
                                  "P-2,三市变电站,变电站,113.40,28.80\n")
        r = self.ok("project", "import", ll)
        self.assertIn("taken as CGCS2000 (EPSG:4490)", r.err)
        self.assertEqual(self.show("P-2")["geometry"]["coordinates"], [113.4, 28.8])
        # Easting/northing columns named in Chinese survey style need --x-field/--y-field and a CRS.
        gk = self.write("gk.csv", "编号,名称,类别,东坐标,北坐标\nP-3,加义变电站,变电站,451140.202,3176121.716\n")
        before = self.digest()
        self.fails(1, "project", "import", gk, "--x-field", "东坐标", "--y-field", "北坐标",
                   message="no coordinate reference system")
        self.unchanged(before)
        self.ok("project", "import", gk, "--x-field", "东坐标", "--y-field", "北坐标", "--s-srs", "EPSG:4547")
        x, y = self.show("P-3")["geometry"]["coordinates"]
        self.assertAlmostEqual(x, 113.5, delta=1e-7)  # DOMAIN.md 2.3: cs2cs 28.7 113.5 -> 3176121.716 451140.202
        self.assertAlmostEqual(y, 28.7, delta=1e-7)
        # A sheet without geometry columns is a table of projects without geometry.
        plain = self.write("plain.csv", "编号,名称,类别,建设规模\nP-4,县城学校,学校,1个\n")
        self.ok("project", "import", plain)
        p4 = self.show("P-4")
        self.assertEqual((p4["measured"], p4["target"]), (None, {"qty": 1, "unit": "个"}))

    def test_gpx_tracks_and_routes_become_lines(self):
        self.ledger_with_counties()
        seg1, seg2 = G536[:2], G536[1:]
        path = gpx(os.path.join(self.dir, "drive.gpx"), tracks=[("G536踏勘", [seg1, seg2])],
                   routes=[("S201规划线", [(113.30, 28.70), (113.32, 28.71)])], waypoints=[("起点", 113.3, 28.7)])
        self.fails(1, "project", "import", path, "--category", "公路", message="no project code")
        r = self.ok("project", "import", path, "--category", "公路", "--map", "code=name", "--map", "name=name")
        self.assertIn("imported 2 projects", r.err)
        track = self.show("G536踏勘")
        self.assertEqual(track["geometry"]["type"], "MultiLineString")
        self.assertAlmostEqual(track["measured"]["km"] * 1000, geod_length_m(G536), delta=1.0)
        self.assertEqual(self.show("S201规划线")["geometry"]["type"], "LineString")
        self.ok("project", "import", path, "--layer", "waypoints", "--category", "公路", "--code", "WP-1")
        self.assertEqual(self.show("WP-1")["name"], "起点")

    def test_a_dxf_road_design_in_zone_prefixed_gauss_kruger(self):
        self.ledger_with_counties()
        # 38451140.202 3176121.716 is 113.5E 28.7N in EPSG:4526 (DOMAIN.md 2.3); two polylines of the
        # centre line, one annotation on another CAD layer.
        e, n = 38451140.202, 3176121.716
        path = gbk_dxf(os.path.join(self.dir, "S313.dxf"), [
            ("道路中线", [(e, n), (e + 3000, n + 4000)]),
            ("道路中线", [(e + 3000, n + 4000), (e + 3000, n + 9000)]),
            ("标注", [(e, n), (e + 10, n + 10)])])
        before = self.digest()
        common = ["--code", "PJ-S313", "--name", "S313虹桥至加义", "--category", "省道", "--merge"]
        r = self.fails(1, "project", "import", path, *common)
        self.assertIn("no coordinate reference system", r.err)
        self.assertIn("--s-srs EPSG:4526", r.err)
        self.fails(1, "project", "import", path, *common, "--s-srs", "EPSG:4547", message="EPSG:4526")
        self.unchanged(before)
        self.ok("project", "import", path, *common, "--s-srs", "EPSG:4526", "--where", "Layer = '道路中线'")
        planar = self.ok("project", "show", "PJ-S313", "--json", "--planar").json()
        self.assertAlmostEqual(planar["measured"]["km"], 10.0, places=6)  # 5 km + 5 km in the GK plane
        self.assertEqual(planar["geometry"]["type"], "LineString")          # the two polylines joined
        self.assertEqual(planar["attrs"]["Layer"], "道路中线")              # GBK decoded by GDAL ($DWGCODEPAGE)
        x, y = planar["geometry"]["coordinates"][0]
        self.assertAlmostEqual(x, 113.5, delta=1e-7)
        self.assertAlmostEqual(y, 28.7, delta=1e-7)

    def test_gbk_shapefiles_with_and_without_cpg(self):
        self.ledger_with_counties()
        src = self.write("s.geojson", fc(feat({"编号": "S-1", "名称": "S201虹桥至加义", "类型": "公路",
                                                "牵头单位": "县交通运输局"}, line(*G536))))
        with_cpg = ogr2ogr(os.path.join(self.dir, "cpg.shp"), src, "-lco", "ENCODING=CP936")
        self.ok("project", "import", with_cpg)
        self.assertEqual(self.show("S-1")["lead_unit"], "县交通运输局")
        src2 = self.write("s2.geojson", fc(feat({"编号": "S-2", "名称": "S201虹桥至加义", "类型": "公路",
                                                  "牵头单位": "县交通运输局"}, line(*G536))))
        no_cpg = ogr2ogr(os.path.join(self.dir, "nocpg.shp"), src2, "-lco", "ENCODING=CP936")
        remove(os.path.join(self.dir, "nocpg.cpg"))
        before = self.digest()
        self.fails(1, "project", "import", no_cpg, message="--encoding GBK")
        self.fails(1, "project", "import", no_cpg, "--encoding", "UTF-8", message="--encoding GBK")
        self.unchanged(before)
        self.ok("project", "import", no_cpg, "--encoding", "GBK")
        s2 = self.show("S-2")
        self.assertEqual((s2["name"], s2["category"], s2["lead_unit"]), ("S201虹桥至加义", "highway", "县交通运输局"))
        src3 = self.write("s3.geojson", fc(feat({"编号": "S-3", "名称": "S201虹桥至加义", "类型": "公路"}, line(*G536))))
        utf8 = ogr2ogr(os.path.join(self.dir, "utf8.shp"), src3, "-lco", "ENCODING=UTF-8")
        self.ok("project", "import", utf8)
        self.assertEqual(self.show("S-3")["name"], "S201虹桥至加义")

    def test_bytes_that_are_not_text_in_the_declared_encoding_are_refused(self):
        self.ledger_with_counties()
        src = self.write("s.geojson", fc(feat({"code": "S-9", "name": "ABCD", "category": "公路"}, line(*G536))))
        shp = ogr2ogr(os.path.join(self.dir, "bad.shp"), src, "-lco", "ENCODING=CP936")
        remove(os.path.join(self.dir, "bad.cpg"))
        patch_dbf(os.path.join(self.dir, "bad.dbf"), b"ABCD", b"AB\xff\xfe")  # not GBK, not UTF-8
        before = self.digest()
        r = self.fails(1, "project", "import", shp, "--encoding", "GBK")
        self.assertIn("feature 0: field 'name' holds bytes that are not valid GBK text", r.err)
        self.fails(1, "project", "import", shp, message="not valid UTF-8")
        self.fails(2, "project", "import", shp, "--encoding", "KLINGON", message="unknown encoding")
        self.unchanged(before)

    def test_upsert_updates_and_without_it_a_known_code_is_refused(self):
        self.ledger_with_counties()
        path = self.write("plan.geojson", plan_sheet())
        self.ok("project", "import", path)
        before = self.digest()
        r = self.fails(1, "project", "import", path)
        self.assertIn("plan.geojson: feature 0: project PJ-G536 is in the ledger already: import with --upsert", r.err)
        self.unchanged(before)
        again = json.loads(plan_sheet())
        props = again["features"][0]["properties"]
        props.update({"项目名称": "G536青冲至伍市段改扩建", "建设状态": "已完工", "牵头单位": "市交通运输局"})
        del props["备注"]
        again["features"][0]["geometry"]["coordinates"].append([113.50, 28.77])
        path2 = self.write("plan2.geojson", json.dumps(again, ensure_ascii=False))
        r = self.ok("project", "import", path2, "--upsert")
        self.assertIn("imported 3 projects from", r.err)
        self.assertIn("3 updated", r.err)
        g = self.show("PJ-G536")
        self.assertEqual((g["name"], g["lead_unit"], g["status"], g["progress"]),
                         ("G536青冲至伍市段改扩建", "市交通运输局", "completed", 100))
        self.assertEqual(g["attrs"], {"标段": 3})
        self.assertAlmostEqual(g["measured"]["km"] * 1000, geod_length_m(G536 + [(113.50, 28.77)]), delta=1.0)
        self.assertEqual([(h["kind"], h["status"], h["note"], h["geometry_changed"]) for h in g["history"]],
                         [("add", "under_construction", "imported from plan.geojson", True),
                          ("update", "completed", "imported from plan2.geojson", True)])
        port = self.show("XY-YGG2")  # the same point again: an update, but not a new geometry
        self.assertEqual([(h["kind"], h["geometry_changed"]) for h in port["history"]],
                         [("add", True), ("update", False)])
        # --upsert adds what is new
        new = self.write("new.geojson", fc(feat({"code": "N-1", "name": "新项目", "category": "学校"},
                                                point(113.3, 28.7))))
        r = self.ok("project", "import", new, "--upsert")
        self.assertIn("imported 1 projects", r.err)
        self.assertIn("0 updated", r.err)

    def test_a_code_twice_in_one_file_is_refused_with_or_without_upsert(self):
        self.ledger_with_counties()
        path = self.write("dup.geojson", fc(
            feat({"code": "D-1", "name": "甲", "category": "公路"}, point(113.3, 28.7)),
            feat({"code": "D-2", "name": "乙", "category": "公路"}, point(113.3, 28.7)),
            feat({"code": "D-1", "name": "丙", "category": "公路"}, point(113.3, 28.7))))
        before = self.digest()
        for extra in ([], ["--upsert"]):
            self.fails(1, "project", "import", path, *extra,
                       message="dup.geojson: feature 2: project code D-1 appears twice in this file (features 0 and 2)")
            self.unchanged(before)

    def test_invalid_geometry_is_repaired_with_a_warning_or_refused_under_strict(self):
        self.ledger_with_counties()
        path = self.write("bow.geojson", fc(
            feat({"code": "F-1", "name": "高标准农田一片", "category": "高标准农田"}, square(112.5, 28.9, 0.01)),
            feat({"code": "F-2", "name": "高标准农田二片", "category": "高标准农田"}, bowtie(112.6, 28.9, 0.01))))
        before = self.digest()
        self.fails(1, "project", "import", path, "--strict",
                   message="bow.geojson: feature 1: the geometry is invalid (Self-intersection")
        self.unchanged(before)
        r = self.ok("project", "import", path)
        self.assertIn("bow.geojson: feature 1: invalid geometry repaired with GEOS MakeValid", r.err)
        self.assertIn("(1 repaired, 0 skipped, 0 updated)", r.err)
        f1, f2 = self.show("F-1")["measured"]["m2"], self.show("F-2")["measured"]["m2"]
        self.assertAlmostEqual(f2, f1 / 2, delta=f1 * 0.01)  # both triangles kept: half the square

    def test_an_empty_geometry_gives_a_project_without_one(self):
        self.ledger_with_counties()
        path = self.write("e.geojson", fc(feat({"code": "E-1", "name": "待定位项目", "category": "学校"}, None),
                                          feat({"code": "E-2", "name": "空线", "category": "公路"},
                                               {"type": "LineString", "coordinates": []})))
        r = self.ok("project", "import", path)
        self.assertIn("e.geojson: feature 0 (E-1): empty geometry; the project is imported without one", r.err)
        self.assertIn("e.geojson: feature 1 (E-2): empty geometry", r.err)
        self.assertEqual([self.show(c)["measured"] for c in ("E-1", "E-2")], [None, None])

    def test_a_bad_last_feature_leaves_the_ledger_as_it_was(self):
        self.ledger_with_counties()
        feats = [feat({"code": f"L-{i:03d}", "name": f"农村公路{i}", "category": "农村公路"},
                      line((113.3 + i * 0.001, 28.7), (113.3 + i * 0.001, 28.71))) for i in range(40)]
        feats.append(feat({"code": "L-999", "name": "坏", "category": "农村公路"},
                          line((38500000, 3176121), (38500100, 3176121))))
        path = self.write("long.geojson", fc(*feats))
        before = self.digest()
        r = self.fails(1, "project", "import", path)
        self.assertIn("long.geojson: feature 40: coordinate (38500100 3176121) is not a longitude/latitude", r.err)
        self.unchanged(before)
        self.assertEqual(self.ok("project", "list", "--json").json(), [])
        # and an injected failure of a write half-way through
        good = self.write("good.geojson", fc(*feats[:40]))
        for n in (1, 30, 100):  # every project takes at least three writes: 100 falls inside
            self.plat("project", "import", good, env={"PLAT_FAULT_AT": str(n)})
            self.unchanged(before)
        self.ok("project", "import", good)
        self.assertEqual(len(self.ok("project", "list", "--json").json()), 40)

    def test_the_first_import_chooses_the_working_crs(self):
        self.ok("init")
        path = self.write("plan.geojson", plan_sheet())
        r = self.ok("project", "import", path)
        # Polygons outweigh lines and points: the wetland square (112.55E) picks zone 38, CM 114E.
        self.assertIn("working CRS: EPSG:4547", r.err)
        self.assertEqual(self.sql("SELECT value FROM meta WHERE key='srid'"), [("4547",)])

    def test_missing_files_and_unreadable_content(self):
        self.ledger_with_counties()
        before = self.digest()
        self.fails(1, "project", "import", os.path.join(self.dir, "nope.geojson"), message="no such file")
        junk = self.write("junk.geojson", "{ not json")
        self.fails(1, "project", "import", junk, message="not a vector file GDAL can read")
        empty = self.write("empty.geojson", fc())
        self.fails(1, "project", "import", empty, message="has no features")
        where = self.write("w.geojson", fc(feat({"code": "W", "name": "w", "category": "公路"}, point(113.3, 28.7))))
        self.fails(1, "project", "import", where, "--where", "code = 'X'", message="no feature matches --where")
        self.fails(2, "project", "import", where, "--where", "code = = 'X'", message="not an attribute filter")
        self.unchanged(before)


if __name__ == "__main__":
    main()

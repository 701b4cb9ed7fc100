"""plat project add / list / show / update / rm on the four seed counties."""
import json

from plat_test import PlatCase, SqlError, geod_length_m, main, spatialite_ellipsoid_area_m2

# G536 near 伍市 (平江县), a port point at 虞公港 (湘阴县), a wetland square in 沅江市.
G536 = [(113.30, 28.70), (113.38, 28.72), (113.45, 28.75)]
G536_WKT = "LINESTRING(" + ", ".join(f"{x} {y}" for x, y in G536) + ")"
PORT_WKT = "POINT(112.90 28.75)"
WET = [(112.50, 28.90), (112.60, 28.90), (112.60, 29.00), (112.50, 29.00), (112.50, 28.90)]
WET_WKT = "POLYGON((" + ", ".join(f"{x} {y}" for x, y in WET) + "))"


class ProjectTest(PlatCase):
    def add_three(self):
        self.ok("project", "add", "--code", "PJ-G536", "--name", "G536青冲至伍市段改建", "--category", "公路",
                "--target", "21km", "--geom", G536_WKT, "--lead-unit", "县交通运输局",
                "--source-doc", "平江县区域共进行动实施方案", "--clause", "二、(三) 3", "--year", "2024",
                "--investment", "52000", "--start", "2024-03-01", "--end", "2026-12-31", "--date", "2024-01-15")
        self.ok("project", "add", "--code", "XY-YGG2", "--name", "虞公港二期", "--category", "port",
                "--target", "4个泊位", "--geom", PORT_WKT, "--status", "在建", "--progress", "35")
        self.ok("project", "add", "--code", "YJ-NDTH", "--name", "南洞庭湖湿地生态修复", "--category", "湿地",
                "--target", "4万亩", "--geom", WET_WKT)

    def test_the_foundation_session_returns_exactly_what_was_entered(self):
        self.ledger_with_counties()
        self.add_three()
        listed = self.ok("project", "list", "--township", "平江县", "--json").json()
        self.assertEqual([p["code"] for p in listed], ["PJ-G536"])
        p = listed[0]
        self.assertEqual(p["name"], "G536青冲至伍市段改建")
        self.assertEqual((p["category"], p["category_label"]), ("highway", "公路"))
        self.assertEqual(p["county"], "平江县")
        self.assertEqual(p["townships"], ["平江县"])
        self.assertEqual(p["target"], {"qty": 21, "unit": "km"})
        self.assertEqual((p["status"], p["progress"]), ("planned", 0))
        self.assertAlmostEqual(p["measured"]["km"] * 1000, geod_length_m(G536), delta=1.0)

        self.ok("project", "update", "PJ-G536", "--status", "在建", "--progress", "30", "--date", "2024-03-01",
                "--note", "路基施工")
        self.ok("project", "update", "PJ-G536", "--progress", "55", "--done", "11.5", "--date", "2024-06-30")
        s = self.ok("project", "show", "PJ-G536", "--json").json()
        self.assertEqual((s["status"], s["status_label"], s["progress"], s["done"]),
                         ("under_construction", "在建", 55, 11.5))
        self.assertEqual((s["lead_unit"], s["source_doc"], s["clause"], s["year"], s["investment"]),
                         ("县交通运输局", "平江县区域共进行动实施方案", "二、(三) 3", 2024, 52000))
        self.assertEqual((s["start_date"], s["end_date"]), ("2024-03-01", "2026-12-31"))
        self.assertEqual([(h["date"], h["kind"], h["status"], h["progress"], h["done"], h["note"])
                          for h in s["history"]],
                         [("2024-01-15", "add", "planned", 0, None, None),
                          ("2024-03-01", "update", "under_construction", 30, None, "路基施工"),
                          ("2024-06-30", "update", None, 55, 11.5, None)])
        self.assertEqual(s["geometry"]["type"], "LineString")
        for (x, y), (gx, gy) in zip(G536, s["geometry"]["coordinates"]):
            # 1e-8 degree is about 1 mm
            self.assertAlmostEqual(gx, x, delta=1e-8)
            self.assertAlmostEqual(gy, y, delta=1e-8)
        self.assertEqual([(t["name"], round(t["km"], 6)) for t in s["places"]], [("平江县", p["measured"]["km"])])

        port = self.ok("project", "show", "XY-YGG2", "--json").json()
        self.assertEqual((port["county"], port["townships"], port["target"]), ("湘阴县", ["湘阴县"],
                                                                               {"qty": 4, "unit": "berth"}))
        self.assertEqual((port["status"], port["progress"], port["measured"]), ("under_construction", 35, {"points": 1}))
        self.assertEqual(port["geometry"]["coordinates"], [112.9, 28.75])

        wet = self.ok("project", "show", "YJ-NDTH", "--json").json()
        self.assertEqual((wet["county"], wet["townships"], wet["target"]), ("沅江市", ["沅江市"],
                                                                           {"qty": 4, "unit": "万亩"}))
        ref = spatialite_ellipsoid_area_m2(WET_WKT)
        self.assertAlmostEqual(wet["measured"]["m2"], ref, delta=ref * 1e-6)
        self.assertAlmostEqual(wet["measured"]["mu"], wet["measured"]["m2"] / (10000 / 15), delta=0.01)
        self.assertAlmostEqual(wet["measured"]["mu"], 162072.4, delta=1.0)

    def test_a_line_across_a_township_border_is_split_between_them(self):
        self.ok("init")
        fc = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": code, "name": name, "county": county},
             "geometry": {"type": "Polygon", "coordinates": [[[lon, 28.6], [lon + 0.1, 28.6], [lon + 0.1, 28.7],
                                                              [lon, 28.7], [lon, 28.6]]]}}
            for code, name, county, lon in [("430626100", "伍市镇", "平江县", 113.2),
                                            ("430626101", "三市镇", "平江县", 113.3),
                                            ("430624102", "东塘镇", "湘阴县", 113.4)]]}
        self.ok("township", "import", self.write("t.geojson", json.dumps(fc, ensure_ascii=False)))
        # From 伍市镇 across into 三市镇, 0.05 degree on each side of 113.3E.
        self.ok("project", "add", "--code", "X1", "--name", "跨镇道路", "--category", "rural_road",
                "--geom", "LINESTRING(113.25 28.65, 113.35 28.65)")
        s = self.ok("project", "show", "X1", "--json").json()
        self.assertEqual(s["townships"], ["伍市镇", "三市镇"])
        self.assertEqual(s["county"], "平江县")
        parts = {t["name"]: t["km"] for t in s["places"]}
        self.assertAlmostEqual(sum(parts.values()), s["measured"]["km"], delta=1e-6)
        self.assertAlmostEqual(parts["伍市镇"], parts["三市镇"], delta=0.001)
        self.assertAlmostEqual(s["measured"]["km"] * 1000, geod_length_m([(113.25, 28.65), (113.35, 28.65)]), delta=1)
        # Across two counties: the county is not guessed.
        self.ok("project", "add", "--code", "X2", "--name", "跨县道路", "--category", "rural_road",
                "--geom", "LINESTRING(113.35 28.65, 113.45 28.65)")
        s = self.ok("project", "show", "X2", "--json").json()
        self.assertEqual((s["townships"], s["county"]), (["东塘镇", "三市镇"], None))
        # A line partly outside every township keeps its whole length; the parts cover the inside.
        self.ok("project", "add", "--code", "X3", "--name", "出境道路", "--category", "highway",
                "--geom", "LINESTRING(113.45 28.65, 113.55 28.65)")
        s = self.ok("project", "show", "X3", "--json").json()
        self.assertEqual([t["name"] for t in s["places"]], ["东塘镇"])
        self.assertAlmostEqual(s["places"][0]["km"], s["measured"]["km"] / 2, delta=0.001)

    def test_list_filters_by_county_category_status_and_township(self):
        self.ledger_with_counties()
        self.add_three()
        self.ok("project", "add", "--code", "NX-1", "--name", "无几何项目", "--category", "school", "--county", "南县")
        codes = lambda *f: [p["code"] for p in self.ok("project", "list", "--json", *f).json()]
        self.assertEqual(codes(), ["NX-1", "PJ-G536", "XY-YGG2", "YJ-NDTH"])
        self.assertEqual(codes("--county", "南县"), ["NX-1"])
        self.assertEqual(codes("--category", "港口"), ["XY-YGG2"])
        self.assertEqual(codes("--category", "wetland"), ["YJ-NDTH"])
        self.assertEqual(codes("--status", "在建"), ["XY-YGG2"])
        self.assertEqual(codes("--status", "planned"), ["NX-1", "PJ-G536", "YJ-NDTH"])
        self.assertEqual(codes("--township", "430624"), ["XY-YGG2"])
        self.assertEqual(codes("--township", "沅江市", "--category", "wetland"), ["YJ-NDTH"])
        self.assertEqual(codes("--township", "南县"), [])
        none = self.ok("project", "list", "--json", "--county", "南县").json()[0]
        self.assertEqual((none["measured"], none["townships"], none["target"]), (None, [], None))
        self.fails(1, "project", "list", "--township", "不存在镇", message="no township or county named")
        self.fails(1, "project", "list", "--category", "spaceport", message="unknown category")
        self.fails(1, "project", "list", "--status", "maybe", message="unknown status")

    def test_csv_and_table_output(self):
        self.ledger_with_counties()
        self.add_three()
        lines = self.ok("project", "list", "--csv").out.splitlines()
        self.assertEqual(lines[0].split(",")[:4], ["code", "name", "category", "category_label"])
        self.assertEqual(len(lines), 4)
        g536 = [l for l in lines if l.startswith("PJ-G536")][0].split(",")
        self.assertEqual(g536[1:4], ["G536青冲至伍市段改建", "highway", "公路"])
        self.assertEqual(g536[8:10], ["21", "km"])
        table = self.ok("project", "list").out.splitlines()
        self.assertEqual(table[0].split(), ["编号", "名称", "类别", "县", "状态", "进度", "目标", "实测", "乡镇"])
        # Columns line up in terminal cells: 类别 starts at the same column on every row.
        from unicodedata import east_asian_width

        def col(line, text):
            i = line.rindex(text)
            return sum(2 if east_asian_width(c) in "WF" else 1 for c in line[:i])
        self.assertEqual(len({col(l, w) for l, w in zip(table[1:], ["公路", "港口", "湿地"])}), 1, "\n".join(table))
        shown = self.ok("project", "show", "PJ-G536").out
        self.assertIn("G536青冲至伍市段改建", shown)
        self.assertIn("县交通运输局", shown)

    def test_geometry_as_geojson_from_a_file_and_in_gauss_kruger(self):
        self.ledger_with_counties()
        path = self.write("g.geojson", '{"type":"Feature","properties":{},"geometry":'
                                       '{"type":"LineString","coordinates":[[113.3,28.7],[113.4,28.7]]}}')
        self.ok("project", "add", "--code", "A", "--name", "甲", "--category", "highway", "--geom", "@" + path)
        a = self.ok("project", "show", "A", "--json").json()
        self.assertAlmostEqual(a["measured"]["km"] * 1000, geod_length_m([(113.3, 28.7), (113.4, 28.7)]), delta=1.0)
        # The same 10 km east-west line written in EPSG:4547 metres (x = easting).
        self.ok("project", "add", "--code", "B", "--name", "乙", "--category", "highway", "--s-srs", "EPSG:4547",
                "--geom", "LINESTRING(400000 3180000, 410000 3180000)")
        b = self.ok("project", "show", "B", "--json").json()
        self.assertAlmostEqual(b["measured"]["km"], 10.0, delta=0.01)  # within GK scale error
        planar = self.ok("project", "show", "B", "--json", "--planar").json()
        self.assertAlmostEqual(planar["measured"]["km"], 10.0, places=9)

    def test_update_geometry_and_status_completed_means_100_percent(self):
        self.ledger_with_counties()
        self.add_three()
        self.ok("project", "update", "XY-YGG2", "--status", "completed", "--date", "2025-01-10", "--note", "竣工验收")
        s = self.ok("project", "show", "XY-YGG2", "--json").json()
        self.assertEqual((s["status"], s["progress"]), ("completed", 100))
        self.ok("project", "update", "PJ-G536", "--geom", "LINESTRING(113.30 28.70, 113.50 28.80)")
        s = self.ok("project", "show", "PJ-G536", "--json").json()
        self.assertAlmostEqual(s["measured"]["km"] * 1000, geod_length_m([(113.30, 28.70), (113.50, 28.80)]), delta=1)
        self.assertEqual([h["geometry_changed"] for h in s["history"]], [True, True])

    def test_a_late_report_about_an_earlier_day_does_not_overwrite_a_newer_one(self):
        self.ledger_with_counties()
        self.add_three()
        self.ok("project", "update", "PJ-G536", "--progress", "80", "--date", "2024-09-30")
        self.ok("project", "update", "PJ-G536", "--progress", "40", "--date", "2024-05-31")
        s = self.ok("project", "show", "PJ-G536", "--json").json()
        self.assertEqual(s["progress"], 80)
        self.assertEqual([h["progress"] for h in s["history"]], [0, 40, 80])

    def test_rm_hides_the_project_keeps_its_history_and_its_code(self):
        self.ledger_with_counties()
        self.add_three()
        self.ok("project", "rm", "XY-YGG2", "--note", "并入三期")
        self.assertEqual([p["code"] for p in self.ok("project", "list", "--json").json()], ["PJ-G536", "YJ-NDTH"])
        self.fails(1, "project", "show", "XY-YGG2", message="no project with code XY-YGG2")
        self.fails(1, "project", "add", "--code", "XY-YGG2", "--name", "x", "--category", "port",
                   message="removed project")
        kinds = [k for (k,) in self.sql("SELECT kind FROM project_events e JOIN projects p ON p.id = e.project_id "
                                        "WHERE p.code = 'XY-YGG2' ORDER BY e.id")]
        self.assertEqual(kinds, ["add", "remove"])
        with self.assertRaises(SqlError):
            self.sql("UPDATE project_events SET note = 'rewritten'")
        with self.assertRaises(SqlError):
            self.sql("DELETE FROM project_events")

    def test_bad_input_fails_with_exit_1_and_changes_nothing(self):
        self.ledger_with_counties()
        self.add_three()
        before = self.digest()
        add = ["project", "add", "--code", "NEW", "--name", "新项目"]
        cases = [
            (add + ["--category", "spaceport"], "unknown category 'spaceport'"),
            (add + ["--category", "highway", "--geom", "LINESTRING(113.3 28.7, 113.4"], "cannot read geometry"),
            (add + ["--category", "highway", "--geom", "POINT(28.7 113.3)"], "latitude"),
            (add + ["--category", "highway", "--geom", "@" + self.dir + "/nope.wkt"], "cannot open"),
            (add + ["--category", "highway", "--target", "lots"], "does not start with a number"),
            (add + ["--category", "highway", "--target", "12"], "has no unit"),
            (add + ["--category", "highway", "--progress", "150"], "from 0 to 100"),
            (add + ["--category", "highway", "--status", "dreaming"], "unknown status"),
            (add + ["--category", "highway", "--year", "20x4"], "--year"),
            (add + ["--category", "highway", "--start", "2024-02-30"], "YYYY-MM-DD"),
            (add + ["--category", "highway", "--s-srs", "EPSG:0", "--geom", "POINT(1 1)"], "EPSG:0"),
            (["project", "add", "--code", "PJ-G536", "--name", "重复", "--category", "highway"], "already exists"),
            (["project", "update", "NOPE", "--progress", "10"], "no project with code NOPE"),
            (["project", "update", "PJ-G536", "--progress", "-5"], "from 0 to 100"),
            (["project", "update", "PJ-G536", "--date", "yesterday", "--progress", "5"], "YYYY-MM-DD"),
            (["project", "update", "PJ-G536"], "nothing to update"),
            (["project", "update", "PJ-G536", "--geom", "POLYGON((1 1))"], "cannot read geometry"),
            (["project", "rm", "NOPE"], "no project with code NOPE"),
            (["project", "show", "NOPE"], "no project with code NOPE"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                self.fails(1, *args, message=message)
                self.unchanged(before)
        self.fails(2, "project", "add", "--name", "x", "--category", "highway", message="required")
        self.unchanged(before)

    def test_an_injected_write_failure_at_any_step_leaves_the_ledger_unchanged(self):
        self.ledger_with_counties()
        before = self.digest()
        args = ["project", "add", "--code", "F1", "--name", "故障注入", "--category", "highway",
                "--geom", G536_WKT, "--target", "21km"]
        n = 1
        while True:  # fail each write in turn until the command has no write left to fail
            r = self.plat(*args, env={"PLAT_FAULT_AT": str(n)})
            if r.rc == 0:
                break
            self.assertEqual(r.rc, 1, r)
            self.assertIn("injected fault", r.err)
            self.unchanged(before)
            n += 1
        self.assertGreaterEqual(n, 4)  # the project, its first event, its state, its geometry
        self.assertEqual([p["code"] for p in self.ok("project", "list", "--json").json()], ["F1"])

    def test_the_first_geometry_chooses_the_working_crs_when_there_are_no_townships(self):
        self.ok("init")
        r = self.ok("project", "add", "--code", "NX", "--name", "南县项目", "--category", "school",
                    "--geom", "POINT(112.40 29.37)")
        self.assertIn("EPSG:4546", r.err)
        s = self.ok("project", "show", "NX", "--json").json()
        self.assertEqual(s["townships"], [])
        self.assertEqual(s["geometry"]["coordinates"], [112.4, 29.37])


if __name__ == "__main__":
    main()

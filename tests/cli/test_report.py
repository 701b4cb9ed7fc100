"""plat report: one HTML file with the map and the tables.

The demo ledger (built once from data/) is reported once and read back as XML: the numbers are
held against `plat coverage --json`, `plat check targets|conflicts --json` and `plat project list
--json`, every project must be drawn, and the file must not point anywhere. A small ledger in
Gauss-Kruger metres checks that shapes are drawn true, that text is escaped and that the monthly
chart follows the history. When Chromium is installed, the report is rendered headless to a PNG
whose size and content are checked.
"""
import math
import os
import re
import shutil
import struct
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zlib

from plat_test import DATA, ON_PG, PLAT, WRAPPER, PlatCase, drop_ledger, ledger_args, main, new_ledger

SVG = "{http://www.w3.org/2000/svg}"
RAMP = ["#ffffcc", "#c2e699", "#78c679", "#31a354", "#006837"]
ZERO = "#f2f2f2"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def parse(path):
    return ET.parse(path).getroot()


def svg_tag(e, name):
    return e.tag in (name, SVG + name)


def elements(root, name):
    return [e for e in root.iter() if svg_tag(e, name)]


def the_map(root):
    maps = [e for e in elements(root, "svg") if e.get("class") == "map"]
    assert len(maps) == 1, f"{len(maps)} maps"
    return maps[0]


def drawn_projects(root):
    """data-code -> the <g> drawing each project on the map."""
    return {g.get("data-code"): g for g in elements(the_map(root), "g") if g.get("class") == "pj"}


def title_of(e):
    t = [c for c in e if svg_tag(c, "title")]
    return t[0].text if t else None


def table_rows(root, table_id):
    t = [e for e in root.iter("table") if e.get("id") == table_id]
    if not t:
        return None
    body = t[0].find("tbody")
    return [tr for tr in body.iter("tr")]


def cells_by_key(tr):
    return {td.get("data-k"): td.get("data-v") for td in tr.iter("td") if td.get("data-k")}


def path_points(d):
    """Absolute points (map units) of an SVG path written as M x y l dx dy ... z."""
    pts, x, y, cmd = [], 0, 0, None
    for tok in re.findall(r"[MlhzZ]|-?\d+", d):
        if tok in "MlhzZ":
            cmd, pending = tok, []
            if tok == "h":
                pts.append((x, y))
            continue
        pending.append(int(tok))
        if len(pending) == 2:
            if cmd == "M":
                x, y = pending
            else:
                x, y = x + pending[0], y + pending[1]
            pts.append((x, y))
            pending = []
    return pts


def png_size_and_pixels(path):
    """(width, height) from the IHDR, and the decoded RGB(A) rows (8-bit, no interlace)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    w, h, depth, ctype, _, _, interlace = ihdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
    bpp = 3 if ctype == 2 else 4
    raw, stride, rows, prev, p = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp), 0
    for _ in range(h):
        f, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return (w, h), [[tuple(r[i:i + 3]) for i in range(0, stride, bpp)] for r in rows]


class ReportDemo(PlatCase):
    """The demo ledger and its report, made once."""

    @classmethod
    def setUpClass(cls):
        cls.shared = tempfile.mkdtemp(prefix="plat-report-test-")
        cls.ledger = new_ledger(cls.shared, "demo.sqlite")
        cls.html = os.path.join(cls.shared, "demo.html")
        env = dict(os.environ)
        env.pop("PLAT_DB", None)
        cls.runs = [subprocess.run(WRAPPER + [PLAT] + args, capture_output=True, text=True, env=env, cwd=cls.shared,
                                   timeout=900)
                    for args in (["demo", *ledger_args(cls.ledger), "--data", DATA],
                                 [*ledger_args(cls.ledger), "report", cls.html, "--date", "2026-01-31"])]

    @classmethod
    def tearDownClass(cls):
        drop_ledger(cls.ledger)
        shutil.rmtree(cls.shared, ignore_errors=True)

    def setUp(self):
        super().setUp()
        for r in self.runs:
            if WRAPPER and r.returncode == 99:
                self.fail(f"valgrind reported errors:\n{r.stderr}")
            self.assertEqual(r.returncode, 0, f"{r.args} failed:\n{r.stdout}\n{r.stderr}")
        self.root = parse(self.html)

    def on_ledger(self, *args):
        return self.ok(*ledger_args(self.ledger), *args, db=False)

    def report(self, *args):
        dest = os.path.join(self.dir, "r.html")
        r = self.on_ledger("report", dest, *args)
        return parse(dest), r

    # ---- the file ----

    def test_one_well_formed_file_with_no_outside_reference(self):
        text = read(self.html)
        self.assertTrue(text.startswith("<!DOCTYPE html>"))
        self.assertEqual(self.root.tag, "html")
        self.assertEqual(self.root.get("lang"), "zh-CN")
        urls = set(re.findall(r"https?://[^\s\"'<>)]*", text))
        self.assertEqual(urls, {"http://www.w3.org/2000/svg"})
        # nothing is loaded from anywhere: no link, img, iframe, external script, CSS import or url()
        for e in self.root.iter():
            self.assertFalse({"src", "href"} & set(e.keys()), f"<{e.tag}> points somewhere: {e.attrib}")
            self.assertNotIn(e.tag, ("link", "img", "iframe", "object", "embed"))
        style = "".join(e.text for e in self.root.iter("style"))
        self.assertNotIn("@import", style)
        self.assertNotIn("url(", style)
        self.assertNotIn("@font-face", style)
        self.assertIn("@page{size:A4 landscape", style)
        # the demo ledger makes a report well under a few MB
        self.assertLess(os.path.getsize(self.html), 1_000_000)
        self.assertIn("wrote", self.runs[1].stderr)
        self.assertIn("137 projects, 137 on the map; 66 townships", self.runs[1].stderr)
        # the demo suggests it, beside the ledger file; for a ledger on a server, in the working folder
        if ON_PG:
            self.assertIn(f" --schema {self.ledger.schema} report plat-demo-report.html ", self.runs[0].stdout)
        else:
            self.assertIn(f"plat --db {self.ledger.db} report {self.shared}/plat-demo-report.html", self.runs[0].stdout)

    def test_coverage_table_equals_coverage_json(self):
        cov = self.on_ledger("coverage", "--json").json()
        rows = table_rows(self.root, "coverage-table")
        self.assertEqual([tr.get("data-code") for tr in rows], [t["code"] for t in cov["townships"]])
        keys = ["area_km2", "projects", "line_km", "polygon_mu", "polygon_ha", "share", "road_density_km_per_km2",
                "points"]
        for tr, t in zip(rows, cov["townships"]):
            got = cells_by_key(tr)
            self.assertEqual(sorted(got), sorted(keys))
            for k in keys:
                self.assertEqual(float(got[k]), t[k], f"{t['name']} {k}")
        foot = [t for t in self.root.iter("table") if t.get("id") == "coverage-table"][0].find("tfoot").find("tr")
        got = cells_by_key(foot)
        for k in keys:
            self.assertEqual(float(got[k]), cov["totals"][k], f"total {k}")
        self.assertEqual(int(got["projects"]), 137)

    def test_every_project_is_on_the_map_with_its_tooltip(self):
        projects = self.on_ledger("project", "list", "--json").json()
        drawn = drawn_projects(self.root)
        self.assertEqual(len(projects), 137)
        self.assertEqual(set(drawn), {p["code"] for p in projects if p["measured"]})
        self.assertEqual(len(drawn), 137)
        for p in projects:
            g = drawn[p["code"]]
            self.assertEqual(g.get("data-category"), p["category"])
            self.assertEqual(g.get("data-status"), p["status"])
            title = title_of(g)
            self.assertTrue(title.startswith(f"{p['code']} {p['name']}\n"), title)
            self.assertIn(f"类别：{p['category_label']}", title)
            self.assertIn(f"状态：{p['status_label']}", title)
            self.assertRegex(title, r"进度：\d+(\.\d)?%")
            # something is drawn for it: a path or a circle
            self.assertTrue([c for c in g if svg_tag(c, "path") or svg_tag(c, "circle")], p["code"])
        # the one mismatching target of the demo, with target and measure as the tooltip shows them
        t = title_of(drawn["XY-022"])
        self.assertIn("目标：26.53 万亩", t)
        self.assertIn("实测：56360.6 亩", t)
        # every project is also in the project table, in code order
        self.assertEqual([tr.get("data-code") for tr in table_rows(self.root, "project-table")],
                         sorted(p["code"] for p in projects))

    def test_map_legend_scale_bar_north_arrow_and_names(self):
        m = the_map(self.root)
        self.assertEqual(m.get("viewBox"), "0 0 1080 700")
        data = [g for g in elements(m, "g") if g.get("id") == "map-data"][0]
        self.assertEqual(data.get("data-epsg"), "4547")
        texts = ["".join(t.itertext()) for t in elements(m, "text")]
        for word in ("图例", "北", "县界", "乡镇界", "项目类别（上图项目数）", "0（无项目覆盖）", "乡镇：项目面积占乡镇比例（%）"):
            self.assertIn(word, "\n".join(texts))
        # categories in the legend, in Chinese, with the number drawn
        for label in ("公路 15", "高标准农田 2", "学校 13"):
            self.assertIn(label, texts)
        # county names and most township names are on the map; each township has its outline
        for county in ("平江县", "湘阴县", "南县", "沅江市"):
            self.assertIn(county, texts)
        towns = [p for p in elements(m, "path") if p.get("data-code") and p.get("data-code").isdigit()]
        self.assertEqual(len(towns), 66)
        self.assertIn("伍市镇", texts)
        self.assertGreater(len([t for t in texts if t.endswith(("镇", "乡", "街道"))]), 40)
        self.assertEqual(len([p for p in elements(m, "path") if p.get("data-county")]), 4)
        # the scale bar is a round number of metres, drawn at the map's scale
        bar = [g for g in elements(m, "g") if g.get("class") == "scalebar"][0]
        metres, px = float(bar.get("data-metres")), float(bar.get("data-px"))
        self.assertIn(metres / 10 ** math.floor(math.log10(metres)), (1, 2, 5))
        k = float(re.match(r"matrix\(([\d.e-]+) ", data.get("transform")).group(1))
        self.assertAlmostEqual(px, metres / float(data.get("data-unit-m")) * k, delta=0.01)
        # the north arrow points to true north: west of the central meridian (114E) it leans east of grid
        # north by the meridian convergence, about (114 - lon) sin(lat) at the middle of the map
        north = [g for g in elements(m, "g") if g.get("class") == "north"][0]
        unit = float(data.get("data-unit-m"))
        ox, oy = map(float, data.get("data-origin").split())
        x, y = ox + 384 / k * unit, oy - 344 / k * unit  # the middle of the 768 x 688 px frame
        lon, lat = map(float, subprocess.run(
            ["cs2cs", "-f", "%.9f", "+proj=tmerc", "+lon_0=114", "+k=1", "+x_0=500000", "+ellps=GRS80", "+to",
             "+proj=longlat", "+ellps=GRS80"], input=f"{x} {y}\n", capture_output=True, text=True,
            check=True).stdout.split()[:2])
        self.assertLess(lon, 114)
        self.assertAlmostEqual(float(north.get("data-angle")), (114 - lon) * math.sin(math.radians(lat)), delta=0.01)

    def test_townships_are_shaded_by_the_chosen_measure(self):
        cov = {t["code"]: t for t in self.on_ledger("coverage", "--json").json()["townships"]}
        for measure, label in (("share", "项目面积占乡镇比例"), ("line_km", "项目线路长度"), ("polygon_mu", "项目面积")):
            root = self.root if measure == "share" else self.report("--measure", measure, "--overwrite")[0]
            top = max(t[measure] for t in cov.values())
            m = the_map(root)
            fills = {p.get("data-code"): p.get("fill") for p in elements(m, "path") if p.get("data-code", "").isdigit()}
            self.assertIn(f"乡镇：{label}（", "".join("".join(t.itertext()) for t in elements(m, "text")))
            for code, t in cov.items():
                v = t[measure]
                # five equal classes up to the largest figure; a figure on a class edge may go either way
                if v and abs(v * 5 / top - round(v * 5 / top)) < 1e-4:
                    continue
                want = ZERO if v == 0 else RAMP[min(4, max(0, math.ceil(v * 5 / top) - 1))]
                self.assertEqual(fills[code], want, f"{measure} {t['name']} {v} of {top}")
            self.assertIn(RAMP[4], fills.values())
            self.assertIn(ZERO, fills.values())

    def test_targets_and_conflicts_equal_the_checks(self):
        targets = self.on_ledger("check", "targets", "--json").json()
        rows = table_rows(self.root, "target-table")
        self.assertEqual([tr.get("data-code") for tr in rows], [m["code"] for m in targets["mismatches"]])
        self.assertEqual(float(cells_by_key(rows[0])["difference_pct"]), targets["mismatches"][0]["difference_pct"])
        note = "".join([s for s in self.root.iter("section") if s.get("id") == "targets"][0].itertext())
        self.assertIn(f"{targets['ok']} 个目标在容差以内", note)
        self.assertIn(f"{len(targets['unmeasurable'])} 个无法按几何核对", note)
        tables = {t.get("data-layer"): t for t in self.root.iter("table") if t.get("data-layer")}
        self.assertEqual(set(tables), {"basic_farmland", "eco_redline"})
        for layer, t in tables.items():
            c = self.on_ledger("check", "conflicts", "--layer", layer, "--json").json()
            codes = [tr.get("data-code") for tr in t.find("tbody").iter("tr")]
            self.assertEqual(codes, [r["code"] for r in c["conflicts"]])
            self.assertEqual(len(codes), c["count"])
            for tr, r in zip(t.find("tbody").iter("tr"), c["conflicts"]):
                self.assertAlmostEqual(float(cells_by_key(tr)["share"]), r["share"] * 100, places=3)

    def test_projects_by_category_and_status(self):
        projects = self.on_ledger("project", "list", "--json").json()
        rows = {tr.get("data-category"): tr for tr in table_rows(self.root, "category-table")}
        states = ["planned", "under_construction", "completed", "suspended"]
        self.assertEqual(set(rows), {p["category"] for p in projects})
        for cat, tr in rows.items():
            mine = [p for p in projects if p["category"] == cat]
            counts = [int(td.get("data-v")) for td in list(tr.iter("td"))[1:5]]
            self.assertEqual(counts, [sum(p["status"] == s for p in mine) for s in states], cat)
            self.assertEqual(int(cells_by_key(tr)["projects"]), len(mine))
            km = sum((p["measured"] or {}).get("km", 0) for p in mine)
            self.assertAlmostEqual(float(cells_by_key(tr)["km"]), km, places=5)

    def test_filters_restrict_projects_townships_and_figures(self):
        root, _ = self.report("--township", "伍市镇")
        want = {p["code"] for p in self.on_ledger("project", "list", "--township", "伍市镇", "--json").json()}
        self.assertEqual(len(want), 16)
        self.assertEqual(set(drawn_projects(root)), want)
        rows = table_rows(root, "coverage-table")
        self.assertEqual([tr.get("data-code") for tr in rows], ["430626111"])
        wu = [t for t in self.on_ledger("coverage", "--json").json()["townships"] if t["name"] == "伍市镇"][0]
        self.assertEqual(float(cells_by_key(rows[0])["line_km"]), wu["line_km"])
        self.assertIsNone([t for t in root.iter("table") if t.get("id") == "coverage-table"][0].find("tfoot"))
        self.assertIn("筛选：乡镇 伍市镇", "".join(root.find("body").find("header").itertext()))
        # the township is shaded; the others its projects reach are drawn around it, without figures
        m = the_map(root)
        self.assertEqual([p.get("data-code") for p in elements(m, "path") if p.get("data-code", "").isdigit()],
                         ["430626111"])
        around = [p for p in elements(m, "path") if p.get("data-context")]
        self.assertGreater(len(around), 10)
        self.assertNotIn("430626111", [p.get("data-context") for p in around])
        self.assertTrue(all(title_of(p).endswith("不在筛选范围内") for p in around))

        root, _ = self.report("--category", "公路", "--overwrite")
        want = {p["code"] for p in self.on_ledger("project", "list", "--category", "highway", "--json").json()}
        self.assertEqual(set(drawn_projects(root)), want)
        self.assertEqual(len(want), 15)
        cov = self.on_ledger("coverage", "--category", "highway", "--json").json()
        for tr, t in zip(table_rows(root, "coverage-table"), cov["townships"]):
            self.assertEqual(float(cells_by_key(tr)["line_km"]), t["line_km"])
            self.assertEqual(int(cells_by_key(tr)["projects"]), t["projects"])

        root, _ = self.report("--county", "南县", "--overwrite")
        codes = set(drawn_projects(root))
        self.assertEqual(codes, {p["code"] for p in self.on_ledger("project", "list", "--county", "南县",
                                                                   "--json").json()})
        self.assertTrue(all(c.startswith("NX-") for c in codes))
        self.assertEqual(len(table_rows(root, "coverage-table")), 12)

    def test_bad_arguments_write_nothing(self):
        dest = os.path.join(self.dir, "r.html")
        r = self.plat(*ledger_args(self.ledger), "report", dest, "--measure", "road_km", db=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("--measure takes share, line_km or polygon_mu, not 'road_km'", r.err)
        r = self.plat(*ledger_args(self.ledger), "report", dest, "--township", "火星镇", db=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("no township or county named '火星镇'", r.err)
        r = self.plat(*ledger_args(self.ledger), "report", dest, "--category", "spaceport", db=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("unknown category 'spaceport'", r.err)
        missing = self.other_ledger("missing.sqlite")
        r = self.plat(*ledger_args(missing), "report", dest, db=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn(missing.schema or "missing.sqlite", r.err)
        missing_dir = os.path.join(self.dir, "no", "such", "r.html")
        r = self.plat(*ledger_args(self.ledger), "report", missing_dir, db=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("no such folder", r.err)
        self.assertIn(missing_dir, r.err)
        blocker = self.write("file.txt", "x")
        r = self.plat(*ledger_args(self.ledger), "report", os.path.join(blocker, "r.html"), db=False)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(os.listdir(self.dir), ["file.txt"])  # nothing else written, no temporary file left
        r = self.plat(*ledger_args(self.ledger), "report", self.dir, db=False)
        self.assertEqual(r.rc, 2, r)
        self.assertIn("is a folder", r.err)
        r = self.plat(*ledger_args(self.ledger), "report", db=False)
        self.assertEqual(r.rc, 2, r)
        # an existing file is kept unless --overwrite
        self.write("r.html", "keep me")
        r = self.plat(*ledger_args(self.ledger), "report", dest, db=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("exists already", r.err)
        self.assertEqual(read(dest), "keep me")
        self.on_ledger("report", dest, "--overwrite")
        self.assertEqual(parse(dest).tag, "html")
        self.assertEqual(sorted(os.listdir(self.dir)), ["file.txt", "r.html"])

    def test_chromium_renders_the_report_and_sorts_its_tables(self):
        chromium = shutil.which("chromium")
        if not chromium:
            self.skipTest("chromium is not installed (Debian package chromium): the rendering is not checked")
        png = os.path.join(self.dir, "report.png")
        profile = tempfile.mkdtemp(prefix="plat-chromium-", dir=self.dir)
        w, h = 1280, 900
        proc = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                               "--no-first-run", "--disable-background-networking", "--disable-component-update",
                               "--disable-sync", f"--user-data-dir={profile}", f"--window-size={w},{h}",
                               f"--screenshot={png}", "file://" + os.path.abspath(self.html)],
                              capture_output=True, text=True, timeout=180, cwd=self.dir)
        self.assertTrue(os.path.exists(png), f"chromium wrote no screenshot:\n{proc.stderr[-2000:]}")
        size, rows = png_size_and_pixels(png)
        self.assertEqual(size, (w, h))
        colours = {}
        for row in rows:
            for px in row:
                colours[px] = colours.get(px, 0) + 1
        white = colours.get((255, 255, 255), 0)
        self.assertGreater(len(colours), 200, "too few colours: is the page blank?")
        self.assertLess(white, 0.8 * w * h, "the page is nearly all white")
        # the townships are drawn in the shading colours, in large areas
        shading = sum(colours.get(tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)), 0) for c in RAMP + [ZERO])
        self.assertGreater(shading, 20000)

        # it prints on A4 landscape: every page of the PDF Chromium prints is 297 x 210 mm (about 842 x 595 pt)
        pdf = os.path.join(self.dir, "report.pdf")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                        "file://" + os.path.abspath(self.html)], capture_output=True, timeout=180, cwd=self.dir)
        with open(pdf, "rb") as f:
            boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", f.read())
        self.assertGreater(len(boxes), 3)
        for w_pt, h_pt in boxes:
            self.assertAlmostEqual(float(w_pt), 841.92, delta=1)
            self.assertAlmostEqual(float(h_pt), 595.0, delta=1)

        # the table sorts: two clicks on 线路（km） order the townships by it, largest first
        clicked = os.path.join(self.dir, "clicked.html")
        with open(clicked, "w", encoding="utf-8") as f:
            f.write(read(self.html).replace(
                "</body>", '<script>var th = document.querySelectorAll("#coverage-table thead th")[5];'
                           "th.click(); th.click();</script></body>"))
        dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                              "--no-first-run", "--disable-background-networking", "--disable-component-update",
                              "--disable-sync", f"--user-data-dir={profile}", "--dump-dom", "file://" + clicked],
                             capture_output=True, text=True, timeout=180, cwd=self.dir).stdout
        table = re.search(r'<table class="sortable" id="coverage-table">(.*?)<tfoot>', dom, re.S)
        self.assertIsNotNone(table, "chromium printed no coverage table")
        self.assertIn('aria-sort="descending"', table.group(1))
        km = [float(v) for v in re.findall(r'data-k="line_km" data-v="([^"]*)"', table.group(1))]
        self.assertEqual(len(km), 66)
        self.assertEqual(km, sorted(km, reverse=True))
        self.assertNotEqual(km, [float(cells_by_key(tr)["line_km"]) for tr in table_rows(self.root, "coverage-table")])


class ReportSmall(PlatCase):
    """Three 10 km townships in EPSG:4547 (as in test_coverage.py), projects placed in metres."""

    TOWNS = [("430626100", "伍市镇", "平江县", 400000), ("430626101", "三市镇", "平江县", 410000),
             ("430624102", "东塘镇", "湘阴县", 420000)]

    def setUp(self):
        super().setUp()
        sq = "POLYGON(({0} 3170000,{1} 3170000,{1} 3180000,{0} 3180000,{0} 3170000))"
        rows = ["code,name,county,WKT"] + [f'{c},{n},{k},"{sq.format(x, x + 10000)}"' for c, n, k, x in self.TOWNS]
        self.ok("init", "--crs", "EPSG:4547")
        self.ok("township", "import", self.write("towns.csv", "\n".join(rows) + "\n"), "--s-srs", "EPSG:4547")

    def add(self, code, name, category, wkt, *extra):
        self.ok("project", "add", "--code", code, "--name", name, "--category", category, "--s-srs", "EPSG:4547",
                "--geom", wkt, "--date", "2024-01-01", *extra)

    def report(self, *args):
        dest = os.path.join(self.dir, "r.html")
        self.ok("report", dest, "--overwrite", *args)
        return parse(dest)

    def test_shapes_are_drawn_true_in_the_working_crs(self):
        # a 3 km x 1 km rectangle and a 2 km line running north-east
        self.add("RECT", "矩形", "industrial_park", "POLYGON((402000 3172000,405000 3172000,405000 3173000,"
                                                   "402000 3173000,402000 3172000))")
        self.add("LINE", "斜线", "highway", "LINESTRING(411000 3171000,412000 3172000,413000 3173000)")
        root = self.report()
        data = [g for g in elements(the_map(root), "g") if g.get("id") == "map-data"][0]
        unit = float(data.get("data-unit-m"))
        ox, oy = map(float, data.get("data-origin").split())
        self.assertEqual(data.get("data-epsg"), "4547")
        g = drawn_projects(root)
        rect = [p for p in g["RECT"] if svg_tag(p, "path")][0]
        pts = [(ox + x * unit, oy - y * unit) for x, y in path_points(rect.get("d"))]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        self.assertAlmostEqual(min(xs), 402000, delta=unit)
        self.assertAlmostEqual(max(xs) - min(xs), 3000, delta=unit)
        self.assertAlmostEqual(max(ys) - min(ys), 1000, delta=unit)
        self.assertAlmostEqual(max(ys), 3173000, delta=unit)
        line = [p for p in g["LINE"] if svg_tag(p, "path")][0]
        pts = [(ox + x * unit, oy - y * unit) for x, y in path_points(line.get("d"))]
        (x0, y0), (x1, y1) = pts[0], pts[-1]
        self.assertAlmostEqual(x1 - x0, 2000, delta=unit)
        self.assertAlmostEqual(y1 - y0, 2000, delta=unit)  # north is up: y grows upwards in the plane
        # the three townships, each 10 km square
        for code, _, _, x in self.TOWNS:
            t = [p for p in elements(the_map(root), "path") if p.get("data-code") == code][0]
            pts = [(ox + a * unit, oy - b * unit) for a, b in path_points(t.get("d"))]
            self.assertAlmostEqual(min(p[0] for p in pts), x, delta=unit)
            self.assertAlmostEqual(max(p[0] for p in pts) - min(p[0] for p in pts), 10000, delta=unit)
            self.assertAlmostEqual(max(p[1] for p in pts) - min(p[1] for p in pts), 10000, delta=unit)

    def test_planar_figures_equal_coverage_planar(self):
        # 1 km x 1 km across the border of 伍市镇 and 三市镇: 0.5 km2 in each 100 km2 township
        self.add("FARM", "田", "farmland", "POLYGON((409500 3171000,410500 3171000,410500 3172000,409500 3172000,"
                                           "409500 3171000))")
        root = self.report("--planar")
        cov = {t["code"]: t for t in self.ok("coverage", "--planar", "--json").json()["townships"]}
        rows = {tr.get("data-code"): cells_by_key(tr) for tr in table_rows(root, "coverage-table")}
        self.assertEqual(set(rows), set(cov))
        for code in ("430626100", "430626101"):
            self.assertEqual(float(rows[code]["share"]), 0.005)
            self.assertEqual(float(rows[code]["polygon_mu"]), 750)
            self.assertEqual(float(rows[code]["area_km2"]), 100)
        for code, t in cov.items():
            for k, v in rows[code].items():
                self.assertEqual(float(v), t[k], f"{code} {k}")
        self.assertIn("平面量算", "".join(root.find("body").find("header").itertext()))

    def test_text_is_escaped(self):
        name = "桥<b>&\"引号'</b>"
        self.add("ESC&1", name, "bridge", "POINT(401000 3171000)")
        path = os.path.join(self.dir, "r.html")
        root = self.report()
        g = drawn_projects(root)
        self.assertIn("ESC&1", g)
        self.assertTrue(title_of(g["ESC&1"]).startswith(f"ESC&1 {name}\n"))
        circles = [c for c in g["ESC&1"] if svg_tag(c, "circle")]
        self.assertEqual(len(circles), 1)
        text = read(path)
        self.assertNotIn("桥<b>", text)
        self.assertIn("桥&lt;b&gt;&amp;&quot;引号&#39;&lt;/b&gt;", text)

    def test_completed_quantity_by_month_follows_the_history(self):
        self.add("ROAD", "路", "highway", "LINESTRING(401000 3171000,409000 3171000)", "--target", "10km")
        self.ok("project", "update", "ROAD", "--done", "2", "--date", "2024-01-15")
        self.ok("project", "update", "ROAD", "--done", "5", "--date", "2024-03-10")
        self.ok("project", "update", "ROAD", "--status", "completed", "--date", "2024-04-02")
        # completed without a quantity: its whole target, 1 万亩 = 10000 亩
        self.add("FARM", "田", "farmland", "POLYGON((411000 3171000,412000 3171000,412000 3172000,411000 3172000,"
                                           "411000 3171000))", "--target", "1万亩")
        self.ok("project", "update", "FARM", "--status", "已完工", "--date", "2024-03-20")
        # a berth target only counts as a completion
        self.add("PORT", "港", "port", "POINT(421000 3171000)", "--target", "2berth", "--status", "completed")
        root = self.report()
        rows = {tr.get("data-month"): cells_by_key(tr) for tr in table_rows(root, "progress-table")}
        self.assertEqual(sorted(rows), ["2024-01", "2024-03", "2024-04"])
        self.assertEqual(float(rows["2024-01"]["km"]), 2)
        self.assertEqual(int(rows["2024-01"]["completed"]), 1)  # PORT, registered completed
        self.assertEqual(float(rows["2024-03"]["km"]), 3)
        self.assertEqual(float(rows["2024-03"]["km_total"]), 5)
        self.assertEqual(float(rows["2024-03"]["mu"]), 10000)
        self.assertEqual(int(rows["2024-03"]["completed"]), 1)
        self.assertEqual(float(rows["2024-04"]["km"]), 0)  # ROAD completed with 5 of 10 km recorded
        self.assertEqual(int(rows["2024-04"]["completed"]), 1)
        # the charts have a bar for every month from the first to the last, quiet ones included
        bars = [s for s in elements(root, "svg") if s.get("class") == "bars"]
        self.assertEqual(len(bars), 3)
        km = {r.get("data-month"): float(r.get("data-v")) for r in elements(bars[0], "rect") if r.get("data-month")}
        self.assertEqual(km, {"2024-01": 2, "2024-02": 0, "2024-03": 3, "2024-04": 0})

    def test_as_of_and_as_recorded_cut_the_map_the_tables_and_the_months(self):
        def on(day):
            return {"PLAT_NOW": f"{day}T12:00:00Z"}
        # 8 km in 伍市镇, drawn anew on 1 May to 9 km there and 5 km in 三市镇
        self.ok("project", "add", "--code", "ROAD", "--name", "路", "--category", "highway", "--s-srs", "EPSG:4547",
                "--geom", "LINESTRING(401000 3171000,409000 3171000)", "--target", "14km", "--date", "2024-01-01",
                env=on("2024-01-01"))
        self.ok("project", "update", "ROAD", "--done", "2", "--date", "2024-01-15", env=on("2024-01-16"))
        self.ok("project", "update", "ROAD", "--done", "5", "--date", "2024-03-10", env=on("2024-03-11"))
        self.ok("project", "update", "ROAD", "--s-srs", "EPSG:4547", "--geom",
                "LINESTRING(401000 3171000,415000 3171000)", "--date", "2024-05-01", env=on("2024-05-02"))
        # on 5 April the March report is corrected: 4 km done by 10 March, not 5
        march = [e["id"] for e in self.ok("project", "show", "ROAD", "--json").json()["history"]
                 if e["date"] == "2024-03-10"][0]
        self.ok("project", "update", "ROAD", "--corrects", str(march), "--done", "4", env=on("2024-04-05"))

        def figures(root):
            cov = {tr.get("data-code"): cells_by_key(tr) for tr in table_rows(root, "coverage-table")}
            months = {tr.get("data-month"): float(cells_by_key(tr)["km"]) for tr in table_rows(root, "progress-table")}
            return float(cov["430626100"]["line_km"]), float(cov["430626101"]["line_km"]), months

        april = self.report("--as-of", "2024-04-30", "--planar")
        self.assertEqual(figures(april), (8, 0, {"2024-01": 2, "2024-03": 2}))
        self.assertIn("截至 2024-04-30", "".join(april.find("body").find("header").itertext()))
        cov = {t["code"]: t["line_km"] for t in
               self.ok("coverage", "--planar", "--json", "--as-of", "2024-04-30").json()["townships"]}
        self.assertEqual((cov["430626100"], cov["430626101"]), (8, 0))
        # what the ledger said on 31 March: the March report before its correction
        self.assertEqual(figures(self.report("--as-of", "2024-04-30", "--as-recorded", "2024-03-31", "--planar")),
                         (8, 0, {"2024-01": 2, "2024-03": 3}))
        self.assertEqual(figures(self.report("--planar")), (9, 5, {"2024-01": 2, "2024-03": 2}))
        self.assertIn("ROAD", drawn_projects(april))
        # before the project was registered there is nothing to draw
        before = self.report("--as-of", "2023-12-31")
        self.assertEqual(drawn_projects(before), {})
        for bad in (["--as-of", "2024-13-01"], ["--as-recorded", "yesterday"]):
            dest = os.path.join(self.dir, "bad.html")
            self.fails(1, "report", dest, *bad, message="must be a date YYYY-MM-DD")
            self.assertFalse(os.path.exists(dest))

    def test_no_protected_layer_and_no_geometry(self):
        self.ok("project", "add", "--code", "NOGEO", "--name", "无几何", "--category", "school")
        self.add("PT", "点", "school", "POINT(401000 3171000)")
        root = self.report()
        conflicts = [s for s in root.iter("section") if s.get("id") == "conflicts"][0]
        self.assertIn("本节从略", "".join(conflicts.itertext()))
        self.assertIsNone(conflicts.find("table"))
        self.assertEqual(set(drawn_projects(root)), {"PT"})
        self.assertEqual([tr.get("data-code") for tr in table_rows(root, "project-table")], ["NOGEO", "PT"])
        self.assertIn("另有 1 个项目没有几何，未上图", "".join(root.itertext()))

    def test_empty_ledger_still_makes_a_report(self):
        root = self.report()
        self.assertEqual(drawn_projects(root), {})
        self.assertEqual(len(table_rows(root, "coverage-table")), 3)
        self.assertEqual(table_rows(root, "project-table"), [])


if __name__ == "__main__":
    main()

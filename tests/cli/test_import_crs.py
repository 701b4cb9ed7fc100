"""plat project import and CRSs: the file's own CRS, --s-srs, CGCS2000 lon/lat and Gauss-Kruger
zones with and without the zone number, WGS 84, GCJ-02 and BD-09 offsets, and refusals of
coordinates that do not fit their CRS. Positions are read back with `plat project show --json`,
which gives CGCS2000 longitude/latitude."""
import os
import shutil

from import_fixtures import (bd09_from_gcj02, cs2cs, distance_m, feat, fc, gcj02_from_wgs84, kml, line, ogr2ogr,
                             point, remove)
from plat_test import PlatCase, main

# Points across Hunan's seed counties (平江, 湘阴, 南县, 沅江) and one picked near 伍市.
POINTS = [(113.5, 28.7), (113.30, 28.70), (112.90, 28.75), (112.40, 29.35), (112.35, 28.85), (113.97, 28.95)]


def points_file(test, name, coords, crs=None):
    feats = [feat({"code": f"P{i}", "name": f"点{i}", "category": "变电站"}, point(x, y))
             for i, (x, y) in enumerate(coords)]
    return test.write(name, fc(*feats, crs=crs))


class CrsImportTest(PlatCase):
    def positions(self, n):
        return [tuple(self.ok("project", "show", f"P{i}", "--json").json()["geometry"]["coordinates"])
                for i in range(n)]

    def assert_same_places(self, got, want, tol_m):
        for (x, y), (ex, ey) in zip(got, want):
            self.assertLess(distance_m(x, y, ex, ey), tol_m, f"{(x, y)} vs {(ex, ey)}")

    def test_the_python_forward_formulas_match_published_pairs(self):
        # wandergis/coordtransform README: wgs84togcj02(116.404, 39.915), gcj02tobd09(116.404, 39.915)
        lon, lat = gcj02_from_wgs84(116.404, 39.915)
        self.assertAlmostEqual(lon, 116.41024449916938, places=9)
        self.assertAlmostEqual(lat, 39.91640428150164, places=9)
        lon, lat = bd09_from_gcj02(116.404, 39.915)
        self.assertAlmostEqual(lon, 116.41036949371029, places=9)
        self.assertAlmostEqual(lat, 39.92133699351021, places=9)
        # googollee/eviltransform: Shanghai
        lon, lat = gcj02_from_wgs84(121.5272106, 31.1774276)
        self.assertAlmostEqual(lon, 121.531541859215, places=9)
        self.assertAlmostEqual(lat, 31.17530398364597, places=9)

    def test_cgcs2000_and_wgs84_longitude_latitude(self):
        self.ledger_with_counties()
        for crs, name in (("urn:ogc:def:crs:EPSG::4490", "cgcs.geojson"), (None, "wgs84.geojson")):
            self.ok("project", "import", points_file(self, name, POINTS, crs), "--upsert")
            # WGS 84 and CGCS2000 differ by well under a metre; PROJ treats them as equal (DOMAIN.md 2.3).
            self.assert_same_places(self.positions(len(POINTS)), POINTS, 0.001)

    def test_gauss_kruger_zones_with_and_without_the_zone_number(self):
        self.ledger_with_counties()
        src = points_file(self, "src.geojson", POINTS, "urn:ogc:def:crs:EPSG::4490")
        for epsg in (4547, 4546, 4526):
            shp = ogr2ogr(os.path.join(self.dir, f"gk{epsg}.shp"), src, "-t_srs", f"EPSG:{epsg}",
                          "-lco", "ENCODING=UTF-8")
            self.ok("project", "import", shp, "--upsert")
            self.assert_same_places(self.positions(len(POINTS)), POINTS, 0.001)
        # Without .prj: refused, then read with --s-srs.
        for ext in ("prj", "cpg"):
            remove(os.path.join(self.dir, f"gk4526.{ext}"))
        shp = os.path.join(self.dir, "gk4526.shp")
        before = self.digest()
        r = self.fails(1, "project", "import", shp, "--upsert")
        self.assertIn("no coordinate reference system (no .prj?): say which with --s-srs", r.err)
        self.assertIn("--s-srs EPSG:4526", r.err)  # the 8-digit easting gives the zone away
        self.unchanged(before)
        self.ok("project", "import", shp, "--upsert", "--s-srs", "EPSG:4526")
        self.assert_same_places(self.positions(len(POINTS)), POINTS, 0.001)
        # A wrong .prj (CM 111E on CM 114E numbers): --s-srs overrides it.
        shutil.copy(os.path.join(self.dir, "gk4546.prj"), os.path.join(self.dir, "gk4547.prj"))
        self.ok("project", "import", os.path.join(self.dir, "gk4547.shp"), "--upsert", "--s-srs", "EPSG:4547")
        self.assert_same_places(self.positions(len(POINTS)), POINTS, 0.001)

    def test_the_known_point_of_domain_2_3(self):
        """cs2cs EPSG:4490 EPSG:4526 with 28.7 113.5 prints 3176121.716 38451140.202."""
        e, n = cs2cs("EPSG:4490", "EPSG:4526", 113.5, 28.7)
        self.assertAlmostEqual(e, 38451140.202, places=3)
        self.assertAlmostEqual(n, 3176121.716, places=3)
        self.ledger_with_counties()
        path = self.write("gk.csv", f"code,name,category,x,y\nP0,伍市变电站,变电站,{e},{n}\n")
        self.ok("project", "import", path, "--s-srs", "EPSG:4526")
        self.assert_same_places(self.positions(1), [(113.5, 28.7)], 0.001)

    def test_gcj02_and_bd09_picks_come_back_within_half_a_metre(self):
        self.ledger_with_counties()
        gcj = [gcj02_from_wgs84(x, y) for x, y in POINTS]
        bd = [bd09_from_gcj02(x, y) for x, y in gcj]
        for (x, y), (gx, gy) in zip(POINTS, gcj):
            self.assertGreater(distance_m(x, y, gx, gy), 400)  # the offset is real: hundreds of metres
        self.ok("project", "import", points_file(self, "amap.geojson", gcj), "--s-srs", "GCJ02")
        self.assert_same_places(self.positions(len(POINTS)), POINTS, 0.5)
        self.ok("project", "import", points_file(self, "baidu.geojson", bd), "--s-srs", "BD09", "--upsert")
        self.assert_same_places(self.positions(len(POINTS)), POINTS, 0.5)
        # a line picked on AMap keeps its length within a metre
        road = [(113.30, 28.70), (113.38, 28.72), (113.45, 28.75)]
        path = self.write("road.geojson", fc(feat({"code": "R", "name": "路", "category": "公路"},
                                                  line(*[gcj02_from_wgs84(x, y) for x, y in road]))))
        self.ok("project", "import", path, "--s-srs", "GCJ-02")
        got = self.ok("project", "show", "R", "--json").json()["geometry"]["coordinates"]
        self.assert_same_places([tuple(c) for c in got], road, 0.5)

    def test_an_ovi_ovkml_export_is_taken_as_gcj02(self):
        """奥维互动地图 >= 9.3 writes .ovkml offset to GCJ-02 (DOMAIN.md 2.4)."""
        self.ledger_with_counties()
        gcj = [gcj02_from_wgs84(x, y) for x, y in POINTS[:2]]
        marks = [(f"点{i}", {"code": f"P{i}", "category": "变电站"},
                  f"<Point><coordinates>{x},{y}</coordinates></Point>") for i, (x, y) in enumerate(gcj)]
        path = kml(os.path.join(self.dir, "奥维导出.ovkml"), {"标注": marks})
        r = self.ok("project", "import", path)
        self.assertIn("taken as --s-srs GCJ02", r.err)
        self.assert_same_places(self.positions(2), POINTS[:2], 0.5)

    def test_a_gk_easting_read_as_degrees_is_refused_with_the_likely_crs(self):
        self.ledger_with_counties()
        before = self.digest()
        cases = [
            # GeoJSON is longitude/latitude by definition: GK numbers in it are a mislabelled CRS.
            ([(113.3, 28.7), (38500000.0, 3176121.0)], None, "feature 1: coordinate (38500000 3176121) is not a "
             "longitude/latitude in degrees", "--s-srs EPSG:4526"),
            ([(451140.0, 3176121.0)], None, "is not a longitude/latitude", "Gauss-Kruger without zone number"),
            ([(28.7, 113.5)], None, "is not a longitude/latitude", "latitude/longitude in degrees, swapped"),
            ([(-77.03, 38.89)], None, "lies outside China", ""),
            ([(38451140.202, 3176121.716)], "EPSG:4547", "coordinate (38451140.2 3176121.716)", "--s-srs EPSG:4526"),
            ([(113.5, 28.7)], "EPSG:4547", "outside China", "--s-srs EPSG:4490"),
        ]
        for i, (coords, s_srs, message, hint) in enumerate(cases):
            path = points_file(self, f"bad{i}.geojson", coords)
            r = self.fails(1, "project", "import", path, *(["--s-srs", s_srs] if s_srs else []))
            self.assertIn(f"bad{i}.geojson: feature", r.err)
            self.assertIn(message, r.err)
            self.assertIn(hint, r.err)
            self.unchanged(before)

    def test_a_shapefile_whose_prj_says_degrees_but_holds_metres(self):
        self.ledger_with_counties()
        src = points_file(self, "src.geojson", [(113.5, 28.7)], "urn:ogc:def:crs:EPSG::4490")
        shp = ogr2ogr(os.path.join(self.dir, "m.shp"), src, "-t_srs", "EPSG:4526", "-lco", "ENCODING=UTF-8")
        ogr2ogr(os.path.join(self.dir, "deg.shp"), src, "-lco", "ENCODING=UTF-8")
        shutil.copy(os.path.join(self.dir, "deg.prj"), os.path.join(self.dir, "m.prj"))
        before = self.digest()
        r = self.fails(1, "project", "import", shp)
        self.assertIn("m.shp: feature 0: coordinate (38451140.2", r.err)
        self.assertIn("yet the source CRS (EPSG:4490) is geographic", r.err)
        self.assertIn("--s-srs EPSG:4526", r.err)
        self.unchanged(before)

    def test_an_unknown_srs_is_refused(self):
        self.ledger_with_counties()
        before = self.digest()
        path = points_file(self, "p.geojson", POINTS[:1])
        self.fails(1, "project", "import", path, "--s-srs", "EPSG:999999", message="unknown SRS")
        self.unchanged(before)


if __name__ == "__main__":
    main()

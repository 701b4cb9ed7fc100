"""What fuzzing the parsers found, as a user meets it on the command line: a CSV whose columns
could both be the longitude crashed GDAL's reader, a GeoJSON --geom with an empty coordinate
crashed GEOS's, and messages quoting user text could end in half a Chinese character or run over
several lines. The inputs themselves are replayed by the
fuzz.* tests (tests/fuzz/regressions/)."""
from plat_test import PlatCase, main


class FuzzFindings(PlatCase):
    def test_two_longitude_columns_are_refused_not_crashed_on(self):
        self.ok("init")
        before = self.digest()
        sheet = self.write("both.csv", "code,name,category,lng,x,lat\nA,伍市变电站,变电站,113.30,431000,28.70\n")
        r = self.fails(1, "project", "import", sheet)
        self.assertIn("both.csv: columns 'lng' and 'x' could both hold the longitude (x)", r.err)
        self.assertIn("--x-field and --y-field", r.err)
        self.unchanged(before)
        # Naming the columns settles it: the lon/lat pair is read, not the easting.
        self.ok("project", "import", sheet, "--x-field", "lng", "--y-field", "lat")
        shown = self.ok("project", "show", "A", "--json").json()
        self.assertEqual(shown["geometry"]["type"], "Point")
        self.assertAlmostEqual(shown["geometry"]["coordinates"][0], 113.30, places=6)
        self.assertAlmostEqual(shown["geometry"]["coordinates"][1], 28.70, places=6)
        self.assertEqual(shown["attrs"], {"x": "431000"})

    def test_the_same_column_name_twice_is_refused(self):
        self.ok("init")
        sheet = self.write("dup.csv", "code,name,category,经度,经度,纬度\nA,甲,公路,113.3,113.4,28.7\n")
        self.fails(1, "project", "import", sheet, message="columns '经度' and '经度' could both hold the longitude")
        self.fails(1, "project", "import", sheet, "--x-field", "经度", "--y-field", "纬度",
                   message="rename one of them")

    def test_an_empty_geojson_coordinate_is_refused_not_crashed_on(self):
        self.ok("init")
        before = self.digest()
        for geom in ('{"type":"LineString","coordinates":[[],[113.5,28.7]]}',
                     '{"type":"MultiLineString","coordinates":[[[113.4,28.7],[]]]}',
                     '{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[]]]}}',
                     '{"type":"GeometryCollection","geometries":[{"type":"MultiPoint","coordinates":[[]]}]}'):
            self.fails(1, "project", "add", "--code", "A", "--name", "甲", "--category", "公路", "--geom", geom,
                       message="a coordinate is an empty array; each must be [longitude, latitude]")
            self.fails(1, "query", "--within", "5km", "--of", geom, message="a coordinate is an empty array")
        self.unchanged(before)
        # Empty arrays elsewhere (a property) are nobody's coordinates.
        self.ok("project", "add", "--code", "A", "--name", "甲", "--category", "公路", "--geom",
                '{"type":"Feature","properties":{"段":[[]]},"geometry":{"type":"LineString",'
                '"coordinates":[[113.4,28.7],[113.5,28.7]]}}')
        self.assertEqual(self.ok("project", "show", "A", "--json").json()["geometry"]["type"], "LineString")

    def test_a_long_chinese_target_is_quoted_on_one_line_of_valid_utf8(self):
        self.ok("init")
        target = "21" + "公里" * 200 + "\n第二行"
        r = self.fails(1, "project", "add", "--code", "A", "--name", "甲", "--category", "公路", "--target", target)
        line = r.err.rstrip("\n")
        self.assertNotIn("\n", line)
        self.assertTrue(line.startswith("plat: target '21公里公里"), line[:40])

    def test_a_geojson_error_never_quotes_half_a_character(self):
        self.ok("init")
        geom = '{"type": "Point", "coordinates": [113.3, 28.名]}'
        r = self.fails(1, "project", "add", "--code", "A", "--name", "甲", "--category", "公路", "--geom", geom)
        self.assertIn("cannot read geometry", r.err)
        self.assertNotIn("\ufffd", r.err)


if __name__ == "__main__":
    main()

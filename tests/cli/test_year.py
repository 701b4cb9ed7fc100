"""A year of the demo ledger: quarterly reports on G536 (PJ-004, four townships) and a correction,
read back by `plat progress` at chosen dates and compared with a calculation made apart from
plat: each finished section clipped to each township by SpatiaLite's own ST_Intersection and
ST_Length, through GDAL's SQLite dialect on the ledger file (planar, so both sides are exact); on
PostgreSQL by PostGIS's functions of the same names.
"""
import os
import subprocess

from plat_test import PlatCase, ledger_args, main

CODE = "PJ-004"


def at(day):
    return {"PLAT_NOW": f"{day}T09:00:00Z"}


class DemoYearTest(PlatCase):
    def setUp(self):
        super().setUp()
        # the seed plans registered on 2 January 2025
        self.ok("demo", *ledger_args(self.current_ledger), db=False, env=at("2025-01-02"))
        self.vertices = self.gk_vertices()

    def gis(self, query):
        """Every value of every row of a query in SQL both engines speak, as text."""
        if self.pg_schema:
            return ["" if v is None else str(v) for row in self.sql(query) for v in row]
        out = subprocess.run(["ogrinfo", "-ro", "-q", "-dialect", "SQLite", "-sql", query, self.db],
                             capture_output=True, text=True, check=True).stdout
        return [line.split("=", 1)[1].strip() for line in out.splitlines() if " = " in line]

    def gk_vertices(self):
        wkt = self.gis(f"SELECT ST_AsText(geom) AS w FROM projects WHERE code = '{CODE}'")[0]
        self.assertTrue(wkt.startswith("LINESTRING("), wkt)
        return [tuple(map(float, p.split())) for p in wkt[len("LINESTRING("):-1].split(",")]

    def section(self, n):
        return "LINESTRING(" + ", ".join(f"{x!r} {y!r}" for x, y in self.vertices[:n]) + ")"

    def by_hand(self, n):
        """km of the first n vertices' section inside each township, by SpatiaLite."""
        rows = self.gis("SELECT t.name AS name, ST_Length(ST_Intersection(t.geom, ST_GeomFromText('"
                        + self.section(n) + "', 4547))) / 1000.0 AS km FROM townships t ORDER BY t.code")
        it = iter(rows)
        return {name: float(km) for name, km in zip(it, it) if km not in ("", "(null)") and float(km) > 0}

    def done(self, *args):
        j = self.ok("progress", "--json", "--planar", *args).json()
        out = {}
        for t in j["townships"]:
            for p in t["projects"]:
                if p["code"] == CODE and p["done_km"] > 0:
                    out[t["name"]] = (p["done_km"], p["done_km_in_period"], p["done_basis"])
        return out

    def report(self, day, recorded, n, *extra):
        self.ok("project", "update", CODE, "--done-geom", self.section(n), "--s-srs", "EPSG:4547", "--date", day,
                *extra, env=at(recorded))

    def assert_done(self, got, want, period=None):
        self.assertEqual(sorted(got), sorted(want))
        for name, km in want.items():
            self.assertAlmostEqual(got[name][0], km, places=5, msg=name)
            self.assertEqual(got[name][2], "geometry")
            if period is not None:
                self.assertAlmostEqual(got[name][1], period.get(name, 0.0), places=5, msg=name)

    def test_a_scripted_year_gives_the_hand_computed_km_per_township(self):
        n = len(self.vertices)
        self.assertGreaterEqual(n, 14)
        self.report("2025-03-31", "2025-04-02", 4)
        self.report("2025-06-30", "2025-07-03", 9)
        self.report("2025-09-30", "2025-10-08", 13)
        self.report("2025-12-31", "2026-01-05", n, "--status", "已完工")
        # January: the third-quarter report overstated it; vertices 0-12 were finished, not 0-13
        hist = self.ok("project", "show", CODE, "--json").json()["history"]
        q3 = [e["id"] for e in hist if e["date"] == "2025-09-30"][0]
        self.ok("project", "update", CODE, "--corrects", q3, "--done-geom", self.section(12), "--s-srs", "EPSG:4547",
                env=at("2026-01-20"))

        self.assertEqual(self.done("--as-of", "2025-03-30"), {})
        h1 = self.by_hand(9)
        self.assert_done(self.done("--as-of", "2025-06-30"), h1)
        # the third quarter as corrected, and within the quarter
        h3 = self.by_hand(12)
        period = {k: v - h1.get(k, 0.0) for k, v in h3.items()}
        self.assert_done(self.done("--as-of", "2025-09-30", "--from", "2025-07-01"), h3, period)
        # what the ledger said of 30 September when read on 10 January, before the correction
        self.assert_done(self.done("--as-of", "2025-09-30", "--as-recorded", "2026-01-10"), self.by_hand(13))
        # the year: everything finished, each township's whole part of the line
        year = self.done("--as-of", "2025-12-31")
        whole = self.by_hand(n)
        self.assert_done(year, whole)
        places = {p["name"]: p["km"] for p in self.ok("project", "show", CODE, "--json", "--planar").json()["places"]}
        for name, km in whole.items():
            self.assertAlmostEqual(places[name], km, places=5)
        self.assertEqual(len(whole), 4)
        shown = self.ok("project", "show", CODE, "--json", "--as-of", "2025-09-30").json()
        self.assertEqual(shown["status"], "under_construction")
        self.assertEqual(self.ok("project", "show", CODE, "--json").json()["status"], "completed")
        self.assertIn("hash chain intact", self.ok("verify").out)


if __name__ == "__main__":
    main()

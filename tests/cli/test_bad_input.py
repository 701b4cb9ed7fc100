"""The bad-input corpus (tests/bad/, MANIFEST.tsv): every file goes through the command its row
names and must exit as the row says, with a message naming the file (and the feature, where
there is one), the ledger exactly as it was when it fails, what it stores verbatim when it does
not, no sanitizer report and no hang (every run has a timeout). The big files, a directory and
a missing path are made here, not kept in git."""
import csv
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import bad_corpus
from plat_test import (COUNTIES, ON_PG, PLAT, WRAPPER, PlatCase, copy_ledger, digest, drop_ledger, ledger_args, main,
                        new_ledger)

BAD = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bad"))
SIDECARS = (".shx", ".dbf", ".prj", ".cpg")
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:")


def manifest():
    with open(os.path.join(BAD, "MANIFEST.tsv"), encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if r and not r[0].startswith("#")]
    return [dict(file=r[0], command=r[1], args=r[2].split(), exit=int(r[3]), message=r[4], hazard=r[5])
            for r in rows]


def command(cmd, path, args=()):
    if cmd == "layer import":
        return ["layer", "import", "bad", path, "--kind", "other", *args]
    return [*cmd.split(), path, *args]


class BadInputTest(PlatCase):
    @classmethod
    def setUpClass(cls):
        # One ledger with the seed counties, copied for each case.
        cls.base_dir = tempfile.mkdtemp(prefix="plat-bad-")
        cls.base = new_ledger(cls.base_dir, "base.sqlite")
        for args in (["init"], ["township", "import", COUNTIES]):
            subprocess.run(WRAPPER + [PLAT, *ledger_args(cls.base), *args], check=True, capture_output=True,
                           timeout=300)
        cls.base_digest = digest(cls.base)

    @classmethod
    def tearDownClass(cls):
        drop_ledger(cls.base)
        shutil.rmtree(cls.base_dir, ignore_errors=True)

    def fresh_ledger(self):
        if ON_PG:
            drop_ledger(self.current_ledger)
        else:
            for suffix in ("-wal", "-shm"):
                if os.path.exists(self.db + suffix):
                    os.remove(self.db + suffix)
        copy_ledger(self.base, self.current_ledger)

    def run_case(self, args, rc, message, path):
        """Run plat on a copy of the base ledger; check exit, message, sanitizers, and an
        unchanged ledger on failure. Returns the result."""
        self.fresh_ledger()
        r = self.plat(*args)
        self.assertEqual(r.rc, rc, f"{args}:\n{r}")
        for mark in SANITIZER_MARKS:
            self.assertNotIn(mark, r.err, f"{args}: sanitizer report\n{r.err}")
        self.assertIn(path, r.err if rc else r.err + r.out, f"{args}: the message does not name the file")
        if message:
            self.assertIn(f"{path}: {message}", r.err, f"{args}")
        if rc != 0:
            self.assertEqual(self.digest(), self.base_digest, f"{args}: the ledger changed")
        return r

    def ledger_files(self):
        """What the test folder holds besides the input files: the ledger, if it is a file."""
        return [] if ON_PG else ["ledger.sqlite"]

    def show(self, code):
        return self.ok("project", "show", code, "--json").json()

    def test_the_manifest_lists_every_file_once_each_a_distinct_hazard(self):
        rows = manifest()
        self.assertGreaterEqual(len(rows), 40)
        names = [r["file"] for r in rows]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(len({r["hazard"] for r in rows}), len(rows))
        listed = set(names)
        for name in os.listdir(BAD):
            if name == "MANIFEST.tsv":
                continue
            stem, ext = os.path.splitext(name)
            if ext in SIDECARS:
                self.assertTrue(any(os.path.splitext(n)[0] == stem for n in listed), name)
            else:
                self.assertIn(name, listed, f"{name} is in tests/bad but not in MANIFEST.tsv")
        for r in rows:
            self.assertTrue(os.path.isfile(os.path.join(BAD, r["file"])), r["file"])
            self.assertIn(r["command"], ("project import", "township import", "layer import"), r["file"])
            self.assertIn(r["exit"], (0, 1))

    def test_every_file_of_the_corpus(self):
        checks = {
            "self_intersecting.geojson": self.check_bowtie,
            "empty_collection.geojson": self.check_empty_collection,
            "nested_collection.geojson": self.check_nested_collection,
            "mixed_types_layer.geojson": self.check_mixed_layer,
            "sql_injection_name.geojson": self.check_sql_names,
            "path_name.geojson": self.check_path_names,
        }
        for row in manifest():
            with self.subTest(file=row["file"], hazard=row["hazard"]):
                path = os.path.join(BAD, row["file"])
                self.run_case(command(row["command"], path, row["args"]), row["exit"], row["message"], path)
                if row["exit"] == 0:
                    self.assertIn(row["file"], checks, "an accepted file needs a check of what it stored")
                    checks[row["file"]]()
        self.assertEqual(set(checks), {r["file"] for r in manifest() if r["exit"] == 0})

    # ---- what the accepted files store ----

    def check_bowtie(self):
        bow = self.show("B-BOW")
        self.assertEqual(bow["geometry"]["type"], "MultiPolygon")  # two triangles
        # The bow-tie's two triangles: half the 0.01-degree square, about 1.08 km2 at 28.7N.
        self.assertAlmostEqual(bow["measured"]["m2"] / 1e6, 0.54, delta=0.03)

    def check_empty_collection(self):
        p = self.show("B-GC0")
        self.assertIsNone(p["geometry"])
        self.assertIsNone(p["measured"])

    def check_nested_collection(self):
        p = self.show("B-GC2")
        g = p["geometry"]
        self.assertEqual(g["type"], "GeometryCollection")
        self.assertEqual(sorted(x["type"] for x in g["geometries"]), ["LineString", "Point"])
        self.assertEqual(p["measured"]["points"], 1)
        self.assertAlmostEqual(p["measured"]["km"], 0.977, delta=0.002)  # 0.01 degrees of longitude at 28.7N
        self.assertEqual(p["townships"], ["平江县"])

    def check_mixed_layer(self):
        li = {x["name"]: x for x in self.ok("layer", "list", "--json").json()}["bad"]
        self.assertEqual((li["geometry_kind"], li["feature_count"]), ("mixed", 3))

    def check_sql_names(self):
        codes = {p["code"]: p["name"] for p in self.ok("project", "list", "--json").json()}
        self.assertEqual(codes, {"'; DROP TABLE projects; --": "'; DROP TABLE projects; --",
                                 "B-001": 'Robert"); DELETE FROM meta; --'})
        self.assertEqual(self.sql("SELECT count(*) FROM meta WHERE key = 'srid'"), [(1,)])
        self.assertAlmostEqual(self.show("'; DROP TABLE projects; --")["measured"]["km"], 1.108, delta=0.002)

    def check_path_names(self):
        p = self.show("../../etc/passwd")
        self.assertEqual((p["code"], p["name"], p["source_doc"]), ("../../etc/passwd", "../../etc/passwd",
                                                                   "/etc/shadow"))
        self.assertEqual(sorted(os.listdir(self.dir)), self.ledger_files())  # nothing written beside it

    # ---- made at test time ----

    def test_a_directory_and_a_missing_path(self):
        folder = os.path.join(self.dir, "folder.geojson")
        os.mkdir(folder)
        missing = os.path.join(self.dir, "missing.geojson")
        for cmd in ("project import", "township import", "layer import"):
            with self.subTest(cmd=cmd):
                self.run_case(command(cmd, folder), 1, "is a folder GDAL does not read as vector data", folder)
                self.run_case(command(cmd, missing), 1, "no such file", missing)

    def test_layer_names_that_look_like_sql_or_paths_are_stored_verbatim(self):
        path = os.path.join(BAD, "mixed_types_layer.geojson")
        self.fresh_ledger()
        for name in ("'; DROP TABLE projects; --", "../../etc/passwd"):
            self.ok("layer", "import", name, path, "--kind", "roads")
        self.assertEqual(sorted(x["name"] for x in self.ok("layer", "list", "--json").json()),
                         ["'; DROP TABLE projects; --", "../../etc/passwd"])
        self.assertEqual(self.sql("SELECT count(*) FROM townships"), [(4,)])
        self.assertEqual(self.sql("SELECT count(*) FROM projects"), [(0,)])  # the table is still there
        self.assertEqual(sorted(os.listdir(self.dir)), self.ledger_files())

    @unittest.skipIf(WRAPPER, "100 000 features under valgrind take minutes; ASan covers them")
    def test_big_files(self):
        paths = bad_corpus.write_big(self.dir)
        # A 10 MB value is more than GDAL's GeoJSON reader takes: refused, naming the file.
        p = paths["big_attribute.geojson"]
        self.run_case(command("project import", p), 1, "not a vector file GDAL can read", p)
        # GeoPackage holds it: kept verbatim with the project.
        p = paths["big_attribute.gpkg"]
        self.run_case(command("project import", p), 0, None, p)
        attrs = self.show("B-001")["attrs"]
        self.assertEqual(len(attrs["备注"]), bad_corpus.BIG_TEXT_CHARS)
        self.assertEqual(set(attrs["备注"]), {"长"})
        # One broken feature after 100 000 good ones: nothing of the 100 000 stays.
        p = paths["broken_after_100000.geojson"]
        r = self.run_case(command("layer import", p), 1, "feature 100000: coordinate (113.3 95) is not a longitude", p)
        self.assertEqual(r.out, "")


if __name__ == "__main__":
    main()

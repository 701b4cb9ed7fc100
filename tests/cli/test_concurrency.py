"""Concurrency: readers (project list, coverage, export) running while a writer imports must
succeed and see the ledger as it was before the import or as it is after it, never part of it;
two writers at once either both succeed (the second waits on the busy timeout) or one fails
cleanly with exit 1 and a message, and the ledger holds exactly the writes that succeeded."""
import json
import os
import subprocess
import unittest

from plat_test import ON_PG, PLAT, WRAPPER, PlatCase, ledger_args, main

BEFORE = 50      # projects in the ledger before the big import
IMPORTED = 800   # projects the big import adds: long enough for many readers to run beside it


def plan(path, prefix, n, x0=113.30):
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for i in range(n):
            x, y = x0 + (i % 100) * 0.001, 28.70 + (i // 100) * 0.001
            f.write('%s{"type":"Feature","properties":{"code":"%s-%04d","name":"道路%d","category":"农村公路"},'
                    '"geometry":{"type":"LineString","coordinates":[[%.4f,%.4f],[%.4f,%.4f]]}}\n'
                    % ("," if i else "", prefix, i, i, x, y, x + 0.001, y))
        f.write("]}\n")
    return path


@unittest.skipIf(WRAPPER, "under valgrind one command outlasts the busy timeout; ASan runs these")
class ConcurrencyTest(PlatCase):
    def start(self, *args):
        return subprocess.Popen([PLAT, *ledger_args(self.current_ledger), *map(str, args)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=self.dir)

    def history_notes(self):
        return {r[0] for r in self.sql("SELECT note FROM project_events WHERE kind != 'add'")}

    def test_readers_see_before_or_after_while_a_writer_imports(self):
        self.ledger_with_counties()
        self.ok("project", "import", plan(os.path.join(self.dir, "first.geojson"), "A", BEFORE))
        before_cov = self.ok("coverage", "--json").json()["totals"]
        self.assertEqual(before_cov["projects"], BEFORE)  # all of them inside 平江县
        path = plan(os.path.join(self.dir, "big.geojson"), "B", IMPORTED)
        writer = self.start("project", "import", path)
        seen = {"list": set(), "coverage": set(), "export": set()}
        rounds = during = 0
        while True:
            running = writer.poll() is None
            rounds += 1
            n = len(self.ok("project", "list", "--json").json())
            seen["list"].add(n)
            cov = self.ok("coverage", "--json").json()["totals"]
            seen["coverage"].add(cov["projects"])
            if cov["projects"] == BEFORE:  # before: the same figures to the last digit
                self.assertEqual(cov, before_cov)
            dest = os.path.join(self.dir, f"export{rounds}")
            self.ok("export", "geojson", dest, "--what", "projects")
            with open(os.path.join(dest, "projects_lines.geojson"), encoding="utf-8") as f:
                seen["export"].add(len(json.load(f)["features"]))
            during += running
            if not running:
                break
        out, err = writer.communicate(timeout=600)
        self.assertEqual(writer.returncode, 0, err)
        self.assertGreater(during, 0, "no reader ran while the import did")
        for what, counts in seen.items():
            self.assertLessEqual(counts, {BEFORE, BEFORE + IMPORTED}, f"{what} saw part of the import: {counts}")
        self.assertEqual(len(self.ok("project", "list", "--json").json()), BEFORE + IMPORTED)

    def test_two_imports_at_once(self):
        self.ledger_with_counties()
        a = plan(os.path.join(self.dir, "a.geojson"), "A", IMPORTED)
        b = plan(os.path.join(self.dir, "b.geojson"), "B", IMPORTED, x0=113.40)
        procs = [self.start("project", "import", a), self.start("project", "import", b)]
        results = [(p.wait(timeout=600), p.communicate()[1]) for p in procs]
        done = 0
        for (rc, err), prefix in zip(results, "AB"):
            if rc == 0:
                done += IMPORTED
            else:  # it waited the busy timeout out and gave up, saying so
                self.assertEqual(rc, 1, err)
                self.assertIn("the database is busy with another writer; try again", err)
        self.assertGreater(done, 0, results)
        if not ON_PG:
            self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])
        for (rc, _), prefix in zip(results, "AB"):
            n = self.sql("SELECT count(*) FROM projects WHERE code LIKE ?", (prefix + "-%",))[0][0]
            self.assertEqual(n, IMPORTED if rc == 0 else 0, prefix)

    def test_two_writers_updating_at_once(self):
        self.ledger_with_counties()
        self.ok("project", "import", plan(os.path.join(self.dir, "p.geojson"), "P", 4))
        # Two shell loops, each updating its own projects 15 times, as fast as they can.
        loops = []
        for w, codes in enumerate((("P-0000", "P-0001"), ("P-0002", "P-0003"))):
            script = "; ".join(f'"$0" "$@" project update {codes[k % 2]} --progress {k} --note w{w}-{k}; '
                               f'echo "w{w}-{k} $?"' for k in range(15))
            loops.append(subprocess.Popen(["sh", "-c", script, PLAT, *ledger_args(self.current_ledger)], stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))
        outcomes = {}
        for p in loops:
            out, err = p.communicate(timeout=600)
            for line in out.split("\n"):
                if line.startswith("w"):
                    note, rc = line.split()
                    outcomes[note] = int(rc)
        self.assertEqual(len(outcomes), 30)
        self.assertLessEqual(set(outcomes.values()), {0, 1})
        succeeded = {note for note, rc in outcomes.items() if rc == 0}
        self.assertGreater(len(succeeded), 0)
        self.assertEqual(self.history_notes(), succeeded)  # every success recorded, no failure half-recorded

    def test_an_update_while_an_import_runs(self):
        self.ledger_with_counties()
        self.ok("project", "import", plan(os.path.join(self.dir, "p.geojson"), "P", 2))
        writer = self.start("project", "import", plan(os.path.join(self.dir, "big.geojson"), "B", IMPORTED))
        updates = []
        k = 0
        while writer.poll() is None and k < 40:
            r = self.plat("project", "update", "P-0000", "--progress", k, "--note", f"u{k}")
            self.assertIn(r.rc, (0, 1), r)
            if r.rc == 1:
                self.assertIn("busy with another writer", r.err)
            updates.append((f"u{k}", r.rc))
            k += 1
        _, err = writer.communicate(timeout=600)
        self.assertEqual(writer.returncode, 0, err)
        self.assertEqual(self.history_notes(), {note for note, rc in updates if rc == 0})
        self.assertEqual(len(self.ok("project", "list", "--json").json()), 2 + IMPORTED)


if __name__ == "__main__":
    main()

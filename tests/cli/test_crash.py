"""Crash safety: plat killed with SIGKILL at random moments (a seeded random, spread over the
run) during a large project import and during runs of project updates, 50 times in all. After
every kill a SQLite ledger must pass PRAGMA integrity_check and foreign_key_check; on either
backend the import must be wholly there or wholly absent, and every update that returned success
must be in the history.

Delays are fractions of a measured uninterrupted import, so the kills spread over the whole
run on a fast machine and under AddressSanitizer alike; nothing is asserted about time."""
import os
import random
import json
import signal
import subprocess
import sys
import textwrap
import time
import unittest

from plat_test import ON_PG, PLAT, WRAPPER, PlatCase, ledger_args, main

PROJECTS = 3000       # per import: a few seconds of work, spilling pages into the WAL before COMMIT
IMPORT_KILLS = 20
UPDATE_KILLS = 30
SEED = 20241127


def plan(path, prefix, n):
    """A GeoJSON of n rural-road projects coded PREFIX-00000 ... in 平江县."""
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for i in range(n):
            x, y = 113.2 + (i % 200) * 0.001, 28.6 + (i // 200) * 0.001
            f.write('%s{"type":"Feature","properties":{"code":"%s-%05d","name":"农村公路%d","category":"农村公路",'
                    '"进度":"%d%%"},"geometry":{"type":"LineString","coordinates":[[%.4f,%.4f],[%.4f,%.4f]]}}\n'
                    % ("," if i else "", prefix, i, i, i % 100, x, y, x + 0.0006, y + 0.0003))
        f.write("]}\n")
    return path


# The update driver: runs `plat project update` back to back, and after each one that exits 0
# appends its note to a file (flushed and synced before the next starts), so what the test reads
# after the kill is exactly the set of updates plat reported as done.
DRIVER = textwrap.dedent("""
    import json, os, subprocess, sys
    plat, ledger, log, codes = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4].split(",")
    limit = int(sys.argv[6]) if len(sys.argv) > 6 else -1
    k = 0
    with open(log, "a") as out:
        while k != limit:
            code = codes[k % len(codes)]
            note = "%s#%d" % (sys.argv[5], k)
            r = subprocess.run([plat, *ledger, "project", "update", code, "--progress", str(k % 101),
                                "--note", note], capture_output=True)
            if r.returncode == 0:
                out.write("%s %s %d\\n" % (code, note, k % 101))
                out.flush()
                os.fsync(out.fileno())
            k += 1
""")


@unittest.skipIf(WRAPPER, "killing plat at random under valgrind proves nothing more and takes an hour")
class CrashTest(PlatCase):
    def check_ledger(self):
        """The file is sound after a kill (the server takes care of its own)."""
        if not ON_PG:
            self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])
            self.assertEqual(self.sql("PRAGMA foreign_key_check"), [])

    def count(self, prefix):
        projects = self.sql("SELECT count(*) FROM projects WHERE code LIKE ?", (prefix + "-%",))[0][0]
        events = self.sql("SELECT count(*) FROM project_events e JOIN projects p ON p.id = e.project_id "
                          "WHERE p.code LIKE ?", (prefix + "-%",))[0][0]
        return projects, events

    def test_kills_during_imports_and_updates(self):
        rng = random.Random(SEED)
        self.ok("init", "--crs", "EPSG:4547")
        # One uninterrupted import: what a whole one stores, and how long one takes here.
        t0 = time.monotonic()
        self.ok("project", "import", plan(os.path.join(self.dir, "full.geojson"), "FULL", PROJECTS))
        span = time.monotonic() - t0
        self.check_ledger()
        self.assertEqual(self.count("FULL"), (PROJECTS, PROJECTS))

        outcomes = {"absent": 0, "present": 0}
        for i in range(IMPORT_KILLS):
            prefix = f"I{i:02d}"
            path = plan(os.path.join(self.dir, "plan.geojson"), prefix, PROJECTS)
            delay = span * rng.uniform(0.02, 1.3)
            proc = subprocess.Popen([PLAT, *ledger_args(self.current_ledger), "project", "import", path],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            err = proc.communicate(timeout=60)[1].decode()
            self.check_ledger()
            projects, events = self.count(prefix)
            self.assertIn((projects, events), [(0, 0), (PROJECTS, PROJECTS)],
                          f"kill {i} after {delay:.2f}s left part of the import")
            if proc.returncode == 0:  # it finished before the kill: it must all be there
                self.assertEqual(projects, PROJECTS, err)
            else:
                self.assertEqual(proc.returncode, -signal.SIGKILL, err)
            self.assertEqual(self.count("FULL"), (PROJECTS, PROJECTS))
            outcomes["present" if projects else "absent"] += 1
        # The kills fell both before and after the commit at least once: they spread over the run.
        self.assertGreater(outcomes["absent"], 0, outcomes)

        codes = [f"FULL-{i:05d}" for i in range(0, 40, 7)]
        log = os.path.join(self.dir, "updates.log")
        driver = os.path.join(self.dir, "driver.py")
        with open(driver, "w") as f:
            f.write(DRIVER)
        # How long the driver takes to start and make one update: the kills fall between half of
        # that and four times that, so most runs are killed after some updates and some before.
        one = time.monotonic()
        ledger = json.dumps(ledger_args(self.current_ledger))
        subprocess.run([sys.executable, driver, PLAT, ledger, log, codes[0], "T", "1"], check=True)
        one = time.monotonic() - one
        attempted = 0
        for i in range(UPDATE_KILLS):
            proc = subprocess.Popen([sys.executable, driver, PLAT, ledger, log, ",".join(codes), f"U{i:02d}"],
                                    start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(one * rng.uniform(0.5, 4.0))
            os.killpg(proc.pid, signal.SIGKILL)  # the driver and the plat it is running
            proc.wait(timeout=60)
            self.check_ledger()
            notes = {row[0] for row in self.sql("SELECT note FROM project_events WHERE note LIKE ?", (f"U{i:02d}#%",))}
            with open(log) as f:
                done = [w for w in (line.split() for line in f) if len(w) == 3 and w[1].startswith(f"U{i:02d}#")]
            for code, note, progress in done:
                self.assertIn(note, notes, f"update {note} of {code} returned 0 but is not in the history")
            # At most the one in flight when the kill came may have landed without being logged.
            self.assertLessEqual(len(notes) - len(done), 1)
            attempted += len(notes)
            # Each project's state is its latest event: nothing half written.
            for code in codes:
                cur = self.sql("SELECT progress FROM projects WHERE code = ?", (code,))[0][0]
                last = self.sql("SELECT e.progress FROM project_events e JOIN projects p ON p.id = e.project_id "
                                "WHERE p.code = ? AND e.progress IS NOT NULL ORDER BY e.date DESC, e.id DESC "
                                "LIMIT 1", (code,))[0][0]
                self.assertEqual(cur, last, code)
        self.assertGreater(attempted, UPDATE_KILLS, "the update runs were killed before doing anything")
        # The ledger still works: plat itself reads it and writes to it.
        self.assertEqual(len(self.ok("project", "list", "--json").json()) % PROJECTS, 0)
        self.ok("project", "update", codes[1], "--progress", "100", "--note", "after the crashes")
        self.assertEqual(self.ok("project", "show", codes[1], "--json").json()["progress"], 100)


if __name__ == "__main__":
    main()

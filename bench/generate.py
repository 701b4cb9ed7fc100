#!/usr/bin/env python3
"""bench/generate.py - a deterministic, seeded province (or county) for plat's benchmark.

What it makes. One GeoPackage with four layers in EPSG:4547 (CGCS2000 3-degree Gauss-Kruger,
CM 114E, metres), the working CRS a Hunan ledger would use:

  townships  cells of a jittered grid that tile the area exactly: every shared edge is one
             noisy polyline of many vertices, generated once and used reversed by the
             neighbour, so there are neither gaps nor overlaps (to the last bit of every
             coordinate); each township ring has a few hundred vertices, like the boundaries
             a natural-resources bureau hands out. 9-digit codes, grouped 25 to a county.
  roads      open polylines of 5-50 vertices, a smooth random walk of metre-scale steps (a
             digitised road centreline); a share of them runs along a road project, so that
             "covered" in `plat coverage --layer roads` is not trivially zero.
  farmland   parcels of 0.5-20 ha (log-uniform), simple star-shaped polygons of 4-10 vertices;
             a share of them lies in farmland projects.
  projects   highway lines of 5-20 km and high-standard farmland polygons of about 1-7 km2
             (up to 100 of each), with code, name and category columns that
             `plat project import` maps by name.

Why it looks like this. The engine's cost is driven by how many features cross a township
border (those need an intersection with a boundary of hundreds of vertices) and by how many
lie wholly inside one (the containment shortcut): metre-scale roads and hectare-scale parcels
in 10 km townships give the few-percent crossing rate of real data. Roads are random walks,
so none runs along a shared border; a line lying exactly on a border is counted once by plat
and twice by a naive SQL sum, and the benchmark compares the two.

Why a GeoPackage written with plain sqlite3. GeoPackage is a SQLite file with three small
metadata tables and a fixed geometry header in front of standard WKB; writing it needs
nothing but Python's own sqlite3 and struct modules, so the generator runs on any Python 3
(no GDAL bindings, no mod_spatialite) and writes about a million features a minute. GDAL
reads the result like any other GeoPackage, so plat and ogr2ogr import the same file.

Determinism. Every layer draws from its own random.Random seeded from --seed and the layer's
name, so the same arguments give the same file byte for byte, and changing one layer's count
does not move the features of another.

Usage: generate.py [--preset tiny|county|province] [--scale S] [--townships N] [--roads N]
                   [--parcels N] [--seed N] [--out FILE]
"""
import argparse
import math
import os
import random
import sqlite3
import struct
import sys

SRID = 4547
WKT_4547 = (
    'PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 114E",GEOGCS["China Geodetic Coordinate System 2000",'
    'DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],'
    'AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]],'
    'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",114],'
    'PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],'
    'UNIT["metre",1,AUTHORITY["EPSG","9001"]],AUTHORITY["EPSG","4547"]]'
)

# Issue 8's two scales; --scale S takes S times the province (S = 1 is the province).
PRESETS = {
    "tiny": dict(townships=6, roads=200, parcels=300),
    # The suite's agreement test: hundreds of townships, thousands of features, seconds to run.
    "suite": dict(townships=300, roads=10000, parcels=10000),
    "county": dict(townships=25, roads=20000, parcels=50000),
    "province": dict(townships=2000, roads=500000, parcels=1000000),
}

CELL = 10000.0  # township cell size in metres: about 100 km2, a Hunan township's typical area
NORTH0 = 2950000.0  # southern edge, about 26.6 N: the middle of Hunan


# ---- GeoPackage encoding ----

def gpkg_blob(wkb):
    """GeoPackage geometry: 'GP', version 0, flags (little-endian, no envelope), srs id, WKB."""
    return b"GP\x00\x01" + struct.pack("<i", SRID) + wkb


def wkb_line(pts):
    flat = [c for p in pts for c in p]
    return struct.pack("<BII%dd" % len(flat), 1, 2, len(pts), *flat)


def wkb_polygon(ring):
    if ring[0] != ring[-1]:
        ring = ring + [ring[0]]
    flat = [c for p in ring for c in p]
    return struct.pack("<BIII%dd" % len(flat), 1, 3, 1, len(ring), *flat)


def create_gpkg(path):
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path)
    con.executescript(f"""
        PRAGMA application_id = 1196444487;  -- 'GPKG'
        PRAGMA user_version = 10300;
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
            organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
            definition TEXT NOT NULL, description TEXT);
        INSERT INTO gpkg_spatial_ref_sys VALUES
            ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL),
            ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL),
            ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]', NULL),
            ('CGCS2000 / 3-degree Gauss-Kruger CM 114E', {SRID}, 'EPSG', {SRID}, '{WKT_4547}', NULL);
        CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
            identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL
            DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE,
            max_y DOUBLE, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
            geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
            m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
    """)
    return con


def add_layer(con, name, geom_type, columns, rows, extent):
    """A feature table `name` with fid, geom and the given (name, SQL type) columns, filled from
    rows: an iterable of (geometry blob, value, ...)."""
    cols = "".join(f', "{c}" {t}' for c, t in columns)
    con.execute(f'CREATE TABLE "{name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {geom_type}{cols})')
    # A fixed timestamp keeps the file byte-for-byte reproducible.
    con.execute("INSERT INTO gpkg_contents(table_name, data_type, identifier, last_change, min_x, min_y, "
                "max_x, max_y, srs_id) VALUES (?, 'features', ?, '2024-01-01T00:00:00.000Z', ?, ?, ?, ?, ?)",
                (name, name, *extent, SRID))
    con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)", (name, geom_type, SRID))
    marks = ", ".join("?" * (len(columns) + 1))
    names = "".join(f', "{c}"' for c, _ in columns)
    con.executemany(f'INSERT INTO "{name}"(geom{names}) VALUES ({marks})', rows)


# ---- townships: a jittered grid with shared noisy edges ----

def grid_shape(n):
    """Columns and rows for about n cells, twice as tall as wide (a 3-degree zone is narrow)."""
    cols = max(1, round(math.sqrt(n / 2.0)))
    rows = max(1, math.ceil(n / cols))
    return cols, rows


def noisy_edge(rng, a, b, nverts):
    """A polyline from a to b of nverts interior vertices, displaced sideways from the chord by
    a smooth random function that vanishes (with its slope) at both ends. Displacement is a
    function of the position along the chord, so the line never crosses itself; it vanishes
    quadratically at the corners, so edges meeting at a corner leave it along their chords."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    nx, ny = -dy / length, dx / length
    amp = 0.03 * length
    harmonics = [(rng.uniform(-1, 1) * amp / k, rng.uniform(0, 2 * math.pi), k) for k in (1, 2, 3)]
    pts = [a]
    for i in range(1, nverts + 1):
        t = i / (nverts + 1)
        env = math.sin(math.pi * t) ** 2
        off = env * (sum(h * math.sin(k * math.pi * t + ph) for h, ph, k in harmonics)
                     + rng.uniform(-0.002, 0.002) * length)
        pts.append((round(a[0] + t * dx + off * nx, 3), round(a[1] + t * dy + off * ny, 3)))
    pts.append(b)
    return pts


def townships(rng, n, edge_vertices):
    cols, rows = grid_shape(n)
    x0 = 500000.0 - cols * CELL / 2
    corner = {}
    for i in range(cols + 1):
        for j in range(rows + 1):
            # Interior corners move freely, outline corners only along the outline.
            jx = 0.0 if i in (0, cols) else rng.uniform(-0.2, 0.2) * CELL
            jy = 0.0 if j in (0, rows) else rng.uniform(-0.2, 0.2) * CELL
            corner[i, j] = (round(x0 + i * CELL + jx, 3), round(NORTH0 + j * CELL + jy, 3))
    # Each edge once: horizontal edges h[i, j] from corner (i, j) to (i+1, j), vertical v[i, j]
    # from (i, j) to (i, j+1). The neighbour walks the same list of points backwards.
    h = {(i, j): noisy_edge(rng, corner[i, j], corner[i + 1, j], rng.randint(*edge_vertices))
         for i in range(cols) for j in range(rows + 1)}
    v = {(i, j): noisy_edge(rng, corner[i, j], corner[i, j + 1], rng.randint(*edge_vertices))
         for i in range(cols + 1) for j in range(rows)}
    cells = []
    for j in range(rows):
        for i in range(cols):
            if len(cells) == n:
                break
            ring = h[i, j][:-1] + v[i + 1, j][:-1] + h[i, j + 1][::-1][:-1] + v[i, j][::-1]
            cells.append((i, j, ring))
    # Counties: blocks of 5 x 5 cells. Codes follow GB/T 2260 (43 Hunan, city, county) and
    # GB/T 10114 (three more digits, from 100 for towns).
    out = []
    per_county = {}
    for i, j, ring in cells:
        county = (j // 5) * ((cols + 4) // 5) + i // 5
        k = per_county.get(county, 0)
        per_county[county] = k + 1
        ccode = "43%02d%02d" % (county // 20 + 1, county % 20 + 1)
        out.append((ring, ccode + "%03d" % (100 + k), f"模拟{county + 1}县第{k + 1}镇", f"模拟{county + 1}县"))
    extent = (x0, NORTH0, x0 + cols * CELL, NORTH0 + rows * CELL)
    return out, extent


# ---- projects, roads and parcels ----

def walk(rng, start, heading, nverts, step, turn):
    pts = [start]
    x, y = start
    for _ in range(nverts - 1):
        heading += rng.gauss(0, turn)
        s = rng.uniform(*step)
        x += s * math.cos(heading)
        y += s * math.sin(heading)
        pts.append((round(x, 3), round(y, 3)))
    return pts


def star(rng, cx, cy, area, nverts):
    """A simple star-shaped polygon of about `area` m2 around (cx, cy): vertices at sorted
    angles with radii varying by +-20 %, so no two edges can cross."""
    # One vertex in each of nverts equal sectors: no gap reaches a half turn, so the centre
    # sees every edge and the ring is simple.
    angles = [(k + rng.uniform(0.1, 0.9)) * 2 * math.pi / nverts for k in range(nverts)]
    radii = [rng.uniform(0.8, 1.2) for _ in range(nverts)]
    pts = [(r * math.cos(a), r * math.sin(a)) for r, a in zip(radii, angles)]
    a2 = sum(pts[k][0] * pts[k - 1][1] - pts[k - 1][0] * pts[k][1] for k in range(nverts))
    scale = math.sqrt(area / (abs(a2) / 2))
    rot = rng.uniform(0, 2 * math.pi)
    c, s = math.cos(rot), math.sin(rot)
    return [(round(cx + scale * (px * c - py * s), 3), round(cy + scale * (px * s + py * c), 3)) for px, py in pts]


def inner(rng, extent, margin):
    return (rng.uniform(extent[0] + margin, extent[2] - margin), rng.uniform(extent[1] + margin, extent[3] - margin))


def along(rng, line, nverts, spacing):
    """Points every `spacing` m along a random stretch of line, a few metres off it: a layer
    road that a road project rebuilds."""
    seglen = [math.dist(line[k], line[k + 1]) for k in range(len(line) - 1)]
    total = sum(seglen)
    want = spacing * (nverts - 1)
    d = rng.uniform(0, max(0.0, total - want))
    pts, k, base = [], 0, 0.0
    off = rng.uniform(-5, 5)
    while len(pts) < nverts and k < len(seglen):
        if d > base + seglen[k]:
            base += seglen[k]
            k += 1
            continue
        t = (d - base) / seglen[k] if seglen[k] else 0
        (ax, ay), (bx, by) = line[k], line[k + 1]
        ux, uy = (bx - ax) / seglen[k], (by - ay) / seglen[k]
        pts.append((round(ax + t * (bx - ax) - uy * off, 3), round(ay + t * (by - ay) + ux * off, 3)))
        d += spacing
    return pts if len(pts) >= 2 else None


def generate(args):
    rng = lambda layer: random.Random(f"{args.seed}:{layer}")  # noqa: E731 - one stream per layer
    con = create_gpkg(args.out)
    towns, extent = townships(rng("townships"), args.townships, tuple(args.edge_vertices))
    add_layer(con, "townships", "POLYGON", [("code", "TEXT"), ("name", "TEXT"), ("county", "TEXT")],
              ((gpkg_blob(wkb_polygon(r)), code, name, county) for r, code, name, county in towns), extent)
    # One highway and one farmland project per two townships, at most 100 of each: adding a
    # project refreshes its stored places against every township, so a ledger's import of
    # thousands of projects over 2,000 townships takes many minutes, and the covering
    # geometries only need to be there, not many.
    n_proj = max(2, min(args.townships // 2, 100))
    r = rng("projects")
    lines, polys, rows = [], [], []
    for k in range(n_proj):
        line = walk(r, inner(r, extent, 2000), r.uniform(0, 2 * math.pi), r.randint(25, 100), (180, 220), 0.08)
        lines.append(line)
        rows.append((gpkg_blob(wkb_line(line)), "BR-%05d" % (k + 1), "模拟公路改建%d" % (k + 1), "highway"))
    for k in range(n_proj):
        cx, cy = inner(r, extent, 2000)
        ring = star(r, cx, cy, r.uniform(1e6, 7e6), r.randint(8, 16))
        polys.append((cx, cy, math.sqrt(abs(polygon_area(ring)) / math.pi)))
        rows.append((gpkg_blob(wkb_polygon(ring)), "BF-%05d" % (k + 1), "模拟高标准农田%d" % (k + 1), "farmland"))
    add_layer(con, "projects", "GEOMETRY", [("code", "TEXT"), ("name", "TEXT"), ("category", "TEXT")], rows, extent)

    def roads():
        r = rng("roads")
        for k in range(args.roads):
            n = r.randint(5, 50)
            pts = None
            if r.random() < 0.05:  # a road that a road project runs along
                pts = along(r, lines[r.randrange(len(lines))], n, r.uniform(4, 11))
            if not pts:
                pts = walk(r, inner(r, extent, 500), r.uniform(0, 2 * math.pi), n, (4, 11), 0.1)
            yield gpkg_blob(wkb_line(pts)), "X%03d" % (k % 997), ("县道", "乡道", "村道")[k % 3]

    add_layer(con, "roads", "LINESTRING", [("code", "TEXT"), ("grade", "TEXT")], roads(), extent)

    def parcels():
        r = rng("farmland")
        for k in range(args.parcels):
            area = math.exp(r.uniform(math.log(5000), math.log(200000)))  # 0.5-20 ha, log-uniform
            if r.random() < 0.2:  # in a farmland project
                px, py, pr = polys[r.randrange(len(polys))]
                a, d = r.uniform(0, 2 * math.pi), pr * 0.7 * math.sqrt(r.random())
                cx, cy = px + d * math.cos(a), py + d * math.sin(a)
            else:
                cx, cy = inner(r, extent, 500)
            ring = star(r, cx, cy, area, r.randint(4, 10))
            yield gpkg_blob(wkb_polygon(ring)), ("水田", "旱地", "水浇地")[k % 3], round(area / 666.6666667, 2)

    add_layer(con, "farmland", "POLYGON", [("dlmc", "TEXT"), ("mu", "REAL")], parcels(), extent)
    con.commit()
    con.close()
    return len(towns), n_proj


def polygon_area(ring):
    return sum(ring[k][0] * ring[k - 1][1] - ring[k - 1][0] * ring[k][1] for k in range(len(ring))) / 2


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write a deterministic benchmark province (GeoPackage, EPSG:4547).")
    ap.add_argument("--preset", choices=sorted(PRESETS), default="county")
    ap.add_argument("--scale", type=float, help="S times the province (overrides --preset)")
    ap.add_argument("--townships", type=int)
    ap.add_argument("--roads", type=int)
    ap.add_argument("--parcels", type=int)
    ap.add_argument("--edge-vertices", type=int, nargs=2, default=[60, 140], metavar=("MIN", "MAX"),
                    help="interior vertices of each shared township edge (default 60 140)")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--out", help="output GeoPackage (default /tmp/plat-bench-PRESET.gpkg)")
    args = ap.parse_args(argv)
    base = PRESETS[args.preset]
    if args.scale:
        base = {k: max(2 if k == "townships" else 10, round(v * args.scale)) for k, v in PRESETS["province"].items()}
    for k, v in base.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    if not args.out:
        args.out = "/tmp/plat-bench-%s.gpkg" % (("scale%g" % args.scale) if args.scale else args.preset)
    nt, npj = generate(args)
    print(f"{args.out}: {nt} townships, {args.roads} roads, {args.parcels} parcels, {2 * npj} projects "
          f"(seed {args.seed})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

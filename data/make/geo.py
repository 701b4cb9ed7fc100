"""Shared helpers for the demo-data generators in data/make/.

The generators make the illustrative parts of plat's demo: township boundaries inside the real
county outlines, reference layers (roads, farmland, basic farmland, the ecological red line) and
the geometries of the seed projects. They must give the same bytes on every run, so that a
re-run is a no-op in git and a test can prove it. Hence:

- Randomness comes only from `Rng`, a thin wrapper over random.Random(seed).random(), the one
  method whose sequence Python promises to keep across versions. No set iteration, no dict
  order that depends on input order, no time.
- Exact geometry (intersections, unions, polygonize, validity) is SpatiaLite's, run through the
  `sqlite3` command-line shell with `mod_spatialite` (Debian packages sqlite3 and
  libsqlite3-mod-spatialite, both installed by scripts/setup.sh). The shell rather than
  Python's sqlite3 module because many Python builds (pyenv's among them) cannot load
  extensions; the shell can, and one code path is one set of results. Geometries cross the pipe
  as hex WKB, so no digits are lost on the way.
- Output GeoJSON is written by `write_geojson`: one feature per line, keys in a fixed order,
  floats as Python's shortest round-trip repr (or rounded where a generator asks).

Coordinates are CGCS2000 longitude/latitude (EPSG:4490); the files say so in a "crs" member.
For the arithmetic of Voronoi cells and offsets the generators use a local plane in km
(`Plane`): x east, y north, an equirectangular projection about the county's centre. It is
affine in longitude and latitude, so straight lines stay straight both ways.
"""
import json
import math
import os
import random
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)

COUNTY_ORDER = ["430626", "430624", "430921", "430981"]  # 平江县, 湘阴县, 南县, 沅江市: plan order
CRS_4490 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}}


# ---- randomness ----

class Rng:
    """Deterministic numbers from a string seed (hashed without Python's salted hash())."""

    def __init__(self, seed):
        h = 1469598103934665603
        for b in str(seed).encode("utf-8"):
            h = ((h ^ b) * 1099511628211) % (1 << 64)
        self.r = random.Random(h)

    def random(self):
        return self.r.random()

    def uniform(self, a, b):
        return a + (b - a) * self.r.random()

    def choice(self, seq):
        return seq[min(int(self.r.random() * len(seq)), len(seq) - 1)]

    def shuffled(self, seq):
        """A copy of seq in an order decided by this generator (Fisher-Yates on random())."""
        out = list(seq)
        for i in range(len(out) - 1, 0, -1):
            j = min(int(self.r.random() * (i + 1)), i)
            out[i], out[j] = out[j], out[i]
        return out


def stable_fraction(text):
    """A number in [0, 1) fixed by text: per-township or per-project variation without state."""
    return Rng(text).random()


# ---- SpatiaLite through the sqlite3 shell ----

class SpatialiteError(RuntimeError):
    pass


def spatialite(script):
    """Run an SQL script in a fresh in-memory SpatiaLite database and return the rows of its
    SELECTs as lists of strings ('|'-separated list mode; hex WKB never contains '|')."""
    proc = subprocess.run(["sqlite3", "-batch", "-bail", ":memory:"],
                          input=".load mod_spatialite\n.mode list\n.separator |\n.nullvalue NULL\n" + script,
                          capture_output=True, text=True)
    err = "\n".join(line for line in proc.stderr.splitlines()
                    if line.strip() and "warning" not in line.lower())
    if proc.returncode != 0 or err:
        raise SpatialiteError(f"sqlite3 failed ({proc.returncode}): {err or proc.stderr}")
    return [line.split("|") for line in proc.stdout.splitlines() if line]


def sql_text(s):
    return "'" + s.replace("'", "''") + "'"


def sql_geom(geom):
    """A SQL expression for a GeoJSON-like geometry dict, exactly (as hex WKB, SRID 4490)."""
    return f"SetSRID(GeomFromWKB(X'{to_wkb(geom).hex()}'), 4490)"


# ---- WKB (2D, little-endian) <-> GeoJSON-like dicts ----

def _ring_wkb(ring):
    return struct.pack("<I", len(ring)) + b"".join(struct.pack("<dd", x, y) for x, y in ring)


def to_wkb(g):
    t, c = g["type"], g["coordinates"]
    if t == "Point":
        return struct.pack("<BIdd", 1, 1, c[0], c[1])
    if t == "LineString":
        return struct.pack("<BI", 1, 2) + _ring_wkb(c)
    if t == "Polygon":
        return struct.pack("<BII", 1, 3, len(c)) + b"".join(_ring_wkb(r) for r in c)
    sub = {"MultiPoint": "Point", "MultiLineString": "LineString", "MultiPolygon": "Polygon"}[t]
    code = {"MultiPoint": 4, "MultiLineString": 5, "MultiPolygon": 6}[t]
    return struct.pack("<BII", 1, code, len(c)) + b"".join(to_wkb({"type": sub, "coordinates": p}) for p in c)


def from_wkb_hex(h):
    g, _ = _read_wkb(bytes.fromhex(h), 0)
    return g


def _read_wkb(b, o):
    order = "<" if b[o] == 1 else ">"
    (code,) = struct.unpack_from(order + "I", b, o + 1)
    o += 5
    code %= 1000  # ISO Z/M variants never appear here; plain 2D codes only

    def pts(o):
        (n,) = struct.unpack_from(order + "I", b, o)
        o += 4
        out = [list(struct.unpack_from(order + "dd", b, o + 16 * i)) for i in range(n)]
        return out, o + 16 * n

    if code == 1:
        x, y = struct.unpack_from(order + "dd", b, o)
        return {"type": "Point", "coordinates": [x, y]}, o + 16
    if code == 2:
        c, o = pts(o)
        return {"type": "LineString", "coordinates": c}, o
    if code == 3:
        (n,) = struct.unpack_from(order + "I", b, o)
        o += 4
        rings = []
        for _ in range(n):
            r, o = pts(o)
            rings.append(r)
        return {"type": "Polygon", "coordinates": rings}, o
    if code in (4, 5, 6, 7):
        (n,) = struct.unpack_from(order + "I", b, o)
        o += 4
        parts = []
        for _ in range(n):
            p, o = _read_wkb(b, o)
            parts.append(p)
        if code == 7:
            return {"type": "GeometryCollection", "geometries": parts}, o
        name = {4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon"}[code]
        return {"type": name, "coordinates": [p["coordinates"] for p in parts]}, o
    raise ValueError(f"unsupported WKB type {code}")


# ---- plain geometry in Python ----

def polygons_of(g):
    """The polygons (lists of rings) of a Polygon or MultiPolygon."""
    return [g["coordinates"]] if g["type"] == "Polygon" else list(g["coordinates"])


def point_in_ring(x, y, ring):
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_geom(x, y, g):
    for poly in polygons_of(g):
        if point_in_ring(x, y, poly[0]) and not any(point_in_ring(x, y, h) for h in poly[1:]):
            return True
    return False


def bbox(g):
    xs, ys = [], []

    def walk(c):
        if isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for p in c:
                walk(p)

    walk(g["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def ring_area(ring):
    a = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        a += x1 * y2 - x2 * y1
    return a / 2


class Plane:
    """A local equirectangular plane in km about (lon0, lat0), scaled by the CGCS2000
    ellipsoid's radii of curvature at lat0: within 0.3 % of true distances across a county,
    and affine, so lines stay lines."""

    A_KM = 6378.137
    E2 = 0.00669438002290  # CGCS2000 (GRS 80)

    def __init__(self, lon0, lat0):
        self.lon0, self.lat0 = lon0, lat0
        s2 = math.sin(math.radians(lat0)) ** 2
        n = self.A_KM / math.sqrt(1 - self.E2 * s2)
        m = self.A_KM * (1 - self.E2) / (1 - self.E2 * s2) ** 1.5
        self.kx = math.radians(1) * n * math.cos(math.radians(lat0))
        self.ky = math.radians(1) * m

    def fwd(self, lon, lat):
        return (lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky

    def inv(self, x, y):
        return self.lon0 + x / self.kx, self.lat0 + y / self.ky


# ---- files ----

def load_counties():
    """The four county outlines of data/seed_counties.geojson, keyed by code, in plan order."""
    with open(os.path.join(DATA, "seed_counties.geojson"), encoding="utf-8") as f:
        d = json.load(f)
    by_code = {ft["properties"]["code"]: ft for ft in d["features"]}
    return {code: by_code[code] for code in COUNTY_ORDER}


def load_geojson(name, folder=None):
    with open(os.path.join(folder or DATA, name), encoding="utf-8") as f:
        return json.load(f)


def round_coords(c, nd):
    if isinstance(c[0], (int, float)):
        return [round(c[0], nd), round(c[1], nd)]
    return [round_coords(p, nd) for p in c]


def _num(v):
    return repr(v) if isinstance(v, float) else json.dumps(v, ensure_ascii=False)


def _dump(v):
    """JSON text with floats as shortest repr; dicts in their own (insertion) order."""
    if isinstance(v, dict):
        return "{" + ", ".join(json.dumps(k, ensure_ascii=False) + ": " + _dump(x) for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        if v and isinstance(v[0], (int, float)) and not isinstance(v[0], bool):
            return "[" + ", ".join(_num(x) for x in v) + "]"
        return "[" + ", ".join(_dump(x) for x in v) + "]"
    if isinstance(v, float):
        return _num(v)
    return json.dumps(v, ensure_ascii=False)


def write_geojson(path, name, features, comment=None):
    """Write a FeatureCollection: one feature per line, properties in the given order.
    `comment` goes into a top-level "description" member (GDAL ignores unknown members)."""
    lines = ["{", '"type": "FeatureCollection",', f'"name": {json.dumps(name)},']
    if comment:
        lines.append(f'"description": {json.dumps(comment, ensure_ascii=False)},')
    lines.append('"crs": ' + _dump(CRS_4490) + ",")
    lines.append('"features": [')
    for i, (props, geom) in enumerate(features):
        feat = {"type": "Feature", "properties": props, "geometry": geom}
        lines.append(_dump(feat) + ("," if i + 1 < len(features) else ""))
    lines.append("]")
    lines.append("}")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)

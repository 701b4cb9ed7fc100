"""The illustrative world the reference layers and the seed projects are drawn in.

`World` loads the county outlines (made valid) and the generated townships, and knows the named
places the plans mention that are not townships (青冲, 丁家垅, 虞公港, 白沙大桥 ...), the named
roads (G536, S201 ...) as chains of places, and the rivers that waterway and dike projects
follow. Every place here is a rough, unsurveyed guess: good enough to put a road "from 青冲 to
伍市" between those two names, not to find either on the ground.

Drawing helpers work in each county's local km plane (geo.Plane) and keep everything inside the
county outline, at least MARGIN_KM from it, so that rounding the output to 1e-6 degrees can
never push a feature across the county's edge.
"""
import math
import os

from geo import (DATA, Plane, Rng, bbox, from_wkb_hex, load_counties, load_geojson, point_in_geom,
                 spatialite, sql_geom)

MARGIN_KM = 0.3
TOWNSHIPS_FILE = "townships_illustrative.geojson"

# Places the plans name that are not townships. ("town", name) puts the place at a township's
# seat; ("at", lon, lat) at a guessed point; ("border", town, bearing) on the way out of the
# county from a township's seat in that compass bearing (degrees from north), MARGIN_KM inside.
PLACES = {
    # 平江县
    "青冲": ("at", 113.520, 28.705),        # G536 青冲至伍市: west of the county seat (a guess)
    "丁家垅": ("at", 113.545, 28.745),      # G536 丁家垅至天岳 (平益高速城关连接线): NW of the seat
    "首家坪": ("at", 113.600, 28.688),      # 首家坪农贸市场, 110kV 首家坪变: in the county seat
    "长庆": ("border", "石牛寨镇", 200),     # S316 石牛寨至长庆
    "岳阳县界": ("border", "南江镇", 290),   # S308 南江至岳阳县界
    "浏阳大洛方向": ("border", "安定镇", 190),  # S202 安定至浏阳大洛
    # 湘阴县
    "虞公港": ("at", 112.884, 28.858),      # on the east bank of the 湘江 (a guess)
    "古培塘方向": ("border", "新泉镇", 80),  # 虞公港至汨罗古培塘货运铁路专用线 leaves eastwards
    "芦林潭": ("at", 112.660, 28.775),      # 资水益阳至芦林潭段航道
    # 沅江市
    "白沙大桥": ("at", 112.352, 28.805),    # G234 白沙大桥, south of the seat (a guess)
    "浩江湖": ("at", 112.330, 28.870),
}

# Named national and provincial roads as chains of places (the plans name them; the routes
# between the places are illustrative). county code, ref, class, places.
ROADS = [
    ("430626", "G536", "国道", ["@W", "伍市镇", "瓮江镇", "青冲", "汉昌街道", "天岳街道", "童市镇", "长寿镇", "龙门镇", "@E"]),
    ("430626", "S201", "省道", ["汉昌街道", "虹桥镇", "加义镇", "@NE"]),
    ("430626", "S316", "省道", ["天岳街道", "三阳乡", "石牛寨镇", "长庆"]),
    ("430626", "S308", "省道", ["南江镇", "岳阳县界"]),
    ("430626", "S202", "省道", ["汉昌街道", "安定镇", "浏阳大洛方向"]),
    ("430624", "G240", "国道", ["@N", "新泉镇", "石塘镇", "文星街道", "六塘乡", "金龙镇", "@S"]),
    ("430624", "G536", "国道", ["@E", "杨林寨乡", "文星街道", "洋沙湖镇", "鹤龙湖镇", "静河镇", "@W"]),
    ("430981", "G234", "国道", ["@N", "南嘴镇", "泗湖山镇", "琼湖街道", "白沙大桥", "@S"]),
    ("430981", "S313", "省道", ["琼湖街道", "胭脂湖街道", "共华镇", "南大膳镇"]),
]
# "@W" etc.: the county edge beyond the neighbouring place, in that direction.
EDGE_BEARING = {"@N": 0, "@NE": 45, "@E": 90, "@S": 180, "@W": 270}

# Rivers: chains of places, each shifted (dx, dy) km so the river runs beside the towns, not
# through their seats. county code, name, shift, places.
RIVERS = [
    ("430626", "汨罗江", (0.0, -1.2), ["@E", "龙门镇", "长寿镇", "童市镇", "天岳街道", "汉昌街道", "瓮江镇", "伍市镇", "@W"]),
    ("430624", "湘江", (-1.2, 0.0), ["@S", "湘滨镇", "洋沙湖镇", "文星街道", "岭北镇", "虞公港", "@N"]),
    ("430624", "资水", (0.0, 0.0), ["@W", "芦林潭", "鹤龙湖镇"]),
    ("430921", "藕池河", (1.2, 0.0), ["@N", "中鱼口镇", "南洲镇", "武圣宫镇", "茅草街镇", "@S"]),
    ("430981", "资水", (0.0, 1.0), ["@W", "黄茅洲镇", "白沙大桥", "胭脂湖街道", "共华镇", "南大膳镇", "@E"]),
]


class World:
    def __init__(self, towns_dir=None):
        raw = load_counties()
        valid = spatialite("\n".join(
            f"SELECT '{code}', hex(AsBinary(MakeValid({sql_geom(f['geometry'])})));" for code, f in raw.items()))
        self.counties = {}
        for code, h in valid:
            g = from_wkb_hex(h)
            x0, y0, x1, y1 = bbox(g)
            self.counties[code] = {"code": code, "name": raw[code]["properties"]["name"], "geom": g,
                                   "plane": Plane((x0 + x1) / 2, (y0 + y1) / 2)}
        self.county_by_name = {c["name"]: c for c in self.counties.values()}
        d = load_geojson(TOWNSHIPS_FILE, towns_dir or DATA)
        self.towns = {}
        for f in d["features"]:
            p = f["properties"]
            self.towns[p["name"]] = {"code": p["code"], "name": p["name"], "county_code": p["county_code"],
                                     "county": p["county"], "geom": f["geometry"], "seat": (p["seat_lon"], p["seat_lat"])}
        self._places = {}

    # ---- places ----

    def county_of(self, name):
        if name in self.towns:
            return self.towns[name]["county_code"]
        spec = PLACES[name]
        if spec[0] == "border":
            return self.towns[spec[1]]["county_code"]
        for code, c in self.counties.items():
            if point_in_geom(spec[1], spec[2], c["geom"]):
                return code
        raise SystemExit(f"world: place {name} lies in no county")

    def place(self, name, county=None, after=None):
        """(lon, lat) of a township seat, a named place, or an edge marker ("@W": the county edge
        westwards of the place `after`)."""
        if name in EDGE_BEARING:
            return self.toward_edge(self.place(after), EDGE_BEARING[name], county)
        if name in self.towns:
            return self.towns[name]["seat"]
        if name not in self._places:
            spec = PLACES[name]
            if spec[0] == "at":
                self._places[name] = (spec[1], spec[2])
            elif spec[0] == "town":
                self._places[name] = self.towns[spec[1]]["seat"]
            else:
                t = self.towns[spec[1]]
                self._places[name] = self.toward_edge(t["seat"], spec[2], t["county_code"])
        return self._places[name]

    def inside(self, lon, lat, code):
        return point_in_geom(lon, lat, self.counties[code]["geom"])

    def inside_with_margin(self, lon, lat, code, margin=MARGIN_KM):
        c = self.counties[code]
        if not point_in_geom(lon, lat, c["geom"]):
            return False
        x, y = c["plane"].fwd(lon, lat)
        for k in range(8):
            a = k * math.pi / 4
            if not point_in_geom(*c["plane"].inv(x + margin * math.cos(a), y + margin * math.sin(a)), c["geom"]):
                return False
        return True

    def toward_edge(self, start, bearing, code):
        """The last point, walking from start in the bearing, that is still MARGIN_KM inside."""
        pl = self.counties[code]["plane"]
        x, y = pl.fwd(*start)
        a = math.radians(bearing)
        dx, dy = math.sin(a), math.cos(a)
        last = start
        for k in range(1, 400):
            ll = pl.inv(x + 0.1 * k * dx, y + 0.1 * k * dy)
            if not self.inside_with_margin(ll[0], ll[1], code, MARGIN_KM + 0.2):
                break
            last = ll
        return last

    # ---- drawing ----

    def chain(self, names, code):
        """Resolve a chain of place names (with edge markers) into points."""
        pts = []
        for i, n in enumerate(names):
            if n in EDGE_BEARING:
                nb = names[i + 1] if i == 0 else names[i - 1]
                pts.append(self.place(n, code, after=nb))
            else:
                pts.append(self.place(n))
        return pts

    def wiggle(self, a, b, code, rng, amp=0.06, step_km=1.5):
        """Points from a to b (a excluded, b included) bending gently off the straight line, but
        never outside the county; falls back to straight steps where a bend would leave it."""
        pl = self.counties[code]["plane"]
        ax, ay = pl.fwd(*a)
        bx, by = pl.fwd(*b)
        length = math.hypot(bx - ax, by - ay)
        n = max(1, int(length / step_km))
        nx, ny = (-(by - ay) / length, (bx - ax) / length) if length else (0, 0)
        phase = rng.uniform(0, math.pi)
        k2 = rng.uniform(1.5, 3.0)
        out = []
        for i in range(1, n + 1):
            t = i / n
            off = amp * length * (math.sin(math.pi * t) * math.sin(phase) * 0.8
                                  + 0.3 * math.sin(k2 * math.pi * t) * (1 - t) * t * 4) if i < n else 0.0
            p = pl.inv(ax + (bx - ax) * t + nx * off, ay + (by - ay) * t + ny * off)
            if i < n and not self.inside_with_margin(p[0], p[1], code):
                p = pl.inv(ax + (bx - ax) * t, ay + (by - ay) * t)
            out.append(p)
        return out

    def polyline(self, names, code, rng, shift=(0.0, 0.0), amp=0.06):
        """A line through a chain of places, with gentle bends; returns (coordinates, indexes of
        the places among the coordinates)."""
        pl = self.counties[code]["plane"]
        pts = self.chain(names, code)
        if shift != (0.0, 0.0):
            moved = []
            for i, p in enumerate(pts):
                if names[i] in EDGE_BEARING:
                    moved.append(p)
                    continue
                x, y = pl.fwd(*p)
                q = pl.inv(x + shift[0], y + shift[1])
                moved.append(q if self.inside_with_margin(q[0], q[1], code) else p)
            pts = moved
        coords = [pts[0]]
        idx = [0]
        for a, b in zip(pts, pts[1:]):
            coords.extend(self.wiggle(a, b, code, rng, amp))
            idx.append(len(coords) - 1)
        return coords, idx

    def walk(self, start, length_km, region, code, rng, step_km=0.45, bearing=None, turn=35.0):
        """A wandering line from start, about length_km long, that stops before leaving region
        (a polygon) or the county's margin."""
        pl = self.counties[code]["plane"]
        x, y = pl.fwd(*start)
        b = rng.uniform(0, 360) if bearing is None else bearing
        pts = [start]
        done = 0.0
        tries = 0
        while done + 1e-9 < length_km and tries < 400:
            tries += 1
            s = min(step_km, length_km - done)
            nb = b + rng.uniform(-turn, turn)
            a = math.radians(nb)
            nx, ny = x + s * math.sin(a), y + s * math.cos(a)
            ll = pl.inv(nx, ny)
            if point_in_geom(ll[0], ll[1], region) and self.inside_with_margin(ll[0], ll[1], code):
                x, y, b = nx, ny, nb
                pts.append(ll)
                done += s
            else:
                b += rng.uniform(60, 120) * (1 if rng.random() < 0.5 else -1)
        return pts

    def blob(self, centre, area_km2, code, rng, nverts=14, aspect=1.0, rot=None):
        """A rounded irregular polygon of about area_km2 around centre (before any clipping)."""
        pl = self.counties[code]["plane"]
        cx, cy = pl.fwd(*centre)
        rot = rng.uniform(0, math.pi) if rot is None else rot
        radii = [1.0 + rng.uniform(-0.18, 0.18) for _ in range(nverts)]
        # area of the star polygon with unit base radius, to scale it to the target
        unit = 0.0
        angs = [2 * math.pi * i / nverts for i in range(nverts)]
        pts = []
        for r, a in zip(radii, angs):
            px, py = r * math.cos(a) * aspect, r * math.sin(a) / aspect
            pts.append((px * math.cos(rot) - py * math.sin(rot), px * math.sin(rot) + py * math.cos(rot)))
        for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1]):
            unit += x1 * y2 - x2 * y1
        k = math.sqrt(area_km2 / (abs(unit) / 2))
        ring = [list(pl.inv(cx + k * px, cy + k * py)) for px, py in pts]
        return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}

    def offset(self, p, code, dx_km, dy_km):
        pl = self.counties[code]["plane"]
        x, y = pl.fwd(*p)
        return pl.inv(x + dx_km, y + dy_km)

    def length_km(self, coords, code):
        pl = self.counties[code]["plane"]
        xy = [pl.fwd(*p) for p in coords]
        return sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(xy, xy[1:]))

    def cut(self, coords, code, km):
        """The first km of a line (interpolating the last point)."""
        pl = self.counties[code]["plane"]
        out = [coords[0]]
        done = 0.0
        for a, b in zip(coords, coords[1:]):
            ax, ay = pl.fwd(*a)
            bx, by = pl.fwd(*b)
            seg = math.hypot(bx - ax, by - ay)
            if done + seg >= km:
                t = (km - done) / seg if seg else 0
                out.append(pl.inv(ax + t * (bx - ax), ay + t * (by - ay)))
                return out
            out.append(b)
            done += seg
        return out


def rng_for(*parts):
    return Rng("|".join(str(p) for p in parts))


def out_dir(argv):
    return argv[1] if len(argv) > 1 else DATA


def path_in(folder, name):
    return os.path.join(folder, name)

"""Fixtures for the import tests, made on the spot: GeoJSON written here, every other format
converted from it by ogr2ogr (GDAL's own writers), or written by hand where ogr2ogr cannot say
what field apps and CAD programs write (a GBK DXF with ANSI_936, KML folders, GPX tracks).
Also the public GCJ-02 / BD-09 forward formulas (DOMAIN.md 4.5), written again here from the
published description so the tests do not trust plat's own code to check plat."""
import json
import math
import os
import subprocess
import zipfile


def fc(*features, crs=None):
    d = {"type": "FeatureCollection", "features": list(features)}
    if crs:
        d["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(d, ensure_ascii=False)


def feat(props, geom):
    return {"type": "Feature", "properties": props, "geometry": geom}


def line(*coords):
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}


def point(x, y):
    return {"type": "Point", "coordinates": [x, y]}


def square(lon, lat, d):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d],
                                                [lon, lat]]]}


def bowtie(lon, lat, d):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat + d], [lon + d, lat], [lon, lat + d],
                                                [lon, lat]]]}


def ogr2ogr(dest, src, *options):
    subprocess.run(["ogr2ogr", *options, dest, src], check=True, capture_output=True)
    return dest


def gbk_dxf(path, polylines, codepage="ANSI_936"):
    """A minimal AutoCAD R2000 DXF as Chinese CAD programs write it: GBK text, $DWGCODEPAGE
    ANSI_936, LWPOLYLINE entities on named layers. polylines: [(layer, [(x, y), ...]), ...]."""
    out = ["0", "SECTION", "2", "HEADER", "9", "$ACADVER", "1", "AC1015", "9", "$DWGCODEPAGE", "3", codepage,
           "0", "ENDSEC", "0", "SECTION", "2", "ENTITIES"]
    for layer, pts in polylines:
        out += ["0", "LWPOLYLINE", "8", layer, "90", str(len(pts)), "70", "0"]
        for x, y in pts:
            out += ["10", repr(float(x)), "20", repr(float(y))]
    out += ["0", "ENDSEC", "0", "EOF"]
    with open(path, "wb") as f:
        f.write(("\n".join(out) + "\n").encode("gbk"))
    return path


def kml(path, folders):
    """KML as Google Earth and 奥维 write it: folders of placemarks with ExtendedData.
    folders: {folder_name: [(name, {data}, geometry_xml)]}."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>']
    for folder, marks in folders.items():
        parts.append(f"<Folder><name>{folder}</name>")
        for name, data, geom in marks:
            ext = "".join(f'<Data name="{k}"><value>{v}</value></Data>' for k, v in data.items())
            parts.append(f"<Placemark><name>{name}</name><ExtendedData>{ext}</ExtendedData>{geom}</Placemark>")
        parts.append("</Folder>")
    parts.append("</Document></kml>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(parts))
    return path


def kml_line(coords):
    return "<LineString><coordinates>" + " ".join(f"{x},{y},0" for x, y in coords) + "</coordinates></LineString>"


def kmz(path, kml_path):
    with zipfile.ZipFile(path, "w") as z:
        z.write(kml_path, "doc.kml")
    return path


def gpx(path, tracks=(), routes=(), waypoints=()):
    """GPX 1.1: tracks [(name, [segment, ...])], routes [(name, [(lon, lat), ...])], waypoints [(name, lon, lat)]."""
    p = ['<?xml version="1.0" encoding="UTF-8"?>',
         '<gpx version="1.1" creator="plat-test" xmlns="http://www.topografix.com/GPX/1/1">']
    for name, lon, lat in waypoints:
        p.append(f'<wpt lat="{lat}" lon="{lon}"><name>{name}</name></wpt>')
    for name, pts in routes:
        p.append(f"<rte><name>{name}</name>" + "".join(f'<rtept lat="{y}" lon="{x}"/>' for x, y in pts) + "</rte>")
    for name, segs in tracks:
        p.append(f"<trk><name>{name}</name>")
        for seg in segs:
            p.append("<trkseg>" + "".join(f'<trkpt lat="{y}" lon="{x}"><ele>50</ele></trkpt>' for x, y in seg)
                     + "</trkseg>")
        p.append("</trk>")
    p.append("</gpx>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(p))
    return path


# ---- GCJ-02 / BD-09 forward formulas (DOMAIN.md 4.5, as eviltransform/coordtransform publish them) ----

_A = 6378245.0
_EE = 0.00669342162296594323


def _dlat(x, y):
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _dlon(x, y):
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def gcj02_from_wgs84(lon, lat):
    dlat = _dlat(lon - 105.0, lat - 35.0)
    dlon = _dlon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    m = 1 - _EE * math.sin(rad) ** 2
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (m * math.sqrt(m)) * math.pi)
    dlon = (dlon * 180.0) / (_A / math.sqrt(m) * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


def bd09_from_gcj02(lon, lat):
    xpi = math.pi * 3000.0 / 180.0
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * xpi)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * xpi)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def distance_m(lon1, lat1, lon2, lat2):
    """Great-circle distance (spherical, R = 6371 km): plenty for sub-metre checks."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371000.0 * math.asin(math.sqrt(a))


def cs2cs(src, dst, lon, lat):
    """Project with PROJ's own cs2cs, in traditional GIS order (easting first)."""
    out = subprocess.run(["cs2cs", "-d", "6", src, dst], input=f"{lat} {lon}\n", capture_output=True, text=True,
                         check=True).stdout.split()
    # EPSG:4490 input is lat/lon; the GK CRSs print northing first.
    return float(out[1]), float(out[0])


def patch_dbf(path, old, new):
    """Replace bytes in a .dbf (same length), to make text that no encoding tool would write."""
    assert len(old) == len(new)
    with open(path, "rb") as f:
        data = f.read()
    assert old in data, (old, path)
    with open(path, "wb") as f:
        f.write(data.replace(old, new))


def remove(path):
    if os.path.exists(path):
        os.remove(path)

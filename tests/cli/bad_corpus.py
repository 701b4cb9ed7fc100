"""The bad-input corpus: files that break plat's importers in one way each.

The small files live in tests/bad/ (committed; `python3 tests/cli/bad_corpus.py` writes them
again) and tests/bad/MANIFEST.tsv says, for each, which command reads it and what must happen.
The two big ones (a 10 MB attribute; one broken feature after 100 000 good ones) are written at
test time by write_big(), so they never sit in git.

Everything lies in 平江县 (113.3E 28.7N), inside the seed counties the tests import first."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, "..", "bad")


def _feat(props, geom):
    return {"type": "Feature", "properties": props, "geometry": geom}


def _fc(*features, **extra):
    d = {"type": "FeatureCollection"}
    d.update(extra)
    d["features"] = list(features)
    return d


def _line(*coords):
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}


def _poly(*ring):
    return {"type": "Polygon", "coordinates": [[list(c) for c in ring]]}


def _sq(lon, lat, d):
    return _poly((lon, lat), (lon + d, lat), (lon + d, lat + d), (lon, lat + d), (lon, lat))


def _project(i, geom, **props):
    p = {"code": f"B-{i:03d}", "name": f"坏输入测试{i}", "category": "农村公路"}
    p.update(props)
    return _feat(p, geom)


def _good(i):
    x = 113.30 + i * 0.001
    return _project(i, _line((x, 28.70), (x, 28.71)))


def _township(code, name, geom):
    return _feat({"code": code, "name": name}, geom)


def _write(d, name, data):
    path = os.path.join(d, name)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as f:
        f.write(data)
    return path


def _json(d, name, obj):
    return _write(d, name, json.dumps(obj, ensure_ascii=False, indent=None))


def _ogr(dest, src, *options):
    subprocess.run(["ogr2ogr", *options, dest, src], check=True, capture_output=True)
    for aux in (".qix", ".sbn", ".sbx"):
        base = os.path.splitext(dest)[0]
        if os.path.exists(base + aux):
            os.remove(base + aux)


def _kml(body):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>\n'
            + body + "\n</Document></kml>\n")


def _placemark(name, geom_xml, data=None):
    ext = "".join(f'<Data name="{k}"><value>{v}</value></Data>' for k, v in (data or {}).items())
    return f"<Placemark><name>{name}</name><ExtendedData>{ext}</ExtendedData>{geom_xml}</Placemark>"


def _kml_line(coords):
    return "<LineString><coordinates>" + " ".join(f"{x},{y},0" for x, y in coords) + "</coordinates></LineString>"


def write_small(d):
    """Write every committed file of the corpus into folder d."""
    os.makedirs(d, exist_ok=True)
    good3 = [_good(i) for i in range(3)]

    # ---- GeoJSON: the file itself ----
    text = json.dumps(_fc(*[_good(i) for i in range(5)]), ensure_ascii=False)
    _write(d, "truncated.geojson", text[: len(text) * 2 // 3])
    _write(d, "malformed.geojson", json.dumps(_fc(*good3), ensure_ascii=False).replace('"name": ', '"name" ', 2))
    _write(d, "not_geojson.geojson", '{"type": "Topology", "objects": {}, "arcs": []}\n')
    _write(d, "zero_byte.geojson", b"")
    _json(d, "no_features.geojson", _fc())
    _write(d, "deep_nesting.geojson",
           '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"B-1","name":"深",'
           '"category":"公路"},"geometry":{"type":"Point","coordinates":' + "[" * 100000 + "]" * 100000 + "}}]}")
    _write(d, "binary_garbage.geojson", bytes((i * 7919 + 13) % 256 for i in range(4096)))

    # ---- GeoJSON: coordinates ----
    nan = json.dumps(_fc(_good(0), _project(1, _line((113.31, 28.70), (113.31, 28.71)))), ensure_ascii=False)
    _write(d, "nan_coordinate.geojson", nan.replace("[113.31, 28.71]", "[NaN, 28.71]"))
    _write(d, "inf_coordinate.geojson", nan.replace("[113.31, 28.71]", "[113.31, Infinity]"))
    _write(d, "overflow_coordinate.geojson", nan.replace("[113.31, 28.71]", "[113.31, 1e999]"))
    _json(d, "huge_coordinate.geojson", _fc(_good(0), _project(1, _line((113.31, 28.70), (1e300, 28.71)))))
    _json(d, "latitude_95.geojson", _fc(_good(0), _good(1), _project(2, _line((113.32, 28.70), (113.32, 95.0)))))
    _json(d, "string_coordinate.geojson",
          _fc(_good(0), _project(1, {"type": "LineString", "coordinates": [["113.31", "28.70"], ["x", "y"]]})))
    _json(d, "projected_no_crs.geojson",
          _fc(_project(0, _line((38451140.2, 3176121.7), (38452140.2, 3176121.7)))))
    _json(d, "outside_china.geojson", _fc(_good(0), _project(1, _line((2.35, 48.85), (2.36, 48.86)))))

    # ---- GeoJSON: geometries ----
    _json(d, "self_intersecting.geojson",
          _fc(_good(0), _feat({"code": "B-BOW", "name": "蝴蝶形地块", "category": "高标准农田"},
                             _poly((113.30, 28.70), (113.31, 28.71), (113.31, 28.70), (113.30, 28.71),
                                   (113.30, 28.70)))))
    _json(d, "zero_area.geojson",
          _fc(_good(0), _feat({"code": "B-FLAT", "name": "零面积地块", "category": "高标准农田"},
                             _poly((113.30, 28.70), (113.31, 28.70), (113.32, 28.70), (113.30, 28.70)))))
    _json(d, "unclosed_ring.geojson",
          _fc(_good(0), _feat({"code": "B-OPEN", "name": "未闭合地块", "category": "高标准农田"},
                             _poly((113.30, 28.70), (113.31, 28.70), (113.31, 28.71), (113.30, 28.71)))))
    _json(d, "two_point_ring.geojson",
          _fc(_good(0), _feat({"code": "B-RING", "name": "两点环", "category": "高标准农田"},
                             _poly((113.30, 28.70), (113.31, 28.70)))))
    _json(d, "one_point_line.geojson", _fc(_good(0), _project(1, {"type": "LineString",
                                                                  "coordinates": [[113.31, 28.70]]})))
    _json(d, "empty_collection.geojson",
          _fc(_feat({"code": "B-GC0", "name": "空集合", "category": "公路"},
                    {"type": "GeometryCollection", "geometries": []})))
    _json(d, "nested_collection.geojson",
          _fc(_feat({"code": "B-GC2", "name": "嵌套集合", "category": "公路"},
                    {"type": "GeometryCollection", "geometries": [
                        {"type": "GeometryCollection", "geometries": [
                            _line((113.30, 28.70), (113.31, 28.70)),
                            {"type": "GeometryCollection", "geometries": [{"type": "Point",
                                                                            "coordinates": [113.32, 28.70]}]}]}]})))
    _json(d, "mixed_types_layer.geojson",
          _fc(_feat({"名称": "道路"}, _line((113.30, 28.70), (113.31, 28.70))),
              _feat({"名称": "地块"}, _sq(113.32, 28.70, 0.01)),
              _feat({"名称": "标注"}, {"type": "Point", "coordinates": [113.33, 28.70]})))
    _json(d, "mixed_types_townships.geojson",
          _fc(_township("430626100", "测试镇", _sq(113.30, 28.70, 0.05)),
              _township("430626101", "测试线", _line((113.40, 28.70), (113.45, 28.70)))))

    # ---- GeoJSON: attributes ----
    gbk = json.dumps(_fc(_good(0), _project(1, _line((113.31, 28.70), (113.31, 28.71)), name="GBK编码的名称")),
                     ensure_ascii=False)
    _write(d, "gbk_declared_utf8.geojson", gbk.encode("gbk"))
    _json(d, "sql_injection_name.geojson",
          _fc(_project(0, _line((113.30, 28.70), (113.30, 28.71)), code="'; DROP TABLE projects; --",
                       name="'; DROP TABLE projects; --"),
              _project(1, _line((113.31, 28.70), (113.31, 28.71)), name='Robert"); DELETE FROM meta; --')))
    _json(d, "path_name.geojson",
          _fc(_project(0, _line((113.30, 28.70), (113.30, 28.71)), code="../../etc/passwd", name="../../etc/passwd",
                       source_doc="/etc/shadow")))
    _json(d, "duplicate_codes.geojson", _fc(_good(0), _good(1), _good(2), _good(1)))
    _json(d, "zero_area_township.geojson",
          _fc(_township("430626100", "甲镇", _sq(113.30, 28.70, 0.02)),
              _township("430626101", "扁镇", _poly((113.33, 28.70), (113.35, 28.70), (113.34, 28.70), (113.33, 28.70)))))
    _json(d, "duplicate_township_codes.geojson",
          _fc(_township("430626100", "甲镇", _sq(113.30, 28.70, 0.02)),
              _township("430626100", "乙镇", _sq(113.33, 28.70, 0.02))))
    _json(d, "missing_code.geojson", _fc(_good(0), _feat({"name": "无编号", "category": "公路"},
                                                          _line((113.31, 28.70), (113.31, 28.71)))))
    _json(d, "bad_category.geojson", _fc(_good(0), _project(1, _line((113.31, 28.70), (113.31, 28.71)),
                                                            category="飞船发射场")))
    _json(d, "bad_progress.geojson", _fc(_good(0), _project(1, _line((113.31, 28.70), (113.31, 28.71)),
                                                            进度="一百二十")))

    # ---- Shapefile ----
    tmp = os.path.join(d, ".tmp")
    os.makedirs(tmp, exist_ok=True)
    src = _json(tmp, "src.geojson", _fc(*[_good(i) for i in range(5)]))
    _ogr(os.path.join(d, "truncated.shp"), src, "-lco", "ENCODING=UTF-8")
    with open(os.path.join(d, "truncated.shp"), "r+b") as f:
        f.truncate(os.path.getsize(f.name) - 70)
    _ogr(os.path.join(d, "no_shx.shp"), src, "-lco", "ENCODING=UTF-8")
    os.remove(os.path.join(d, "no_shx.shx"))
    _ogr(os.path.join(d, "no_dbf.shp"), src, "-lco", "ENCODING=UTF-8")
    os.remove(os.path.join(d, "no_dbf.dbf"))
    _write(d, "garbage.shp", bytes((i * 31 + 5) % 256 for i in range(2048)))
    _ogr(os.path.join(d, "bad_prj.shp"), src, "-lco", "ENCODING=UTF-8")
    _write(d, "bad_prj.prj", "PROJCS[\"broken\", GEOGCS[")
    gk = _json(tmp, "gk.geojson", _fc(_project(0, _line((38451140.2, 3176121.7), (38452140.2, 3176121.7)))))
    _ogr(os.path.join(d, "projected_no_prj.shp"), gk, "-lco", "ENCODING=UTF-8")
    os.remove(os.path.join(d, "projected_no_prj.prj"))
    gbk_src = _json(tmp, "gbk.geojson", _fc(_good(0), _project(1, _line((113.31, 28.70), (113.31, 28.71)),
                                                                name="平江县农村公路")))
    _ogr(os.path.join(d, "gbk_no_cpg.shp"), gbk_src, "-lco", "ENCODING=CP936")
    os.remove(os.path.join(d, "gbk_no_cpg.cpg"))
    _ogr(os.path.join(d, "gbk_cpg_says_utf8.shp"), gbk_src, "-lco", "ENCODING=CP936")
    _write(d, "gbk_cpg_says_utf8.cpg", "UTF-8\n")
    towns = _json(tmp, "towns.geojson", _fc(*[_township(f"43062610{i}", f"测试{i}镇", _sq(113.30 + i * 0.03, 28.70, 0.02))
                                            for i in range(3)]))
    _ogr(os.path.join(d, "truncated_township.shp"), towns, "-lco", "ENCODING=UTF-8")
    with open(os.path.join(d, "truncated_township.shp"), "r+b") as f:
        f.truncate(os.path.getsize(f.name) - 60)
    shutil.rmtree(tmp)

    # ---- KML / KMZ ----
    body = "\n".join(_placemark(f"B-{i:03d}", _kml_line([(113.30 + i * 0.001, 28.70), (113.30 + i * 0.001, 28.71)]),
                                {"编号": f"B-{i:03d}", "类别": "农村公路"}) for i in range(5))
    good_kml = _kml("<Folder><name>道路</name>\n" + body + "\n</Folder>")
    _write(d, "truncated.kml", good_kml[: len(good_kml) * 2 // 3])
    _write(d, "malformed.kml", good_kml.replace("</Placemark>", "</Placemarc>", 2))
    _write(d, "bad_coordinates.kml", _kml(_placemark("B-000", _kml_line([(113.30, 28.70), (113.30, 28.71)]),
                                                     {"编号": "B-000", "类别": "农村公路"}) + "\n" +
                                          _placemark("B-001", "<LineString><coordinates>abc,def,0 113.3,95,0"
                                                              "</coordinates></LineString>",
                                                     {"编号": "B-001", "类别": "农村公路"})))
    _write(d, "gbk_declared_utf8.kml", good_kml.replace("道路", "平江县道路").encode("gbk"))
    _write(d, "empty_document.kml", _kml("<Folder><name>空</name></Folder>"))
    _write(d, "not_a_zip.kmz", "this is not a zip archive\n")
    with zipfile.ZipFile(os.path.join(d, "empty_archive.kmz"), "w") as z:
        z.writestr("readme.txt", "no doc.kml in here\n")
    kmz = os.path.join(d, "truncated.kmz")
    with zipfile.ZipFile(kmz, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", good_kml * 20)
    with open(kmz, "r+b") as f:
        f.truncate(os.path.getsize(kmz) // 2)

    # ---- CSV ----
    _write(d, "bad_wkt.csv", "WKT,code,name,category\n"
                             '"LINESTRING(113.30 28.70, 113.30 28.71)",B-000,好,农村公路\n'
                             '"LINESTRING(113.31 28.70, 113.31",B-001,坏,农村公路\n')
    _write(d, "non_numeric_lonlat.csv", "lon,lat,code,name,category\n113.30,28.70,B-000,好,学校\n东经,北纬,B-001,坏,学校\n")
    _write(d, "nan_lonlat.csv", "lon,lat,code,name,category\n113.30,28.70,B-000,好,学校\nnan,28.70,B-001,坏,学校\n")
    _write(d, "inf_lonlat.csv", "lon,lat,code,name,category\n113.30,28.70,B-000,好,学校\n113.31,inf,B-001,坏,学校\n")
    _write(d, "latitude_95.csv", "lon,lat,code,name,category\n113.30,28.70,B-000,好,学校\n113.31,95,B-001,坏,学校\n")
    _write(d, "unterminated_quote.csv", 'lon,lat,code,name,category\n113.30,28.70,B-000,"好,学校\n113.31,28.70,B-001,坏,学校\n')
    _write(d, "header_only.csv", "lon,lat,code,name,category\n")
    _write(d, "zero_byte.csv", b"")
    _write(d, "gbk_declared_utf8.csv",
           "lon,lat,code,name,category\n113.30,28.70,B-000,平江县学校,学校\n".encode("gbk"))
    _write(d, "projected_no_crs.csv", "x,y,code,name,category\n38451140.2,3176121.7,B-000,学校,学校\n")


BIG_TEXT_CHARS = 10 * 1024 * 1024 // 3 + 1  # 长 is 3 bytes in UTF-8: 10 MB of text


def write_big(d):
    """Write the big files into folder d: a 10 MB attribute as GeoJSON and as GeoPackage, and a
    GeoJSON of 100 000 good lines and one broken one. Returns {name: path}."""
    paths = {}
    paths["big_attribute.geojson"] = p = os.path.join(d, "big_attribute.geojson")
    with open(p, "w", encoding="utf-8") as f:
        json.dump(_fc(_good(0), _project(1, _line((113.31, 28.70), (113.31, 28.71)), 备注="长" * BIG_TEXT_CHARS)),
                  f, ensure_ascii=False)
    small = _json(d, "big_attribute_src.geojson", _fc(_good(0), _project(1, _line((113.31, 28.70), (113.31, 28.71)))))
    paths["big_attribute.gpkg"] = p = os.path.join(d, "big_attribute.gpkg")
    # SQLite builds the 10 MB text itself: GeoJSON and CSV readers refuse a value that long.
    _ogr(p, small, "-nln", "projects", "-dialect", "SQLite", "-sql",
         "SELECT code, name, category, CASE WHEN code = 'B-001' THEN replace(hex(zeroblob(%d)), '00', '长') "
         "ELSE '短' END AS 备注, geometry FROM big_attribute_src" % BIG_TEXT_CHARS)
    os.remove(small)
    paths["broken_after_100000.geojson"] = p = os.path.join(d, "broken_after_100000.geojson")
    with open(p, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for i in range(100000):
            x = 113.2 + (i % 400) * 0.0005
            y = 28.6 + (i // 400) * 0.0005
            f.write('{"type":"Feature","properties":{"code":"T-%06d","name":"路%d","category":"农村公路"},'
                    '"geometry":{"type":"LineString","coordinates":[[%.4f,%.4f],[%.4f,%.4f]]}},\n'
                    % (i, i, x, y, x + 0.0002, y))
        f.write('{"type":"Feature","properties":{"code":"T-BROKEN","name":"坏","category":"农村公路"},'
                '"geometry":{"type":"LineString","coordinates":[[113.3,28.7],[113.3,95.0]]}}\n]}\n')
    return paths


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else BAD
    write_small(out)

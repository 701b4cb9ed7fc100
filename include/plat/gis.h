/* plat/gis.h - geometry and measurement: CRS and transforms (PROJ), Chinese map offsets
 * (GCJ-02, BD-09), ellipsoidal length and area, GEOS helpers, the township index.
 *
 * gis/ knows nothing of SQL or files. Geometries cross module borders as GEOS geometries
 * (inside plat) or as ISO WKB (to and from the store). Coordinates are always x = easting or
 * longitude, y = northing or latitude, whatever axis order the EPSG definition states. */
#ifndef PLAT_GIS_H
#define PLAT_GIS_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "common.h"

/* CGCS2000 geographic 2D, the CRS of longitude/latitude input by default. */
#define PLAT_EPSG_CGCS2000 4490

/* ---- GEOS handle and helpers (gis/geos.c) ---- */

/** The GEOS handle of ctx, created on first use and freed with the context. NULL only when
 * out of memory. GEOS errors are recorded on ctx. */
PLAT_API GEOSContextHandle_t plat_gis_geos(plat_ctx *ctx);

/** Parse a geometry written as WKT or GeoJSON (a geometry, a Feature, or a FeatureCollection
 * whose features are collected into one geometry). Leading/trailing blanks are ignored.
 * @param[out] out  new geometry; caller frees with GEOSGeom_destroy_r(plat_gis_geos(ctx), g)
 * @return 0 or PLAT_EINVALID with a message naming what could not be read */
PLAT_API int plat_geom_parse(plat_ctx *ctx, GEOSGeometry **out, const char *text);
/** Read ISO WKB (2D; Z/M dropped). @param[out] out new geometry, caller destroys.
 * @return 0 or PLAT_EINVALID */
PLAT_API int plat_geom_from_wkb(plat_ctx *ctx, GEOSGeometry **out, const unsigned char *wkb, size_t size);
/** Write 2D ISO WKB. @param[out] out new buffer, caller frees with plat_free. @return 0 or < 0 */
PLAT_API int plat_geom_to_wkb(plat_ctx *ctx, unsigned char **out, size_t *size, const GEOSGeometry *g);
/** WKT with at most `decimals` decimals. @param[out] out new string, free with plat_free. */
PLAT_API int plat_geom_to_wkt(plat_ctx *ctx, char **out, const GEOSGeometry *g, int decimals);
/** Is g valid as GEOSisValid says? Lines and polygons of one small ring are answered by an
 * exact test of their own (gis/valid.c), anything it cannot decide by GEOS.
 * @return 1 valid, 0 invalid, or < 0 when GEOS fails (recorded) */
PLAT_API int plat_geom_is_valid(plat_ctx *ctx, const GEOSGeometry *g);
/** Make *g valid. If it was invalid, *g is replaced by a repaired geometry (the old one is
 * destroyed), *repaired is set to 1 and `why` (if not NULL, size n) says what was wrong.
 * @return 0, or PLAT_EINVALID if it cannot be repaired or is empty after repair */
PLAT_API int plat_geom_make_valid(plat_ctx *ctx, GEOSGeometry **g, int *repaired, char *why, size_t n);
/** Check every coordinate is finite and, when geographic is set, within lon [-180,180] and
 * lat [-90,90]. @return 0 or PLAT_EINVALID naming the first bad coordinate */
PLAT_API int plat_geom_check_coords(plat_ctx *ctx, const GEOSGeometry *g, int geographic);

/* What kinds of parts a geometry has, as a bit set. */
enum { PLAT_GEOM_POINT = 1, PLAT_GEOM_LINE = 2, PLAT_GEOM_POLYGON = 4 };
/** The PLAT_GEOM_* bits of g's parts (0 for empty). Cannot fail. */
PLAT_API int plat_geom_kinds(plat_ctx *ctx, const GEOSGeometry *g);

/* ---- CRS and transforms (gis/crs.c) ---- */

/** EPSG code of the CGCS2000 3-degree Gauss-Kruger zone without zone prefix
 * (EPSG:4534..4554) whose central meridian is nearest to lon. 0 outside 73.5..136.5 E. */
PLAT_API int plat_crs_gk_zone_for_lon(double lon);
/** Central meridian in degrees of a CGCS2000 3-degree GK EPSG code (4513..4554), or
 * NAN for any other code. Cannot fail. */
PLAT_API double plat_crs_gk_central_meridian(int epsg);
/** False easting in metres of the same codes (500000, or the zone number times 10^6 plus
 * 500000 for 4513..4533), or NAN for any other code. Cannot fail. */
PLAT_API double plat_crs_gk_false_easting(int epsg);
/** 1 if PROJ knows EPSG:epsg as a projected CRS in metres, else 0 (records why on ctx). */
PLAT_API int plat_crs_is_metric_projected(plat_ctx *ctx, int epsg);
/** Parse "EPSG:N" (or a bare number) into N. @return 0 or PLAT_EINVALID. */
PLAT_API int plat_crs_parse_epsg(plat_ctx *ctx, int *epsg, const char *text);

/* A transform from a source SRS to a target EPSG CRS, with traditional GIS axis order
 * (x = easting/longitude) on both sides. The source is anything PROJ accepts ("EPSG:4490",
 * WKT, PROJ strings), "@FILE" or a path ending in .prj (its WKT is read), or "GCJ02" / "BD09"
 * for longitude/latitude picked from AMap/Tencent or Baidu maps: those are first moved back
 * to CGCS2000 longitude/latitude (iterative inverse of the public formulas, < 1 mm). */
typedef struct plat_transform plat_transform;

/** @param[out] out  new transform; caller frees with plat_transform_free() before the context
 * @return 0, PLAT_EINVALID when PROJ cannot make sense of src or the target, or
 *         PLAT_ENOTFOUND / PLAT_EIO when a .prj or @FILE cannot be read */
PLAT_API int plat_transform_new(plat_ctx *ctx, plat_transform **out, const char *src_srs, int dst_epsg);
/** Same, with the source given as an OGC WKT string (e.g. from a file's own SRS). */
PLAT_API int plat_transform_new_wkt(plat_ctx *ctx, plat_transform **out, const char *src_wkt, int dst_epsg);
/** 1 if the source CRS is geographic (degrees), else 0. Cannot fail. */
PLAT_API int plat_transform_src_is_geographic(const plat_transform *t);
/** Transform g into a new geometry in the target CRS.
 * @param[out] out new geometry, caller destroys. @return 0 or PLAT_EINVALID (a coordinate
 * PROJ cannot transform, named in the message) */
PLAT_API int plat_transform_geom(plat_transform *t, GEOSGeometry **out, const GEOSGeometry *g);
/** Transform one point in place. @return 0 or PLAT_EINVALID. */
PLAT_API int plat_transform_point(plat_transform *t, double *x, double *y);
/** 1 when the source CRS is the target CRS: every finite coordinate passes unchanged. */
PLAT_API int plat_transform_is_identity(const plat_transform *t);
/** NULL is a no-op. */
PLAT_API void plat_transform_free(plat_transform *t);

/* ---- GCJ-02 / BD-09 (gis/gcj02.c): public formulas, see DOMAIN.md 4.5 ---- */

/** CGCS2000/WGS 84 longitude/latitude to GCJ-02. Outside China's box it returns the input. */
PLAT_API void plat_gcj02_from_wgs84(double lon, double lat, double *glon, double *glat);
/** GCJ-02 to WGS 84 by fixed-point iteration (error < 1e-9 degree). */
PLAT_API void plat_gcj02_to_wgs84(double glon, double glat, double *lon, double *lat);
/** GCJ-02 to BD-09 and back (the back direction iterated to < 1e-9 degree). */
PLAT_API void plat_bd09_from_gcj02(double glon, double glat, double *blon, double *blat);
PLAT_API void plat_bd09_to_gcj02(double blon, double blat, double *glon, double *glat);

/* ---- Measurement (gis/measure.c) ---- */

/* How plat measures, DESIGN.md "Measurement":
 * - length: the sum, over segments, of the geodesic distance on the CGCS2000 ellipsoid between
 *   the segment's ends (inverse-projected from the working CRS), by PROJ's geodesic routines;
 * - area: the ellipsoidal area of the polygon whose edges are straight in the Gauss-Kruger
 *   plane of the working CRS, by the trapezoid series of 国土调查办发〔2008〕32号 on the CGCS2000
 *   ellipsoid (edges longer than 100 m are divided in the plane first);
 * - planar: length and area in the working CRS as they are. */
typedef struct plat_measure plat_measure;

typedef struct plat_quantity {
    double length_m; /* lines (and nothing else) */
    double area_m2;  /* polygons (and nothing else) */
    int points;      /* number of points */
} plat_quantity;

#define PLAT_M2_PER_MU (10000.0 / 15.0) /* 1 亩 = 10000/15 m2 */

/** A measurer for geometries in the working CRS EPSG:working_epsg. One thread only.
 * @param planar  non-zero: measure in the plane of the working CRS
 * @param[out] out new measurer bound to ctx; caller frees with plat_measure_free() before ctx
 * @return 0 or PLAT_EINVALID when the CRS is not a projected CRS in metres known to PROJ */
PLAT_API int plat_measure_new(plat_ctx *ctx, plat_measure **out, int working_epsg, int planar);
/** Measure g (in the working CRS). Sums every part by kind. @return 0 or < 0. */
PLAT_API int plat_measure_geom(plat_measure *m, plat_quantity *out, const GEOSGeometry *g);
/** NULL is a no-op. */
PLAT_API void plat_measure_free(plat_measure *m);

/* ---- Township index (gis/index.c): which townships a geometry touches, and how much of it
 * lies in each. An STRtree over prepared township polygons. ---- */
typedef struct plat_zones plat_zones;

/** @param[out] out new empty index; caller frees with plat_zones_free(). */
PLAT_API int plat_zones_new(plat_ctx *ctx, plat_zones **out);
/** Add a zone; the index takes ownership of geom (a polygon or multipolygon), also when it
 * fails (geom is then destroyed). @return the zone's index (0, 1, ...) or a negative code.
 * Not after the first query. */
PLAT_API int plat_zones_add(plat_zones *z, GEOSGeometry *geom);
/** Number of zones. */
PLAT_API int plat_zones_count(const plat_zones *z);
/** The zone's geometry (borrowed, valid while z lives). */
PLAT_API const GEOSGeometry *plat_zones_geom(const plat_zones *z, int i);
/** The zones g lies in, in ascending order: those where the part of g inside the zone has
 * positive length or area (a polygon sharing only an edge, or a line meeting the border at a
 * point, is not in); a point counts in every zone it is inside or on the boundary of. A line
 * running along a shared border is in both zones.
 * @param[out] idx new array, caller frees with plat_free; *n its length. */
PLAT_API int plat_zones_touching(plat_zones *z, int **idx, int *n, const GEOSGeometry *g);
/** Measure the part of g inside zone i. @return 0 or < 0. */
PLAT_API int plat_zones_measure_in(plat_zones *z, plat_quantity *out, int i, const GEOSGeometry *g,
                                   plat_measure *m);
/** NULL is a no-op. */
PLAT_API void plat_zones_free(plat_zones *z);

#endif

/* gis/gis_int.h - what the files of gis/ share with each other (and with their unit tests),
 * not part of the public API.
 *
 * Foreign errors are turned into plat errors at the call site by one helper per library:
 * plat_gis__geos_err() appends the last GEOS message, plat_gis__proj_err() the PROJ one. */
#ifndef PLAT_GIS_INT_H
#define PLAT_GIS_INT_H

#include <stddef.h>

#include <proj.h>

#include "plat/gis.h"

/* ---- geos.c ---- */

/** Record `code` on ctx as "<what>: <last GEOS error message>". @return code. */
int plat_gis__geos_err(plat_ctx *ctx, int code, const char *what);
/** A GEOS char predicate (0 false, 1 true, 2 exception) as 1 / 0 / PLAT_EINTERNAL (recorded
 * with `what`). The one place that knows GEOS's "2 means exception". */
int plat_gis__pred(plat_ctx *ctx, char r, const char *what);

/* ---- wkb.c ---- */

/** g as 2D ISO WKB, little-endian, the bytes GEOS's WKBWriter writes, into a new buffer
 * (*out, plat_free). @return 1 written, 0 when g has an empty part or is a lone linear ring
 * (nothing written: let GEOS write it), or PLAT_ENOMEM (not recorded) */
int plat_gis__wkb_write(GEOSContextHandle_t h, unsigned char **out, size_t *size, const GEOSGeometry *g);
/** The geometry of little-endian 2D ISO WKB (types 1-7, no empty part, no bytes left over),
 * as GEOS's reader would make it; NULL for anything else, which is then GEOS's to read or to
 * refuse (nothing recorded). The geometry is the caller's. */
GEOSGeometry *plat_gis__wkb_read(GEOSContextHandle_t h, const unsigned char *wkb, size_t size);

/* ---- valid.c ---- */

/* Distinct vertices of the largest ring the exact test takes on; larger ones go to GEOS. */
#define PLAT_VALID_FAST_MAX 32
/** 1 when the ring of n points xy (x y x y ..., the last repeating the first) is certainly a
 * valid polygon shell: closed, finite, at least three distinct vertices, simple. 0 when that
 * cannot be said exactly (GEOS must decide; the ring may well be valid). Cannot fail. */
int plat_gis__ring_valid_fast(const double *xy, size_t n);
/** 1 when g is certainly valid by the exact test (a line, lines, or a polygon of one small
 * ring); 0 when GEOS must decide. Cannot fail. */
int plat_gis__valid_fast(GEOSContextHandle_t h, const GEOSGeometry *g);

/* ---- crs.c ---- */

/** The PROJ context of ctx, created on first use and destroyed with ctx (so every PJ made
 * with it must be destroyed before plat_ctx_free). NULL only when out of memory. */
PJ_CONTEXT *plat_gis__proj(plat_ctx *ctx);
/** Record `code` as "<what>: <PROJ errno string>[: <last PROJ log line>]". @return code. */
int plat_gis__proj_err(plat_ctx *ctx, int code, const char *what);
/** A coordinate operation from the CRS `src_def` (anything proj_create takes) to EPSG:dst,
 * normalised for visualisation so that x is easting/longitude on both sides.
 * @param[out] out new PJ (proj_destroy); @param[out] src_geographic may be NULL
 * @param[out] same may be NULL; set to 1 when the source CRS is the target CRS (the
 *             operation changes no coordinate)
 * @return 0 or PLAT_EINVALID (recorded, naming `label`, or src_def when label is NULL) */
int plat_gis__op_new(plat_ctx *ctx, PJ **out, int *src_geographic, int *same, const char *src_def,
                     const char *label, int dst_epsg);

/* ---- measure.c: the 32号 trapezoid series on the CGCS2000 ellipsoid ---- */

/** Area in m2 of the ellipsoidal quadrangle between parallels lat1 and lat2 and two meridians
 * dlon apart (all in degrees; signed like dlon * (lat2 - lat1)), by formula (2) of
 * 国土调查办发〔2008〕32号 on the CGCS2000 ellipsoid. Cannot fail. */
double plat_gis__quad_area(double lat1, double lat2, double dlon);
/** Area in m2 (positive) of a ring given by n longitude/latitude vertices in degrees, closed or
 * not, as the sum of the 32号 strips between each edge and the meridian of the first vertex.
 * Edges are taken as short (the caller densifies); no allocation. Cannot fail. */
double plat_gis__ring_area_lonlat(const double *lon, const double *lat, size_t n);

/* ---- clip.c: a small feature clipped to a zone without a GEOS overlay ---- */

/** A zone's boundary segments bucketed by cell, for plat_gis__edges_clip; read-only once
 * built. */
typedef struct plat_gis__edges plat_gis__edges;
/** What a clip works in, reused from feature to feature: one per thread. */
typedef struct plat_gis__clip_scratch plat_gis__clip_scratch;
/** The index of a polygonal zone (copies its coordinates; zone is not kept). NULL when zone is
 * not a Polygon or MultiPolygon of proper rings, or out of memory: then there is no fast clip
 * for that zone. Free with plat_gis__edges_free. */
plat_gis__edges *plat_gis__edges_new(GEOSContextHandle_t h, const GEOSGeometry *zone);
void plat_gis__edges_free(plat_gis__edges *z);
/** New scratch (plat_gis__clip_scratch_free), or NULL when out of memory. */
plat_gis__clip_scratch *plat_gis__clip_scratch_new(void);
void plat_gis__clip_scratch_free(plat_gis__clip_scratch *k);
/** What plat_gis__edges_clip found (or -1: out of memory). */
enum {
    PLAT_GIS__CLIP_UNSURE = 0,  /* not such a feature, or something degenerate or uncertain: ask GEOS */
    PLAT_GIS__CLIP_CUT = 1,     /* g crosses the zone's boundary: *out is the intersection */
    PLAT_GIS__CLIP_INSIDE = 2,  /* g lies in the zone's interior, away from its boundary */
    PLAT_GIS__CLIP_OUTSIDE = 3  /* g is disjoint from the zone, away from its boundary */
};
/** g (a LineString, or a Polygon of one ring of at most 64 vertices) intersected with the zone,
 * built from the crossings of g's edges with the zone's, when every crossing is proper and far
 * from every vertex, and no zone ring near g is left uncrossed; or, when g crosses none and
 * comes near none, whether it lies inside or outside (not when a hole's ring is near g).
 * @param[out] out new geometry (caller destroys): a (Multi)LineString or (Multi)Polygon, set
 *             only with PLAT_GIS__CLIP_CUT
 * @return a PLAT_GIS__CLIP_ code; -1 out of memory. z or k may be NULL (UNSURE). */
int plat_gis__edges_clip(GEOSContextHandle_t h, const plat_gis__edges *z, plat_gis__clip_scratch *k,
                         const GEOSGeometry *g, GEOSGeometry **out);
/** After plat_gis__edges_clip cut a LineString: its runs inside the zone, in order along it, as
 * 2 * *nruns positions (start, end of each; a position is a vertex index plus the fraction of
 * the segment that follows it). NULL with *nruns 0 after anything else. Borrowed from k, valid
 * until its next clip. Two cuts of one line (not running over itself) in two zones share
 * length exactly where their runs overlap. */
const double *plat_gis__clip_runs(const plat_gis__clip_scratch *k, int *nruns);

#endif

/* plat/query.h - spatial questions about the ledger and checks of its projects.
 *
 * - plat_query_compute: which projects lie in a township, within a distance of a geometry or
 *   of another project, or meet a reference layer (`plat query`);
 * - plat_targets_compute: each project's declared target (21km, 20.8万亩) against what its
 *   geometry measures (`plat check targets`);
 * - plat_conflicts_compute: how much of each project overlaps a protected reference layer
 *   such as basic_farmland or eco_redline, and in which townships (`plat check conflicts`).
 *
 * All three only read the ledger. They measure as DESIGN.md "Measurement" says: on the
 * CGCS2000 ellipsoid by default, in the working CRS with `planar`.
 *
 * Distances. The shortest distance between two geometries is found in the working
 * Gauss-Kruger plane (GEOS), and the segment joining the two nearest points is then measured
 * like any line: the geodesic length on the CGCS2000 ellipsoid between its ends. So a
 * distance is the true length of the plane's shortest connection; it differs from the planar
 * figure by the GK scale (up to +0.03 % 1.5 degrees from the central meridian) and from the
 * very shortest geodesic connection by far less than a metre at county scale. With `planar`
 * the planar GEOS distance is reported as it is. */
#ifndef PLAT_QUERY_H
#define PLAT_QUERY_H

#include "common.h"
#include "gis.h"
#include "locate.h"
#include "store.h"
#include "units.h"

/** Parse a distance as typed on a command line: "5km", "500m", "2公里", or a bare number of
 * metres ("750"). @return 0 and *metres, or PLAT_EINVALID (recorded) for anything else,
 * including negative distances and units that are not lengths. */
PLAT_API int plat_distance_parse(plat_ctx *ctx, double *metres, const char *text);

/* ---- plat query ---- */

typedef struct plat_query_options {
    int version;
    const char *township;   /* township or county, by name or code (plat_locator_find); NULL: any */
    const char *category;   /* a category code (plat_category_resolve); NULL: any */
    const char *status;     /* a status code (plat_status_resolve); NULL: any */
    double within_m;        /* < 0: no distance filter; else keep projects at most this far from `of` */
    const char *of_geom;    /* the place to measure from: WKT or GeoJSON text, or @FILE ... */
    const char *of_srs;     /* ... in this SRS (NULL: CGCS2000 lon/lat, EPSG:4490; GCJ02, BD09) */
    const char *of_project; /* ... or the geometry of this project (excluded from the rows) */
    const char *layer;      /* keep projects whose geometry intersects this reference layer; NULL: any */
    int planar;             /* measure in the working CRS instead of on the ellipsoid */
} plat_query_options;
#define PLAT_QUERY_OPTIONS_INIT { 1, NULL, NULL, NULL, -1.0, NULL, NULL, NULL, NULL, 0 }

typedef struct plat_query_row {
    plat_project project;   /* the project as stored, geometry included */
    plat_placement place;   /* the townships it lies in with the part inside each, and its whole
                             * measure, as kept with the ledger (the rules of `plat coverage`);
                             * places[i].township is -1, the strings belong to the result */
    plat_quantity inside;   /* with a township filter: the part inside the chosen townships */
    double distance_m;      /* with a distance filter: distance to `of` (see the essay), else -1 */
    int has_overlap;        /* with a layer: 1, and overlap holds the part of the project that
                             * lies in the layer (its own kinds only: km of a line, m2 of a polygon) */
    plat_quantity overlap;
} plat_query_row;

typedef struct plat_query plat_query;

/** Find the projects matching every filter given (they combine with AND). The township filter
 * is the store's (the places kept with the ledger); the projects' spatial index narrows the
 * candidates of the others (the reference geometry's extent widened by the distance, the
 * layer's extent), so projects far away are never read.
 * A project "intersects" a layer when its geometry and some feature of the layer share at
 * least a point (GEOS intersects); the overlap reported may then be 0.
 * Rows are ordered by distance, then code, with a distance filter; by code otherwise.
 * @param[out] out new result; caller frees with plat_query_free()
 * @return 0, PLAT_ENOTFOUND (unknown township, layer or project), PLAT_EINVALID (unreadable
 *         geometry, a reference project without geometry, a distance without a place or a
 *         place without a distance), or another negative PLAT_E* code */
PLAT_API int plat_query_compute(plat_store *db, plat_query **out, const plat_query_options *opts);
/** Number of rows. Cannot fail. */
PLAT_API size_t plat_query_count(const plat_query *q);
/** Row i (borrowed, valid until plat_query_free), NULL when i is out of range. */
PLAT_API const plat_query_row *plat_query_row_at(const plat_query *q, size_t i);
/** NULL is a no-op. */
PLAT_API void plat_query_free(plat_query *q);

/* ---- plat check targets ---- */

/* What a target check found for one project. */
enum {
    PLAT_TARGET_OK = 0,         /* measured within the tolerance of the target */
    PLAT_TARGET_MISMATCH = 1,   /* measured outside the tolerance */
    PLAT_TARGET_UNMEASURABLE = 2, /* the unit is not a length or an area (berth, MW), or the
                                   * geometry has no part of the unit's kind (a km target on a point) */
    PLAT_TARGET_NO_GEOMETRY = 3   /* a length or area target on a project without geometry */
};

typedef struct plat_targets_options {
    int version;
    double tolerance_pct;   /* allowed |difference| in percent of the target (default 10) */
    const char *category;   /* a category code; NULL: any */
    const char *status;     /* a status code; NULL: any */
    int planar;             /* measure in the working CRS instead of on the ellipsoid */
    const char *as_of;      /* YYYY-MM-DD: the projects as they stood at the end of that day */
    const char *as_recorded;/* YYYY-MM-DD: as the ledger said when read that day */
} plat_targets_options;
#define PLAT_TARGETS_OPTIONS_INIT { 1, 10.0, NULL, NULL, 0, NULL, NULL }

typedef struct plat_target_row {
    int verdict;             /* PLAT_TARGET_* */
    plat_project project;    /* as stored, without its geometry (wkb is NULL) */
    plat_unit unit;          /* the target's unit: kind and factor (plat_unit_lookup) */
    int kinds;               /* PLAT_GEOM_* bits of the geometry, 0 without */
    plat_quantity measured;  /* the whole geometry */
    double measured_in_unit; /* the measure of the unit's kind divided by the unit's factor */
    double difference_pct;   /* 100 (measured - target) / target; NAN for a target of 0 */
    const char *reason;      /* why it is unmeasurable (static text), NULL otherwise */
} plat_target_row;

typedef struct plat_targets plat_targets;

/** Compare every project's declared target with its measured geometry. Projects without a
 * target are counted (plat_targets_without) but not listed. Rows are ordered by verdict;
 * mismatches by |difference| (largest first), everything else by code.
 * @param[out] out new result; caller frees with plat_targets_free()
 * @return 0, PLAT_EINVALID (a negative tolerance, an unreadable stored geometry), or < 0 */
PLAT_API int plat_targets_compute(plat_store *db, plat_targets **out, const plat_targets_options *opts);
PLAT_API size_t plat_targets_count(const plat_targets *t);
/** Row i (borrowed, valid until plat_targets_free), NULL when out of range. */
PLAT_API const plat_target_row *plat_targets_row_at(const plat_targets *t, size_t i);
/** Number of projects checked that have no target. Cannot fail. */
PLAT_API size_t plat_targets_without(const plat_targets *t);
/** NULL is a no-op. */
PLAT_API void plat_targets_free(plat_targets *t);

/* ---- plat check conflicts ---- */

typedef struct plat_conflicts_options {
    int version;
    const char *layer;      /* the protected reference layer, required */
    const char *category;   /* a category code; NULL: any */
    const char *status;     /* a status code; NULL: any */
    int planar;             /* measure in the working CRS instead of on the ellipsoid */
    const char *as_of;      /* YYYY-MM-DD: the projects as they stood at the end of that day */
    const char *as_recorded;/* YYYY-MM-DD: as the ledger said when read that day */
} plat_conflicts_options;
#define PLAT_CONFLICTS_OPTIONS_INIT { 1, NULL, NULL, NULL, 0, NULL, NULL }

typedef struct plat_conflict_row {
    plat_project project;    /* as stored, without its geometry (wkb is NULL) */
    int kinds;               /* PLAT_GEOM_* bits of the project's geometry */
    plat_quantity total;     /* the project's whole measure */
    plat_quantity overlap;   /* the part inside the layer, of the project's own kinds; layer
                              * features that overlap each other count once */
    double share;            /* overlap / total, by area for polygons, else length, else points */
    plat_placement place;    /* townships the overlap lies in, with the overlap inside each */
} plat_conflict_row;

typedef struct plat_conflicts plat_conflicts;

/** Measure each project's overlap with a reference layer. Only projects whose overlap is
 * positive (some area of a polygon project, some length of a line project, a point inside or
 * on the layer) are listed, largest overlap first (area, then length, then points, then code).
 * @param[out] out new result; caller frees with plat_conflicts_free()
 * @return 0, PLAT_ENOTFOUND (no such layer), PLAT_EINVALID (no layer given, an unreadable
 *         geometry), or < 0 */
PLAT_API int plat_conflicts_compute(plat_store *db, plat_conflicts **out, const plat_conflicts_options *opts);
PLAT_API size_t plat_conflicts_count(const plat_conflicts *c);
/** Row i (borrowed, valid until plat_conflicts_free), NULL when out of range. */
PLAT_API const plat_conflict_row *plat_conflicts_row_at(const plat_conflicts *c, size_t i);
/** Number of projects with geometry near the layer that were examined. Cannot fail. */
PLAT_API size_t plat_conflicts_examined(const plat_conflicts *c);
/** The layer's kind ("basic_farmland") and geometry kind ("polygon", NULL while empty);
 * borrowed, valid until plat_conflicts_free. */
PLAT_API const char *plat_conflicts_layer_kind(const plat_conflicts *c);
PLAT_API const char *plat_conflicts_layer_geometry_kind(const plat_conflicts *c);
/** NULL is a no-op. */
PLAT_API void plat_conflicts_free(plat_conflicts *c);

#endif

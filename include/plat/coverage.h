/* plat/coverage.h - what projects (and reference layers) cover in every township.
 *
 * Two levels. gis/coverage.c is the engine: it knows geometries, zones and categories, never
 * the store; it is fed townships, then projects, then the features of each reference layer as
 * a stream, and hands back per-zone sums. layers/coverage_run.c (plat_coverage_compute) feeds
 * it from a ledger and names the rows. */
#ifndef PLAT_COVERAGE_H
#define PLAT_COVERAGE_H

#include "common.h"
#include "gis.h"
#include "store.h"

/* ---- the engine (gis/coverage.c) ---- */

typedef struct plat_cov plat_cov;

typedef struct plat_cov_options {
    int version;
    int working_epsg;   /* CRS of every geometry given to the engine */
    int planar;         /* measure in the working CRS instead of on the ellipsoid */
    int jobs;           /* threads for layer features; 0: as many as there are cores */
    int ncategories;    /* project categories are 0 .. ncategories-1 */
    double tolerance_m; /* a layer line is covered where a covering project line runs within this */
} plat_cov_options;
#define PLAT_COV_OPTIONS_INIT { 1, 0, 0, 0, 1, 30.0 }

/* Sums for one zone, one category. */
typedef struct plat_cov_sum {
    int projects;       /* distinct projects with a part inside */
    double line_m;      /* project lines clipped to the zone */
    double area_m2;     /* project polygons clipped to the zone, unioned (overlaps count once) */
    int points;         /* project points inside the zone */
} plat_cov_sum;

/* One reference layer in one zone. */
typedef struct plat_cov_layer_sum {
    int64_t features;       /* features with a part inside */
    double line_m;          /* the layer's own lines clipped to the zone */
    double area_m2;         /* the layer's own polygons clipped to the zone (summed, not unioned) */
    double covered_line_m;  /* of line_m, within tolerance of a covering project line */
    double covered_area_m2; /* of area_m2, inside a covering project polygon */
} plat_cov_layer_sum;

/** A new engine. @param[out] out caller frees with plat_cov_free() before ctx.
 * @return 0, PLAT_EINVALID (bad options) or PLAT_ENOMEM */
PLAT_API int plat_cov_new(plat_ctx *ctx, plat_cov **out, const plat_cov_options *opts);
/** NULL is a no-op. */
PLAT_API void plat_cov_free(plat_cov *c);

/** Add a zone (township). Takes geom, also on failure. Zones come before any project.
 * @return the zone's index (0, 1, ...) or < 0 */
PLAT_API int plat_cov_add_zone(plat_cov *c, GEOSGeometry *geom);
/** Add a project geometry of a category. Takes geom, also on failure. NULL geom: a project
 * without geometry (counted nowhere). @return the project's index or < 0 */
PLAT_API int plat_cov_add_project(plat_cov *c, GEOSGeometry *geom, int category);
/** Measure every project in every zone: clip, measure, union polygons per zone and category.
 * Call once, after the last project and before any layer. @return 0 or < 0 */
PLAT_API int plat_cov_run_projects(plat_cov *c);

/** Start reference layer number `layer` (0, 1, ... in order). Its lines are covered by the
 * lines of projects whose category has covering[category] set, its polygons by their polygons.
 * @return 0 or < 0 */
PLAT_API int plat_cov_begin_layer(plat_cov *c, const unsigned char *covering);
/** Add one feature of the current layer. Takes geom, also on failure. Features are processed
 * in batches by `jobs` threads; results do not depend on the number of threads.
 * @return 0 or < 0 */
PLAT_API int plat_cov_add_layer_feature(plat_cov *c, GEOSGeometry *geom);
/** Finish the current layer (processes the last batch). @return 0 or < 0 */
PLAT_API int plat_cov_end_layer(plat_cov *c);

/** Number of zones, layers. */
PLAT_API int plat_cov_zone_count(const plat_cov *c);
PLAT_API int plat_cov_layer_count(const plat_cov *c);
/** Give zone z's area (ellipsoidal or planar, as configured) as this engine measured it before
 * (a ledger keeps its townships' areas), so plat_cov_run_projects measures only the zones
 * without one; 0 or NaN: measure it. Before plat_cov_run_projects. @return 0 or PLAT_EINVALID */
PLAT_API int plat_cov_set_zone_area(plat_cov *c, int z, double area_m2);
/** Area of zone z (ellipsoidal or planar as configured). */
PLAT_API double plat_cov_zone_area(const plat_cov *c, int z);
/** Sums of zone z for category cat, or over all categories when cat < 0. z = -1 gives the
 * part outside every zone. Never NULL for valid indexes; borrowed from c. */
PLAT_API const plat_cov_sum *plat_cov_zone_sum(const plat_cov *c, int z, int cat);
/** Sums of layer l in zone z (z = -1: outside every zone). Borrowed from c. */
PLAT_API const plat_cov_layer_sum *plat_cov_layer_zone(const plat_cov *c, int l, int z);
/** The zones project p has a part in, ascending; *n their number (0: outside every zone or
 * without geometry). Borrowed from c. */
PLAT_API const int *plat_cov_project_zones(const plat_cov *c, int p, int *n);
/** Number of parts of project p (one per zone it lies in, then one for what lies outside
 * every zone, if anything does); 0 without geometry. */
PLAT_API int plat_cov_project_nparts(const plat_cov *c, int p);
/** Part k of project p: its zone (-1: outside every zone) and what it measures.
 * @return 0, or PLAT_ENOTFOUND for a bad p or k */
PLAT_API int plat_cov_project_part(const plat_cov *c, int p, int k, int *zone, plat_quantity *q);
/** 1 if project p has a part outside every zone (a line or area beyond the townships, or a
 * point in none), else 0. */
PLAT_API int plat_cov_project_outside(const plat_cov *c, int p);

/* ---- from a ledger (layers/coverage_run.c) ---- */

typedef struct plat_coverage_options {
    int version;
    int by_county;          /* sum townships into their counties */
    const char *category;   /* only projects of this category code */
    const char *status;     /* only projects of this status code */
    const char *const *layers; /* reference layers to measure, NULL-terminated; NULL: none */
    double tolerance_m;     /* see plat_cov_options */
    int planar;
    int jobs;
    const char *as_of;      /* YYYY-MM-DD: the projects as they stood at the end of that day */
    const char *as_recorded;/* YYYY-MM-DD: as the ledger said when read that day */
} plat_coverage_options;
#define PLAT_COVERAGE_OPTIONS_INIT { 1, 0, NULL, NULL, NULL, 30.0, 0, 0, NULL, NULL }

typedef struct plat_coverage_layer {
    const char *name;
    const char *kind;
    plat_cov_layer_sum sum;
} plat_coverage_layer;

typedef struct plat_coverage_row {
    const char *code, *name, *county; /* the township (or county, with by_county) */
    double area_m2;                   /* its area */
    plat_cov_sum all;                 /* every category together */
    plat_cov_sum *by_category;        /* ncategories entries, indexed like categories[] */
    plat_coverage_layer *layers;      /* nlayers entries */
} plat_coverage_row;

typedef struct plat_coverage {
    int planar;
    int ncategories;
    const char **categories;     /* category codes */
    int nlayers;
    char **layer_names, **layer_kinds; /* nlayers each */
    int nrows;
    plat_coverage_row *rows;     /* ordered by county code, then code */
    plat_coverage_row totals;    /* every row together; area_m2 is the townships' sum */
    plat_coverage_row outside;   /* what lies outside every township (area_m2 = 0) */
    int nprojects;               /* projects selected by the filters */
    int noutside_projects;       /* of those, with a part outside every township */
    char **outside_codes;        /* their codes, noutside_projects entries */
    int nunmapped;               /* selected projects known only by township or county */
    plat_project *unmapped;      /* them (code, name, category, precision, place, county,
                                  * target, progress), ordered by code; never in the sums */
} plat_coverage;

/** Compute coverage over the ledger's townships.
 * @param[out] out new result; caller frees with plat_coverage_free()
 * @return 0, PLAT_ENOTFOUND (an unknown layer), PLAT_EINVALID, or another negative code */
PLAT_API int plat_coverage_compute(plat_store *db, plat_coverage **out, const plat_coverage_options *opts);
/** NULL is a no-op. */
PLAT_API void plat_coverage_free(plat_coverage *cov);

#endif

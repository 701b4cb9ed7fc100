/* layers/query_int.h - what query.c, check.c and their helpers share: search boxes, the
 * overlap of a geometry with a reference layer, copying projects. Not part of the public API. */
#ifndef PLAT_QUERY_INT_H
#define PLAT_QUERY_INT_H

#include "plat/query.h"
#include "layers_int.h"

/* An axis-aligned search box in the working CRS; empty when x0 > x1. */
typedef struct plat_box {
    double x0, y0, x1, y1;
} plat_box;

/** The envelope of g, widened by `by` metres on every side. @return 0, or PLAT_EINVALID for an
 * empty geometry. */
int plat_query__box_of(plat_ctx *ctx, plat_box *out, const GEOSGeometry *g, double by);
/** Narrow *b to its intersection with c (it may become empty). Cannot fail. */
void plat_query__box_meet(plat_box *b, const plat_box *c);
/** 1 if b is empty. */
int plat_query__box_empty(const plat_box *b);
/** A rectangle polygon of b as WKB, for the store's spatial filters.
 * @param[out] wkb new buffer (plat_free). @return 0 or < 0 */
int plat_query__box_wkb(plat_ctx *ctx, unsigned char **wkb, size_t *size, const plat_box *b);

/** The extent of a reference layer, read from its spatial index (no geometry is read).
 * @param[out] empty 1 when the layer has no features (then *out is left empty)
 * @return 0, or PLAT_ENOTFOUND naming the layer */
int plat_layer__extent(plat_store *db, plat_box *out, int *empty, const char *name);

/** The codes of the townships `text` stands for (a township's code or name, else a county's
 * name or code: all its townships), sorted by strcmp.
 * @param[out] codes new array of new strings, freed with plat_query__free_codes(); *n its length
 * @return 0, or PLAT_ENOTFOUND naming text */
int plat_query__township_codes(plat_store *db, char ***codes, int *n, const char *text);
void plat_query__free_codes(char **codes, int n);

/** The part of g (prepared as pg) that lies in the layer: every layer feature near g (by the
 * layer's spatial index) that g intersects is clipped to g, the pieces are reduced to the
 * kinds of parts g has (`kinds`, PLAT_GEOM_* bits: stray lines where two polygons touch are no
 * area) and unioned, so features overlapping each other count once.
 * @param[out] out new geometry (GEOSGeom_destroy_r), NULL when no piece of g's kinds remains
 * @param[out] hit 1 when g intersects at least one feature (shares a point), else 0
 * @return 0, PLAT_ENOTFOUND (no such layer), or < 0 (an unreadable feature, a GEOS failure) */
int plat_query__layer_overlap(plat_store *db, GEOSGeometry **out, int *hit, const char *layer,
                              const GEOSGeometry *g, const GEOSPreparedGeometry *pg, int kinds);

/** Copy a project's fields into dst (to be freed with plat_project_dispose); the geometry only
 * when with_geometry is set. @return 0 or PLAT_ENOMEM (recorded; dst then holds nothing). */
int plat_query__project_copy(plat_ctx *ctx, plat_project *dst, const plat_project *src, int with_geometry);

/** Record a failed GEOS call as "what: <the GEOS message>" (the message GEOS's handler left
 * on ctx). @return PLAT_EINTERNAL */
int plat_query__geos_fail(plat_ctx *ctx, const char *what);
/** A GEOS char predicate (2 = exception) as 1 / 0 / PLAT_EINTERNAL (recorded with what). */
int plat_query__pred(plat_ctx *ctx, char r, const char *what);

#endif

/* layers/overlap.c - the helpers `plat query` and `plat check` share: search boxes for the
 * store's spatial filters, the part of a geometry that lies in a reference layer, copies of
 * projects.
 *
 * Overlap with a layer. Layers such as basic farmland (永久基本农田) are many small polygons,
 * and they may overlap each other (two surveys of the same field). The overlap of a project g
 * is therefore the union of the pieces g ∩ f over the features f near g, not their sum:
 *  1. the layer's spatial index gives the features whose envelope meets g's envelope;
 *  2. g is prepared once (by the caller) and tests each of them: most are dropped here;
 *  3. a feature g contains is its own piece (no overlay); otherwise the piece is g ∩ f;
 *  4. each piece keeps only parts of g's kinds: where two polygons share an edge the
 *     intersection has a line, which is no area, and it would wrongly make a polygon project
 *     look like it had length in the layer;
 *  5. the pieces, all inside g and usually few, are unioned: clipping first makes the union
 *     work on small pieces instead of whole layer polygons.
 *
 * Ownership: pieces live in a growable array owned by the overlap state until they are handed
 * to GEOSGeom_createCollection_r (which takes the elements, not the array). The result is the
 * caller's. Boxes are plain values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_int.h"

int plat_query__geos_fail(plat_ctx *ctx, const char *what)
{
    /* GEOS's error handler recorded "GEOS: ..." on ctx; keep it after what we were doing. */
    char geos[512];
    const plat_error *e = plat_error_last(ctx);
    snprintf(geos, sizeof geos, "%s", e->code ? e->msg : "GEOS failed");
    return plat_error_set(ctx, PLAT_EINTERNAL, "%s: %s", what, geos);
}

int plat_query__pred(plat_ctx *ctx, char r, const char *what)
{
    if (r == 0 || r == 1)
        return r;
    return plat_query__geos_fail(ctx, what);
}

/* ---- boxes ---- */

int plat_query__box_of(plat_ctx *ctx, plat_box *out, const GEOSGeometry *g, double by)
{
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    if (GEOSisEmpty_r(h, g) != 0)
        return plat_error_set(ctx, PLAT_EINVALID, "an empty geometry has no extent");
    if (!GEOSGeom_getXMin_r(h, g, &out->x0) || !GEOSGeom_getYMin_r(h, g, &out->y0) ||
        !GEOSGeom_getXMax_r(h, g, &out->x1) || !GEOSGeom_getYMax_r(h, g, &out->y1))
        return plat_query__geos_fail(ctx, "cannot read a geometry's extent");
    out->x0 -= by;
    out->y0 -= by;
    out->x1 += by;
    out->y1 += by;
    return 0;
}

void plat_query__box_meet(plat_box *b, const plat_box *c)
{
    if (c->x0 > b->x0) b->x0 = c->x0;
    if (c->y0 > b->y0) b->y0 = c->y0;
    if (c->x1 < b->x1) b->x1 = c->x1;
    if (c->y1 < b->y1) b->y1 = c->y1;
}

int plat_query__box_empty(const plat_box *b)
{
    return b->x0 > b->x1 || b->y0 > b->y1;
}

int plat_query__box_wkb(plat_ctx *ctx, unsigned char **wkb, size_t *size, const plat_box *b)
{
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    /* A point's or a vertical line's box has no width; the R*Tree rounds its own bounds outward
     * to 32-bit floats (0.25 m at a northing of 3000 km), so 1 m of margin loses nothing and
     * always makes a proper rectangle. */
    GEOSGeometry *r = GEOSGeom_createRectangle_r(h, b->x0 - 1.0, b->y0 - 1.0, b->x1 + 1.0, b->y1 + 1.0);
    if (!r)
        return plat_query__geos_fail(ctx, "cannot build a search box");
    int rc = plat_geom_to_wkb(ctx, wkb, size, r);
    GEOSGeom_destroy_r(h, r);
    return rc;
}

/* ---- projects ---- */

int plat_query__project_copy(plat_ctx *ctx, plat_project *dst, const plat_project *src, int with_geometry)
{
    *dst = *src;
    char **s[] = { &dst->code, &dst->name, &dst->category, &dst->county, &dst->status, &dst->target_unit,
                   &dst->lead_unit, &dst->source_doc, &dst->clause, &dst->start_date, &dst->end_date,
                   &dst->attrs, &dst->created_at, &dst->updated_at, &dst->precision, &dst->place };
    int failed = 0;
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        if (*s[i] && !(*s[i] = plat_strdup(*s[i])))
            failed = 1;
    dst->wkb = dst->done_wkb = NULL;
    dst->wkb_size = dst->done_wkb_size = 0;
    if (with_geometry && src->wkb && src->wkb_size) {
        if ((dst->wkb = malloc(src->wkb_size))) {
            memcpy(dst->wkb, src->wkb, src->wkb_size);
            dst->wkb_size = src->wkb_size;
        } else {
            failed = 1;
        }
    }
    if (failed) {
        plat_project_dispose(dst); /* frees the copies made; the rest are NULL */
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    }
    return 0;
}

/* ---- overlap with a layer ---- */

typedef struct overlap {
    plat_ctx *ctx;
    GEOSContextHandle_t h;
    const char *layer;
    const GEOSGeometry *g;
    const GEOSPreparedGeometry *pg;
    int kinds;
    GEOSGeometry **pieces; /* owned until collected */
    size_t n, cap;
    int hit;
} overlap;

static int kind_of_type(int type)
{
    switch (type) {
    case GEOS_POINT:
        return PLAT_GEOM_POINT;
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        return PLAT_GEOM_LINE;
    case GEOS_POLYGON:
        return PLAT_GEOM_POLYGON;
    default:
        return 0; /* a collection */
    }
}

static int push(overlap *o, GEOSGeometry *piece)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 16;
        GEOSGeometry **p = realloc(o->pieces, cap * sizeof(*p));
        if (!p) {
            GEOSGeom_destroy_r(o->h, piece);
            return plat_error_set(o->ctx, PLAT_ENOMEM, "out of memory");
        }
        o->pieces = p;
        o->cap = cap;
    }
    o->pieces[o->n++] = piece;
    return 0;
}

/* Push clones of the non-empty atomic parts of g whose kind is among o->kinds. */
static int keep_parts(overlap *o, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(o->h, g);
    int kind = kind_of_type(type);
    if (!kind) {
        int n = GEOSGetNumGeometries_r(o->h, g), rc;
        for (int i = 0; i < n; i++)
            if ((rc = keep_parts(o, GEOSGetGeometryN_r(o->h, g, i))) < 0)
                return rc;
        return 0;
    }
    if (!(kind & o->kinds) || GEOSisEmpty_r(o->h, g) != 0)
        return 0;
    GEOSGeometry *c = GEOSGeom_clone_r(o->h, g);
    if (!c)
        return plat_query__geos_fail(o->ctx, "cannot copy a geometry");
    return push(o, c);
}

static int on_feature(const plat_feature *f, void *ud)
{
    overlap *o = ud;
    GEOSGeometry *fg = NULL, *piece = NULL;
    int rc = plat_geom_from_wkb(o->ctx, &fg, f->wkb, f->wkb_size);
    if (rc < 0)
        return plat_error_set(o->ctx, rc, "layer '%s', feature %lld: unreadable geometry in the ledger", o->layer,
                              (long long)f->id);
    if ((rc = plat_query__pred(o->ctx, GEOSPreparedIntersects_r(o->h, o->pg, fg), "cannot test intersection")) <= 0)
        goto done;
    o->hit = 1;
    if ((rc = plat_query__pred(o->ctx, GEOSPreparedContainsProperly_r(o->h, o->pg, fg), "cannot test containment")) < 0)
        goto done;
    if (rc == 1) {
        rc = keep_parts(o, fg);
        goto done;
    }
    if (!(piece = GEOSIntersection_r(o->h, o->g, fg))) {
        char what[160];
        snprintf(what, sizeof what, "layer '%s', feature %lld: cannot intersect it with a project", o->layer,
                 (long long)f->id);
        rc = plat_query__geos_fail(o->ctx, what);
        goto done;
    }
    rc = keep_parts(o, piece);
done:
    GEOSGeom_destroy_r(o->h, piece);
    GEOSGeom_destroy_r(o->h, fg);
    return rc < 0 ? rc : 0;
}

int plat_query__layer_overlap(plat_store *db, GEOSGeometry **out, int *hit, const char *layer,
                              const GEOSGeometry *g, const GEOSPreparedGeometry *pg, int kinds)
{
    plat_ctx *ctx = db->ctx;
    overlap o = { ctx, plat_gis_geos(ctx), layer, g, pg, kinds, NULL, 0, 0, 0 };
    unsigned char *box_wkb = NULL;
    size_t box_size = 0;
    plat_box box;
    GEOSGeometry *all = NULL;
    *out = NULL;
    *hit = 0;
    int rc = plat_query__box_of(ctx, &box, g, 0.0);
    if (rc >= 0)
        rc = plat_query__box_wkb(ctx, &box_wkb, &box_size, &box);
    if (rc >= 0)
        rc = plat_layer_foreach_feature(db, layer, box_wkb, box_size, on_feature, &o);
    plat_free(box_wkb);
    if (rc < 0)
        goto done;
    *hit = o.hit;
    if (o.n == 0)
        goto done;
    if (o.n == 1) {
        /* One piece is already free of overlaps with itself. */
        *out = o.pieces[0];
        o.n = 0;
        goto done;
    }
    all = GEOSGeom_createCollection_r(o.h, GEOS_GEOMETRYCOLLECTION, o.pieces, (unsigned int)o.n);
    if (!all) {
        rc = plat_query__geos_fail(ctx, "cannot collect overlapping parts");
        goto done;
    }
    o.n = 0; /* the collection owns the pieces now */
    if (!(*out = GEOSUnaryUnion_r(o.h, all)))
        rc = plat_query__geos_fail(ctx, "cannot union overlapping layer parts");
done:
    for (size_t i = 0; i < o.n; i++)
        GEOSGeom_destroy_r(o.h, o.pieces[i]);
    free(o.pieces);
    GEOSGeom_destroy_r(o.h, all);
    if (rc < 0) {
        *hit = 0;
        GEOSGeom_destroy_r(o.h, *out);
        *out = NULL;
    }
    return rc;
}

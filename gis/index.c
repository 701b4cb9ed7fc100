/* gis/index.c - the zone index: which townships (zones) a geometry lies in, and how much of
 * it lies in each.
 *
 * Data structures: the zones' geometries in an array (index = zone number, in the order they
 * were added), a GEOS STRtree over their envelopes (node capacity 10) whose items are the zone
 * numbers (stored as i + 1 in the item pointer, never dereferenced), and one prepared geometry
 * per zone made the first time a query needs it, so zones no feature comes near are never
 * prepared. GEOS builds the STRtree at the first query and cannot add to it afterwards, hence
 * "no plat_zones_add after the first query".
 *
 * What "touching" means: a zone is listed for g when the part of g in the (closed) zone has a
 * positive measure of g's own dimension: some length for a line, some area for a polygon.
 * So two townships that only share a border with a polygon do not list it, and a line that
 * only crosses a corner or ends on the border is not listed; a line that runs along a shared
 * border for some distance is listed by both zones, with its full length in each (that is what
 * clipping to a closed polygon gives; deciding whom a border road belongs to is the coverage
 * engine's business, not the index's). A point is listed by every zone that contains it or
 * has it on its boundary: a point on a shared border belongs to both, so a project mapped
 * as a point on the border is not lost between two townships. This keeps the invariant
 * "listed <=> plat_zones_measure_in gives something" for lines, polygons and points.
 *
 * Ownership: the index owns the zone geometries (plat_zones_add takes them, even when it
 * fails). Freed in the order GEOS requires: prepared geometries before their base, the tree
 * before its items. Not thread-safe (lazy preparation, scratch arrays): one per thread. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plat/util.h"
#include "gis_int.h"

#define NODE_CAPACITY 10

struct plat_zones {
    plat_ctx *ctx;
    GEOSContextHandle_t h;
    GEOSSTRtree *tree;
    GEOSGeometry **geom;               /* owned */
    const GEOSPreparedGeometry **prep; /* owned; NULL until first needed */
    int n, cap;
    int frozen;      /* a query was made: the tree is built, no more zones */
    int *hits;       /* scratch for tree query results */
    int nhits, caphits;
    int hits_failed; /* out of memory inside the query callback */
};

int plat_zones_new(plat_ctx *ctx, plat_zones **out)
{
    *out = NULL;
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    plat_zones *z = h ? calloc(1, sizeof(*z)) : NULL;
    if (!z)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    z->ctx = ctx;
    z->h = h;
    if (!(z->tree = GEOSSTRtree_create_r(h, NODE_CAPACITY))) {
        free(z);
        return plat_gis__geos_err(ctx, PLAT_EINTERNAL, "cannot create the zone index");
    }
    *out = z;
    return 0;
}

int plat_zones_add(plat_zones *z, GEOSGeometry *geom)
{
    int rc;
    if (z->frozen) {
        rc = plat_error_set(z->ctx, PLAT_EINVALID, "zones cannot be added after the first query");
        goto fail;
    }
    int type = GEOSGeomTypeId_r(z->h, geom);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) {
        rc = plat_error_set(z->ctx, PLAT_EINVALID, "a zone must be a polygon or a multipolygon");
        goto fail;
    }
    if (z->n == z->cap) {
        int cap = z->cap ? 2 * z->cap : 64;
        GEOSGeometry **g = realloc(z->geom, (size_t)cap * sizeof(*g));
        if (g)
            z->geom = g;
        const GEOSPreparedGeometry **p = g ? realloc(z->prep, (size_t)cap * sizeof(*p)) : NULL;
        if (p)
            z->prep = p;
        if (!g || !p) {
            rc = plat_error_set(z->ctx, PLAT_ENOMEM, "out of memory");
            goto fail;
        }
        z->cap = cap;
    }
    int i = z->n;
    /* An empty zone has no envelope to index; it is kept (numbers stay stable) but never hit. */
    if (GEOSisEmpty_r(z->h, geom) == 0)
        GEOSSTRtree_insert_r(z->h, z->tree, geom, (void *)(intptr_t)(i + 1));
    z->geom[i] = geom;
    z->prep[i] = NULL;
    z->n++;
    return i;
fail:
    GEOSGeom_destroy_r(z->h, geom);
    return rc;
}

int plat_zones_count(const plat_zones *z)
{
    return z ? z->n : 0;
}

const GEOSGeometry *plat_zones_geom(const plat_zones *z, int i)
{
    return (z && i >= 0 && i < z->n) ? z->geom[i] : NULL;
}

static const GEOSPreparedGeometry *prepared(plat_zones *z, int i)
{
    if (!z->prep[i] && !(z->prep[i] = GEOSPrepare_r(z->h, z->geom[i])))
        plat_gis__geos_err(z->ctx, PLAT_EINTERNAL, "cannot prepare a zone");
    return z->prep[i];
}

static void on_hit(void *item, void *ud)
{
    plat_zones *z = ud;
    if (z->nhits == z->caphits) {
        int cap = z->caphits ? 2 * z->caphits : 16;
        int *h = realloc(z->hits, (size_t)cap * sizeof(*h));
        if (!h) {
            z->hits_failed = 1;
            return;
        }
        z->hits = h;
        z->caphits = cap;
    }
    z->hits[z->nhits++] = (int)((intptr_t)item - 1);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* 1 if zone i lists g (see the essay), 0 if not, < 0 on error. */
static int zone_lists(plat_zones *z, int i, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = z->h;
    int rc;
    if (GEOSGeomTypeId_r(h, g) == GEOS_GEOMETRYCOLLECTION) {
        /* GEOS predicates refuse mixed collections: ask part by part. */
        int n = GEOSGetNumGeometries_r(h, g);
        for (int k = 0; k < n; k++)
            if ((rc = zone_lists(z, i, GEOSGetGeometryN_r(h, g, k))) != 0)
                return rc;
        return 0;
    }
    if (GEOSisEmpty_r(h, g) != 0)
        return 0;
    const GEOSPreparedGeometry *p = prepared(z, i);
    if (!p)
        return PLAT_EINTERNAL;
    if ((rc = plat_gis__pred(z->ctx, GEOSPreparedIntersects_r(h, p, g), "cannot test intersection")) <= 0)
        return rc;
    int dim = GEOSGeom_getDimensions_r(h, g);
    if (dim == 0) /* closed zones: a point on the border belongs to both sides */
        return 1;
    /* Not "touches" means the interiors meet: a positive length or area of g is inside. */
    if ((rc = plat_gis__pred(z->ctx, GEOSPreparedTouches_r(h, p, g), "cannot test touching")) <= 0)
        return rc < 0 ? rc : 1;
    if (dim == 2) /* polygons that share only boundary share no area */
        return 0;
    /* A line meeting the zone only on its boundary: listed if it runs along it for a while. */
    GEOSGeometry *part = GEOSIntersection_r(h, z->geom[i], g);
    if (!part)
        return plat_gis__geos_err(z->ctx, PLAT_EINTERNAL, "cannot intersect with a zone");
    double len = 0.0;
    rc = GEOSLength_r(h, part, &len) ? (len > 0.0) : plat_gis__geos_err(z->ctx, PLAT_EINTERNAL, "cannot measure length");
    GEOSGeom_destroy_r(h, part);
    return rc;
}

int plat_zones_touching(plat_zones *z, int **idx, int *n, const GEOSGeometry *g)
{
    int *res = NULL, k = 0, rc = 0;
    *idx = NULL;
    *n = 0;
    z->frozen = 1;
    z->nhits = 0;
    z->hits_failed = 0;
    GEOSSTRtree_query_r(z->h, z->tree, g, on_hit, z);
    if (z->hits_failed)
        return plat_error_set(z->ctx, PLAT_ENOMEM, "out of memory");
    if (z->nhits > 1) /* qsort's array must not be NULL, even for zero items */
        qsort(z->hits, (size_t)z->nhits, sizeof(int), cmp_int);
    if (!(res = malloc((size_t)(z->nhits ? z->nhits : 1) * sizeof(int))))
        return plat_error_set(z->ctx, PLAT_ENOMEM, "out of memory");
    for (int j = 0; j < z->nhits; j++) {
        if ((rc = zone_lists(z, z->hits[j], g)) < 0)
            goto done;
        if (rc)
            res[k++] = z->hits[j];
    }
    rc = 0;
done:
    if (rc < 0) {
        free(res);
        return rc;
    }
    *idx = res;
    *n = k;
    return 0;
}

/* Keep only the quantity of g's own kinds: clipping a polygon can leave stray lines or points
 * where it touches the zone's border, and those are not part of its area. */
static void keep_kinds(plat_quantity *q, int kinds)
{
    if (!(kinds & PLAT_GEOM_POINT))
        q->points = 0;
    if (!(kinds & PLAT_GEOM_LINE))
        q->length_m = 0.0;
    if (!(kinds & PLAT_GEOM_POLYGON))
        q->area_m2 = 0.0;
}

/* Add the measure of the part of g inside zone i to *out. */
static int measure_in(plat_zones *z, plat_quantity *out, int i, const GEOSGeometry *g, plat_measure *m)
{
    GEOSContextHandle_t h = z->h;
    plat_quantity q;
    int rc;
    if (GEOSGeomTypeId_r(h, g) == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(h, g); /* each part adds its own share to *out */
        for (int k = 0; k < n; k++)
            if ((rc = measure_in(z, out, i, GEOSGetGeometryN_r(h, g, k), m)) < 0)
                return rc;
        return 0;
    }
    memset(&q, 0, sizeof(q));
    if (GEOSisEmpty_r(h, g) != 0)
        return 0;
    const GEOSPreparedGeometry *p = prepared(z, i);
    if (!p)
        return PLAT_EINTERNAL;
    /* The containment shortcut: most features lie inside one township and need no clipping. */
    if ((rc = plat_gis__pred(z->ctx, GEOSPreparedContains_r(h, p, g), "cannot test containment")) < 0)
        return rc;
    if (rc == 1) {
        if ((rc = plat_measure_geom(m, &q, g)) < 0)
            return rc;
    } else {
        if ((rc = plat_gis__pred(z->ctx, GEOSPreparedIntersects_r(h, p, g), "cannot test intersection")) <= 0)
            return rc;
        GEOSGeometry *part = GEOSIntersection_r(h, z->geom[i], g);
        if (!part)
            return plat_gis__geos_err(z->ctx, PLAT_EINTERNAL, "cannot intersect with a zone");
        rc = plat_measure_geom(m, &q, part);
        GEOSGeom_destroy_r(h, part);
        if (rc < 0)
            return rc;
        keep_kinds(&q, plat_geom_kinds(z->ctx, g));
    }
    out->length_m += q.length_m;
    out->area_m2 += q.area_m2;
    out->points += q.points;
    return 0;
}

int plat_zones_measure_in(plat_zones *z, plat_quantity *out, int i, const GEOSGeometry *g,
                          plat_measure *m)
{
    memset(out, 0, sizeof(*out));
    if (i < 0 || i >= z->n)
        return plat_error_set(z->ctx, PLAT_EINVALID, "no zone %d (there are %d)", i, z->n);
    plat_quantity q = { 0, 0, 0 };
    int rc = measure_in(z, &q, i, g, m);
    if (rc == 0)
        *out = q;
    return rc;
}

void plat_zones_free(plat_zones *z)
{
    if (!z)
        return;
    for (int i = 0; i < z->n; i++)
        if (z->prep[i])
            GEOSPreparedGeom_destroy_r(z->h, z->prep[i]);
    GEOSSTRtree_destroy_r(z->h, z->tree);
    for (int i = 0; i < z->n; i++)
        GEOSGeom_destroy_r(z->h, z->geom[i]);
    free(z->geom);
    free(z->prep);
    free(z->hits);
    free(z);
}

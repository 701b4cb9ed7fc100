/* layers/locate.c - which townships each project touches and how much of it lies in each.
 *
 * The locator reads every township once into gis/'s zone index (an STRtree over prepared
 * polygons) and keeps their rows for names and codes; placing a project is then one tree
 * query and, only for townships the geometry crosses, one intersection. The locator owns the
 * township rows, the zone index and the measurer; placements borrow names from it. */
#include <stdlib.h>
#include <string.h>

#include "plat/locate.h"
#include "layers_int.h"

struct plat_locator {
    plat_store *db;
    plat_zones *zones;
    plat_measure *measure;
    plat_township *rows; /* township i of the zone index */
    double *area;        /* lazily measured, < 0 until then */
    int n, cap;
};

static int add_township(const plat_township *t, void *ud)
{
    plat_locator *loc = ud;
    plat_ctx *ctx = loc->db->ctx;
    GEOSGeometry *g = NULL;
    int rc = plat_geom_from_wkb(ctx, &g, t->wkb, t->wkb_size);
    if (rc < 0)
        return plat_error_set(ctx, rc, "township %s: unreadable boundary in the ledger", t->code);
    if (loc->n == loc->cap) {
        int cap = loc->cap ? loc->cap * 2 : 64;
        plat_township *rows = realloc(loc->rows, (size_t)cap * sizeof(*rows));
        double *area = rows ? realloc(loc->area, (size_t)cap * sizeof(*area)) : NULL;
        if (rows)
            loc->rows = rows;
        if (!rows || !area) {
            GEOSGeom_destroy_r(plat_gis_geos(ctx), g);
            return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
        }
        loc->area = area;
        loc->cap = cap;
    }
    if ((rc = plat_zones_add(loc->zones, g)) < 0)
        return rc;
    plat_township *r = &loc->rows[loc->n];
    memset(r, 0, sizeof(*r));
    r->id = t->id;
    r->code = plat_strdup(t->code);
    r->name = plat_strdup(t->name);
    r->county_code = plat_strdup(t->county_code);
    r->county = plat_strdup(t->county);
    r->source = plat_strdup(t->source);
    loc->area[loc->n] = -1;
    loc->n++;
    return 0;
}

int plat_locator_new(plat_store *db, plat_locator **out, int planar)
{
    *out = NULL;
    plat_locator *loc = calloc(1, sizeof(*loc));
    if (!loc)
        return plat_error_set(db->ctx, PLAT_ENOMEM, "out of memory");
    loc->db = db;
    int rc = plat_zones_new(db->ctx, &loc->zones);
    if (rc >= 0 && db->srid)
        rc = plat_measure_new(db->ctx, &loc->measure, db->srid, planar);
    if (rc >= 0 && db->srid)
        rc = plat_township_foreach(db, add_township, loc);
    if (rc < 0) {
        plat_locator_free(loc);
        return rc;
    }
    *out = loc;
    return 0;
}

void plat_locator_free(plat_locator *loc)
{
    if (!loc)
        return;
    plat_zones_free(loc->zones);
    plat_measure_free(loc->measure);
    for (int i = 0; i < loc->n; i++)
        plat_township_dispose(&loc->rows[i]);
    free(loc->rows);
    free(loc->area);
    free(loc);
}

void plat_placement_dispose(plat_placement *p)
{
    if (!p)
        return;
    free(p->places);
    memset(p, 0, sizeof(*p));
}

int plat_locator_place(plat_locator *loc, plat_placement *out, const unsigned char *wkb, size_t size, int with_parts)
{
    memset(out, 0, sizeof(*out));
    if (!wkb || !size || !loc->measure)
        return 0;
    plat_ctx *ctx = loc->db->ctx;
    GEOSGeometry *g = NULL;
    int *idx = NULL, n = 0;
    int rc = plat_geom_from_wkb(ctx, &g, wkb, size);
    if (rc < 0)
        return rc;
    out->kinds = plat_geom_kinds(ctx, g);
    if ((rc = plat_measure_geom(loc->measure, &out->total, g)) < 0)
        goto done;
    if ((rc = plat_zones_touching(loc->zones, &idx, &n, g)) < 0)
        goto done;
    if (n > 0 && !(out->places = calloc((size_t)n, sizeof(*out->places)))) {
        rc = plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
        goto done;
    }
    for (int k = 0; k < n; k++) {
        plat_place *pl = &out->places[k];
        const plat_township *t = &loc->rows[idx[k]];
        pl->township = idx[k];
        pl->code = t->code;
        pl->name = t->name;
        pl->county = t->county;
        if (with_parts && (rc = plat_zones_measure_in(loc->zones, &pl->q, idx[k], g, loc->measure)) < 0)
            goto done;
    }
    out->n = n;
    /* The zone index orders by insertion, which is the ledger's county-then-code order. */
done:
    plat_free(idx);
    GEOSGeom_destroy_r(plat_gis_geos(ctx), g);
    if (rc < 0)
        plat_placement_dispose(out);
    return rc;
}

int plat_locator_find(plat_locator *loc, int **idx, int *n, const char *text)
{
    *idx = NULL;
    *n = 0;
    int *found = malloc(((size_t)loc->n + 1) * sizeof(*found));
    if (!found)
        return plat_error_set(loc->db->ctx, PLAT_ENOMEM, "out of memory");
    int k = 0;
    for (int i = 0; i < loc->n; i++)
        if (strcmp(loc->rows[i].code, text) == 0 || strcmp(loc->rows[i].name, text) == 0)
            found[k++] = i;
    /* Not a township: a county by name or code stands for all its townships (all of them:
     * the test is made once, not again after the first match). */
    int county = k == 0;
    for (int i = 0; county && i < loc->n; i++)
        if ((loc->rows[i].county && strcmp(loc->rows[i].county, text) == 0) ||
            (loc->rows[i].county_code && strcmp(loc->rows[i].county_code, text) == 0))
            found[k++] = i;
    if (k == 0) {
        free(found);
        return plat_error_set(loc->db->ctx, PLAT_ENOTFOUND,
                              "no township or county named '%s' in the ledger (see `plat township list`)", text);
    }
    *idx = found;
    *n = k;
    return 0;
}

int plat_locator_count(const plat_locator *loc)
{
    return loc->n;
}

const plat_township *plat_locator_township(const plat_locator *loc, int i)
{
    return (i >= 0 && i < loc->n) ? &loc->rows[i] : NULL;
}

double plat_locator_area_m2(plat_locator *loc, int i)
{
    if (i < 0 || i >= loc->n)
        return 0;
    if (loc->area[i] < 0) {
        plat_quantity q = { 0 };
        if (plat_measure_geom(loc->measure, &q, plat_zones_geom(loc->zones, i)) < 0)
            return 0;
        loc->area[i] = q.area_m2;
    }
    return loc->area[i];
}

int plat_locator_envelope(plat_locator *loc, unsigned char **wkb, size_t *size, const int *idx, int n)
{
    plat_ctx *ctx = loc->db->ctx;
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    double minx = 0, miny = 0, maxx = 0, maxy = 0;
    for (int k = 0; k < n; k++) {
        double x0, y0, x1, y1;
        const GEOSGeometry *g = plat_zones_geom(loc->zones, idx[k]);
        if (!GEOSGeom_getXMin_r(h, g, &x0) || !GEOSGeom_getYMin_r(h, g, &y0) ||
            !GEOSGeom_getXMax_r(h, g, &x1) || !GEOSGeom_getYMax_r(h, g, &y1))
            return plat_error_set(ctx, PLAT_EINTERNAL, "cannot read a township's extent");
        if (k == 0 || x0 < minx) minx = x0;
        if (k == 0 || y0 < miny) miny = y0;
        if (k == 0 || x1 > maxx) maxx = x1;
        if (k == 0 || y1 > maxy) maxy = y1;
    }
    GEOSGeometry *box = GEOSGeom_createRectangle_r(h, minx, miny, maxx, maxy);
    if (!box)
        return plat_error_set(ctx, PLAT_EINTERNAL, "cannot build a search box");
    int rc = plat_geom_to_wkb(ctx, wkb, size, box);
    GEOSGeom_destroy_r(h, box);
    return rc;
}

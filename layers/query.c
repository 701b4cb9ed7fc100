/* layers/query.c - `plat query`: the projects in a township, within a distance of a place or
 * of another project, or meeting a reference layer; filters combine with AND.
 *
 * How a query avoids reading every project. The township filter is the store's own
 * (plat_project_filter.township, from the places kept with the ledger: the same townships and
 * parts `plat project list` and `plat coverage` give). Each other spatial filter gives a box in
 * the working CRS that every matching project must meet: the reference geometry's extent
 * widened by the distance (times SCALE_MARGIN, below), the layer's extent from its R*Tree. The
 * boxes are intersected and handed to the projects' spatial index (bbox_wkb), so only projects
 * near the answer are read; each is then tested exactly, cheapest test first:
 *   distance  the planar GEOS distance to the prepared reference geometry; only when it is
 *             near the limit is the nearest-point segment measured on the ellipsoid;
 *   layer     the layer's own spatial index per project, clipped and unioned (overlap.c).
 * A row's townships, whole measure and part inside the chosen townships are read from the
 * stored places and measures, not clipped again.
 *
 * Distances (query.h has the definition): with d_p the planar distance and d_e the ellipsoidal
 * length of the planar shortest segment, d_p / k_max <= d_e <= d_p / k_min where k is the
 * scale of the working CRS along that segment. The CGCS2000 GK zones have k >= 1 (k = 1 on the
 * central meridian, 1.0003 at 1.5 degrees), so d_e <= d_p, and d_e > DIST is certain once
 * d_p > DIST * SCALE_MARGIN with SCALE_MARGIN = 1.01 (k reaches 1.01 only some 8 degrees from
 * the central meridian, far outside any zone's use). The same margin widens the search box.
 *
 * Ownership: a plat_query owns its rows: each a project copy with geometry, and a placement
 * whose places array and township strings it allocated (freed by plat_query_free). Everything
 * made while computing (reference geometry, prepared geometry, measurer) is freed before
 * return. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_int.h"

#define SCALE_MARGIN 1.01

struct plat_query {
    plat_query_row *rows;
    size_t n, cap;
};

/* ---- distances as typed ---- */

int plat_distance_parse(plat_ctx *ctx, double *metres, const char *text)
{
    double v;
    char unit[64];
    if (text && plat_parse_double(text, &v) == 0) {
        if (!isfinite(v) || v < 0)
            return plat_error_set(ctx, PLAT_EINVALID, "distance '%s' must be a finite number of metres, at least 0",
                                  text);
        *metres = v;
        return 0;
    }
    if (!text || plat_target_parse(ctx, &v, unit, sizeof unit, text) < 0 || !isfinite(v))
        return plat_error_set(ctx, PLAT_EINVALID, "'%s' is not a distance: write it like 5km, 500m or 750 (metres)",
                              text ? text : "");
    plat_unit u = plat_unit_lookup(unit);
    if (u.kind != PLAT_UNIT_LENGTH)
        return plat_error_set(ctx, PLAT_EINVALID, "'%s' is not a distance: %s is not a unit of length (use km or m)",
                              text, unit);
    *metres = v * u.factor;
    return 0;
}

/* ---- the place to measure distances from ---- */

/* Read WKT/GeoJSON (or @FILE) in srs into the working CRS. Like plat_geometry_import, but a
 * query writes nothing: it never chooses a working CRS, and with none yet (no geometry in the
 * ledger) the text is still checked and *out stays NULL. */
static int read_place(plat_store *db, GEOSGeometry **out, const char *text, const char *srs)
{
    plat_ctx *ctx = db->ctx;
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    GEOSGeometry *g = NULL, *w = NULL;
    plat_transform *tr = NULL;
    char *file_text = NULL, why[256];
    int repaired = 0, rc;
    int dst = db->srid ? db->srid : PLAT_EPSG_CGCS2000;
    *out = NULL;
    if (text[0] == '@' && (rc = plat_read_file(ctx, &file_text, NULL, text + 1)) < 0)
        return rc;
    if ((rc = plat_geom_parse(ctx, &g, file_text ? file_text : text)) < 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", plat_error_last(ctx)->msg);
        rc = plat_error_set(ctx, rc, "the place to measure from (--of): %s", msg);
        goto done;
    }
    if ((rc = plat_transform_new(ctx, &tr, srs ? srs : "EPSG:4490", dst)) < 0 ||
        (rc = plat_geom_check_coords(ctx, g, plat_transform_src_is_geographic(tr))) < 0)
        goto done;
    if (GEOSisEmpty_r(h, g) != 0) {
        rc = plat_error_set(ctx, PLAT_EINVALID, "the place to measure from (--of) is an empty geometry");
        goto done;
    }
    if (!db->srid)
        goto done;
    if ((rc = plat_transform_geom(tr, &w, g)) < 0 ||
        (rc = plat_geom_make_valid(ctx, &w, &repaired, why, sizeof why)) < 0)
        goto done;
    if (repaired)
        plat_warn(ctx, "the place to measure from (--of) was invalid (%s); measuring from its repaired form", why);
    *out = w;
    w = NULL;
done:
    GEOSGeom_destroy_r(h, g);
    GEOSGeom_destroy_r(h, w);
    plat_transform_free(tr);
    free(file_text);
    return rc;
}

/* ---- the query ---- */

typedef struct run {
    plat_store *db;
    plat_ctx *ctx;
    GEOSContextHandle_t h;
    const plat_query_options *o;
    plat_query *q;
    plat_measure *measure;
    char **only;                    /* township filter: the codes it stands for, sorted */
    int nonly;
    GEOSGeometry *ref;              /* distance filter: the place, in the working CRS */
    const GEOSPreparedGeometry *pref;
    int spatial;                    /* some spatial filter is set: projects need geometry */
} run;

static int cmp_code(const void *key, const void *elem)
{
    return strcmp(key, *(char *const *)elem);
}

static void free_place_strings(plat_placement *pl)
{
    for (int i = 0; pl->places && i < pl->n; i++) {
        /* The strings were allocated here (add_place); plat_place declares them const for
         * callers, who only borrow them. */
        free((char *)pl->places[i].code);
        free((char *)pl->places[i].name);
        free((char *)pl->places[i].county);
    }
}

typedef struct place_acc {
    run *r;
    plat_query_row *row;
    int cap;
} place_acc;

/* One stored place into the row: the township's strings copied, its part added to `inside`
 * when the township is one the filter stands for. */
static int add_place(const plat_place_row *pr, void *ud)
{
    place_acc *a = ud;
    plat_placement *pl = &a->row->place;
    if (pl->n == a->cap) {
        int cap = a->cap ? 2 * a->cap : 4;
        plat_place *p = realloc(pl->places, (size_t)cap * sizeof(*p));
        if (!p)
            return plat_error_set(a->r->ctx, PLAT_ENOMEM, "out of memory");
        pl->places = p;
        a->cap = cap;
    }
    plat_place *p = &pl->places[pl->n];
    p->township = -1;
    p->code = plat_strdup(pr->code);
    p->name = plat_strdup(pr->name);
    p->county = plat_strdup(pr->county);
    p->q = pr->q;
    pl->n++; /* counted even when a copy failed, so the strings made are freed */
    if ((pr->code && !p->code) || (pr->name && !p->name) || (pr->county && !p->county))
        return plat_error_set(a->r->ctx, PLAT_ENOMEM, "out of memory");
    if (a->r->only && pr->code &&
        bsearch(pr->code, a->r->only, (size_t)a->r->nonly, sizeof(char *), cmp_code)) {
        a->row->inside.length_m += pr->q.length_m;
        a->row->inside.area_m2 += pr->q.area_m2;
        a->row->inside.points += pr->q.points;
    }
    return 0;
}

/* The distance from the reference place to g (see the essay); *d > within means "too far". */
static int distance_to(run *r, double *d, const GEOSGeometry *g)
{
    double dp = 0.0;
    if (!GEOSPreparedDistance_r(r->h, r->pref, g, &dp))
        return plat_query__geos_fail(r->ctx, "cannot measure a distance");
    if (r->o->planar || dp == 0.0 || dp > r->o->within_m * SCALE_MARGIN) {
        *d = dp;
        return 0;
    }
    GEOSCoordSequence *seq = GEOSPreparedNearestPoints_r(r->h, r->pref, g);
    GEOSGeometry *seg = seq ? GEOSGeom_createLineString_r(r->h, seq) : NULL; /* takes seq */
    if (!seg) {
        if (seq)
            GEOSCoordSeq_destroy_r(r->h, seq);
        return plat_query__geos_fail(r->ctx, "cannot find the nearest points");
    }
    plat_quantity len;
    int rc = plat_measure_geom(r->measure, &len, seg);
    GEOSGeom_destroy_r(r->h, seg);
    if (rc < 0)
        return rc;
    *d = len.length_m;
    return 0;
}

static int add_row(run *r, const plat_query_row *row)
{
    plat_query *q = r->q;
    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 16;
        plat_query_row *rows = realloc(q->rows, cap * sizeof(*rows));
        if (!rows)
            return plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory");
        q->rows = rows;
        q->cap = cap;
    }
    q->rows[q->n++] = *row;
    return 0;
}

static int each_project(const plat_project *p, void *ud)
{
    run *r = ud;
    plat_query_row row;
    GEOSGeometry *g = NULL, *ov = NULL;
    const GEOSPreparedGeometry *pg = NULL;
    int rc = 0, keep = 0;
    memset(&row, 0, sizeof(row));
    row.distance_m = -1.0;
    if (p->wkb) {
        if ((rc = plat_geom_from_wkb(r->ctx, &g, p->wkb, p->wkb_size)) < 0) {
            rc = plat_error_set(r->ctx, rc, "project %s: unreadable geometry in the ledger", p->code);
            goto done;
        }
    }
    int kinds = g ? p->kinds : 0;
    if (r->spatial && !kinds)
        goto done;
    if (r->o->of_project && strcmp(p->code, r->o->of_project) == 0)
        goto done; /* "within 5 km of project X" means the other projects */
    if (r->pref) {
        if ((rc = distance_to(r, &row.distance_m, g)) < 0)
            goto done;
        if (row.distance_m > r->o->within_m)
            goto done;
    }
    if (r->o->layer) {
        int hit = 0;
        if (!(pg = GEOSPrepare_r(r->h, g))) {
            rc = plat_query__geos_fail(r->ctx, "cannot prepare a project's geometry");
            goto done;
        }
        if ((rc = plat_query__layer_overlap(r->db, &ov, &hit, r->o->layer, g, pg, kinds)) < 0)
            goto done;
        if (!hit)
            goto done;
        if (ov && (rc = plat_measure_geom(r->measure, &row.overlap, ov)) < 0)
            goto done;
        row.has_overlap = 1;
    }
    /* Kept: now read where it lies (the exact tests above came first, being the filters). */
    row.place.kinds = kinds;
    row.place.total = r->o->planar ? p->measured_planar : p->measured;
    if (kinds) {
        place_acc acc = { r, &row, 0 };
        if ((rc = plat_project_places(r->db, p->id, r->o->planar, add_place, &acc)) < 0)
            goto done;
    }
    if ((rc = plat_query__project_copy(r->ctx, &row.project, p, 1)) < 0)
        goto done;
    if ((rc = add_row(r, &row)) < 0)
        plat_project_dispose(&row.project);
    else
        keep = 1;
done:
    if (!keep) {
        free_place_strings(&row.place);
        plat_placement_dispose(&row.place);
    }
    if (pg)
        GEOSPreparedGeom_destroy_r(r->h, pg);
    GEOSGeom_destroy_r(r->h, ov);
    GEOSGeom_destroy_r(r->h, g);
    return rc;
}

static int by_distance(const void *a, const void *b)
{
    const plat_query_row *x = a, *y = b;
    if (x->distance_m != y->distance_m)
        return x->distance_m < y->distance_m ? -1 : 1;
    return strcmp(x->project.code, y->project.code);
}

/* Check the options make sense together before anything is read. */
static int check_options(plat_ctx *ctx, const plat_query_options *o)
{
    int has_of = o->of_geom || o->of_project;
    if (o->of_geom && o->of_project)
        return plat_error_set(ctx, PLAT_EINVALID, "measure from a geometry or from a project, not both");
    if (o->within_m >= 0 && !has_of)
        return plat_error_set(ctx, PLAT_EINVALID, "a distance (--within) needs a place to measure from (--of)");
    if (o->within_m < 0 && has_of)
        return plat_error_set(ctx, PLAT_EINVALID, "a place to measure from (--of) needs a distance (--within)");
    if (o->within_m >= 0 && !isfinite(o->within_m))
        return plat_error_set(ctx, PLAT_EINVALID, "the distance must be finite");
    if (o->of_project && !*o->of_project)
        return plat_error_set(ctx, PLAT_EINVALID, "--of project: needs a project code (project:CODE)");
    return 0;
}

/* The reference geometry of a distance filter and the box it asks for. *none is set when the
 * ledger has no geometry yet (nothing can be near anything). */
static int set_reference(run *r, plat_box *box, int *none)
{
    const plat_query_options *o = r->o;
    int rc;
    if (o->of_project) {
        plat_project ref;
        if ((rc = plat_project_get(r->db, &ref, o->of_project)) < 0)
            return rc;
        if (!ref.wkb)
            rc = plat_error_set(r->ctx, PLAT_EINVALID,
                                "project %s has no geometry to measure from; give it one with `plat project update "
                                "%s --geom ...`", o->of_project, o->of_project);
        else if ((rc = plat_geom_from_wkb(r->ctx, &r->ref, ref.wkb, ref.wkb_size)) < 0)
            rc = plat_error_set(r->ctx, rc, "project %s: unreadable geometry in the ledger", o->of_project);
        plat_project_dispose(&ref);
        if (rc < 0)
            return rc;
        if (GEOSisEmpty_r(r->h, r->ref) != 0)
            return plat_error_set(r->ctx, PLAT_EINVALID, "project %s has an empty geometry", o->of_project);
    } else if ((rc = read_place(r->db, &r->ref, o->of_geom, o->of_srs)) < 0) {
        return rc;
    }
    if (!r->ref) {
        *none = 1;
        return 0;
    }
    if (!(r->pref = GEOSPrepare_r(r->h, r->ref)))
        return plat_query__geos_fail(r->ctx, "cannot prepare the place to measure from");
    plat_box b;
    double by = o->planar ? o->within_m : o->within_m * SCALE_MARGIN;
    if ((rc = plat_query__box_of(r->ctx, &b, r->ref, by)) < 0)
        return rc;
    plat_query__box_meet(box, &b);
    return 0;
}

int plat_query_compute(plat_store *db, plat_query **out, const plat_query_options *opts)
{
    plat_query_options defaults = PLAT_QUERY_OPTIONS_INIT;
    const plat_query_options *o = opts ? opts : &defaults;
    plat_ctx *ctx = plat_store_ctx(db);
    run r = { db, ctx, plat_gis_geos(ctx), o, NULL, NULL, NULL, 0, NULL, NULL, 0 };
    plat_box box = { -HUGE_VAL, -HUGE_VAL, HUGE_VAL, HUGE_VAL };
    plat_project_filter f = { 0 };
    unsigned char *box_wkb = NULL;
    int none = 0, rc;
    *out = NULL;
    if ((rc = check_options(ctx, o)) < 0)
        return rc;
    if (!(r.q = calloc(1, sizeof(*r.q))))
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    if (db->srid && (rc = plat_measure_new(ctx, &r.measure, db->srid, o->planar)) < 0)
        goto done;
    if (o->township && (rc = plat_query__township_codes(db, &r.only, &r.nonly, o->township)) < 0)
        goto done;
    if (o->within_m >= 0) {
        r.spatial = 1;
        if ((rc = set_reference(&r, &box, &none)) < 0)
            goto done;
    }
    if (o->layer) {
        plat_box b;
        int empty = 0;
        r.spatial = 1;
        if ((rc = plat_layer__extent(db, &b, &empty, o->layer)) < 0)
            goto done;
        if (empty)
            none = 1;
        else
            plat_query__box_meet(&box, &b);
    }
    if (none || (r.spatial && (!db->srid || plat_query__box_empty(&box))))
        goto done; /* nothing can match: an empty answer, not an error */
    f.township = o->township;
    f.category = o->category;
    f.status = o->status;
    if (r.spatial) {
        if ((rc = plat_query__box_wkb(ctx, &box_wkb, &f.bbox_wkb_size, &box)) < 0)
            goto done;
        f.bbox_wkb = box_wkb;
    }
    if ((rc = plat_project_foreach(db, &f, each_project, &r)) < 0)
        goto done;
    if (r.pref && r.q->n > 1)
        qsort(r.q->rows, r.q->n, sizeof(*r.q->rows), by_distance);
done:
    plat_free(box_wkb);
    plat_query__free_codes(r.only, r.nonly);
    if (r.pref)
        GEOSPreparedGeom_destroy_r(r.h, r.pref);
    GEOSGeom_destroy_r(r.h, r.ref);
    plat_measure_free(r.measure);
    if (rc < 0) {
        plat_query_free(r.q);
        return rc;
    }
    *out = r.q;
    return 0;
}

size_t plat_query_count(const plat_query *q)
{
    return q ? q->n : 0;
}

const plat_query_row *plat_query_row_at(const plat_query *q, size_t i)
{
    return q && i < q->n ? &q->rows[i] : NULL;
}

void plat_query_free(plat_query *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n; i++) {
        plat_project_dispose(&q->rows[i].project);
        free_place_strings(&q->rows[i].place);
        plat_placement_dispose(&q->rows[i].place);
    }
    free(q->rows);
    free(q);
}

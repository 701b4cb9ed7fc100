/* layers/check.c - `plat check targets` and `plat check conflicts`.
 *
 * Targets. The plans declare what each project will deliver: 21 km of road, 20.8 万亩 of
 * high-standard farmland, 4 berths. Lengths and areas can be compared with the mapped
 * geometry: the unit's kind and factor come from plat_unit_lookup (units.c), the geometry's
 * measure is the one the store keeps with the project (ellipsoidal by default, planar on
 * request), and the measure of the unit's kind (line length for km, polygon area for 亩) is
 * divided by the factor. A difference beyond the
 * tolerance, in per cent of the target, is a mismatch. Units that are no length or area
 * (berth, MW) and geometries without a part of the unit's kind (a km target mapped as a point)
 * cannot be checked and are listed as such; so are measurable targets without geometry.
 *
 * Conflicts. For a protected layer (永久基本农田, 生态保护红线) each project near the layer is
 * prepared once and clipped against the layer features its envelope meets (overlap.c: the
 * layer's spatial index per project, pieces unioned so overlapping layer polygons count once).
 * The overlap is measured, set against the whole project (its share, the project's measure as
 * the store keeps it), and placed in the townships through the locator, loaded only once a
 * conflict is found, so the report says where the conflict is and how much lies in each
 * township. (The overlap is a new geometry, so it is clipped by the locator rather than read
 * from the stored places; for areas the two agree exactly, and only a stretch of line running
 * exactly along a shared border would be listed in both townships here.) Which projects are
 * near the layer at all comes from the projects' spatial index and the layer's extent, so a
 * small red-line layer never makes plat read every project of a province.
 *
 * Ownership: a result owns its rows (project copies without geometry; conflict rows also a
 * placement whose township names belong to the result's locator) and the layer's kind strings.
 * Everything made per project (geometries, prepared geometries, WKB) is freed before the next. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "query_int.h"

/* ---- targets ---- */

struct plat_targets {
    plat_target_row *rows;
    size_t n, cap;
    size_t without;
};

typedef struct targets_run {
    plat_ctx *ctx;
    int planar;
    double tolerance;
    plat_targets *t;
} targets_run;

static int targets_push(targets_run *r, const plat_target_row *row)
{
    plat_targets *t = r->t;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32;
        plat_target_row *rows = realloc(t->rows, cap * sizeof(*rows));
        if (!rows)
            return plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory");
        t->rows = rows;
        t->cap = cap;
    }
    t->rows[t->n++] = *row;
    return 0;
}

/* Compare one project's target with its geometry into row (whose project is already copied).
 * The measures are those the store keeps with each project (the measurer's, refreshed with
 * every geometry change), so no geometry is read; an unmeasurable row still says what is mapped. */
static int judge(targets_run *r, plat_target_row *row, const plat_project *p)
{
    row->unit = plat_unit_lookup(row->project.target_unit);
    row->difference_pct = NAN;
    if (p->wkb) {
        row->kinds = p->kinds;
        row->measured = r->planar ? p->measured_planar : p->measured;
    }
    int length = row->unit.kind == PLAT_UNIT_LENGTH;
    if (!length && row->unit.kind != PLAT_UNIT_AREA) {
        row->verdict = PLAT_TARGET_UNMEASURABLE;
        row->reason = "the unit is not a length or an area";
        return 0;
    }
    if (!row->kinds) {
        row->verdict = PLAT_TARGET_NO_GEOMETRY;
        return 0;
    }
    if (!(row->kinds & (length ? PLAT_GEOM_LINE : PLAT_GEOM_POLYGON))) {
        row->verdict = PLAT_TARGET_UNMEASURABLE;
        row->reason = length ? "a length target, but the geometry has no line"
                             : "an area target, but the geometry has no polygon";
        return 0;
    }
    row->measured_in_unit = (length ? row->measured.length_m : row->measured.area_m2) / row->unit.factor;
    double target = row->project.target_qty;
    if (target > 0) {
        row->difference_pct = 100.0 * (row->measured_in_unit - target) / target;
        row->verdict = fabs(row->difference_pct) > r->tolerance ? PLAT_TARGET_MISMATCH : PLAT_TARGET_OK;
    } else {
        /* A target of 0 has no per cent: anything measured differs from it. */
        row->verdict = row->measured_in_unit > 0 ? PLAT_TARGET_MISMATCH : PLAT_TARGET_OK;
    }
    return 0;
}

static int each_target(const plat_project *p, void *ud)
{
    targets_run *r = ud;
    plat_target_row row;
    if (!p->has_target) {
        r->t->without++;
        return 0;
    }
    memset(&row, 0, sizeof(row));
    int rc = plat_query__project_copy(r->ctx, &row.project, p, 0);
    if (rc < 0)
        return rc;
    if ((rc = judge(r, &row, p)) < 0 || (rc = targets_push(r, &row)) < 0)
        plat_project_dispose(&row.project);
    return rc;
}

static int by_verdict(const void *a, const void *b)
{
    const plat_target_row *x = a, *y = b;
    if (x->verdict != y->verdict)
        return x->verdict < y->verdict ? -1 : 1;
    if (x->verdict == PLAT_TARGET_MISMATCH) {
        /* NaN (a target of 0) sorts first: it is the largest difference of all. */
        double dx = isnan(x->difference_pct) ? HUGE_VAL : fabs(x->difference_pct);
        double dy = isnan(y->difference_pct) ? HUGE_VAL : fabs(y->difference_pct);
        if (dx != dy)
            return dx > dy ? -1 : 1;
    }
    return strcmp(x->project.code, y->project.code);
}

int plat_targets_compute(plat_store *db, plat_targets **out, const plat_targets_options *opts)
{
    plat_targets_options defaults = PLAT_TARGETS_OPTIONS_INIT;
    const plat_targets_options *o = opts ? opts : &defaults;
    plat_ctx *ctx = plat_store_ctx(db);
    targets_run r = { ctx, o->planar, o->tolerance_pct, NULL };
    plat_project_filter f = { 0 };
    int rc;
    *out = NULL;
    if (!(o->tolerance_pct >= 0) || !isfinite(o->tolerance_pct))
        return plat_error_set(ctx, PLAT_EINVALID, "the tolerance must be a per cent of at least 0");
    if (!(r.t = calloc(1, sizeof(*r.t))))
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    f.category = o->category;
    f.status = o->status;
    f.as_of = o->as_of;
    f.as_recorded = o->as_recorded;
    if ((rc = plat_project_foreach(db, &f, each_target, &r)) < 0)
        goto done;
    if (r.t->n > 1)
        qsort(r.t->rows, r.t->n, sizeof(*r.t->rows), by_verdict);
done:
    if (rc < 0) {
        plat_targets_free(r.t);
        return rc;
    }
    *out = r.t;
    return 0;
}

size_t plat_targets_count(const plat_targets *t)
{
    return t ? t->n : 0;
}

const plat_target_row *plat_targets_row_at(const plat_targets *t, size_t i)
{
    return t && i < t->n ? &t->rows[i] : NULL;
}

size_t plat_targets_without(const plat_targets *t)
{
    return t ? t->without : 0;
}

void plat_targets_free(plat_targets *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        plat_project_dispose(&t->rows[i].project);
    free(t->rows);
    free(t);
}

/* ---- conflicts ---- */

struct plat_conflicts {
    plat_locator *loc;
    char *kind, *geometry_kind;
    plat_conflict_row *rows;
    size_t n, cap;
    size_t examined;
};

typedef struct conflicts_run {
    plat_store *db;
    plat_ctx *ctx;
    GEOSContextHandle_t h;
    const char *layer;
    int planar;
    plat_measure *measure;
    plat_conflicts *c;
} conflicts_run;

static int conflicts_push(conflicts_run *r, const plat_conflict_row *row)
{
    plat_conflicts *c = r->c;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        plat_conflict_row *rows = realloc(c->rows, cap * sizeof(*rows));
        if (!rows)
            return plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory");
        c->rows = rows;
        c->cap = cap;
    }
    c->rows[c->n++] = *row;
    return 0;
}

/* The share of the project in the layer, by the project's highest dimension. */
static double share_of(int kinds, const plat_quantity *part, const plat_quantity *whole)
{
    if (kinds & PLAT_GEOM_POLYGON)
        return whole->area_m2 > 0 ? part->area_m2 / whole->area_m2 : 0.0;
    if (kinds & PLAT_GEOM_LINE)
        return whole->length_m > 0 ? part->length_m / whole->length_m : 0.0;
    return whole->points > 0 ? (double)part->points / whole->points : 0.0;
}

static int each_conflict(const plat_project *p, void *ud)
{
    conflicts_run *r = ud;
    plat_conflict_row row;
    GEOSGeometry *g = NULL, *ov = NULL;
    const GEOSPreparedGeometry *pg = NULL;
    unsigned char *wkb = NULL;
    size_t size = 0;
    int rc = 0, hit = 0, keep = 0;
    memset(&row, 0, sizeof(row));
    if (!p->wkb)
        return 0;
    if ((rc = plat_geom_from_wkb(r->ctx, &g, p->wkb, p->wkb_size)) < 0)
        return plat_error_set(r->ctx, rc, "project %s: unreadable geometry in the ledger", p->code);
    if (!(row.kinds = plat_geom_kinds(r->ctx, g)))
        goto done;
    r->c->examined++;
    if (!(pg = GEOSPrepare_r(r->h, g))) {
        rc = plat_query__geos_fail(r->ctx, "cannot prepare a project's geometry");
        goto done;
    }
    if ((rc = plat_query__layer_overlap(r->db, &ov, &hit, r->layer, g, pg, row.kinds)) < 0 || !ov)
        goto done;
    if ((rc = plat_measure_geom(r->measure, &row.overlap, ov)) < 0)
        goto done;
    /* Listed only with a positive overlap of the project's own kinds (query.h). */
    if (!((row.kinds & PLAT_GEOM_POLYGON && row.overlap.area_m2 > 0) ||
          (row.kinds & PLAT_GEOM_LINE && row.overlap.length_m > 0) ||
          (row.kinds & PLAT_GEOM_POINT && row.overlap.points > 0)))
        goto done;
    row.total = r->planar ? p->measured_planar : p->measured;
    if (!r->c->loc && (rc = plat_locator_new(r->db, &r->c->loc, r->planar)) < 0)
        goto done;
    row.share = share_of(row.kinds, &row.overlap, &row.total);
    if ((rc = plat_geom_to_wkb(r->ctx, &wkb, &size, ov)) < 0 ||
        (rc = plat_locator_place(r->c->loc, &row.place, wkb, size, 1)) < 0)
        goto done;
    if ((rc = plat_query__project_copy(r->ctx, &row.project, p, 0)) < 0)
        goto done;
    if ((rc = conflicts_push(r, &row)) < 0)
        plat_project_dispose(&row.project);
    else
        keep = 1;
done:
    if (!keep)
        plat_placement_dispose(&row.place);
    plat_free(wkb);
    if (pg)
        GEOSPreparedGeom_destroy_r(r->h, pg);
    GEOSGeom_destroy_r(r->h, ov);
    GEOSGeom_destroy_r(r->h, g);
    return rc;
}

static int by_overlap(const void *a, const void *b)
{
    const plat_conflict_row *x = a, *y = b;
    if (x->overlap.area_m2 != y->overlap.area_m2)
        return x->overlap.area_m2 > y->overlap.area_m2 ? -1 : 1;
    if (x->overlap.length_m != y->overlap.length_m)
        return x->overlap.length_m > y->overlap.length_m ? -1 : 1;
    if (x->overlap.points != y->overlap.points)
        return x->overlap.points > y->overlap.points ? -1 : 1;
    return strcmp(x->project.code, y->project.code);
}

static int take_layer_info(const plat_layer_info *li, void *ud)
{
    plat_conflicts *c = ud;
    c->kind = plat_strdup(li->kind);
    c->geometry_kind = plat_strdup(li->geometry_kind);
    return (!c->kind && li->kind) || (!c->geometry_kind && li->geometry_kind) ? PLAT_ENOMEM : 0;
}

int plat_conflicts_compute(plat_store *db, plat_conflicts **out, const plat_conflicts_options *opts)
{
    plat_ctx *ctx = plat_store_ctx(db);
    conflicts_run r = { db, ctx, plat_gis_geos(ctx), opts ? opts->layer : NULL, opts ? opts->planar : 0, NULL, NULL };
    plat_project_filter f = { 0 };
    unsigned char *box_wkb = NULL;
    plat_box box;
    int empty = 0, rc;
    *out = NULL;
    if (!r.layer || !*r.layer)
        return plat_error_set(ctx, PLAT_EINVALID, "which layer? name a reference layer (see `plat layer list`)");
    if (!(r.c = calloc(1, sizeof(*r.c))))
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    if ((rc = plat_layer_get(db, r.layer, take_layer_info, r.c)) < 0) {
        if (rc == PLAT_ENOMEM)
            plat_error_set(ctx, rc, "out of memory");
        goto done;
    }
    if ((rc = plat_layer__extent(db, &box, &empty, r.layer)) < 0 || empty)
        goto done; /* an empty layer conflicts with nothing */
    if ((rc = plat_measure_new(ctx, &r.measure, db->srid, opts->planar)) < 0 ||
        (rc = plat_query__box_wkb(ctx, &box_wkb, &f.bbox_wkb_size, &box)) < 0)
        goto done;
    f.bbox_wkb = box_wkb;
    f.category = opts->category;
    f.status = opts->status;
    f.as_of = opts->as_of;
    f.as_recorded = opts->as_recorded;
    if ((rc = plat_project_foreach(db, &f, each_conflict, &r)) < 0)
        goto done;
    if (r.c->n > 1)
        qsort(r.c->rows, r.c->n, sizeof(*r.c->rows), by_overlap);
done:
    plat_free(box_wkb);
    plat_measure_free(r.measure);
    if (rc < 0) {
        plat_conflicts_free(r.c);
        return rc;
    }
    *out = r.c;
    return 0;
}

size_t plat_conflicts_count(const plat_conflicts *c)
{
    return c ? c->n : 0;
}

const plat_conflict_row *plat_conflicts_row_at(const plat_conflicts *c, size_t i)
{
    return c && i < c->n ? &c->rows[i] : NULL;
}

size_t plat_conflicts_examined(const plat_conflicts *c)
{
    return c ? c->examined : 0;
}

const char *plat_conflicts_layer_kind(const plat_conflicts *c)
{
    return c ? c->kind : NULL;
}

const char *plat_conflicts_layer_geometry_kind(const plat_conflicts *c)
{
    return c ? c->geometry_kind : NULL;
}

void plat_conflicts_free(plat_conflicts *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        plat_project_dispose(&c->rows[i].project);
        plat_placement_dispose(&c->rows[i].place);
    }
    free(c->rows);
    plat_locator_free(c->loc);
    free(c->kind);
    free(c->geometry_kind);
    free(c);
}

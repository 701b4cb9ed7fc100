/* layers/progress_run.c - work done per township (plat progress), at a moment and in a period.
 *
 * The ledger is read twice when a period is asked for: at the end of its last day (`to`) and at
 * the end of the day before its first (`from`), both by what was recorded up to `as_recorded`.
 * Each reading feeds the coverage engine (gis/coverage.c) with the townships, then for every
 * mapped project its geometry and, when the finished sections were drawn, those too, so both are
 * clipped by the same rules as `plat coverage` (a border stretch counted once, parts outside
 * every township kept apart). Every project part then gets its done share:
 *
 *   geometry  the finished sections' own part in the township;
 *   quantity  done (in the target's unit, a length for lines or an area for polygons) spread
 *             along the geometry: done x part / whole;
 *   progress  progress% x part.
 *
 * Done within the period is done at the end minus done the day before it starts, township by
 * township and project by project. Sums are per project: two projects on the same land (a
 * second phase of farmland) are two works, so progress does not union polygons as coverage does.
 *
 * Projects whose place is only a township or a county (precision township/county), or with no
 * geometry, are never clipped: they are listed apart with their target and what is done.
 *
 * Ownership: plat_progress owns every string and array; plat_progress_free. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plat/coverage.h"
#include "plat/progress.h"
#include "plat/units.h"
#include "layers_int.h"

typedef struct town {
    char *code, *name, *county, *county_code;
    unsigned char *wkb;
    size_t wkb_size;
} town;

/* One project's part in one zone (-1: outside every township) at one reading. */
typedef struct part {
    int proj, zone;
    plat_progress_sum sum;
} part;

/* A project at one reading. */
typedef struct proj {
    char *code, *name, *category;
    const char *basis;
    int idx, done_idx; /* engine indexes; done_idx -1 without finished sections */
    double done_total; /* quantity basis: metres or m2 done */
    int done_kind;     /* PLAT_UNIT_LENGTH or PLAT_UNIT_AREA for the quantity basis */
    double share;      /* progress basis: 0..1 */
} proj;

typedef struct reading {
    proj *p;
    int np, capp;
    part *parts;
    int nparts, capparts;
} reading;

typedef struct run {
    plat_store *db;
    const plat_progress_options *o;
    town *towns;
    int ntowns, captowns;
    plat_cov *cov;
    reading *rd;
    plat_progress *out; /* receives the unmapped projects of the final reading, else NULL */
    int capunmapped;
} run;

static int grow(void **v, int *cap, int n, size_t size)
{
    if (n < *cap)
        return 0;
    int c = *cap ? *cap * 2 : 32;
    void *p = realloc(*v, (size_t)c * size);
    if (!p)
        return PLAT_ENOMEM;
    memset((char *)p + (size_t)*cap * size, 0, (size_t)(c - *cap) * size);
    *v = p;
    *cap = c;
    return 0;
}

static int take_town(const plat_township *t, void *ud)
{
    run *r = ud;
    if (grow((void **)&r->towns, &r->captowns, r->ntowns, sizeof(town)) < 0)
        return PLAT_ENOMEM;
    town *w = &r->towns[r->ntowns++];
    w->code = plat_strdup(t->code);
    w->name = plat_strdup(t->name);
    w->county = plat_strdup(t->county ? t->county : "");
    w->county_code = plat_strdup(t->county_code ? t->county_code : "");
    if ((w->wkb = malloc(t->wkb_size))) {
        memcpy(w->wkb, t->wkb, t->wkb_size);
        w->wkb_size = t->wkb_size;
    }
    return w->code && w->name && w->county && w->county_code && w->wkb ? 0 : PLAT_ENOMEM;
}

static const char *town_name(const run *r, const char *code)
{
    for (int i = 0; code && i < r->ntowns; i++)
        if (strcmp(r->towns[i].code, code) == 0)
            return r->towns[i].name;
    return NULL;
}

static int take_unmapped(run *r, const plat_project *p)
{
    plat_progress *out = r->out;
    if (grow((void **)&out->unmapped, &r->capunmapped, out->nunmapped, sizeof(plat_progress_unmapped)) < 0)
        return PLAT_ENOMEM;
    plat_progress_unmapped *u = &out->unmapped[out->nunmapped++];
    int township = p->precision && strcmp(p->precision, "township") == 0;
    u->code = plat_strdup(p->code);
    u->name = plat_strdup(p->name);
    u->category = plat_strdup(p->category);
    u->precision = plat_strdup(p->precision ? p->precision : "none");
    u->place = plat_strdup(p->place);
    u->place_name = plat_strdup(township ? town_name(r, p->place) : p->place);
    u->county = plat_strdup(p->county);
    if ((u->has_target = p->has_target)) {
        u->target_qty = p->target_qty;
        u->target_unit = plat_strdup(p->target_unit);
    }
    if ((u->has_done = p->has_done))
        u->done = p->done;
    u->progress = p->progress;
    return u->code && u->name ? 0 : PLAT_ENOMEM;
}

static int add_geom(run *r, const unsigned char *wkb, size_t size, const char *code)
{
    GEOSGeometry *g = NULL;
    int rc = plat_geom_from_wkb(r->db->ctx, &g, wkb, size);
    if (rc < 0)
        return plat_error_set(r->db->ctx, rc, "project %s: unreadable geometry in the ledger", code);
    return plat_cov_add_project(r->cov, g, 0);
}

static int take_project(const plat_project *p, void *ud)
{
    run *r = ud;
    int mapped = p->wkb && (p->kinds & (PLAT_GEOM_LINE | PLAT_GEOM_POLYGON)) &&
                 !(p->precision && (strcmp(p->precision, "township") == 0 || strcmp(p->precision, "county") == 0));
    if (!mapped) /* points (berths, substations) have no km or 亩 to report */
        return r->out && !(p->wkb && (p->kinds & PLAT_GEOM_POINT)) ? take_unmapped(r, p) : 0;
    reading *rd = r->rd;
    if (grow((void **)&rd->p, &rd->capp, rd->np, sizeof(proj)) < 0)
        return PLAT_ENOMEM;
    proj *q = &rd->p[rd->np++];
    q->code = plat_strdup(p->code);
    q->name = plat_strdup(p->name);
    q->category = plat_strdup(p->category);
    q->done_idx = -1;
    if ((q->idx = add_geom(r, p->wkb, p->wkb_size, p->code)) < 0)
        return q->idx;
    plat_unit u = plat_unit_lookup(p->has_target ? p->target_unit : NULL);
    int fits = (u.kind == PLAT_UNIT_LENGTH && (p->kinds & PLAT_GEOM_LINE)) ||
               (u.kind == PLAT_UNIT_AREA && (p->kinds & PLAT_GEOM_POLYGON));
    if (p->done_wkb) {
        q->basis = "geometry";
        if ((q->done_idx = add_geom(r, p->done_wkb, p->done_wkb_size, p->code)) < 0)
            return q->done_idx;
    } else if (p->has_done && fits) {
        q->basis = "quantity";
        q->done_total = p->done * u.factor;
        q->done_kind = u.kind;
    } else {
        q->basis = "progress";
        q->share = p->progress / 100.0;
    }
    return q->code && q->name && q->category ? 0 : PLAT_ENOMEM;
}

static part *part_of(reading *rd, int pi, int zone)
{
    for (int i = rd->nparts - 1; i >= 0 && rd->parts[i].proj == pi; i--)
        if (rd->parts[i].zone == zone)
            return &rd->parts[i];
    if (grow((void **)&rd->parts, &rd->capparts, rd->nparts, sizeof(part)) < 0)
        return NULL;
    part *pt = &rd->parts[rd->nparts++];
    pt->proj = pi;
    pt->zone = zone;
    return pt;
}

/* Read the ledger at the end of `day` and measure every mapped project's parts. */
static int read_at(run *r, reading *rd, const char *day)
{
    plat_cov_options co = PLAT_COV_OPTIONS_INIT;
    co.working_epsg = r->db->srid ? r->db->srid : 4547;
    co.planar = r->o->planar;
    co.jobs = 1;
    r->rd = rd;
    int rc = plat_cov_new(r->db->ctx, &r->cov, &co);
    for (int i = 0; rc >= 0 && i < r->ntowns; i++) {
        GEOSGeometry *g = NULL;
        if ((rc = plat_geom_from_wkb(r->db->ctx, &g, r->towns[i].wkb, r->towns[i].wkb_size)) >= 0)
            rc = plat_cov_add_zone(r->cov, g);
    }
    plat_project_filter f = {.category = r->o->category, .as_of = day, .as_recorded = r->o->as_recorded};
    if (rc >= 0)
        rc = plat_project_foreach(r->db, &f, take_project, r);
    if (rc >= 0)
        rc = plat_cov_run_projects(r->cov);
    for (int i = 0; rc >= 0 && i < rd->np; i++) {
        proj *q = &rd->p[i];
        int n = plat_cov_project_nparts(r->cov, q->idx);
        double whole_m = 0, whole_m2 = 0;
        for (int k = 0; k < n; k++) {
            int zone;
            plat_quantity qt;
            plat_cov_project_part(r->cov, q->idx, k, &zone, &qt);
            whole_m += qt.length_m;
            whole_m2 += qt.area_m2;
        }
        for (int k = 0; rc >= 0 && k < n; k++) {
            int zone;
            plat_quantity qt;
            plat_cov_project_part(r->cov, q->idx, k, &zone, &qt);
            part *pt = part_of(rd, i, zone);
            if (!pt) {
                rc = PLAT_ENOMEM;
                break;
            }
            pt->sum.planned_m = qt.length_m;
            pt->sum.planned_m2 = qt.area_m2;
            if (q->basis[0] == 'q') { /* quantity: spread in proportion to the part */
                if (q->done_kind == PLAT_UNIT_LENGTH && whole_m > 0)
                    pt->sum.done_m = q->done_total * qt.length_m / whole_m;
                if (q->done_kind == PLAT_UNIT_AREA && whole_m2 > 0)
                    pt->sum.done_m2 = q->done_total * qt.area_m2 / whole_m2;
            } else if (q->basis[0] == 'p') {
                pt->sum.done_m = q->share * qt.length_m;
                pt->sum.done_m2 = q->share * qt.area_m2;
            }
        }
        int nd = q->done_idx >= 0 ? plat_cov_project_nparts(r->cov, q->done_idx) : 0;
        for (int k = 0; rc >= 0 && k < nd; k++) { /* geometry: the finished sections' own parts */
            int zone;
            plat_quantity qt;
            plat_cov_project_part(r->cov, q->done_idx, k, &zone, &qt);
            part *pt = part_of(rd, i, zone);
            if (!pt) {
                rc = PLAT_ENOMEM;
                break;
            }
            pt->sum.done_m += qt.length_m;
            pt->sum.done_m2 += qt.area_m2;
        }
    }
    plat_cov_free(r->cov);
    r->cov = NULL;
    if (rc == PLAT_ENOMEM)
        plat_error_set(r->db->ctx, rc, "out of memory");
    return rc;
}

static void reading_dispose(reading *rd)
{
    for (int i = 0; i < rd->np; i++) {
        free(rd->p[i].code);
        free(rd->p[i].name);
        free(rd->p[i].category);
    }
    free(rd->p);
    free(rd->parts);
    memset(rd, 0, sizeof(*rd));
}

static void sum_add(plat_progress_sum *to, const plat_progress_sum *s)
{
    to->planned_m += s->planned_m;
    to->done_m += s->done_m;
    to->period_m += s->period_m;
    to->planned_m2 += s->planned_m2;
    to->done_m2 += s->done_m2;
    to->period_m2 += s->period_m2;
}

/* Done at the start reading for project `code` in zone `zone` (-1: outside every township). */
static plat_progress_sum done_before(const reading *start, const char *code, int zone)
{
    plat_progress_sum s = {0};
    for (int i = 0; i < start->nparts; i++) {
        const part *pt = &start->parts[i];
        if (pt->zone == zone && strcmp(start->p[pt->proj].code, code) == 0) {
            s.done_m = pt->sum.done_m;
            s.done_m2 = pt->sum.done_m2;
        }
    }
    return s;
}

/* Add one project part to a row: into the item of that project, made when missing. */
static int add_item(plat_progress_row *row, const proj *q, const plat_progress_sum *s)
{
    int i = 0;
    while (i < row->nitems && strcmp(row->items[i].code, q->code) != 0)
        i++;
    if (i == row->nitems) {
        plat_progress_item *v = realloc(row->items, (size_t)(row->nitems + 1) * sizeof(*v));
        if (!v)
            return PLAT_ENOMEM;
        row->items = v;
        memset(&v[i], 0, sizeof(v[i]));
        v[i].code = plat_strdup(q->code);
        v[i].name = plat_strdup(q->name);
        v[i].category = plat_strdup(q->category);
        v[i].basis = q->basis;
        row->nitems++;
    }
    sum_add(&row->items[i].sum, s);
    sum_add(&row->sum, s);
    return 0;
}

static int cmp_item(const void *a, const void *b)
{
    return strcmp(((const plat_progress_item *)a)->code, ((const plat_progress_item *)b)->code);
}

static int cmp_unmapped(const void *a, const void *b)
{
    const plat_progress_unmapped *x = a, *y = b;
    int c = strcmp(x->precision, y->precision);
    if (!c)
        c = strcmp(x->place ? x->place : "", y->place ? y->place : "");
    return c ? c : strcmp(x->code, y->code);
}

static int build(run *r, const reading *end, const reading *start)
{
    plat_progress *out = r->out;
    int by_county = r->o->by_county;
    int *row_of = malloc(((size_t)r->ntowns + 1) * sizeof(int));
    out->rows = calloc((size_t)r->ntowns + 1, sizeof(*out->rows));
    if (!row_of || !out->rows) {
        free(row_of);
        return PLAT_ENOMEM;
    }
    /* townships come ordered by county code, then code (plat_township_foreach) */
    for (int z = 0; z < r->ntowns; z++) {
        const town *t = &r->towns[z];
        int row = -1;
        for (int k = 0; by_county && k < out->nrows; k++)
            if (strcmp(out->rows[k].code, t->county_code) == 0)
                row = k;
        if (row < 0) {
            row = out->nrows++;
            plat_progress_row *rw = &out->rows[row];
            rw->code = plat_strdup(by_county ? t->county_code : t->code);
            rw->name = plat_strdup(by_county ? t->county : t->name);
            rw->county = plat_strdup(t->county);
            rw->county_code = plat_strdup(t->county_code);
        }
        row_of[z] = row;
    }
    int rc = 0;
    for (int i = 0; rc >= 0 && i < end->nparts; i++) {
        const part *pt = &end->parts[i];
        const proj *q = &end->p[pt->proj];
        plat_progress_sum s = pt->sum;
        plat_progress_sum before = start ? done_before(start, q->code, pt->zone) : (plat_progress_sum){0};
        s.period_m = s.done_m - before.done_m;
        s.period_m2 = s.done_m2 - before.done_m2;
        plat_progress_row *row = pt->zone >= 0 ? &out->rows[row_of[pt->zone]] : &out->outside;
        rc = add_item(row, q, &s);
        if (rc >= 0)
            sum_add(&out->totals.sum, &s);
    }
    free(row_of);
    for (int k = 0; k < out->nrows; k++)
        if (out->rows[k].nitems > 1)
            qsort(out->rows[k].items, (size_t)out->rows[k].nitems, sizeof(plat_progress_item), cmp_item);
    if (out->outside.nitems > 1)
        qsort(out->outside.items, (size_t)out->outside.nitems, sizeof(plat_progress_item), cmp_item);
    if (out->nunmapped > 1)
        qsort(out->unmapped, (size_t)out->nunmapped, sizeof(plat_progress_unmapped), cmp_unmapped);
    return rc;
}

int plat_progress_compute(plat_store *db, plat_progress **result, const plat_progress_options *opts)
{
    plat_progress_options defaults = PLAT_PROGRESS_OPTIONS_INIT;
    const plat_progress_options *o = opts ? opts : &defaults;
    *result = NULL;
    char today[16], before[16];
    const char *to = o->to ? o->to : plat_date_today(today);
    if (!plat_date_valid(to))
        return plat_error_set(db->ctx, PLAT_EINVALID, "the end of the period must be a date YYYY-MM-DD, got '%s'", to);
    if (o->from && !plat_date_valid(o->from))
        return plat_error_set(db->ctx, PLAT_EINVALID, "--from must be a date YYYY-MM-DD, got '%s'", o->from);
    if (o->as_recorded && !plat_date_valid(o->as_recorded))
        return plat_error_set(db->ctx, PLAT_EINVALID, "--as-recorded must be a date YYYY-MM-DD, got '%s'",
                              o->as_recorded);
    if (o->from && strcmp(o->from, to) > 0)
        return plat_error_set(db->ctx, PLAT_EINVALID, "the period starts (%s) after it ends (%s)", o->from, to);
    plat_progress *out = calloc(1, sizeof(*out));
    if (!out)
        return plat_error_set(db->ctx, PLAT_ENOMEM, "out of memory");
    snprintf(out->as_of, sizeof out->as_of, "%s", to);
    snprintf(out->from, sizeof out->from, "%s", o->from ? o->from : "");
    snprintf(out->as_recorded, sizeof out->as_recorded, "%s", o->as_recorded ? o->as_recorded : "");
    out->planar = o->planar;
    run r = {0};
    r.db = db;
    r.o = o;
    reading end = {0}, start = {0};
    int rc = db->srid ? plat_township_foreach(db, take_town, &r) : 0;
    if (rc >= 0) {
        r.out = out; /* the unmapped projects are those of the final reading */
        rc = read_at(&r, &end, to);
        r.out = NULL;
    }
    if (rc >= 0 && o->from)
        rc = read_at(&r, &start, plat_date_before(before, o->from));
    r.out = out;
    if (rc >= 0)
        rc = build(&r, &end, o->from ? &start : NULL);
    if (rc == PLAT_ENOMEM && plat_error_last(db->ctx)->code != PLAT_ENOMEM)
        plat_error_set(db->ctx, rc, "out of memory");
    reading_dispose(&end);
    reading_dispose(&start);
    for (int i = 0; i < r.ntowns; i++) {
        free(r.towns[i].code);
        free(r.towns[i].name);
        free(r.towns[i].county);
        free(r.towns[i].county_code);
        free(r.towns[i].wkb);
    }
    free(r.towns);
    if (rc < 0) {
        plat_progress_free(out);
        return rc;
    }
    *result = out;
    return 0;
}

static void row_dispose(plat_progress_row *row)
{
    free(row->code);
    free(row->name);
    free(row->county);
    free(row->county_code);
    for (int i = 0; i < row->nitems; i++) {
        free(row->items[i].code);
        free(row->items[i].name);
        free(row->items[i].category);
    }
    free(row->items);
}

void plat_progress_free(plat_progress *pr)
{
    if (!pr)
        return;
    for (int i = 0; i < pr->nrows; i++)
        row_dispose(&pr->rows[i]);
    free(pr->rows);
    row_dispose(&pr->totals);
    row_dispose(&pr->outside);
    for (int i = 0; i < pr->nunmapped; i++) {
        plat_progress_unmapped *u = &pr->unmapped[i];
        free(u->code);
        free(u->name);
        free(u->category);
        free(u->precision);
        free(u->place);
        free(u->place_name);
        free(u->county);
        free(u->target_unit);
    }
    free(pr->unmapped);
    free(pr);
}

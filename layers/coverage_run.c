/* layers/coverage_run.c - coverage over a ledger: feeds the engine (gis/coverage.c) with the
 * townships, the projects that pass the filters and the features of the reference layers asked
 * for, then names the engine's per-zone sums and rolls them up by county when asked.
 *
 * Which projects cover a reference layer (DESIGN.md, issue "coverage engine"): a road layer is
 * covered by road projects (highway, rural_road, bridge) running along it within the tolerance;
 * a farmland layer by farmland (high-standard farmland) projects; a wetland layer by wetland
 * projects; basic farmland, the ecological red line and other layers by every project, since
 * there the question is what projects take of them. A --category filter narrows the projects
 * first, so `--layer roads --category rural_road` asks what rural-road projects cover.
 *
 * Counting: a project counts once in every township it has a part in, and once in a county
 * however many of its townships it touches. Areas of project polygons are unioned within each
 * township by the engine; townships do not overlap, so county sums are plain sums.
 *
 * Ownership: plat_coverage owns every string and array it points to; plat_coverage_free. */
#include <stdlib.h>
#include <string.h>

#include "plat/coverage.h"
#include "query_int.h"

typedef struct run {
    plat_store *db;
    plat_cov *cov;
    plat_coverage *out;
    char **tw_code, **tw_name, **tw_county, **tw_county_code;
    int64_t *tw_id;
    int ntw, captw;
    char **pcode; /* projects fed to the engine, by engine index */
    int *pcat;    /* and their category indexes */
    plat_box *pbox; /* and their envelopes widened by the tolerance (empty without geometry) */
    double pad;     /* that widening: the tolerance and a metre */
    int nproj, capproj;
    /* Per layer: its own figures per zone (index ntw: outside) when stored (layer_sums.c),
     * NULL when this run measures them. */
    plat_cov_layer_sum **own;
} run;

static int cat_index(const plat_coverage *out, const char *code)
{
    for (int i = 0; i < out->ncategories; i++)
        if (strcmp(out->categories[i], code) == 0)
            return i;
    return -1;
}

static int grow(void **v, int *cap, int n, size_t size)
{
    if (n < *cap)
        return 0;
    int c = *cap ? *cap * 2 : 64;
    void *p = realloc(*v, (size_t)c * size);
    if (!p)
        return PLAT_ENOMEM;
    *v = p;
    *cap = c;
    return 0;
}

static int take_category(const plat_category *cat, void *ud)
{
    plat_coverage *out = ud;
    const char **v = realloc(out->categories, (size_t)(out->ncategories + 1) * sizeof(*v));
    if (!v)
        return PLAT_ENOMEM;
    out->categories = v;
    if (!(v[out->ncategories] = plat_strdup(cat->code)))
        return PLAT_ENOMEM;
    out->ncategories++;
    return 0;
}

static int take_township(const plat_township *t, void *ud)
{
    run *r = ud;
    GEOSGeometry *g = NULL;
    int rc = plat_geom_from_wkb(r->db->ctx, &g, t->wkb, t->wkb_size);
    if (rc < 0)
        return rc;
    int z = plat_cov_add_zone(r->cov, g);
    if (z < 0 || plat_cov_set_zone_area(r->cov, z, r->out->planar ? t->planar_area_m2 : t->area_m2) < 0)
        return plat_error_last(r->db->ctx)->code;
    if (grow((void **)&r->tw_code, &r->captw, r->ntw, sizeof(char *)) < 0)
        return plat_error_set(r->db->ctx, PLAT_ENOMEM, "out of memory");
    /* the four arrays grow together: same capacity */
    int cap = r->captw;
    char **names = realloc(r->tw_name, (size_t)cap * sizeof(char *));
    char **counties = names ? realloc(r->tw_county, (size_t)cap * sizeof(char *)) : NULL;
    char **ccodes = counties ? realloc(r->tw_county_code, (size_t)cap * sizeof(char *)) : NULL;
    int64_t *ids = ccodes ? realloc(r->tw_id, (size_t)cap * sizeof(int64_t)) : NULL;
    if (names)
        r->tw_name = names;
    if (counties)
        r->tw_county = counties;
    if (ccodes)
        r->tw_county_code = ccodes;
    if (!ids)
        return plat_error_set(r->db->ctx, PLAT_ENOMEM, "out of memory");
    r->tw_id = ids;
    r->tw_id[r->ntw] = t->id;
    r->tw_code[r->ntw] = plat_strdup(t->code);
    r->tw_name[r->ntw] = plat_strdup(t->name);
    r->tw_county[r->ntw] = plat_strdup(t->county ? t->county : "");
    r->tw_county_code[r->ntw] = plat_strdup(t->county_code ? t->county_code : "");
    r->ntw++;
    return 0;
}

/* Keep a township- or county-level project's description to report it apart. */
static int take_unmapped(run *r, const plat_project *p)
{
    plat_coverage *out = r->out;
    plat_project *v = realloc(out->unmapped, (size_t)(out->nunmapped + 1) * sizeof(*v));
    if (!v)
        return plat_error_set(r->db->ctx, PLAT_ENOMEM, "out of memory");
    out->unmapped = v;
    plat_project *u = &v[out->nunmapped++];
    memset(u, 0, sizeof(*u));
    u->code = plat_strdup(p->code);
    u->name = plat_strdup(p->name);
    u->category = plat_strdup(p->category);
    u->precision = plat_strdup(p->precision);
    u->place = plat_strdup(p->place);
    u->county = plat_strdup(p->county);
    u->status = plat_strdup(p->status);
    if ((u->has_target = p->has_target)) {
        u->target_qty = p->target_qty;
        u->target_unit = plat_strdup(p->target_unit);
    }
    if ((u->has_done = p->has_done))
        u->done = p->done;
    u->progress = p->progress;
    return 0;
}

static int take_project(const plat_project *p, void *ud)
{
    run *r = ud;
    GEOSGeometry *g = NULL;
    int rc;
    if (p->precision && (strcmp(p->precision, "township") == 0 || strcmp(p->precision, "county") == 0) &&
        (rc = take_unmapped(r, p)) < 0)
        return rc;
    if (p->wkb && (rc = plat_geom_from_wkb(r->db->ctx, &g, p->wkb, p->wkb_size)) < 0)
        return plat_error_set(r->db->ctx, rc, "project %s: unreadable geometry in the ledger", p->code);
    /* The envelope before the engine takes the geometry: layers' stored figures (see
     * plat_coverage_compute) need only the features near covering projects. */
    plat_box box = { 1, 0, 0, 0 }; /* empty */
    GEOSContextHandle_t h = plat_gis_geos(r->db->ctx);
    if (g && !GEOSisEmpty_r(h, g) && (rc = plat_query__box_of(r->db->ctx, &box, g, r->pad)) < 0) {
        GEOSGeom_destroy_r(h, g);
        return rc;
    }
    int cat = cat_index(r->out, p->category);
    if (plat_cov_add_project(r->cov, g, cat < 0 ? 0 : cat) < 0)
        return plat_error_last(r->db->ctx)->code;
    int cap = r->capproj;
    if (grow((void **)&r->pcode, &r->capproj, r->nproj, sizeof(char *)) < 0)
        return plat_error_set(r->db->ctx, PLAT_ENOMEM, "out of memory");
    if (r->capproj != cap) {
        int *v = realloc(r->pcat, (size_t)r->capproj * sizeof(int));
        if (v)
            r->pcat = v;
        plat_box *b = v ? realloc(r->pbox, (size_t)r->capproj * sizeof(plat_box)) : NULL;
        if (!b)
            return plat_error_set(r->db->ctx, PLAT_ENOMEM, "out of memory");
        r->pbox = b;
    }
    r->pbox[r->nproj] = box;
    r->pcat[r->nproj] = cat < 0 ? 0 : cat;
    r->pcode[r->nproj++] = plat_strdup(p->code);
    return 0;
}

static int take_layer_info(const plat_layer_info *li, void *ud)
{
    plat_coverage *out = ud;
    int l = out->nlayers;
    out->layer_names[l] = plat_strdup(li->name);
    out->layer_kinds[l] = plat_strdup(li->kind);
    if (!out->layer_names[l] || !out->layer_kinds[l])
        return PLAT_ENOMEM;
    out->nlayers++;
    return 0;
}

static int take_geometry(int64_t id, GEOSGeometry *g, void *ud)
{
    (void)id;
    run *r = ud;
    return plat_cov_add_layer_feature(r->cov, g) < 0 ? plat_error_last(r->db->ctx)->code : 0;
}

/* The layer's own figures per zone from the ledger into r->own[l], when stored for exactly
 * these townships; left NULL otherwise. */
static int stored_layer_figures(run *r, int l)
{
    plat_layer_sum_row *rows = NULL;
    int n = 0;
    int rc = plat_store__layer_sums_read(r->db, r->out->layer_names[l], r->out->planar, &rows, &n);
    if (rc <= 0 || n != r->ntw + 1) {
        free(rows);
        return rc < 0 ? rc : 0;
    }
    plat_cov_layer_sum *own = calloc((size_t)r->ntw + 1, sizeof(*own));
    if (!own) {
        free(rows);
        return plat_error_set(r->db->ctx, PLAT_ENOMEM, "out of memory");
    }
    /* rows come sorted by township id, the outside (0) first */
    int whole = rows[0].township_id == 0;
    own[r->ntw] = (plat_cov_layer_sum){ rows[0].features, rows[0].line_m, rows[0].area_m2, 0, 0 };
    for (int z = 0; whole && z < r->ntw; z++) {
        int lo = 1, hi = n - 1, at = -1;
        while (lo <= hi) {
            int mid = (lo + hi) / 2;
            if (rows[mid].township_id == r->tw_id[z]) {
                at = mid;
                break;
            }
            if (rows[mid].township_id < r->tw_id[z])
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        if (at < 0)
            whole = 0;
        else
            own[z] = (plat_cov_layer_sum){ rows[at].features, rows[at].line_m, rows[at].area_m2, 0, 0 };
    }
    free(rows);
    if (whole)
        r->own[l] = own;
    else
        free(own);
    return 0;
}

/* Only the features whose envelope comes within the tolerance of a covering project's can be
 * covered; the engine sees those alone, in row order, and adds their covered parts in the
 * same order as a run over every feature would (the others add zero), so the figures are the
 * same to the bit. */
static int feed_near_projects(run *r, int l, const unsigned char *covering)
{
    double *boxes = malloc(((size_t)r->nproj + 1) * 4 * sizeof(double));
    if (!boxes)
        return plat_error_set(r->db->ctx, PLAT_ENOMEM, "out of memory");
    int n = 0;
    for (int p = 0; p < r->nproj; p++) {
        const plat_box *b = &r->pbox[p];
        if (!covering[r->pcat[p]] || plat_query__box_empty(b))
            continue;
        boxes[4 * n] = b->x0;
        boxes[4 * n + 1] = b->y0;
        boxes[4 * n + 2] = b->x1;
        boxes[4 * n + 3] = b->y1;
        n++;
    }
    int rc = plat_layer_foreach_geometry(r->db, r->out->layer_names[l], boxes, n, take_geometry, r);
    free(boxes);
    return rc;
}

/* Keep what this run measured of the layer's own figures for the next run. */
static int store_layer_figures(run *r, int l)
{
    plat_layer_sum_row *rows = calloc((size_t)r->ntw + 1, sizeof(*rows));
    if (!rows)
        return plat_error_set(r->db->ctx, PLAT_ENOMEM, "out of memory");
    for (int z = -1; z < r->ntw; z++) {
        const plat_cov_layer_sum *s = plat_cov_layer_zone(r->cov, l, z);
        rows[z + 1] = (plat_layer_sum_row){ z < 0 ? 0 : r->tw_id[z], s->features, s->line_m, s->area_m2 };
    }
    plat_store__layer_sums_write(r->db, r->out->layer_names[l], r->out->planar, rows, r->ntw + 1);
    free(rows);
    return 0;
}

static void covering_for(const plat_coverage *out, const char *kind, unsigned char *covering)
{
    static const char *const roads[] = { "highway", "rural_road", "bridge", NULL };
    static const char *const farmland[] = { "farmland", NULL };
    static const char *const wetland[] = { "wetland", NULL };
    const char *const *set = strcmp(kind, "roads") == 0      ? roads
                             : strcmp(kind, "farmland") == 0 ? farmland
                             : strcmp(kind, "wetland") == 0  ? wetland
                                                             : NULL;
    for (int i = 0; i < out->ncategories; i++) {
        covering[i] = set ? 0 : 1;
        for (int k = 0; set && set[k]; k++)
            if (strcmp(set[k], out->categories[i]) == 0)
                covering[i] = 1;
    }
}

static int row_init(plat_coverage_row *row, int ncat, int nlayers)
{
    memset(row, 0, sizeof(*row));
    row->by_category = calloc((size_t)ncat + 1, sizeof(*row->by_category));
    row->layers = calloc((size_t)nlayers + 1, sizeof(*row->layers));
    return row->by_category && row->layers ? 0 : PLAT_ENOMEM;
}

static void sum_add(plat_cov_sum *to, const plat_cov_sum *s)
{
    to->line_m += s->line_m;
    to->area_m2 += s->area_m2;
    to->points += s->points;
}

static void layer_add(plat_cov_layer_sum *to, const plat_cov_layer_sum *s)
{
    to->features += s->features;
    to->line_m += s->line_m;
    to->area_m2 += s->area_m2;
    to->covered_line_m += s->covered_line_m;
    to->covered_area_m2 += s->covered_area_m2;
}

/* Layer l in zone z (-1: outside): what the engine measured, with the layer's own figures
 * from the ledger when they were stored (the engine then saw only features near projects). */
static plat_cov_layer_sum layer_zone(const run *r, int l, int z)
{
    const plat_cov_layer_sum *s = plat_cov_layer_zone(r->cov, l, z);
    if (!r->own[l])
        return *s;
    plat_cov_layer_sum merged = r->own[l][z < 0 ? r->ntw : z];
    merged.covered_line_m = s->covered_line_m;
    merged.covered_area_m2 = s->covered_area_m2;
    return merged;
}

/* Rows: one per township, or one per county; `row_of` maps a township to its row. */
static int build_rows(run *r, int by_county, int *row_of)
{
    plat_coverage *out = r->out;
    int nl = out->nlayers, ncat = out->ncategories;
    out->rows = calloc((size_t)r->ntw + 1, sizeof(*out->rows));
    if (!out->rows)
        return PLAT_ENOMEM;
    for (int z = 0; z < r->ntw; z++) {
        int row = -1;
        for (int k = 0; by_county && k < out->nrows; k++)
            if (strcmp(out->rows[k].code, r->tw_county_code[z]) == 0)
                row = k;
        if (row < 0) {
            row = out->nrows++;
            if (row_init(&out->rows[row], ncat, nl) < 0)
                return PLAT_ENOMEM;
            out->rows[row].code = plat_strdup(by_county ? r->tw_county_code[z] : r->tw_code[z]);
            out->rows[row].name = plat_strdup(by_county ? r->tw_county[z] : r->tw_name[z]);
            out->rows[row].county = plat_strdup(r->tw_county[z]);
            for (int l = 0; l < nl; l++)
                out->rows[row].layers[l] = out->totals.layers[l];
        }
        row_of[z] = row;
        plat_coverage_row *rw = &out->rows[row];
        rw->area_m2 += plat_cov_zone_area(r->cov, z);
        sum_add(&rw->all, plat_cov_zone_sum(r->cov, z, -1));
        for (int c = 0; c < ncat; c++)
            sum_add(&rw->by_category[c], plat_cov_zone_sum(r->cov, z, c));
        for (int l = 0; l < nl; l++) {
            plat_cov_layer_sum s = layer_zone(r, l, z);
            layer_add(&rw->layers[l].sum, &s);
        }
    }
    return 0;
}

/* Distinct project counts per row and category, and in the totals. */
static int count_projects(run *r, const int *row_of, const int *project_cat)
{
    plat_coverage *out = r->out;
    int *seen = malloc(((size_t)out->nrows + 1) * sizeof(int));
    if (!seen)
        return PLAT_ENOMEM;
    for (int k = 0; k < out->nrows; k++)
        seen[k] = -1;
    for (int p = 0; p < r->nproj; p++) {
        int n;
        const int *zones = plat_cov_project_zones(r->cov, p, &n);
        if (n > 0) {
            out->totals.all.projects++;
            out->totals.by_category[project_cat[p]].projects++;
        }
        for (int k = 0; k < n; k++) {
            int row = row_of[zones[k]];
            if (seen[row] == p)
                continue;
            seen[row] = p;
            out->rows[row].all.projects++;
            out->rows[row].by_category[project_cat[p]].projects++;
        }
    }
    free(seen);
    return 0;
}

static int collect(run *r, const plat_coverage_options *o)
{
    plat_coverage *out = r->out;
    int ncat = out->ncategories, nl = out->nlayers;
    int *row_of = malloc(((size_t)r->ntw + 1) * sizeof(int));
    if (!row_of || row_init(&out->totals, ncat, nl) < 0 || row_init(&out->outside, ncat, nl) < 0) {
        free(row_of);
        return PLAT_ENOMEM;
    }
    for (int l = 0; l < nl; l++) {
        out->totals.layers[l].name = out->layer_names[l];
        out->totals.layers[l].kind = out->layer_kinds[l];
        out->outside.layers[l] = out->totals.layers[l];
    }
    int rc = build_rows(r, o->by_county, row_of);
    if (rc >= 0)
        rc = count_projects(r, row_of, r->pcat);
    free(row_of);
    if (rc < 0)
        return rc;
    for (int k = 0; k < out->nrows; k++) {
        const plat_coverage_row *rw = &out->rows[k];
        out->totals.area_m2 += rw->area_m2;
        sum_add(&out->totals.all, &rw->all);
        for (int c = 0; c < ncat; c++)
            sum_add(&out->totals.by_category[c], &rw->by_category[c]);
        for (int l = 0; l < nl; l++)
            layer_add(&out->totals.layers[l].sum, &rw->layers[l].sum);
    }
    out->outside.all = *plat_cov_zone_sum(r->cov, -1, -1);
    for (int c = 0; c < ncat; c++)
        out->outside.by_category[c] = *plat_cov_zone_sum(r->cov, -1, c);
    for (int l = 0; l < nl; l++)
        out->outside.layers[l].sum = layer_zone(r, l, -1);
    out->nprojects = r->nproj;
    out->outside_codes = calloc((size_t)r->nproj + 1, sizeof(char *));
    if (!out->outside_codes)
        return PLAT_ENOMEM;
    for (int p = 0; p < r->nproj; p++)
        if (plat_cov_project_outside(r->cov, p))
            out->outside_codes[out->noutside_projects++] = plat_strdup(r->pcode[p]);
    return 0;
}

int plat_coverage_compute(plat_store *db, plat_coverage **result, const plat_coverage_options *opts)
{
    plat_coverage_options defaults = PLAT_COVERAGE_OPTIONS_INIT;
    const plat_coverage_options *o = opts ? opts : &defaults;
    *result = NULL;
    run r = { 0 };
    r.db = db;
    r.pad = o->tolerance_m + 1.0;
    plat_coverage *out = calloc(1, sizeof(*out));
    unsigned char *covering = NULL;
    int nlayers = 0;
    while (o->layers && o->layers[nlayers])
        nlayers++;
    if (!out || !(out->layer_names = calloc((size_t)nlayers + 1, sizeof(char *))) ||
        !(out->layer_kinds = calloc((size_t)nlayers + 1, sizeof(char *)))) {
        plat_coverage_free(out);
        return plat_error_set(db->ctx, PLAT_ENOMEM, "out of memory");
    }
    r.out = out;
    out->planar = o->planar;
    int rc = plat_category_foreach(db, take_category, out);
    for (int l = 0; rc >= 0 && l < nlayers; l++) /* unknown layers fail before any work */
        rc = plat_layer_get(db, o->layers[l], take_layer_info, out);
    if (rc < 0)
        goto done;
    plat_cov_options co = PLAT_COV_OPTIONS_INIT;
    /* Without a working CRS nothing is mapped yet: every figure is zero, no township listed;
     * the engine still needs a metric CRS to be built with. */
    co.working_epsg = db->srid ? db->srid : 4547;
    co.planar = o->planar;
    co.jobs = o->jobs;
    co.ncategories = out->ncategories;
    co.tolerance_m = o->tolerance_m;
    if ((rc = plat_cov_new(db->ctx, &r.cov, &co)) < 0)
        goto done;
    if (db->srid && (rc = plat_township_foreach(db, take_township, &r)) < 0)
        goto done;
    plat_project_filter f = { .category = o->category, .status = o->status, .as_of = o->as_of,
                              .as_recorded = o->as_recorded };
    if ((rc = plat_project_foreach(db, &f, take_project, &r)) < 0 || (rc = plat_cov_run_projects(r.cov)) < 0)
        goto done;
    if (!(covering = calloc((size_t)out->ncategories + 1, 1))) {
        rc = plat_error_set(db->ctx, PLAT_ENOMEM, "out of memory");
        goto done;
    }
    if (!(r.own = calloc((size_t)out->nlayers + 1, sizeof(*r.own)))) {
        rc = plat_error_set(db->ctx, PLAT_ENOMEM, "out of memory");
        goto done;
    }
    for (int l = 0; l < out->nlayers; l++) {
        covering_for(out, out->layer_kinds[l], covering);
        if ((rc = stored_layer_figures(&r, l)) < 0 || (rc = plat_cov_begin_layer(r.cov, covering)) < 0)
            goto done;
        if (r.own[l])
            rc = feed_near_projects(&r, l, covering);
        else
            rc = plat_layer_foreach_geometry(db, out->layer_names[l], NULL, 0, take_geometry, &r);
        if (rc < 0 || (rc = plat_cov_end_layer(r.cov)) < 0)
            goto done;
        if (!r.own[l] && (rc = store_layer_figures(&r, l)) < 0)
            goto done;
    }
    if ((rc = collect(&r, o)) == PLAT_ENOMEM)
        plat_error_set(db->ctx, rc, "out of memory");
done:
    if (rc == PLAT_ENOMEM && plat_error_last(db->ctx)->code != PLAT_ENOMEM)
        plat_error_set(db->ctx, rc, "out of memory");
    plat_cov_free(r.cov);
    for (int i = 0; i < r.ntw; i++) {
        free(r.tw_code[i]);
        free(r.tw_name[i]);
        free(r.tw_county[i]);
        free(r.tw_county_code[i]);
    }
    free(r.tw_code);
    free(r.tw_name);
    free(r.tw_county);
    free(r.tw_county_code);
    for (int i = 0; i < r.nproj; i++)
        free(r.pcode[i]);
    free(r.pcode);
    free(r.pcat);
    free(r.pbox);
    free(r.tw_id);
    for (int l = 0; r.own && l < out->nlayers; l++)
        free(r.own[l]);
    free(r.own);
    free(covering);
    if (rc < 0) {
        plat_coverage_free(out);
        return rc;
    }
    *result = out;
    return 0;
}

static void row_dispose(plat_coverage_row *row, int owns_names)
{
    if (owns_names) {
        free((void *)row->code);
        free((void *)row->name);
        free((void *)row->county);
    }
    free(row->by_category);
    free(row->layers);
}

void plat_coverage_free(plat_coverage *cov)
{
    if (!cov)
        return;
    for (int i = 0; i < cov->nrows; i++)
        row_dispose(&cov->rows[i], 1);
    free(cov->rows);
    row_dispose(&cov->totals, 0);
    row_dispose(&cov->outside, 0);
    for (int i = 0; i < cov->ncategories; i++)
        free((void *)cov->categories[i]);
    free(cov->categories);
    for (int i = 0; i < cov->nlayers; i++) {
        free(cov->layer_names[i]);
        free(cov->layer_kinds[i]);
    }
    free(cov->layer_names);
    free(cov->layer_kinds);
    for (int i = 0; i < cov->noutside_projects; i++)
        free(cov->outside_codes[i]);
    free(cov->outside_codes);
    for (int i = 0; i < cov->nunmapped; i++)
        plat_project_dispose(&cov->unmapped[i]);
    free(cov->unmapped);
    free(cov);
}

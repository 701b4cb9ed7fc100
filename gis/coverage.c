/* gis/coverage.c - the coverage engine: what projects and reference layers cover in each zone.
 *
 * Flow. Zones (townships) come first and go into an STRtree. Projects come next, all of them
 * (a county has hundreds, a province some thousands): each is clipped to the zones it lies in
 * and measured; per zone, the clipped polygons are unioned overall and per category so that
 * overlapping projects count once, and the clipped lines and polygons of the projects that
 * "cover" a reference layer are merged into one covering geometry per zone (lines buffered by
 * the tolerance). Reference-layer features come last, as a stream: they are collected in
 * batches, each batch is cut into one contiguous slice per thread, and each thread clips its
 * features to the zones, measures them and measures what the zone's covering geometry covers,
 * while the caller reads the next batch. Per-feature results are merged in feature order after
 * the threads join, so the sums are the same, bit for bit, whatever the number of threads.
 *
 * Clipping one feature. The tree gives the candidate zones. A zone whose prepared geometry
 * contains the feature takes it whole, measured without any intersection (the containment
 * shortcut: most features of a fine layer lie inside one township). Before asking GEOS, each
 * candidate zone's raster answers from the feature's envelope alone (zone_grid below): a
 * feature whose envelope falls in cells wholly inside the zone is contained, one in cells
 * wholly outside is disjoint, and only features near the boundary go on to the prepared
 * predicates; the answers are the same, the raster only knows them sooner. Near the boundary a
 * line or small parcel that crosses it properly is clipped exactly from its crossings with the
 * zone's nearby edges (gis/clip.c), with no GEOS overlay; anything degenerate or uncertain is
 * left to GEOS as before. Otherwise each zone the
 * feature intersects gets the intersection, if that has length or area (a polygon touching a
 * border shares no area; a line meeting it at a point no length). A line running along a shared
 * border is in both closed zones: later zones lose what earlier ones took, so it is counted
 * once, in the zone added first (or whole in a zone that contains all of the line, as one that
 * runs along the border and then into that zone). Points on a border go to the first zone
 * likewise. What is left over lies outside every zone.
 *
 * Threads. GEOS prepared geometries and STRtrees build lazily and are not safe to share, and a
 * GEOS handle or PROJ context belongs to one thread; so each worker thread has its own context,
 * measurer, clones of the zones and covering geometries, tree, prepared geometries and zone
 * rasters. Worker 0 is the caller's own context and clips the projects; workers 1..jobs, on
 * threads of their own, measure the layer features. Ownership: the engine owns every geometry it is given; results
 * are borrowed from it until plat_cov_free. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plat/coverage.h"
#include "plat/util.h"
#include "gis_int.h"

#define NODE_CAPACITY 10
#define BATCH_PER_JOB 2048
#define GRID_CELLS 64 /* a zone's raster is at most this many cells a side */

enum { CELL_OUT = 0, CELL_IN = 1, CELL_EDGE = 2 };

/* A zone's raster over its envelope, built by a worker the first time it clips a feature near
 * the zone (like its prepared geometries: an engine that clips one project among 2,000
 * townships builds one or two, not 2,000). A cell is EDGE when a boundary segment comes within a hair of it, else IN or OUT by whether
 * its centre is inside; a cell that no boundary touches lies wholly on one side. Why: with
 * townships of hundreds of boundary vertices, the prepared contains test of every feature was
 * a fifth of `plat coverage --layer farmland`; the raster answers it for the 95% of features
 * that lie away from every border with a few array reads. */
typedef struct zone_grid {
    double x0, y0, cw, ch; /* origin and cell size */
    int nx, ny;
    int built;
    unsigned char *cell;   /* nx * ny, row-major from y0; NULL: no raster (always ask GEOS) */
} zone_grid;

/* One clipped part of a geometry: the zone, what it measures, and the part itself when the
 * caller needs the geometry (projects keep it for the unions; layer features do not). */
#define PART_RUNS 4

typedef struct part {
    int zone; /* -1: the leftover outside every zone */
    plat_quantity q;
    GEOSGeometry *geom; /* owned; NULL when the part is the whole input (containment) */
    double covered_line_m, covered_area_m2;
    /* a line part cut exactly (gis/clip.c) in at most PART_RUNS runs: where they lie along the
     * line (start, end); nruns 0 otherwise */
    int nruns;
    double runs[2 * PART_RUNS];
} part;

typedef struct parts {
    part *v;
    int n, cap;
} parts;

typedef struct project {
    GEOSGeometry *geom; /* owned, NULL without geometry */
    int cat;
    int kinds;
    parts p;            /* zone parts; geom of each owned */
    int *zones;         /* ascending zone indexes of the parts */
    int nzones;
    int outside;
} project;

/* What a worker keeps of a zone's covering geometry besides its prepared form, built the
 * first time it measures a part in that zone (per layer): a raster like the zone's, and its
 * boundary segments for the exact clip. */
typedef struct cover_aid {
    int built;
    zone_grid grid;
    plat_gis__edges *edges;
} cover_aid;

/* A thread's own view of the zones and the current layer's covering geometries. */
typedef struct worker {
    plat_cov *c;
    plat_ctx *ctx;      /* worker 0: the caller's; others: owned */
    GEOSContextHandle_t h;
    plat_measure *m;
    GEOSGeometry **zone;                     /* owned clones (worker 0: borrowed from c) */
    const GEOSPreparedGeometry **zone_prep;  /* owned, lazily */
    zone_grid *grid;                         /* per zone, owned, lazily */
    plat_gis__edges **edges;                 /* per zone, owned, lazily (NULL: none to be had) */
    unsigned char *edges_built;
    plat_gis__clip_scratch *scratch;         /* owned: what the exact clips work in */
    GEOSSTRtree *tree;
    GEOSGeometry **cover_line, **cover_poly; /* per zone, owned clones (worker 0: borrowed) */
    const GEOSPreparedGeometry **cover_line_prep, **cover_poly_prep;
    cover_aid *cover_aid[2];                 /* per zone: [0] of cover_line, [1] of cover_poly */
    int *hits;
    int nhits, caphits;
    int failed;
    /* the slice of the batch this worker measures, and its features' parts in feature order */
    GEOSGeometry *const *items;
    int lo, hi;
    parts out;
    int rc;
} worker;

struct plat_cov {
    plat_ctx *ctx;
    GEOSContextHandle_t h;
    plat_cov_options o;
    int nzones, capzones;
    GEOSGeometry **zone;
    double *zone_area;  /* capzones: given (plat_cov_set_zone_area) or measured by run_projects; 0 until then */
    project *proj;
    int nproj, capproj;
    int projects_done;
    plat_cov_sum *sum;  /* (nzones + 1) * (ncategories + 1): [z][0] all, [z][1 + cat]; z = nzones outside */
    /* layers */
    int nlayers;
    plat_cov_layer_sum *lsum; /* nlayers * (nzones + 1) */
    int in_layer;
    GEOSGeometry **cover_line, **cover_poly; /* per zone, for the current layer; owned */
    GEOSGeometry **batch;    /* being filled by the caller */
    int nbatch, capbatch;
    GEOSGeometry **inflight; /* being measured by workers 1..nrunning, while `running` */
    int ninflight, capinflight;
    int running, nrunning;
    pthread_t tid[65];
    int started[65];
    worker *w;               /* nworkers + 1: 0 the caller's (projects), 1.. for layer features */
    int nworkers;
};

/* ---- small helpers ---- */

static int parts_push(parts *ps, const part *p)
{
    if (ps->n == ps->cap) {
        int cap = ps->cap ? ps->cap * 2 : 4;
        part *v = realloc(ps->v, (size_t)cap * sizeof(*v));
        if (!v)
            return PLAT_ENOMEM;
        ps->v = v;
        ps->cap = cap;
    }
    ps->v[ps->n++] = *p;
    return 0;
}

static void parts_clear(GEOSContextHandle_t h, parts *ps)
{
    for (int i = 0; i < ps->n; i++)
        if (ps->v[i].geom)
            GEOSGeom_destroy_r(h, ps->v[i].geom);
    ps->n = 0;
}

static void parts_dispose(GEOSContextHandle_t h, parts *ps)
{
    parts_clear(h, ps);
    free(ps->v);
    memset(ps, 0, sizeof(*ps));
}

static int has_measure(const plat_quantity *q, int kinds)
{
    return ((kinds & PLAT_GEOM_LINE) && q->length_m > 0) || ((kinds & PLAT_GEOM_POLYGON) && q->area_m2 > 0) ||
           ((kinds & PLAT_GEOM_POINT) && q->points > 0);
}

static plat_cov_sum *sum_at(const plat_cov *c, int z, int cat)
{
    int zi = z < 0 ? c->nzones : z;
    return &c->sum[(size_t)zi * (size_t)(c->o.ncategories + 1) + (size_t)(cat + 1)];
}

/* ---- zone rasters ---- */

/* The boundary segments of a zone, as one array of (ax, ay, bx, by). */
typedef struct segs {
    double *v;
    size_t n, cap;
} segs;

static int segs_add_ring(GEOSContextHandle_t h, segs *s, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n))
        return -1;
    if (n < 2)
        return 0;
    double *x = malloc((size_t)n * 2 * sizeof(double));
    if (!x)
        return -1;
    double *y = x + n;
    int rc = GEOSCoordSeq_copyToArrays_r(h, seq, x, y, NULL, NULL) ? 0 : -1;
    if (rc == 0 && s->n + n > s->cap) {
        size_t cap = s->cap ? s->cap : 1024;
        while (cap < s->n + n)
            cap *= 2;
        double *v = realloc(s->v, cap * 4 * sizeof(double));
        if (v) {
            s->v = v;
            s->cap = cap;
        } else {
            rc = -1;
        }
    }
    for (unsigned int i = 1; rc == 0 && i < n; i++) {
        double *d = s->v + 4 * s->n++;
        d[0] = x[i - 1], d[1] = y[i - 1], d[2] = x[i], d[3] = y[i];
    }
    free(x);
    return rc;
}

static int segs_add(GEOSContextHandle_t h, segs *s, const GEOSGeometry *g)
{
    int t = GEOSGeomTypeId_r(h, g);
    if (t == GEOS_POLYGON) {
        if (segs_add_ring(h, s, GEOSGetExteriorRing_r(h, g)) < 0)
            return -1;
        int holes = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < holes; i++)
            if (segs_add_ring(h, s, GEOSGetInteriorRingN_r(h, g, i)) < 0)
                return -1;
        return 0;
    }
    if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++)
            if (segs_add(h, s, GEOSGetGeometryN_r(h, g, i)) < 0)
                return -1;
        return 0;
    }
    return -1; /* not polygonal: no raster, GEOS decides */
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Build zone z's raster. Failure is not an error: the zone then has none (cell NULL) and
 * every question about it goes to GEOS. */
static void grid_build(GEOSContextHandle_t h, zone_grid *gr, const GEOSGeometry *zone)
{
    memset(gr, 0, sizeof(*gr));
    gr->built = 1;
    double xmin, ymin, xmax, ymax;
    segs s = { NULL, 0, 0 };
    double *xs = NULL;
    if (!GEOSGeom_getExtent_r(h, zone, &xmin, &ymin, &xmax, &ymax) || !(xmax > xmin) || !(ymax > ymin) ||
        segs_add(h, &s, zone) < 0 || s.n == 0)
        goto done;
    gr->nx = gr->ny = GRID_CELLS;
    gr->x0 = xmin, gr->y0 = ymin;
    gr->cw = (xmax - xmin) / gr->nx, gr->ch = (ymax - ymin) / gr->ny;
    if (!(gr->cell = calloc((size_t)gr->nx * (size_t)gr->ny, 1)) || !(xs = malloc(s.n * sizeof(double))))
        goto fail;
    /* EDGE: every cell a boundary piece's box reaches, the box widened by a margin far above
     * rounding, so a cell left unmarked has no boundary point in it or on its sides. Pieces are
     * at most a cell long, so a long diagonal edge does not mark its whole bounding box. */
    double eps = 1e-7 * (gr->cw + gr->ch + fabs(xmin) + fabs(ymin) + fabs(xmax) + fabs(ymax));
    double step = gr->cw < gr->ch ? gr->cw : gr->ch;
    for (size_t i = 0; i < s.n; i++) {
        const double *d = s.v + 4 * i;
        double len = hypot(d[2] - d[0], d[3] - d[1]);
        int pieces = len > step ? (int)ceil(len / step) : 1;
        for (int k = 0; k < pieces; k++) {
            double t0 = (double)k / pieces, t1 = (double)(k + 1) / pieces;
            double ax = d[0] + t0 * (d[2] - d[0]), ay = d[1] + t0 * (d[3] - d[1]);
            double bx = k + 1 == pieces ? d[2] : d[0] + t1 * (d[2] - d[0]);
            double by = k + 1 == pieces ? d[3] : d[1] + t1 * (d[3] - d[1]);
            int i0 = (int)floor(((ax < bx ? ax : bx) - eps - gr->x0) / gr->cw);
            int i1 = (int)floor(((ax > bx ? ax : bx) + eps - gr->x0) / gr->cw);
            int j0 = (int)floor(((ay < by ? ay : by) - eps - gr->y0) / gr->ch);
            int j1 = (int)floor(((ay > by ? ay : by) + eps - gr->y0) / gr->ch);
            for (int j = j0 < 0 ? 0 : j0; j <= j1 && j < gr->ny; j++)
                for (int ii = i0 < 0 ? 0 : i0; ii <= i1 && ii < gr->nx; ii++)
                    gr->cell[(size_t)j * (size_t)gr->nx + (size_t)ii] = CELL_EDGE;
        }
    }
    /* IN or OUT for the rest: the parity of boundary crossings left of the cell's centre on
     * the row's centre line (even-odd over every ring, which is inside for a valid polygon). */
    for (int j = 0; j < gr->ny; j++) {
        double yc = gr->y0 + (j + 0.5) * gr->ch;
        size_t nxs = 0;
        for (size_t i = 0; i < s.n; i++) {
            const double *d = s.v + 4 * i;
            if ((d[1] <= yc) != (d[3] <= yc))
                xs[nxs++] = d[0] + (yc - d[1]) * (d[2] - d[0]) / (d[3] - d[1]);
        }
        qsort(xs, nxs, sizeof(double), cmp_double);
        size_t k = 0;
        for (int i = 0; i < gr->nx; i++) {
            unsigned char *c = &gr->cell[(size_t)j * (size_t)gr->nx + (size_t)i];
            double xc = gr->x0 + (i + 0.5) * gr->cw;
            while (k < nxs && xs[k] < xc)
                k++;
            if (*c != CELL_EDGE)
                *c = (k & 1) ? CELL_IN : CELL_OUT;
        }
    }
    goto done;
fail:
    free(gr->cell);
    memset(gr, 0, sizeof(*gr));
    gr->built = 1;
done:
    free(xs);
    free(s.v);
}

/* What zone z's raster says of a geometry with this envelope: CELL_IN (inside the zone's
 * interior), CELL_OUT (disjoint from the zone) or CELL_EDGE (ask GEOS). */
static int grid_classify(const zone_grid *gr, double xmin, double ymin, double xmax, double ymax)
{
    if (!gr->cell)
        return CELL_EDGE;
    int i0 = (int)floor((xmin - gr->x0) / gr->cw), i1 = (int)floor((xmax - gr->x0) / gr->cw);
    int j0 = (int)floor((ymin - gr->y0) / gr->ch), j1 = (int)floor((ymax - gr->y0) / gr->ch);
    /* Reaching the rim of the zone's envelope or beyond: the tree found the envelopes meet,
     * and a feature on the rim may lie on the zone's boundary. */
    if (i0 < 0 || j0 < 0 || i1 >= gr->nx || j1 >= gr->ny)
        return CELL_EDGE;
    int seen = gr->cell[(size_t)j0 * (size_t)gr->nx + (size_t)i0];
    for (int j = j0; j <= j1; j++)
        for (int i = i0; i <= i1; i++)
            if (gr->cell[(size_t)j * (size_t)gr->nx + (size_t)i] != seen || seen == CELL_EDGE)
                return CELL_EDGE;
    return seen;
}

/* ---- workers ---- */

static void on_hit(void *item, void *ud)
{
    worker *w = ud;
    if (w->nhits == w->caphits) {
        int cap = w->caphits ? w->caphits * 2 : 16;
        int *v = realloc(w->hits, (size_t)cap * sizeof(int));
        if (!v) {
            w->failed = 1;
            return;
        }
        w->hits = v;
        w->caphits = cap;
    }
    w->hits[w->nhits++] = (int)((intptr_t)item - 1);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The exact clip of g by a zone's (or covering geometry's) edges: 1 when g lies outside them
 * (nothing to add), else 0 with *cls set to CELL_IN when g lies inside and *x the clipped part
 * when g crosses them cleanly (NULL: GEOS must decide). < 0 when out of memory. */
static int exact_clip(worker *w, const plat_gis__edges *e, const GEOSGeometry *g, int *cls, GEOSGeometry **x)
{
    int fast = plat_gis__edges_clip(w->h, e, w->scratch, g, x);
    if (fast < 0)
        return plat_error_set(w->ctx, PLAT_ENOMEM, "out of memory");
    if (fast == PLAT_GIS__CLIP_OUTSIDE)
        return 1;
    if (fast == PLAT_GIS__CLIP_INSIDE)
        *cls = CELL_IN;
    return 0;
}

static const GEOSPreparedGeometry *prep_of(worker *w, const GEOSPreparedGeometry **cache, GEOSGeometry *const *base,
                                           int z)
{
    if (!cache[z] && base[z])
        cache[z] = GEOSPrepare_r(w->h, base[z]);
    return cache[z];
}

/* Build the worker's tree (and clones, for workers other than 0). */
static int worker_init(worker *w, plat_cov *c, int index)
{
    memset(w, 0, sizeof(*w));
    w->c = c;
    int n = c->nzones;
    if (index == 0) {
        w->ctx = c->ctx;
    } else if (!(w->ctx = plat_ctx_new())) {
        return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
    }
    if (!(w->h = plat_gis_geos(w->ctx)))
        return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
    int rc = plat_measure_new(w->ctx, &w->m, c->o.working_epsg, c->o.planar);
    if (rc < 0)
        return index == 0 ? rc : plat_error_set(c->ctx, rc, "%s", plat_error_last(w->ctx)->msg);
    w->zone = index == 0 ? c->zone : calloc((size_t)n + 1, sizeof(*w->zone));
    w->zone_prep = calloc((size_t)n + 1, sizeof(*w->zone_prep));
    w->cover_line_prep = calloc((size_t)n + 1, sizeof(*w->cover_line_prep));
    w->cover_poly_prep = calloc((size_t)n + 1, sizeof(*w->cover_poly_prep));
    w->grid = calloc((size_t)n + 1, sizeof(*w->grid));
    w->edges = calloc((size_t)n + 1, sizeof(*w->edges));
    w->edges_built = calloc((size_t)n + 1, 1);
    w->cover_aid[0] = calloc((size_t)n + 1, sizeof(cover_aid));
    w->cover_aid[1] = calloc((size_t)n + 1, sizeof(cover_aid));
    w->scratch = plat_gis__clip_scratch_new();
    if ((n && !w->zone) || !w->zone_prep || !w->cover_line_prep || !w->cover_poly_prep || !w->grid || !w->edges ||
        !w->edges_built || !w->cover_aid[0] || !w->cover_aid[1] || !w->scratch)
        return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
    if (!(w->tree = GEOSSTRtree_create_r(w->h, NODE_CAPACITY)))
        return plat_gis__geos_err(c->ctx, PLAT_EINTERNAL, "cannot create the zone tree");
    for (int z = 0; z < n; z++) {
        if (index != 0 && !(w->zone[z] = GEOSGeom_clone_r(w->h, c->zone[z])))
            return plat_gis__geos_err(c->ctx, PLAT_ENOMEM, "cannot copy a zone");
        GEOSSTRtree_insert_r(w->h, w->tree, w->zone[z], (void *)(intptr_t)(z + 1));
    }
    return 0;
}

static void worker_drop_cover(worker *w, int owned)
{
    int n = w->c->nzones;
    for (int z = 0; z < n; z++) {
        if (w->cover_line_prep && w->cover_line_prep[z])
            GEOSPreparedGeom_destroy_r(w->h, w->cover_line_prep[z]);
        if (w->cover_poly_prep && w->cover_poly_prep[z])
            GEOSPreparedGeom_destroy_r(w->h, w->cover_poly_prep[z]);
        if (w->cover_line_prep)
            w->cover_line_prep[z] = NULL;
        if (w->cover_poly_prep)
            w->cover_poly_prep[z] = NULL;
        for (int k = 0; k < 2; k++) {
            cover_aid *a = w->cover_aid[k] ? &w->cover_aid[k][z] : NULL;
            if (a) {
                free(a->grid.cell);
                plat_gis__edges_free(a->edges);
                memset(a, 0, sizeof(*a));
            }
        }
        if (owned && w->cover_line && w->cover_line[z])
            GEOSGeom_destroy_r(w->h, w->cover_line[z]);
        if (owned && w->cover_poly && w->cover_poly[z])
            GEOSGeom_destroy_r(w->h, w->cover_poly[z]);
    }
    if (owned) {
        free(w->cover_line);
        free(w->cover_poly);
    }
    w->cover_line = w->cover_poly = NULL;
}

static void worker_dispose(worker *w, int index)
{
    if (!w->c)
        return;
    int n = w->c->nzones;
    worker_drop_cover(w, index != 0);
    if (w->tree)
        GEOSSTRtree_destroy_r(w->h, w->tree);
    for (int z = 0; w->zone_prep && z < n; z++)
        if (w->zone_prep[z])
            GEOSPreparedGeom_destroy_r(w->h, w->zone_prep[z]);
    if (index != 0 && w->zone) {
        for (int z = 0; z < n; z++)
            if (w->zone[z])
                GEOSGeom_destroy_r(w->h, w->zone[z]);
        free(w->zone);
    }
    for (int z = 0; w->grid && z < n; z++)
        free(w->grid[z].cell);
    free(w->grid);
    for (int z = 0; w->edges && z < n; z++)
        plat_gis__edges_free(w->edges[z]);
    free(w->edges);
    free(w->edges_built);
    free(w->zone_prep);
    free(w->cover_line_prep);
    free(w->cover_poly_prep);
    free(w->cover_aid[0]);
    free(w->cover_aid[1]);
    plat_gis__clip_scratch_free(w->scratch);
    free(w->hits);
    parts_dispose(w->h, &w->out);
    plat_measure_free(w->m);
    if (index != 0)
        plat_ctx_free(w->ctx);
    memset(w, 0, sizeof(*w));
}

/* g intersected with big (a zone, or a zone's covering geometry). The overlay nodes every edge
 * of both inputs it cannot rule out, and a township has hundreds: first big is cut to a box a
 * little larger than g's envelope (GEOS's rectangle clipping, a single linear pass), then
 * intersected with g. The box edges lie outside g, so what they add to big is never part of
 * the result. */
static GEOSGeometry *intersect_near(GEOSContextHandle_t h, const GEOSGeometry *big, const GEOSGeometry *g,
                                    int have_env, double xmin, double ymin, double xmax, double ymax)
{
    if (!have_env)
        return GEOSIntersection_r(h, big, g);
    double pad = 1.0 + 1e-3 * ((xmax - xmin) + (ymax - ymin));
    GEOSGeometry *near = GEOSClipByRect_r(h, big, xmin - pad, ymin - pad, xmax + pad, ymax + pad);
    if (!near)
        return GEOSIntersection_r(h, big, g);
    GEOSGeometry *x = GEOSIntersection_r(h, near, g);
    GEOSGeom_destroy_r(h, near);
    return x;
}

/* Measure x, g clipped to zone z (taken), and add it to out if it has length or area (a
 * polygon touching a border shares no area, a line meeting it at a point no length). runs:
 * where x lies along g when the exact clip cut a line (nruns 0 otherwise). */
static int push_clipped(worker *w, int z, GEOSGeometry *x, int kinds, parts *out, const double *runs, int nruns)
{
    part p = { z, { 0, 0, 0 }, x, 0, 0, 0, { 0 } };
    if (runs && nruns > 0 && nruns <= PART_RUNS) {
        p.nruns = nruns;
        memcpy(p.runs, runs, 2 * (size_t)nruns * sizeof(double));
    }
    int rc = plat_measure_geom(w->m, &p.q, x);
    if (rc < 0 || !has_measure(&p.q, kinds)) {
        GEOSGeom_destroy_r(w->h, x);
        return rc < 0 ? rc : 0;
    }
    if (parts_push(out, &p) < 0) {
        GEOSGeom_destroy_r(w->h, x);
        return plat_error_set(w->ctx, PLAT_ENOMEM, "out of memory");
    }
    return 0;
}

/* May parts a and b of one line share length? Not when both were cut exactly and no run of
 * one overlaps a run of the other by more than rounding (1e-9 of a segment: the neighbours'
 * crossings are the same points, their positions equal to the last bits). */
static int runs_overlap(const part *a, const part *b)
{
    if (!a->nruns || !b->nruns)
        return 1;
    for (int i = 0; i < a->nruns; i++)
        for (int j = 0; j < b->nruns; j++) {
            double lo = fmax(a->runs[2 * i], b->runs[2 * j]), hi = fmin(a->runs[2 * i + 1], b->runs[2 * j + 1]);
            if (hi - lo > 1e-9)
                return 1;
        }
    return 0;
}

/* What clip() keeps of each part's geometry: none; only a clipped part's (a feature wholly in
 * one zone is its own part, and its caller still has it: no copy); or every part's. */
enum { KEEP_NONE = 0, KEEP_CLIPPED = 1, KEEP_ALL = 2 };

/* Clip g to the zones; parts (with geometry as keep says) go to out, the leftover outside every
 * zone last with zone -1. */
static int clip(worker *w, const GEOSGeometry *g, int kinds, int keep, parts *out)
{
    GEOSContextHandle_t h = w->h;
    plat_quantity whole;
    int rc = plat_measure_geom(w->m, &whole, g);
    if (rc < 0)
        return rc;
    w->nhits = 0;
    GEOSSTRtree_query_r(h, w->tree, g, on_hit, w);
    if (w->failed)
        return plat_error_set(w->ctx, PLAT_ENOMEM, "out of memory");
    if (w->nhits > 1)
        qsort(w->hits, (size_t)w->nhits, sizeof(int), cmp_int);
    int first = out->n;
    double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
    int have_env = w->nhits > 0 && GEOSGeom_getExtent_r(h, g, &xmin, &ymin, &xmax, &ymax);
    for (int k = 0; k < w->nhits; k++) {
        int z = w->hits[k];
        if (have_env && !w->grid[z].built)
            grid_build(h, &w->grid[z], w->zone[z]);
        int cls = have_env ? grid_classify(&w->grid[z], xmin, ymin, xmax, ymax) : CELL_EDGE;
        if (cls == CELL_OUT)
            continue; /* disjoint: GEOS would find no intersection */
        /* Near the border: first the exact clip from the crossings (gis/clip.c). It cuts a
         * feature that crosses the zone's boundary, or says that one near it lies inside or
         * outside; the prepared predicates are needed only when it is unsure. */
        GEOSGeometry *x = NULL;
        if (cls == CELL_EDGE && have_env) {
            if (!w->edges_built[z]) {
                w->edges[z] = plat_gis__edges_new(h, w->zone[z]);
                w->edges_built[z] = 1;
            }
            int skip = exact_clip(w, w->edges[z], g, &cls, &x);
            if (skip < 0)
                return skip;
            if (skip)
                continue;
        }
        if (x) {
            int nruns;
            const double *runs = plat_gis__clip_runs(w->scratch, &nruns);
            if ((rc = push_clipped(w, z, x, kinds, out, runs, nruns)) < 0)
                return rc;
            continue;
        }
        const GEOSPreparedGeometry *pz = NULL;
        if (cls == CELL_EDGE && !(pz = prep_of(w, w->zone_prep, w->zone, z)))
            return plat_gis__geos_err(w->ctx, PLAT_EINTERNAL, "cannot prepare a zone");
        int in = cls == CELL_IN ? 1 : plat_gis__pred(w->ctx, GEOSPreparedContains_r(h, pz, g), "containment test");
        if (in < 0)
            return in;
        if (in) { /* the whole feature in one zone: no intersection, no other zone */
            if (out->n > first) /* out->v is still NULL when nothing was pushed */
                parts_clear(h, &(parts){ out->v + first, out->n - first, 0 });
            out->n = first;
            part p = { z, whole, NULL, 0, 0, 0, { 0 } };
            if (keep == KEEP_ALL && !(p.geom = GEOSGeom_clone_r(h, g)))
                return plat_gis__geos_err(w->ctx, PLAT_ENOMEM, "cannot copy a geometry");
            return parts_push(out, &p) < 0 ? plat_error_set(w->ctx, PLAT_ENOMEM, "out of memory") : 0;
        }
        int meets = plat_gis__pred(w->ctx, GEOSPreparedIntersects_r(h, pz, g), "intersection test");
        if (meets < 0)
            return meets;
        if (!meets)
            continue;
        if (!(x = intersect_near(h, w->zone[z], g, have_env, xmin, ymin, xmax, ymax)))
            return plat_gis__geos_err(w->ctx, PLAT_EINTERNAL, "cannot clip a feature to a township");
        if ((rc = push_clipped(w, z, x, kinds, out, NULL, 0)) < 0)
            return rc;
    }
    /* Border lines and points are in two closed zones: a later zone loses what an earlier one
     * took. Parts of neighbouring zones always meet where the feature crosses the border, so
     * the test is cheap and the difference runs only for features that cross one. Polygon
     * parts only share edges, which have no area: nothing to take away. Two parts the exact
     * clip cut share length only where their runs along the line overlap (it leaves lines
     * that run over themselves to GEOS): runs that do not overlap, as across a border between
     * townships that do not overlap, need neither test. */
    for (int k = first + 1; (kinds & (PLAT_GEOM_LINE | PLAT_GEOM_POINT)) && k < out->n; k++) {
        GEOSGeometry *rest = NULL;
        for (int j = first; j < k; j++) {
            if (!runs_overlap(&out->v[k], &out->v[j]))
                continue;
            const GEOSGeometry *cur = rest ? rest : out->v[k].geom;
            int meets = plat_gis__pred(w->ctx, GEOSIntersects_r(h, cur, out->v[j].geom), "border test");
            if (meets < 0) {
                GEOSGeom_destroy_r(h, rest);
                return meets;
            }
            if (!meets)
                continue;
            GEOSGeometry *d = GEOSDifference_r(h, cur, out->v[j].geom);
            GEOSGeom_destroy_r(h, rest);
            if (!(rest = d))
                return plat_gis__geos_err(w->ctx, PLAT_EINTERNAL, "cannot split a border line");
        }
        if (!rest)
            continue;
        GEOSGeom_destroy_r(h, out->v[k].geom);
        out->v[k].geom = rest;
        if ((rc = plat_measure_geom(w->m, &out->v[k].q, rest)) < 0)
            return rc;
    }
    plat_quantity in;
    in.length_m = in.area_m2 = 0;
    in.points = 0;
    int kept = first;
    for (int k = first; k < out->n; k++) {
        if (!has_measure(&out->v[k].q, kinds)) {
            GEOSGeom_destroy_r(h, out->v[k].geom);
            continue;
        }
        in.length_m += out->v[k].q.length_m;
        in.area_m2 += out->v[k].q.area_m2;
        in.points += out->v[k].q.points;
        if (keep == KEEP_NONE) {
            GEOSGeom_destroy_r(h, out->v[k].geom);
            out->v[k].geom = NULL;
        }
        out->v[kept++] = out->v[k];
    }
    out->n = kept;
    /* The leftover: what the zones did not take (rounding below a millimetre is no leftover). */
    part rest = { -1, { whole.length_m - in.length_m, whole.area_m2 - in.area_m2, whole.points - in.points },
                  NULL, 0, 0, 0, { 0 } };
    if (rest.q.length_m < 1e-3 + whole.length_m * 1e-9)
        rest.q.length_m = 0;
    if (rest.q.area_m2 < 1e-3 + whole.area_m2 * 1e-9)
        rest.q.area_m2 = 0;
    if (rest.q.points < 0)
        rest.q.points = 0;
    if (has_measure(&rest.q, kinds) && parts_push(out, &rest) < 0)
        return plat_error_set(w->ctx, PLAT_ENOMEM, "out of memory");
    return 0;
}

/* What of a layer feature's part in zone z the covering geometry of z covers. As for the
 * zones: the covering geometry's raster answers "all" (IN) or "nothing" (OUT) from the part's
 * envelope; near its boundary the exact clip (gis/clip.c) measures what it can, or says all or
 * nothing; the rest goes
 * to the prepared predicates and a GEOS intersection with the covering geometry cut to a box
 * about the part. */
static int covered(worker *w, part *p, const GEOSGeometry *whole, int kinds)
{
    if (p->zone < 0)
        return 0;
    GEOSContextHandle_t h = w->h;
    const GEOSGeometry *g = p->geom ? p->geom : whole;
    double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
    int have_env = -1; /* not asked yet */
    for (int pass = 0; pass < 2; pass++) {
        int want = pass == 0 ? PLAT_GEOM_LINE : PLAT_GEOM_POLYGON;
        if (!(kinds & want))
            continue;
        GEOSGeometry **base = pass == 0 ? w->cover_line : w->cover_poly;
        const GEOSPreparedGeometry **cache = pass == 0 ? w->cover_line_prep : w->cover_poly_prep;
        if (!base || !base[p->zone])
            continue;
        if (have_env < 0)
            have_env = GEOSGeom_getExtent_r(h, g, &xmin, &ymin, &xmax, &ymax);
        cover_aid *a = &w->cover_aid[pass][p->zone];
        if (have_env && !a->built) {
            grid_build(h, &a->grid, base[p->zone]);
            a->edges = plat_gis__edges_new(h, base[p->zone]);
            a->built = 1;
        }
        const zone_grid *gr = &a->grid;
        int cls = CELL_EDGE;
        if (have_env && gr->cell && (xmax < gr->x0 || ymax < gr->y0 || xmin > gr->x0 + gr->nx * gr->cw ||
                                     ymin > gr->y0 + gr->ny * gr->ch))
            cls = CELL_OUT; /* beyond the covering geometry's envelope */
        else if (have_env)
            cls = grid_classify(gr, xmin, ymin, xmax, ymax);
        if (cls == CELL_OUT)
            continue;
        plat_quantity q = p->q; /* CELL_IN: all of it */
        GEOSGeometry *x = NULL;
        if (cls == CELL_EDGE && have_env) {
            int skip = exact_clip(w, a->edges, g, &cls, &x);
            if (skip < 0)
                return skip;
            if (skip)
                continue;
        }
        if (cls == CELL_EDGE && !x) {
            const GEOSPreparedGeometry *pc = prep_of(w, cache, base, p->zone);
            if (!pc)
                return plat_gis__geos_err(w->ctx, PLAT_EINTERNAL, "cannot prepare a covering geometry");
            int meets = plat_gis__pred(w->ctx, GEOSPreparedIntersects_r(h, pc, g), "intersection test");
            if (meets <= 0) {
                if (meets < 0)
                    return meets;
                continue;
            }
            int in = plat_gis__pred(w->ctx, GEOSPreparedContains_r(h, pc, g), "containment test");
            if (in < 0)
                return in;
            if (!in && !(x = intersect_near(h, base[p->zone], g, have_env > 0, xmin, ymin, xmax, ymax)))
                return plat_gis__geos_err(w->ctx, PLAT_EINTERNAL, "cannot intersect with the projects");
        }
        if (x) {
            int rc = plat_measure_geom(w->m, &q, x);
            GEOSGeom_destroy_r(h, x);
            if (rc < 0)
                return rc;
        }
        if (pass == 0)
            p->covered_line_m = q.length_m;
        else
            p->covered_area_m2 = q.area_m2;
    }
    return 0;
}

static void *worker_run(void *arg)
{
    worker *w = arg;
    w->rc = 0;
    parts_clear(w->h, &w->out);
    for (int i = w->lo; i < w->hi && w->rc >= 0; i++) {
        const GEOSGeometry *g = w->items[i];
        int kinds = plat_geom_kinds(w->ctx, g);
        int first = w->out.n;
        /* covered() measures a part without geometry by the feature itself */
        if ((w->rc = clip(w, g, kinds, KEEP_CLIPPED, &w->out)) < 0)
            break;
        for (int k = first; k < w->out.n && w->rc >= 0; k++)
            w->rc = covered(w, &w->out.v[k], g, kinds);
        for (int k = first; k < w->out.n; k++) {
            if (w->out.v[k].geom)
                GEOSGeom_destroy_r(w->h, w->out.v[k].geom);
            w->out.v[k].geom = NULL;
        }
    }
    return NULL;
}

/* ---- public ---- */

int plat_cov_new(plat_ctx *ctx, plat_cov **out, const plat_cov_options *opts)
{
    *out = NULL;
    if (!opts || opts->ncategories < 1 || !(opts->tolerance_m >= 0))
        return plat_error_set(ctx, PLAT_EINVALID, "coverage: bad options");
    plat_cov *c = calloc(1, sizeof(*c));
    if (!c || !(c->h = plat_gis_geos(ctx))) {
        free(c);
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    }
    c->ctx = ctx;
    c->o = *opts;
    if (c->o.jobs <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c->o.jobs = n > 0 ? (int)n : 1;
    }
    if (c->o.jobs > 64)
        c->o.jobs = 64;
    *out = c;
    return 0;
}

int plat_cov_add_zone(plat_cov *c, GEOSGeometry *geom)
{
    if (c->nproj || c->projects_done) {
        GEOSGeom_destroy_r(c->h, geom);
        return plat_error_set(c->ctx, PLAT_EINVALID, "coverage: zones must come before projects");
    }
    if (c->nzones == c->capzones) {
        int cap = c->capzones ? c->capzones * 2 : 64;
        GEOSGeometry **v = realloc(c->zone, (size_t)cap * sizeof(*v));
        if (v)
            c->zone = v;
        double *k = v ? realloc(c->zone_area, (size_t)cap * sizeof(*k)) : NULL;
        if (!k) {
            GEOSGeom_destroy_r(c->h, geom);
            return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
        }
        c->zone_area = k;
        c->capzones = cap;
    }
    c->zone[c->nzones] = geom;
    c->zone_area[c->nzones] = 0;
    return c->nzones++;
}

int plat_cov_set_zone_area(plat_cov *c, int z, double area_m2)
{
    if (c->projects_done || z < 0 || z >= c->nzones)
        return plat_error_set(c->ctx, PLAT_EINVALID, "coverage: no zone %d to give an area", z);
    c->zone_area[z] = area_m2 > 0 ? area_m2 : 0; /* NaN and 0: measure it */
    return 0;
}

int plat_cov_add_project(plat_cov *c, GEOSGeometry *geom, int category)
{
    if (c->projects_done || category < 0 || category >= c->o.ncategories) {
        if (geom)
            GEOSGeom_destroy_r(c->h, geom);
        return plat_error_set(c->ctx, PLAT_EINVALID, "coverage: project added late or with a bad category");
    }
    if (c->nproj == c->capproj) {
        int cap = c->capproj ? c->capproj * 2 : 64;
        project *v = realloc(c->proj, (size_t)cap * sizeof(*v));
        if (!v) {
            if (geom)
                GEOSGeom_destroy_r(c->h, geom);
            return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
        }
        c->proj = v;
        c->capproj = cap;
    }
    project *p = &c->proj[c->nproj];
    memset(p, 0, sizeof(*p));
    p->geom = geom;
    p->cat = category;
    return c->nproj++;
}

/* Union the polygon parts in list (n geometries, borrowed) and measure the area. */
static int union_area(plat_cov *c, GEOSGeometry **list, int n, double *area, GEOSGeometry **keep)
{
    *area = 0;
    if (keep)
        *keep = NULL;
    if (n == 0)
        return 0;
    GEOSGeometry **clones = malloc((size_t)n * sizeof(*clones));
    if (!clones)
        return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++)
        clones[i] = GEOSGeom_clone_r(c->h, list[i]);
    GEOSGeometry *coll = GEOSGeom_createCollection_r(c->h, GEOS_GEOMETRYCOLLECTION, clones, (unsigned)n);
    free(clones);
    GEOSGeometry *u = coll ? GEOSUnaryUnion_r(c->h, coll) : NULL;
    if (coll)
        GEOSGeom_destroy_r(c->h, coll);
    if (!u)
        return plat_gis__geos_err(c->ctx, PLAT_EINTERNAL, "cannot union project polygons");
    plat_quantity q;
    int rc = plat_measure_geom(c->w[0].m, &q, u);
    *area = q.area_m2;
    if (keep && rc >= 0)
        *keep = u;
    else
        GEOSGeom_destroy_r(c->h, u);
    return rc;
}

/* Only the polygonal (or only the linear) atoms of g, as a new geometry or NULL when none. */
static GEOSGeometry *atoms_of_kind(GEOSContextHandle_t h, const GEOSGeometry *g, int kind)
{
    int n = GEOSGetNumGeometries_r(h, g);
    GEOSGeometry **v = malloc((size_t)(n > 0 ? n : 1) * sizeof(*v));
    int k = 0;
    for (int i = 0; v && i < n; i++) {
        const GEOSGeometry *a = GEOSGetGeometryN_r(h, g, i);
        int t = GEOSGeomTypeId_r(h, a);
        int is = kind == PLAT_GEOM_POLYGON ? (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON)
                                           : (t == GEOS_LINESTRING || t == GEOS_MULTILINESTRING || t == GEOS_LINEARRING);
        if (t == GEOS_GEOMETRYCOLLECTION) {
            GEOSGeometry *sub = atoms_of_kind(h, a, kind);
            if (sub)
                v[k++] = sub;
        } else if (is) {
            v[k++] = GEOSGeom_clone_r(h, a);
        }
    }
    GEOSGeometry *r = NULL;
    if (v && k)
        r = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, v, (unsigned)k);
    free(v);
    return r;
}

int plat_cov_run_projects(plat_cov *c)
{
    if (c->projects_done)
        return plat_error_set(c->ctx, PLAT_EINVALID, "coverage: projects measured already");
    c->projects_done = 1;
    int ncat = c->o.ncategories, nz = c->nzones;
    c->nworkers = c->o.jobs;
    if (!(c->w = calloc((size_t)c->nworkers + 1, sizeof(*c->w))) ||
        !(c->sum = calloc((size_t)(nz + 1) * (size_t)(ncat + 1), sizeof(*c->sum))))
        return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
    int rc = worker_init(&c->w[0], c, 0);
    if (rc < 0)
        return rc;
    worker *w = &c->w[0];
    /* A ledger keeps its townships' areas as this engine measured them: measuring 2,000
     * townships of ~400 vertices again was a quarter of a second of one thread, ellipsoidal. */
    for (int z = 0; z < nz; z++) {
        plat_quantity q;
        if (c->zone_area[z] > 0)
            continue;
        if ((rc = plat_measure_geom(w->m, &q, c->zone[z])) < 0)
            return rc;
        c->zone_area[z] = q.area_m2;
    }
    /* Clip every project; lists of polygon parts per zone for the unions. */
    for (int i = 0; i < c->nproj; i++) {
        project *p = &c->proj[i];
        if (!p->geom)
            continue;
        p->kinds = plat_geom_kinds(c->ctx, p->geom);
        if ((rc = clip(w, p->geom, p->kinds, KEEP_ALL, &p->p)) < 0)
            return rc;
        if (!(p->zones = malloc((size_t)(p->p.n ? p->p.n : 1) * sizeof(int))))
            return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
        for (int k = 0; k < p->p.n; k++) {
            part *pt = &p->p.v[k];
            if (pt->zone < 0) {
                p->outside = 1;
            } else {
                p->zones[p->nzones++] = pt->zone;
                if (!pt->geom && !(pt->geom = GEOSGeom_clone_r(c->h, p->geom)))
                    return plat_gis__geos_err(c->ctx, PLAT_ENOMEM, "cannot copy a geometry");
            }
            for (int s = 0; s < 2; s++) {
                plat_cov_sum *sm = sum_at(c, pt->zone, s == 0 ? -1 : p->cat);
                sm->projects++;
                sm->line_m += pt->q.length_m;
                sm->points += pt->q.points;
                if (pt->zone < 0)
                    sm->area_m2 += pt->q.area_m2; /* outside: no union, townships do not overlap it */
            }
        }
        if (p->kinds == 0)
            p->outside = 0;
    }
    /* Per zone: union the polygon parts, all together and per category. */
    GEOSGeometry **list = malloc((size_t)(c->nproj + 1) * sizeof(*list));
    if (!list)
        return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
    for (int z = 0; z < nz && rc >= 0; z++) {
        for (int cat = -1; cat < ncat && rc >= 0; cat++) {
            int n = 0;
            for (int i = 0; i < c->nproj; i++) {
                project *p = &c->proj[i];
                if (!(p->kinds & PLAT_GEOM_POLYGON) || (cat >= 0 && p->cat != cat))
                    continue;
                for (int k = 0; k < p->p.n; k++)
                    if (p->p.v[k].zone == z && p->p.v[k].q.area_m2 > 0)
                        list[n++] = p->p.v[k].geom;
            }
            double area = 0;
            if (n == 1) { /* one project: its measured part is its union */
                for (int i = 0; i < c->nproj; i++)
                    for (int k = 0; k < c->proj[i].p.n; k++)
                        if (c->proj[i].p.v[k].geom == list[0])
                            area = c->proj[i].p.v[k].q.area_m2;
            } else {
                rc = union_area(c, list, n, &area, NULL);
            }
            sum_at(c, z, cat)->area_m2 = area;
        }
    }
    free(list);
    return rc;
}

int plat_cov_begin_layer(plat_cov *c, const unsigned char *covering)
{
    if (!c->projects_done || c->in_layer)
        return plat_error_set(c->ctx, PLAT_EINVALID, "coverage: layer out of order");
    int nz = c->nzones;
    plat_cov_layer_sum *ls = realloc(c->lsum, (size_t)(c->nlayers + 1) * (size_t)(nz + 1) * sizeof(*ls));
    if (!ls)
        return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
    c->lsum = ls;
    memset(&ls[(size_t)c->nlayers * (size_t)(nz + 1)], 0, (size_t)(nz + 1) * sizeof(*ls));
    c->nlayers++;
    c->in_layer = 1;
    /* The covering geometries of each zone: lines buffered by the tolerance, polygons unioned. */
    if (!(c->cover_line = calloc((size_t)nz + 1, sizeof(GEOSGeometry *))) ||
        !(c->cover_poly = calloc((size_t)nz + 1, sizeof(GEOSGeometry *))))
        return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
    GEOSGeometry **list = malloc((size_t)(c->nproj + 1) * sizeof(*list));
    if (!list)
        return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
    int rc = 0;
    for (int z = 0; z < nz && rc >= 0; z++) {
        for (int kind = PLAT_GEOM_LINE; kind <= PLAT_GEOM_POLYGON && rc >= 0; kind *= 2) {
            int n = 0;
            for (int i = 0; i < c->nproj; i++) {
                project *p = &c->proj[i];
                if (!covering || !covering[p->cat] || !(p->kinds & kind))
                    continue;
                for (int k = 0; k < p->p.n; k++)
                    if (p->p.v[k].zone == z && p->p.v[k].geom) {
                        GEOSGeometry *a = atoms_of_kind(c->h, p->p.v[k].geom, kind);
                        if (a)
                            list[n++] = a;
                    }
            }
            if (!n)
                continue;
            GEOSGeometry *coll = GEOSGeom_createCollection_r(c->h, GEOS_GEOMETRYCOLLECTION, list, (unsigned)n);
            GEOSGeometry *u = NULL;
            if (coll && kind == PLAT_GEOM_LINE)
                u = GEOSBuffer_r(c->h, coll, c->o.tolerance_m > 0 ? c->o.tolerance_m : 1e-6, 8);
            else if (coll)
                u = GEOSUnaryUnion_r(c->h, coll);
            if (coll)
                GEOSGeom_destroy_r(c->h, coll);
            if (!u)
                rc = plat_gis__geos_err(c->ctx, PLAT_EINTERNAL, "cannot merge the covering projects");
            else if (kind == PLAT_GEOM_LINE)
                c->cover_line[z] = u;
            else
                c->cover_poly[z] = u;
        }
    }
    free(list);
    if (rc < 0)
        return rc;
    c->w[0].cover_line = c->cover_line;
    c->w[0].cover_poly = c->cover_poly;
    return 0;
}

/* Give workers 1..nworkers their clones of the covering geometries (made once per layer). */
static int workers_ready(plat_cov *c, int nworkers)
{
    int nz = c->nzones;
    for (int t = 1; t <= nworkers; t++) {
        worker *w = &c->w[t];
        int rc;
        if (!w->c && (rc = worker_init(w, c, t)) < 0)
            return rc;
        if (w->cover_line)
            continue;
        if (!(w->cover_line = calloc((size_t)nz + 1, sizeof(GEOSGeometry *))) ||
            !(w->cover_poly = calloc((size_t)nz + 1, sizeof(GEOSGeometry *))))
            return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
        for (int z = 0; z < nz; z++) {
            if (c->cover_line[z] && !(w->cover_line[z] = GEOSGeom_clone_r(w->h, c->cover_line[z])))
                return plat_gis__geos_err(c->ctx, PLAT_ENOMEM, "cannot copy a geometry");
            if (c->cover_poly[z] && !(w->cover_poly[z] = GEOSGeom_clone_r(w->h, c->cover_poly[z])))
                return plat_gis__geos_err(c->ctx, PLAT_ENOMEM, "cannot copy a geometry");
        }
    }
    return 0;
}

/* Wait for the workers measuring the batch in flight, and add their parts to the layer's sums
 * in feature order (worker slices are contiguous and in order), so the sums are the same, to
 * the bit, whatever the number of threads and however reading and measuring overlapped. */
static int finish_batch(plat_cov *c)
{
    if (!c->running)
        return 0;
    int nw = c->nrunning, rc = 0;
    for (int t = 1; t <= nw; t++)
        if (c->started[t])
            pthread_join(c->tid[t], NULL);
    c->running = 0;
    plat_cov_layer_sum *ls = &c->lsum[(size_t)(c->nlayers - 1) * (size_t)(c->nzones + 1)];
    for (int t = 1; t <= nw && rc >= 0; t++) {
        worker *w = &c->w[t];
        if (w->rc < 0) {
            rc = plat_error_set(c->ctx, w->rc, "%s", plat_error_last(w->ctx)->msg);
            break;
        }
        for (int k = 0; k < w->out.n; k++) { /* a feature has at most one part per zone */
            const part *p = &w->out.v[k];
            plat_cov_layer_sum *s = &ls[p->zone < 0 ? c->nzones : p->zone];
            s->features++;
            s->line_m += p->q.length_m;
            s->area_m2 += p->q.area_m2;
            s->covered_line_m += p->covered_line_m;
            s->covered_area_m2 += p->covered_area_m2;
        }
    }
    for (int i = 0; i < c->ninflight; i++)
        GEOSGeom_destroy_r(c->h, c->inflight[i]);
    c->ninflight = 0;
    return rc;
}

/* Hand the filled batch to workers 1..n on their threads and return at once: the caller reads
 * and decodes the next batch while they measure this one (reading was a sixth of the time and
 * ran alone). The previous batch is finished first, so at most one is in flight. The readers'
 * GEOS handle (the caller's) only makes and frees geometries; the workers only read them. */
static int launch_batch(plat_cov *c)
{
    int rc = finish_batch(c);
    int n = c->nbatch;
    if (rc < 0 || n == 0)
        return rc;
    /* Small batches are not worth more than one thread. */
    int nw = n < 64 ? 1 : c->nworkers;
    if ((rc = workers_ready(c, nw)) < 0)
        return rc;
    GEOSGeometry **v = c->inflight;
    int cap = c->capinflight;
    c->inflight = c->batch, c->capinflight = c->capbatch, c->ninflight = n;
    c->batch = v, c->capbatch = cap, c->nbatch = 0;
    for (int t = 1; t <= nw; t++) {
        c->w[t].items = c->inflight;
        c->w[t].lo = (int)((int64_t)n * (t - 1) / nw);
        c->w[t].hi = (int)((int64_t)n * t / nw);
    }
    c->running = 1;
    c->nrunning = nw;
    for (int t = 1; t <= nw; t++)
        if (!(c->started[t] = pthread_create(&c->tid[t], NULL, worker_run, &c->w[t]) == 0))
            worker_run(&c->w[t]); /* no thread to be had: do its share here */
    return 0;
}

int plat_cov_add_layer_feature(plat_cov *c, GEOSGeometry *geom)
{
    if (!c->in_layer) {
        GEOSGeom_destroy_r(c->h, geom);
        return plat_error_set(c->ctx, PLAT_EINVALID, "coverage: no layer begun");
    }
    if (c->nbatch == c->capbatch) {
        int cap = BATCH_PER_JOB * c->nworkers;
        GEOSGeometry **v = realloc(c->batch, (size_t)cap * sizeof(*v));
        if (!v) {
            GEOSGeom_destroy_r(c->h, geom);
            return plat_error_set(c->ctx, PLAT_ENOMEM, "out of memory");
        }
        c->batch = v;
        c->capbatch = cap;
    }
    c->batch[c->nbatch++] = geom;
    return c->nbatch == c->capbatch ? launch_batch(c) : 0;
}

int plat_cov_end_layer(plat_cov *c)
{
    if (!c->in_layer)
        return plat_error_set(c->ctx, PLAT_EINVALID, "coverage: no layer begun");
    int rc = launch_batch(c), rf = finish_batch(c);
    if (rc >= 0)
        rc = rf;
    for (int t = 0; t <= c->nworkers; t++)
        if (c->w[t].c)
            worker_drop_cover(&c->w[t], t != 0);
    for (int z = 0; z < c->nzones; z++) {
        if (c->cover_line[z])
            GEOSGeom_destroy_r(c->h, c->cover_line[z]);
        if (c->cover_poly[z])
            GEOSGeom_destroy_r(c->h, c->cover_poly[z]);
    }
    free(c->cover_line);
    free(c->cover_poly);
    c->cover_line = c->cover_poly = NULL;
    c->in_layer = 0;
    return rc;
}

int plat_cov_zone_count(const plat_cov *c)
{
    return c->nzones;
}

int plat_cov_layer_count(const plat_cov *c)
{
    return c->nlayers;
}

double plat_cov_zone_area(const plat_cov *c, int z)
{
    return (c->zone_area && z >= 0 && z < c->nzones) ? c->zone_area[z] : 0;
}

const plat_cov_sum *plat_cov_zone_sum(const plat_cov *c, int z, int cat)
{
    static const plat_cov_sum none = { 0, 0, 0, 0 };
    if (!c->sum || z < -1 || z >= c->nzones || cat < -1 || cat >= c->o.ncategories)
        return &none;
    return sum_at(c, z, cat);
}

const plat_cov_layer_sum *plat_cov_layer_zone(const plat_cov *c, int l, int z)
{
    static const plat_cov_layer_sum none = { 0, 0, 0, 0, 0 };
    if (!c->lsum || l < 0 || l >= c->nlayers || z < -1 || z >= c->nzones)
        return &none;
    return &c->lsum[(size_t)l * (size_t)(c->nzones + 1) + (size_t)(z < 0 ? c->nzones : z)];
}

const int *plat_cov_project_zones(const plat_cov *c, int p, int *n)
{
    *n = (p >= 0 && p < c->nproj) ? c->proj[p].nzones : 0;
    return *n ? c->proj[p].zones : NULL;
}

int plat_cov_project_nparts(const plat_cov *c, int p)
{
    return (p >= 0 && p < c->nproj) ? c->proj[p].p.n : 0;
}

int plat_cov_project_part(const plat_cov *c, int p, int k, int *zone, plat_quantity *q)
{
    if (p < 0 || p >= c->nproj || k < 0 || k >= c->proj[p].p.n)
        return PLAT_ENOTFOUND;
    *zone = c->proj[p].p.v[k].zone;
    *q = c->proj[p].p.v[k].q;
    return 0;
}

int plat_cov_project_outside(const plat_cov *c, int p)
{
    return (p >= 0 && p < c->nproj) ? c->proj[p].outside : 0;
}

void plat_cov_free(plat_cov *c)
{
    if (!c)
        return;
    if (c->in_layer)
        plat_cov_end_layer(c);
    finish_batch(c);
    for (int i = 0; i < c->nbatch; i++)
        GEOSGeom_destroy_r(c->h, c->batch[i]);
    free(c->batch);
    free(c->inflight);
    for (int t = c->nworkers; t >= 0 && c->w; t--)
        worker_dispose(&c->w[t], t);
    free(c->w);
    for (int i = 0; i < c->nproj; i++) {
        parts_dispose(c->h, &c->proj[i].p);
        free(c->proj[i].zones);
        if (c->proj[i].geom)
            GEOSGeom_destroy_r(c->h, c->proj[i].geom);
    }
    free(c->proj);
    for (int z = 0; z < c->nzones; z++)
        GEOSGeom_destroy_r(c->h, c->zone[z]);
    free(c->zone);
    free(c->zone_area);
    free(c->sum);
    free(c->lsum);
    free(c);
}

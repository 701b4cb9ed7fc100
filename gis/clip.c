/* gis/clip.c - the intersection of a small feature with a large zone, without a GEOS overlay.
 *
 * Why: a township has hundreds of boundary vertices, and GEOS's overlay nodes every edge of
 * both inputs it cannot rule out, then validates the noding: about 128,000 instructions for a
 * parcel crossing a border, most of a first `plat coverage --layer farmland`. A parcel meets a
 * handful of the township's edges; where they cross properly the intersection follows from
 * those crossings alone.
 *
 * How. The zone's boundary segments are bucketed once by cell of a grid over its envelope
 * (plat_gis__edges_new: read-only after, about two segments a cell; what a clip works in is
 * the caller's plat_gis__clip_scratch, one per thread). For a feature, the segments whose
 * boxes meet its edges' boxes are tested pairwise against them; every crossing must be a
 * proper one, far from every vertex. A line's runs between crossings that lie inside the zone
 * are its parts. A polygon (its ring turned counter-clockwise) is traced as in
 * Weiler-Atherton: from a crossing where it enters the zone, along its own ring to where it
 * leaves, then along the zone's ring (the way that keeps the zone's interior on the left) to
 * where it enters again, until the ring closes; each traced ring is one polygon of the result.
 * A feature that crosses nothing and comes near nothing lies wholly inside or outside, as the
 * parity of the zone's edges on a ray from one of its vertices says.
 *
 * When not to. Whatever is degenerate or uncertain is left to GEOS (the caller's predicates and
 * overlay, as before): a vertex of either side within a tolerance (far above rounding) of the
 * other's edge, so no crossing at or near a vertex and no collinear or overlapping edges;
 * crossings too close together along an edge to be ordered for sure; a zone ring near the
 * feature that it does not cross (a hole or island inside a parcel); a hole's ring near a
 * feature that crosses nothing, or on its ray; a line that runs over part of itself (GEOS
 * counts that stretch once) or has over MAX_LINE vertices; multi-part features, holed
 * polygons, rings over MAX_RING vertices, coordinates with Z. The answer is otherwise the same geometry GEOS would
 * give, up to rounding of the crossing points (lengths and areas within 1e-11 relative, the
 * worst being slivers, over a million generated features). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gis_int.h"

#define MAX_RING 64  /* a polygon feature's ring: at most this many vertices */
#define MAX_LINE 512 /* a line: at most this many (its self-overlap test is quadratic) */

typedef struct xing {
    double x, y;
    int e;        /* the feature's edge */
    double te;    /* where along it, 0..1 */
    int s;        /* the zone's segment */
    int r;        /* its ring */
    double ts;    /* where along it, 0..1 in the ring's direction */
    int enters;   /* the feature, going forward, enters the zone's interior here */
    int pos_z;    /* index in the order along the zone's segments */
    int visited;
} xing;

/* A zone's boundary, read-only once built. Its rings' vertices follow each other in xy, each
 * ring closed; segment s of ring r runs from vertex s + r to s + r + 1 (a ring of n segments
 * has n + 1 vertices). */
struct plat_gis__edges {
    double *xy;
    int nseg, nring;
    int *ring_first, *ring_n, *ring_side; /* in segments; side +1: the interior left of the ring */
    unsigned char *ring_hole;
    double *ring_box;                     /* xmin, ymin, xmax, ymax of each ring */
    double x0, y0, cw, ch, tol;
    int nx, ny;
    int *cell_first; /* nx * ny + 1, CSR into cell_seg */
    int *cell_seg;
};

/* What one clip works in, reused from feature to feature (one per thread). */
struct plat_gis__clip_scratch {
    int *cand, *cand_r, ncand, capcand, capcand_r; /* candidate segments, ascending, and rings */
    int *ring_hits, capring;                       /* per ring: crossings of this feature */
    xing *x;
    int nx, capx;
    int *order; /* crossings along the feature, then along the zone */
    int caporder;
    double *buf;
    size_t capbuf;
    double *runs; /* the last cut line's runs: start and end positions along it */
    int nruns, capruns;
};

static int grow(void **p, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return 0;
    int c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *v = realloc(*p, (size_t)c * size);
    if (!v)
        return -1;
    *p = v;
    *cap = c;
    return 0;
}

/* The ends of segment s of ring r: p[0], p[1] its start, p[2], p[3] its end. */
static inline const double *seg(const plat_gis__edges *z, int s, int r)
{
    return z->xy + 2 * (size_t)(s + r);
}

static int ring_of(const plat_gis__edges *z, int s)
{
    int lo = 0, hi = z->nring - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (z->ring_first[mid] <= s)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* ---- the zone's segments by cell ---- */

typedef struct ringlist {
    const GEOSGeometry **v;
    int *hole;
    int n, cap;
} ringlist;

static int rings_of(GEOSContextHandle_t h, const GEOSGeometry *g, ringlist *r)
{
    int t = GEOSGeomTypeId_r(h, g);
    if (t == GEOS_POLYGON) {
        int holes = GEOSGetNumInteriorRings_r(h, g);
        if (holes < 0)
            return -1;
        for (int i = -1; i < holes; i++) {
            int cap = r->cap;
            if (grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v)) < 0 ||
                grow((void **)&r->hole, &cap, r->n + 1, sizeof(*r->hole)) < 0)
                return -1;
            r->v[r->n] = i < 0 ? GEOSGetExteriorRing_r(h, g) : GEOSGetInteriorRingN_r(h, g, i);
            r->hole[r->n++] = i >= 0;
        }
        return 0;
    }
    if (t == GEOS_MULTIPOLYGON) {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++)
            if (rings_of(h, GEOSGetGeometryN_r(h, g, i), r) < 0)
                return -1;
        return 0;
    }
    return -1;
}

void plat_gis__edges_free(plat_gis__edges *z)
{
    if (!z)
        return;
    free(z->xy);
    free(z->ring_first), free(z->ring_n), free(z->ring_side), free(z->ring_hole), free(z->ring_box);
    free(z->cell_first), free(z->cell_seg);
    free(z);
}

static void cell_range(const plat_gis__edges *z, double xmin, double ymin, double xmax, double ymax, int *i0,
                       int *i1, int *j0, int *j1)
{
    double a = floor((xmin - z->tol - z->x0) / z->cw), b = floor((xmax + z->tol - z->x0) / z->cw);
    double c = floor((ymin - z->tol - z->y0) / z->ch), d = floor((ymax + z->tol - z->y0) / z->ch);
    *i0 = a < 0 ? 0 : a >= z->nx ? z->nx - 1 : (int)a;
    *i1 = b < 0 ? 0 : b >= z->nx ? z->nx - 1 : (int)b;
    *j0 = c < 0 ? 0 : c >= z->ny ? z->ny - 1 : (int)c;
    *j1 = d < 0 ? 0 : d >= z->ny ? z->ny - 1 : (int)d;
}

plat_gis__edges *plat_gis__edges_new(GEOSContextHandle_t h, const GEOSGeometry *zone)
{
    plat_gis__edges *z = calloc(1, sizeof(*z));
    ringlist rl = { NULL, NULL, 0, 0 };
    if (!z || rings_of(h, zone, &rl) < 0 || rl.n == 0)
        goto fail;
    int total = 0;
    unsigned int n;
    for (int r = 0; r < rl.n; r++) {
        const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, rl.v[r]);
        if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n) || n < 4)
            goto fail;
        total += (int)n - 1;
    }
    z->nring = rl.n;
    z->nseg = total;
    size_t nr = (size_t)rl.n;
    if (!(z->xy = malloc(2 * ((size_t)total + nr) * sizeof(double))) || !(z->ring_first = malloc(nr * sizeof(int))) ||
        !(z->ring_n = malloc(nr * sizeof(int))) || !(z->ring_side = malloc(nr * sizeof(int))) ||
        !(z->ring_hole = malloc(nr)) || !(z->ring_box = malloc(4 * nr * sizeof(double))))
        goto fail;
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    int k = 0;
    for (int r = 0; r < rl.n; r++) {
        const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, rl.v[r]);
        GEOSCoordSeq_getSize_r(h, seq, &n);
        double *v = z->xy + 2 * (size_t)(k + r);
        if (!GEOSCoordSeq_copyToBuffer_r(h, seq, v, 0, 0))
            goto fail;
        double area2 = 0, *box = z->ring_box + 4 * r;
        z->ring_first[r] = k;
        z->ring_n[r] = (int)n - 1;
        box[0] = box[1] = INFINITY, box[2] = box[3] = -INFINITY;
        for (unsigned int i = 0; i + 1 < n; i++) {
            area2 += (v[2 * i] - v[0]) * (v[2 * i + 3] - v[1]) - (v[2 * i + 2] - v[0]) * (v[2 * i + 1] - v[1]);
            box[0] = fmin(box[0], v[2 * i]), box[2] = fmax(box[2], v[2 * i]);
            box[1] = fmin(box[1], v[2 * i + 1]), box[3] = fmax(box[3], v[2 * i + 1]);
        }
        xmin = fmin(xmin, box[0]), xmax = fmax(xmax, box[2]);
        ymin = fmin(ymin, box[1]), ymax = fmax(ymax, box[3]);
        z->ring_hole[r] = (unsigned char)rl.hole[r];
        k += (int)n - 1;
        if (!(area2 != 0) || !isfinite(area2))
            goto fail;
        /* a shell's interior is left of it when it runs counter-clockwise, a hole's when clockwise */
        z->ring_side[r] = (area2 > 0) != rl.hole[r] ? 1 : -1;
    }
    if (!(xmax > xmin) || !(ymax > ymin))
        goto fail;
    /* The tolerance: a distance from a line below which a point counts as on it. Rounding of
     * the orientation of coordinates of magnitude M is ~1e-16 M; this is a million times that. */
    double m = fmax(fmax(fabs(xmin), fabs(xmax)), fmax(fabs(ymin), fabs(ymax)));
    z->tol = 1e-10 * m + 1e-9;
    /* about two segments a cell along the boundary: a township of 400 gets 15 x 15 cells */
    int side = (int)sqrt(total / 2.0) + 1;
    z->nx = z->ny = side > 64 ? 64 : side;
    z->x0 = xmin, z->y0 = ymin;
    z->cw = (xmax - xmin) / z->nx, z->ch = (ymax - ymin) / z->ny;
    size_t ncell = (size_t)z->nx * (size_t)z->ny;
    if (!(z->cell_first = calloc(ncell + 1, sizeof(int))))
        goto fail;
    /* two passes over the segments' cell ranges: count, then fill */
    for (int pass = 0; pass < 2; pass++) {
        for (int r = 0; r < z->nring; r++)
            for (int s = z->ring_first[r]; s < z->ring_first[r] + z->ring_n[r]; s++) {
                const double *d = seg(z, s, r);
                int i0, i1, j0, j1;
                cell_range(z, fmin(d[0], d[2]), fmin(d[1], d[3]), fmax(d[0], d[2]), fmax(d[1], d[3]), &i0, &i1, &j0,
                           &j1);
                for (int j = j0; j <= j1; j++)
                    for (int i = i0; i <= i1; i++) {
                        size_t c = (size_t)j * (size_t)z->nx + (size_t)i;
                        if (pass == 0)
                            z->cell_first[c + 1]++;
                        else
                            z->cell_seg[z->cell_first[c]++] = s;
                    }
            }
        if (pass == 0) {
            for (size_t c = 0; c < ncell; c++)
                z->cell_first[c + 1] += z->cell_first[c];
            if (!(z->cell_seg = malloc((size_t)(z->cell_first[ncell] ? z->cell_first[ncell] : 1) * sizeof(int))))
                goto fail;
        } else { /* the fill moved each cell's start to its end: shift back */
            for (size_t c = ncell; c > 0; c--)
                z->cell_first[c] = z->cell_first[c - 1];
            z->cell_first[0] = 0;
        }
    }
    free(rl.v);
    free(rl.hole);
    return z;
fail:
    free(rl.v);
    free(rl.hole);
    plat_gis__edges_free(z);
    return NULL;
}

plat_gis__clip_scratch *plat_gis__clip_scratch_new(void)
{
    return calloc(1, sizeof(plat_gis__clip_scratch));
}

void plat_gis__clip_scratch_free(plat_gis__clip_scratch *k)
{
    if (!k)
        return;
    free(k->cand), free(k->cand_r), free(k->ring_hits), free(k->x), free(k->order), free(k->buf), free(k->runs);
    free(k);
}

/* ---- one feature ---- */

/* The orientation of c against the line a->b: positive left, negative right. */
static inline double orient(double ax, double ay, double bx, double by, double cx, double cy)
{
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/* Is c's side of segment a-b in doubt? When the orientation is within its rounding error bound
 * (a few units in the last place of its two products: Shewchuk's bound, with margin), or c lies
 * within tol of the segment itself (a vertex at or next to the other's edge, collinear or
 * overlapping edges). Near the segment's line but beyond its ends the sign, being exact, is
 * used: it decides nothing there that the other two orientations do not. */
static int doubtful(double ax, double ay, double bx, double by, double cx, double cy, double tol)
{
    double dx = bx - ax, dy = by - ay;
    double l = dx * (cy - ay), r = dy * (cx - ax), o = l - r;
    if (fabs(o) <= 2e-15 * (fabs(l) + fabs(r)))
        return 1;
    double len = hypot(dx, dy);
    if (!(len > 0))
        return 1;
    if (fabs(o) > tol * len)
        return 0;
    double t = ((cx - ax) * dx + (cy - ay) * dy) / (len * len), pad = tol / len;
    return t >= -pad && t <= 1 + pad;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The segments whose boxes come within tol of the box, ascending into k->cand, their rings
 * into k->cand_r. -1: no memory. */
static int candidates(const plat_gis__edges *z, plat_gis__clip_scratch *k, double xmin, double ymin, double xmax,
                      double ymax)
{
    k->ncand = 0;
    int i0, i1, j0, j1;
    cell_range(z, xmin, ymin, xmax, ymax, &i0, &i1, &j0, &j1);
    for (int j = j0; j <= j1; j++)
        for (int i = i0; i <= i1; i++) {
            size_t c = (size_t)j * (size_t)z->nx + (size_t)i;
            int n = z->cell_first[c + 1] - z->cell_first[c];
            if (n == 0)
                continue;
            if (grow((void **)&k->cand, &k->capcand, k->ncand + n, sizeof(int)) < 0)
                return -1;
            memcpy(k->cand + k->ncand, z->cell_seg + z->cell_first[c], (size_t)n * sizeof(int));
            k->ncand += n;
        }
    /* a segment over several cells is listed in each: sort, then keep each once if near */
    if (k->ncand == 0)
        return 0;
    qsort(k->cand, (size_t)k->ncand, sizeof(int), cmp_int);
    if (grow((void **)&k->cand_r, &k->capcand_r, k->ncand, sizeof(int)) < 0)
        return -1;
    int m = 0;
    for (int i = 0; i < k->ncand; i++) {
        int s = k->cand[i];
        if (m > 0 && k->cand[m - 1] == s)
            continue;
        int r = ring_of(z, s);
        const double *d = seg(z, s, r);
        if (fmax(d[0], d[2]) < xmin - z->tol || fmin(d[0], d[2]) > xmax + z->tol || fmax(d[1], d[3]) < ymin - z->tol ||
            fmin(d[1], d[3]) > ymax + z->tol)
            continue;
        k->cand[m] = s;
        k->cand_r[m++] = r;
    }
    k->ncand = m;
    return 0;
}

static int is_candidate(const plat_gis__clip_scratch *k, int s)
{
    return k->ncand > 0 && bsearch(&s, k->cand, (size_t)k->ncand, sizeof(int), cmp_int) != NULL;
}

/* The crossings of the feature's edges (n vertices in p, x y interleaved) with the candidate
 * segments, into k->x. 1: all proper and sure; 0: something is uncertain; -1: no memory. */
static int crossings(const plat_gis__edges *z, plat_gis__clip_scratch *k, const double *p, int n)
{
    k->nx = 0;
    double tol = z->tol;
    if (grow((void **)&k->ring_hits, &k->capring, z->nring, sizeof(int)) < 0)
        return -1;
    for (int r = 0; r < z->nring; r++)
        k->ring_hits[r] = 0;
    for (int e = 0; e + 1 < n; e++) {
        double ax = p[2 * e], ay = p[2 * e + 1], bx = p[2 * e + 2], by = p[2 * e + 3];
        double exmin = fmin(ax, bx) - tol, exmax = fmax(ax, bx) + tol;
        double eymin = fmin(ay, by) - tol, eymax = fmax(ay, by) + tol;
        for (int i = 0; i < k->ncand; i++) {
            int s = k->cand[i], r = k->cand_r[i];
            const double *d = seg(z, s, r);
            double cx = d[0], cy = d[1], dx = d[2], dy = d[3];
            if (fmax(cx, dx) < exmin || fmin(cx, dx) > exmax || fmax(cy, dy) < eymin || fmin(cy, dy) > eymax)
                continue;
            double oa = orient(cx, cy, dx, dy, ax, ay), ob = orient(cx, cy, dx, dy, bx, by);
            double oc = orient(ax, ay, bx, by, cx, cy), od = orient(ax, ay, bx, by, dx, dy);
            if (doubtful(cx, cy, dx, dy, ax, ay, tol) || doubtful(cx, cy, dx, dy, bx, by, tol) ||
                doubtful(ax, ay, bx, by, cx, cy, tol) || doubtful(ax, ay, bx, by, dx, dy, tol))
                return 0;
            if ((oa > 0) == (ob > 0) || (oc > 0) == (od > 0))
                continue;
            if (grow((void **)&k->x, &k->capx, k->nx + 1, sizeof(xing)) < 0)
                return -1;
            xing *x = &k->x[k->nx++];
            x->e = e, x->s = s, x->r = r;
            x->te = oa / (oa - ob);
            x->ts = oc / (oc - od);
            /* The point from the zone's segment with its ends in a fixed order, so that the
             * neighbouring zone, whose ring runs the shared edge the other way, gets the same
             * point to the bit. */
            if (cx < dx || (cx == dx && cy < dy))
                x->x = cx + x->ts * (dx - cx), x->y = cy + x->ts * (dy - cy);
            else
                x->x = dx + (1 - x->ts) * (cx - dx), x->y = dy + (1 - x->ts) * (cy - dy);
            x->enters = (ob > 0) == (z->ring_side[r] > 0);
            x->visited = 0;
            k->ring_hits[r]++;
        }
    }
    return 1;
}

/* Sort the crossings along the feature (order[0..n)) and, for polygons, along the zone's
 * segments (order[n..2n), each crossing's pos_z its index there). 0 when two crossings on one
 * edge are too close to be ordered for sure. A feature crosses a border a few times: insertion
 * sorts. */
static int order_xings(const plat_gis__edges *z, plat_gis__clip_scratch *k, const double *p, int zone_too)
{
    int n = k->nx;
    int *o = k->order;
    const xing *x = k->x;
    for (int i = 0; i < n; i++)
        o[i] = i;
    for (int i = 1; i < n; i++) {
        int v = o[i], j = i;
        while (j > 0 && (x[o[j - 1]].e > x[v].e || (x[o[j - 1]].e == x[v].e && x[o[j - 1]].te > x[v].te))) {
            o[j] = o[j - 1];
            j--;
        }
        o[j] = v;
    }
    for (int i = 1; i < n; i++) {
        const xing *a = &x[o[i - 1]], *b = &x[o[i]];
        if (a->e == b->e) {
            double len = hypot(p[2 * a->e + 2] - p[2 * a->e], p[2 * a->e + 3] - p[2 * a->e + 1]);
            if ((b->te - a->te) * len <= z->tol)
                return 0;
        }
    }
    if (!zone_too)
        return 1;
    int *q = k->order + n;
    for (int i = 0; i < n; i++)
        q[i] = i;
    for (int i = 1; i < n; i++) {
        int v = q[i], j = i;
        while (j > 0 && (x[q[j - 1]].s > x[v].s || (x[q[j - 1]].s == x[v].s && x[q[j - 1]].ts > x[v].ts))) {
            q[j] = q[j - 1];
            j--;
        }
        q[j] = v;
    }
    for (int i = 0; i < n; i++) {
        k->x[q[i]].pos_z = i;
        if (i > 0 && x[q[i - 1]].s == x[q[i]].s) {
            const double *d = seg(z, x[q[i]].s, x[q[i]].r);
            if ((x[q[i]].ts - x[q[i - 1]].ts) * hypot(d[2] - d[0], d[3] - d[1]) <= z->tol)
                return 0;
        }
    }
    return 1;
}

static int buf_put(plat_gis__clip_scratch *k, size_t *n, double x, double y)
{
    if (*n + 2 > k->capbuf) {
        size_t cap = k->capbuf ? k->capbuf * 2 : 256;
        double *v = realloc(k->buf, cap * sizeof(double));
        if (!v)
            return -1;
        k->buf = v;
        k->capbuf = cap;
    }
    k->buf[(*n)++] = x;
    k->buf[(*n)++] = y;
    return 0;
}

/* A GEOS geometry from parts (each a range of k->buf, in points), or NULL. */
static GEOSGeometry *build(GEOSContextHandle_t h, const plat_gis__clip_scratch *k, const size_t *start, int nparts,
                           int polygon)
{
    GEOSGeometry *stack[16], **g = nparts <= 16 ? stack : malloc((size_t)nparts * sizeof(*g));
    if (!g)
        return NULL;
    int i = 0;
    for (; i < nparts; i++) {
        unsigned int np = (unsigned int)((start[i + 1] - start[i]) / 2);
        GEOSCoordSequence *sq = GEOSCoordSeq_copyFromBuffer_r(h, k->buf + start[i], np, 0, 0);
        if (!sq)
            break;
        if (polygon) {
            GEOSGeometry *shell = GEOSGeom_createLinearRing_r(h, sq);
            g[i] = shell ? GEOSGeom_createPolygon_r(h, shell, NULL, 0) : NULL;
            if (shell && !g[i])
                GEOSGeom_destroy_r(h, shell);
        } else {
            g[i] = GEOSGeom_createLineString_r(h, sq);
        }
        if (!g[i])
            break;
    }
    GEOSGeometry *r = NULL;
    if (i < nparts) {
        for (int j = 0; j < i; j++)
            GEOSGeom_destroy_r(h, g[j]);
    } else if (nparts == 1) {
        r = g[0];
    } else {
        r = GEOSGeom_createCollection_r(h, polygon ? GEOS_MULTIPOLYGON : GEOS_MULTILINESTRING, g, (unsigned)nparts);
        if (!r)
            for (int j = 0; j < nparts; j++)
                GEOSGeom_destroy_r(h, g[j]);
    }
    if (g != stack)
        free(g);
    return r;
}

/* Does the line (n vertices in p) run over part of itself, two of its segments overlapping
 * along more than tol (it doubles back, or comes back along an earlier stretch)? GEOS's
 * intersection counts such a stretch once (the overlay dissolves it), runs between crossings
 * would count it twice: left to GEOS. Straight continuations (collinear, not folding back) are
 * no overlap. O(n^2) with a box test first, for the few vertices of a feature. */
static int retraces(const double *p, int n, double tol)
{
    for (int i = 0; i + 1 < n; i++) {
        double ax = p[2 * i], ay = p[2 * i + 1], bx = p[2 * i + 2], by = p[2 * i + 3];
        double len = hypot(bx - ax, by - ay);
        if (!(len > tol))
            continue;
        double xmin = fmin(ax, bx) - tol, xmax = fmax(ax, bx) + tol;
        double ymin = fmin(ay, by) - tol, ymax = fmax(ay, by) + tol;
        for (int j = i + 1; j + 1 < n; j++) {
            double cx = p[2 * j], cy = p[2 * j + 1], dx = p[2 * j + 2], dy = p[2 * j + 3];
            if (fmax(cx, dx) < xmin || fmin(cx, dx) > xmax || fmax(cy, dy) < ymin || fmin(cy, dy) > ymax)
                continue;
            if (fabs(orient(ax, ay, bx, by, cx, cy)) > tol * len || fabs(orient(ax, ay, bx, by, dx, dy)) > tol * len)
                continue;
            double tc = ((cx - ax) * (bx - ax) + (cy - ay) * (by - ay)) / (len * len);
            double td = ((dx - ax) * (bx - ax) + (dy - ay) * (by - ay)) / (len * len);
            if ((fmin(1, fmax(tc, td)) - fmax(0, fmin(tc, td))) * len > tol)
                return 1;
        }
    }
    return 0;
}

/* The runs of a line (n vertices in p) inside the zone. */
static int clip_line(GEOSContextHandle_t h, const plat_gis__edges *z, plat_gis__clip_scratch *k, const double *p,
                     int n, GEOSGeometry **out)
{
    int nx = k->nx;
    const int *o = k->order;
    if (retraces(p, n, z->tol))
        return 0;
    /* inside and outside alternate; the first crossing says where the line starts */
    for (int i = 1; i < nx; i++)
        if (k->x[o[i]].enters == k->x[o[i - 1]].enters)
            return 0;
    int inside = !k->x[o[0]].enters;
    size_t start[2 * 64 + 2], used = 0;
    int nparts = 0, v = 0; /* v: the next vertex not yet passed */
    if ((nx + 2) / 2 > 64)
        return 0;
    if (grow((void **)&k->runs, &k->capruns, nx + 2, sizeof(double)) < 0)
        return -1;
    k->nruns = 0;
    if (inside) {
        start[nparts] = used;
        k->runs[0] = 0;
        if (buf_put(k, &used, p[0], p[1]) < 0)
            return -1;
    }
    for (int i = 0; i < nx; i++) {
        const xing *x = &k->x[o[i]];
        for (; v <= x->e; v++)
            if (inside && v > 0 && buf_put(k, &used, p[2 * v], p[2 * v + 1]) < 0)
                return -1;
        if (!inside)
            start[nparts] = used;
        k->runs[2 * nparts + inside] = x->e + x->te;
        if (buf_put(k, &used, x->x, x->y) < 0)
            return -1;
        if (inside)
            nparts++;
        inside = !inside;
    }
    if (inside) {
        for (; v < n; v++)
            if (v > 0 && buf_put(k, &used, p[2 * v], p[2 * v + 1]) < 0)
                return -1;
        k->runs[2 * nparts + 1] = n - 1;
        nparts++;
    }
    k->nruns = nparts;
    start[nparts] = used;
    if (!(*out = build(h, k, start, nparts, 0)))
        return -1;
    return 1;
}

/* The polygon (ring of n vertices in p, closed, counter-clockwise) traced inside the zone. */
static int clip_polygon(GEOSContextHandle_t h, const plat_gis__edges *z, plat_gis__clip_scratch *k, const double *p,
                        int n, GEOSGeometry **out)
{
    int nx = k->nx, ne = n - 1;
    const int *o = k->order, *q = k->order + nx;
    xing *xs = k->x;
    for (int i = 0; i < nx; i++)
        if (xs[o[i]].enters == xs[o[(i + 1) % nx]].enters)
            return 0;
    /* a zone ring near the parcel that it does not cross may lie inside it */
    for (int i = 0; i < k->ncand; i++)
        if (k->ring_hits[k->cand_r[i]] == 0)
            return 0;
    int pos_f[2 * MAX_RING + 2];
    if (nx > 2 * MAX_RING + 2)
        return 0;
    for (int i = 0; i < nx; i++)
        pos_f[o[i]] = i;
    size_t start[MAX_RING + 2], used = 0;
    int nparts = 0;
    for (int i0 = 0; i0 < nx; i0++) {
        int k0 = o[i0];
        if (!xs[k0].enters || xs[k0].visited)
            continue;
        if (nparts > MAX_RING)
            return 0;
        start[nparts] = used;
        int cur = k0, steps = 0;
        for (;;) {
            xing *a = &xs[cur];
            a->visited = 1;
            if (buf_put(k, &used, a->x, a->y) < 0)
                return -1;
            /* along the feature to where it leaves */
            xing *b = &xs[o[(pos_f[cur] + 1) % nx]];
            int wrap = b->e < a->e || (b->e == a->e && b->te < a->te);
            for (int v = a->e + 1, m = 0; m < ne; v++, m++) {
                if (!wrap && v > b->e)
                    break;
                if (wrap && v == ne) {
                    v = 0;
                    wrap = 0;
                    if (v > b->e)
                        break;
                }
                if (buf_put(k, &used, p[2 * v], p[2 * v + 1]) < 0)
                    return -1;
            }
            if (b->enters || b->visited)
                return 0;
            b->visited = 1;
            if (buf_put(k, &used, b->x, b->y) < 0)
                return -1;
            /* along the zone's ring, interior on the left, to where the feature enters again */
            int s = b->s, r = b->r, dir = z->ring_side[r];
            int at = b->pos_z, next = -1;
            for (;;) {
                int j = at + dir;
                if (at >= 0 && j >= 0 && j < nx && xs[q[j]].s == s) {
                    next = q[j];
                    break;
                }
                if (++steps > k->ncand) /* more segments than are near the feature: confused */
                    return 0;
                /* the end of this segment in the walk's direction, then the next segment */
                const double *d = seg(z, s, r);
                if (buf_put(k, &used, dir > 0 ? d[2] : d[0], dir > 0 ? d[3] : d[1]) < 0)
                    return -1;
                int f = z->ring_first[r], m = z->ring_n[r];
                s = f + ((s - f + dir) % m + m) % m;
                if (!is_candidate(k, s))
                    return 0;
                /* the first crossing on s in the walk's direction, if any */
                at = -1;
                for (int i = 0; i < nx; i++)
                    if (xs[q[i]].s == s) {
                        at = i;
                        if (dir > 0)
                            break;
                    }
                if (at >= 0) {
                    next = q[at];
                    break;
                }
            }
            xing *c = &xs[next];
            if (!c->enters)
                return 0;
            if (next == k0)
                break;
            if (c->visited)
                return 0;
            cur = next;
        }
        if (buf_put(k, &used, xs[k0].x, xs[k0].y) < 0) /* close the ring */
            return -1;
        if ((used - start[nparts]) / 2 < 4)
            return 0;
        nparts++;
    }
    for (int i = 0; i < nx; i++)
        if (!xs[i].visited)
            return 0;
    start[nparts] = used;
    if (!nparts)
        return 0;
    /* each traced ring a counter-clockwise shell, together less than the parcel */
    double whole2 = 0, sum2 = 0;
    for (int e = 0; e < ne; e++)
        whole2 += (p[2 * e] - p[0]) * (p[2 * e + 3] - p[1]) - (p[2 * e + 2] - p[0]) * (p[2 * e + 1] - p[1]);
    for (int i = 0; i < nparts; i++) {
        const double *b = k->buf + start[i];
        size_t np = (start[i + 1] - start[i]) / 2;
        double a2 = 0;
        for (size_t j = 0; j + 1 < np; j++)
            a2 += (b[2 * j] - b[0]) * (b[2 * j + 3] - b[1]) - (b[2 * j + 2] - b[0]) * (b[2 * j + 1] - b[1]);
        if (!(a2 > 0))
            return 0;
        sum2 += a2;
    }
    if (!(sum2 < whole2))
        return 0;
    if (!(*out = build(h, k, start, nparts, 1)))
        return -1;
    return 1;
}

/* Where a feature lies that crosses none of the zone's edges and comes near none (no doubt
 * in crossings()): wholly inside or wholly outside, as its first vertex, unless a zone ring
 * near it lies within its box (a polygon may hold the ring; a line cannot, but the test is
 * cheap and errs towards GEOS) or a hole's ring is near it or crosses the ray to the right of
 * the vertex (it may lie in the hole: rare, and left to GEOS). The vertex is farther than tol from every edge near the feature, so the
 * parity of the edges crossing the ray is sure (their ends counted half-open). */
static int inside_or_out(const plat_gis__edges *z, plat_gis__clip_scratch *k, const double *p, double xmin,
                         double ymin, double xmax, double ymax)
{
    for (int i = 0; i < k->ncand; i++) {
        int r = k->cand_r[i];
        const double *b = z->ring_box + 4 * r;
        if (z->ring_hole[r] || (b[0] >= xmin && b[2] <= xmax && b[1] >= ymin && b[3] <= ymax))
            return PLAT_GIS__CLIP_UNSURE;
    }
    double px = p[0], py = p[1];
    if (candidates(z, k, px, py, fmax(px, z->x0 + z->nx * z->cw), py) < 0)
        return -1;
    int odd = 0;
    for (int i = 0; i < k->ncand; i++) {
        const double *d = seg(z, k->cand[i], k->cand_r[i]);
        if ((d[1] > py) != (d[3] > py) && d[0] + (py - d[1]) * (d[2] - d[0]) / (d[3] - d[1]) > px) {
            if (z->ring_hole[k->cand_r[i]])
                return PLAT_GIS__CLIP_UNSURE;
            odd = !odd;
        }
    }
    return odd ? PLAT_GIS__CLIP_INSIDE : PLAT_GIS__CLIP_OUTSIDE;
}

const double *plat_gis__clip_runs(const plat_gis__clip_scratch *k, int *nruns)
{
    *nruns = k->nruns;
    return k->nruns ? k->runs : NULL;
}

int plat_gis__edges_clip(GEOSContextHandle_t h, const plat_gis__edges *z, plat_gis__clip_scratch *k,
                         const GEOSGeometry *g, GEOSGeometry **out)
{
    *out = NULL;
    if (!z || !k)
        return 0;
    k->nruns = 0;
    int t = GEOSGeomTypeId_r(h, g);
    const GEOSGeometry *line;
    if (t == GEOS_POLYGON) {
        if (GEOSGetNumInteriorRings_r(h, g) != 0)
            return 0;
        line = GEOSGetExteriorRing_r(h, g);
    } else if (t == GEOS_LINESTRING) {
        line = g;
    } else {
        return 0;
    }
    if (!line || GEOSHasZ_r(h, g) != 0)
        return 0;
    const GEOSCoordSequence *sq = GEOSGeom_getCoordSeq_r(h, line);
    unsigned int n = 0;
    if (!sq || !GEOSCoordSeq_getSize_r(h, sq, &n) || n < 2 || (t == GEOS_POLYGON && (n < 4 || n > MAX_RING + 1)))
        return 0;
    if (t == GEOS_LINESTRING && n > MAX_LINE)
        return 0;
    double stack[2 * (MAX_RING + 1)];
    double *p = stack;
    if (2 * (size_t)n > sizeof(stack) / sizeof(double) && !(p = malloc(2 * (size_t)n * sizeof(double))))
        return -1;
    int rc = GEOSCoordSeq_copyToBuffer_r(h, sq, p, 0, 0) ? 1 : 0;
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY, area2 = 0;
    for (unsigned int i = 0; rc == 1 && i < n; i++) {
        xmin = fmin(xmin, p[2 * i]), xmax = fmax(xmax, p[2 * i]);
        ymin = fmin(ymin, p[2 * i + 1]), ymax = fmax(ymax, p[2 * i + 1]);
        if (i > 0)
            area2 += (p[2 * i - 2] - p[0]) * (p[2 * i + 1] - p[1]) - (p[2 * i] - p[0]) * (p[2 * i - 1] - p[1]);
    }
    if (rc == 1 && t == GEOS_POLYGON) {
        if (!(area2 != 0) || !isfinite(area2)) {
            rc = 0;
        } else if (area2 < 0) { /* traced counter-clockwise: reverse a clockwise ring */
            for (unsigned int i = 0, j = n - 1; i < j; i++, j--) {
                double tx = p[2 * i], ty = p[2 * i + 1];
                p[2 * i] = p[2 * j], p[2 * i + 1] = p[2 * j + 1];
                p[2 * j] = tx, p[2 * j + 1] = ty;
            }
        }
    }
    if (rc == 1 && candidates(z, k, xmin, ymin, xmax, ymax) < 0)
        rc = -1;
    if (rc == 1)
        rc = crossings(z, k, p, (int)n);
    if (rc == 1 && k->nx == 0)
        rc = inside_or_out(z, k, p, xmin, ymin, xmax, ymax);
    if (rc == 1 && k->nx > 0 && grow((void **)&k->order, &k->caporder, 2 * k->nx, sizeof(int)) < 0)
        rc = -1;
    if (rc == 1 && k->nx > 0)
        rc = order_xings(z, k, p, t == GEOS_POLYGON);
    if (rc == 1 && k->nx > 0)
        rc = t == GEOS_POLYGON ? clip_polygon(h, z, k, p, (int)n, out) : clip_line(h, z, k, p, (int)n, out);
    if (p != stack)
        free(p);
    return rc;
}

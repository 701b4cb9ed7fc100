/* gis/valid.c - is a geometry valid? An exact answer for the common small cases, GEOS for the rest.
 *
 * An import checks every feature, and most features are a parcel of one ring with a handful
 * of vertices, or a road line. GEOSisValid builds a topology graph for each (about 12,000
 * instructions for a parcel of 4-10 vertices), where a direct test of the few edges takes a
 * tenth of that. The direct test answers only "valid" or "cannot say"; "cannot say" sends the
 * geometry to GEOSisValid, so whatever the answer, it is the one GEOS would give:
 *
 * - A line is valid when its coordinates are finite and it has two distinct points (OGC; what
 *   GEOS asks of a LineString). That is decided exactly, with no arithmetic.
 * - A polygon of one ring (no holes) is valid when the ring is closed, has at least three
 *   distinct vertices, its coordinates are finite, and it is simple: two edges that do not
 *   follow one another share no point, and two that do follow one another meet only at their
 *   common vertex (no spike folding back). A simple closed ring bounds a non-zero area, so the
 *   area needs no test of its own. Consecutive repeated points are skipped, as GEOS does.
 *
 * Exactness. Every question about edges is asked of the sign of an orientation determinant,
 * computed in doubles and trusted only when its magnitude exceeds the bound on its rounding
 * error (Shewchuk's filter, "Adaptive Precision Floating-Point Arithmetic and Fast Robust
 * Geometric Predicates", 1997, ccwerrboundA): a sign within the bound, a vertex lying on a
 * line through two others, or any coordinate beyond 1e100 (products that could overflow) is
 * "cannot say". Underflow is covered by an absolute term in the bound. So a "valid" here is
 * the exact answer, which GEOS's own robust orientation (a filter, then double-double
 * arithmetic) agrees with wherever a double determinant is that far from zero.
 *
 * Rings of more than PLAT_VALID_FAST_MAX distinct vertices, lines of more than LINE_MAX
 * points, holes, multi-polygons and collections go to GEOS: pairs of edges grow with the
 * square of the vertices, polygons of several rings need the topology GEOS builds, and nothing
 * here allocates (the coordinates are copied onto the stack). */
#include <math.h>

#include "gis_int.h"

/* (3 + 16 eps) eps with eps = 2^-53: the relative error bound of a 2x2 orientation
 * determinant computed in doubles (Shewchuk 1997, ccwerrboundA). */
#define ORIENT_ERR ((3.0 + 16.0 * 0x1p-53) * 0x1p-53)
/* Far above the error a product that underflowed can carry (2^-1074), far below any area a
 * plat geometry can have. */
#define ORIENT_TINY 0x1p-1000
/* No product of two coordinate differences can overflow below this. */
#define COORD_MAX 1e100
/* Points of the longest line read onto the stack for the test; longer ones go to GEOS. */
#define LINE_MAX 256

/* The sign of the orientation of c relative to the line a->b: +1 left, -1 right, 0 when
 * floating point cannot tell (c on the line, or too close to it to be sure). */
static int orient(const double *a, const double *b, const double *c)
{
    double l = (a[0] - c[0]) * (b[1] - c[1]);
    double r = (a[1] - c[1]) * (b[0] - c[0]);
    double det = l - r;
    double bound = ORIENT_ERR * (fabs(l) + fabs(r)) + ORIENT_TINY;
    if (det > bound)
        return 1;
    if (-det > bound)
        return -1;
    return 0;
}

/* 1 when segments p0-p1 and q0-q1 certainly share no point, 0 when that cannot be said. */
static int segments_apart(const double *p0, const double *p1, const double *q0, const double *q1)
{
    if (fmax(p0[0], p1[0]) < fmin(q0[0], q1[0]) || fmax(q0[0], q1[0]) < fmin(p0[0], p1[0]) ||
        fmax(p0[1], p1[1]) < fmin(q0[1], q1[1]) || fmax(q0[1], q1[1]) < fmin(p0[1], p1[1]))
        return 1;
    int a = orient(p0, p1, q0);
    if (a != 0 && a == orient(p0, p1, q1))
        return 1; /* q strictly on one side of the line through p */
    int b = orient(q0, q1, p0);
    return b != 0 && b == orient(q0, q1, p1);
}

static int coord_ok(const double *p)
{
    return isfinite(p[0]) && isfinite(p[1]) && fabs(p[0]) <= COORD_MAX && fabs(p[1]) <= COORD_MAX;
}

int plat_gis__ring_valid_fast(const double *xy, size_t n)
{
    const double *v[PLAT_VALID_FAST_MAX];
    size_t m = 0;
    if (n < 4 || xy[0] != xy[2 * (n - 1)] || xy[1] != xy[2 * (n - 1) + 1])
        return 0; /* too short or not closed: GEOS says why */
    for (size_t i = 0; i + 1 < n; i++) {
        const double *p = xy + 2 * i;
        if (!coord_ok(p))
            return 0;
        if (m > 0 && p[0] == v[m - 1][0] && p[1] == v[m - 1][1])
            continue; /* a repeated point adds no edge */
        if (m == PLAT_VALID_FAST_MAX)
            return 0;
        v[m++] = p;
    }
    /* the points before the closing one that repeat the first vertex */
    while (m > 1 && v[m - 1][0] == v[0][0] && v[m - 1][1] == v[0][1])
        m--;
    if (m < 3)
        return 0;
    /* Consecutive edges v[i-1]-v[i] and v[i]-v[i+1]: not on one line, so they meet at v[i] only. */
    for (size_t i = 0; i < m; i++)
        if (orient(v[(i + m - 1) % m], v[i], v[(i + 1) % m]) == 0)
            return 0;
    /* Edges i and j that do not follow one another (edge k runs from v[k] to v[k+1]). */
    for (size_t i = 0; i + 2 < m; i++)
        for (size_t j = i + 2; j < m; j++) {
            if (i == 0 && j == m - 1)
                continue; /* the last edge follows on to the first */
            if (!segments_apart(v[i], v[i + 1], v[j], v[(j + 1) % m]))
                return 0;
        }
    return 1;
}

/* 1 when the n points xy are finite and two of them differ: a valid line. Exact. */
static int line_valid(const double *xy, size_t n)
{
    int distinct = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(xy[2 * i]) || !isfinite(xy[2 * i + 1]))
            return 0;
        distinct |= xy[2 * i] != xy[0] || xy[2 * i + 1] != xy[1];
    }
    return distinct;
}

/* The coordinates of seq into buf (x y x y ...), when there are at most `max`. @return n, or 0 */
static size_t coords(GEOSContextHandle_t h, const GEOSCoordSequence *seq, double *buf, size_t max)
{
    unsigned int n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n) || n == 0 || n > max ||
        !GEOSCoordSeq_copyToBuffer_r(h, seq, buf, 0, 0))
        return 0;
    return n;
}

int plat_gis__valid_fast(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    /* room for a ring that closes with a few repeated points beyond its distinct vertices */
    double buf[2 * (PLAT_VALID_FAST_MAX + 8)];
    const size_t max = PLAT_VALID_FAST_MAX + 8;
    switch (GEOSGeomTypeId_r(h, g)) {
    case GEOS_POLYGON: {
        if (GEOSGetNumInteriorRings_r(h, g) != 0)
            return 0;
        const GEOSGeometry *ring = GEOSGetExteriorRing_r(h, g);
        size_t n = ring ? coords(h, GEOSGeom_getCoordSeq_r(h, ring), buf, max) : 0;
        return n > 0 && plat_gis__ring_valid_fast(buf, n);
    }
    case GEOS_LINESTRING: {
        double line[2 * LINE_MAX];
        size_t n = coords(h, GEOSGeom_getCoordSeq_r(h, g), line, LINE_MAX);
        return n > 0 && line_valid(line, n);
    }
    case GEOS_MULTILINESTRING: {
        int parts = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < parts; i++)
            if (!plat_gis__valid_fast(h, GEOSGetGeometryN_r(h, g, i)))
                return 0;
        return parts > 0;
    }
    default:
        return 0;
    }
}

int plat_geom_is_valid(plat_ctx *ctx, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    if (!h)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    if (plat_gis__valid_fast(h, g))
        return 1;
    return plat_gis__pred(ctx, GEOSisValid_r(h, g), "cannot check validity");
}

/* tests/unit/gis/test_clip.c - the exact clip of gis/clip.c against GEOS's overlay: thousands of
 * generated parcels and lines across jagged zone boundaries (a township-like ring of 400 noisy
 * vertices with a hole, plus an island), each compared with GEOSIntersection; constructed
 * degenerate cases, which must be left to GEOS; and the coverage engine, which uses it, against
 * GEOS's intersections township by township. */
#include <stdint.h>
#include <stdlib.h>

#include "plat/coverage.h"
#include "plat/util.h"
#include "plat/gis.h"
#include "gis_int.h"
#include "../../t.h"

static plat_ctx *ctx;
static GEOSContextHandle_t h;
static plat_gis__clip_scratch *scratch;

static GEOSGeometry *parse(const char *text)
{
    GEOSGeometry *g = NULL;
    if (plat_geom_parse(ctx, &g, text) < 0)
        printf("   parse failed: %s\n", plat_error_last(ctx)->msg);
    return g;
}

/* a fixed sequence, whatever the C library */
static uint64_t seed = 88172645463325252ull;
static double rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (double)(seed >> 11) / 9007199254740992.0;
}

/* A jagged square ring: each side cut into `per` pieces, every inner vertex pushed sideways by
 * up to `jag` metres. Counter-clockwise unless cw. Returns the number of points (closed). */
static int jagged_square(double *xy, double x0, double y0, double side, int per, double jag, int cw)
{
    double cx[5] = { x0, x0 + side, x0 + side, x0, x0 }, cy[5] = { y0, y0, y0 + side, y0 + side, y0 };
    int n = 0;
    for (int s = 0; s < 4; s++) {
        double dx = (cx[s + 1] - cx[s]) / side, dy = (cy[s + 1] - cy[s]) / side;
        for (int i = 0; i < per; i++) {
            double t = (double)i / per, off = i ? (2 * rnd() - 1) * jag : 0;
            xy[2 * n] = cx[s] + t * (cx[s + 1] - cx[s]) - dy * off;
            xy[2 * n + 1] = cy[s] + t * (cy[s + 1] - cy[s]) + dx * off;
            n++;
        }
    }
    xy[2 * n] = xy[0], xy[2 * n + 1] = xy[1];
    n++;
    if (cw)
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            double tx = xy[2 * i], ty = xy[2 * i + 1];
            xy[2 * i] = xy[2 * j], xy[2 * i + 1] = xy[2 * j + 1];
            xy[2 * j] = tx, xy[2 * j + 1] = ty;
        }
    return n;
}

static GEOSGeometry *ring(const double *xy, int n)
{
    return GEOSGeom_createLinearRing_r(h, GEOSCoordSeq_copyFromBuffer_r(h, xy, (unsigned)n, 0, 0));
}

/* The test zone: a 10 km township of 400 noisy boundary vertices around a 2 km hole, and a
 * 1 km island east of it. Rings in either orientation, as files have them. */
static double shell_xy[2 * 401], hole_xy[2 * 81], island_xy[2 * 81];
static int nshell, nhole, nisland;

static GEOSGeometry *make_zone(void)
{
    nshell = jagged_square(shell_xy, 400000, 3170000, 10000, 100, 30, 0);
    nhole = jagged_square(hole_xy, 404000, 3174000, 2000, 20, 25, 0);
    nisland = jagged_square(island_xy, 411000, 3174000, 1000, 20, 20, 1);
    GEOSGeometry *hole = ring(hole_xy, nhole);
    GEOSGeometry *p[2] = { GEOSGeom_createPolygon_r(h, ring(shell_xy, nshell), &hole, 1),
                           GEOSGeom_createPolygon_r(h, ring(island_xy, nisland), NULL, 0) };
    return GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, p, 2);
}

/* A point on one of the zone's rings, chosen at random. */
static void boundary_point(double *x, double *y)
{
    double u = rnd();
    const double *xy = u < 0.6 ? shell_xy : u < 0.85 ? hole_xy : island_xy;
    int n = u < 0.6 ? nshell : u < 0.85 ? nhole : nisland;
    int i = (int)(rnd() * (n - 1));
    double t = rnd();
    *x = xy[2 * i] + t * (xy[2 * i + 2] - xy[2 * i]);
    *y = xy[2 * i + 1] + t * (xy[2 * i + 3] - xy[2 * i + 1]);
}

/* A star-shaped parcel of k vertices about (x, y), radius up to r, either orientation. */
static GEOSGeometry *parcel(double x, double y, double r, int k)
{
    double xy[2 * 65], a[64];
    for (int i = 0; i < k; i++)
        a[i] = 6.283185307179586 * (i + 0.8 * rnd()) / k;
    int cw = rnd() < 0.5;
    for (int i = 0; i < k; i++) {
        int j = cw ? k - 1 - i : i;
        double rr = r * (0.4 + 0.6 * rnd());
        xy[2 * i] = x + rr * cos(a[j]);
        xy[2 * i + 1] = y + rr * sin(a[j]);
    }
    xy[2 * k] = xy[0], xy[2 * k + 1] = xy[1];
    return GEOSGeom_createPolygon_r(h, ring(xy, k + 1), NULL, 0);
}

/* A smooth random walk of k steps of 4-40 m from (x, y). */
static GEOSGeometry *walk(double x, double y, int k)
{
    double xy[2 * 201], head = rnd() * 6.283185307179586;
    xy[0] = x, xy[1] = y;
    for (int i = 1; i <= k; i++) {
        head += (rnd() - 0.5) * 0.8;
        double step = 4 + 36 * rnd();
        xy[2 * i] = xy[2 * i - 2] + step * cos(head);
        xy[2 * i + 1] = xy[2 * i - 1] + step * sin(head);
    }
    return GEOSGeom_createLineString_r(h, GEOSCoordSeq_copyFromBuffer_r(h, xy, (unsigned)k + 1, 0, 0));
}

static double measure(const GEOSGeometry *g, int polygon)
{
    double v = 0;
    if (polygon)
        GEOSArea_r(h, g, &v);
    else
        GEOSLength_r(h, g, &v);
    return v;
}

typedef struct tally {
    int tried, crossing, exact, fallbacks_crossing;
    int placed; /* said to lie wholly inside or outside */
    double worst; /* largest relative difference from GEOS */
} tally;

/* Clip g both ways; where the exact clip answers, it must be valid and equal to GEOS's. */
static void compare(plat_gis__edges *e, const GEOSGeometry *zone, GEOSGeometry *g, int polygon, tally *t)
{
    GEOSGeometry *x = NULL;
    int rc = plat_gis__edges_clip(h, e, scratch, g, &x);
    GEOSGeometry *ref = GEOSIntersection_r(h, zone, g);
    double whole = measure(g, polygon), want = ref ? measure(ref, polygon) : -1;
    int crosses = want > 0 && want < whole * (1 - 1e-9);
    t->tried++;
    t->crossing += crosses;
    T_CHECK(rc >= PLAT_GIS__CLIP_UNSURE && rc <= PLAT_GIS__CLIP_OUTSIDE);
    if (rc == PLAT_GIS__CLIP_INSIDE || rc == PLAT_GIS__CLIP_OUTSIDE) {
        T_CHECK(x == NULL);
        t->placed++;
        if (rc == PLAT_GIS__CLIP_INSIDE) /* all of it in the zone, by GEOS too */
            T_EQ_INT(GEOSContains_r(h, zone, g), 1);
        else
            T_EQ_INT(GEOSIntersects_r(h, zone, g), 0);
    }
    if (rc == PLAT_GIS__CLIP_CUT) {
        t->exact++;
        T_CHECK(crosses); /* it never cuts a feature wholly in or out */
        double got = measure(x, polygon), rel = fabs(got - want) / want;
        if (rel > t->worst)
            t->worst = rel;
        if (!(rel <= 1e-9))
            printf("   exact clip %.12g, GEOS %.12g (whole %.12g)\n", got, want, whole);
        T_CHECK(rel <= 1e-9);
        T_EQ_INT(GEOSisValid_r(h, x), 1);
        /* the same shape, not only the same measure: no point of either farther than a
         * micrometre from the other (the crossings are rounded; lines that are not exactly
         * collinear make a symmetric difference of whole segments, so no such test for them) */
        double hd = 1;
        T_EQ_INT(GEOSHausdorffDistance_r(h, x, ref, &hd), 1);
        T_CHECK(hd <= 1e-6);
        if (polygon) {
            GEOSGeometry *d = GEOSSymDifference_r(h, x, ref);
            double dv = d ? measure(d, polygon) : 1;
            T_CHECK(dv <= 1e-9 * want);
            GEOSGeom_destroy_r(h, d);
        }
        GEOSGeom_destroy_r(h, x);
    } else if (crosses) {
        t->fallbacks_crossing++;
    }
    GEOSGeom_destroy_r(h, ref);
    GEOSGeom_destroy_r(h, g);
}

static void generated_parcels_equal_geos(void)
{
    GEOSGeometry *zone = make_zone();
    plat_gis__edges *e = plat_gis__edges_new(h, zone);
    T_CHECK(e != NULL);
    tally small = { 0 }, big = { 0 };
    for (int i = 0; i < 3000; i++) { /* farmland-like: 4-10 vertices, 40-250 m across */
        double x, y;
        boundary_point(&x, &y);
        double r = 20 + 105 * rnd();
        compare(e, zone, parcel(x + (rnd() - 0.5) * r, y + (rnd() - 0.5) * r, r, 4 + (int)(7 * rnd())), 1, &small);
    }
    for (int i = 0; i < 1000; i++) { /* up to 64 vertices and 600 m: several crossings, multipolygons */
        double x, y;
        boundary_point(&x, &y);
        compare(e, zone, parcel(x, y, 100 + 200 * rnd(), 11 + (int)(54 * rnd())), 1, &big);
    }
    printf("   small parcels: %d, %d crossing, %d clipped exactly (worst %.2g relative), %d left to GEOS; %d said to "
           "lie inside or outside\n",
           small.tried, small.crossing, small.exact, small.worst, small.fallbacks_crossing, small.placed);
    printf("   large parcels: %d, %d crossing, %d clipped exactly (worst %.2g relative), %d left to GEOS\n",
           big.tried, big.crossing, big.exact, big.worst, big.fallbacks_crossing);
    /* Nearly every crossing parcel takes the exact path: a vertex within a fraction of a
     * millimetre of a border is the only reason not to (here one parcel in 3,000 has one,
     * 0.06 mm from it). */
    T_CHECK(small.crossing > 1500);
    T_CHECK(small.placed > 10);
    T_CHECK(small.fallbacks_crossing <= small.crossing / 500);
    T_CHECK(big.crossing > 500);
    T_CHECK(big.fallbacks_crossing <= big.crossing / 500);
    plat_gis__edges_free(e);
    GEOSGeom_destroy_r(h, zone);
}

static void generated_lines_equal_geos(void)
{
    GEOSGeometry *zone = make_zone();
    plat_gis__edges *e = plat_gis__edges_new(h, zone);
    tally t = { 0 };
    for (int i = 0; i < 3000; i++) {
        double x, y;
        boundary_point(&x, &y);
        compare(e, zone, walk(x + (rnd() - 0.5) * 200, y + (rnd() - 0.5) * 200, 5 + (int)(195 * rnd())), 0, &t);
    }
    printf("   lines: %d, %d crossing, %d clipped exactly (worst %.2g relative), %d left to GEOS; %d said to lie "
           "inside or outside\n",
           t.tried, t.crossing, t.exact, t.worst, t.fallbacks_crossing, t.placed);
    T_CHECK(t.crossing > 1500);
    T_CHECK(t.placed > 100);
    T_CHECK(t.fallbacks_crossing <= t.crossing / 500);
    plat_gis__edges_free(e);
    GEOSGeom_destroy_r(h, zone);
}

/* A hand-computed case: the square zone 0..1000 (offset to Gauss-Krüger magnitudes) and a
 * parcel and a line across its east side. */
static void a_square_across_the_edge(void)
{
    GEOSGeometry *zone = parse("POLYGON((400000 3170000,401000 3170000,401000 3171000,400000 3171000,400000 3170000))");
    plat_gis__edges *e = plat_gis__edges_new(h, zone);
    GEOSGeometry *p = parse("POLYGON((400700 3170100,401300 3170100,401300 3170600,400700 3170600,400700 3170100))");
    GEOSGeometry *x = NULL;
    T_EQ_INT(plat_gis__edges_clip(h, e, scratch, p, &x), 1);
    T_NEAR(measure(x, 1), 300.0 * 500.0, 1e-6);
    T_EQ_INT(GEOSGeomTypeId_r(h, x), GEOS_POLYGON);
    GEOSGeom_destroy_r(h, x);
    /* in at the east side, out again at the north: 200 m + 150 m inside */
    GEOSGeometry *l = parse("LINESTRING(401100 3170500,400800 3170500,400800 3170850,400900 3171100)");
    T_EQ_INT(plat_gis__edges_clip(h, e, scratch, l, &x), 1);
    T_NEAR(measure(x, 0), 200 + 350 + hypot(100.0 * 150 / 250, 150), 1e-6);
    GEOSGeom_destroy_r(h, x);
    /* out, in, out, in: a MultiLineString of two runs, 400 m and 100 m */
    GEOSGeometry *l2 = parse("LINESTRING(400500 3170500,401200 3170500,401200 3170400,400900 3170400)");
    T_EQ_INT(plat_gis__edges_clip(h, e, scratch, l2, &x), 1);
    T_EQ_INT(GEOSGeomTypeId_r(h, x), GEOS_MULTILINESTRING);
    T_NEAR(measure(x, 0), 500 + 100, 1e-6);
    GEOSGeom_destroy_r(h, x);
    /* where the runs lie along it: from its start to 5/7 of its first segment, and from 2/3 of
     * its third segment to its end */
    int nruns = 0;
    const double *runs = plat_gis__clip_runs(scratch, &nruns);
    T_EQ_INT(nruns, 2);
    if (runs && nruns == 2) {
        T_NEAR(runs[0], 0, 1e-12);
        T_NEAR(runs[1], 5.0 / 7, 1e-12);
        T_NEAR(runs[2], 2 + 2.0 / 3, 1e-12);
        T_NEAR(runs[3], 3, 1e-12);
    }
    /* none after a polygon's cut */
    T_EQ_INT(plat_gis__edges_clip(h, e, scratch, p, &x), 1);
    GEOSGeom_destroy_r(h, x);
    T_CHECK(plat_gis__clip_runs(scratch, &nruns) == NULL && nruns == 0);
    GEOSGeom_destroy_r(h, p);
    GEOSGeom_destroy_r(h, l);
    GEOSGeom_destroy_r(h, l2);
    plat_gis__edges_free(e);
    GEOSGeom_destroy_r(h, zone);
}

/* What the exact clip must leave to GEOS: it answers 0 and builds nothing. */
static void fallback(plat_gis__edges *e, const char *text)
{
    GEOSGeometry *g = parse(text), *x = NULL;
    int rc = plat_gis__edges_clip(h, e, scratch, g, &x);
    if (rc != 0)
        printf("   not left to GEOS: %s\n", text);
    T_EQ_INT(rc, 0);
    T_CHECK(x == NULL);
    GEOSGeom_destroy_r(h, g);
}

/* A feature that crosses nothing and comes near nothing: said to lie inside or outside. */
static void placed(plat_gis__edges *e, const char *text, int where)
{
    GEOSGeometry *g = parse(text), *x = NULL;
    T_EQ_INT(plat_gis__edges_clip(h, e, scratch, g, &x), where);
    T_CHECK(x == NULL);
    GEOSGeom_destroy_r(h, g);
}

static void degenerate_cases_are_left_to_geos(void)
{
    /* the square 0..1000 with a hole 400..600 */
    GEOSGeometry *zone = parse("POLYGON((400000 3170000,401000 3170000,401000 3171000,400000 3171000,400000 3170000),"
                               "(400400 3170400,400600 3170400,400600 3170600,400400 3170600,400400 3170400))");
    plat_gis__edges *e = plat_gis__edges_new(h, zone);
    T_CHECK(e != NULL);
    /* a parcel sharing a vertex with the border (the zone's corner) */
    fallback(e, "POLYGON((400900 3170900,401000 3171000,400950 3171100,400850 3170950,400900 3170900))");
    /* sharing a vertex with the border mid-edge, and crossing it elsewhere */
    fallback(e, "POLYGON((400900 3170500,401000 3170500,401100 3170700,400900 3170700,400900 3170500))");
    /* sharing part of an edge */
    fallback(e, "POLYGON((400900 3170100,401000 3170100,401000 3170300,400900 3170300,400900 3170100))");
    /* an edge along the border, and beyond it */
    fallback(e, "POLYGON((400900 3170100,401000 3170100,401000 3170300,401100 3170350,400900 3170300,400900 3170100))");
    /* a vertex a tenth of a millimetre from the border */
    fallback(e, "POLYGON((400900 3170100,400999.9999 3170150,401100 3170300,400900 3170300,400900 3170100))");
    /* a line running along the border, and a line ending on it */
    fallback(e, "LINESTRING(400500 3170000,400800 3170000,401200 3170100)");
    fallback(e, "LINESTRING(400800 3170500,401000 3170500)");
    /* a line that doubles back across the border along itself, and one that comes back along
     * an earlier stretch: GEOS's intersection counts the overlap once */
    fallback(e, "LINESTRING(400900 3170500,401100 3170500,400950 3170500)");
    GEOSGeometry *back = parse("LINESTRING(400900 3170500,401100 3170500,400950 3170500)");
    GEOSGeometry *in = GEOSIntersection_r(h, zone, back);
    T_NEAR(measure(in, 0), 100, 1e-9); /* 900-1000 once, not 900-1000 and 1000-950 */
    GEOSGeom_destroy_r(h, in);
    GEOSGeom_destroy_r(h, back);
    fallback(e, "LINESTRING(400900 3170500,401100 3170500,401100 3170600,400950 3170600,400950 3170500.00001,"
                "401050 3170500.00001)");
    /* a line crossing exactly through the zone's corner */
    fallback(e, "LINESTRING(400900 3171100,401100 3170900)");
    /* a parcel in the hole, one around the hole (no crossing), and one straddling a hole
     * while also crossing it (the hole's ring near it is crossed: that one is exact) */
    fallback(e, "POLYGON((400450 3170450,400550 3170450,400550 3170550,400450 3170550,400450 3170450))");
    fallback(e, "POLYGON((400300 3170300,400700 3170300,400700 3170700,400300 3170700,400300 3170300))");
    /* touching from outside: no crossing */
    fallback(e, "POLYGON((401000 3170200,401100 3170200,401100 3170300,401000 3170300,401000 3170200))");
    /* not the shapes it takes: a holed parcel, a multipolygon, a ring of 65 vertices */
    fallback(e, "POLYGON((400900 3170100,401100 3170100,401100 3170300,400900 3170300,400900 3170100),"
                "(400950 3170150,400960 3170150,400960 3170160,400950 3170160,400950 3170150))");
    fallback(e, "MULTIPOLYGON(((400900 3170100,401100 3170100,401100 3170300,400900 3170300,400900 3170100)))");
    char big[4096];
    int n = snprintf(big, sizeof(big), "POLYGON((");
    for (int i = 0; i < 65; i++) {
        double a = 6.283185307179586 * i / 65;
        n += snprintf(big + n, sizeof(big) - (size_t)n, "%.3f %.3f,", 401000 + 100 * cos(a), 3170500 + 100 * sin(a));
    }
    snprintf(big + n, sizeof(big) - (size_t)n, "401100 3170500))");
    fallback(e, big);
    /* near the border without touching it: inside, or outside, said without GEOS */
    placed(e, "POLYGON((400900 3170100,400999 3170150,400990 3170300,400900 3170300,400900 3170100))",
           PLAT_GIS__CLIP_INSIDE);
    placed(e, "POLYGON((401001 3170100,401100 3170150,401100 3170300,401001 3170300,401001 3170100))",
           PLAT_GIS__CLIP_OUTSIDE);
    placed(e, "LINESTRING(401100 3170910,400999 3171001)", PLAT_GIS__CLIP_OUTSIDE); /* 7 cm off the corner */
    placed(e, "LINESTRING(400990 3170010,400999 3170001,400950 3170002)", PLAT_GIS__CLIP_INSIDE);
    /* a parcel crossing the hole's ring is clipped exactly, the hole cut out of it */
    GEOSGeometry *p = parse("POLYGON((400500 3170300,400700 3170300,400700 3170500,400500 3170500,400500 3170300))");
    GEOSGeometry *x = NULL;
    T_EQ_INT(plat_gis__edges_clip(h, e, scratch, p, &x), 1);
    T_NEAR(measure(x, 1), 200.0 * 200 - 100.0 * 100, 1e-6);
    GEOSGeom_destroy_r(h, x);
    GEOSGeom_destroy_r(h, p);
    plat_gis__edges_free(e);
    GEOSGeom_destroy_r(h, zone);
    /* a parcel around a small part of the zone, crossing nothing: GEOS decides */
    GEOSGeometry *two = parse("MULTIPOLYGON(((400000 3170000,401000 3170000,401000 3171000,400000 3171000,"
                              "400000 3170000)),((401100 3170100,401110 3170100,401110 3170110,401100 3170110,"
                              "401100 3170100)))");
    e = plat_gis__edges_new(h, two);
    fallback(e, "POLYGON((401050 3170050,401200 3170050,401200 3170200,401050 3170200,401050 3170050))");
    placed(e, "POLYGON((401150 3170050,401200 3170050,401200 3170200,401150 3170200,401150 3170050))",
           PLAT_GIS__CLIP_OUTSIDE);
    plat_gis__edges_free(e);
    GEOSGeom_destroy_r(h, two);
    /* no index for what is not polygonal */
    GEOSGeometry *l = parse("LINESTRING(0 0,1 1)");
    T_CHECK(plat_gis__edges_new(h, l) == NULL);
    GEOSGeom_destroy_r(h, l);
}

/* Two townships sharing one jagged edge (each has it, the other way round), a jagged project
 * polygon and a winding project line across it, and parcels and lines across both: the
 * engine's per-township sums and what the projects cover of them (taking the exact clip for
 * both) equal the sums of GEOS's intersections, and nothing is lost between townships. */
static void the_engine_agrees_with_geos(void)
{
    double e[2 * 101];
    for (int i = 0; i <= 100; i++) {
        e[2 * i] = 410000 + (i > 0 && i < 100 ? (2 * rnd() - 1) * 30 : 0);
        e[2 * i + 1] = 3170000 + 100.0 * i;
    }
    double a[2 * 104], b[2 * 104];
    int na = 0, nb = 0;
    a[2 * na] = 400000, a[2 * na + 1] = 3170000, na++;
    for (int i = 0; i <= 100; i++, na++)
        a[2 * na] = e[2 * i], a[2 * na + 1] = e[2 * i + 1];
    a[2 * na] = 400000, a[2 * na + 1] = 3180000, na++;
    a[2 * na] = 400000, a[2 * na + 1] = 3170000, na++;
    b[2 * nb] = 410000, b[2 * nb + 1] = 3170000, nb++;
    b[2 * nb] = 420000, b[2 * nb + 1] = 3170000, nb++;
    b[2 * nb] = 420000, b[2 * nb + 1] = 3180000, nb++;
    for (int i = 100; i >= 0; i--, nb++)
        b[2 * nb] = e[2 * i], b[2 * nb + 1] = e[2 * i + 1];
    GEOSGeometry *zone[2] = { GEOSGeom_createPolygon_r(h, ring(a, na), NULL, 0),
                              GEOSGeom_createPolygon_r(h, ring(b, nb), NULL, 0) };
    plat_cov_options o = PLAT_COV_OPTIONS_INIT;
    o.working_epsg = 4547;
    o.planar = 1;
    o.jobs = 2;
    o.ncategories = 1;
    plat_cov *c = NULL;
    T_EQ_INT(plat_cov_new(ctx, &c, &o), 0);
    for (int z = 0; z < 2; z++)
        T_EQ_INT(plat_cov_add_zone(c, GEOSGeom_clone_r(h, zone[z])), z);
    double pxy[2 * 81];
    int np = jagged_square(pxy, 408500, 3173000, 3000, 20, 40, 0);
    GEOSGeometry *proj_poly = GEOSGeom_createPolygon_r(h, ring(pxy, np), NULL, 0);
    double lxy[2 * 301];
    for (int i = 0; i <= 300; i++) { /* west to east across the border, winding */
        lxy[2 * i] = 407000 + 20.0 * i;
        lxy[2 * i + 1] = 3177000 + 400 * sin(i / 15.0) + 10 * rnd();
    }
    GEOSGeometry *proj_line = GEOSGeom_createLineString_r(h, GEOSCoordSeq_copyFromBuffer_r(h, lxy, 301, 0, 0));
    T_EQ_INT(plat_cov_add_project(c, GEOSGeom_clone_r(h, proj_poly), 0), 0);
    T_EQ_INT(plat_cov_add_project(c, GEOSGeom_clone_r(h, proj_line), 0), 1);
    T_EQ_INT(plat_cov_run_projects(c), 0);
    /* what covers the layer in each township, as the engine defines it, made by GEOS */
    GEOSGeometry *cover[2][2];
    for (int z = 0; z < 2; z++) {
        cover[0][z] = GEOSIntersection_r(h, zone[z], proj_poly);
        GEOSGeometry *l = GEOSIntersection_r(h, zone[z], proj_line);
        cover[1][z] = GEOSBuffer_r(h, l, o.tolerance_m, 8);
        GEOSGeom_destroy_r(h, l);
    }
    const unsigned char covering[1] = { 1 };
    double want[2][2] = { { 0, 0 }, { 0, 0 } }, whole[2] = { 0, 0 }, want_cov[2][2] = { { 0, 0 }, { 0, 0 } };
    for (int layer = 0; layer < 2; layer++) {
        T_EQ_INT(plat_cov_begin_layer(c, covering), 0);
        for (int i = 0; i < 3000; i++) {
            double y = 3170500 + 9000 * rnd(), x = 410000 + (rnd() - 0.5) * 300;
            GEOSGeometry *g = layer == 0 ? parcel(x, y, 20 + 105 * rnd(), 4 + (int)(7 * rnd()))
                                         : walk(x, y, 5 + (int)(45 * rnd()));
            whole[layer] += measure(g, layer == 0);
            for (int z = 0; z < 2; z++) {
                GEOSGeometry *part = GEOSIntersection_r(h, zone[z], g);
                want[layer][z] += measure(part, layer == 0);
                GEOSGeometry *cov = GEOSIntersection_r(h, cover[layer][z], part);
                want_cov[layer][z] += measure(cov, layer == 0);
                GEOSGeom_destroy_r(h, cov);
                GEOSGeom_destroy_r(h, part);
            }
            T_EQ_INT(plat_cov_add_layer_feature(c, g), 0);
        }
        T_EQ_INT(plat_cov_end_layer(c), 0);
    }
    for (int z = 0; z < 2; z++) {
        const plat_cov_layer_sum *pa = plat_cov_layer_zone(c, 0, z), *li = plat_cov_layer_zone(c, 1, z);
        printf("   township %d: %.6f m2 (GEOS %.6f), %.6f m (GEOS %.6f)\n", z, pa->area_m2, want[0][z], li->line_m,
               want[1][z]);
        T_NEAR(pa->area_m2, want[0][z], 1e-9 * want[0][z]);
        T_NEAR(li->line_m, want[1][z], 1e-9 * want[1][z]);
        printf("   covered: %.6f m2 (GEOS %.6f), %.6f m (GEOS %.6f)\n", pa->covered_area_m2, want_cov[0][z],
               li->covered_line_m, want_cov[1][z]);
        T_CHECK(want_cov[0][z] > 1e5 && want_cov[1][z] > 1e3);
        T_NEAR(pa->covered_area_m2, want_cov[0][z], 1e-9 * want_cov[0][z]);
        T_NEAR(li->covered_line_m, want_cov[1][z], 1e-9 * want_cov[1][z]);
        GEOSGeom_destroy_r(h, cover[0][z]);
        GEOSGeom_destroy_r(h, cover[1][z]);
    }
    GEOSGeom_destroy_r(h, proj_poly);
    GEOSGeom_destroy_r(h, proj_line);
    /* the parcels all lie in the two townships; what some lines have north or south of them
     * is outside, and nothing is lost or counted twice */
    T_NEAR(plat_cov_layer_zone(c, 0, 0)->area_m2 + plat_cov_layer_zone(c, 0, 1)->area_m2, whole[0], 1e-9 * whole[0]);
    T_EQ_INT(plat_cov_layer_zone(c, 0, -1)->features, 0);
    T_NEAR(plat_cov_layer_zone(c, 1, 0)->line_m + plat_cov_layer_zone(c, 1, 1)->line_m +
               plat_cov_layer_zone(c, 1, -1)->line_m,
           whole[1], 1e-9 * whole[1]);
    plat_cov_free(c);
    GEOSGeom_destroy_r(h, zone[0]);
    GEOSGeom_destroy_r(h, zone[1]);
}

/* Two townships that overlap (bad data, but the engine's rule holds: a later township loses
 * what an earlier one took): a line cut exactly in both is counted once, the overlap in the
 * first township. */
static void overlapping_townships_count_a_line_once(void)
{
    plat_cov_options o = PLAT_COV_OPTIONS_INIT;
    o.working_epsg = 4547;
    o.planar = 1;
    o.jobs = 1;
    o.ncategories = 1;
    plat_cov *c = NULL;
    T_EQ_INT(plat_cov_new(ctx, &c, &o), 0);
    plat_cov_add_zone(c, parse("POLYGON((400000 3170000,401000 3170000,401000 3171000,400000 3171000,400000 3170000))"));
    plat_cov_add_zone(c, parse("POLYGON((400500 3170000,401500 3170000,401500 3171000,400500 3171000,400500 3170000))"));
    T_EQ_INT(plat_cov_run_projects(c), 0);
    T_EQ_INT(plat_cov_begin_layer(c, NULL), 0);
    /* out of both, through A, the overlap and B, and out again (straight: the difference of
     * its two parts is then exact, as GEOS finds overlaps only between collinear segments) */
    T_EQ_INT(plat_cov_add_layer_feature(c, parse("LINESTRING(399900 3170500,400700 3170500,401600 3170500)")), 0);
    T_EQ_INT(plat_cov_end_layer(c), 0);
    T_NEAR(plat_cov_layer_zone(c, 0, 0)->line_m, 1000, 1e-6);
    T_NEAR(plat_cov_layer_zone(c, 0, 1)->line_m, 500, 1e-6);
    T_NEAR(plat_cov_layer_zone(c, 0, -1)->line_m, 200, 1e-6);
    plat_cov_free(c);
}

int main(void)
{
    ctx = plat_ctx_new();
    h = plat_gis_geos(ctx);
    scratch = plat_gis__clip_scratch_new();
    T_RUN(a_square_across_the_edge);
    T_RUN(degenerate_cases_are_left_to_geos);
    T_RUN(generated_parcels_equal_geos);
    T_RUN(generated_lines_equal_geos);
    T_RUN(the_engine_agrees_with_geos);
    T_RUN(overlapping_townships_count_a_line_once);
    plat_gis__clip_scratch_free(scratch);
    plat_ctx_free(ctx);
    return t_done();
}

/* tests/unit/gis/test_valid.c - the exact validity test of small rings and lines (gis/valid.c):
 * whatever it calls valid GEOS calls valid, on constructed and on random geometries, and it
 * decides the ordinary parcels and roads by itself. */
#include <stdlib.h>

#define PI 3.14159265358979323846

#include "plat/util.h"
#include "plat/gis.h"
#include "gis_int.h"
#include "../../t.h"

static plat_ctx *ctx;
static GEOSContextHandle_t h;

/* A polygon of one ring from n points (closed by the caller). */
static GEOSGeometry *polygon(const double *xy, size_t n)
{
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(h, xy, (unsigned)n, 0, 0);
    GEOSGeometry *ring = seq ? GEOSGeom_createLinearRing_r(h, seq) : NULL;
    return ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
}

static GEOSGeometry *line(const double *xy, size_t n)
{
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(h, xy, (unsigned)n, 0, 0);
    return seq ? GEOSGeom_createLineString_r(h, seq) : NULL;
}

static int geos_valid(const GEOSGeometry *g)
{
    return GEOSisValid_r(h, g);
}

/* Checks one ring: the exact test says `fast`, GEOS says `valid`, plat_geom_is_valid agrees
 * with GEOS. */
static void check_ring(const double *xy, size_t n, int fast, int valid)
{
    GEOSGeometry *g = polygon(xy, n);
    T_CHECK(g != NULL);
    if (!g)
        return;
    T_EQ_INT(plat_gis__ring_valid_fast(xy, n), fast);
    T_EQ_INT(plat_gis__valid_fast(h, g), fast);
    T_EQ_INT(geos_valid(g), valid);
    T_EQ_INT(plat_geom_is_valid(ctx, g), valid);
    GEOSGeom_destroy_r(h, g);
}

static void plain_rings_are_decided_without_geos(void)
{
    const double square[] = { 0, 0, 10, 0, 10, 10, 0, 10, 0, 0 };
    const double triangle[] = { 0, 0, 10, 0, 0, 10, 0, 0 };
    const double clockwise[] = { 0, 0, 0, 10, 10, 10, 10, 0, 0, 0 };
    /* a parcel as the county's: Gauss-Kruger metres, seven vertices */
    const double parcel[] = { 518312.73, 2987386.633, 518482.44, 2987748.525, 518300.1, 2987801.2,
                              518114.49, 2987857.757, 518020.5, 2987650.0,  517950.127, 2987429.184,
                              518100.0,  2987400.0,   518312.73, 2987386.633 };
    /* a concave L and a star-shaped ring whose edges' boxes overlap */
    const double ell[] = { 0, 0, 4, 0, 4, 1, 1, 1, 1, 4, 0, 4, 0, 0 };
    const double star[] = { 0, -10, 2, -2, 10, 0, 2, 2, 0, 10, -2, 2, -10, 0, -2, -2, 0, -10 };
    check_ring(square, 5, 1, 1);
    check_ring(triangle, 4, 1, 1);
    check_ring(clockwise, 5, 1, 1);
    check_ring(parcel, 8, 1, 1);
    check_ring(ell, 7, 1, 1);
    check_ring(star, 9, 1, 1);
}

static void repeated_points_are_skipped_as_geos_skips_them(void)
{
    const double twice[] = { 0, 0, 0, 0, 10, 0, 10, 10, 10, 10, 10, 10, 0, 10, 0, 0 };
    const double closing[] = { 0, 0, 10, 0, 10, 10, 0, 10, 0, 0, 0, 0 };
    /* three distinct vertices once the repeats go, but only two edges' worth of them */
    const double collapsed[] = { 0, 0, 10, 0, 10, 0, 0, 0 };
    check_ring(twice, 8, 1, 1);
    check_ring(closing, 6, 1, 1);
    check_ring(collapsed, 4, 0, 0);
}

static void invalid_rings_go_to_geos(void)
{
    const double bowtie[] = { 0, 0, 10, 10, 10, 0, 0, 10, 0, 0 };
    const double spike[] = { 0, 0, 10, 0, 10, 10, 10, 20, 10, 10, 0, 10, 0, 0 };
    /* vertex (5 0) of the top part touches the bottom edge: a self-touching ring */
    const double touch[] = { 0, 0, 10, 0, 10, 10, 5, 0, 0, 10, 0, 0 };
    /* the same vertex twice, not in a row: a figure eight */
    const double eight[] = { 0, 0, 5, 5, 10, 0, 10, 10, 5, 5, 0, 10, 0, 0 };
    /* an edge running back along part of an earlier one */
    const double overlap[] = { 0, 0, 10, 0, 10, 5, 5, 0, 2, 0, 0, 5, 0, 0 };
    const double flat[] = { 0, 0, 5, 0, 10, 0, 0, 0 };
    const double open[] = { 0, 0, 10, 0, 10, 10, 0, 10, 0, 1 };
    const double short_ring[] = { 0, 0, 10, 0, 0, 0 };
    check_ring(bowtie, 5, 0, 0);
    check_ring(spike, 7, 0, 0);
    check_ring(touch, 6, 0, 0);
    check_ring(eight, 7, 0, 0);
    check_ring(overlap, 7, 0, 0);
    check_ring(flat, 4, 0, 0);
    /* GEOS will not build a polygon of an open or too short ring; the test alone refuses them */
    T_EQ_INT(plat_gis__ring_valid_fast(open, 5), 0);
    T_EQ_INT(plat_gis__ring_valid_fast(short_ring, 3), 0);
}

static void undecidable_rings_go_to_geos_and_keep_its_answer(void)
{
    /* a vertex on a straight edge: valid, but the test cannot tell it from a spike */
    const double on_edge[] = { 0, 0, 5, 0, 10, 0, 10, 10, 0, 10, 0, 0 };
    /* coordinates whose products underflow, and ones whose products could overflow */
    double tiny[10], huge[10];
    const double unit[] = { 0, 0, 1, 0, 1, 1, 0, 1, 0, 0 };
    for (int i = 0; i < 10; i++) {
        tiny[i] = unit[i] * 1e-200;
        huge[i] = unit[i] * 1e120;
    }
    /* a sliver so thin that doubles cannot tell which side of the long edge the third vertex is */
    const double sliver[] = { 0, 0, 1e8, 1e8 + 2e-8, 2e8, 2e8, 0, 0 };
    const double nan_ring[] = { 0, 0, 10, 0, NAN, 10, 0, 0 };
    check_ring(on_edge, 6, 0, 1);
    check_ring(tiny, 5, 0, 1);
    check_ring(huge, 5, 0, 1);
    GEOSGeometry *g = polygon(sliver, 4);
    T_EQ_INT(plat_gis__ring_valid_fast(sliver, 4), 0);
    T_EQ_INT(plat_geom_is_valid(ctx, g), geos_valid(g));
    GEOSGeom_destroy_r(h, g);
    check_ring(nan_ring, 4, 0, 0);
    /* small, but far from the origin: decided */
    double far[10];
    for (int i = 0; i < 10; i++)
        far[i] = (i % 2 ? 3e6 : 5e5) + unit[i] * 1e-6;
    check_ring(far, 5, 1, 1);
}

static void rings_beyond_the_limit_and_holes_go_to_geos(void)
{
    enum { N = PLAT_VALID_FAST_MAX + 1 };
    double xy[2 * (N + 1)];
    for (int n = N - 1; n <= N; n++) { /* a regular polygon just within the limit, then beyond it */
        for (int i = 0; i <= n; i++) {
            double a = 2 * PI * (i % n) / n;
            xy[2 * i] = 100 * cos(a), xy[2 * i + 1] = 100 * sin(a);
        }
        check_ring(xy, (size_t)n + 1, n < N, 1);
    }
    GEOSGeometry *holed = NULL;
    T_EQ_INT(plat_geom_parse(ctx, &holed, "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2))"), 0);
    T_EQ_INT(plat_gis__valid_fast(h, holed), 0);
    T_EQ_INT(plat_geom_is_valid(ctx, holed), 1);
    GEOSGeom_destroy_r(h, holed);
    GEOSGeometry *multi = NULL;
    T_EQ_INT(plat_geom_parse(ctx, &multi, "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((0 0, 1 1, 0 1, 0 0)))"), 0);
    T_EQ_INT(plat_gis__valid_fast(h, multi), 0);
    T_EQ_INT(plat_geom_is_valid(ctx, multi), 0); /* the two triangles share an edge */
    GEOSGeom_destroy_r(h, multi);
}

static void lines_need_two_distinct_finite_points(void)
{
    const double road[] = { 500000, 3000000, 500004.5, 3000007.25, 500011, 3000010 };
    const double closed[] = { 0, 0, 10, 0, 0, 0 };
    const double same[] = { 3, 4, 3, 4, 3, 4 };
    const double crossing[] = { 0, 0, 10, 10, 10, 0, 0, 10 };
    const double inf_line[] = { 0, 0, INFINITY, 1 };
    struct {
        const double *xy;
        size_t n;
        int fast, valid;
    } cases[] = { { road, 3, 1, 1 },  { closed, 3, 1, 1 },   { same, 3, 0, 0 },
                  { crossing, 4, 1, 1 }, { inf_line, 2, 0, 0 }, { same, 2, 0, 0 } };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        GEOSGeometry *g = line(cases[i].xy, cases[i].n);
        T_CHECK(g != NULL);
        if (!g)
            continue;
        T_EQ_INT(plat_gis__valid_fast(h, g), cases[i].fast);
        T_EQ_INT(geos_valid(g), cases[i].valid);
        T_EQ_INT(plat_geom_is_valid(ctx, g), cases[i].valid);
        GEOSGeom_destroy_r(h, g);
    }
    double longer[2 * 300];
    for (int i = 0; i < 300; i++)
        longer[2 * i] = i, longer[2 * i + 1] = i % 2;
    GEOSGeometry *g = line(longer, 300);
    T_EQ_INT(plat_gis__valid_fast(h, g), 0); /* beyond what the test reads onto the stack */
    T_EQ_INT(plat_geom_is_valid(ctx, g), 1);
    GEOSGeom_destroy_r(h, g);
    g = line(longer, 256);
    T_EQ_INT(plat_gis__valid_fast(h, g), 1);
    GEOSGeom_destroy_r(h, g);
    GEOSGeometry *m = NULL;
    T_EQ_INT(plat_geom_parse(ctx, &m, "MULTILINESTRING ((0 0, 1 1), (1 1, 2 0))"), 0);
    T_EQ_INT(plat_gis__valid_fast(h, m), 1);
    GEOSGeom_destroy_r(h, m);
    T_EQ_INT(plat_geom_parse(ctx, &m, "MULTILINESTRING ((0 0, 1 1), (2 2, 2 2))"), 0);
    T_EQ_INT(plat_gis__valid_fast(h, m), 0);
    T_EQ_INT(plat_geom_is_valid(ctx, m), 0);
    GEOSGeom_destroy_r(h, m);
}

/* A deterministic generator, so a failure can be replayed. */
static unsigned long long rng = 88172645463325252ULL;
static double uniform(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}
static int below(int n)
{
    return (int)(uniform() * n);
}

/* Random rings of every shape the tests can think of; fast "valid" must be GEOS "valid". */
static void random_rings_never_disagree_with_geos(void)
{
    int fast_valid = 0, geos_valid_n = 0, star_valid = 0, star_fast = 0, disagree = 0, total = 0;
    for (int k = 0; k < 60000; k++) {
        double xy[2 * 16];
        int n = 3 + below(10), kind = k % 6; /* distinct vertices before closing */
        if (kind == 0 || kind == 1) { /* a star around a centre, as a parcel: mostly valid */
            double cx = kind ? 5e5 + uniform() * 4e4 : 0, cy = kind ? 2.95e6 + uniform() * 7e4 : 0;
            double r = kind ? 50 + uniform() * 200 : 1e-3 + uniform();
            double a0 = uniform() * 2 * PI;
            for (int i = 0; i < n; i++) {
                double a = a0 + 2 * PI * (i + 0.8 * uniform()) / n, rr = r * (0.3 + 0.7 * uniform());
                xy[2 * i] = cx + rr * cos(a), xy[2 * i + 1] = cy + rr * sin(a);
            }
        } else if (kind == 2) { /* points of a 4 x 4 grid: touching, collinear, crossing, repeated */
            for (int i = 0; i < n; i++)
                xy[2 * i] = below(4), xy[2 * i + 1] = below(4);
        } else if (kind == 3) { /* random points anywhere: mostly self-crossing */
            for (int i = 0; i < n; i++)
                xy[2 * i] = uniform() * 100, xy[2 * i + 1] = uniform() * 100;
        } else { /* a star with one vertex moved onto another vertex, an edge, or back on itself */
            for (int i = 0; i < n; i++) {
                double a = 2 * PI * (i + 0.5 * uniform()) / n, rr = 10 * (0.5 + 0.5 * uniform());
                xy[2 * i] = 1000 + rr * cos(a), xy[2 * i + 1] = 1000 + rr * sin(a);
            }
            int i = below(n), j = below(n), how = below(4);
            double t = below(3) / 2.0; /* 0, a half, 1: a vertex, a midpoint */
            int j1 = (j + 1) % n;
            if (how == 0) /* onto vertex j or onto edge j */
                xy[2 * i] = xy[2 * j] + t * (xy[2 * j1] - xy[2 * j]),
                xy[2 * i + 1] = xy[2 * j + 1] + t * (xy[2 * j1 + 1] - xy[2 * j + 1]);
            else if (how == 1) /* scaled far up or down */
                for (int q = 0; q < 2 * n; q++)
                    xy[q] *= kind == 4 ? 1e-150 : 1e90;
            else if (how == 2 && n < 15) { /* a repeated point */
                for (int q = 2 * n + 1; q >= 2 * i + 2; q--)
                    xy[q] = xy[q - 2];
                n++;
            } else /* the next vertex pulled back over this one: a spike or a fold */
                xy[2 * j1] = xy[2 * j] + (xy[2 * j] - xy[2 * j1]) * 1e-9 * below(2),
                xy[2 * j1 + 1] = xy[2 * j + 1] + (xy[2 * j + 1] - xy[2 * j1 + 1]) * 1e-9 * below(2);
        }
        xy[2 * n] = xy[0], xy[2 * n + 1] = xy[1];
        GEOSGeometry *g = polygon(xy, (size_t)n + 1);
        if (!g) /* GEOS would not make a ring of it (fewer than 4 points after all) */
            continue;
        int fast = plat_gis__ring_valid_fast(xy, (size_t)n + 1), valid = geos_valid(g);
        total++;
        fast_valid += fast;
        geos_valid_n += valid == 1;
        if (kind == 1) {
            star_valid += valid == 1;
            star_fast += fast;
        }
        if (fast && valid != 1)
            disagree++;
        if (plat_geom_is_valid(ctx, g) != valid)
            disagree++;
        GEOSGeom_destroy_r(h, g);
    }
    printf("   %d rings: %d valid by GEOS, %d by the exact test; parcels %d of %d\n", total, geos_valid_n,
           fast_valid, star_fast, star_valid);
    T_EQ_INT(disagree, 0);
    T_CHECK(total > 55000);
    /* the ordinary parcel is decided without GEOS */
    T_CHECK(star_valid > 9000);
    T_EQ_INT(star_fast, star_valid);
    /* and there were invalid rings enough to catch a test that says valid too often */
    T_CHECK(geos_valid_n < total * 3 / 4);
}

int main(void)
{
    ctx = plat_ctx_new();
    h = plat_gis_geos(ctx);
    T_RUN(plain_rings_are_decided_without_geos);
    T_RUN(repeated_points_are_skipped_as_geos_skips_them);
    T_RUN(invalid_rings_go_to_geos);
    T_RUN(undecidable_rings_go_to_geos_and_keep_its_answer);
    T_RUN(rings_beyond_the_limit_and_holes_go_to_geos);
    T_RUN(lines_need_two_distinct_finite_points);
    T_RUN(random_rings_never_disagree_with_geos);
    plat_ctx_free(ctx);
    return t_done();
}

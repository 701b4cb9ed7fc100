/* tests/unit/gis/test_coverage.c - the coverage engine on hand-computed cases, planar in
 * EPSG:4547 metres so every expected value is exact: two 10 km townships side by side, A at
 * x 400-410 km and B at x 410-420 km, y 3170-3180 km. */
#include <stdlib.h>
#include <string.h>

#include "plat/coverage.h"
#include "../../t.h"

static plat_ctx *ctx;

static GEOSGeometry *wkt(const char *text)
{
    GEOSGeometry *g = NULL;
    if (plat_geom_parse(ctx, &g, text) < 0)
        printf("cannot parse %s: %s\n", text, plat_error_last(ctx)->msg);
    return g;
}

static plat_cov *two_townships(int planar, int jobs, int ncat)
{
    plat_cov_options o = PLAT_COV_OPTIONS_INIT;
    o.working_epsg = 4547;
    o.planar = planar;
    o.jobs = jobs;
    o.ncategories = ncat;
    plat_cov *c = NULL;
    T_EQ_INT(plat_cov_new(ctx, &c, &o), 0);
    T_EQ_INT(plat_cov_add_zone(c, wkt("POLYGON((400000 3170000,410000 3170000,410000 3180000,400000 3180000,400000 3170000))")), 0);
    T_EQ_INT(plat_cov_add_zone(c, wkt("POLYGON((410000 3170000,420000 3170000,420000 3180000,410000 3180000,410000 3170000))")), 1);
    return c;
}

static void a_line_crossing_the_border_is_split_at_the_border(void)
{
    plat_cov *c = two_townships(1, 1, 2);
    T_EQ_INT(plat_cov_add_project(c, wkt("LINESTRING(405000 3175000, 415000 3175000)"), 0), 0);
    T_EQ_INT(plat_cov_run_projects(c), 0);
    T_NEAR(plat_cov_zone_sum(c, 0, -1)->line_m, 5000, 1e-6);
    T_NEAR(plat_cov_zone_sum(c, 1, -1)->line_m, 5000, 1e-6);
    T_NEAR(plat_cov_zone_sum(c, 1, 0)->line_m, 5000, 1e-6);
    T_NEAR(plat_cov_zone_sum(c, 1, 1)->line_m, 0, 1e-9);
    T_EQ_INT(plat_cov_zone_sum(c, 0, -1)->projects, 1);
    T_EQ_INT(plat_cov_zone_sum(c, 1, -1)->projects, 1);
    T_NEAR(plat_cov_zone_sum(c, -1, -1)->line_m, 0, 1e-9);
    int n;
    const int *z = plat_cov_project_zones(c, 0, &n);
    T_EQ_INT(n, 2);
    T_CHECK(z && z[0] == 0 && z[1] == 1);
    T_EQ_INT(plat_cov_project_outside(c, 0), 0);
    T_NEAR(plat_cov_zone_area(c, 0), 1e8, 1e-3);
    plat_cov_free(c);
}

/* An area the caller knows (a ledger keeps its townships') is taken as given; 0 is measured. */
static void a_zone_area_given_is_not_measured_again(void)
{
    plat_cov *c = two_townships(0, 1, 1);
    T_EQ_INT(plat_cov_set_zone_area(c, 0, 123456.5), 0);
    T_EQ_INT(plat_cov_set_zone_area(c, 1, 0), 0);
    T_EQ_INT(plat_cov_set_zone_area(c, 2, 1.0), PLAT_EINVALID);
    T_EQ_INT(plat_cov_run_projects(c), 0);
    T_EQ_INT(plat_cov_set_zone_area(c, 0, 1.0), PLAT_EINVALID); /* too late: measured already */
    T_NEAR(plat_cov_zone_area(c, 0), 123456.5, 0);
    /* B measured on the ellipsoid: 10 km x 10 km of the Gauss plane 80-90 km west of the
     * central meridian, where the scale factor k is 1 + u^2 / (2 R^2) ~ 1.000089: 1e8 / k^2 */
    double u = 85000, r2 = 6.372e6 * 6.372e6, k = 1 + u * u / (2 * r2);
    T_NEAR(plat_cov_zone_area(c, 1), 1e8 / (k * k), 200);
    plat_cov_free(c);
}

static void a_parcel_split_30_70_and_overlaps_counted_once(void)
{
    plat_cov *c = two_townships(1, 1, 2);
    /* 1 km square: 300 m of its width in A, 700 m in B */
    plat_cov_add_project(c, wkt("POLYGON((409700 3175000,410700 3175000,410700 3176000,409700 3176000,409700 3175000))"), 0);
    /* a second project overlapping the first's B part by 200 m x 1 km, category 1 */
    plat_cov_add_project(c, wkt("POLYGON((410500 3175000,411000 3175000,411000 3176000,410500 3176000,410500 3175000))"), 1);
    T_EQ_INT(plat_cov_run_projects(c), 0);
    T_NEAR(plat_cov_zone_sum(c, 0, -1)->area_m2, 300000, 1e-6);
    T_NEAR(plat_cov_zone_sum(c, 1, -1)->area_m2, 700000 + 300000, 1e-6); /* union: 410000..411000 */
    T_NEAR(plat_cov_zone_sum(c, 1, 0)->area_m2, 700000, 1e-6);
    T_NEAR(plat_cov_zone_sum(c, 1, 1)->area_m2, 500000, 1e-6);
    T_EQ_INT(plat_cov_zone_sum(c, 1, -1)->projects, 2);
    T_EQ_INT(plat_cov_zone_sum(c, 0, -1)->projects, 1);
    plat_cov_free(c);
}

static void a_line_along_the_shared_border_counts_once(void)
{
    plat_cov *c = two_townships(1, 1, 1);
    plat_cov_add_project(c, wkt("LINESTRING(410000 3171000, 410000 3173000)"), 0);
    /* half along the border, then 1 km into B */
    plat_cov_add_project(c, wkt("LINESTRING(410000 3176000, 410000 3177000, 411000 3177000)"), 0);
    T_EQ_INT(plat_cov_run_projects(c), 0);
    double a = plat_cov_zone_sum(c, 0, -1)->line_m, b = plat_cov_zone_sum(c, 1, -1)->line_m;
    T_NEAR(a + b, 2000 + 2000, 1e-6);
    T_NEAR(a, 2000, 1e-6); /* the border-only line goes to the first zone */
    T_NEAR(b, 2000, 1e-6); /* the other lies wholly in B's closure: B contains it */
    /* Along the border and on into A past the corner of B: the border part goes to A once. */
    plat_cov_free(c);
    c = two_townships(1, 1, 1);
    plat_cov_add_project(c, wkt("LINESTRING(410000 3185000, 410000 3177000, 409000 3177000)"), 0);
    T_EQ_INT(plat_cov_run_projects(c), 0);
    T_NEAR(plat_cov_zone_sum(c, 0, -1)->line_m, 3000 + 1000, 1e-6);
    T_NEAR(plat_cov_zone_sum(c, 1, -1)->line_m, 0, 1e-9);
    T_NEAR(plat_cov_zone_sum(c, -1, -1)->line_m, 5000, 1e-6);
    plat_cov_free(c);
}

static void multi_part_and_outside_projects(void)
{
    plat_cov *c = two_townships(1, 1, 1);
    plat_cov_add_project(c, wkt("MULTILINESTRING((401000 3171000, 402000 3171000),(412000 3171000, 414000 3171000))"), 0);
    plat_cov_add_project(c, wkt("LINESTRING(500000 3171000, 503000 3171000)"), 0);                 /* outside */
    plat_cov_add_project(c, wkt("LINESTRING(419000 3172000, 423000 3172000)"), 0);                 /* 1 km in, 3 out */
    plat_cov_add_project(c, wkt("MULTIPOINT((405000 3175000),(410000 3175000),(430000 3175000))"), 0); /* A, border, out */
    plat_cov_add_project(c, NULL, 0);                                                               /* no geometry */
    T_EQ_INT(plat_cov_run_projects(c), 0);
    T_NEAR(plat_cov_zone_sum(c, 0, -1)->line_m, 1000, 1e-6);
    T_NEAR(plat_cov_zone_sum(c, 1, -1)->line_m, 3000, 1e-6);
    T_NEAR(plat_cov_zone_sum(c, -1, -1)->line_m, 6000, 1e-6);
    T_EQ_INT(plat_cov_zone_sum(c, 0, -1)->points, 2); /* the border point goes to A, once */
    T_EQ_INT(plat_cov_zone_sum(c, 1, -1)->points, 0);
    T_EQ_INT(plat_cov_zone_sum(c, -1, -1)->points, 1);
    T_EQ_INT(plat_cov_zone_sum(c, 0, -1)->projects, 2);
    T_EQ_INT(plat_cov_zone_sum(c, 1, -1)->projects, 2);
    T_EQ_INT(plat_cov_project_outside(c, 0), 0);
    T_EQ_INT(plat_cov_project_outside(c, 1), 1);
    T_EQ_INT(plat_cov_project_outside(c, 2), 1);
    T_EQ_INT(plat_cov_project_outside(c, 3), 1);
    T_EQ_INT(plat_cov_project_outside(c, 4), 0);
    int n;
    plat_cov_project_zones(c, 1, &n);
    T_EQ_INT(n, 0);
    plat_cov_free(c);
}

static void no_townships_at_all(void)
{
    plat_cov_options o = PLAT_COV_OPTIONS_INIT;
    o.working_epsg = 4547;
    o.planar = 1;
    plat_cov *c = NULL;
    T_EQ_INT(plat_cov_new(ctx, &c, &o), 0);
    plat_cov_add_project(c, wkt("LINESTRING(405000 3175000, 415000 3175000)"), 0);
    T_EQ_INT(plat_cov_run_projects(c), 0);
    T_EQ_INT(plat_cov_zone_count(c), 0);
    T_NEAR(plat_cov_zone_sum(c, -1, -1)->line_m, 10000, 1e-6);
    T_EQ_INT(plat_cov_project_outside(c, 0), 1);
    plat_cov_free(c);
}

static void layer_roads_are_covered_within_the_tolerance(void)
{
    plat_cov *c = two_townships(1, 1, 2);
    /* category 0 covers, category 1 does not */
    plat_cov_add_project(c, wkt("LINESTRING(402000 3175020, 406000 3175020)"), 0);  /* 20 m off the road */
    plat_cov_add_project(c, wkt("LINESTRING(412000 3175000, 418000 3175000)"), 1);  /* not a covering category */
    plat_cov_add_project(c, wkt("POLYGON((401000 3171000,403000 3171000,403000 3172000,401000 3172000,401000 3171000))"), 0);
    T_EQ_INT(plat_cov_run_projects(c), 0);
    unsigned char covering[2] = { 1, 0 };
    T_EQ_INT(plat_cov_begin_layer(c, covering), 0);
    plat_cov_add_layer_feature(c, wkt("LINESTRING(400000 3175000, 420000 3175000)"));  /* 10 km in each */
    plat_cov_add_layer_feature(c, wkt("LINESTRING(402000 3175100, 406000 3175100)"));  /* 100 m off: not covered */
    plat_cov_add_layer_feature(c, wkt("POLYGON((402000 3171000,404000 3171000,404000 3172000,402000 3172000,402000 3171000))"));
    T_EQ_INT(plat_cov_end_layer(c), 0);
    const plat_cov_layer_sum *a = plat_cov_layer_zone(c, 0, 0), *b = plat_cov_layer_zone(c, 0, 1);
    T_NEAR(a->line_m, 14000, 1e-6);
    T_NEAR(b->line_m, 10000, 1e-6);
    /* within 30 m of the project: the 4 km it runs along, plus the buffer's reach of
     * sqrt(30^2 - 20^2) = 22.36 m beyond each end */
    T_NEAR(a->covered_line_m, 4000 + 2 * 22.3607, 0.5); /* the buffer's arcs are polygons */
    T_NEAR(b->covered_line_m, 0, 1e-9);
    T_NEAR(a->area_m2, 2e6, 1e-6);
    T_NEAR(a->covered_area_m2, 1e6, 1e-6);
    T_EQ_INT(a->features, 3);
    T_EQ_INT(b->features, 1);
    plat_cov_free(c);
}

/* The engine answers "inside one township?" from a raster of each township before asking GEOS
 * (gis/coverage.c, zone_grid): near a sawtooth border, around a hole filled by a third
 * township and on the rim of a township's envelope, every parcel must still be split exactly
 * as GEOS's own intersection splits it. */
static void parcels_near_a_sawtooth_border_and_a_hole_split_as_geos_splits_them(void)
{
    static char a[16384], b[16384];
    /* A: x 400 km to a sawtooth near 410 km (300 m teeth every 50 m), with a 2 km hole;
     * B: from the sawtooth to 420 km; C: the hole. */
    int n = snprintf(a, sizeof a, "POLYGON((400000 3170000");
    int m = snprintf(b, sizeof b, "POLYGON((420000 3170000,420000 3180000");
    for (int i = 0; i <= 200; i++) {
        double y = 3170000 + 50.0 * i, x = 410000 + (i % 2 ? 300 : -300) * (i > 0 && i < 200);
        n += snprintf(a + n, sizeof a - (size_t)n, ",%.0f %.0f", x, y);
    }
    for (int i = 200; i >= 0; i--) {
        double y = 3170000 + 50.0 * i, x = 410000 + (i % 2 ? 300 : -300) * (i > 0 && i < 200);
        m += snprintf(b + m, sizeof b - (size_t)m, ",%.0f %.0f", x, y);
    }
    snprintf(a + n, sizeof a - (size_t)n, ",400000 3180000,400000 3170000),"
             "(403000 3173000,403000 3175000,405000 3175000,405000 3173000,403000 3173000))");
    snprintf(b + m, sizeof b - (size_t)m, ",420000 3170000))");
    const char *hole = "POLYGON((403000 3173000,405000 3173000,405000 3175000,403000 3175000,403000 3173000))";
    const char *zones[3] = { a, b, hole };
    plat_cov_options o = PLAT_COV_OPTIONS_INIT;
    o.working_epsg = 4547;
    o.planar = 1;
    o.jobs = 2;
    plat_cov *c = NULL;
    T_EQ_INT(plat_cov_new(ctx, &c, &o), 0);
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    GEOSGeometry *zg[3];
    for (int z = 0; z < 3; z++) {
        zg[z] = wkt(zones[z]);
        T_EQ_INT(plat_cov_add_zone(c, wkt(zones[z])), z);
    }
    T_EQ_INT(plat_cov_run_projects(c), 0);
    T_EQ_INT(plat_cov_begin_layer(c, NULL), 0);
    double want[3] = { 0, 0, 0 };
    int64_t count[3] = { 0, 0, 0 };
    srand(11);
    for (int i = 0; i < 6000; i++) {
        /* squares of 20-300 m, a third of them near the sawtooth, some on the outer rim */
        double s = 20 + rand() % 280, x, y;
        if (i % 3 == 0)
            x = 409000 + rand() % 2000, y = 3170000 + rand() % 10000;
        else if (i % 3 == 1)
            x = 402500 + rand() % 3000, y = 3172500 + rand() % 3000;
        else
            x = 399800 + rand() % 20000, y = 3169800 + rand() % 10200;
        char text[256];
        snprintf(text, sizeof text, "POLYGON((%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f))", x, y, x + s, y, x + s,
                 y + s, x, y + s, x, y);
        GEOSGeometry *f = wkt(text);
        for (int z = 0; z < 3; z++) {
            GEOSGeometry *xz = GEOSIntersection_r(h, zg[z], f);
            double ar = 0;
            if (xz && GEOSArea_r(h, xz, &ar) && ar > 0) {
                want[z] += ar;
                count[z]++;
            }
            GEOSGeom_destroy_r(h, xz);
        }
        GEOSGeom_destroy_r(h, f);
        plat_cov_add_layer_feature(c, wkt(text));
    }
    T_EQ_INT(plat_cov_end_layer(c), 0);
    for (int z = 0; z < 3; z++) {
        const plat_cov_layer_sum *s = plat_cov_layer_zone(c, 0, z);
        T_NEAR(s->area_m2, want[z], 1e-6 * want[z]);
        T_EQ_INT(s->features, count[z]);
        GEOSGeom_destroy_r(h, zg[z]);
    }
    plat_cov_free(c);
}

/* Many features through several threads give the same sums, to the bit, as one thread. */
static void results_do_not_depend_on_the_number_of_threads(void)
{
    plat_cov_layer_sum r[2][3];
    for (int run = 0; run < 2; run++) {
        plat_cov *c = two_townships(0, run == 0 ? 1 : 4, 1);
        plat_cov_add_project(c, wkt("LINESTRING(400000 3175000, 420000 3176000)"), 0);
        T_EQ_INT(plat_cov_run_projects(c), 0);
        unsigned char covering[1] = { 1 };
        plat_cov_begin_layer(c, covering);
        srand(7);
        for (int i = 0; i < 20000; i++) {
            double x = 395000 + rand() % 30000, y = 3168000 + rand() % 14000;
            char text[160];
            snprintf(text, sizeof text, "LINESTRING(%.1f %.1f, %.1f %.1f, %.1f %.1f)", x, y, x + rand() % 3000,
                     y + rand() % 500, x + rand() % 5000, y - rand() % 300);
            T_EQ_INT(plat_cov_add_layer_feature(c, wkt(text)), 0);
        }
        T_EQ_INT(plat_cov_end_layer(c), 0);
        for (int z = -1; z < 2; z++)
            r[run][z + 1] = *plat_cov_layer_zone(c, 0, z);
        plat_cov_free(c);
    }
    for (int z = 0; z < 3; z++) {
        T_CHECK(r[0][z].features == r[1][z].features);
        T_CHECK(memcmp(&r[0][z].line_m, &r[1][z].line_m, sizeof(double)) == 0);
        T_CHECK(memcmp(&r[0][z].covered_line_m, &r[1][z].covered_line_m, sizeof(double)) == 0);
    }
    T_CHECK(r[0][1].line_m > 0 && r[0][2].line_m > 0 && r[0][0].line_m > 0);
    T_CHECK(r[0][1].covered_line_m > 0);
}

int main(void)
{
    ctx = plat_ctx_new();
    T_RUN(a_line_crossing_the_border_is_split_at_the_border);
    T_RUN(a_zone_area_given_is_not_measured_again);
    T_RUN(a_parcel_split_30_70_and_overlaps_counted_once);
    T_RUN(a_line_along_the_shared_border_counts_once);
    T_RUN(multi_part_and_outside_projects);
    T_RUN(no_townships_at_all);
    T_RUN(layer_roads_are_covered_within_the_tolerance);
    T_RUN(results_do_not_depend_on_the_number_of_threads);
    T_RUN(parcels_near_a_sawtooth_border_and_a_hole_split_as_geos_splits_them);
    plat_ctx_free(ctx);
    return t_done();
}

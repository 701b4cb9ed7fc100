/* tests/unit/gis/test_index.c - the zone index: which zones a geometry is in, and how much.
 *
 * Two adjacent 10 km squares in EPSG:4547 near 114E 28.7N: A = [490, 500] km east,
 * B = [500, 510] km east, both [3170, 3180] km north; the shared border is x = 500 000. */
#include <stdlib.h>

#include "plat/util.h"
#include "plat/gis.h"
#include "../../t.h"

static plat_ctx *ctx;
static GEOSContextHandle_t h;
static plat_zones *z;
static plat_measure *flat, *ell;

static GEOSGeometry *geom(const char *wkt)
{
    GEOSGeometry *g = NULL;
    if (plat_geom_parse(ctx, &g, wkt) < 0)
        printf("   %s\n", plat_error_last(ctx)->msg);
    return g;
}

/* The zones g is listed in, as a string "0,1" ("" for none). */
static const char *touching(const char *wkt)
{
    static char out[64];
    GEOSGeometry *g = geom(wkt);
    int *idx = NULL, n = -1;
    out[0] = '\0';
    if (plat_zones_touching(z, &idx, &n, g) < 0) {
        snprintf(out, sizeof out, "error: %.50s", plat_error_last(ctx)->msg);
    } else {
        for (int i = 0; i < n; i++)
            snprintf(out + strlen(out), sizeof out - strlen(out), "%s%d", i ? "," : "", idx[i]);
    }
    plat_free(idx);
    GEOSGeom_destroy_r(h, g);
    return out;
}

static plat_quantity measure_in(int zone, const char *wkt, plat_measure *m)
{
    plat_quantity q = { -1, -1, -1 };
    GEOSGeometry *g = geom(wkt);
    if (plat_zones_measure_in(z, &q, zone, g, m) < 0)
        printf("   %s\n", plat_error_last(ctx)->msg);
    GEOSGeom_destroy_r(h, g);
    return q;
}

#define LINE_ACROSS "LINESTRING (495000 3175000, 505000 3175000)"

static void a_line_crossing_the_border_is_split_between_the_zones(void)
{
    T_EQ_STR(touching(LINE_ACROSS), "0,1");
    plat_quantity a = measure_in(0, LINE_ACROSS, flat), b = measure_in(1, LINE_ACROSS, flat);
    T_NEAR(a.length_m / 1000, 5.0, 5.0 * 1e-6);
    T_NEAR(b.length_m / 1000, 5.0, 5.0 * 1e-6);
    T_NEAR(a.area_m2, 0, 0);
    /* ellipsoidal: the halves add up to the whole, and are shorter than in the plane */
    plat_quantity ea = measure_in(0, LINE_ACROSS, ell), eb = measure_in(1, LINE_ACROSS, ell), whole;
    GEOSGeometry *g = geom(LINE_ACROSS);
    plat_measure_geom(ell, &whole, g);
    GEOSGeom_destroy_r(h, g);
    printf("   ellipsoidal: %.6f + %.6f = %.6f km\n", ea.length_m / 1000, eb.length_m / 1000, whole.length_m / 1000);
    T_NEAR(ea.length_m + eb.length_m, whole.length_m, 1e-6);
    T_CHECK(ea.length_m < 5000 && ea.length_m > 4999.9);
}

static void a_line_inside_one_zone_is_measured_whole(void)
{
    const char *wkt = "LINESTRING (491000 3171000, 499000 3179000)";
    T_EQ_STR(touching(wkt), "0");
    plat_quantity q = measure_in(0, wkt, flat);
    T_NEAR(q.length_m, 8000 * sqrt(2), 1e-6);
    q = measure_in(1, wkt, flat);
    T_NEAR(q.length_m, 0, 0);
}

static void a_polygon_straddling_the_border_is_shared_by_area(void)
{
    const char *wkt = "POLYGON ((498000 3172000, 502000 3172000, 502000 3176000, 498000 3176000, 498000 3172000))";
    T_EQ_STR(touching(wkt), "0,1");
    plat_quantity a = measure_in(0, wkt, flat), b = measure_in(1, wkt, flat);
    T_NEAR(a.area_m2, 8e6, 1e-6);
    T_NEAR(b.area_m2, 8e6, 1e-6);
    T_NEAR(a.length_m, 0, 0); /* clipping leaves no stray lines in the figures */
    plat_quantity ea = measure_in(0, wkt, ell), eb = measure_in(1, wkt, ell);
    printf("   ellipsoidal: %.4f m2 in A, %.4f m2 in B\n", ea.area_m2, eb.area_m2);
    T_NEAR(ea.area_m2 / 8e6, 1.0, 1e-5);
}

static void polygons_sharing_only_a_border_do_not_touch(void)
{
    /* west of A, sharing A's west edge */
    T_EQ_STR(touching("POLYGON ((485000 3172000, 490000 3172000, 490000 3176000, 485000 3176000, 485000 3172000))"), "");
    /* inside A, sharing a piece of the border with B */
    T_EQ_STR(touching("POLYGON ((498000 3172000, 500000 3172000, 500000 3176000, 498000 3176000, 498000 3172000))"), "0");
    /* far away: not even an envelope hit */
    T_EQ_STR(touching("POLYGON ((0 0, 1 0, 1 1, 0 0))"), "");
    /* a line ending on the border, and one crossing only A's corner point */
    T_EQ_STR(touching("LINESTRING (495000 3175000, 500000 3175000)"), "0");
    T_EQ_STR(touching("LINESTRING (488000 3168000, 490000 3170000, 488000 3172000)"), "");
}

static void a_line_along_the_shared_border_counts_in_both_zones(void)
{
    const char *wkt = "LINESTRING (500000 3172000, 500000 3178000)";
    T_EQ_STR(touching(wkt), "0,1");
    T_NEAR(measure_in(0, wkt, flat).length_m, 6000, 1e-6);
    T_NEAR(measure_in(1, wkt, flat).length_m, 6000, 1e-6);
    /* along A's outer edge only */
    T_EQ_STR(touching("LINESTRING (490000 3172000, 490000 3178000)"), "0");
}

static void a_point_on_the_border_belongs_to_both_zones(void)
{
    T_EQ_STR(touching("POINT (495000 3175000)"), "0");
    T_EQ_STR(touching("POINT (500000 3175000)"), "0,1");
    T_EQ_STR(touching("POINT (520000 3175000)"), "");
    T_EQ_STR(touching("POINT EMPTY"), "");
    T_EQ_INT(measure_in(1, "POINT (500000 3175000)", flat).points, 1);
    T_EQ_INT(measure_in(1, "MULTIPOINT ((500000 3175000), (505000 3175000), (495000 3175000))", flat).points, 2);
}

static void mixed_collections_are_measured_part_by_part(void)
{
    const char *wkt = "GEOMETRYCOLLECTION (POINT (505000 3175000), " LINE_ACROSS ","
                      " POLYGON ((498000 3172000, 502000 3172000, 502000 3176000, 498000 3176000, 498000 3172000)))";
    T_EQ_STR(touching(wkt), "0,1");
    plat_quantity q = measure_in(1, wkt, flat);
    T_EQ_INT(q.points, 1);
    T_NEAR(q.length_m, 5000, 1e-6);
    T_NEAR(q.area_m2, 8e6, 1e-6);
}

static void zones_are_numbered_and_closed_after_the_first_query(void)
{
    T_EQ_INT(plat_zones_count(z), 2);
    T_CHECK(plat_zones_geom(z, 1) != NULL);
    T_CHECK(plat_zones_geom(z, 2) == NULL);
    GEOSGeometry *late = geom("POLYGON ((0 0, 1 0, 1 1, 0 0))");
    T_EQ_INT(plat_zones_add(z, late), PLAT_EINVALID); /* the index destroyed it */
    plat_quantity q;
    T_EQ_INT(plat_zones_measure_in(z, &q, 5, plat_zones_geom(z, 0), flat), PLAT_EINVALID);
}

static void many_zones_answer_in_ascending_order(void)
{
    plat_zones *grid = NULL;
    T_EQ_INT(plat_zones_new(ctx, &grid), 0);
    /* a 20 x 20 grid of 1 km cells added in a scrambled order */
    for (int k = 0; k < 400; k++) {
        int c = (k * 7) % 400, i = c % 20, j = c / 20;
        char wkt[200];
        snprintf(wkt, sizeof wkt, "POLYGON ((%d %d, %d %d, %d %d, %d %d, %d %d))", 490000 + i * 1000,
                 3170000 + j * 1000, 491000 + i * 1000, 3170000 + j * 1000, 491000 + i * 1000,
                 3171000 + j * 1000, 490000 + i * 1000, 3171000 + j * 1000, 490000 + i * 1000, 3170000 + j * 1000);
        T_EQ_INT(plat_zones_add(grid, geom(wkt)), k);
    }
    GEOSGeometry *diag = geom("LINESTRING (490500 3170500, 509500 3189500)");
    int *idx = NULL, n = 0;
    T_EQ_INT(plat_zones_touching(grid, &idx, &n, diag), 0);
    T_EQ_INT(n, 20); /* the 20 cells on the diagonal; the 38 it passes only at a corner are not listed */
    int sorted = 1;
    for (int i = 1; i < n; i++)
        sorted &= idx[i - 1] < idx[i];
    T_CHECK(sorted);
    double total = 0;
    for (int i = 0; i < n; i++) {
        plat_quantity q;
        plat_zones_measure_in(grid, &q, idx[i], diag, flat);
        total += q.length_m;
    }
    T_NEAR(total, 19000 * sqrt(2), 1e-6);
    plat_free(idx);
    GEOSGeom_destroy_r(h, diag);
    plat_zones_free(grid);
    plat_zones_free(NULL);
}

int main(void)
{
    ctx = plat_ctx_new();
    h = plat_gis_geos(ctx);
    T_EQ_INT(plat_measure_new(ctx, &flat, 4547, 1), 0);
    T_EQ_INT(plat_measure_new(ctx, &ell, 4547, 0), 0);
    T_EQ_INT(plat_zones_new(ctx, &z), 0);
    T_EQ_INT(plat_zones_add(z, geom("POLYGON ((490000 3170000, 500000 3170000, 500000 3180000, 490000 3180000, 490000 3170000))")), 0);
    T_EQ_INT(plat_zones_add(z, geom("MULTIPOLYGON (((500000 3170000, 510000 3170000, 510000 3180000, 500000 3180000, 500000 3170000)))")), 1);
    T_EQ_INT(plat_zones_add(z, geom("LINESTRING (0 0, 1 1)")), PLAT_EINVALID);
    T_RUN(a_line_crossing_the_border_is_split_between_the_zones);
    T_RUN(a_line_inside_one_zone_is_measured_whole);
    T_RUN(a_polygon_straddling_the_border_is_shared_by_area);
    T_RUN(polygons_sharing_only_a_border_do_not_touch);
    T_RUN(a_line_along_the_shared_border_counts_in_both_zones);
    T_RUN(a_point_on_the_border_belongs_to_both_zones);
    T_RUN(mixed_collections_are_measured_part_by_part);
    T_RUN(zones_are_numbered_and_closed_after_the_first_query);
    T_RUN(many_zones_answer_in_ascending_order);
    plat_zones_free(z);
    plat_measure_free(flat);
    plat_measure_free(ell);
    plat_ctx_free(ctx);
    return t_done();
}

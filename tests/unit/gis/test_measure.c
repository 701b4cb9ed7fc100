/* tests/unit/gis/test_measure.c - what plat means by length and area, pinned by worked
 * examples (DESIGN.md "Measurement", gis.h, DOMAIN.md 4.4).
 *
 * Working CRS EPSG:4547 (CGCS2000 3-degree GK, CM 114E, no prefix). Lengths are geodesics
 * between inverse-projected vertices; areas are the 32号 trapezoid series for polygons with
 * straight edges in the GK plane. References are independent of measure.c: GeographicLib
 * (geod_inverse, geod_polygonarea), PROJ's own scale factors (proj_factors) and the closed
 * form of the ellipsoidal quadrangle. */
#include <stdlib.h>
#include <time.h>

#include <geodesic.h>
#include <proj.h>

#include "plat/util.h"
#include "plat/gis.h"
#include "gis_int.h"
#include "../../t.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define CGCS_A 6378137.0
#define CGCS_F (1 / 298.257222101)

static plat_ctx *ctx;
static GEOSContextHandle_t h;
static plat_measure *ell, *flat;
static plat_transform *to_gk, *to_ll;

static GEOSGeometry *geom(const char *wkt)
{
    GEOSGeometry *g = NULL;
    if (plat_geom_parse(ctx, &g, wkt) < 0)
        printf("   %s\n", plat_error_last(ctx)->msg);
    return g;
}

/* Easting/northing in EPSG:4547 of a longitude/latitude. */
static void gk(double lon, double lat, double *x, double *y)
{
    *x = lon;
    *y = lat;
    plat_transform_point(to_gk, x, y);
}

/* A square of side s metres centred on (cx, cy) in the GK plane, optionally with a square hole. */
static GEOSGeometry *square(double cx, double cy, double s, double hole)
{
    char wkt[512];
    double r = s / 2, q = hole / 2;
    int n = snprintf(wkt, sizeof wkt, "POLYGON ((%.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f)",
                     cx - r, cy - r, cx + r, cy - r, cx + r, cy + r, cx - r, cy + r, cx - r, cy - r);
    if (hole > 0)
        n += snprintf(wkt + n, sizeof wkt - (size_t)n,
                      ", (%.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f)", cx - q, cy - q,
                      cx - q, cy + q, cx + q, cy + q, cx + q, cy - q, cx - q, cy - q);
    snprintf(wkt + n, sizeof wkt - (size_t)n, ")");
    return geom(wkt);
}

static double area_of(plat_measure *m, const GEOSGeometry *g)
{
    plat_quantity q;
    if (plat_measure_geom(m, &q, g) < 0) {
        printf("   %s\n", plat_error_last(ctx)->msg);
        return NAN;
    }
    return q.area_m2;
}

/* Closed-form area between the equator and latitude phi over one radian of longitude:
 * b^2 [ sin(phi) / (2 (1 - e2 sin^2 phi)) + atanh(e sin phi) / (2e) ]. */
static double authalic_strip(double phi_deg)
{
    double e2 = CGCS_F * (2 - CGCS_F), e = sqrt(e2), b = CGCS_A * (1 - CGCS_F);
    double s = sin(phi_deg * M_PI / 180);
    return b * b * (s / (2 * (1 - e2 * s * s)) + atanh(e * s) / (2 * e));
}

/* (1) */
static void line_length_is_the_geodesic_between_inverse_projected_vertices(void)
{
    double lon[] = { 113.52, 113.61, 113.70 }, lat[] = { 28.74, 28.81, 28.86 };
    struct geod_geodesic g;
    geod_init(&g, CGCS_A, CGCS_F);
    double expected = 0;
    char wkt[256];
    int n = snprintf(wkt, sizeof wkt, "LINESTRING (");
    for (int i = 0; i < 3; i++) {
        double x, y, s12 = 0;
        gk(lon[i], lat[i], &x, &y);
        n += snprintf(wkt + n, sizeof wkt - (size_t)n, "%s%.6f %.6f", i ? ", " : "", x, y);
        if (i) {
            geod_inverse(&g, lat[i - 1], lon[i - 1], lat[i], lon[i], &s12, NULL, NULL);
            expected += s12;
        }
    }
    snprintf(wkt + n, sizeof wkt - (size_t)n, ")");
    GEOSGeometry *line = geom(wkt);
    plat_quantity q, p;
    T_EQ_INT(plat_measure_geom(ell, &q, line), 0);
    T_EQ_INT(plat_measure_geom(flat, &p, line), 0);
    printf("   ellipsoidal %.4f m, geodesic reference %.4f m, planar %.4f m\n", q.length_m, expected,
           p.length_m);
    T_NEAR(q.length_m, expected, 1e-3);
    T_NEAR(q.area_m2, 0, 0);
    T_EQ_INT(q.points, 0);
    /* Near the CM the GK scale is about 1 + 7e-6 here: planar is a little longer. */
    T_CHECK(p.length_m > q.length_m && p.length_m - q.length_m < 1.0);
    GEOSGeom_destroy_r(h, line);
}

/* Lines are measured in the GK plane with the projection's scale factor (measure.c,
 * gk_line_length) instead of inverse-projecting every vertex; the definition is still the
 * geodesic between the inverse-projected vertices. 20 000 seeded random segments of 1 m to
 * 100 km, up to 200 km either side of the central meridian, between 24 and 30 N: within 2e-8
 * relative and 2 mm of geod_inverse, the worst of them. */
static void gk_lines_agree_with_the_geodesic_everywhere_in_the_zone(void)
{
    struct geod_geodesic g;
    geod_init(&g, CGCS_A, CGCS_F);
    srand(20240601);
    double worst_rel = 0, worst_abs = 0;
    for (int i = 0; i < 20000; i++) {
        double x1 = 500000 + (2.0 * rand() / RAND_MAX - 1) * 200000, y1 = 2660000 + 660000.0 * rand() / RAND_MAX;
        double len = exp(log(1e5) * rand() / RAND_MAX), th = 2 * M_PI * rand() / RAND_MAX;
        double x2 = x1 + len * cos(th), y2 = y1 + len * sin(th);
        char wkt[160];
        snprintf(wkt, sizeof wkt, "LINESTRING (%.4f %.4f, %.4f %.4f)", x1, y1, x2, y2);
        GEOSGeometry *line = geom(wkt);
        plat_quantity q = { 0, 0, 0 };
        if (!line || plat_measure_geom(ell, &q, line) < 0) {
            T_CHECK(0);
            GEOSGeom_destroy_r(h, line);
            break;
        }
        GEOSGeom_destroy_r(h, line);
        /* the same rounded coordinates, to lon/lat by PROJ, then GeographicLib */
        double a[2], b[2], s12 = 0;
        sscanf(wkt, "LINESTRING (%lf %lf, %lf %lf)", &a[0], &a[1], &b[0], &b[1]);
        plat_transform_point(to_ll, &a[0], &a[1]);
        plat_transform_point(to_ll, &b[0], &b[1]);
        geod_inverse(&g, a[1], a[0], b[1], b[0], &s12, NULL, NULL);
        worst_abs = fmax(worst_abs, fabs(q.length_m - s12));
        worst_rel = fmax(worst_rel, fabs(q.length_m - s12) / s12);
    }
    printf("   worst: %.2g relative, %.2g m\n", worst_rel, worst_abs);
    T_CHECK(worst_rel < 2e-8);
    T_CHECK(worst_abs < 2e-3);
}

/* A zone with its number in front of the easting (EPSG:4527, zone 39) measures a line as the
 * same zone without it (EPSG:4549, CM 117 E) does. */
static void zone_prefixed_eastings_measure_the_same(void)
{
    plat_measure *pre = NULL, *bare = NULL;
    T_EQ_INT(plat_measure_new(ctx, &pre, 4527, 0), 0);
    T_EQ_INT(plat_measure_new(ctx, &bare, 4549, 0), 0);
    GEOSGeometry *a = geom("LINESTRING (39620000 3150000, 39655000 3170000, 39690000 3171000)");
    GEOSGeometry *b = geom("LINESTRING (620000 3150000, 655000 3170000, 690000 3171000)");
    plat_quantity qa = { 0, 0, 0 }, qb = { 0, 0, 0 };
    if (pre && bare && a && b) {
        T_EQ_INT(plat_measure_geom(pre, &qa, a), 0);
        T_EQ_INT(plat_measure_geom(bare, &qb, b), 0);
        printf("   %.4f m and %.4f m\n", qa.length_m, qb.length_m);
        T_NEAR(qa.length_m, qb.length_m, 1e-6);
        plat_quantity grid = { 0, 0, 0 };
        T_EQ_INT(plat_measure_geom(flat, &grid, b), 0);
        /* 120-190 km east of the meridian the grid is stretched by 2-4e-4 */
        T_CHECK(qb.length_m < grid.length_m * (1 - 1e-4) && qb.length_m > grid.length_m * (1 - 5e-4));
    }
    GEOSGeom_destroy_r(h, a);
    GEOSGeom_destroy_r(h, b);
    plat_measure_free(pre);
    plat_measure_free(bare);
}

/* (2) On the central meridian k0 = 1: a 1 km square measures 1e6 m2 in the plane and
 * 1e6 * (1 - <x^2>/R^2) = 1e6 - 0.0021 m2 on the ellipsoid (<x^2> = 500^2/3 over the square,
 * R^2 = MN = 4.05e13 m2 at 28.7N). */
static void a_square_on_the_central_meridian_keeps_its_area(void)
{
    double cx, cy;
    gk(114.0, 28.7, &cx, &cy);
    T_NEAR(cx, 500000, 1e-6);
    GEOSGeometry *sq = square(cx, cy, 1000, 0);
    double e = area_of(ell, sq), p = area_of(flat, sq);
    printf("   at 114E 28.7N: planar %.6f m2, ellipsoidal %.6f m2\n", p, e);
    T_NEAR(p, 1e6, 1e-6);
    T_NEAR(e, 1e6 - 0.0021, 0.0005);
    GEOSGeom_destroy_r(h, sq);
}

/* (3) 1.5 degrees from the CM the GK plane enlarges areas by 1.00053 (DOMAIN.md 4.1); PROJ's
 * own areal scale factor at the centre gives the exact figure. */
static void a_square_at_the_zone_edge_is_smaller_on_the_ellipsoid(void)
{
    double cx, cy;
    gk(112.5, 28.7, &cx, &cy);
    GEOSGeometry *sq = square(cx, cy, 1000, 0);
    double e = area_of(ell, sq), p = area_of(flat, sq);

    PJ_CONTEXT *pc = proj_context_create();
    /* EPSG:4547's projection as a PROJ string (proj_factors wants an operation, not a CRS);
     * GRS80 and CGCS2000 differ in 1/f by 1e-10 */
    PJ *tm = proj_create(pc, "+proj=tmerc +lat_0=0 +lon_0=114 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m");
    PJ_FACTORS f = proj_factors(tm, proj_coord(112.5 * M_PI / 180, 28.7 * M_PI / 180, 0, 0));
    proj_destroy(tm);
    proj_context_destroy(pc);
    printf("   at 112.5E 28.7N: planar %.4f m2, ellipsoidal %.4f m2, ratio %.7f, PROJ areal scale %.7f\n",
           p, e, p / e, f.areal_scale);
    T_NEAR(p, 1e6, 1e-6);
    T_NEAR(p / e / 1.00053, 1.0, 1e-4);
    T_NEAR(p / e / f.areal_scale, 1.0, 1e-6);
    GEOSGeom_destroy_r(h, sq);
}

/* (4) */
static void holes_are_subtracted(void)
{
    double cx, cy;
    gk(113.2, 28.7, &cx, &cy);
    GEOSGeometry *with_hole = square(cx, cy, 1000, 200), *outer = square(cx, cy, 1000, 0),
                 *hole = square(cx, cy, 200, 0);
    double e = area_of(ell, with_hole), p = area_of(flat, with_hole);
    printf("   planar %.4f m2, ellipsoidal %.4f m2\n", p, e);
    T_NEAR(p, 960000, 1e-6);
    T_NEAR(e, area_of(ell, outer) - area_of(ell, hole), 1e-6);
    T_CHECK(e < p && e > p / 1.0004);
    GEOSGeom_destroy_r(h, with_hole);
    GEOSGeom_destroy_r(h, outer);
    GEOSGeom_destroy_r(h, hole);
}

/* Inverse-project the exterior ring of a polygon to lon/lat; @return the number of points. */
static int ring_lonlat(const GEOSGeometry *poly, double *lon, double *lat, int cap)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, poly));
    unsigned int n = 0;
    GEOSCoordSeq_getSize_r(h, seq, &n);
    for (unsigned int i = 0; i < n && (int)i < cap; i++) {
        GEOSCoordSeq_getXY_r(h, seq, i, &lon[i], &lat[i]);
        plat_transform_point(to_ll, &lon[i], &lat[i]);
    }
    return (int)n;
}

/* geod_polygonarea of the polygon's vertices, inverse-projected (geodesic edges). */
static double geodesic_area(const GEOSGeometry *poly)
{
    double lat[16], lon[16], area = 0;
    int n = ring_lonlat(poly, lon, lat, 16);
    struct geod_geodesic g;
    geod_init(&g, CGCS_A, CGCS_F);
    geod_polygonarea(&g, lat, lon, n - 1, &area, NULL);
    return fabs(area);
}

/* The ideal Gauss-plane polygon: every edge cut into 1 m pieces in the plane, each piece
 * inverse-projected and summed by the plain 32号 strips (no bend term needed at 1 m). */
static double gauss_polygon_area(const GEOSGeometry *poly)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, poly));
    unsigned int n = 0;
    GEOSCoordSeq_getSize_r(h, seq, &n);
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    for (unsigned int i = 0; i < n; i++)
        GEOSCoordSeq_getXY_r(h, seq, i, &x[i], &y[i]);
    size_t cap = 1;
    for (unsigned int i = 1; i < n; i++)
        cap += (size_t)ceil(hypot(x[i] - x[i - 1], y[i] - y[i - 1])) + 1;
    double *lon = malloc(cap * sizeof(double)), *lat = malloc(cap * sizeof(double));
    size_t k = 0;
    for (unsigned int i = 1; i < n; i++) {
        size_t parts = (size_t)ceil(hypot(x[i] - x[i - 1], y[i] - y[i - 1]));
        for (size_t j = 0; j < parts; j++, k++) {
            lon[k] = x[i - 1] + (x[i] - x[i - 1]) * (double)j / (double)parts;
            lat[k] = y[i - 1] + (y[i] - y[i - 1]) * (double)j / (double)parts;
            plat_transform_point(to_ll, &lon[k], &lat[k]);
        }
    }
    lon[k] = lon[0], lat[k] = lat[0], k++;
    double a = plat_gis__ring_area_lonlat(lon, lat, k);
    free(x), free(y), free(lon), free(lat);
    return a;
}

/* A skewed quadrangle (edges in four directions and of four lengths) scaled by s, centred on
 * lon at 28.7N: 0.6 km2 for s = 1. */
static GEOSGeometry *quadrangle(double lon, double s)
{
    double cx, cy;
    char wkt[256];
    gk(lon, 28.7, &cx, &cy);
    snprintf(wkt, sizeof wkt, "POLYGON ((%f %f, %f %f, %f %f, %f %f, %f %f))", cx - 400 * s, cy - 300 * s,
             cx + 500 * s, cy - 380 * s, cx + 350 * s, cy + 420 * s, cx - 450 * s, cy + 300 * s,
             cx - 400 * s, cy - 300 * s);
    return geom(wkt);
}

/* (5) The measured area is that of the polygon straight in the Gauss plane however finely its
 * edges are cut, and for parcels it agrees with the geodesic polygon (geod_polygonarea) to
 * under 0.01 m2 per km2 near the central meridian. Away from it the two definitions part by
 * the lenses between a geodesic and its Gauss-plane chord (DOMAIN.md 4.4), which cancel on
 * opposite edges only when those have equal lengths: 0.08 m2 per km2 for the 0.6 km2
 * quadrangle at the zone edge, still far below a survey's precision. */
static void small_parcels_agree_with_the_geodesic_polygon(void)
{
    const double scales[] = { 0.1, 0.3, 1.0 };
    for (int i = 0; i < 3; i++) {
        GEOSGeometry *q = quadrangle(114.0, scales[i]);
        double e = area_of(ell, q), ref = geodesic_area(q);
        printf("   at 114E, %.0f m2: 32号 - geodesic = %.6f m2 (%.4f m2 per km2)\n", ref, e - ref,
               (e - ref) / ref * 1e6);
        T_NEAR(e, ref, 0.01 * ref / 1e6);
        GEOSGeom_destroy_r(h, q);
    }
    const double lons[] = { 114.0, 113.3, 112.5 };
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            GEOSGeometry *q = quadrangle(lons[i], scales[j]);
            double e = area_of(ell, q), ideal = gauss_polygon_area(q);
            T_NEAR(e, ideal, 0.002 * ideal / 1e6);
            if (j == 2) {
                double ref = geodesic_area(q);
                printf("   at %.1fE, 0.6 km2: 32号 %.4f, Gauss polygon cut at 1 m %.4f, geodesic %.4f m2\n",
                       lons[i], e, ideal, ref);
                T_NEAR(e, ref, 0.1 * ref / 1e6);
            }
            GEOSGeom_destroy_r(h, q);
        }
    double cx, cy;
    gk(112.5, 28.7, &cx, &cy);
    GEOSGeometry *block = square(cx, cy, 10000, 0);
    double e = area_of(ell, block), ref = geodesic_area(block);
    printf("   10 km block at 112.5E: 32号 %.3f m2, geodesic %.3f m2, difference %.3f m2\n", e, ref, e - ref);
    T_CHECK(fabs(e - ref) < 0.5 * 100); /* under 0.5 m2 per km2 over 100 km2 */
    GEOSGeom_destroy_r(h, block);
}

/* Cutting a polygon must not change its area: the coverage engine adds up clipped parts. */
static void clipped_parts_add_up_to_the_whole(void)
{
    GEOSGeometry *q = quadrangle(112.6, 3.0), *env = GEOSEnvelope_r(h, q);
    double minx, miny, maxx, maxy;
    GEOSGeom_getXMin_r(h, env, &minx), GEOSGeom_getYMin_r(h, env, &miny);
    GEOSGeom_getXMax_r(h, env, &maxx), GEOSGeom_getYMax_r(h, env, &maxy);
    char wkt[256];
    /* an oblique cut through the middle */
    snprintf(wkt, sizeof wkt, "POLYGON ((%f %f, %f %f, %f %f, %f %f, %f %f))", minx - 1, miny - 1,
             maxx + 1, miny - 1, maxx + 1, miny + 0.3 * (maxy - miny), minx - 1, miny + 0.7 * (maxy - miny),
             minx - 1, miny - 1);
    GEOSGeometry *cut = geom(wkt);
    GEOSGeometry *a = GEOSIntersection_r(h, q, cut), *b = GEOSDifference_r(h, q, cut);
    double whole = area_of(ell, q), parts = area_of(ell, a) + area_of(ell, b);
    printf("   whole %.4f m2, parts %.4f m2\n", whole, parts);
    T_NEAR(parts, whole, 0.002 * whole / 1e6);
    GEOSGeom_destroy_r(h, a), GEOSGeom_destroy_r(h, b), GEOSGeom_destroy_r(h, cut);
    GEOSGeom_destroy_r(h, env), GEOSGeom_destroy_r(h, q);
}

/* (6) The 32号 series against the closed form for a 1 x 1 degree cell bounded by meridians
 * and parallels (the parallels are not straight in the GK plane, so this tests the series
 * itself, through gis_int.h, and the ring sum over lon/lat vertices). */
static void the_trapezoid_series_matches_the_closed_form_cell_area(void)
{
    double exact = (authalic_strip(29) - authalic_strip(28)) * M_PI / 180;
    double series = plat_gis__quad_area(28, 29, 1);
    printf("   28-29N x 1 deg: series %.4f m2, closed form %.4f m2\n", series, exact);
    T_NEAR(series / exact, 1.0, 1e-11);
    T_NEAR(plat_gis__quad_area(29, 28, 1), -series, 1e-6);

    /* the same cell as a ring, parallels densified every 0.001 degree */
    enum { K = 1000 };
    static double lon[2 * K + 3], lat[2 * K + 3];
    int n = 0;
    for (int i = 0; i <= K; i++, n++)
        lon[n] = 113 + (double)i / K, lat[n] = 28;
    for (int i = K; i >= 0; i--, n++)
        lon[n] = 113 + (double)i / K, lat[n] = 29;
    lon[n] = 113, lat[n] = 28, n++;
    double ring = plat_gis__ring_area_lonlat(lon, lat, (size_t)n);
    T_NEAR(ring / exact, 1.0, 1e-11);
    struct geod_geodesic g;
    double geo = 0;
    geod_init(&g, CGCS_A, CGCS_F);
    geod_polygonarea(&g, lat, lon, n - 1, &geo, NULL);
    printf("   as a ring: %.4f m2; geod_polygonarea over the same vertices %.4f m2\n", ring, fabs(geo));
    T_NEAR(fabs(geo) / exact, 1.0, 1e-9);
}

static void planar_mode_measures_the_working_crs_as_it_is(void)
{
    GEOSGeometry *g = geom("GEOMETRYCOLLECTION (POINT (500000 3176000), MULTIPOINT ((1 1), (2 2)),"
                           " LINESTRING (500000 3176000, 503000 3180000),"
                           " POLYGON ((500000 3176000, 500100 3176000, 500100 3176100, 500000 3176000)))");
    plat_quantity q;
    T_EQ_INT(plat_measure_geom(flat, &q, g), 0);
    T_NEAR(q.length_m, 5000, 1e-9);
    T_NEAR(q.area_m2, 5000, 1e-9);
    T_EQ_INT(q.points, 3);
    GEOSGeom_destroy_r(h, g);
    g = geom("POLYGON EMPTY");
    T_EQ_INT(plat_measure_geom(ell, &q, g), 0);
    T_NEAR(q.area_m2 + q.length_m + q.points, 0, 0);
    GEOSGeom_destroy_r(h, g);
}

static void a_thousand_square_kilometres_is_1500000_mu(void)
{
    T_NEAR(1e6 / PLAT_M2_PER_MU, 1500, 1e-9);              /* 1 km2 = 1500 亩, DOMAIN.md 4.3 */
    T_NEAR(208000 * PLAT_M2_PER_MU / 1e6, 138.667, 0.001); /* 20.8 万亩 = 138.67 km2 */
}

static void measurers_need_a_metric_projected_crs(void)
{
    plat_measure *m = (plat_measure *)1;
    T_EQ_INT(plat_measure_new(ctx, &m, 4490, 0), PLAT_EINVALID);
    T_CHECK(m == NULL);
    T_EQ_INT(plat_measure_new(ctx, &m, 999999, 1), PLAT_EINVALID);
    printf("   %s\n", plat_error_last(ctx)->msg);
    plat_measure_free(NULL);
}

static void measuring_a_township_sized_polygon_is_fast(void)
{
    /* a township-sized wavy disc (r = 20 km) of 20 000 vertices, edges about 6 m */
    enum { N = 20000 };
    double cx, cy;
    gk(113.6, 28.8, &cx, &cy);
    double *xs = malloc((N + 1) * sizeof(double)), *ys = malloc((N + 1) * sizeof(double));
    for (int i = 0; i < N; i++) {
        double a = 2 * M_PI * i / N, r = 20000 * (1 + 0.05 * sin(7 * a));
        xs[i] = cx + r * cos(a);
        ys[i] = cy + r * sin(a);
    }
    xs[N] = xs[0];
    ys[N] = ys[0];
    GEOSGeometry *poly = GEOSGeom_createPolygon_r(
        h, GEOSGeom_createLinearRing_r(h, GEOSCoordSeq_copyFromArrays_r(h, xs, ys, NULL, NULL, N + 1)), NULL, 0);
    clock_t t0 = clock();
    double e = area_of(ell, poly);
    double ms = (double)(clock() - t0) * 1e3 / CLOCKS_PER_SEC;
    printf("   %d vertices (%.0f km2): %.1f ms CPU\n", N, e / 1e6, ms);
    T_CHECK(e > 0);
    GEOSGeom_destroy_r(h, poly);
    free(xs);
    free(ys);
}

int main(void)
{
    ctx = plat_ctx_new();
    h = plat_gis_geos(ctx);
    T_EQ_INT(plat_measure_new(ctx, &ell, 4547, 0), 0);
    T_EQ_INT(plat_measure_new(ctx, &flat, 4547, 1), 0);
    T_EQ_INT(plat_transform_new(ctx, &to_gk, "EPSG:4490", 4547), 0);
    T_EQ_INT(plat_transform_new(ctx, &to_ll, "EPSG:4547", 4490), 0);
    if (!ell || !flat || !to_gk || !to_ll)
        return t_done();
    T_RUN(line_length_is_the_geodesic_between_inverse_projected_vertices);
    T_RUN(gk_lines_agree_with_the_geodesic_everywhere_in_the_zone);
    T_RUN(zone_prefixed_eastings_measure_the_same);
    T_RUN(a_square_on_the_central_meridian_keeps_its_area);
    T_RUN(a_square_at_the_zone_edge_is_smaller_on_the_ellipsoid);
    T_RUN(holes_are_subtracted);
    T_RUN(small_parcels_agree_with_the_geodesic_polygon);
    T_RUN(clipped_parts_add_up_to_the_whole);
    T_RUN(the_trapezoid_series_matches_the_closed_form_cell_area);
    T_RUN(planar_mode_measures_the_working_crs_as_it_is);
    T_RUN(a_thousand_square_kilometres_is_1500000_mu);
    T_RUN(measurers_need_a_metric_projected_crs);
    T_RUN(measuring_a_township_sized_polygon_is_fast);
    plat_measure_free(ell);
    plat_measure_free(flat);
    plat_transform_free(to_gk);
    plat_transform_free(to_ll);
    plat_ctx_free(ctx);
    return t_done();
}

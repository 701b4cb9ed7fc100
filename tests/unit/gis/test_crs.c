/* tests/unit/gis/test_crs.c - zones, EPSG codes and transforms (axis order, files, GCJ-02). */
#include <stdlib.h>

#include "plat/util.h"
#include "plat/gis.h"
#include "../../t.h"

static plat_ctx *ctx;
static GEOSContextHandle_t h;

static void zones_follow_the_3_degree_rule(void)
{
    T_EQ_INT(plat_crs_gk_zone_for_lon(113.5), 4547);
    T_EQ_INT(plat_crs_gk_zone_for_lon(112.5), 4547); /* the 37/38 edge rounds east */
    T_EQ_INT(plat_crs_gk_zone_for_lon(112.49), 4546);
    T_EQ_INT(plat_crs_gk_zone_for_lon(108.8), 4545);
    T_EQ_INT(plat_crs_gk_zone_for_lon(75.0), 4534);
    T_EQ_INT(plat_crs_gk_zone_for_lon(73.5), 4534);
    T_EQ_INT(plat_crs_gk_zone_for_lon(136.5), 4554);
    T_EQ_INT(plat_crs_gk_zone_for_lon(73.4), 0);
    T_EQ_INT(plat_crs_gk_zone_for_lon(137.0), 0);
    T_EQ_INT(plat_crs_gk_zone_for_lon(NAN), 0);
}

static void central_meridians_with_and_without_zone_prefix(void)
{
    T_NEAR(plat_crs_gk_central_meridian(4547), 114, 0);
    T_NEAR(plat_crs_gk_central_meridian(4534), 75, 0);
    T_NEAR(plat_crs_gk_central_meridian(4554), 135, 0);
    T_NEAR(plat_crs_gk_central_meridian(4526), 114, 0); /* zone 38 */
    T_NEAR(plat_crs_gk_central_meridian(4513), 75, 0);
    T_NEAR(plat_crs_gk_central_meridian(4533), 135, 0);
    T_CHECK(isnan(plat_crs_gk_central_meridian(4490)));
    T_CHECK(isnan(plat_crs_gk_central_meridian(4555)));
    T_CHECK(isnan(plat_crs_gk_central_meridian(4512)));
}

static void only_projected_crs_in_metres_are_metric(void)
{
    T_EQ_INT(plat_crs_is_metric_projected(ctx, 4547), 1);
    T_EQ_INT(plat_crs_is_metric_projected(ctx, 4526), 1);
    T_EQ_INT(plat_crs_is_metric_projected(ctx, 4490), 0);
    T_CHECK(strstr(plat_error_last(ctx)->msg, "not a projected CRS") != NULL);
    T_EQ_INT(plat_crs_is_metric_projected(ctx, 2249), 0); /* Massachusetts, US survey feet */
    printf("   %s\n", plat_error_last(ctx)->msg);
    T_EQ_INT(plat_crs_is_metric_projected(ctx, 999999), 0);
    printf("   %s\n", plat_error_last(ctx)->msg);
}

static void epsg_codes_parse_with_or_without_prefix(void)
{
    int e = 0;
    T_EQ_INT(plat_crs_parse_epsg(ctx, &e, "EPSG:4547"), 0);
    T_EQ_INT(e, 4547);
    T_EQ_INT(plat_crs_parse_epsg(ctx, &e, " epsg:4490 "), 0);
    T_EQ_INT(e, 4490);
    T_EQ_INT(plat_crs_parse_epsg(ctx, &e, "4546"), 0);
    T_EQ_INT(e, 4546);
    T_EQ_INT(plat_crs_parse_epsg(ctx, &e, "EPSG:"), PLAT_EINVALID);
    T_EQ_INT(plat_crs_parse_epsg(ctx, &e, "4547x"), PLAT_EINVALID);
    T_EQ_INT(plat_crs_parse_epsg(ctx, &e, "CGCS2000"), PLAT_EINVALID);
    T_EQ_INT(plat_crs_parse_epsg(ctx, &e, "EPSG:-1"), PLAT_EINVALID);
}

/* DOMAIN.md 4.1: cs2cs EPSG:4490 EPSG:4526 with "28.7 113.5" gives 3176121.716 38451140.202
 * (northing first); plat's x is always the easting. */
static void lon_lat_go_to_easting_northing_whatever_the_epsg_axis_order(void)
{
    plat_transform *t = NULL;
    T_EQ_INT(plat_transform_new(ctx, &t, "EPSG:4490", 4526), 0);
    double x = 113.5, y = 28.7;
    T_EQ_INT(plat_transform_point(t, &x, &y), 0);
    T_NEAR(x, 38451140.202, 1e-3);
    T_NEAR(y, 3176121.716, 1e-3);
    T_EQ_INT(plat_transform_src_is_geographic(t), 1);
    plat_transform_free(t);

    T_EQ_INT(plat_transform_new(ctx, &t, "4490", 4547), 0); /* a bare number is EPSG */
    GEOSGeometry *g = NULL, *out = NULL;
    T_EQ_INT(plat_geom_parse(ctx, &g, "LINESTRING (113.5 28.7, 113.6 28.8)"), 0);
    T_EQ_INT(plat_transform_geom(t, &out, g), 0);
    if (out) {
        double ox = 0, oy = 0;
        const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, out);
        GEOSCoordSeq_getXY_r(h, seq, 0, &ox, &oy);
        T_NEAR(ox, 451140.202, 1e-3);
        T_NEAR(oy, 3176121.716, 1e-3);
    }
    GEOSGeom_destroy_r(h, out);
    GEOSGeom_destroy_r(h, g);
    plat_transform_free(t);

    /* and back: projected source, geographic target */
    T_EQ_INT(plat_transform_new(ctx, &t, "EPSG:4547", 4490), 0);
    T_EQ_INT(plat_transform_src_is_geographic(t), 0);
    x = 451140.202, y = 3176121.716;
    T_EQ_INT(plat_transform_point(t, &x, &y), 0);
    T_NEAR(x, 113.5, 1e-8);
    T_NEAR(y, 28.7, 1e-8);
    plat_transform_free(t);
}

static void a_prj_file_wkt_and_proj_strings_are_sources(void)
{
    const char *prj = "/tmp/plat_test_crs.prj";
    FILE *f = fopen(prj, "w");
    T_CHECK(f != NULL);
    if (!f)
        return;
    /* ESRI WKT as ArcGIS writes it for CGCS2000 3-degree GK CM 114E */
    fputs("PROJCS[\"CGCS2000_3_Degree_GK_CM_114E\",GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\","
          "DATUM[\"D_China_2000\",SPHEROID[\"CGCS2000\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],"
          "UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",500000.0],"
          "PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",114.0],PARAMETER[\"Scale_Factor\",1.0],"
          "PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]\n",
          f);
    fclose(f);
    const char *sources[] = { "/tmp/plat_test_crs.prj", "@/tmp/plat_test_crs.prj" };
    for (int i = 0; i < 2; i++) {
        plat_transform *t = NULL;
        T_EQ_INT(plat_transform_new(ctx, &t, sources[i], 4490), 0);
        if (!t) {
            printf("   %s\n", plat_error_last(ctx)->msg);
            continue;
        }
        T_EQ_INT(plat_transform_src_is_geographic(t), 0);
        double x = 451140.202, y = 3176121.716;
        T_EQ_INT(plat_transform_point(t, &x, &y), 0);
        T_NEAR(x, 113.5, 1e-8);
        T_NEAR(y, 28.7, 1e-8);
        plat_transform_free(t);
    }
    remove(prj);

    plat_transform *t = NULL;
    T_EQ_INT(plat_transform_new(ctx, &t, "+proj=tmerc +lon_0=114 +k=1 +x_0=500000 +ellps=GRS80 +units=m", 4547), 0);
    if (t) {
        T_EQ_INT(plat_transform_src_is_geographic(t), 0);
        double x = 451140.202, y = 3176121.716;
        T_EQ_INT(plat_transform_point(t, &x, &y), 0);
        T_NEAR(x, 451140.202, 0.01); /* GRS80 vs CGCS2000: same a, f within 1e-10 */
        T_NEAR(y, 3176121.716, 0.01);
    }
    plat_transform_free(t);
    T_EQ_INT(plat_transform_new_wkt(ctx, &t, "GEOGCRS[\"CGCS2000\",DATUM[\"China 2000\",ELLIPSOID[\"CGCS2000\",6378137,298.257222101]],"
                                             "CS[ellipsoidal,2],AXIS[\"latitude\",north],AXIS[\"longitude\",east],ANGLEUNIT[\"degree\",0.0174532925199433]]", 4547), 0);
    if (t) {
        T_EQ_INT(plat_transform_src_is_geographic(t), 1);
        double x = 113.5, y = 28.7; /* lat-first WKT, still x = longitude for plat */
        T_EQ_INT(plat_transform_point(t, &x, &y), 0);
        T_NEAR(x, 451140.202, 1e-3);
    }
    plat_transform_free(t);
}

static void unknown_sources_are_refused_with_a_reason(void)
{
    plat_transform *t = (plat_transform *)1;
    T_EQ_INT(plat_transform_new(ctx, &t, "EPSG:999999", 4547), PLAT_EINVALID);
    T_CHECK(t == NULL);
    printf("   %s\n", plat_error_last(ctx)->msg);
    T_CHECK(strstr(plat_error_last(ctx)->msg, "EPSG:999999") != NULL);
    T_EQ_INT(plat_transform_new(ctx, &t, "Beijing 1954 please", 4547), PLAT_EINVALID);
    printf("   %s\n", plat_error_last(ctx)->msg);
    T_EQ_INT(plat_transform_new(ctx, &t, "", 4547), PLAT_EINVALID);
    T_EQ_INT(plat_transform_new(ctx, &t, "EPSG:4490", 999999), PLAT_EINVALID);
    T_EQ_INT(plat_transform_new(ctx, &t, "/nonexistent/roads.prj", 4547), PLAT_ENOTFOUND);
    T_EQ_INT(plat_transform_new_wkt(ctx, &t, "PROJCS[nonsense", 4547), PLAT_EINVALID);
}

static void gcj02_and_bd09_picks_land_on_the_surveyed_point(void)
{
    plat_transform *t = NULL, *tg = NULL, *tb = NULL;
    double gx, gy, bx, by;
    plat_gcj02_from_wgs84(113.5, 28.7, &gx, &gy);
    plat_bd09_from_gcj02(gx, gy, &bx, &by);
    T_EQ_INT(plat_transform_new(ctx, &t, "EPSG:4490", 4547), 0);
    T_EQ_INT(plat_transform_new(ctx, &tg, "gcj-02", 4547), 0);
    T_EQ_INT(plat_transform_new(ctx, &tb, "BD09", 4547), 0);
    if (t && tg && tb) {
        T_EQ_INT(plat_transform_src_is_geographic(tg), 1);
        double x = 113.5, y = 28.7;
        plat_transform_point(t, &x, &y);
        T_EQ_INT(plat_transform_point(tg, &gx, &gy), 0);
        T_EQ_INT(plat_transform_point(tb, &bx, &by), 0);
        T_NEAR(gx, x, 1e-4);
        T_NEAR(gy, y, 1e-4);
        T_NEAR(bx, x, 1e-4);
        T_NEAR(by, y, 1e-4);
    }
    plat_transform_free(t);
    plat_transform_free(tg);
    plat_transform_free(tb);
    T_EQ_INT(plat_transform_new(ctx, &t, "GCJ02", 4490), 0); /* GCJ-02 to lon/lat only */
    if (t) {
        plat_gcj02_from_wgs84(112.39, 29.37, &gx, &gy);
        T_EQ_INT(plat_transform_point(t, &gx, &gy), 0);
        T_NEAR(gx, 112.39, 1e-10);
        T_NEAR(gy, 29.37, 1e-10);
    }
    plat_transform_free(t);
}

static void a_coordinate_proj_cannot_take_is_named(void)
{
    plat_transform *t = NULL;
    GEOSGeometry *g = NULL, *out = (GEOSGeometry *)1;
    T_EQ_INT(plat_transform_new(ctx, &t, "EPSG:4490", 4547), 0);
    T_EQ_INT(plat_geom_parse(ctx, &g, "LINESTRING (113.5 28.7, 113.5 95)"), 0);
    T_EQ_INT(plat_transform_geom(t, &out, g), PLAT_EINVALID);
    T_CHECK(out == NULL);
    T_EQ_STR(plat_error_last(ctx)->msg, "coordinate (113.5 95) cannot be transformed to EPSG:4547");
    double x = 113.5, y = 95;
    T_EQ_INT(plat_transform_point(t, &x, &y), PLAT_EINVALID);
    T_NEAR(x, 113.5, 0);
    GEOSGeom_destroy_r(h, g);
    plat_transform_free(t);
    plat_transform_free(NULL);
}

int main(void)
{
    ctx = plat_ctx_new();
    h = plat_gis_geos(ctx);
    T_RUN(zones_follow_the_3_degree_rule);
    T_RUN(central_meridians_with_and_without_zone_prefix);
    T_RUN(only_projected_crs_in_metres_are_metric);
    T_RUN(epsg_codes_parse_with_or_without_prefix);
    T_RUN(lon_lat_go_to_easting_northing_whatever_the_epsg_axis_order);
    T_RUN(a_prj_file_wkt_and_proj_strings_are_sources);
    T_RUN(unknown_sources_are_refused_with_a_reason);
    T_RUN(gcj02_and_bd09_picks_land_on_the_surveyed_point);
    T_RUN(a_coordinate_proj_cannot_take_is_named);
    plat_ctx_free(ctx);
    return t_done();
}

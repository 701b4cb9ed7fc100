/* tests/unit/gis/test_geos.c - reading and writing geometries, repair, coordinate checks. */
#include <stdlib.h>

#include "plat/util.h"
#include "plat/gis.h"
#include "../../t.h"

static plat_ctx *ctx;
static GEOSContextHandle_t h;

static GEOSGeometry *parse(const char *text)
{
    GEOSGeometry *g = NULL;
    int rc = plat_geom_parse(ctx, &g, text);
    if (rc < 0)
        printf("   parse failed: %s\n", plat_error_last(ctx)->msg);
    return g;
}

static char *wkt(const GEOSGeometry *g, int decimals)
{
    char *s = NULL;
    plat_geom_to_wkt(ctx, &s, g, decimals);
    return s;
}

static void check_wkt(const GEOSGeometry *g, int decimals, const char *expected)
{
    char *s = wkt(g, decimals);
    T_EQ_STR(s, expected);
    plat_free(s);
}

static void wkt_and_geojson_read_the_same_line(void)
{
    GEOSGeometry *a = parse("  \n LINESTRING (113.5 28.7, 113.6 28.8)\t ");
    GEOSGeometry *b = parse(" {\"type\":\"LineString\",\"coordinates\":[[113.5,28.7],[113.6,28.8]]} ");
    T_CHECK(a && b);
    if (a && b)
        T_EQ_INT(GEOSEquals_r(h, a, b), 1);
    GEOSGeom_destroy_r(h, a);
    GEOSGeom_destroy_r(h, b);
}

static void a_feature_gives_its_geometry_and_a_collection_a_multi(void)
{
    GEOSGeometry *g = parse("{\"type\":\"Feature\",\"properties\":{\"name\":\"G536\"},"
                            "\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.5,28.7]}}");
    T_CHECK(g != NULL);
    if (g)
        check_wkt(g, 3, "POINT (113.5 28.7)");
    GEOSGeom_destroy_r(h, g);

    g = parse("{\"type\": \"FeatureCollection\", \"features\": ["
              "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}},"
              "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"MultiLineString\",\"coordinates\":[[[2,2],[3,3]],[[4,4],[5,5]]]}}]}");
    T_CHECK(g != NULL);
    if (g) {
        T_EQ_INT(GEOSGeomTypeId_r(h, g), GEOS_MULTILINESTRING);
        T_EQ_INT(GEOSGetNumGeometries_r(h, g), 3);
    }
    GEOSGeom_destroy_r(h, g);

    g = parse("{\"type\":\"FeatureCollection\",\"features\":["
              "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[0,0]}},"
              "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}}]}");
    T_CHECK(g != NULL);
    if (g) {
        T_EQ_INT(GEOSGeomTypeId_r(h, g), GEOS_GEOMETRYCOLLECTION);
        T_EQ_INT(plat_geom_kinds(ctx, g), PLAT_GEOM_POINT | PLAT_GEOM_LINE);
    }
    GEOSGeom_destroy_r(h, g);
}

static void garbage_and_blank_text_are_refused_in_one_line(void)
{
    const char *bad[] = { "", "   \n ", "LINESTRIN (0 0, 1 1)", "POLYGON ((0 0, 1 1",
                          "{\"type\":\"Point\",\"coordinates\":", "{ not json }", "plat.sqlite", "POINT (1 1) xyz",
                          "{\"type\":\"Point\",\"coordinates\":[1,2]} trailing" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        GEOSGeometry *g = (GEOSGeometry *)1;
        T_EQ_INT(plat_geom_parse(ctx, &g, bad[i]), PLAT_EINVALID);
        T_CHECK(g == NULL);
        const char *msg = plat_error_last(ctx)->msg;
        T_CHECK(strncmp(msg, "cannot read geometry", 20) == 0);
        T_CHECK(strchr(msg, '\n') == NULL);
        if (i == 2)
            printf("   e.g. %s\n", msg);
    }
}

static void wkb_is_written_as_2d_iso_and_z_is_dropped(void)
{
    GEOSGeometry *g = parse("POINT Z (500000 3176000 55)");
    T_CHECK(g != NULL);
    if (!g)
        return;
    T_EQ_INT(GEOSHasZ_r(h, g), 0);
    unsigned char *wkb = NULL;
    size_t n = 0;
    T_EQ_INT(plat_geom_to_wkb(ctx, &wkb, &n, g), 0);
    T_EQ_INT(n, 21); /* byte order, uint32 type 1 (2D point), two doubles */
    T_EQ_INT(wkb[0], 1);
    T_EQ_INT(wkb[1] | wkb[2] << 8 | wkb[3] << 16 | wkb[4] << 24, 1);
    GEOSGeometry *back = NULL;
    T_EQ_INT(plat_geom_from_wkb(ctx, &back, wkb, n), 0);
    if (back)
        T_EQ_INT(GEOSEquals_r(h, g, back), 1);
    GEOSGeom_destroy_r(h, back);
    plat_free(wkb);

    /* ISO WKB of POINT Z (1 2 3), little endian, type 1001 */
    unsigned char z[29] = { 1, 0xE9, 0x03, 0, 0 };
    double xyz[3] = { 1, 2, 3 };
    memcpy(z + 5, xyz, sizeof(xyz));
    back = NULL;
    T_EQ_INT(plat_geom_from_wkb(ctx, &back, z, sizeof(z)), 0);
    if (back) {
        T_EQ_INT(GEOSHasZ_r(h, back), 0);
        check_wkt(back, 3, "POINT (1 2)");
    }
    GEOSGeom_destroy_r(h, back);
    back = NULL;
    T_EQ_INT(plat_geom_from_wkb(ctx, &back, z, 7), PLAT_EINVALID);
    T_CHECK(back == NULL);
    GEOSGeom_destroy_r(h, g);
}

/* plat writes WKB itself (gis/wkb.c): the bytes must be those GEOS's writer (ISO, 2D) writes,
 * Z and M dropped, empty parts left to GEOS. */
static void wkb_is_written_byte_for_byte_as_geos_writes_it(void)
{
    static char big[20000];
    char *p = big + sprintf(big, "LINESTRING (");
    for (int i = 0; i < 600; i++) /* beyond what the writer copies onto the stack at once */
        p += sprintf(p, "%s%.3f %.3f", i ? ", " : "", 500000 + i * 7.25, 3000000 - i * 0.1 * (i % 7));
    strcpy(p, ")");
    const char *cases[] = {
        "POINT (500000.125 3176000.5)", "POINT Z (1 2 3)", "POINT M (1 2 4)", "POINT ZM (1 2 3 4)",
        "LINESTRING (0 0, 1e-300 -1e300, -0 3)", "LINESTRING Z (0 0 1, 1 1 2)",
        "POLYGON ((518312.73 2987386.633, 518482.44 2987748.525, 518114.49 2987857.757, 518312.73 2987386.633))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2), (5 5, 6 5, 6 6, 5 5))",
        "MULTIPOINT ((1 2), (3 4))", "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3, 4 4))",
        "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), (5.2 5.1, 5.8 5.1, 5.8 5.7, 5.2 5.1)))",
        "GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1), POLYGON ((0 0, 1 0, 1 1, 0 0)))",
        "POINT EMPTY", "LINESTRING EMPTY", "POLYGON EMPTY", "MULTIPOINT ((1 2), EMPTY)",
        "GEOMETRYCOLLECTION (POINT (1 2), POINT EMPTY)", "GEOMETRYCOLLECTION EMPTY", "LINEARRING (0 0, 1 0, 1 1, 0 0)",
        big,
    };
    GEOSWKTReader *reader = GEOSWKTReader_create_r(h);
    GEOSWKBWriter *writer = GEOSWKBWriter_create_r(h);
    GEOSWKBWriter_setOutputDimension_r(h, writer, 2);
    GEOSWKBWriter_setFlavor_r(h, writer, GEOS_WKB_ISO);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        GEOSGeometry *g = GEOSWKTReader_read_r(h, reader, cases[i]);
        T_CHECK(g != NULL);
        if (!g)
            continue;
        size_t n = 0, m = 0;
        unsigned char *ours = NULL, *theirs = GEOSWKBWriter_write_r(h, writer, g, &m);
        T_EQ_INT(plat_geom_to_wkb(ctx, &ours, &n, g), 0);
        T_EQ_INT(n, m);
        int same = ours && theirs && n == m && memcmp(ours, theirs, n) == 0;
        if (!same)
            printf("   differs: %.60s\n", cases[i]);
        T_CHECK(same);
        plat_free(ours);
        GEOSFree_r(h, theirs);
        GEOSGeom_destroy_r(h, g);
    }
    GEOSWKBWriter_destroy_r(h, writer);
    GEOSWKTReader_destroy_r(h, reader);
}

/* SpatiaLite reads a collection of points, lines and polygons only: one holding a multi or a
 * collection must reach the store flattened, the same parts one level deep. */
static void nested_collections_are_written_flat(void)
{
    GEOSGeometry *g = parse("GEOMETRYCOLLECTION (GEOMETRYCOLLECTION (LINESTRING (0 0, 1 0), "
                            "GEOMETRYCOLLECTION (POINT (2 0))), MULTIPOINT ((3 0), (4 0)), GEOMETRYCOLLECTION EMPTY)");
    T_CHECK(g != NULL);
    if (!g)
        return;
    unsigned char *wkb = NULL;
    size_t n = 0;
    GEOSGeometry *back = NULL;
    T_EQ_INT(plat_geom_to_wkb(ctx, &wkb, &n, g), 0);
    T_EQ_INT(plat_geom_from_wkb(ctx, &back, wkb, n), 0);
    if (back) {
        check_wkt(back, 0, "GEOMETRYCOLLECTION (LINESTRING (0 0, 1 0), POINT (2 0), POINT (3 0), POINT (4 0))");
        T_EQ_INT(GEOSEquals_r(h, g, back), 1);
    }
    GEOSGeom_destroy_r(h, back);
    plat_free(wkb);
    GEOSGeom_destroy_r(h, g);
    /* a flat collection is written as it is */
    g = parse("GEOMETRYCOLLECTION (POINT (1 1), LINESTRING (0 0, 1 1))");
    back = NULL;
    T_EQ_INT(plat_geom_to_wkb(ctx, &wkb, &n, g), 0);
    T_EQ_INT(plat_geom_from_wkb(ctx, &back, wkb, n), 0);
    if (back)
        check_wkt(back, 0, "GEOMETRYCOLLECTION (POINT (1 1), LINESTRING (0 0, 1 1))");
    GEOSGeom_destroy_r(h, back);
    plat_free(wkb);
    GEOSGeom_destroy_r(h, g);
}

static void wkt_output_rounds_to_the_decimals_asked(void)
{
    GEOSGeometry *g = parse("LINESTRING (113.123456789 28.4, 113.2 28.987654321)");
    if (g) {
        check_wkt(g, 3, "LINESTRING (113.123 28.4, 113.2 28.988)");
        check_wkt(g, 0, "LINESTRING (113 28, 113 29)");
    }
    GEOSGeom_destroy_r(h, g);
}

static void a_bow_tie_is_repaired_into_two_triangles(void)
{
    GEOSGeometry *g = parse("POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))");
    GEOSGeometry *before = g;
    int repaired = 0;
    char why[128];
    T_EQ_INT(plat_geom_make_valid(ctx, &g, &repaired, why, sizeof why), 0);
    T_EQ_INT(repaired, 1);
    T_CHECK(g != before);
    T_CHECK(strstr(why, "Self-intersection") != NULL);
    printf("   why: %s\n", why);
    double area = 0;
    GEOSArea_r(h, g, &area);
    T_NEAR(area, 2.0, 1e-12);
    T_EQ_INT(GEOSisValid_r(h, g), 1);
    GEOSGeom_destroy_r(h, g);
}

static void a_valid_geometry_is_left_as_it_is(void)
{
    GEOSGeometry *g = parse("POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0), (0.2 0.2, 0.2 0.4, 0.4 0.4, 0.2 0.2))");
    GEOSGeometry *before = g;
    int repaired = 7;
    char why[64] = "x";
    T_EQ_INT(plat_geom_make_valid(ctx, &g, &repaired, why, sizeof why), 0);
    T_EQ_INT(repaired, 0);
    T_CHECK(g == before);
    T_EQ_STR(why, "");
    GEOSGeom_destroy_r(h, g);
}

static void a_polygon_without_area_cannot_be_repaired(void)
{
    GEOSGeometry *g = parse("POLYGON ((0 0, 1 1, 2 2, 0 0))");
    GEOSGeometry *before = g;
    int repaired = 0;
    T_EQ_INT(plat_geom_make_valid(ctx, &g, &repaired, NULL, 0), PLAT_EINVALID);
    T_EQ_INT(repaired, 0);
    T_CHECK(g == before); /* still the caller's */
    printf("   %s\n", plat_error_last(ctx)->msg);
    GEOSGeom_destroy_r(h, g);
}

static void coordinates_must_be_finite_and_in_range_when_geographic(void)
{
    GEOSGeometry *g = parse("POLYGON ((113 28, 114 28, 114 29, 113 29, 113 28), (113.2 28.2, 113.4 28.2, 113.4 95, 113.2 28.2))");
    T_EQ_INT(plat_geom_check_coords(ctx, g, 0), 0);
    T_EQ_INT(plat_geom_check_coords(ctx, g, 1), PLAT_EINVALID);
    T_CHECK(strstr(plat_error_last(ctx)->msg, "(113.4 95)") != NULL);
    GEOSGeom_destroy_r(h, g);

    g = parse("MULTIPOINT ((451140.202 3176121.716))");
    T_EQ_INT(plat_geom_check_coords(ctx, g, 0), 0);
    T_EQ_INT(plat_geom_check_coords(ctx, g, 1), PLAT_EINVALID);
    printf("   %s\n", plat_error_last(ctx)->msg);
    GEOSGeom_destroy_r(h, g);

    double xs[2] = { 0, NAN }, ys[2] = { 0, 1 };
    g = GEOSGeom_createLineString_r(h, GEOSCoordSeq_copyFromArrays_r(h, xs, ys, NULL, NULL, 2));
    T_EQ_INT(plat_geom_check_coords(ctx, g, 0), PLAT_EINVALID);
    T_CHECK(strstr(plat_error_last(ctx)->msg, "finite") != NULL);
    GEOSGeom_destroy_r(h, g);
}

static void kinds_say_what_parts_a_geometry_has(void)
{
    struct {
        const char *wkt;
        int kinds;
    } cases[] = {
        { "POINT (1 2)", PLAT_GEOM_POINT },
        { "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))", PLAT_GEOM_LINE },
        { "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))", PLAT_GEOM_POLYGON },
        { "GEOMETRYCOLLECTION (POINT (0 0), POLYGON ((0 0, 1 0, 1 1, 0 0)))", PLAT_GEOM_POINT | PLAT_GEOM_POLYGON },
        { "GEOMETRYCOLLECTION (POINT EMPTY, LINESTRING (0 0, 1 1))", PLAT_GEOM_LINE },
        { "POLYGON EMPTY", 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        GEOSGeometry *g = parse(cases[i].wkt);
        T_EQ_INT(plat_geom_kinds(ctx, g), cases[i].kinds);
        GEOSGeom_destroy_r(h, g);
    }
}

int main(void)
{
    ctx = plat_ctx_new();
    h = plat_gis_geos(ctx);
    T_CHECK(h != NULL && h == plat_gis_geos(ctx));
    T_RUN(wkt_and_geojson_read_the_same_line);
    T_RUN(a_feature_gives_its_geometry_and_a_collection_a_multi);
    T_RUN(garbage_and_blank_text_are_refused_in_one_line);
    T_RUN(wkb_is_written_as_2d_iso_and_z_is_dropped);
    T_RUN(wkb_is_written_byte_for_byte_as_geos_writes_it);
    T_RUN(nested_collections_are_written_flat);
    T_RUN(wkt_output_rounds_to_the_decimals_asked);
    T_RUN(a_bow_tie_is_repaired_into_two_triangles);
    T_RUN(a_valid_geometry_is_left_as_it_is);
    T_RUN(a_polygon_without_area_cannot_be_repaired);
    T_RUN(coordinates_must_be_finite_and_in_range_when_geographic);
    T_RUN(kinds_say_what_parts_a_geometry_has);
    plat_ctx_free(ctx);
    return t_done();
}

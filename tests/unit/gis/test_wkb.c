/* tests/unit/gis/test_wkb.c - reading WKB without GEOS's reader (gis/wkb.c): the plain cases
 * give the geometry GEOS's reader gives, and anything else, truncated or corrupted bytes
 * included, is declined for GEOS to read or refuse. */
#include <stdlib.h>

#include "plat/util.h"
#include "plat/gis.h"
#include "gis_int.h"
#include "../../t.h"

static plat_ctx *ctx;
static GEOSContextHandle_t h;
static GEOSWKTReader *wkt_reader;
static GEOSWKBReader *wkb_reader;
static GEOSWKBWriter *wkb_writer;

/* ISO WKB of g as GEOS writes it, with Z when g has Z. */
static unsigned char *geos_wkb(const GEOSGeometry *g, size_t *n)
{
    GEOSWKBWriter_setOutputDimension_r(h, wkb_writer, GEOSHasZ_r(h, g) == 1 ? 3 : 2);
    return GEOSWKBWriter_write_r(h, wkb_writer, g, n);
}

/* Whatever plat_gis__wkb_read makes of the bytes must be what GEOS's reader makes of them.
 * @return 1 when it read them itself */
static int same_as_geos(const unsigned char *wkb, size_t n)
{
    GEOSGeometry *ours = plat_gis__wkb_read(h, wkb, n);
    if (!ours)
        return 0;
    GEOSGeometry *ref = GEOSWKBReader_read_r(h, wkb_reader, wkb, n);
    T_CHECK(ref != NULL);
    if (ref) {
        size_t a = 0, b = 0;
        unsigned char *x = geos_wkb(ours, &a), *y = geos_wkb(ref, &b);
        T_CHECK(x && y && a == b && memcmp(x, y, a) == 0);
        T_EQ_INT(GEOSGeomTypeId_r(h, ours), GEOSGeomTypeId_r(h, ref));
        T_EQ_INT(GEOSHasZ_r(h, ours), 0);
        GEOSFree_r(h, x);
        GEOSFree_r(h, y);
        GEOSGeom_destroy_r(h, ref);
    }
    GEOSGeom_destroy_r(h, ours);
    return 1;
}

static const char *plain[] = {
    "POINT (500000.125 3176000.5)",
    "LINESTRING (0 0, 1e-300 -1e300, -0 3)",
    "POLYGON ((518312.73 2987386.633, 518482.44 2987748.525, 518114.49 2987857.757, 518312.73 2987386.633))",
    "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2), (5 5, 6 5, 6 6, 5 5))",
    "MULTIPOINT ((1 2), (3 4))",
    "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3, 4 4))",
    "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), (5.2 5.1, 5.8 5.1, 5.8 5.7, 5.2 5.1)))",
    "GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1), MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0))))",
};

static void plain_wkb_is_read_as_geos_reads_it(void)
{
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
        GEOSGeometry *g = GEOSWKTReader_read_r(h, wkt_reader, plain[i]);
        size_t n = 0;
        unsigned char *wkb = g ? geos_wkb(g, &n) : NULL;
        T_CHECK(wkb != NULL);
        if (wkb)
            T_EQ_INT(same_as_geos(wkb, n), 1);
        /* and through the public reader, which every import and query uses */
        GEOSGeometry *back = NULL;
        T_EQ_INT(plat_geom_from_wkb(ctx, &back, wkb, n), 0);
        T_CHECK(back && GEOSEqualsExact_r(h, back, g, 0) == 1);
        GEOSGeom_destroy_r(h, back);
        GEOSFree_r(h, wkb);
        GEOSGeom_destroy_r(h, g);
    }
    /* a line of more points than the reader copies onto the stack */
    enum { N = 700 };
    unsigned char big[9 + 16 * N] = { 1, 2, 0, 0, 0, N % 256, N / 256, 0, 0 };
    for (int i = 0; i < 2 * N; i++) {
        double v = 500000 + i * 0.25;
        memcpy(big + 9 + 8 * i, &v, 8);
    }
    T_EQ_INT(same_as_geos(big, sizeof big), 1);
}

static void other_wkb_is_left_to_geos(void)
{
    const char *other[] = { "POINT EMPTY", "LINESTRING EMPTY", "POLYGON EMPTY", "GEOMETRYCOLLECTION EMPTY",
                            "MULTIPOINT ((1 2), EMPTY)", "POINT Z (1 2 3)", "LINESTRING Z (0 0 1, 1 1 2)" };
    for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
        GEOSGeometry *g = GEOSWKTReader_read_r(h, wkt_reader, other[i]);
        size_t n = 0;
        unsigned char *wkb = g ? geos_wkb(g, &n) : NULL;
        T_CHECK(wkb != NULL);
        T_EQ_INT(same_as_geos(wkb, n), 0);
        GEOSGeometry *back = NULL; /* GEOS reads them, and plat drops Z */
        T_EQ_INT(plat_geom_from_wkb(ctx, &back, wkb, n), 0);
        T_CHECK(back && GEOSHasZ_r(h, back) == 0);
        GEOSGeom_destroy_r(h, back);
        GEOSFree_r(h, wkb);
        GEOSGeom_destroy_r(h, g);
    }
    /* big-endian, a line of one point, an open ring, a ring of 3 points, a multi-polygon holding a
     * point, bytes left over */
    const unsigned char be[] = { 0, 0, 0, 0, 1, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0 };
    unsigned char one[9 + 16] = { 1, 2, 0, 0, 0, 1 };
    unsigned char open[13 + 64] = { 1, 3, 0, 0, 0, 1, 0, 0, 0, 4 };
    double ring[8] = { 0, 0, 1, 0, 1, 1, 0, 1 };
    memcpy(open + 13, ring, sizeof ring);
    unsigned char three[13 + 48] = { 1, 3, 0, 0, 0, 1, 0, 0, 0, 3 };
    double tri[6] = { 0, 0, 1, 0, 0, 0 };
    memcpy(three + 13, tri, sizeof tri);
    unsigned char mixed[9 + 21] = { 1, 6, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0 };
    unsigned char extra[21 + 1] = { 1, 1, 0, 0, 0 };
    const struct {
        const unsigned char *wkb;
        size_t n;
    } bad[] = { { be, sizeof be }, { one, sizeof one }, { open, sizeof open }, { three, sizeof three },
                { mixed, sizeof mixed }, { extra, sizeof extra } };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        T_EQ_INT(same_as_geos(bad[i].wkb, bad[i].n), 0);
        GEOSGeometry *ref = GEOSWKBReader_read_r(h, wkb_reader, bad[i].wkb, bad[i].n), *back = NULL;
        /* plat refuses exactly what GEOS refuses */
        T_EQ_INT(plat_geom_from_wkb(ctx, &back, bad[i].wkb, bad[i].n), ref ? 0 : PLAT_EINVALID);
        GEOSGeom_destroy_r(h, ref);
        GEOSGeom_destroy_r(h, back);
    }
}

static void truncated_and_corrupted_wkb_is_never_misread(void)
{
    unsigned long long x = 88172645463325252ULL;
    int read = 0, declined = 0, truncations = 0;
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
        GEOSGeometry *g = GEOSWKTReader_read_r(h, wkt_reader, plain[i]);
        size_t n = 0;
        unsigned char *wkb = geos_wkb(g, &n), *copy = malloc(n);
        for (size_t len = 0; len < n; len++, truncations++) /* every truncation is declined */
            declined += !same_as_geos(wkb, len);
        for (int k = 0; k < 3000; k++) { /* one to three bytes changed anywhere */
            memcpy(copy, wkb, n);
            for (int j = 0; j <= k % 3; j++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                copy[(x >> 8) % n] = (unsigned char)(x >> 40);
            }
            read += same_as_geos(copy, n);
        }
        free(copy);
        GEOSFree_r(h, wkb);
        GEOSGeom_destroy_r(h, g);
    }
    printf("   %d truncations declined; %d of %d corrupted copies read (as GEOS reads them)\n", declined, read,
           3000 * (int)(sizeof plain / sizeof *plain));
    T_EQ_INT(declined, truncations);
    T_CHECK(read > 0);
}

int main(void)
{
    ctx = plat_ctx_new();
    h = plat_gis_geos(ctx);
    wkt_reader = GEOSWKTReader_create_r(h);
    wkb_reader = GEOSWKBReader_create_r(h);
    wkb_writer = GEOSWKBWriter_create_r(h);
    GEOSWKBWriter_setFlavor_r(h, wkb_writer, GEOS_WKB_ISO);
    T_RUN(plain_wkb_is_read_as_geos_reads_it);
    T_RUN(other_wkb_is_left_to_geos);
    T_RUN(truncated_and_corrupted_wkb_is_never_misread);
    GEOSWKBWriter_destroy_r(h, wkb_writer);
    GEOSWKBReader_destroy_r(h, wkb_reader);
    GEOSWKTReader_destroy_r(h, wkt_reader);
    plat_ctx_free(ctx);
    return t_done();
}

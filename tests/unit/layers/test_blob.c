/* tests/unit/layers/test_blob.c - the SpatiaLite blob codec of layers/blob.c against SpatiaLite
 * itself: the blob written for a WKB is the one GeomFromWKB writes, byte for byte, and the
 * geometry read from a blob is the one AsBinary + the WKB reader give. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>
#include <spatialite.h>

#include "plat/plat.h"
#include "layers_int.h"
#include "../../t.h"

static plat_ctx *ctx;
static GEOSContextHandle_t h;
static sqlite3 *lite;
static void *splite;

static const char *const shapes[] = {
    "POINT(400000.5 3170000.25)",
    "LINESTRING(400000 3170000, 401000 3170000, 401500 3170800.125)",
    "POLYGON((0 0, 100 0, 100 100, 0 100, 0 0), (10 10, 10 20, 20 20, 20 10, 10 10))",
    "MULTIPOINT((1 2))",
    "MULTIPOINT((1 2), (3 4), (-5 6))",
    "MULTILINESTRING((0 0, 1 1))",
    "MULTILINESTRING((0 0, 1 1), (2 2, 3 3, 4 2))",
    "MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))",
    "MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), (5.2 5.1, 5.8 5.1, 5.8 5.7, 5.2 5.1)))",
    "GEOMETRYCOLLECTION(POLYGON((0 0, 1 0, 1 1, 0 0)))",
    "GEOMETRYCOLLECTION(POLYGON((0 0, 1 0, 1 1, 0 0)), POINT(7 8), LINESTRING(0 0, 9 9), POINT(1 1))",
    "GEOMETRYCOLLECTION(MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5))), POINT(1 1))",
};

/* The WKB of wkt, as plat writes it for the store. */
static unsigned char *wkb_of(const char *wkt, size_t *n)
{
    GEOSGeometry *g = NULL;
    unsigned char *wkb = NULL;
    T_EQ_INT(plat_geom_parse(ctx, &g, wkt), 0);
    T_EQ_INT(plat_geom_to_wkb(ctx, &wkb, n, g), 0);
    GEOSGeom_destroy_r(h, g);
    return wkb;
}

/* SpatiaLite's answer to `sql` with one blob parameter, copied. */
static unsigned char *ask(const char *sql, const unsigned char *in, size_t n, size_t *out_n)
{
    sqlite3_stmt *st = NULL;
    T_EQ_INT(sqlite3_prepare_v2(lite, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, in, (int)n, SQLITE_STATIC);
    unsigned char *out = NULL;
    *out_n = 0;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB) {
        *out_n = (size_t)sqlite3_column_bytes(st, 0);
        out = malloc(*out_n);
        memcpy(out, sqlite3_column_blob(st, 0), *out_n);
    }
    sqlite3_finalize(st);
    return out;
}

static void blobs_are_the_ones_spatialite_writes_and_read_back_the_same(void)
{
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        size_t n = 0, sn = 0, mine_n = 0, an = 0;
        unsigned char *wkb = wkb_of(shapes[i], &n);
        unsigned char *theirs = ask("SELECT GeomFromWKB(?1, 4547)", wkb, n, &sn), *mine = NULL;
        T_CHECK(theirs != NULL);
        T_EQ_INT(plat_blob__from_wkb(ctx, wkb, n, 4547, &mine, &mine_n), 0);
        T_EQ_INT(mine_n, sn);
        if (mine_n != sn || memcmp(mine, theirs, sn) != 0)
            printf("   differs: %s\n", shapes[i]);
        T_CHECK(mine_n == sn && memcmp(mine, theirs, sn) == 0);

        /* read back: the same geometry, of the same type, as through AsBinary */
        unsigned char *back = ask("SELECT AsBinary(?1)", theirs, sn, &an);
        GEOSGeometry *expect = NULL, *got = NULL;
        T_EQ_INT(plat_geom_from_wkb(ctx, &expect, back, an), 0);
        T_EQ_INT(plat_blob__to_geos(ctx, theirs, sn, &got), 0);
        T_CHECK(got && GEOSGeomTypeId_r(h, got) == GEOSGeomTypeId_r(h, expect));
        T_CHECK(got && GEOSEqualsExact_r(h, got, expect, 0) == 1);
        GEOSGeom_destroy_r(h, expect);
        GEOSGeom_destroy_r(h, got);
        free(back);
        free(theirs);
        free(mine);
        plat_free(wkb);
    }
}

static void big_endian_wkb_makes_the_same_blob(void)
{
    /* POINT(1 2) written big-endian by hand */
    const unsigned char be[] = { 0, 0, 0, 0, 1, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0 };
    size_t sn = 0, mn = 0;
    unsigned char *theirs = ask("SELECT GeomFromWKB(?1, 4547)", be, sizeof be, &sn), *mine = NULL;
    T_EQ_INT(plat_blob__from_wkb(ctx, be, sizeof be, 4547, &mine, &mn), 0);
    T_CHECK(theirs && mn == sn && memcmp(mine, theirs, sn) == 0);
    free(theirs);
    free(mine);
}

static void z_and_m_are_dropped_on_reading(void)
{
    static const char *const sql[] = {
        "SELECT GeomFromText('LINESTRINGZ(0 0 5, 10 0 6, 10 10 7)', 4547)",
        "SELECT GeomFromText('LINESTRINGM(0 0 5, 10 0 6, 10 10 7)', 4547)",
        "SELECT GeomFromText('MULTIPOLYGONZM(((0 0 1 2, 4 0 1 2, 4 4 1 2, 0 0 1 2)))', 4547)",
    };
    static const char *const flat[] = { "LINESTRING(0 0, 10 0, 10 10)", "LINESTRING(0 0, 10 0, 10 10)",
                                        "MULTIPOLYGON(((0 0, 4 0, 4 4, 0 0)))" };
    for (int i = 0; i < 3; i++) {
        size_t n = 0;
        unsigned char *blob = ask(sql[i], NULL, 0, &n);
        GEOSGeometry *got = NULL, *expect = NULL;
        T_CHECK(blob != NULL);
        T_EQ_INT(plat_blob__to_geos(ctx, blob, n, &got), 0);
        T_EQ_INT(plat_geom_parse(ctx, &expect, flat[i]), 0);
        T_CHECK(got && GEOSEqualsExact_r(h, got, expect, 0) == 1);
        T_EQ_INT(got ? GEOSHasZ_r(h, got) : -1, 0);
        GEOSGeom_destroy_r(h, got);
        GEOSGeom_destroy_r(h, expect);
        free(blob);
    }
}

static void damaged_input_is_refused_not_read_past_its_end(void)
{
    size_t n = 0, bn = 0;
    unsigned char *wkb = wkb_of(shapes[8], &n);
    unsigned char *blob = NULL;
    T_EQ_INT(plat_blob__from_wkb(ctx, wkb, n, 4547, &blob, &bn), 0);
    int refused = 0;
    for (size_t k = 0; k < n; k++) { /* every truncation of the WKB (a fresh copy: ASan sees overreads) */
        unsigned char *cut = malloc(k ? k : 1), *out = NULL;
        memcpy(cut, wkb, k);
        size_t on = 0;
        refused += plat_blob__from_wkb(ctx, cut, k, 4547, &out, &on) == PLAT_EINVALID;
        free(out);
        free(cut);
    }
    T_EQ_INT(refused, n);
    refused = 0;
    for (size_t k = 0; k < bn; k++) {
        unsigned char *cut = malloc(k ? k : 1);
        memcpy(cut, blob, k);
        if (k > 0)
            cut[k - 1] = 0xFE; /* keep the end marker: only the lengths inside tell */
        GEOSGeometry *g = NULL;
        refused += plat_blob__to_geos(ctx, cut, k, &g) == PLAT_EINVALID;
        GEOSGeom_destroy_r(h, g);
        free(cut);
    }
    T_EQ_INT(refused, bn);
    /* WKB with Z is not what plat stores */
    size_t zn = 0;
    unsigned char *zblob = ask("SELECT GeomFromText('POINTZ(1 2 3)', 4547)", NULL, 0, &zn);
    unsigned char *zwkb = ask("SELECT AsBinary(?1)", zblob, zn, &zn), *out = NULL;
    size_t on = 0;
    T_EQ_INT(plat_blob__from_wkb(ctx, zwkb, zn, 4547, &out, &on), PLAT_EINVALID);
    T_CHECK(strstr(plat_error_last(ctx)->msg, "not 2D WKB") != NULL);
    /* a MULTIPOINT whose part is a line: damaged, not a blob of a line */
    const unsigned char odd[] = { 1, 4, 0, 0, 0, 1, 0, 0, 0, 1, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                  0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    T_EQ_INT(plat_blob__from_wkb(ctx, odd, sizeof odd, 4547, &out, &on), PLAT_EINVALID);
    /* POINT EMPTY cannot be stored */
    unsigned char *ewkb = wkb_of("POINT EMPTY", &zn);
    T_EQ_INT(plat_blob__from_wkb(ctx, ewkb, zn, 4547, &out, &on), PLAT_EINVALID);
    plat_free(ewkb);
    free(zblob);
    free(zwkb);
    free(blob);
    plat_free(wkb);
}

static int collect(int64_t id, GEOSGeometry *g, void *ud)
{
    GEOSGeometry **v = ud;
    v[id - 1] = g;
    return 0;
}

static void a_layer_another_tool_compressed_is_still_read(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/plat-test-blob-%d.sqlite", (int)getpid());
    remove(path);
    plat_store *db = NULL;
    T_EQ_INT(plat_store_open(ctx, &db, path, PLAT_OPEN_CREATE), 0);
    T_EQ_INT(plat_store_set_srid(db, 4547), 0);
    T_EQ_INT(plat_layer_create(db, "roads", "roads", NULL), 0);
    const char *wkt[] = { "LINESTRING(400000 3170000, 400100 3170050, 400200 3170000)",
                          "MULTILINESTRING((400000 3171000, 400500 3171000), (400600 3171000, 400700 3171100))" };
    for (int i = 0; i < 2; i++) {
        size_t n = 0;
        unsigned char *wkb = wkb_of(wkt[i], &n);
        T_EQ_INT(plat_layer_add_feature(db, "roads", wkb, n, NULL, i), 0);
        plat_free(wkb);
    }
    T_EQ_INT(plat_layer_finish(db, "roads"), 0);
    plat_store_close(db);

    sqlite3 *other = NULL;
    void *cache = spatialite_alloc_connection();
    T_EQ_INT(sqlite3_open(path, &other), SQLITE_OK);
    spatialite_init_ex(other, cache, 0);
    T_EQ_INT(sqlite3_exec(other, "UPDATE layer_1 SET geom = CompressGeometry(geom)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    /* the blob's class, little-endian at byte 40: 1000002, a compressed LINESTRING */
    sqlite3_prepare_v2(other, "SELECT hex(substr(geom, 40, 4)) FROM layer_1 WHERE id = 1", -1, &st, NULL);
    T_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    T_EQ_STR((const char *)sqlite3_column_text(st, 0), "42420F00");
    sqlite3_finalize(st);
    sqlite3_close(other);
    spatialite_cleanup_ex(cache);

    T_EQ_INT(plat_store_open(ctx, &db, path, 0), 0);
    GEOSGeometry *got[2] = { NULL, NULL };
    T_EQ_INT(plat_layer_foreach_geometry(db, "roads", NULL, 0, collect, got), 0);
    for (int i = 0; i < 2; i++) {
        GEOSGeometry *expect = NULL;
        T_EQ_INT(plat_geom_parse(ctx, &expect, wkt[i]), 0);
        /* compression keeps the ends exact and the vertices between to a float's precision */
        T_CHECK(got[i] && GEOSEqualsExact_r(h, got[i], expect, 0.01) == 1);
        GEOSGeom_destroy_r(h, got[i]);
        GEOSGeom_destroy_r(h, expect);
    }
    /* only the features near a box, once each, in row order */
    const double boxes[] = { 400550, 3170900, 400650, 3171200, 400560, 3170950, 400660, 3171150 };
    got[0] = got[1] = NULL;
    T_EQ_INT(plat_layer_foreach_geometry(db, "roads", boxes, 2, collect, got), 0);
    T_CHECK(got[0] == NULL && got[1] != NULL);
    GEOSGeom_destroy_r(h, got[1]);
    T_EQ_INT(plat_layer_foreach_geometry(db, "no such layer", NULL, 0, collect, got), PLAT_ENOTFOUND);
    plat_store_close(db);
    remove(path);
}

static int grab_kind(const plat_layer_info *li, void *ud)
{
    snprintf(ud, 64, "%s %lld", li->geometry_kind ? li->geometry_kind : "-", (long long)li->feature_count);
    return 0;
}

/* A layer table is registered with SpatiaLite only once filled: then it must be what
 * AddGeometryColumn would have made, triggers included, and its kind read from the blobs. */
static void a_finished_layer_is_registered_as_spatialite_expects(void)
{
    char path[64], kind[64] = "";
    snprintf(path, sizeof path, "/tmp/plat-test-blob-%d.sqlite", (int)getpid());
    remove(path);
    plat_store *db = NULL;
    T_EQ_INT(plat_store_open(ctx, &db, path, PLAT_OPEN_CREATE), 0);
    T_EQ_INT(plat_store_set_srid(db, 4547), 0);
    static const char *const layers[][3] = {
        { "points", "MULTIPOINT((400000 3170000), (400010 3170000))", "POINT(400500 3170500)" },
        { "parcels", "POLYGON((0 0, 10 0, 10 10, 0 0))", "MULTIPOLYGON(((0 0, 10 0, 10 10, 0 0)))" },
        { "mixed", "POLYGON((0 0, 10 0, 10 10, 0 0))", "GEOMETRYCOLLECTION(POINT(1 1))" },
    };
    static const char *const expect[] = { "point 2", "polygon 2", "mixed 2" };
    for (int l = 0; l < 3; l++) {
        T_EQ_INT(plat_layer_create(db, layers[l][0], "other", NULL), 0);
        for (int i = 1; i <= 2; i++) {
            size_t n = 0;
            unsigned char *wkb = wkb_of(layers[l][i], &n);
            T_EQ_INT(plat_layer_add_feature(db, layers[l][0], wkb, n, NULL, i), 0);
            plat_free(wkb);
        }
        T_EQ_INT(plat_layer_finish(db, layers[l][0]), 0);
        T_EQ_INT(plat_layer_get(db, layers[l][0], grab_kind, kind), 0);
        T_EQ_STR(kind, expect[l]);
    }
    plat_store_close(db);

    sqlite3 *other = NULL;
    void *cache = spatialite_alloc_connection();
    T_EQ_INT(sqlite3_open(path, &other), SQLITE_OK);
    spatialite_init_ex(other, cache, 0);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(other, "SELECT geometry_type, coord_dimension, srid, spatial_index_enabled, "
                              "(SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'layer_1'), "
                              "(SELECT count(*) FROM idx_layer_1_geom) "
                              "FROM geometry_columns WHERE f_table_name = 'layer_1'", -1, &st, NULL);
    T_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    T_EQ_INT(sqlite3_column_int(st, 0), 0); /* GEOMETRY */
    T_EQ_INT(sqlite3_column_int(st, 1), 2); /* XY */
    T_EQ_INT(sqlite3_column_int(st, 2), 4547);
    T_EQ_INT(sqlite3_column_int(st, 3), 1);
    T_EQ_INT(sqlite3_column_int(st, 4), 8); /* type/SRID checks, timestamps, R*Tree upkeep */
    T_EQ_INT(sqlite3_column_int(st, 5), 2);
    sqlite3_finalize(st);
    /* stamped once at the end of the fill, as the insert trigger would have on every row */
    sqlite3_prepare_v2(other, "SELECT last_insert FROM geometry_columns_time WHERE f_table_name = 'layer_1'", -1, &st,
                       NULL);
    T_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    T_CHECK(strncmp((const char *)sqlite3_column_text(st, 0), "20", 2) == 0);
    sqlite3_finalize(st);
    /* SpatiaLite's own checks now hold for other tools' edits */
    T_CHECK(sqlite3_exec(other, "INSERT INTO layer_1(geom) VALUES (GeomFromText('POINT(1 2)', 4326))", NULL, NULL,
                         NULL) != SQLITE_OK);
    sqlite3_close(other);
    spatialite_cleanup_ex(cache);
    remove(path);
}

int main(void)
{
    ctx = plat_ctx_new();
    h = plat_gis_geos(ctx);
    splite = spatialite_alloc_connection();
    sqlite3_open(":memory:", &lite);
    spatialite_init_ex(lite, splite, 0);
    T_RUN(blobs_are_the_ones_spatialite_writes_and_read_back_the_same);
    T_RUN(big_endian_wkb_makes_the_same_blob);
    T_RUN(z_and_m_are_dropped_on_reading);
    T_RUN(damaged_input_is_refused_not_read_past_its_end);
    T_RUN(a_layer_another_tool_compressed_is_still_read);
    T_RUN(a_finished_layer_is_registered_as_spatialite_expects);
    sqlite3_close(lite);
    spatialite_cleanup_ex(splite);
    plat_ctx_free(ctx);
    return t_done();
}

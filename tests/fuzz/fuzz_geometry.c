/* tests/fuzz/fuzz_geometry.c - geometries typed on the command line (`--geom`, `--of`): WKT or
 * GeoJSON in longitude/latitude, or in the SRS a leading "SRID=<srs>;" names (EWKT's way of
 * saying it, here standing for --s-srs: "SRID=GCJ02;POINT(113.1 28.2)").
 *
 * Two ways in: plat_geom_parse alone, whose geometry must survive the WKB and WKT round trips
 * the store and the exporters make; and plat_geometry_import, the whole of `--geom` (parse,
 * coordinate checks, the working-CRS choice of a fresh ledger, transform, repair), inside a
 * transaction that is rolled back so every input meets the same empty ledger. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp in fuzz.h */
#include "fuzz.h"

static plat_ctx *ctx;
static plat_store *db;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ctx = fuzz_ctx_new();
    FUZZ_CHECK(plat_store_open(ctx, &db, fuzz_path("ledger.sqlite"), PLAT_OPEN_CREATE) == 0);
    return 0;
}

/* What the store and exporters do with a parsed geometry must not fail on it. */
static void round_trips(const char *text, int utf8)
{
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    GEOSGeometry *g = NULL, *back = NULL;
    unsigned char *wkb = NULL;
    char *wkt = NULL;
    size_t size = 0;
    int repaired = 0;
    char why[256];
    int rc = plat_geom_parse(ctx, &g, text);
    fuzz_check_error(ctx, rc, utf8);
    if (rc < 0)
        return;
    plat_geom_kinds(ctx, g);
    fuzz_check_error(ctx, plat_geom_check_coords(ctx, g, 1), 1);
    if (plat_geom_to_wkb(ctx, &wkb, &size, g) == 0) {
        FUZZ_CHECK(plat_geom_from_wkb(ctx, &back, wkb, size) == 0);
        GEOSGeom_destroy_r(h, back);
    }
    if (plat_geom_to_wkt(ctx, &wkt, g, 7) == 0) {
        back = NULL;
        fuzz_check_error(ctx, plat_geom_parse(ctx, &back, wkt), 1);
        GEOSGeom_destroy_r(h, back);
    }
    rc = plat_geom_make_valid(ctx, &g, &repaired, why, sizeof why);
    fuzz_check_error(ctx, rc, 1);
    if (rc == 0)
        FUZZ_CHECK(fuzz_utf8(why) || !repaired);
    plat_free(wkb);
    plat_free(wkt);
    GEOSGeom_destroy_r(h, g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    const char *geom = text;
    char *srs = NULL;
    int utf8 = fuzz_utf8(text);
    fuzz_warn_utf8 = utf8;
    if (strncmp(text, "SRID=", 5) == 0 && strchr(text, ';')) {
        srs = text + 5;
        *strchr(text, ';') = '\0';
        geom = srs + strlen(srs) + 1;
    }
    /* @FILE names a file to read: the text is the input, not a path. */
    if (geom[0] == '@' || (srs && fuzz_names_file(srs))) {
        free(text);
        return 0;
    }

    round_trips(geom, utf8);

    unsigned char *wkb = NULL;
    size_t wkb_size = 0;
    FUZZ_CHECK(plat_store_begin(db) == 0);
    int rc = plat_geometry_import(db, &wkb, &wkb_size, geom, srs, 0);
    fuzz_check_error(ctx, rc, utf8);
    if (rc == 0) {
        GEOSGeometry *g = NULL;
        FUZZ_CHECK(plat_store_srid(db) != 0);
        FUZZ_CHECK(plat_geom_from_wkb(ctx, &g, wkb, wkb_size) == 0);
        GEOSGeom_destroy_r(plat_gis_geos(ctx), g);
    }
    plat_free(wkb);
    plat_store_rollback(db, PLAT_ECANCEL);
    /* The rollback took the working CRS chosen for this input with it. */
    FUZZ_CHECK(plat_store_srid(db) == 0);
    plat_error_clear(ctx);
    free(text);
    return 0;
}

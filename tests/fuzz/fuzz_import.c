/* tests/fuzz/fuzz_import.c - `plat project import` and `plat layer import` on a whole file:
 * GeoJSON, CSV, KML or GPX, whichever the content looks like (a file starting with '{' or '['
 * is GeoJSON, with "<gpx" GPX, with '<' KML, anything else CSV: the name a user's file would
 * carry).
 *
 * Each input is imported three times, each inside a transaction that is then rolled back so
 * every input meets the same ledgers: as projects into an empty ledger (the first pass that
 * chooses the working CRS), as projects into a ledger holding two townships (the county of a
 * project found from where it lies), and as a reference layer into that ledger. A failure must
 * be reported as common.h says; a success must have counted what it wrote. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp in fuzz.h */
#include <ctype.h>

#include "fuzz.h"

static const char townships[] =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"code\":\"430626100\",\"name\":\"伍市镇\",\"county\":\"平江县\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[113.30,28.60],[113.45,28.60],[113.45,28.75],"
    "[113.30,28.75],[113.30,28.60]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"code\":\"430626101\",\"name\":\"安定镇\",\"county\":\"平江县\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[113.45,28.60],[113.60,28.60],[113.60,28.75],"
    "[113.45,28.75],[113.45,28.60]]]}}]}";

static plat_ctx *ctx;
static plat_store *empty, *counties;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ctx = fuzz_ctx_new();
    fuzz_warn_utf8 = 1; /* whatever the file's bytes: names are escaped, values checked */
    FUZZ_CHECK(plat_store_open(ctx, &empty, fuzz_path("empty.sqlite"), PLAT_OPEN_CREATE) == 0);
    FUZZ_CHECK(plat_store_open(ctx, &counties, fuzz_path("counties.sqlite"), PLAT_OPEN_CREATE) == 0);
    const char *tw = fuzz_path("townships.geojson");
    fuzz_write(tw, townships, sizeof townships - 1);
    FUZZ_CHECK(plat_township_import(counties, NULL, tw, NULL) == 0);
    FUZZ_CHECK(plat_township_count(counties) == 2);
    return 0;
}

static const char *name_for(const uint8_t *data, size_t size)
{
    size_t i = 0;
    if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        i = 3;
    while (i < size && isspace(data[i]))
        i++;
    if (i < size && (data[i] == '{' || data[i] == '['))
        return "in.geojson";
    if (i < size && data[i] == '<') {
        for (size_t k = i; k + 4 <= size; k++)
            if (memcmp(data + k, "<gpx", 4) == 0)
                return "in.gpx";
        return "in.kml";
    }
    return "in.csv";
}

/* Every feature read is written as a project, or as a layer feature unless skipped (empty). */
static void check_result(int rc, const plat_import_result *res, int64_t skipped)
{
    fuzz_check_error(ctx, rc, 1);
    if (rc == 0)
        FUZZ_CHECK(res->features > 0 && res->written + skipped == res->features);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_path(name_for(data, size));
    fuzz_write(path, data, size);
    plat_import_options opts = PLAT_IMPORT_OPTIONS_INIT;
    plat_import_result res;
    opts.category = "公路"; /* a sheet without a category column still imports */

    FUZZ_CHECK(plat_store_begin(empty) == 0);
    check_result(plat_project_import(empty, &res, path, &opts), &res, 0);
    plat_store_rollback(empty, PLAT_ECANCEL);
    FUZZ_CHECK(plat_store_srid(empty) == 0);

    FUZZ_CHECK(plat_store_begin(counties) == 0);
    check_result(plat_project_import(counties, &res, path, &opts), &res, 0);
    plat_store_rollback(counties, PLAT_ECANCEL);

    FUZZ_CHECK(plat_store_begin(counties) == 0);
    int rc = plat_layer_import(counties, &res, "道路", "roads", path, NULL);
    check_result(rc, &res, res.skipped);
    plat_store_rollback(counties, PLAT_ECANCEL);

    plat_error_clear(ctx);
    unlink(path);
    return 0;
}

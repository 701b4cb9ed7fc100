/* tests/fuzz/fuzz_csv.c - a CSV sheet as county offices write them: which columns hold the
 * geometry (WKT, lon/lat, 经度/纬度, x/y), which hold the project fields (项目编号, 名称,
 * 长度(km) ...), and the values in them.
 *
 * The input is the file. It is opened as `plat project import` opens a CSV, once as UTF-8 and
 * once with --encoding GBK, and every feature is read the way the importer reads it: the
 * geometry into GEOS, each field as UTF-8 text, and the project fields through the column
 * matching and value parsing of importers/fieldmap.c. Nothing is written: the import harness
 * covers the ledger. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp in fuzz.h */
#include "fuzz.h"
#include "importers_int.h"

#define MAX_FEATURES 2000

static plat_ctx *ctx;
static plat_store *db;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ctx = fuzz_ctx_new();
    fuzz_warn_utf8 = 1; /* whatever the file's bytes: names are escaped, values checked */
    FUZZ_CHECK(plat_store_open(ctx, &db, fuzz_path("ledger.sqlite"), PLAT_OPEN_CREATE) == 0);
    return 0;
}

static void read_sheet(const char *path, const char *encoding)
{
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    plat_import_options opts = PLAT_IMPORT_OPTIONS_INIT;
    plat_ogr_source *src = NULL;
    plat_fieldmap m;
    opts.encoding = encoding;
    opts.s_srs = "EPSG:4490"; /* the CRS guess is the import harness's business */
    FUZZ_CHECK(plat_fieldmap__init(&m, db, &opts) == 0);
    int rc = plat_ogr__open(ctx, &src, path, &opts);
    fuzz_check_error(ctx, rc, 1);
    if (rc == 0)
        rc = plat_fieldmap__bind(&m, src);
    fuzz_check_error(ctx, rc, 1);
    int layer = src ? src->cur : 0;
    OGRFeatureH f = NULL;
    for (int i = 0; rc >= 0 && i < MAX_FEATURES && (rc = plat_ogr__next(ctx, src, &f)) > 0; i++) {
        GEOSGeometry *g = NULL;
        plat_project p = { 0 };
        int zm = 0, has_progress = 0;
        if (src->cur != layer) {
            layer = src->cur;
            fuzz_check_error(ctx, plat_fieldmap__bind(&m, src), 1);
        }
        fuzz_check_error(ctx, plat_ogr__geom(ctx, f, &g, &zm), 1);
        GEOSGeom_destroy_r(h, g);
        for (int k = 0; k < src->nnames; k++) {
            const char *t = NULL;
            int r = plat_ogr__text(ctx, src, f, k, &t);
            fuzz_check_error(ctx, r, 1);
            if (r == 0 && t)
                FUZZ_CHECK(fuzz_utf8(t));
        }
        fuzz_check_error(ctx, plat_fieldmap__read(&m, src, f, &p, &has_progress), 1);
        plat_project_dispose(&p);
        OGR_F_Destroy(f);
        f = NULL;
    }
    fuzz_check_error(ctx, rc, 1);
    plat_ogr__close(src);
    plat_fieldmap__dispose(&m);
    plat_error_clear(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_path("sheet.csv");
    fuzz_write(path, data, size);
    read_sheet(path, NULL);
    read_sheet(path, "GBK");
    return 0;
}

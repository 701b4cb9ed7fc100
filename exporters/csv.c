/* exporters/csv.c - `plat export csv DIR`: one spreadsheet per layer.
 *
 * projects.csv holds every project, whatever its geometry (or none), one row each, so the
 * ledger opens in Excel as the table the office keeps; townships.csv, coverage.csv and
 * layer_NAME.csv follow. GDAL's CSV driver writes the geometry as WKT in the first column (in
 * the working CRS, or --t-srs), a .csvt with the column types (so GDAL and QGIS read numbers
 * back as numbers) and a .prj with the CRS (GDAL reads it back). Files start with a UTF-8 BOM:
 * without it Excel on a Chinese Windows decodes them as GBK and shows mojibake.
 * Ownership: each dataset is closed before the next layer. */
#include <stdlib.h>

#include <cpl_string.h>

#include "exporters_int.h"

static int write_layer(xport *x, xlayer *l)
{
    plat_buf base = PLAT_BUF_INIT;
    GDALDatasetH ds = NULL;
    xwriter w = { 0 };
    char *path = NULL, *shown = NULL;
    char **lco = CSLSetNameValue(NULL, "GEOMETRY", "AS_WKT");
    lco = CSLSetNameValue(lco, "CREATE_CSVT", "YES");
    lco = CSLSetNameValue(lco, "WRITE_BOM", "YES");
    int rc = plat_buf_printf(&base, "%s.csv", l->table);
    if (rc < 0 || !(path = plat_export__stage_path(x, plat_buf_cstr(&base))) ||
        !(shown = plat_export__shown(x, plat_buf_cstr(&base)))) {
        rc = plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = plat_export__create(x, &ds, "CSV", path, shown, NULL)) < 0 ||
        (rc = plat_export__layer_open(x, &w, ds, l, NULL, lco, 0, shown)) < 0 ||
        (rc = plat_export__layer_write(x, &w)) < 0)
        goto done;
    rc = plat_export__close(x, ds, shown);
    ds = NULL;
    if (rc >= 0)
        rc = plat_export__report(x, plat_buf_cstr(&base), l->table, l->written);
done:
    plat_export__layer_close(&w);
    if (ds)
        GDALClose(ds); /* after a failure: its error is the one to report */
    CSLDestroy(lco);
    free(path);
    free(shown);
    plat_buf_dispose(&base);
    return rc;
}

int plat_export__csv_write(xport *x)
{
    int rc = 0;
    for (int i = 0; i < x->nlayers && rc >= 0; i++)
        rc = write_layer(x, &x->layers[i]);
    return rc;
}

int plat_export_csv(plat_store *db, plat_export_result *res, const char *dest, const plat_export_options *opts)
{
    return plat_export__run(db, res, dest, opts, XF_CSV);
}

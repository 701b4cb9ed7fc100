/* exporters/geojson.c - `plat export geojson DIR`: one GeoJSON file per layer.
 *
 * RFC 7946 by default: WGS 84 longitude/latitude, no crs member, polygons wound as the RFC
 * says (GDAL's RFC7946=YES does the winding). The ledger's CGCS2000 coordinates are written
 * as they are: PROJ's EPSG:4490 -> EPSG:4326 is a null shift, far below GeoJSON's precision.
 * With --t-srs the files carry GDAL's legacy crs member instead, which QGIS honours and RFC 7946
 * readers ignore; plat says so in a warning. Coordinates get 8 decimals in degrees (about
 * 1 mm) or 4 in metres, not GDAL's default 7 / 15.
 *
 * The `attrs` text comes out as a JSON object: GDAL 3.6 writes any text that is a JSON object
 * as one, which suits GeoJSON readers; every other format keeps it as text.
 *
 * Each layer is one geometry type (QGIS splits a mixed file into sublayers and asks the user
 * which to add), and each file has a .qml of the same name so QGIS draws it styled at once.
 * Ownership: datasets are closed before the next layer; strings are freed in place. */
#include <stdlib.h>

#include <cpl_string.h>

#include "exporters_int.h"

static int write_layer(xport *x, xlayer *l)
{
    plat_buf base = PLAT_BUF_INIT, qml = PLAT_BUF_INIT;
    GDALDatasetH ds = NULL;
    xwriter w = { 0 };
    char **lco = NULL;
    char *path = NULL, *shown = NULL;
    int rc = plat_buf_printf(&base, "%s.geojson", l->table);
    if (rc < 0 || !(path = plat_export__stage_path(x, plat_buf_cstr(&base))) ||
        !(shown = plat_export__shown(x, plat_buf_cstr(&base)))) {
        rc = plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        goto done;
    }
    lco = CSLSetNameValue(lco, "RFC7946", x->rfc7946 ? "YES" : "NO");
    lco = CSLSetNameValue(lco, "COORDINATE_PRECISION", x->geographic ? "8" : "4");
    lco = CSLSetNameValue(lco, "WRITE_NAME", "YES");
    lco = CSLSetNameValue(lco, "DESCRIPTION", l->title);
    if ((rc = plat_export__create(x, &ds, "GeoJSON", path, shown, NULL)) < 0 ||
        (rc = plat_export__layer_open(x, &w, ds, l, NULL, lco, 0, shown)) < 0 ||
        (rc = plat_export__layer_write(x, &w)) < 0)
        goto done;
    rc = plat_export__close(x, ds, shown);
    ds = NULL;
    if (rc < 0)
        goto done;
    /* also for a table without geometry: it carries the Chinese aliases */
    plat_buf qbase = PLAT_BUF_INIT;
    if ((rc = plat_export__qml(x, l, &qml)) >= 0 && (rc = plat_buf_printf(&qbase, "%s.qml", l->table)) >= 0)
        rc = plat_export__write_text(x, plat_buf_cstr(&qbase), qml.s, qml.len);
    plat_buf_dispose(&qbase);
    if (rc < 0)
        goto done;
    rc = plat_export__report(x, plat_buf_cstr(&base), l->table, l->written);
done:
    plat_export__layer_close(&w);
    if (ds)
        GDALClose(ds); /* after a failure: its error is the one to report */
    CSLDestroy(lco);
    free(path);
    free(shown);
    plat_buf_dispose(&base);
    plat_buf_dispose(&qml);
    return rc;
}

int plat_export__geojson_write(xport *x)
{
    int rc = 0;
    for (int i = 0; i < x->nlayers && rc >= 0; i++)
        rc = write_layer(x, &x->layers[i]);
    return rc;
}

int plat_export_geojson(plat_store *db, plat_export_result *res, const char *dest, const plat_export_options *opts)
{
    return plat_export__run(db, res, dest, opts, XF_GEOJSON);
}

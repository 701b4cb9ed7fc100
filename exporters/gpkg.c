/* exporters/gpkg.c - `plat export gpkg FILE.gpkg`: every layer in one GeoPackage, styled.
 *
 * GDAL's GPKG driver writes the layers (geometry column `geom`, the working CRS or --t-srs
 * registered with its EPSG code, a spatial index, the Chinese title as the identifier of
 * gpkg_contents and the aliases in gpkg_data_columns); projects without geometry become an
 * attribute table. Then one QGIS style per layer goes into `layer_styles`, created exactly as
 * QGIS 3.22 creates it (the table and column types of ../shared/QGIS.md, registered in
 * gpkg_contents), through OGR so no SQL text is involved. QGIS finds a layer's default style by
 * f_table_schema = '' (NULL would hide it), f_table_name and f_geometry_column equal to the
 * real geometry column, useAsDefault; we write exactly that, so opening any layer of the file
 * in QGIS shows it styled.
 *
 * The same writer makes DIR/plat.gpkg for `plat export qgis`.
 * Ownership: the dataset is closed (and its errors checked) before the file is moved. */
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>

#include "exporters_int.h"

/* layer_styles as QGIS 3.22 makes it: name, OGR type, width (0: unbounded). */
static const struct {
    const char *name;
    OGRFieldType type;
    int width;
} style_columns[] = {
    { "f_table_catalog", OFTString, 256 }, { "f_table_schema", OFTString, 256 },
    { "f_table_name", OFTString, 256 },    { "f_geometry_column", OFTString, 256 },
    { "styleName", OFTString, 30 },        { "styleQML", OFTString, 0 },
    { "styleSLD", OFTString, 0 },          { "useAsDefault", OFTInteger, 0 },
    { "description", OFTString, 0 },       { "owner", OFTString, 30 },
    { "ui", OFTString, 30 },               { "update_time", OFTDateTime, 0 },
};

static int styles_table(xport *x, GDALDatasetH ds, const char *file)
{
    char **lco = CSLSetNameValue(NULL, "FID", "id");
    lco = CSLSetNameValue(lco, "DESCRIPTION", "QGIS layer styles (plat)");
    OGRLayerH t = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, lco);
    CSLDestroy(lco);
    if (!t) {
        plat_error_set(x->ctx, PLAT_EIO, "%s: cannot create layer_styles: %s", file, plat_export__gdal_msg());
        return plat_error_locate(x->ctx, file, -1);
    }
    for (size_t i = 0; i < sizeof(style_columns) / sizeof(style_columns[0]); i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(style_columns[i].name, style_columns[i].type);
        if (style_columns[i].width)
            OGR_Fld_SetWidth(fd, style_columns[i].width);
        if (strcmp(style_columns[i].name, "useAsDefault") == 0)
            OGR_Fld_SetSubType(fd, OFSTBoolean);
        if (strcmp(style_columns[i].name, "update_time") == 0)
            OGR_Fld_SetDefault(fd, "CURRENT_TIMESTAMP"); /* GDAL: strftime('%Y-%m-%dT%H:%M:%fZ','now') */
        OGRErr e = OGR_L_CreateField(t, fd, 0);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE) {
            plat_error_set(x->ctx, PLAT_EIO, "%s: cannot create layer_styles: %s", file, plat_export__gdal_msg());
            return plat_error_locate(x->ctx, file, -1);
        }
    }
    for (int i = 0; i < x->nlayers; i++) {
        const xlayer *l = &x->layers[i];
        plat_buf qml = PLAT_BUF_INIT, name = PLAT_BUF_INIT;
        int rc = plat_export__qml(x, l, &qml);
        if (rc >= 0 && plat_buf_printf(&name, "%s_plat", l->table) < 0)
            rc = plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        /* styleName is TEXT(30) in QGIS's schema: cut a long one on a character boundary */
        size_t n = name.len > 30 ? 30 : name.len;
        while (n > 0 && n < name.len && ((unsigned char)name.s[n] & 0xC0) == 0x80)
            n--;
        if (name.s)
            name.s[n] = '\0', name.len = n;
        OGRFeatureH f = rc >= 0 ? OGR_F_Create(OGR_L_GetLayerDefn(t)) : NULL;
        if (f) {
            OGR_F_SetFieldString(f, 0, "");
            OGR_F_SetFieldString(f, 1, ""); /* '' and not NULL, or QGIS never finds it */
            OGR_F_SetFieldString(f, 2, l->table);
            OGR_F_SetFieldString(f, 3, l->kind ? "geom" : "");
            OGR_F_SetFieldString(f, 4, plat_buf_cstr(&name));
            OGR_F_SetFieldString(f, 5, plat_buf_cstr(&qml));
            OGR_F_SetFieldString(f, 6, "");
            OGR_F_SetFieldInteger(f, 7, 1);
            OGR_F_SetFieldString(f, 8, l->title);
            OGR_F_SetFieldString(f, 9, "");
            OGR_F_SetFieldString(f, 10, "");
            if (OGR_L_CreateFeature(t, f) != OGRERR_NONE) {
                plat_error_set(x->ctx, PLAT_EIO, "%s: cannot store the style of %s: %s", file, l->table,
                               plat_export__gdal_msg());
                rc = plat_error_locate(x->ctx, file, -1);
            }
            OGR_F_Destroy(f);
        } else if (rc >= 0) {
            rc = plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        }
        plat_buf_dispose(&qml);
        plat_buf_dispose(&name);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int plat_export__gpkg_write(xport *x, const char *base)
{
    GDALDatasetH ds = NULL;
    char *path = plat_export__stage_path(x, base), *shown = plat_export__shown(x, base);
    int rc = path && shown ? plat_export__create(x, &ds, "GPKG", path, shown, NULL)
                           : plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    for (int i = 0; rc >= 0 && i < x->nlayers; i++) {
        xlayer *l = &x->layers[i];
        xwriter w;
        char **lco = CSLSetNameValue(NULL, "GEOMETRY_NAME", "geom");
        lco = CSLSetNameValue(lco, "FID", "fid");
        lco = CSLSetNameValue(lco, "IDENTIFIER", l->title);
        lco = CSLSetNameValue(lco, "DESCRIPTION", l->title);
        if ((rc = plat_export__layer_open(x, &w, ds, l, NULL, lco, 0, shown)) >= 0)
            rc = plat_export__layer_write(x, &w);
        plat_export__layer_close(&w);
        CSLDestroy(lco);
    }
    if (rc >= 0)
        rc = styles_table(x, ds, shown);
    if (rc >= 0) {
        rc = plat_export__close(x, ds, shown);
        ds = NULL;
    }
    if (ds)
        GDALClose(ds); /* after a failure: its error is the one to report */
    for (int i = 0; rc >= 0 && i < x->nlayers; i++)
        rc = plat_export__report(x, base, x->layers[i].table, x->layers[i].written);
    free(path);
    free(shown);
    return rc;
}

int plat_export__gpkg_file(xport *x)
{
    const char *slash = strrchr(x->dest, '/');
    return plat_export__gpkg_write(x, slash ? slash + 1 : x->dest);
}

int plat_export_gpkg(plat_store *db, plat_export_result *res, const char *dest, const plat_export_options *opts)
{
    return plat_export__run(db, res, dest, opts, XF_GPKG);
}

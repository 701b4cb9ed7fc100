/* importers/ogr_source.c - one way into every file format: an OGR layer, its SRS, its fields.
 *
 * GDAL does the format work (GeoJSON, Shapefile, GeoPackage, KML, CSV, GPX, DXF ...); this file
 * only opens the source, names the SRS for PROJ, finds fields by the names Chinese and English
 * files use, and hands geometries over as WKB so OGR types never leave importers/. GDAL's own
 * error messages are captured (not printed) and folded into ours, which name file and feature. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>

#include "importers_int.h"
#include "plat/util.h"

static void quiet_handler(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)cls, (void)num, (void)msg; /* kept by CPLGetLastErrorMsg; we report it ourselves */
}

static char *srs_text(OGRSpatialReferenceH srs)
{
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    if (auth && code && strcasecmp(auth, "EPSG") == 0) {
        char buf[64];
        snprintf(buf, sizeof buf, "EPSG:%s", code);
        return plat_strdup(buf);
    }
    char *wkt = NULL;
    const char *const opts[] = { "FORMAT=WKT2_2019", NULL };
    if (OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE) {
        CPLFree(wkt);
        return NULL;
    }
    char *copy = plat_strdup(wkt);
    CPLFree(wkt);
    return copy;
}

int plat_ogr__open(plat_ctx *ctx, plat_ogr_source **out, const char *path, const plat_import_options *opts)
{
    *out = NULL;
    GDALAllRegister();
    CPLSetErrorHandler(quiet_handler);
    CPLErrorReset();
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        plat_error_set(ctx, PLAT_ENOTFOUND, "%s: no such file", path);
        return plat_error_locate(ctx, path, -1);
    }
    fclose(probe);

    char **oo = NULL;
    if (opts && opts->encoding)
        oo = CSLSetNameValue(oo, "ENCODING", opts->encoding);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, (const char *const *)oo, NULL);
    CSLDestroy(oo);
    if (!ds) {
        const char *why = CPLGetLastErrorMsg();
        plat_error_set(ctx, PLAT_EINVALID, "%s: not a vector file GDAL can read%s%s", path, *why ? ": " : "", why);
        return plat_error_locate(ctx, path, -1);
    }
    plat_ogr_source *src = calloc(1, sizeof(*src));
    if (!src) {
        GDALClose(ds);
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    }
    src->ds = ds;
    src->path = path;
    int rc = 0;
    if (opts && opts->layer) {
        src->layer = GDALDatasetGetLayerByName(ds, opts->layer);
        if (!src->layer) {
            plat_buf names = PLAT_BUF_INIT;
            for (int i = 0; i < GDALDatasetGetLayerCount(ds); i++)
                plat_buf_printf(&names, "%s%s", i ? ", " : "", OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
            rc = plat_error_set(ctx, PLAT_ENOTFOUND, "%s: has no layer '%s'; its layers: %s", path, opts->layer,
                                plat_buf_cstr(&names));
            plat_buf_dispose(&names);
            goto done;
        }
    } else if (GDALDatasetGetLayerCount(ds) > 0) {
        src->layer = GDALDatasetGetLayer(ds, 0);
    }
    if (!src->layer) {
        rc = plat_error_set(ctx, PLAT_EINVALID, "%s: has no vector layer", path);
        goto done;
    }
    src->defn = OGR_L_GetLayerDefn(src->layer);
    src->count = OGR_L_GetFeatureCount(src->layer, 0);
    if (opts && opts->s_srs) {
        src->srs = plat_strdup(opts->s_srs);
    } else {
        OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(src->layer);
        if (!srs || !(src->srs = srs_text(srs))) {
            rc = plat_error_set(ctx, PLAT_EINVALID,
                                "%s: has no coordinate reference system (no .prj?): say which with --s-srs, "
                                "e.g. --s-srs EPSG:4490 for CGCS2000 longitude/latitude or EPSG:4547 for "
                                "Gauss-Kruger CM 114E", path);
            goto done;
        }
    }
done:
    if (rc < 0) {
        plat_error_locate(ctx, path, -1);
        plat_ogr__close(src);
        return rc;
    }
    *out = src;
    return 0;
}

void plat_ogr__close(plat_ogr_source *src)
{
    if (!src)
        return;
    if (src->ds)
        GDALClose(src->ds);
    free(src->srs);
    free(src);
}

int plat_ogr__field(plat_ctx *ctx, plat_ogr_source *src, const char *given, const char *const *candidates,
                    const char *what, int *index)
{
    int n = OGR_FD_GetFieldCount(src->defn);
    *index = -1;
    if (given) {
        for (int i = 0; i < n; i++)
            if (strcmp(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(src->defn, i)), given) == 0)
                return *index = i, 0;
        plat_buf names = PLAT_BUF_INIT;
        for (int i = 0; i < n; i++)
            plat_buf_printf(&names, "%s%s", i ? ", " : "", OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(src->defn, i)));
        plat_error_set(ctx, PLAT_EINVALID, "%s: has no field '%s' for the %s; its fields: %s", src->path, given, what,
                       plat_buf_cstr(&names));
        plat_buf_dispose(&names);
        return plat_error_locate(ctx, src->path, -1);
    }
    for (int k = 0; candidates && candidates[k]; k++)
        for (int i = 0; i < n; i++)
            if (strcasecmp(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(src->defn, i)), candidates[k]) == 0)
                return *index = i, 0;
    return 0;
}

int plat_ogr__text(plat_ctx *ctx, plat_ogr_source *src, OGRFeatureH f, int i, const char **out)
{
    *out = NULL;
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i))
        return 0;
    const char *s = OGR_F_GetFieldAsString(f, i);
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return 0;
    if (!plat_utf8_valid(s, strlen(s))) {
        plat_error_set(ctx, PLAT_EINVALID,
                       "field '%s' is not valid UTF-8 text; if the file is GBK-encoded say so with --encoding GBK",
                       OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(src->defn, i)));
        return plat_error_locate(ctx, src->path, OGR_F_GetFID(f));
    }
    /* Trailing blanks are padding (DBF) or typing noise, never meaning. */
    size_t n = strlen(s);
    if (s[n - 1] == ' ' || s[n - 1] == '\t') {
        static _Thread_local char trimmed[4096];
        snprintf(trimmed, sizeof trimmed, "%s", s);
        n = strlen(trimmed);
        while (n && (trimmed[n - 1] == ' ' || trimmed[n - 1] == '\t'))
            trimmed[--n] = '\0';
        s = trimmed;
    }
    *out = s;
    return 0;
}

int plat_ogr__geom(plat_ctx *ctx, OGRFeatureH f, GEOSGeometry **out)
{
    *out = NULL;
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g || OGR_G_IsEmpty(g))
        return 0;
    /* Curves (CAD arcs, GML) become line segments before GEOS sees them. */
    OGRGeometryH lin = OGR_G_HasCurveGeometry(g, 1) ? OGR_G_GetLinearGeometry(g, 0, NULL) : NULL;
    OGRGeometryH use = lin ? lin : g;
    int size = OGR_G_WkbSize(use);
    unsigned char *wkb = malloc((size_t)size);
    int rc = 0;
    if (!wkb)
        rc = plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    else if (OGR_G_ExportToIsoWkb(use, wkbNDR, wkb) != OGRERR_NONE)
        rc = plat_error_set(ctx, PLAT_EINVALID, "geometry cannot be written as WKB");
    else
        rc = plat_geom_from_wkb(ctx, out, wkb, (size_t)size);
    free(wkb);
    if (lin)
        OGR_G_DestroyGeometry(lin);
    return rc;
}

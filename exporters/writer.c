/* exporters/writer.c - one OGR layer written from the export's rows.
 *
 * Every format goes through here: GDAL's drivers do the format work (GeoJSON, ESRI Shapefile,
 * GPKG, KML, CSV); this file creates the layer with the plan's fields and geometry type, turns
 * each row's values into an OGR feature, moves its GEOS geometry (working CRS) through WKB into
 * OGR and the export's coordinate transformation, and checks every GDAL call, folding GDAL's
 * own message into ours, which names the file. GDAL's messages are captured, not printed,
 * while an export runs (plat_export__gdal_begin/end).
 *
 * Two format duties live here because they are per value: Shapefile text is cut to the DBF's
 * 254 bytes on a UTF-8 character boundary (GDAL would cut it too, but only with a warning we
 * could not attribute; ours names the file, field and count), and KML features get an OGR
 * style string (category colour) and a description text built from the aliases.
 *
 * Ownership: the writer owns its index array and cut counters; the OGR layer belongs to the
 * dataset; each feature and geometry is destroyed before the next row. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <cpl_string.h>

#include "exporters_int.h"

#define DBF_TEXT_MAX 254 /* bytes in a DBF character field */

static void quiet_handler(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)cls, (void)num, (void)msg; /* kept by CPLGetLastErrorMsg; reported by us */
}

void plat_export__gdal_begin(void)
{
    GDALAllRegister();
    CPLPushErrorHandler(quiet_handler);
    CPLErrorReset();
}

void plat_export__gdal_end(void)
{
    CPLPopErrorHandler();
}

const char *plat_export__gdal_msg(void)
{
    const char *m = CPLGetLastErrorMsg();
    return m ? m : "";
}

static int gdal_fail(xport *x, const char *file, const char *what)
{
    const char *why = plat_export__gdal_msg();
    plat_error_set(x->ctx, PLAT_EIO, "%s: %s%s%s", file, what, *why ? ": " : "", why);
    return plat_error_locate(x->ctx, file, -1);
}

int plat_export__create(xport *x, GDALDatasetH *out, const char *driver, const char *path, const char *shown,
                        char **dsco)
{
    GDALDriverH drv = GDALGetDriverByName(driver);
    *out = NULL;
    CPLErrorReset();
    if (!drv)
        return plat_error_set(x->ctx, PLAT_EINTERNAL, "GDAL has no %s driver", driver);
    if (!(*out = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, dsco)))
        return gdal_fail(x, shown, "cannot create the file");
    return 0;
}

int plat_export__close(xport *x, GDALDatasetH ds, const char *file)
{
    if (!ds)
        return 0;
    CPLErrorReset();
    GDALClose(ds); /* writes what the driver buffered (GeoJSON, KML, GPKG pages) */
    return CPLGetLastErrorType() >= CE_Failure ? gdal_fail(x, file, "cannot be written completely") : 0;
}

static OGRwkbGeometryType geometry_type(const xlayer *l)
{
    switch (l->kind) {
    case 0:
        return wkbNone;
    case PLAT_GEOM_POINT:
        return l->multi ? wkbMultiPoint : wkbPoint;
    case PLAT_GEOM_LINE:
        return l->multi ? wkbMultiLineString : wkbLineString;
    case PLAT_GEOM_POLYGON:
        return l->multi ? wkbMultiPolygon : wkbPolygon;
    default:
        return wkbUnknown;
    }
}

int plat_export__layer_open(xport *x, xwriter *w, GDALDatasetH ds, xlayer *l, const char *name, char **lco,
                            int extra_desc, const char *file)
{
    memset(w, 0, sizeof(*w));
    w->ds = ds;
    w->l = l;
    w->file = file;
    w->desc_index = -1;
    w->cut_text = x->format == XF_SHP;
    OGRwkbGeometryType gt = geometry_type(l);
    CPLErrorReset();
    w->layer = GDALDatasetCreateLayer(ds, name ? name : l->table, gt == wkbNone ? NULL : x->layer_srs, gt, lco);
    if (!w->layer)
        return gdal_fail(x, file, "cannot create the layer");
    w->ogr_index = malloc(((size_t)l->nfields + 1) * sizeof(int));
    w->cut = calloc((size_t)l->nfields + 1, sizeof(int64_t));
    if (!w->ogr_index || !w->cut)
        return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(w->layer);
    for (int i = 0; i <= l->nfields; i++) {
        int desc = i == l->nfields;
        if (desc && !extra_desc)
            break;
        const xfield *f = desc ? NULL : &l->fields[i];
        OGRFieldType t = desc || f->type == XT_TEXT ? OFTString
                         : f->type == XT_INT   ? OFTInteger
                         : f->type == XT_INT64 ? OFTInteger64
                                               : OFTReal;
        OGRFieldDefnH fd = OGR_Fld_Create(desc ? "description" : f->out, t);
        if (t == OFTString && w->cut_text)
            OGR_Fld_SetWidth(fd, DBF_TEXT_MAX);
        if (!desc && strcmp(f->alias, f->out) != 0)
            OGR_Fld_SetAlternativeName(fd, f->alias); /* GeoPackage keeps it in gpkg_data_columns */
        CPLErrorReset();
        OGRErr e = OGR_L_CreateField(w->layer, fd, 1);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return gdal_fail(x, file, "cannot create a field");
        int idx = OGR_FD_GetFieldCount(defn) - 1;
        if (desc) {
            w->desc_index = idx;
            break;
        }
        w->ogr_index[i] = idx;
        /* Keep the name the driver really made, so styles refer to it. */
        const char *made = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, idx));
        if (strcmp(made, f->out) != 0) {
            char *copy = plat_strdup(made);
            if (!copy)
                return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
            free(l->fields[i].out);
            l->fields[i].out = copy;
        }
    }
    return 0;
}

void plat_export__layer_close(xwriter *w)
{
    if (!w)
        return;
    free(w->ogr_index);
    free(w->cut);
    w->ogr_index = NULL;
    w->cut = NULL;
}

/* Length of the longest prefix of s of at most max bytes that ends on a character boundary. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static void format_value(char *buf, size_t n, const xfield *f, const xvalue *v)
{
    if (f->type == XT_INT || f->type == XT_INT64)
        snprintf(buf, n, "%lld", (long long)v->i);
    else if (f->type == XT_REAL)
        plat_format_double(buf, n, v->d, 6);
    else
        snprintf(buf, n, "%s", v->s);
}

/* "alias：value" lines for Google Earth and 奥维 (KML <description>): every set field but the
 * name (already the placemark's title) and the raw attrs JSON (its keys are lines of their own). */
static int description(xport *x, const xlayer *l, const xvalue *v, plat_buf *out)
{
    char num[64];
    for (int i = 0; i < l->nfields; i++) {
        const xfield *f = &l->fields[i];
        /* the codes of category and status repeat their Chinese labels */
        if (!v[i].set || strcmp(f->name, "name") == 0 || (strcmp(f->name, "attrs") == 0 && l->role != XR_REFERENCE) ||
            (l->role == XR_PROJECTS && (strcmp(f->name, "category") == 0 || strcmp(f->name, "status") == 0)))
            continue;
        if (f->type == XT_TEXT && strcmp(f->name, "attrs") != 0) {
            if (plat_buf_printf(out, "%s%s：%s", out->len ? "\n" : "", f->alias, v[i].s) < 0)
                return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        } else if (f->type != XT_TEXT) {
            format_value(num, sizeof num, f, &v[i]);
            if (plat_buf_printf(out, "%s%s：%s", out->len ? "\n" : "", f->alias, num) < 0)
                return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        }
    }
    return 0;
}

static int write_row(xport *x, xlayer *l, const xvalue *v, const GEOSGeometry *g, void *ud)
{
    xwriter *w = ud;
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(w->layer));
    unsigned char *wkb = NULL;
    size_t size = 0;
    plat_buf desc = PLAT_BUF_INIT;
    char *cut = NULL;
    int rc = 0;
    if (!f)
        return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    for (int i = 0; i < l->nfields; i++) {
        int k = w->ogr_index[i];
        const xfield *fd = &l->fields[i];
        if (k < 0)
            continue;
        if (!v[i].set || (fd->type == XT_REAL && !isfinite(v[i].d))) {
            OGR_F_SetFieldNull(f, k);
        } else if (fd->type == XT_INT || fd->type == XT_INT64) {
            OGR_F_SetFieldInteger64(f, k, v[i].i);
        } else if (fd->type == XT_REAL) {
            OGR_F_SetFieldDouble(f, k, v[i].d);
        } else if (w->cut_text && strlen(v[i].s) > DBF_TEXT_MAX) {
            size_t n = utf8_cut(v[i].s, DBF_TEXT_MAX);
            free(cut);
            if (!(cut = malloc(n + 1))) {
                rc = plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
                goto done;
            }
            memcpy(cut, v[i].s, n);
            cut[n] = '\0';
            OGR_F_SetFieldString(f, k, cut);
            w->cut[i]++;
        } else {
            OGR_F_SetFieldString(f, k, v[i].s);
        }
    }
    if (w->desc_index >= 0) {
        if ((rc = description(x, l, v, &desc)) < 0)
            goto done;
        if (desc.len)
            OGR_F_SetFieldString(f, w->desc_index, plat_buf_cstr(&desc));
    }
    if (w->style_strings) {
        char style[160];
        plat_export__ogr_style(x, l, v, style, sizeof style);
        if (*style)
            OGR_F_SetStyleString(f, style);
    }
    if (g) {
        OGRGeometryH og = NULL;
        if ((rc = plat_geom_to_wkb(x->ctx, &wkb, &size, g)) < 0)
            goto done;
        if (OGR_G_CreateFromWkbEx(wkb, NULL, &og, size) != OGRERR_NONE) {
            rc = plat_error_set(x->ctx, PLAT_EINTERNAL, "%s: OGR cannot read a geometry plat wrote", w->file);
            goto done;
        }
        if (x->ct && OGR_G_Transform(og, x->ct) != OGRERR_NONE) {
            const char *code = v[0].set && l->fields[0].type == XT_TEXT ? v[0].s : "";
            OGR_G_DestroyGeometry(og);
            plat_error_set(x->ctx, PLAT_EINVALID, "%s: the geometry of %s%s cannot be transformed to the target CRS%s%s",
                           w->file, *code ? "" : "a feature", code, *plat_export__gdal_msg() ? ": " : "",
                           plat_export__gdal_msg());
            rc = plat_error_locate(x->ctx, w->file, -1);
            goto done;
        }
        OGREnvelope e;
        OGR_G_GetEnvelope(og, &e);
        double *ext[2] = { l->extent, x->extent };
        int *has[2] = { &l->has_extent, &x->has_extent };
        for (int k = 0; k < 2; k++) {
            if (!*has[k]) {
                ext[k][0] = e.MinX, ext[k][1] = e.MinY, ext[k][2] = e.MaxX, ext[k][3] = e.MaxY;
                *has[k] = 1;
            } else {
                ext[k][0] = fmin(ext[k][0], e.MinX), ext[k][1] = fmin(ext[k][1], e.MinY);
                ext[k][2] = fmax(ext[k][2], e.MaxX), ext[k][3] = fmax(ext[k][3], e.MaxY);
            }
        }
        OGR_F_SetGeometryDirectly(f, og);
    }
    CPLErrorReset();
    if (OGR_L_CreateFeature(w->layer, f) != OGRERR_NONE) {
        const char *code = v[0].set && l->fields[0].type == XT_TEXT ? v[0].s : "";
        const char *why = plat_export__gdal_msg();
        plat_error_set(x->ctx, PLAT_EIO, "%s: cannot write %s%s%s%s", w->file, *code ? "feature " : "a feature",
                       code, *why ? ": " : "", why);
        rc = plat_error_locate(x->ctx, w->file, -1);
        goto done;
    }
    l->written++;
done:
    free(cut);
    plat_buf_dispose(&desc);
    plat_free(wkb);
    OGR_F_Destroy(f);
    return rc;
}

int plat_export__layer_write(xport *x, xwriter *w)
{
    xlayer *l = w->l;
    const plat_export_options *o = x->o;
    if (o->progress && o->progress((double)(l - x->layers) / x->nlayers, l->table, o->progress_ud))
        return plat_error_set(x->ctx, PLAT_ECANCEL, "export cancelled");
    int rc = plat_export__rows(x, l, write_row, w);
    for (int i = 0; rc >= 0 && i < l->nfields; i++)
        if (w->cut[i])
            plat_export__warn(x,
                              "%s: %lld value%s of field %s (%s) longer than a Shapefile's 254 bytes %s cut on a "
                              "character boundary; the GeoPackage, GeoJSON and CSV exports keep the full text",
                              w->file, (long long)w->cut[i], w->cut[i] == 1 ? "" : "s", l->fields[i].out,
                              l->fields[i].alias, w->cut[i] == 1 ? "was" : "were");
    if (rc >= 0 && o->progress && o->progress((double)(l - x->layers + 1) / x->nlayers, l->table, o->progress_ud))
        rc = plat_error_set(x->ctx, PLAT_ECANCEL, "export cancelled");
    return rc;
}

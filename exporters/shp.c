/* exporters/shp.c - `plat export shp DIR`: one Shapefile per layer and geometry type.
 *
 * A Shapefile holds one geometry type, so projects come as projects_points, projects_lines
 * and projects_polygons (and projects_nogeom.dbf for projects without geometry), each with a
 * .prj (GDAL's ESRI WKT, which QGIS identifies as the EPSG code), a .cpg saying UTF-8
 * (ENCODING=UTF-8; DOMAIN.md 4.6: never the driver's default) and a .qml style. Kept source
 * attributes stay in the `attrs` JSON field: a DBF cannot hold their names or lengths
 * faithfully.
 *
 * Field names: the mapping. DBF field names are at most 10 bytes, and GDAL cuts longer ones
 * by bytes, splitting a UTF-8 character (`项目名称代码` -> `项目名\xe7`, QGIS.md). plat therefore
 * names every field itself, in the layer's field order, by one rule:
 *   1. a name of at most 10 bytes is kept as it is (every fixed field of plat is such a name:
 *      code, name, cat_label, status_lbl, tgt_qty ... README "Exported fields");
 *   2. a longer name is cut to at most 10 bytes on a UTF-8 character boundary
 *      (n_pumped_storage -> n_pumped_s);
 *   3. if that name is taken already (compared ignoring ASCII case, as DBF readers do), its
 *      end is replaced by _2, _3 ... (cut further on a character boundary to stay within 10
 *      bytes) until it is free (mu_rural_road_a, mu_rural_road_b -> mu_rural_r, mu_rural_2).
 * So no two fields ever share a name, and the full name stays the field's alias in the .qml.
 *
 * Texts longer than a DBF's 254 bytes (84 Chinese characters in UTF-8) are cut on a character
 * boundary by writer.c with a warning naming the file, field and count.
 * Ownership: datasets are closed before the next layer; names are owned by the layer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_string.h>

#include "exporters_int.h"

#define DBF_NAME_MAX 10

/* Copy at most max bytes of s into out, ending on a UTF-8 character boundary. */
static void cut_name(char *out, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

static int taken(const xlayer *l, int upto, const char *name)
{
    for (int i = 0; i < upto; i++)
        if (strcasecmp(l->fields[i].out, name) == 0)
            return 1;
    return 0;
}

int plat_export__shp_names(xport *x, xlayer *l)
{
    for (int i = 0; i < l->nfields; i++) {
        char name[DBF_NAME_MAX + 1], suffix[16];
        cut_name(name, l->fields[i].name, DBF_NAME_MAX);
        for (int k = 2; taken(l, i, name); k++) {
            snprintf(suffix, sizeof suffix, "_%d", k);
            cut_name(name, l->fields[i].name, DBF_NAME_MAX - strlen(suffix));
            strcat(name, suffix);
        }
        char *copy = plat_strdup(name);
        if (!copy)
            return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        free(l->fields[i].out);
        l->fields[i].out = copy;
    }
    return 0;
}

static int write_layer(xport *x, xlayer *l)
{
    plat_buf base = PLAT_BUF_INIT, qml = PLAT_BUF_INIT, qbase = PLAT_BUF_INIT;
    GDALDatasetH ds = NULL;
    xwriter w = { 0 };
    char **lco = NULL;
    char *path = NULL, *shown = NULL;
    int rc = plat_export__shp_names(x, l);
    if (rc < 0)
        goto done;
    /* Without geometry the driver writes the .dbf alone. */
    if (plat_buf_printf(&base, "%s.%s", l->table, l->kind ? "shp" : "dbf") < 0 ||
        !(path = plat_export__stage_path(x, plat_buf_cstr(&base))) ||
        !(shown = plat_export__shown(x, plat_buf_cstr(&base)))) {
        rc = plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        goto done;
    }
    lco = CSLSetNameValue(lco, "ENCODING", "UTF-8");
    /* Text fields keep the full 254 bytes (no RESIZE): a field cut to its longest value would
     * cut the next longer value a user types in QGIS. */
    if ((rc = plat_export__create(x, &ds, "ESRI Shapefile", path, shown, NULL)) < 0 ||
        (rc = plat_export__layer_open(x, &w, ds, l, NULL, lco, 0, shown)) < 0 ||
        (rc = plat_export__layer_write(x, &w)) < 0)
        goto done;
    rc = plat_export__close(x, ds, shown);
    ds = NULL;
    if (rc < 0)
        goto done;
    if ((rc = plat_export__qml(x, l, &qml)) < 0 || (rc = plat_buf_printf(&qbase, "%s.qml", l->table)) < 0 ||
        (rc = plat_export__write_text(x, plat_buf_cstr(&qbase), qml.s, qml.len)) < 0)
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
    plat_buf_dispose(&qbase);
    plat_buf_dispose(&qml);
    return rc == PLAT_ENOMEM && plat_error_last(x->ctx)->code != PLAT_ENOMEM
               ? plat_error_set(x->ctx, rc, "out of memory")
               : rc;
}

int plat_export__shp_write(xport *x)
{
    int rc = 0;
    for (int i = 0; i < x->nlayers && rc >= 0; i++)
        rc = write_layer(x, &x->layers[i]);
    return rc;
}

int plat_export_shp(plat_store *db, plat_export_result *res, const char *dest, const plat_export_options *opts)
{
    return plat_export__run(db, res, dest, opts, XF_SHP);
}

/* importers/import_geometry.c - a geometry typed on the command line (--geom).
 *
 * Users paste WKT from QGIS, GeoJSON from geojson.io, or coordinates picked from an online map;
 * all of it is longitude/latitude unless they say otherwise. The text is parsed by GEOS,
 * checked (every coordinate finite and, for geographic input, on the globe), moved into the
 * working CRS by PROJ and repaired by GEOS MakeValid if it must be, with a warning that says so. */
#include <stdlib.h>
#include <string.h>

#include "importers_int.h"

/* The ledger's first geometry picks the working CRS, the same way a first file does (zone.c). */
static int choose_zone(plat_store *db, const GEOSGeometry *g, const char *s_srs)
{
    plat_ctx *ctx = plat_store_ctx(db);
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    plat_transform *to_geo = NULL;
    GEOSGeometry *geo = NULL;
    plat_centre c;
    int epsg = 0;
    plat_import__centre_init(&c);
    int rc = plat_transform_new(ctx, &to_geo, s_srs, PLAT_EPSG_CGCS2000);
    if (rc >= 0)
        rc = plat_transform_geom(to_geo, &geo, g);
    if (rc >= 0)
        rc = plat_import__centre_add(ctx, &c, geo);
    if (rc >= 0)
        rc = plat_import__choose_zone(db, &c, "the geometry", &epsg);
    if (rc >= 0)
        plat_warn(ctx, "working CRS: EPSG:%d (CGCS2000 3-degree Gauss-Kruger, CM %.0fE), from the first geometry",
                  epsg, plat_crs_gk_central_meridian(epsg));
    GEOSGeom_destroy_r(h, geo);
    plat_transform_free(to_geo);
    return rc;
}

int plat_geometry_import(plat_store *db, unsigned char **wkb, size_t *size, const char *text, const char *s_srs,
                         int strict)
{
    plat_ctx *ctx = plat_store_ctx(db);
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    plat_transform *tr = NULL;
    GEOSGeometry *g = NULL, *w = NULL;
    char *file_text = NULL;
    int rc = 0, repaired = 0;
    char why[256];
    *wkb = NULL;
    *size = 0;
    if (!s_srs)
        s_srs = "EPSG:4490";
    if (text[0] == '@' && (rc = plat_read_file(ctx, &file_text, NULL, text + 1)) < 0)
        return rc;
    if ((rc = plat_geom_parse(ctx, &g, file_text ? file_text : text)) < 0)
        goto done;
    if ((rc = plat_transform_new(ctx, &tr, s_srs, PLAT_EPSG_CGCS2000)) < 0)
        goto done;
    if ((rc = plat_geom_check_coords(ctx, g, plat_transform_src_is_geographic(tr))) < 0)
        goto done;
    plat_transform_free(tr);
    tr = NULL;
    if (!plat_store_srid(db) && (rc = choose_zone(db, g, s_srs)) < 0)
        goto done;
    if ((rc = plat_transform_new(ctx, &tr, s_srs, plat_store_srid(db))) < 0 ||
        (rc = plat_transform_geom(tr, &w, g)) < 0)
        goto done;
    if ((rc = plat_geom_make_valid(ctx, &w, &repaired, why, sizeof why)) < 0)
        goto done;
    if (repaired && strict) {
        rc = plat_error_set(ctx, PLAT_EINVALID, "the geometry is invalid (%s) and --strict refuses repairs", why);
        goto done;
    }
    if (repaired)
        plat_warn(ctx, "the geometry was invalid (%s) and has been repaired; check it, or use --strict to refuse", why);
    rc = plat_geom_to_wkb(ctx, wkb, size, w);
done:
    GEOSGeom_destroy_r(h, g);
    GEOSGeom_destroy_r(h, w);
    plat_transform_free(tr);
    free(file_text);
    return rc;
}

/* importers/zone.c - choosing the ledger's working CRS from the data it first receives.
 *
 * DESIGN.md: the working CRS is a CGCS2000 3-degree Gauss-Kruger zone without prefix, chosen
 * on purpose (`plat init --crs`) or else from the area-weighted centre of the first data, so
 * that which county's file came first does not decide it (南县 and 沅江市 straddle 112.5E).
 * Every importer (townships, projects, layers, a --geom typed by hand) feeds the geometries it
 * is about to write, in CGCS2000 longitude/latitude, to one plat_centre and asks it for the
 * zone: polygons weigh by area, lines by length, points by count, and only the highest
 * dimension present counts, because square degrees, degrees and counts do not add up.
 * A polygon whose rings cancel out (an invalid bow-tie) weighs by its envelope instead.
 *
 * The accumulator is a plain struct on the caller's stack; nothing is allocated. */
#include <math.h>

#include "importers_int.h"

void plat_import__centre_init(plat_centre *c)
{
    for (int k = 0; k < 3; k++)
        c->w[k] = c->wx[k] = 0;
    c->min_lon = INFINITY;
    c->max_lon = -INFINITY;
    c->n = 0;
}

static void add_weighted(plat_centre *c, int k, double w, double x)
{
    if (w > 0 && isfinite(x)) {
        c->w[k] += w;
        c->wx[k] += w * x;
    }
}

/* One atom (not a collection): its weight and centroid longitude. */
static int add_atom(plat_ctx *ctx, GEOSContextHandle_t h, plat_centre *c, const GEOSGeometry *g)
{
    if (GEOSisEmpty_r(h, g) != 0)
        return 0;
    int kinds = plat_geom_kinds(ctx, g);
    int k = (kinds & PLAT_GEOM_POLYGON) ? 2 : (kinds & PLAT_GEOM_LINE) ? 1 : 0;
    double w = 1, x = NAN;
    GEOSGeometry *cen = NULL;
    if (k == 2) {
        GEOSArea_r(h, g, &w);
        if (!(w > 0)) {
            GEOSGeometry *env = GEOSEnvelope_r(h, g);
            if (env)
                GEOSArea_r(h, env, &w);
            cen = env ? GEOSGetCentroid_r(h, env) : NULL;
            GEOSGeom_destroy_r(h, env);
        }
    } else if (k == 1) {
        GEOSLength_r(h, g, &w);
    }
    if (!cen)
        cen = GEOSGetCentroid_r(h, g);
    if (!cen)
        return plat_error_set(ctx, PLAT_EINTERNAL, "cannot find the centre of a geometry");
    if (GEOSisEmpty_r(h, cen) == 0)
        GEOSGeomGetX_r(h, cen, &x);
    GEOSGeom_destroy_r(h, cen);
    if (k == 1 && !(w > 0))
        w = 0; /* a line of one repeated point has no length to weigh */
    add_weighted(c, k, w, x);
    return 0;
}

int plat_import__centre_add(plat_ctx *ctx, plat_centre *c, const GEOSGeometry *lonlat)
{
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    if (!h)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    double x0, x1;
    if (GEOSisEmpty_r(h, lonlat) != 0)
        return 0;
    if (GEOSGeom_getXMin_r(h, lonlat, &x0) && GEOSGeom_getXMax_r(h, lonlat, &x1)) {
        c->min_lon = fmin(c->min_lon, x0);
        c->max_lon = fmax(c->max_lon, x1);
    }
    c->n++;
    int type = GEOSGeomTypeId_r(h, lonlat);
    if (type == GEOS_MULTIPOINT || type == GEOS_MULTILINESTRING || type == GEOS_MULTIPOLYGON ||
        type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(h, lonlat);
        for (int i = 0; i < n; i++) {
            int rc = plat_import__centre_add(ctx, c, GEOSGetGeometryN_r(h, lonlat, i));
            if (rc < 0)
                return rc;
            c->n--; /* parts are not features */
        }
        return 0;
    }
    return add_atom(ctx, h, c, lonlat);
}

int plat_import__choose_zone(plat_store *db, const plat_centre *c, const char *what, int *epsg)
{
    plat_ctx *ctx = plat_store_ctx(db);
    *epsg = 0;
    int k = c->w[2] > 0 ? 2 : c->w[1] > 0 ? 1 : 0;
    if (!(c->w[k] > 0))
        return plat_error_set(ctx, PLAT_EINVALID,
                              "%s have no geometry to choose the working CRS from: set one with "
                              "`plat init --crs EPSG:N`",
                              what);
    double lon = c->wx[k] / c->w[k];
    int zone = plat_crs_gk_zone_for_lon(lon);
    if (!zone)
        return plat_error_set(ctx, PLAT_EINVALID,
                              "the centre of %s (%.3fE) is outside China's Gauss-Kruger zones: check the CRS "
                              "(longitude/latitude swapped, or a projected CRS that needs --s-srs?), or choose "
                              "one with `plat init --crs EPSG:N`",
                              what, lon);
    int rc = plat_store_set_srid(db, zone);
    if (rc < 0)
        return rc;
    *epsg = zone;
    double cm = plat_crs_gk_central_meridian(zone);
    if (c->min_lon < cm - 1.5 || c->max_lon > cm + 1.5)
        plat_warn(ctx,
                  "%s reach %.2fE-%.2fE, beyond the working zone's band (%.1fE-%.1fE); planar figures there "
                  "carry more scale error, ellipsoidal ones are unaffected",
                  what, c->min_lon, c->max_lon, cm - 1.5, cm + 1.5);
    return 0;
}

/* importers/import_layer.c - `plat layer import`: reference layers (roads, farmland, permanent
 * basic farmland, the ecological red line, wetlands) from any GIS, CAD or field-app file.
 *
 * A reference layer is what projects are checked against, so it is copied as it is: every
 * feature with its geometry in the working CRS (reader.c) and every source attribute kept as a
 * JSON object (reader.c), in the layer's own table (layers/layer.c). Features with an empty
 * geometry carry nothing to check against: they are skipped with a warning naming them, and
 * counted. The layer is created, filled and finished inside one transaction, so a bad feature
 * anywhere leaves the ledger as it was; --replace drops the old layer of that name in the same
 * transaction, so a failed replacement keeps the old one. Features stream one at a time.
 *
 * Ownership: the reader owns the source and transforms; each feature's WKB and attributes are
 * freed before the next feature is read. */
#include <stdlib.h>
#include <string.h>

#include "importers_int.h"

static int copy_features(plat_reader *r, const char *name)
{
    plat_ctx *ctx = r->ctx;
    OGRFeatureH f = NULL;
    int rc;
    while ((rc = plat_ogr__next(ctx, r->src, &f)) > 0) {
        GEOSGeometry *g = NULL;
        unsigned char *wkb = NULL;
        char *attrs = NULL;
        size_t size = 0;
        int repaired = 0;
        int64_t fid = OGR_F_GetFID(f);
        r->res->features++;
        if ((rc = plat_reader__geom(r, f, &g, &repaired)) >= 0) {
            if (!g) {
                r->res->skipped++;
                plat_warn(ctx, "%s: feature %lld: empty geometry, skipped", r->src->where, (long long)fid);
            } else if ((rc = plat_geom_to_wkb(ctx, &wkb, &size, g)) >= 0 &&
                       (rc = plat_reader__attrs(r, f, NULL, &attrs)) >= 0) {
                if ((rc = plat_layer_add_feature(r->db, name, wkb, size, attrs, fid)) < 0)
                    plat_ogr__locate(ctx, r->src, fid);
                else
                    r->res->written++;
            }
        }
        if (rc >= 0)
            rc = plat_reader__progress(r, "importing");
        GEOSGeom_destroy_r(r->h, g);
        plat_free(wkb);
        free(attrs);
        OGR_F_Destroy(f);
        if (rc < 0)
            return rc;
    }
    return rc;
}

int plat_layer_import(plat_store *db, plat_import_result *res, const char *name, const char *kind, const char *path,
                      const plat_import_options *opts)
{
    plat_import_options defaults = PLAT_IMPORT_OPTIONS_INIT;
    plat_import_result scratch;
    plat_ctx *ctx = plat_store_ctx(db);
    plat_reader r;
    int rc;
    if (!opts)
        opts = &defaults;
    if (!res)
        res = &scratch;
    memset(res, 0, sizeof(*res));
    memset(&r, 0, sizeof(r));
    /* Say what is wrong with the command before reading the file. */
    if (!plat_layer_kind_valid(kind))
        return plat_error_set(ctx, PLAT_EINVALID,
                              "unknown layer kind '%s'; use roads, farmland, basic_farmland, eco_redline, wetland "
                              "or other",
                              kind ? kind : "");
    if ((rc = plat_reader__open(&r, db, path, opts, res)) < 0)
        goto done;
    if (!r.src->srs) {
        plat_error_set(ctx, PLAT_EINVALID, "has no geometry column: a reference layer needs geometries");
        rc = plat_ogr__locate(ctx, r.src, -1);
        goto done;
    }
    if ((rc = plat_store_begin(db)) < 0)
        goto done;
    if ((rc = plat_reader__prepare(&r, "the layer's features")) < 0)
        goto rollback;
    if (!plat_store_srid(db)) {
        plat_error_set(ctx, PLAT_EINVALID, "%s", opts->where ? "no feature matches --where" : "has no geometries");
        rc = plat_ogr__locate(ctx, r.src, -1);
        goto rollback;
    }
    if (opts->replace && (rc = plat_layer_drop(db, name)) < 0) {
        if (rc != PLAT_ENOTFOUND)
            goto rollback;
        plat_error_clear(ctx); /* --replace of a layer that is not there is a plain import */
        rc = 0;
    }
    const char *base = strrchr(path, '/');
    if ((rc = plat_layer_create(db, name, kind, base ? base + 1 : path)) < 0) {
        if (rc == PLAT_EEXISTS)
            plat_error_set(ctx, PLAT_EEXISTS,
                           "a layer named '%s' exists already: import with --replace to replace it, or `plat layer "
                           "drop %s` first",
                           name, name);
        goto rollback;
    }
    if ((rc = copy_features(&r, name)) < 0)
        goto rollback;
    if (res->written == 0) {
        plat_error_set(ctx, PLAT_EINVALID, "%s",
                       opts->where && res->features == 0 ? "no feature matches --where"
                                                         : "has no features with a geometry");
        rc = plat_ogr__locate(ctx, r.src, -1);
        goto rollback;
    }
    if ((rc = plat_layer_finish(db, name)) < 0)
        goto rollback;
    rc = plat_store_commit(db);
    goto done;
rollback:
    plat_store_rollback(db, rc);
done:
    plat_reader__close(&r);
    return rc;
}

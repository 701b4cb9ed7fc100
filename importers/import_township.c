/* importers/import_township.c - township boundaries from any vector file.
 *
 * Two passes over the source. The first, only while the ledger has no working CRS, finds the
 * area-weighted centre of all features in CGCS2000 longitude/latitude and picks the 3-degree
 * Gauss-Kruger zone around it (DESIGN.md: the choice must not depend on which county's file
 * came first, and 南县/沅江市 straddle 112.5E). The second reprojects, validates and writes
 * each township inside one transaction, so a bad feature anywhere leaves the ledger untouched.
 *
 * Field names are found the way our users' files spell them (name/名称/XZQMC, code/代码/XZQDM);
 * --name-field and friends override. A 9-digit code carries its county's 6-digit code; a
 * 6-digit code is a county-level unit that stands for itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importers_int.h"
#include "plat/util.h"

static const char *const name_fields[] = { "name", "名称", "乡镇名称", "乡镇", "乡镇街道", "XZQMC", "township", "NAME_3", NULL };
static const char *const code_fields[] = { "code", "代码", "编码", "乡镇代码", "行政区划代码", "XZQDM", "adcode", NULL };
static const char *const county_fields[] = { "county", "县", "县区", "区县", "所属县", "county_name", NULL };

typedef struct {
    plat_ctx *ctx;
    GEOSContextHandle_t h;
    plat_ogr_source *src;
    int name_i, code_i, county_i;
} reader;

static int feature_error(reader *r, OGRFeatureH f, int code, const char *fmt, const char *arg)
{
    plat_error_set(r->ctx, code, fmt, arg);
    return plat_error_locate(r->ctx, r->src->path, OGR_F_GetFID(f));
}

/* Pass 1 (only while the ledger has no working CRS): the area-weighted centre of all
 * boundaries in CGCS2000 longitude/latitude picks the zone (zone.c). Features that cannot be
 * read here are reported, with their feature named, by pass 2. */
static int choose_crs(plat_store *db, reader *r, plat_import_result *res)
{
    plat_transform *to_geo = NULL;
    plat_centre c;
    int rc = plat_transform_new(r->ctx, &to_geo, r->src->srs, PLAT_EPSG_CGCS2000);
    if (rc < 0)
        return plat_error_locate(r->ctx, r->src->path, -1);
    plat_import__centre_init(&c);
    OGRFeatureH f;
    if ((rc = plat_ogr__rewind(r->ctx, r->src)) < 0) {
        plat_transform_free(to_geo);
        return rc;
    }
    while (rc >= 0 && plat_ogr__next(r->ctx, r->src, &f) > 0) {
        GEOSGeometry *g = NULL, *geo = NULL;
        if (plat_ogr__geom(r->ctx, f, &g, NULL) >= 0 && g && plat_transform_geom(to_geo, &geo, g) >= 0 &&
            (plat_geom_kinds(r->ctx, geo) & PLAT_GEOM_POLYGON))
            rc = plat_import__centre_add(r->ctx, &c, geo);
        GEOSGeom_destroy_r(r->h, geo);
        GEOSGeom_destroy_r(r->h, g);
        OGR_F_Destroy(f);
    }
    plat_transform_free(to_geo);
    plat_error_clear(r->ctx);
    if (rc >= 0 && !(c.w[2] > 0)) {
        plat_error_set(r->ctx, PLAT_EINVALID, "%s: has no polygons to take township boundaries from", r->src->path);
        rc = plat_error_locate(r->ctx, r->src->path, -1);
    }
    if (rc >= 0 && (rc = plat_import__choose_zone(db, &c, "the townships", &res->srid_chosen)) < 0)
        plat_error_locate(r->ctx, r->src->path, -1);
    return rc;
}

/* Fill t's attributes from feature f. Strings point into f or static storage until the next
 * feature, so they are copied by the caller's plat_township_put. */
static int read_attributes(reader *r, OGRFeatureH f, plat_township *t, char *county_code, size_t n)
{
    const char *name, *code, *county;
    int rc;
    if ((rc = plat_ogr__text(r->ctx, r->src, f, r->code_i, &code)) < 0)
        return rc;
    t->code = plat_strdup(code);
    if ((rc = plat_ogr__text(r->ctx, r->src, f, r->name_i, &name)) < 0)
        return rc;
    t->name = plat_strdup(name);
    if ((rc = plat_ogr__text(r->ctx, r->src, f, r->county_i, &county)) < 0)
        return rc;
    t->county = plat_strdup(county);
    if (!t->code)
        return feature_error(r, f, PLAT_EINVALID, "%s", r->code_i < 0
            ? "no township code: the file has no code field (code, 代码, XZQDM); name one with --code-field"
            : "the township code is empty");
    if (!t->name)
        return feature_error(r, f, PLAT_EINVALID, "%s", r->name_i < 0
            ? "no township name: the file has no name field (name, 名称, XZQMC); name one with --name-field"
            : "the township name is empty");
    size_t len = strlen(t->code);
    int digits = strspn(t->code, "0123456789") == len;
    if (!digits || (len != 9 && len != 6 && len != 12))
        return feature_error(r, f, PLAT_EINVALID,
                             "township code '%s' is not a 9-digit GB/T 2260 + GB/T 10114 code (or a 6-digit county code)",
                             t->code);
    if (len == 12) /* statistical 12-digit codes end in 000 at township level */
        t->code[9] = '\0';
    snprintf(county_code, n, "%.6s", t->code);
    t->county_code = plat_strdup(county_code);
    if (len == 6 && !t->county)
        t->county = plat_strdup(t->name); /* a county-level unit is its own county */
    return 0;
}

static int write_townships(plat_store *db, reader *r, plat_import_result *res, const plat_import_options *opts)
{
    plat_transform *tr = NULL;
    int rc = plat_transform_new(r->ctx, &tr, r->src->srs, plat_store_srid(db));
    if (rc < 0)
        return plat_error_locate(r->ctx, r->src->path, -1);
    const char *base = strrchr(r->src->path, '/');
    base = base ? base + 1 : r->src->path;
    OGRFeatureH f;
    if ((rc = plat_ogr__rewind(r->ctx, r->src)) < 0) {
        plat_transform_free(tr);
        return rc;
    }
    while (rc >= 0 && (rc = plat_ogr__next(r->ctx, r->src, &f)) > 0) {
        plat_township t = { 0 };
        GEOSGeometry *g = NULL, *w = NULL;
        char county_code[16], why[256];
        int repaired = 0;
        res->features++;
        if ((rc = read_attributes(r, f, &t, county_code, sizeof county_code)) < 0)
            goto next;
        if ((rc = plat_ogr__geom(r->ctx, f, &g, NULL)) < 0 || !g) {
            rc = rc < 0 ? rc : plat_error_set(r->ctx, PLAT_EINVALID, "township %s (%s) has no geometry", t.code, t.name);
            plat_error_locate(r->ctx, r->src->path, OGR_F_GetFID(f));
            goto next;
        }
        if (!(plat_geom_kinds(r->ctx, g) & PLAT_GEOM_POLYGON) || plat_geom_kinds(r->ctx, g) != PLAT_GEOM_POLYGON) {
            rc = feature_error(r, f, PLAT_EINVALID, "township %s is not a polygon: township boundaries must be areas", t.code);
            goto next;
        }
        if ((rc = plat_geom_check_coords(r->ctx, g, plat_transform_src_is_geographic(tr))) < 0 ||
            (rc = plat_import__check_area(r->ctx, g)) < 0 || (rc = plat_transform_geom(tr, &w, g)) < 0) {
            plat_error_locate(r->ctx, r->src->path, OGR_F_GetFID(f));
            goto next;
        }
        if ((rc = plat_geom_make_valid(r->ctx, &w, &repaired, why, sizeof why)) < 0) {
            plat_error_locate(r->ctx, r->src->path, OGR_F_GetFID(f));
            goto next;
        }
        if (repaired) {
            if (opts->strict) {
                rc = feature_error(r, f, PLAT_EINVALID, "township boundary is invalid (%s) and --strict refuses repairs", why);
                goto next;
            }
            res->repaired++;
            plat_warn(r->ctx, "%s: feature %lld (%s %s): invalid boundary repaired (%s)", r->src->path,
                      (long long)OGR_F_GetFID(f), t.code, t.name, why);
        }
        t.source = plat_strdup(base);
        if ((rc = plat_geom_to_wkb(r->ctx, &t.wkb, &t.wkb_size, w)) < 0)
            goto next;
        if ((rc = plat_township_put(db, &t)) < 0) {
            plat_error_locate(r->ctx, r->src->path, OGR_F_GetFID(f));
            goto next;
        }
        res->replaced += rc;
        rc = 0;
        res->written++;
        if (opts->progress && r->src->count > 0 &&
            opts->progress((double)res->features / (double)r->src->count, "townships", opts->progress_ud)) {
            rc = plat_error_set(r->ctx, PLAT_ECANCEL, "import cancelled");
        }
    next:
        GEOSGeom_destroy_r(r->h, g);
        GEOSGeom_destroy_r(r->h, w);
        plat_township_dispose(&t);
        OGR_F_Destroy(f);
    }
    plat_transform_free(tr);
    if (rc >= 0 && res->written == 0) {
        plat_error_set(r->ctx, PLAT_EINVALID, "%s: has no features", r->src->path);
        rc = plat_error_locate(r->ctx, r->src->path, -1);
    }
    return rc;
}

/* Codes that appear twice in one file would silently replace each other. */
static int check_unique_codes(reader *r)
{
    if (r->code_i < 0)
        return 0;
    int rc = 0;
    size_t n = 0, cap = 0;
    char **codes = NULL;
    OGRFeatureH f;
    while (rc >= 0 && (rc = plat_ogr__next(r->ctx, r->src, &f)) > 0) {
        const char *code;
        if ((rc = plat_ogr__text(r->ctx, r->src, f, r->code_i, &code)) >= 0 && code) {
            for (size_t i = 0; i < n && rc >= 0; i++)
                if (strcmp(codes[i], code) == 0)
                    rc = feature_error(r, f, PLAT_EINVALID, "township code %s appears twice in this file", code);
            if (rc >= 0 && n == cap) {
                cap = cap ? cap * 2 : 64;
                char **c2 = realloc(codes, cap * sizeof(*codes));
                if (!c2)
                    rc = plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory");
                else
                    codes = c2;
            }
            if (rc >= 0)
                codes[n++] = plat_strdup(code);
        }
        OGR_F_Destroy(f);
    }
    for (size_t i = 0; i < n; i++)
        free(codes[i]);
    free(codes);
    return rc;
}

int plat_township_import(plat_store *db, plat_import_result *res, const char *path, const plat_import_options *opts)
{
    plat_import_options defaults = PLAT_IMPORT_OPTIONS_INIT;
    plat_import_result scratch;
    if (!opts)
        opts = &defaults;
    if (!res)
        res = &scratch;
    memset(res, 0, sizeof(*res));
    reader r = { plat_store_ctx(db), plat_gis_geos(plat_store_ctx(db)), NULL, -1, -1, -1 };
    int rc = plat_ogr__open(r.ctx, &r.src, path, opts);
    if (rc < 0)
        return rc;
    if ((rc = plat_ogr__field(r.ctx, r.src, opts->name_field, name_fields, "township name", &r.name_i)) < 0 ||
        (rc = plat_ogr__field(r.ctx, r.src, opts->code_field, code_fields, "township code", &r.code_i)) < 0 ||
        (rc = plat_ogr__field(r.ctx, r.src, opts->county_field, county_fields, "county", &r.county_i)) < 0)
        goto done;
    if ((rc = check_unique_codes(&r)) < 0)
        goto done;
    if ((rc = plat_store_begin(db)) < 0)
        goto done;
    if (!plat_store_srid(db))
        rc = choose_crs(db, &r, res);
    if (rc >= 0)
        rc = write_townships(db, &r, res, opts);
    if (rc >= 0) /* new boundaries: where every project lies changes with them */
        rc = plat_store_refresh_places(db);
    rc = rc < 0 ? plat_store_rollback(db, rc) : plat_store_commit(db);
done:
    plat_ogr__close(r.src);
    return rc;
}

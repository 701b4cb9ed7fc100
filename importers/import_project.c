/* importers/import_project.c - `plat project import`: plan projects from any GIS, CAD or
 * field-app file.
 *
 * One feature is one project (or, with --merge, all of them are one: a CAD road design drawn as
 * many polylines). The work per feature is split three ways: fieldmap.c reads the attributes
 * into a plat_project, reader.c brings the geometry into the working CRS, and this file decides
 * what the ledger does with it: add it, or (--upsert) replace the description of the project
 * with that code and record the import as an 'update' in its history (layers/project.c,
 * plat_project_replace). A file exported by plat carries each project's version; --upsert
 * refuses a row whose project has changed since, so an edit made on a stale export never lays
 * itself over someone else's.
 *
 * All of it runs in one transaction, so an error at the last feature leaves the ledger as it
 * was. Features stream through one at a time; the only thing that grows with the file is the
 * set of codes seen so far (a code twice in one file is an error, with or without --upsert,
 * because one of the two rows would silently win). It is an open-addressing hash table of
 * offsets into one growing block of NUL-separated codes: a few dozen bytes per project, so a
 * 200 000-row sheet costs a few MB, not one allocation per row. --merge keeps the geometries of
 * its one project until the end, which is that project's size.
 *
 * Ownership: the reader owns the source and transforms, the fieldmap its arrays, the code set
 * its table and block; every plat_project filled here is disposed here. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "importers_int.h"
#include "plat/locate.h"

/* ---- the codes seen in this file ---- */

typedef struct {
    uint64_t hash;
    size_t off;   /* into block; (size_t)-1: empty slot */
    int64_t fid;
} code_slot;

typedef struct {
    code_slot *slots;
    size_t cap, n;
    char *block;
    size_t used, size;
} code_set;

static uint64_t hash_of(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void codes_dispose(code_set *c)
{
    free(c->slots);
    free(c->block);
    memset(c, 0, sizeof(*c));
}

static int codes_grow(code_set *c)
{
    size_t cap = c->cap ? c->cap * 2 : 1024;
    code_slot *s = malloc(cap * sizeof(*s));
    if (!s)
        return PLAT_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        s[i].off = (size_t)-1;
    for (size_t i = 0; i < c->cap; i++) {
        if (c->slots[i].off == (size_t)-1)
            continue;
        size_t j = c->slots[i].hash & (cap - 1);
        while (s[j].off != (size_t)-1)
            j = (j + 1) & (cap - 1);
        s[j] = c->slots[i];
    }
    free(c->slots);
    c->slots = s;
    c->cap = cap;
    return 0;
}

/* Add code; if it was there, *prev_fid gets the feature that had it and 1 is returned.
 * @return 0 (added), 1 (seen before) or PLAT_ENOMEM */
static int codes_add(code_set *c, const char *code, int64_t fid, int64_t *prev_fid)
{
    if ((c->n + 1) * 10 > c->cap * 7 && codes_grow(c) < 0)
        return PLAT_ENOMEM;
    uint64_t h = hash_of(code);
    size_t j = h & (c->cap - 1);
    for (; c->slots[j].off != (size_t)-1; j = (j + 1) & (c->cap - 1))
        if (c->slots[j].hash == h && strcmp(c->block + c->slots[j].off, code) == 0) {
            *prev_fid = c->slots[j].fid;
            return 1;
        }
    size_t len = strlen(code) + 1;
    if (c->used + len > c->size) {
        size_t size = c->size ? c->size * 2 : 16384;
        while (size < c->used + len)
            size *= 2;
        char *b = realloc(c->block, size);
        if (!b)
            return PLAT_ENOMEM;
        c->block = b;
        c->size = size;
    }
    memcpy(c->block + c->used, code, len);
    c->slots[j].hash = h;
    c->slots[j].off = c->used;
    c->slots[j].fid = fid;
    c->used += len;
    c->n++;
    return 0;
}

/* ---- one import ---- */

typedef struct {
    plat_reader r;
    plat_fieldmap m;
    code_set codes;
    plat_locator *loc;   /* the ledger's townships, to fill in a missing county */
    char note[300];      /* "imported from FILE" for the history */
    /* --merge: the one project and its parts so far */
    plat_project merged;
    int merged_progress; /* the file gave a progress */
    GEOSGeometry **parts;
    size_t nparts, cparts;
} importer;

/* The county a geometry lies in, when every township it touches agrees; NULL otherwise. */
static char *county_of(importer *im, const unsigned char *wkb, size_t size)
{
    plat_placement pl;
    char *county = NULL;
    if (!im->loc || plat_locator_place(im->loc, &pl, wkb, size, 0) < 0) {
        plat_error_clear(im->r.ctx);
        return NULL;
    }
    for (int i = 0; i < pl.n; i++) {
        const char *c = pl.places[i].county;
        if (!c || (county && strcmp(county, c) != 0)) {
            free(county);
            county = NULL;
            break;
        }
        if (!county)
            county = plat_strdup(c);
    }
    plat_placement_dispose(&pl);
    return county;
}

/* Write one project: add it, or under --upsert replace the one with its code. p->wkb may be NULL. */
static int write_project(importer *im, plat_project *p, int has_progress, int64_t fid)
{
    plat_ctx *ctx = im->r.ctx;
    plat_store *db = im->r.db;
    int rc;
    if (!p->county && p->wkb)
        p->county = county_of(im, p->wkb, p->wkb_size);
    if (im->r.opts->upsert) {
        plat_project_change c = { 0 };
        plat_project cur;
        c.status = p->status;
        c.has_progress = has_progress;
        c.progress = p->progress;
        c.note = im->note;
        c.expect_version = p->version; /* the row was edited on a copy of that version */
        c.wkb = p->wkb;
        c.wkb_size = p->wkb_size;
        if (p->precision && (strcmp(p->precision, "surveyed") == 0 || strcmp(p->precision, "sketched") == 0))
            c.precision = p->precision;
        /* The same file imported again must not claim a new geometry (nor re-measure it). */
        if (p->wkb && plat_project_get(db, &cur, p->code) == 0) {
            if (cur.wkb && cur.wkb_size == p->wkb_size && memcmp(cur.wkb, p->wkb, p->wkb_size) == 0)
                c.wkb = NULL, c.wkb_size = 0, c.precision = NULL;
            plat_project_dispose(&cur);
        }
        plat_error_clear(ctx);
        rc = plat_project_replace(db, p, &c);
        if (rc >= 0) {
            im->r.res->replaced++;
            im->r.res->written++;
            return 0;
        }
        if (rc != PLAT_ENOTFOUND)
            return plat_ogr__locate(ctx, im->r.src, fid);
        plat_error_clear(ctx);
    }
    if ((rc = plat_project_add(db, p, NULL, im->note)) < 0) {
        plat_project there;
        if (rc == PLAT_EEXISTS && !im->r.opts->upsert && plat_project_get(db, &there, p->code) == 0) {
            plat_project_dispose(&there);
            plat_error_set(ctx, PLAT_EEXISTS,
                           "project %s is in the ledger already: import with --upsert to update it from this file",
                           p->code);
        } else if (rc == PLAT_EEXISTS) {
            /* keep the store's reason (a removed project's code stays taken) */
            char msg[sizeof(((plat_error *)0)->msg)];
            snprintf(msg, sizeof msg, "%s", plat_error_last(ctx)->msg);
            plat_error_set(ctx, PLAT_EEXISTS, "%s", msg);
        }
        return plat_ogr__locate(ctx, im->r.src, fid);
    }
    im->r.res->written++;
    return 0;
}

static int to_wkb(importer *im, plat_project *p, const GEOSGeometry *g)
{
    return g ? plat_geom_to_wkb(im->r.ctx, &p->wkb, &p->wkb_size, g) : 0;
}

static int keep_part(importer *im, GEOSGeometry *g)
{
    if (im->nparts == im->cparts) {
        size_t cap = im->cparts ? im->cparts * 2 : 16;
        GEOSGeometry **p = realloc(im->parts, cap * sizeof(*p));
        if (!p) {
            GEOSGeom_destroy_r(im->r.h, g);
            return plat_error_set(im->r.ctx, PLAT_ENOMEM, "out of memory");
        }
        im->parts = p;
        im->cparts = cap;
    }
    im->parts[im->nparts++] = g;
    return 0;
}

static int one_feature(importer *im, OGRFeatureH f)
{
    plat_ctx *ctx = im->r.ctx;
    plat_project p = { 0 };
    GEOSGeometry *g = NULL;
    int has_progress = 0, repaired = 0;
    int64_t fid = OGR_F_GetFID(f), prev = -1;
    int rc = plat_fieldmap__read(&im->m, im->r.src, f, &p, &has_progress);
    if (rc < 0)
        goto done;
    if (im->r.opts->merge && im->merged.code && strcmp(im->merged.code, p.code) != 0) {
        plat_error_set(ctx, PLAT_EINVALID,
                       "--merge makes one project of every feature, but this one has code %s, not %s (use --where "
                       "to pick the features of one project)",
                       p.code, im->merged.code);
        rc = plat_ogr__locate(ctx, im->r.src, fid);
        goto done;
    }
    if (!im->r.opts->merge && (rc = codes_add(&im->codes, p.code, fid, &prev)) != 0) {
        if (rc == 1) {
            plat_error_set(ctx, PLAT_EINVALID, "project code %s appears twice in this file (features %lld and %lld)",
                           p.code, (long long)prev, (long long)fid);
            rc = plat_ogr__locate(ctx, im->r.src, fid);
        } else {
            rc = plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
        }
        goto done;
    }
    if ((rc = plat_reader__geom(&im->r, f, &g, &repaired)) < 0)
        goto done;
    if (im->r.opts->merge) {
        if (g) {
            rc = keep_part(im, g);
            g = NULL;
        } else {
            im->r.res->skipped++;
            plat_warn(ctx, "%s: feature %lld: empty geometry, skipped", im->r.src->where, (long long)fid);
        }
        if (rc >= 0 && !im->merged.code) {
            if ((rc = plat_reader__attrs(&im->r, f, im->m.used, &p.attrs)) < 0 ||
                (rc = plat_fieldmap__export_attrs(&im->m, im->r.src, f, &p.attrs)) < 0)
                goto done;
            im->merged = p; /* the first feature describes the project */
            im->merged_progress = has_progress;
            memset(&p, 0, sizeof(p));
        }
        goto done;
    }
    if (!g) {
        im->r.res->no_geometry++;
        plat_warn(ctx, "%s: feature %lld (%s): empty geometry; the project is imported without one%s",
                  im->r.src->where, (long long)fid, p.code,
                  im->r.opts->upsert ? " (or keeps the one it has)" : "");
    }
    if ((rc = to_wkb(im, &p, g)) < 0 || (rc = plat_reader__attrs(&im->r, f, im->m.used, &p.attrs)) < 0 ||
        (rc = plat_fieldmap__export_attrs(&im->m, im->r.src, f, &p.attrs)) < 0)
        goto done;
    rc = write_project(im, &p, has_progress, fid);
done:
    GEOSGeom_destroy_r(im->r.h, g);
    plat_project_dispose(&p);
    return rc;
}

/* --merge: one geometry of all the parts kept, a multi-geometry when they are of one kind. */
static int finish_merge(importer *im)
{
    plat_ctx *ctx = im->r.ctx;
    GEOSContextHandle_t h = im->r.h;
    GEOSGeometry *all = NULL;
    int rc = 0, repaired = 0;
    char why[256];
    if (!im->merged.code)
        return 0;
    if (im->nparts == 1) {
        all = im->parts[0];
        im->nparts = 0;
    } else if (im->nparts > 1) {
        int kinds = 0;
        for (size_t i = 0; i < im->nparts; i++)
            kinds |= plat_geom_kinds(ctx, im->parts[i]);
        /* Parts may be multis themselves: collect them as one collection and let GEOS flatten. */
        all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, im->parts, (unsigned)im->nparts);
        if (!all)
            return plat_error_set(ctx, PLAT_EINTERNAL, "cannot collect the merged geometry");
        im->nparts = 0; /* the collection owns them now */
        if (kinds == PLAT_GEOM_LINE || kinds == PLAT_GEOM_POLYGON || kinds == PLAT_GEOM_POINT) {
            GEOSGeometry *u = kinds == PLAT_GEOM_LINE ? GEOSLineMerge_r(h, all) : GEOSUnaryUnion_r(h, all);
            if (u) {
                GEOSGeom_destroy_r(h, all);
                all = u;
            }
        }
        if ((rc = plat_geom_make_valid(ctx, &all, &repaired, why, sizeof why)) < 0) {
            GEOSGeom_destroy_r(h, all);
            return plat_ogr__locate(ctx, im->r.src, -1);
        }
    }
    if (all) {
        rc = to_wkb(im, &im->merged, all);
        GEOSGeom_destroy_r(h, all);
    }
    if (rc >= 0)
        rc = write_project(im, &im->merged, im->merged_progress, -1);
    return rc;
}

int plat_project_import(plat_store *db, plat_import_result *res, const char *path, const plat_import_options *opts)
{
    plat_import_options defaults = PLAT_IMPORT_OPTIONS_INIT;
    plat_import_result scratch;
    importer im;
    int rc;
    if (!opts)
        opts = &defaults;
    if (!res)
        res = &scratch;
    memset(res, 0, sizeof(*res));
    memset(&im, 0, sizeof(im));
    const char *base = strrchr(path, '/');
    snprintf(im.note, sizeof im.note, "imported from %s", base ? base + 1 : path);
    if ((rc = plat_fieldmap__init(&im.m, db, opts)) < 0)
        goto done;
    if ((rc = plat_reader__open(&im.r, db, path, opts, res)) < 0)
        goto done;
    if ((rc = plat_fieldmap__bind(&im.m, im.r.src)) < 0) /* a --map column missing: say so before anything */
        goto done;
    if ((rc = plat_store_begin(db)) < 0)
        goto done;
    rc = plat_reader__prepare(&im.r, "the projects");
    if (rc >= 0 && plat_store_srid(db) && plat_township_count(db) > 0)
        rc = plat_locator_new(db, &im.loc, 0);
    int layer = im.r.src->cur;
    if (rc >= 0)
        rc = plat_fieldmap__bind(&im.m, im.r.src);
    OGRFeatureH f = NULL;
    while (rc >= 0 && (rc = plat_ogr__next(im.r.ctx, im.r.src, &f)) > 0) {
        if (im.r.src->cur != layer) {
            layer = im.r.src->cur;
            rc = plat_fieldmap__bind(&im.m, im.r.src);
        }
        res->features++;
        if (rc >= 0)
            rc = one_feature(&im, f);
        if (rc >= 0)
            rc = plat_reader__progress(&im.r, "importing");
        OGR_F_Destroy(f);
    }
    if (rc >= 0 && opts->merge)
        rc = finish_merge(&im);
    if (rc >= 0 && res->features == 0) {
        plat_error_set(im.r.ctx, PLAT_EINVALID, "%s", opts->where ? "no feature matches --where" : "has no features");
        rc = plat_ogr__locate(im.r.ctx, im.r.src, -1);
    }
    rc = rc < 0 ? plat_store_rollback(db, rc) : plat_store_commit(db);
done:
    for (size_t i = 0; i < im.nparts; i++)
        GEOSGeom_destroy_r(im.r.h, im.parts[i]);
    free(im.parts);
    plat_project_dispose(&im.merged);
    plat_locator_free(im.loc);
    codes_dispose(&im.codes);
    plat_fieldmap__dispose(&im.m);
    plat_reader__close(&im.r);
    return rc;
}

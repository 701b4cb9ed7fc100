/* layers/place.c - where each project lies, kept with the ledger.
 *
 * For every project with a geometry, project_places holds the part inside each township it
 * lies in (km of line, m2 of area, points), measured on the ellipsoid and in the plane, and the
 * projects row holds the whole geometry's measures. They are refreshed in the same transaction
 * as the change that makes them stale: a project's new geometry refreshes that project, a
 * township import refreshes every project (and the townships' own areas). Listing, showing and
 * filtering projects by township then read numbers instead of clipping geometry again.
 *
 * The numbers come from the coverage engine (gis/coverage.c), so a project's parts follow the
 * same rules as `plat coverage`: a line along a shared border is counted once, a point on a
 * border belongs to one township. The engine runs twice, ellipsoidal and planar; clipping is
 * done in the plane both times, so both runs give the same parts in the same order. */
#include <stdlib.h>
#include <string.h>

#include "plat/coverage.h"
#include "layers_int.h"

typedef struct blob {
    int64_t id;
    unsigned char *wkb;
    int size;
} blob;

typedef struct blobs {
    blob *v;
    int n, cap;
} blobs;

static void blobs_dispose(blobs *b)
{
    for (int i = 0; i < b->n; i++)
        free(b->v[i].wkb);
    free(b->v);
    memset(b, 0, sizeof(*b));
}

static int read_blobs(plat_store *db, blobs *out, const char *sql, int64_t id)
{
    sqlite3_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, sql);
    if (rc < 0)
        return rc;
    if (id)
        sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (out->n == out->cap) {
            int cap = out->cap ? out->cap * 2 : 64;
            blob *v = realloc(out->v, (size_t)cap * sizeof(*v));
            if (!v) {
                rc = plat_error_set(db->ctx, PLAT_ENOMEM, "out of memory");
                break;
            }
            out->v = v;
            out->cap = cap;
        }
        blob *b = &out->v[out->n];
        b->id = sqlite3_column_int64(st, 0);
        b->size = sqlite3_column_bytes(st, 1);
        if (!(b->wkb = malloc((size_t)(b->size > 0 ? b->size : 1)))) {
            rc = plat_error_set(db->ctx, PLAT_ENOMEM, "out of memory");
            break;
        }
        memcpy(b->wkb, sqlite3_column_blob(st, 1), (size_t)b->size);
        out->n++;
    }
    sqlite3_finalize(st);
    return rc;
}

/* One engine run over the townships and the projects; the caller frees *out. */
static int run_engine(plat_store *db, plat_cov **out, const blobs *towns, const blobs *projects, int planar)
{
    plat_cov_options o = PLAT_COV_OPTIONS_INIT;
    o.working_epsg = db->srid;
    o.planar = planar;
    o.jobs = 1;
    int rc = plat_cov_new(db->ctx, out, &o);
    for (int i = 0; rc >= 0 && i < towns->n; i++) {
        GEOSGeometry *g = NULL;
        if ((rc = plat_geom_from_wkb(db->ctx, &g, towns->v[i].wkb, (size_t)towns->v[i].size)) >= 0)
            rc = plat_cov_add_zone(*out, g);
    }
    for (int i = 0; rc >= 0 && i < projects->n; i++) {
        GEOSGeometry *g = NULL;
        if ((rc = plat_geom_from_wkb(db->ctx, &g, projects->v[i].wkb, (size_t)projects->v[i].size)) >= 0)
            rc = plat_cov_add_project(*out, g, 0);
    }
    return rc < 0 ? rc : plat_cov_run_projects(*out);
}

static int write_places(plat_store *db, plat_cov *e, plat_cov *pl, const blobs *towns, const blobs *projects,
                        int64_t project_id)
{
    sqlite3_stmt *del = NULL, *ins = NULL, *upd = NULL;
    int rc = plat_store__prepare(db, &del, project_id ? "DELETE FROM project_places WHERE project_id = ?"
                                                      : "DELETE FROM project_places");
    if (rc >= 0)
        rc = plat_store__prepare(db, &ins, "INSERT INTO project_places(project_id, township_id, length_m, area_m2, "
                                           "points, planar_length_m, planar_area_m2) VALUES(?,?,?,?,?,?,?)");
    if (rc >= 0)
        rc = plat_store__prepare(db, &upd, "UPDATE projects SET kinds = ?2, length_m = ?3, area_m2 = ?4, points = ?5, "
                                           "planar_length_m = ?6, planar_area_m2 = ?7 WHERE id = ?1");
    if (rc >= 0) {
        if (project_id)
            sqlite3_bind_int64(del, 1, project_id);
        rc = plat_store__step_write(db, del, "refreshing project places");
    }
    for (int p = 0; rc >= 0 && p < projects->n; p++) {
        plat_quantity te = { 0, 0, 0 }, tp = { 0, 0, 0 };
        int n = plat_cov_project_nparts(e, p);
        if (n != plat_cov_project_nparts(pl, p)) {
            rc = plat_error_set(db->ctx, PLAT_EINTERNAL, "ellipsoidal and planar placement disagree");
            break;
        }
        for (int k = 0; rc >= 0 && k < n; k++) {
            int ze, zp;
            plat_quantity qe, qp;
            plat_cov_project_part(e, p, k, &ze, &qe);
            plat_cov_project_part(pl, p, k, &zp, &qp);
            te.length_m += qe.length_m, te.area_m2 += qe.area_m2, te.points += qe.points;
            tp.length_m += qp.length_m, tp.area_m2 += qp.area_m2, tp.points += qp.points;
            if (ze < 0)
                continue;
            sqlite3_reset(ins);
            sqlite3_bind_int64(ins, 1, projects->v[p].id);
            sqlite3_bind_int64(ins, 2, towns->v[ze].id);
            sqlite3_bind_double(ins, 3, qe.length_m);
            sqlite3_bind_double(ins, 4, qe.area_m2);
            sqlite3_bind_int(ins, 5, qe.points);
            sqlite3_bind_double(ins, 6, qp.length_m);
            sqlite3_bind_double(ins, 7, qp.area_m2);
            rc = plat_store__step_write(db, ins, "storing a project's place");
        }
        if (rc < 0)
            break;
        /* A project outside every township still has its measures: the engine's parts cover
         * all of it, the leftover included. */
        GEOSGeometry *g = NULL;
        int kinds = 0;
        if (plat_geom_from_wkb(db->ctx, &g, projects->v[p].wkb, (size_t)projects->v[p].size) >= 0) {
            kinds = plat_geom_kinds(db->ctx, g);
            GEOSGeom_destroy_r(plat_gis_geos(db->ctx), g);
        }
        sqlite3_reset(upd);
        sqlite3_bind_int64(upd, 1, projects->v[p].id);
        sqlite3_bind_int(upd, 2, kinds);
        sqlite3_bind_double(upd, 3, te.length_m);
        sqlite3_bind_double(upd, 4, te.area_m2);
        sqlite3_bind_int(upd, 5, te.points);
        sqlite3_bind_double(upd, 6, tp.length_m);
        sqlite3_bind_double(upd, 7, tp.area_m2);
        rc = plat_store__step_write(db, upd, "storing a project's measures");
    }
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    return rc;
}

static int write_township_areas(plat_store *db, plat_cov *e, plat_cov *pl, const blobs *towns)
{
    sqlite3_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, "UPDATE townships SET area_m2 = ?2, planar_area_m2 = ?3 WHERE id = ?1");
    for (int z = 0; rc >= 0 && z < towns->n; z++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, towns->v[z].id);
        sqlite3_bind_double(st, 2, plat_cov_zone_area(e, z));
        sqlite3_bind_double(st, 3, plat_cov_zone_area(pl, z));
        rc = plat_store__step_write(db, st, "storing a township's area");
    }
    sqlite3_finalize(st);
    return rc;
}

int plat_store__refresh_places(plat_store *db, int64_t project_id)
{
    if (!db->srid)
        return 0;
    blobs towns = { 0 }, projects = { 0 };
    plat_cov *e = NULL, *pl = NULL;
    int rc = read_blobs(db, &towns, "SELECT id, AsBinary(geom) FROM townships ORDER BY county_code, code", 0);
    if (rc >= 0)
        rc = read_blobs(db, &projects, project_id
            ? "SELECT id, AsBinary(geom) FROM projects WHERE id = ? AND geom IS NOT NULL"
            : "SELECT id, AsBinary(geom) FROM projects WHERE geom IS NOT NULL AND removed_at IS NULL ORDER BY id",
            project_id);
    if (rc >= 0)
        rc = run_engine(db, &e, &towns, &projects, 0);
    if (rc >= 0)
        rc = run_engine(db, &pl, &towns, &projects, 1);
    if (rc >= 0 && (rc = plat_store__tx_begin(db)) >= 0) {
        rc = write_places(db, e, pl, &towns, &projects, project_id);
        if (rc >= 0 && !project_id)
            rc = write_township_areas(db, e, pl, &towns);
        rc = plat_store__tx_end(db, rc);
    }
    plat_cov_free(e);
    plat_cov_free(pl);
    blobs_dispose(&towns);
    blobs_dispose(&projects);
    return rc;
}

int plat_store_refresh_places(plat_store *db)
{
    return plat_store__refresh_places(db, 0);
}

int plat_project_places(plat_store *db, int64_t project_id, int planar, int (*fn)(const plat_place_row *, void *),
                        void *ud)
{
    sqlite3_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, planar
        ? "SELECT t.code, t.name, t.county, p.planar_length_m, p.planar_area_m2, p.points FROM project_places p "
          "JOIN townships t ON t.id = p.township_id WHERE p.project_id = ? ORDER BY t.county_code, t.code"
        : "SELECT t.code, t.name, t.county, p.length_m, p.area_m2, p.points FROM project_places p "
          "JOIN townships t ON t.id = p.township_id WHERE p.project_id = ? ORDER BY t.county_code, t.code");
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, project_id);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        plat_place_row r = { (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                             (const char *)sqlite3_column_text(st, 2),
                             { sqlite3_column_double(st, 3), sqlite3_column_double(st, 4), sqlite3_column_int(st, 5) } };
        rc = fn(&r, ud);
    }
    sqlite3_finalize(st);
    return rc;
}

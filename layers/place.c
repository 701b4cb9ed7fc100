/* layers/place.c - where each project lies, kept with the ledger.
 *
 * For every project with a geometry, project_places holds the part inside each township it
 * lies in (km of line, m2 of area, points), measured on the ellipsoid and in the plane, and the
 * projects row holds the whole geometry's measures. They are refreshed in the same transaction
 * as the change that makes them stale: a project's new geometry marks that project stale, a
 * township import marks every project (and the townships' own areas), and the stale ones are
 * measured in one engine run just before the outermost transaction commits, so an import of a
 * thousand projects runs the engine once, not a thousand times. Listing, showing and filtering
 * projects by township then read numbers instead of clipping geometry again.
 *
 * The numbers come from the coverage engine (gis/coverage.c), so a project's parts follow the
 * same rules as `plat coverage`: a line along a shared border is counted once, a point on a
 * border belongs to one township. The engine runs twice, ellipsoidal and planar; clipping is
 * done in the plane both times, so both runs give the same parts in the same order. */
#include <math.h>
#include <stdio.h>
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

/* Append the (id, blob) rows of a prepared statement to out, and finalize it. */
static int read_rows(plat_store *db, blobs *out, plat_stmt *st)
{
    int rc = 0;
    while (plat_sql_step(st) == PLAT_SQL_ROW) {
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
        b->id = plat_sql_column_int64(st, 0);
        b->size = plat_sql_column_bytes(st, 1);
        if (!(b->wkb = malloc((size_t)(b->size > 0 ? b->size : 1)))) {
            rc = plat_error_set(db->ctx, PLAT_ENOMEM, "out of memory");
            break;
        }
        memcpy(b->wkb, plat_sql_column_blob(st, 1), (size_t)b->size);
        out->n++;
    }
    plat_sql_finalize(st);
    return rc;
}

/* read_rows of sql, whose one parameter (if any) is id. */
static int read_blobs(plat_store *db, blobs *out, const char *sql, int64_t id)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, sql);
    if (rc < 0)
        return rc;
    if (id)
        plat_sql_bind_int64(st, 1, id);
    return read_rows(db, out, st);
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

/* The stored places of the projects about to be measured again: all of them, or the stale
 * ones (a stale project without geometry, or removed, just loses its places). */
static int delete_places(plat_store *db, const int64_t *ids, int n)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, ids ? "DELETE FROM project_places WHERE project_id = ?"
                                              : "DELETE FROM project_places");
    if (rc >= 0 && !ids)
        rc = plat_store__step_write(db, st, "refreshing project places");
    for (int i = 0; rc >= 0 && ids && i < n; i++) {
        plat_sql_reset(st);
        plat_sql_bind_int64(st, 1, ids[i]);
        rc = plat_store__step_write(db, st, "refreshing project places");
    }
    plat_sql_finalize(st);
    return rc;
}

static int write_places(plat_store *db, plat_cov *e, plat_cov *pl, const blobs *towns, const blobs *projects)
{
    plat_stmt *ins = NULL, *upd = NULL;
    int rc = plat_store__prepare(db, &ins, "INSERT INTO project_places(project_id, township_id, length_m, area_m2, "
                                           "points, planar_length_m, planar_area_m2) VALUES(?,?,?,?,?,?,?)");
    if (rc >= 0)
        rc = plat_store__prepare(db, &upd, "UPDATE projects SET kinds = ?2, length_m = ?3, area_m2 = ?4, points = ?5, "
                                           "planar_length_m = ?6, planar_area_m2 = ?7 WHERE id = ?1");
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
            plat_sql_reset(ins);
            plat_sql_bind_int64(ins, 1, projects->v[p].id);
            plat_sql_bind_int64(ins, 2, towns->v[ze].id);
            plat_sql_bind_double(ins, 3, qe.length_m);
            plat_sql_bind_double(ins, 4, qe.area_m2);
            plat_sql_bind_int(ins, 5, qe.points);
            plat_sql_bind_double(ins, 6, qp.length_m);
            plat_sql_bind_double(ins, 7, qp.area_m2);
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
        plat_sql_reset(upd);
        plat_sql_bind_int64(upd, 1, projects->v[p].id);
        plat_sql_bind_int(upd, 2, kinds);
        plat_sql_bind_double(upd, 3, te.length_m);
        plat_sql_bind_double(upd, 4, te.area_m2);
        plat_sql_bind_int(upd, 5, te.points);
        plat_sql_bind_double(upd, 6, tp.length_m);
        plat_sql_bind_double(upd, 7, tp.area_m2);
        rc = plat_store__step_write(db, upd, "storing a project's measures");
    }
    plat_sql_finalize(ins);
    plat_sql_finalize(upd);
    return rc;
}

static int write_township_areas(plat_store *db, plat_cov *e, plat_cov *pl, const blobs *towns)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, "UPDATE townships SET area_m2 = ?2, planar_area_m2 = ?3 WHERE id = ?1");
    for (int z = 0; rc >= 0 && z < towns->n; z++) {
        plat_sql_reset(st);
        plat_sql_bind_int64(st, 1, towns->v[z].id);
        plat_sql_bind_double(st, 2, plat_cov_zone_area(e, z));
        plat_sql_bind_double(st, 3, plat_cov_zone_area(pl, z));
        rc = plat_store__step_write(db, st, "storing a township's area");
    }
    plat_sql_finalize(st);
    return rc;
}

/* Measure the projects read into `projects` against the townships in `towns` and store it,
 * inside the caller's transaction; with ids == NULL every project's places are replaced and the
 * townships' areas stored too. */
static int measure_and_store(plat_store *db, const blobs *towns, const blobs *projects, const int64_t *ids, int nids)
{
    plat_cov *e = NULL, *pl = NULL;
    int rc = run_engine(db, &e, towns, projects, 0);
    if (rc >= 0)
        rc = run_engine(db, &pl, towns, projects, 1);
    if (rc >= 0)
        rc = delete_places(db, ids, nids);
    if (rc >= 0)
        rc = write_places(db, e, pl, towns, projects);
    if (rc >= 0 && !ids)
        rc = write_township_areas(db, e, pl, towns);
    if (rc >= 0 && !ids) /* new townships: the layers' figures per township are stale too */
        rc = plat_store__layer_sums_forget(db);
    plat_cov_free(e);
    plat_cov_free(pl);
    return rc;
}

static int refresh_all(plat_store *db)
{
    blobs towns = { 0 }, projects = { 0 };
    int rc = read_blobs(db, &towns, "SELECT id, AsBinary(geom) FROM townships ORDER BY county_code, code", 0);
    if (rc >= 0)
        rc = read_blobs(db, &projects, "SELECT id, AsBinary(geom) FROM projects "
                                       "WHERE geom IS NOT NULL AND removed_at IS NULL ORDER BY id", 0);
    if (rc >= 0)
        rc = measure_and_store(db, &towns, &projects, NULL, 0);
    blobs_dispose(&towns);
    blobs_dispose(&projects);
    return rc;
}

/* Only the townships whose box meets the stale projects' boxes take part, in the same order as
 * in refresh_all: a township that cannot touch a project changes nothing about where it lies,
 * and at a province's 2 000 townships reading and measuring all of them for one project would
 * cost a quarter of a second per edit. */
static int refresh_stale(plat_store *db)
{
    qsort(db->stale, (size_t)db->nstale, sizeof(int64_t), plat_store__cmp_id);
    int n = 0;
    for (int i = 0; i < db->nstale; i++)
        if (n == 0 || db->stale[n - 1] != db->stale[i])
            db->stale[n++] = db->stale[i];
    db->nstale = n;

    blobs towns = { 0 }, projects = { 0 };
    plat_stmt *box = NULL;
    double minx = 0, miny = 0, maxx = 0, maxy = 0;
    int have_box = 0;
    int rc = plat_store__prepare(db, &box, "SELECT MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), MbrMaxY(geom) "
                                           "FROM projects WHERE id = ? AND geom IS NOT NULL AND removed_at IS NULL");
    for (int i = 0; rc >= 0 && i < n; i++) {
        plat_sql_reset(box);
        plat_sql_bind_int64(box, 1, db->stale[i]);
        if (plat_sql_step(box) != PLAT_SQL_ROW || plat_sql_column_is_null(box, 0))
            continue;
        double b[4] = { plat_sql_column_double(box, 0), plat_sql_column_double(box, 1),
                        plat_sql_column_double(box, 2), plat_sql_column_double(box, 3) };
        minx = have_box ? fmin(minx, b[0]) : b[0];
        miny = have_box ? fmin(miny, b[1]) : b[1];
        maxx = have_box ? fmax(maxx, b[2]) : b[2];
        maxy = have_box ? fmax(maxy, b[3]) : b[3];
        have_box = 1;
        rc = read_blobs(db, &projects, "SELECT id, AsBinary(geom) FROM projects WHERE id = ?", db->stale[i]);
    }
    plat_sql_finalize(box);
    if (rc >= 0 && have_box) {
        plat_stmt *st = NULL;
        char filter[320], sql[512];
        plat_sql_box_filter(db, filter, sizeof filter, "townships", 1);
        snprintf(sql, sizeof sql, "SELECT id, AsBinary(geom) FROM townships WHERE %s ORDER BY county_code, code", filter);
        rc = plat_store__prepare(db, &st, sql);
        if (rc >= 0) {
            plat_sql_bind_double(st, 1, minx);
            plat_sql_bind_double(st, 2, miny);
            plat_sql_bind_double(st, 3, maxx);
            plat_sql_bind_double(st, 4, maxy);
            rc = read_rows(db, &towns, st);
        }
    }
    if (rc >= 0)
        rc = measure_and_store(db, &towns, &projects, db->stale, n);
    blobs_dispose(&towns);
    blobs_dispose(&projects);
    return rc;
}

int plat_store__refresh_places(plat_store *db, int64_t project_id)
{
    if (!db->srid || db->stale_all)
        return 0;
    if (!project_id) {
        db->stale_all = 1;
    } else {
        if (db->nstale == db->stale_cap) {
            int cap = db->stale_cap ? db->stale_cap * 2 : 16;
            int64_t *v = realloc(db->stale, (size_t)cap * sizeof(*v));
            if (!v)
                return plat_error_set(db->ctx, PLAT_ENOMEM, "out of memory");
            db->stale = v;
            db->stale_cap = cap;
        }
        db->stale[db->nstale++] = project_id;
    }
    /* Outside a transaction there is no commit to wait for. */
    if (db->tx_depth == 0) {
        int rc = plat_store__tx_begin(db);
        return plat_store__tx_end(db, rc);
    }
    return 0;
}

int plat_store__flush_places(plat_store *db)
{
    if (!db->stale_all && !db->nstale)
        return 0;
    int rc = plat_store__tx_begin(db);
    if (rc >= 0)
        rc = db->stale_all ? refresh_all(db) : refresh_stale(db);
    plat_store__drop_stale(db);
    return plat_store__tx_end(db, rc);
}

void plat_store__drop_stale(plat_store *db)
{
    free(db->stale);
    db->stale = NULL;
    db->nstale = db->stale_cap = 0;
    db->stale_all = 0;
}

int plat_store_refresh_places(plat_store *db)
{
    return plat_store__refresh_places(db, 0);
}

int plat_project_places(plat_store *db, int64_t project_id, int planar, int (*fn)(const plat_place_row *, void *),
                        void *ud)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, planar
        ? "SELECT t.code, t.name, t.county, p.planar_length_m, p.planar_area_m2, p.points FROM project_places p "
          "JOIN townships t ON t.id = p.township_id WHERE p.project_id = ? ORDER BY t.county_code, t.code"
        : "SELECT t.code, t.name, t.county, p.length_m, p.area_m2, p.points FROM project_places p "
          "JOIN townships t ON t.id = p.township_id WHERE p.project_id = ? ORDER BY t.county_code, t.code");
    if (rc < 0)
        return rc;
    plat_sql_bind_int64(st, 1, project_id);
    while (rc == 0 && plat_sql_step(st) == PLAT_SQL_ROW) {
        plat_place_row r = { plat_sql_column_text(st, 0), plat_sql_column_text(st, 1),
                             plat_sql_column_text(st, 2),
                             { plat_sql_column_double(st, 3), plat_sql_column_double(st, 4), plat_sql_column_int(st, 5) } };
        rc = fn(&r, ud);
    }
    plat_sql_finalize(st);
    return rc;
}

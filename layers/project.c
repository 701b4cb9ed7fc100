/* layers/project.c - projects and their append-only history.
 *
 * The projects table holds each project's current state; project_events holds every change
 * ever made, dated twice: `date` is the day the change is true for (a site report of 30 June
 * entered on 3 July) and `recorded_at` the moment it was written. The current status,
 * progress, quantity done and geometry are always re-derived from the events, latest date
 * first, so a late-entered report about an earlier day never overwrites a newer one. The
 * registration ("add") is the base of that replay and comes first in the history even when
 * reports about earlier days are entered after it (plans are often registered late).
 *
 * Removing a project keeps it: the row is marked removed, a "remove" event closes its history,
 * and its code stays taken so an old report can never be mistaken for a new project. */
#include <stdlib.h>
#include <string.h>

#include "layers_int.h"

#define PROJECT_COLUMNS                                                                          \
    "id, code, name, category, county, status, progress, done, target_qty, target_unit, "       \
    "lead_unit, source_doc, clause, year, investment, start_date, end_date, attrs, created_at, " \
    "updated_at, kinds, length_m, area_m2, points, planar_length_m, planar_area_m2"
#define PROJECT_GEOM_COLUMN 26 /* after PROJECT_COLUMNS */

void plat_project_dispose(plat_project *p)
{
    if (!p)
        return;
    char **s[] = { &p->code, &p->name, &p->category, &p->county, &p->status, &p->target_unit,
                   &p->lead_unit, &p->source_doc, &p->clause, &p->start_date, &p->end_date,
                   &p->attrs, &p->created_at, &p->updated_at };
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        free(*s[i]);
    free(p->wkb);
    memset(p, 0, sizeof(*p));
}

static int check_fields(plat_store *db, const plat_project *p)
{
    if (!p->code || !*p->code)
        return plat_error_set(db->ctx, PLAT_EINVALID, "a project needs a code (--code)");
    if (!p->name || !*p->name)
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s needs a name (--name)", p->code);
    if (!p->category || !*p->category)
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s needs a category (--category)", p->code);
    if (p->status && !plat_status_resolve(p->status))
        return plat_error_set(db->ctx, PLAT_EINVALID,
                              "project %s: unknown status '%s'; use planned, under_construction, completed or suspended",
                              p->code, p->status);
    if (!(p->progress >= 0 && p->progress <= 100))
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: progress must be between 0 and 100", p->code);
    if ((p->start_date && !plat_date_valid(p->start_date)) || (p->end_date && !plat_date_valid(p->end_date)))
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: dates must be YYYY-MM-DD", p->code);
    if (p->wkb && !db->srid)
        return plat_error_set(db->ctx, PLAT_EINVALID, "the ledger has no working CRS yet");
    char buf[64];
    return plat_category_resolve(db, buf, sizeof buf, p->category) < 0 || strcmp(buf, p->category) != 0
               ? plat_error_set(db->ctx, PLAT_EINVALID, "project %s: unknown category '%s'", p->code, p->category)
               : 0;
}

static int64_t find_id(plat_store *db, const char *code, int include_removed)
{
    sqlite3_stmt *st = NULL;
    int64_t id = 0;
    const char *sql = include_removed ? "SELECT id FROM projects WHERE code = ?"
                                      : "SELECT id FROM projects WHERE code = ? AND removed_at IS NULL";
    if (plat_store__prepare(db, &st, sql) < 0)
        return -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

/* Append one event. NULL/has_* = 0 fields are stored as NULL: "unchanged". */
static int add_event(plat_store *db, int64_t id, const char *kind, const char *date, const char *status,
                     const double *progress, const double *done, const char *note,
                     const unsigned char *wkb, size_t wkb_size)
{
    sqlite3_stmt *st = NULL;
    char today[16], now[32];
    int rc = plat_store__prepare(db, &st,
                                 "INSERT INTO project_events(project_id, kind, date, recorded_at, status, "
                                 "progress, done, note, geom_wkb) VALUES(?,?,?,?,?,?,?,?,?)");
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, date ? date : plat_date_today(today), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, plat_time_now(now), -1, SQLITE_TRANSIENT);
    plat_store__bind_text(st, 5, status);
    progress ? sqlite3_bind_double(st, 6, *progress) : sqlite3_bind_null(st, 6);
    done ? sqlite3_bind_double(st, 7, *done) : sqlite3_bind_null(st, 7);
    plat_store__bind_text(st, 8, note);
    wkb ? sqlite3_bind_blob(st, 9, wkb, (int)wkb_size, SQLITE_STATIC) : sqlite3_bind_null(st, 9);
    rc = plat_store__step_write(db, st, "appending to the project history");
    sqlite3_finalize(st);
    return rc;
}

/* Re-derive the current state from the history: the latest-dated value of each field wins. */
static int replay(plat_store *db, int64_t id, int geometry_changed)
{
    sqlite3_stmt *st = NULL;
    char now[32];
/* The registration is the base every later report builds on, whatever its date. */
#define LATEST(col) \
    "(SELECT " col " FROM project_events WHERE project_id = ?1 AND " col " IS NOT NULL " \
    "ORDER BY kind = 'add', date DESC, id DESC LIMIT 1)"
    const char *sql_attrs = "UPDATE projects SET status = coalesce(" LATEST("status") ", status), "
                            "progress = coalesce(" LATEST("progress") ", progress), "
                            "done = " LATEST("done") ", updated_at = ?2 WHERE id = ?1";
    const char *sql_geom = "UPDATE projects SET geom = GeomFromWKB(" LATEST("geom_wkb") ", ?3) WHERE id = ?1";
#undef LATEST
    int rc = plat_store__prepare(db, &st, sql_attrs);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, plat_time_now(now), -1, SQLITE_TRANSIENT);
    rc = plat_store__step_write(db, st, "updating the project");
    sqlite3_finalize(st);
    if (rc < 0 || !geometry_changed)
        return rc;
    if ((rc = plat_store__prepare(db, &st, sql_geom)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 3, db->srid);
    rc = plat_store__step_write(db, st, "updating the project geometry");
    sqlite3_finalize(st);
    return rc;
}

/* Bind a project's descriptive fields, the ones add and replace both write, as the 13
 * parameters from `first` on: name, category, county, target qty and unit, lead unit, source
 * document, clause, year, investment, start and end dates, attrs. */
static void bind_description(sqlite3_stmt *st, int first, const plat_project *p)
{
    int i = first;
    plat_store__bind_text(st, i++, p->name);
    plat_store__bind_text(st, i++, p->category);
    plat_store__bind_text(st, i++, p->county);
    p->has_target ? sqlite3_bind_double(st, i, p->target_qty) : sqlite3_bind_null(st, i);
    i++;
    plat_store__bind_text(st, i++, p->has_target ? p->target_unit : NULL);
    plat_store__bind_text(st, i++, p->lead_unit);
    plat_store__bind_text(st, i++, p->source_doc);
    plat_store__bind_text(st, i++, p->clause);
    p->year ? sqlite3_bind_int(st, i, p->year) : sqlite3_bind_null(st, i);
    i++;
    p->has_investment ? sqlite3_bind_double(st, i, p->investment) : sqlite3_bind_null(st, i);
    i++;
    plat_store__bind_text(st, i++, p->start_date);
    plat_store__bind_text(st, i++, p->end_date);
    plat_store__bind_text(st, i, p->attrs);
}

int plat_project_add(plat_store *db, const plat_project *p, const char *date, const char *note)
{
    int rc = check_fields(db, p);
    if (rc < 0)
        return rc;
    if (date && !plat_date_valid(date))
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: --date must be YYYY-MM-DD, got '%s'", p->code, date);
    const char *status = p->status ? plat_status_resolve(p->status) : "planned";
    sqlite3_stmt *st = NULL;
    char now[32];
    if ((rc = plat_store__tx_begin(db)) < 0)
        return rc;
    int64_t existing = find_id(db, p->code, 1);
    if (existing != 0) {
        rc = existing < 0 ? PLAT_EIO
                          : find_id(db, p->code, 0) > 0
                                ? plat_error_set(db->ctx, PLAT_EEXISTS, "project %s already exists; use `plat project update`", p->code)
                                : plat_error_set(db->ctx, PLAT_EEXISTS,
                                                 "project code %s belonged to a removed project and is kept in its history; choose another code",
                                                 p->code);
        goto done;
    }
    rc = plat_store__prepare(db, &st,
                             "INSERT INTO projects(code, name, category, county, target_qty, target_unit, "
                             "lead_unit, source_doc, clause, year, investment, start_date, end_date, attrs, "
                             "status, progress, created_at, updated_at) "
                             "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?17)");
    if (rc < 0)
        goto done;
    plat_store__bind_text(st, 1, p->code);
    bind_description(st, 2, p);
    plat_store__bind_text(st, 15, status);
    sqlite3_bind_double(st, 16, p->progress);
    sqlite3_bind_text(st, 17, plat_time_now(now), -1, SQLITE_TRANSIENT);
    if ((rc = plat_store__step_write(db, st, "adding the project")) < 0)
        goto done;
    int64_t id = sqlite3_last_insert_rowid(db->db);
    if ((rc = add_event(db, id, "add", date, status, &p->progress, NULL, note, p->wkb, p->wkb_size)) < 0)
        goto done;
    if ((rc = replay(db, id, p->wkb != NULL)) >= 0 && p->wkb)
        rc = plat_store__refresh_places(db, id);
done:
    sqlite3_finalize(st);
    return plat_store__tx_end(db, rc);
}

static void read_row(sqlite3_stmt *st, plat_project *p, int geom_col)
{
    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(st, 0);
    p->code = plat_store__column_strdup(st, 1);
    p->name = plat_store__column_strdup(st, 2);
    p->category = plat_store__column_strdup(st, 3);
    p->county = plat_store__column_strdup(st, 4);
    p->status = plat_store__column_strdup(st, 5);
    p->progress = sqlite3_column_double(st, 6);
    if ((p->has_done = sqlite3_column_type(st, 7) != SQLITE_NULL))
        p->done = sqlite3_column_double(st, 7);
    if ((p->has_target = sqlite3_column_type(st, 8) != SQLITE_NULL)) {
        p->target_qty = sqlite3_column_double(st, 8);
        p->target_unit = plat_store__column_strdup(st, 9);
    }
    p->lead_unit = plat_store__column_strdup(st, 10);
    p->source_doc = plat_store__column_strdup(st, 11);
    p->clause = plat_store__column_strdup(st, 12);
    p->year = sqlite3_column_int(st, 13);
    if ((p->has_investment = sqlite3_column_type(st, 14) != SQLITE_NULL))
        p->investment = sqlite3_column_double(st, 14);
    p->start_date = plat_store__column_strdup(st, 15);
    p->end_date = plat_store__column_strdup(st, 16);
    p->attrs = plat_store__column_strdup(st, 17);
    p->created_at = plat_store__column_strdup(st, 18);
    p->updated_at = plat_store__column_strdup(st, 19);
    p->kinds = sqlite3_column_int(st, 20);
    p->measured.length_m = sqlite3_column_double(st, 21);
    p->measured.area_m2 = sqlite3_column_double(st, 22);
    p->measured.points = sqlite3_column_int(st, 23);
    p->measured_planar.length_m = sqlite3_column_double(st, 24);
    p->measured_planar.area_m2 = sqlite3_column_double(st, 25);
    p->measured_planar.points = p->measured.points;
    int n = sqlite3_column_bytes(st, geom_col);
    if (n > 0 && (p->wkb = malloc((size_t)n))) {
        memcpy(p->wkb, sqlite3_column_blob(st, geom_col), (size_t)n);
        p->wkb_size = (size_t)n;
    }
}

int plat_project_get(plat_store *db, plat_project *out, const char *code)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof(*out));
    const char *sql = db->srid
        ? "SELECT " PROJECT_COLUMNS ", AsBinary(geom) FROM projects WHERE code = ? AND removed_at IS NULL"
        : "SELECT " PROJECT_COLUMNS ", NULL FROM projects WHERE code = ? AND removed_at IS NULL";
    int rc = plat_store__prepare(db, &st, sql);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        read_row(st, out, PROJECT_GEOM_COLUMN);
    else
        rc = plat_error_set(db->ctx, PLAT_ENOTFOUND, "no project with code %s (see `plat project list`)", code);
    sqlite3_finalize(st);
    return rc;
}

int plat_project_foreach(plat_store *db, const plat_project_filter *f,
                         int (*fn)(const plat_project *p, void *), void *ud)
{
    plat_buf sql = PLAT_BUF_INIT;
    sqlite3_stmt *st = NULL;
    plat_buf_printf(&sql, "SELECT " PROJECT_COLUMNS ", %s FROM projects WHERE removed_at IS NULL",
                    db->srid ? "AsBinary(geom)" : "NULL");
    if (f && f->township) /* a township by code or name; failing that, a county's townships */
        plat_buf_puts(&sql, " AND id IN (SELECT pp.project_id FROM project_places pp JOIN townships t "
                            "ON t.id = pp.township_id WHERE CASE WHEN EXISTS (SELECT 1 FROM townships "
                            "WHERE code = ?6 OR name = ?6) THEN t.code = ?6 OR t.name = ?6 "
                            "ELSE t.county = ?6 OR t.county_code = ?6 END)");
    if (f && f->county)
        plat_buf_puts(&sql, " AND county = ?1");
    if (f && f->category)
        plat_buf_puts(&sql, " AND category = ?2");
    if (f && f->status)
        plat_buf_puts(&sql, " AND status = ?3");
    if (f && f->bbox_wkb) {
        if (!db->srid) /* no geometry anywhere yet: nothing can meet the box */
            plat_buf_puts(&sql, " AND 0");
        else
            plat_buf_puts(&sql, " AND id IN (SELECT rowid FROM SpatialIndex WHERE f_table_name = 'projects' "
                                "AND f_geometry_column = 'geom' AND search_frame = GeomFromWKB(?4, ?5))");
    }
    plat_buf_puts(&sql, " ORDER BY code");
    int rc = plat_store__prepare(db, &st, plat_buf_cstr(&sql));
    plat_buf_dispose(&sql);
    if (rc < 0)
        return rc;
    if (f) {
        plat_store__bind_text(st, 1, f->county);
        plat_store__bind_text(st, 2, f->category);
        plat_store__bind_text(st, 3, f->status);
        plat_store__bind_text(st, 6, f->township);
        if (f->bbox_wkb && db->srid) {
            sqlite3_bind_blob(st, 4, f->bbox_wkb, (int)f->bbox_wkb_size, SQLITE_STATIC);
            sqlite3_bind_int(st, 5, db->srid);
        }
    }
    while (rc == 0) {
        int s = sqlite3_step(st);
        if (s == SQLITE_DONE)
            break;
        if (s != SQLITE_ROW) {
            rc = plat_store__sqlite_err(db, "reading projects");
            break;
        }
        plat_project p;
        read_row(st, &p, PROJECT_GEOM_COLUMN);
        rc = fn(&p, ud);
        plat_project_dispose(&p);
    }
    sqlite3_finalize(st);
    return rc;
}

int plat_project_update(plat_store *db, const char *code, const plat_project_change *c)
{
    const char *status = NULL;
    if (c->status && !(status = plat_status_resolve(c->status)))
        return plat_error_set(db->ctx, PLAT_EINVALID,
                              "unknown status '%s'; use planned, under_construction, completed or suspended", c->status);
    if (c->has_progress && !(c->progress >= 0 && c->progress <= 100))
        return plat_error_set(db->ctx, PLAT_EINVALID, "progress must be between 0 and 100, got %g", c->progress);
    if (c->has_done && !(c->done >= 0))
        return plat_error_set(db->ctx, PLAT_EINVALID, "the quantity done must not be negative, got %g", c->done);
    if (c->date && !plat_date_valid(c->date))
        return plat_error_set(db->ctx, PLAT_EINVALID, "--date must be YYYY-MM-DD, got '%s'", c->date);
    if (!status && !c->has_progress && !c->has_done && !c->note && !c->wkb)
        return plat_error_set(db->ctx, PLAT_EINVALID,
                              "nothing to update for %s: give --status, --progress, --done, --note or --geom", code);
    if (c->wkb && !db->srid)
        return plat_error_set(db->ctx, PLAT_EINVALID, "the ledger has no working CRS yet");
    /* A completed project is 100 % done unless the report says otherwise. */
    double progress = c->progress;
    int has_progress = c->has_progress;
    if (status && strcmp(status, "completed") == 0 && !has_progress) {
        progress = 100;
        has_progress = 1;
    }
    int rc = plat_store__tx_begin(db);
    if (rc < 0)
        return rc;
    int64_t id = find_id(db, code, 0);
    if (id <= 0) {
        rc = id < 0 ? PLAT_EIO : plat_error_set(db->ctx, PLAT_ENOTFOUND, "no project with code %s (see `plat project list`)", code);
        return plat_store__tx_end(db, rc);
    }
    rc = add_event(db, id, "update", c->date, status, has_progress ? &progress : NULL,
                   c->has_done ? &c->done : NULL, c->note, c->wkb, c->wkb_size);
    if (rc >= 0)
        rc = replay(db, id, c->wkb != NULL);
    if (rc >= 0 && c->wkb)
        rc = plat_store__refresh_places(db, id);
    return plat_store__tx_end(db, rc);
}

int plat_project_remove(plat_store *db, const char *code, const char *date, const char *note)
{
    if (date && !plat_date_valid(date))
        return plat_error_set(db->ctx, PLAT_EINVALID, "--date must be YYYY-MM-DD, got '%s'", date);
    int rc = plat_store__tx_begin(db);
    if (rc < 0)
        return rc;
    int64_t id = find_id(db, code, 0);
    if (id <= 0) {
        rc = id < 0 ? PLAT_EIO : plat_error_set(db->ctx, PLAT_ENOTFOUND, "no project with code %s (see `plat project list`)", code);
        return plat_store__tx_end(db, rc);
    }
    rc = add_event(db, id, "remove", date, NULL, NULL, NULL, note, NULL, 0);
    sqlite3_stmt *st = NULL;
    if (rc >= 0 && (rc = plat_store__prepare(db, &st, "UPDATE projects SET removed_at = ?2, updated_at = ?2 WHERE id = ?1")) >= 0) {
        char now[32];
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, plat_time_now(now), -1, SQLITE_TRANSIENT);
        rc = plat_store__step_write(db, st, "removing the project");
    }
    sqlite3_finalize(st);
    return plat_store__tx_end(db, rc);
}

int plat_project_history(plat_store *db, const char *code, int (*fn)(const plat_event *e, void *), void *ud)
{
    int64_t id = find_id(db, code, 0);
    if (id < 0)
        return PLAT_EIO;
    if (id == 0)
        return plat_error_set(db->ctx, PLAT_ENOTFOUND, "no project with code %s (see `plat project list`)", code);
    sqlite3_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st,
                                 "SELECT id, kind, date, recorded_at, status, progress, done, note, geom_wkb IS NOT NULL "
                                 "FROM project_events WHERE project_id = ? ORDER BY kind <> 'add', date, id");
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        plat_event e = { 0 };
        e.id = sqlite3_column_int64(st, 0);
        e.kind = (const char *)sqlite3_column_text(st, 1);
        e.date = (const char *)sqlite3_column_text(st, 2);
        e.recorded_at = (const char *)sqlite3_column_text(st, 3);
        e.status = (const char *)sqlite3_column_text(st, 4);
        if ((e.has_progress = sqlite3_column_type(st, 5) != SQLITE_NULL))
            e.progress = sqlite3_column_double(st, 5);
        if ((e.has_done = sqlite3_column_type(st, 6) != SQLITE_NULL))
            e.done = sqlite3_column_double(st, 6);
        e.note = (const char *)sqlite3_column_text(st, 7);
        e.geometry_changed = sqlite3_column_int(st, 8);
        rc = fn(&e, ud);
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- re-import (plat project import --upsert) ----
 *
 * A file imported again says what a project is now. Its descriptive columns (name, category,
 * county, target, lead unit, document, clause, year, investment, dates, kept source attributes)
 * are descriptions, not history, and are replaced as a whole. What happened to it (status,
 * progress, quantity done, geometry) goes through the history as one 'update' event like any
 * other, so replay() still derives the current state and a site report dated after the import
 * still wins over it. */
int plat_project_replace(plat_store *db, const plat_project *p, const plat_project_change *c)
{
    int rc = check_fields(db, p);
    if (rc < 0)
        return rc;
    const char *status = NULL;
    if (c->status && !(status = plat_status_resolve(c->status)))
        return plat_error_set(db->ctx, PLAT_EINVALID,
                              "project %s: unknown status '%s'; use planned, under_construction, completed or suspended",
                              p->code, c->status);
    if (c->has_progress && !(c->progress >= 0 && c->progress <= 100))
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: progress must be between 0 and 100, got %g", p->code,
                              c->progress);
    if (c->has_done && !(c->done >= 0))
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: the quantity done must not be negative", p->code);
    if (c->date && !plat_date_valid(c->date))
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: the date must be YYYY-MM-DD, got '%s'", p->code,
                              c->date);
    if (c->wkb && !db->srid)
        return plat_error_set(db->ctx, PLAT_EINVALID, "the ledger has no working CRS yet");
    /* As in plat_project_update: a completed project is 100 % done unless the report says otherwise. */
    double progress = c->progress;
    int has_progress = c->has_progress;
    if (status && strcmp(status, "completed") == 0 && !has_progress) {
        progress = 100;
        has_progress = 1;
    }
    if ((rc = plat_store__tx_begin(db)) < 0)
        return rc;
    sqlite3_stmt *st = NULL;
    char now[32];
    int64_t id = find_id(db, p->code, 0);
    if (id <= 0) {
        rc = id < 0 ? PLAT_EIO
                    : plat_error_set(db->ctx, PLAT_ENOTFOUND, "no project with code %s (see `plat project list`)", p->code);
        goto done;
    }
    rc = plat_store__prepare(db, &st,
                             "UPDATE projects SET name = ?2, category = ?3, county = ?4, target_qty = ?5, "
                             "target_unit = ?6, lead_unit = ?7, source_doc = ?8, clause = ?9, year = ?10, "
                             "investment = ?11, start_date = ?12, end_date = ?13, attrs = ?14, updated_at = ?15 "
                             "WHERE id = ?1");
    if (rc < 0)
        goto done;
    sqlite3_bind_int64(st, 1, id);
    bind_description(st, 2, p);
    sqlite3_bind_text(st, 15, plat_time_now(now), -1, SQLITE_TRANSIENT);
    if ((rc = plat_store__step_write(db, st, "replacing the project's description")) < 0)
        goto done;
    rc = add_event(db, id, "update", c->date, status, has_progress ? &progress : NULL, c->has_done ? &c->done : NULL,
                   c->note, c->wkb, c->wkb_size);
    if (rc >= 0)
        rc = replay(db, id, c->wkb != NULL);
    if (rc >= 0 && c->wkb) /* as plat_project_update: where it lies changes with its geometry */
        rc = plat_store__refresh_places(db, id);
done:
    sqlite3_finalize(st);
    return plat_store__tx_end(db, rc);
}

/* layers/project.c - projects and their append-only history.
 *
 * project_events holds every change ever made to a project, dated twice: `date` is the day the
 * change is true for (a site report of 30 June entered on 3 July) and `recorded_at` the moment it
 * was written. An event carries whatever it changed: status, progress, quantity done, a new
 * geometry, the finished sections, a new description (JSON), the location precision; a correction
 * names the event it corrects. Nothing is ever overwritten: a project's state at any moment is
 * the fold of its events (fold(): registration first, then by date, then as recorded; the latest
 * value of each field wins), cut at the end of a day (--as-of) and at what was recorded by a day
 * (--as-recorded). The projects table holds the fold with no cut, written after every change, so
 * today's state is read without replaying anything; reading at a cut folds each project again
 * and measures its geometry of then.
 *
 * The registration ("add") is the base of the fold and comes first even when reports about
 * earlier days are entered after it (plans are often registered late); a project does not exist
 * before its registration's date. Events are hash-chained (history.c).
 *
 * Removing a project keeps it: the row is marked removed, a "remove" event closes its history,
 * and its code stays taken so an old report can never be mistaken for a new project.
 *
 * Many editors (issue 11): writers take turns, so two updates at once both land, in order. An
 * edit made on a copy read earlier (a `project show`, an export edited in QGIS and imported
 * again with --upsert) says which version it started from, the id of the project's newest
 * event then; if another event has been appended since, the edit is refused rather than laid
 * over a change its author never saw (check_version). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers_int.h"
#include "plat/locate.h"

#define PROJECT_COLUMNS                                                                          \
    "id, code, name, category, county, status, progress, done, target_qty, target_unit, "       \
    "lead_unit, source_doc, clause, year, investment, start_date, end_date, attrs, created_at, " \
    "updated_at, kinds, length_m, area_m2, points, planar_length_m, planar_area_m2, precision, place, " \
    "done_wkb, " PROJECT_VERSION
#define PROJECT_GEOM_COLUMN 30 /* after PROJECT_COLUMNS */
/* A project's version: the id of its newest event. Every write appends one, so the version
 * moves with every update, replacement, correction and removal, and it is the number `project
 * show` gives the event. Looked up through the index on project_id rather than kept in the
 * row, so no write can forget to move it. */
#define PROJECT_VERSION "(SELECT max(e.id) FROM project_events e WHERE e.project_id = projects.id)"

void plat_project_dispose(plat_project *p)
{
    if (!p)
        return;
    char **s[] = { &p->code, &p->name, &p->category, &p->county, &p->status, &p->target_unit,
                   &p->lead_unit, &p->source_doc, &p->clause, &p->start_date, &p->end_date,
                   &p->attrs, &p->created_at, &p->updated_at, &p->precision, &p->place };
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        free(*s[i]);
    free(p->wkb);
    free(p->done_wkb);
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
    plat_stmt *st = NULL;
    int64_t id = 0;
    const char *sql = include_removed ? "SELECT id FROM projects WHERE code = ?"
                                      : "SELECT id FROM projects WHERE code = ? AND removed_at IS NULL";
    if (plat_store__prepare(db, &st, sql) < 0)
        return -1;
    plat_sql_bind_text(st, 1, code);
    if (plat_sql_step(st) == PLAT_SQL_ROW)
        id = plat_sql_column_int64(st, 0);
    plat_sql_finalize(st);
    return id;
}

int plat_precision_valid(const char *precision)
{
    static const char *const v[] = { "surveyed", "sketched", "township", "county", "none" };
    for (size_t i = 0; precision && i < sizeof(v) / sizeof(v[0]); i++)
        if (strcmp(precision, v[i]) == 0)
            return 1;
    return 0;
}

static void bind_description(plat_stmt *st, int first, const plat_project *p);

/* One event to append. NULL/0 fields are stored as NULL: "unchanged". */
typedef struct event_row {
    const char *kind, *date, *status;
    const double *progress, *done;
    const char *note;
    const unsigned char *wkb, *done_wkb;
    size_t wkb_size, done_wkb_size;
    const char *fields, *precision, *place;
    int64_t corrects;
} event_row;

/* Append one event, chained to the last one (history.c): its id is the next, its prev_hash the
 * last event's hash, and its hash is computed here from the values bound, in the order and
 * types plat verify reads them back in. Writers take turns (plat_store__tx_begin), so the last
 * event cannot change between the read and the insert. */
static int add_event(plat_store *db, int64_t id, const event_row *e)
{
    plat_stmt *st = NULL;
    char today[16], now[32], prev[65] = "", hash[65];
    int64_t next = 1;
    int rc = plat_store__prepare(db, &st, "SELECT id, hash FROM project_events ORDER BY id DESC LIMIT 1");
    if (rc < 0)
        return rc;
    int s = plat_sql_step(st);
    if (s == PLAT_SQL_ROW) {
        next = plat_sql_column_int64(st, 0) + 1;
        snprintf(prev, sizeof prev, "%s", plat_sql_column_text(st, 1));
    }
    plat_sql_finalize(st);
    if (s != PLAT_SQL_ROW && s != PLAT_SQL_DONE)
        return plat_store__db_err(db, "reading the project history");

    const char *date = e->date ? e->date : plat_date_today(today);
    plat_time_now(now);
    plat_sha256 h;
    plat_sha256_init(&h);
    plat_event_hash_text(&h, prev);
    plat_event_hash_int(&h, next);
    plat_event_hash_int(&h, id);
    plat_event_hash_text(&h, e->kind);
    plat_event_hash_text(&h, date);
    plat_event_hash_text(&h, now);
    plat_event_hash_text(&h, e->status);
    e->progress ? plat_event_hash_double(&h, *e->progress) : plat_event_hash_null(&h);
    e->done ? plat_event_hash_double(&h, *e->done) : plat_event_hash_null(&h);
    plat_event_hash_text(&h, e->note);
    plat_event_hash_blob(&h, e->wkb, e->wkb_size);
    plat_event_hash_blob(&h, e->done_wkb, e->done_wkb_size);
    plat_event_hash_text(&h, e->fields);
    plat_event_hash_text(&h, e->precision);
    plat_event_hash_text(&h, e->place);
    e->corrects ? plat_event_hash_int(&h, e->corrects) : plat_event_hash_null(&h);
    plat_sha256_hex(&h, hash);

    rc = plat_store__prepare(db, &st,
        "INSERT INTO project_events(" PLAT_EVENT_HASHED ", prev_hash, hash) "
        "VALUES(?15, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?16, ?17)");
    if (rc < 0)
        return rc;
    plat_sql_bind_int64(st, 1, id);
    plat_sql_bind_text(st, 2, e->kind);
    plat_sql_bind_text(st, 3, date);
    plat_sql_bind_text(st, 4, now);
    plat_sql_bind_text(st, 5, e->status);
    e->progress ? plat_sql_bind_double(st, 6, *e->progress) : plat_sql_bind_null(st, 6);
    e->done ? plat_sql_bind_double(st, 7, *e->done) : plat_sql_bind_null(st, 7);
    plat_sql_bind_text(st, 8, e->note);
    plat_sql_bind_blob_ref(st, 9, e->wkb, e->wkb_size);
    plat_sql_bind_blob_ref(st, 10, e->done_wkb, e->done_wkb_size);
    plat_sql_bind_text(st, 11, e->fields);
    plat_sql_bind_text(st, 12, e->precision);
    plat_sql_bind_text(st, 13, e->place);
    e->corrects ? plat_sql_bind_int64(st, 14, e->corrects) : plat_sql_bind_null(st, 14);
    plat_sql_bind_int64(st, 15, next);
    plat_sql_bind_text(st, 16, prev);
    plat_sql_bind_text(st, 17, hash);
    rc = plat_store__step_write(db, st, "appending to the project history");
    plat_sql_finalize(st);
    return rc;
}

/* ---- the fold: a project's state from its events ---- */

/* Visible events of one project, registration first, then by date, then as recorded. A
 * correction plays the role of the event it corrects (a corrected registration is still the
 * registration); a corrected event is left out once its correction is visible. */
#define FOLD_ROLE                                                                                              \
    "CASE WHEN kind = 'correct' THEN coalesce((SELECT c.kind FROM project_events c WHERE c.id = "           \
    "e.corrects), 'update') ELSE kind END"
#define FOLD_SQL                                                                                               \
    "SELECT " FOLD_ROLE ", status, progress, done, geom_wkb, done_wkb, precision, "                             \
    "place, fields IS NOT NULL, json_extract(fields, '$.name'), json_extract(fields, '$.category'), "          \
    "json_extract(fields, '$.county'), json_extract(fields, '$.target_qty'), "                                  \
    "json_extract(fields, '$.target_unit'), json_extract(fields, '$.lead_unit'), "                              \
    "json_extract(fields, '$.source_doc'), json_extract(fields, '$.clause'), json_extract(fields, '$.year'), "   \
    "json_extract(fields, '$.investment'), json_extract(fields, '$.start_date'), "                              \
    "json_extract(fields, '$.end_date'), json_extract(fields, '$.attrs'), id "                                  \
    "FROM project_events e WHERE project_id = ?1 AND (date <= ?2 OR ?2 IS NULL) "                               \
    "AND (substr(recorded_at, 1, 10) <= ?3 OR ?3 IS NULL) AND NOT EXISTS (SELECT 1 FROM project_events c "     \
    "WHERE c.corrects = e.id AND (substr(c.recorded_at, 1, 10) <= ?3 OR ?3 IS NULL)) "                         \
    "ORDER BY (" FOLD_ROLE ") <> 'add', date, id"

static void set_str(char **dst, plat_stmt *st, int col)
{
    free(*dst);
    *dst = plat_store__column_strdup(st, col);
}

static void set_blob(unsigned char **dst, size_t *size, plat_stmt *st, int col)
{
    int n = plat_sql_column_bytes(st, col);
    free(*dst);
    *dst = NULL;
    *size = 0;
    if (n > 0 && (*dst = malloc((size_t)n))) {
        memcpy(*dst, plat_sql_column_blob(st, col), (size_t)n);
        *size = (size_t)n;
    }
}

/* Apply the description an event set. */
static void take_fields(plat_project *p, plat_stmt *st, int c)
{
    set_str(&p->name, st, c);
    set_str(&p->category, st, c + 1);
    set_str(&p->county, st, c + 2);
    p->has_target = !plat_sql_column_is_null(st, c + 3);
    p->target_qty = p->has_target ? plat_sql_column_double(st, c + 3) : 0;
    set_str(&p->target_unit, st, c + 4);
    set_str(&p->lead_unit, st, c + 5);
    set_str(&p->source_doc, st, c + 6);
    set_str(&p->clause, st, c + 7);
    p->year = plat_sql_column_int(st, c + 8);
    p->has_investment = !plat_sql_column_is_null(st, c + 9);
    p->investment = p->has_investment ? plat_sql_column_double(st, c + 9) : 0;
    set_str(&p->start_date, st, c + 10);
    set_str(&p->end_date, st, c + 11);
    set_str(&p->attrs, st, c + 12);
}

/* Fold the visible events of project `id` into p (which holds its row from the table, code
 * and dates included); p->version becomes the newest of them. *exists: registered by then and
 * not removed. */
static int fold(plat_store *db, int64_t id, const char *as_of, const char *as_recorded, plat_project *p, int *exists)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, FOLD_SQL);
    if (rc < 0)
        return rc;
    plat_sql_bind_int64(st, 1, id);
    plat_sql_bind_text(st, 2, as_of);
    plat_sql_bind_text(st, 3, as_recorded);
    *exists = 0;
    p->has_done = 0;
    free(p->wkb);
    free(p->done_wkb);
    p->wkb = p->done_wkb = NULL;
    p->wkb_size = p->done_wkb_size = 0;
    p->version = 0;
    int s;
    while ((s = plat_sql_step(st)) == PLAT_SQL_ROW) {
        const char *role = plat_sql_column_text(st, 0);
        if (plat_sql_column_int64(st, 22) > p->version)
            p->version = plat_sql_column_int64(st, 22);
        if (strcmp(role, "add") == 0)
            *exists = 1;
        else if (strcmp(role, "remove") == 0)
            *exists = 0;
        if (!plat_sql_column_is_null(st, 1))
            set_str(&p->status, st, 1);
        if (!plat_sql_column_is_null(st, 2))
            p->progress = plat_sql_column_double(st, 2);
        if (!plat_sql_column_is_null(st, 3)) {
            p->has_done = 1;
            p->done = plat_sql_column_double(st, 3);
        }
        if (!plat_sql_column_is_null(st, 4))
            set_blob(&p->wkb, &p->wkb_size, st, 4);
        if (!plat_sql_column_is_null(st, 5))
            set_blob(&p->done_wkb, &p->done_wkb_size, st, 5);
        if (!plat_sql_column_is_null(st, 6)) {
            set_str(&p->precision, st, 6);
            set_str(&p->place, st, 7);
        }
        if (plat_sql_column_int(st, 8))
            take_fields(p, st, 9);
    }
    if (s != PLAT_SQL_DONE)
        rc = plat_store__db_err(db, "reading the project history");
    plat_sql_finalize(st);
    return rc;
}

/* Measure p's geometry (after a fold changed it): kinds, ellipsoidal and planar. */
static int measure_project(plat_store *db, plat_project *p)
{
    p->kinds = 0;
    memset(&p->measured, 0, sizeof p->measured);
    memset(&p->measured_planar, 0, sizeof p->measured_planar);
    if (!p->wkb || !db->srid)
        return 0;
    GEOSGeometry *g = NULL;
    plat_measure *m = NULL;
    int rc = plat_geom_from_wkb(db->ctx, &g, p->wkb, p->wkb_size);
    if (rc >= 0 && (rc = plat_geom_kinds(db->ctx, g)) >= 0)
        p->kinds = rc;
    if (rc >= 0 && (rc = plat_measure_new(db->ctx, &m, db->srid, 0)) >= 0)
        rc = plat_measure_geom(m, &p->measured, g);
    plat_measure_free(m);
    m = NULL;
    if (rc >= 0 && (rc = plat_measure_new(db->ctx, &m, db->srid, 1)) >= 0)
        rc = plat_measure_geom(m, &p->measured_planar, g);
    plat_measure_free(m);
    if (g)
        GEOSGeom_destroy_r(plat_gis_geos(db->ctx), g);
    return rc < 0 ? rc : 0;
}

/* Write the fold with no cut into the projects row: the state today by everything recorded. */
static int replay(plat_store *db, int64_t id, int geometry_changed)
{
    plat_project p = { 0 };
    plat_stmt *st = NULL;
    char now[32];
    int exists;
    int rc = fold(db, id, NULL, NULL, &p, &exists);
    if (rc >= 0)
        rc = plat_store__prepare(db, &st,
            "UPDATE projects SET status = coalesce(?2, status), progress = ?3, done = ?4, name = ?5, category = ?6,"
            " county = ?7, target_qty = ?8, target_unit = ?9, lead_unit = ?10, source_doc = ?11, clause = ?12,"
            " year = ?13, investment = ?14, start_date = ?15, end_date = ?16, attrs = ?17,"
            " precision = coalesce(?18, 'none'), place = ?19, done_wkb = ?20, updated_at = ?21 WHERE id = ?1");
    if (rc >= 0) {
        plat_sql_bind_int64(st, 1, id);
        plat_sql_bind_text(st, 2, p.status);
        plat_sql_bind_double(st, 3, p.progress);
        p.has_done ? plat_sql_bind_double(st, 4, p.done) : plat_sql_bind_null(st, 4);
        bind_description(st, 5, &p);
        plat_sql_bind_text(st, 18, p.precision);
        plat_sql_bind_text(st, 19, p.place);
        p.done_wkb ? plat_sql_bind_blob_ref(st, 20, p.done_wkb, (int)p.done_wkb_size)
                   : plat_sql_bind_null(st, 20);
        plat_sql_bind_text(st, 21, plat_time_now(now));
        rc = plat_store__step_write(db, st, "updating the project");
    }
    plat_sql_finalize(st);
    st = NULL;
    if (rc >= 0 && geometry_changed &&
        (rc = plat_store__prepare(db, &st, "UPDATE projects SET geom = GeomFromWKB(?2, ?3) WHERE id = ?1")) >= 0) {
        plat_sql_bind_int64(st, 1, id);
        p.wkb ? plat_sql_bind_blob_ref(st, 2, p.wkb, (int)p.wkb_size) : plat_sql_bind_null(st, 2);
        plat_sql_bind_int(st, 3, db->srid);
        rc = plat_store__step_write(db, st, "updating the project geometry");
    }
    plat_sql_finalize(st);
    plat_project_dispose(&p);
    return rc;
}

/* The description of p as the JSON object an event stores (SQLite's json_object). */
static int description_json(plat_store *db, const plat_project *p, char **out)
{
    plat_stmt *st = NULL;
    *out = NULL;
    int rc = plat_store__prepare(db, &st,
        /* typed, so that PostgreSQL's json_build_object knows what a NULL is */
        "SELECT json_object('name', CAST(?1 AS TEXT), 'category', CAST(?2 AS TEXT), 'county', CAST(?3 AS TEXT),"
        " 'target_qty', CAST(?4 AS REAL), 'target_unit', CAST(?5 AS TEXT), 'lead_unit', CAST(?6 AS TEXT),"
        " 'source_doc', CAST(?7 AS TEXT), 'clause', CAST(?8 AS TEXT), 'year', CAST(?9 AS INTEGER),"
        " 'investment', CAST(?10 AS REAL), 'start_date', CAST(?11 AS TEXT), 'end_date', CAST(?12 AS TEXT),"
        " 'attrs', CAST(?13 AS TEXT))");
    if (rc < 0)
        return rc;
    bind_description(st, 1, p);
    if (plat_sql_step(st) == PLAT_SQL_ROW)
        *out = plat_store__column_strdup(st, 0);
    else
        rc = plat_store__db_err(db, "describing the project");
    plat_sql_finalize(st);
    return rc;
}

/* Bind a project's descriptive fields, the ones add and replace both write, as the 13
 * parameters from `first` on: name, category, county, target qty and unit, lead unit, source
 * document, clause, year, investment, start and end dates, attrs. */
static void bind_description(plat_stmt *st, int first, const plat_project *p)
{
    int i = first;
    plat_sql_bind_text(st, i++, p->name);
    plat_sql_bind_text(st, i++, p->category);
    plat_sql_bind_text(st, i++, p->county);
    p->has_target ? plat_sql_bind_double(st, i, p->target_qty) : plat_sql_bind_null(st, i);
    i++;
    plat_sql_bind_text(st, i++, p->has_target ? p->target_unit : NULL);
    plat_sql_bind_text(st, i++, p->lead_unit);
    plat_sql_bind_text(st, i++, p->source_doc);
    plat_sql_bind_text(st, i++, p->clause);
    p->year ? plat_sql_bind_int(st, i, p->year) : plat_sql_bind_null(st, i);
    i++;
    p->has_investment ? plat_sql_bind_double(st, i, p->investment) : plat_sql_bind_null(st, i);
    i++;
    plat_sql_bind_text(st, i++, p->start_date);
    plat_sql_bind_text(st, i++, p->end_date);
    plat_sql_bind_text(st, i, p->attrs);
}

/* The place a township- or county-level project is known by: a township's code (given by
 * p->place as code or name), or a county (p->place, else p->county) the ledger's townships
 * name; with no townships yet, the county as written. county receives the place's county. */
static int resolve_place(plat_store *db, const plat_project *p, const char *precision, char *place, size_t n,
                         char *county, size_t cn)
{
    int township = strcmp(precision, "township") == 0;
    const char *text = p->place ? p->place : township ? NULL : p->county;
    if (!text || !*text)
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: precision %s needs its %s (--%s)", p->code,
                              precision, precision, precision);
    plat_stmt *st = NULL;
    const char *sql = township
        ? "SELECT code, coalesce(county, ''), (SELECT count(*) FROM townships WHERE code = ?1 OR name = ?1) "
          "FROM townships WHERE code = ?1 OR name = ?1 ORDER BY code = ?1 DESC LIMIT 1"
        : "SELECT coalesce(county, county_code), coalesce(county, county_code), 1, (SELECT count(*) FROM townships) "
          "FROM townships WHERE county = ?1 OR county_code = ?1 LIMIT 1";
    int rc = plat_store__prepare(db, &st, sql);
    if (rc < 0)
        return rc;
    plat_sql_bind_text(st, 1, text);
    if (plat_sql_step(st) == PLAT_SQL_ROW) {
        if (township && plat_sql_column_int(st, 2) > 1 && strcmp(plat_sql_column_text(st, 0), text) != 0)
            rc = plat_error_set(db->ctx, PLAT_EINVALID,
                                "project %s: more than one township is named %s; give its code", p->code, text);
        snprintf(place, n, "%s", plat_sql_column_text(st, 0));
        snprintf(county, cn, "%s", plat_sql_column_text(st, 1));
    } else if (!township && plat_township_count(db) == 0) {
        snprintf(place, n, "%s", text);
        snprintf(county, cn, "%s", text);
    } else
        rc = plat_error_set(db->ctx, PLAT_EINVALID,
                            "project %s: no %s named '%s' in the ledger (see `plat township list`)", p->code,
                            precision, text);
    plat_sql_finalize(st);
    return rc;
}

int plat_project_add(plat_store *db, const plat_project *p, const char *date, const char *note)
{
    int rc = check_fields(db, p);
    if (rc < 0)
        return rc;
    if (date && !plat_date_valid(date))
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: --date must be YYYY-MM-DD, got '%s'", p->code, date);
    const char *status = p->status ? plat_status_resolve(p->status) : "planned";
    const char *precision = p->precision ? p->precision : p->wkb ? "surveyed" : "none";
    if (!plat_precision_valid(precision))
        return plat_error_set(db->ctx, PLAT_EINVALID,
                              "project %s: unknown precision '%s'; use surveyed, sketched, township, county or none",
                              p->code, precision);
    int unmapped = strcmp(precision, "township") == 0 || strcmp(precision, "county") == 0;
    /* A township- or county-level project is stored against that place, never as a geometry
     * drawn for it: drawn, it would be measured as if it were known. */
    if (unmapped && p->wkb)
        return plat_error_set(db->ctx, PLAT_EINVALID,
                              "project %s: precision %s takes no geometry; it is stored against its %s", p->code,
                              precision, precision);
    if (!p->wkb && (strcmp(precision, "surveyed") == 0 || strcmp(precision, "sketched") == 0))
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: precision %s needs a geometry (--geom)", p->code,
                              precision);
    plat_stmt *st = NULL;
    char now[32], place[64] = "", county[128] = "";
    char *fields = NULL;
    if (unmapped && (rc = resolve_place(db, p, precision, place, sizeof place, county, sizeof county)) < 0)
        return rc;
    plat_project described = *p;
    if (!p->county && county[0])
        described.county = county;
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
                             "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?17) RETURNING id");
    if (rc < 0)
        goto done;
    plat_sql_bind_text(st, 1, p->code);
    bind_description(st, 2, &described);
    plat_sql_bind_text(st, 15, status);
    plat_sql_bind_double(st, 16, p->progress);
    plat_sql_bind_text(st, 17, plat_time_now(now));
    int64_t id = 0;
    if ((rc = plat_store__step_insert(db, st, "adding the project", &id)) < 0)
        goto done;
    if ((rc = description_json(db, &described, &fields)) < 0)
        goto done;
    event_row e = { .kind = "add", .date = date, .status = status, .progress = &p->progress, .note = note,
                    .wkb = p->wkb, .wkb_size = p->wkb_size, .fields = fields, .precision = precision,
                    .place = unmapped ? place : NULL };
    if ((rc = add_event(db, id, &e)) < 0)
        goto done;
    if ((rc = replay(db, id, p->wkb != NULL)) >= 0 && p->wkb)
        rc = plat_store__refresh_places(db, id);
done:
    plat_free(fields);
    plat_sql_finalize(st);
    return plat_store__tx_end(db, rc);
}

static void read_row(plat_stmt *st, plat_project *p, int geom_col)
{
    memset(p, 0, sizeof(*p));
    p->id = plat_sql_column_int64(st, 0);
    p->code = plat_store__column_strdup(st, 1);
    p->name = plat_store__column_strdup(st, 2);
    p->category = plat_store__column_strdup(st, 3);
    p->county = plat_store__column_strdup(st, 4);
    p->status = plat_store__column_strdup(st, 5);
    p->progress = plat_sql_column_double(st, 6);
    if ((p->has_done = !plat_sql_column_is_null(st, 7)))
        p->done = plat_sql_column_double(st, 7);
    if ((p->has_target = !plat_sql_column_is_null(st, 8))) {
        p->target_qty = plat_sql_column_double(st, 8);
        p->target_unit = plat_store__column_strdup(st, 9);
    }
    p->lead_unit = plat_store__column_strdup(st, 10);
    p->source_doc = plat_store__column_strdup(st, 11);
    p->clause = plat_store__column_strdup(st, 12);
    p->year = plat_sql_column_int(st, 13);
    if ((p->has_investment = !plat_sql_column_is_null(st, 14)))
        p->investment = plat_sql_column_double(st, 14);
    p->start_date = plat_store__column_strdup(st, 15);
    p->end_date = plat_store__column_strdup(st, 16);
    p->attrs = plat_store__column_strdup(st, 17);
    p->created_at = plat_store__column_strdup(st, 18);
    p->updated_at = plat_store__column_strdup(st, 19);
    p->kinds = plat_sql_column_int(st, 20);
    p->measured.length_m = plat_sql_column_double(st, 21);
    p->measured.area_m2 = plat_sql_column_double(st, 22);
    p->measured.points = plat_sql_column_int(st, 23);
    p->measured_planar.length_m = plat_sql_column_double(st, 24);
    p->measured_planar.area_m2 = plat_sql_column_double(st, 25);
    p->measured_planar.points = p->measured.points;
    p->precision = plat_store__column_strdup(st, 26);
    p->place = plat_store__column_strdup(st, 27);
    set_blob(&p->done_wkb, &p->done_wkb_size, st, 28);
    p->version = plat_sql_column_int64(st, 29);
    int n = plat_sql_column_bytes(st, geom_col);
    if (n > 0 && (p->wkb = malloc((size_t)n))) {
        memcpy(p->wkb, plat_sql_column_blob(st, geom_col), (size_t)n);
        p->wkb_size = (size_t)n;
    }
}

int plat_project_get(plat_store *db, plat_project *out, const char *code)
{
    plat_stmt *st = NULL;
    memset(out, 0, sizeof(*out));
    const char *sql = db->srid
        ? "SELECT " PROJECT_COLUMNS ", AsBinary(geom) FROM projects WHERE code = ? AND removed_at IS NULL"
        : "SELECT " PROJECT_COLUMNS ", NULL FROM projects WHERE code = ? AND removed_at IS NULL";
    int rc = plat_store__prepare(db, &st, sql);
    if (rc < 0)
        return rc;
    plat_sql_bind_text(st, 1, code);
    if (plat_sql_step(st) == PLAT_SQL_ROW)
        read_row(st, out, PROJECT_GEOM_COLUMN);
    else
        rc = plat_error_set(db->ctx, PLAT_ENOTFOUND, "no project with code %s (see `plat project list`)", code);
    plat_sql_finalize(st);
    return rc;
}

static int check_cut(plat_store *db, const char *as_of, const char *as_recorded)
{
    if (as_of && !plat_date_valid(as_of))
        return plat_error_set(db->ctx, PLAT_EINVALID, "--as-of must be a date YYYY-MM-DD, got '%s'", as_of);
    if (as_recorded && !plat_date_valid(as_recorded))
        return plat_error_set(db->ctx, PLAT_EINVALID, "--as-recorded must be a date YYYY-MM-DD, got '%s'", as_recorded);
    return 0;
}

/* p holds a project's row; replace it by its state at the cut. *exists as fold() says. */
static int state_at(plat_store *db, plat_project *p, const char *as_of, const char *as_recorded, int *exists)
{
    unsigned char *row_wkb = p->wkb;
    size_t row_size = p->wkb_size;
    p->wkb = NULL; /* fold() frees p->wkb: keep the row's to compare */
    int rc = fold(db, p->id, as_of, as_recorded, p, exists);
    int same = rc >= 0 && row_wkb && p->wkb && row_size == p->wkb_size && memcmp(row_wkb, p->wkb, row_size) == 0;
    free(row_wkb);
    if (rc >= 0 && !same)
        rc = measure_project(db, p);
    if (rc >= 0 && !p->precision)
        p->precision = plat_strdup(p->wkb ? "surveyed" : "none");
    return rc;
}

int plat_project_get_at(plat_store *db, plat_project *out, const char *code, const char *as_of,
                        const char *as_recorded)
{
    if (!as_of && !as_recorded)
        return plat_project_get(db, out, code);
    plat_stmt *st = NULL;
    memset(out, 0, sizeof(*out));
    int rc = check_cut(db, as_of, as_recorded);
    if (rc < 0)
        return rc;
    const char *sql = db->srid ? "SELECT " PROJECT_COLUMNS ", AsBinary(geom) FROM projects WHERE code = ?"
                               : "SELECT " PROJECT_COLUMNS ", NULL FROM projects WHERE code = ?";
    if ((rc = plat_store__prepare(db, &st, sql)) < 0)
        return rc;
    plat_sql_bind_text(st, 1, code);
    int exists = 0;
    if (plat_sql_step(st) == PLAT_SQL_ROW) {
        read_row(st, out, PROJECT_GEOM_COLUMN);
        rc = state_at(db, out, as_of, as_recorded, &exists);
    }
    plat_sql_finalize(st);
    if (rc >= 0 && !exists) {
        plat_project_dispose(out);
        rc = plat_error_set(db->ctx, PLAT_ENOTFOUND, "no project with code %s %s%s%s%s", code,
                            as_of ? "as of " : "", as_of ? as_of : "", as_recorded ? " as recorded on " : "",
                            as_recorded ? as_recorded : "");
    }
    return rc;
}

/* 1 if p's geometry (of the cut) has a part in one of the townships towns[0..n). */
static int lies_in(plat_locator *loc, const plat_project *p, const int *towns, int n, int *hit)
{
    plat_placement where;
    *hit = 0;
    if (!p->wkb)
        return 0;
    int rc = plat_locator_place(loc, &where, p->wkb, p->wkb_size, 0);
    for (int i = 0; rc >= 0 && i < where.n && !*hit; i++)
        for (int k = 0; k < n && !*hit; k++)
            *hit = where.places[i].township == towns[k];
    plat_placement_dispose(&where);
    return rc;
}

/* plat_project_foreach at a cut: every project ever registered, read at the cut, filtered after;
 * --township by where the geometry of then lies, placed afresh. */
static int foreach_at(plat_store *db, const plat_project_filter *f, int (*fn)(const plat_project *p, void *), void *ud)
{
    plat_stmt *st = NULL;
    plat_locator *loc = NULL;
    int *towns = NULL, ntowns = 0;
    int rc = check_cut(db, f->as_of, f->as_recorded);
    if (rc < 0)
        return rc;
    if (f->township && ((rc = plat_locator_new(db, &loc, 0)) < 0 ||
                        (rc = plat_locator_find(loc, &towns, &ntowns, f->township)) < 0)) {
        plat_locator_free(loc);
        return rc;
    }
    const char *sql = db->srid ? "SELECT " PROJECT_COLUMNS ", AsBinary(geom) FROM projects ORDER BY code"
                               : "SELECT " PROJECT_COLUMNS ", NULL FROM projects ORDER BY code";
    if ((rc = plat_store__prepare(db, &st, sql)) < 0)
        return rc;
    while (rc == 0) {
        int s = plat_sql_step(st);
        if (s == PLAT_SQL_DONE)
            break;
        if (s != PLAT_SQL_ROW) {
            rc = plat_store__db_err(db, "reading projects");
            break;
        }
        plat_project p;
        int exists = 0;
        read_row(st, &p, PROJECT_GEOM_COLUMN);
        rc = state_at(db, &p, f->as_of, f->as_recorded, &exists);
        int keep = rc >= 0 && exists && (!f->county || (p.county && strcmp(f->county, p.county) == 0)) &&
                   (!f->category || strcmp(f->category, p.category) == 0) &&
                   (!f->status || strcmp(f->status, p.status) == 0);
        if (keep && loc && (rc = lies_in(loc, &p, towns, ntowns, &keep)) < 0)
            keep = 0;
        if (keep)
            rc = fn(&p, ud);
        plat_project_dispose(&p);
    }
    plat_sql_finalize(st);
    plat_free(towns);
    plat_locator_free(loc);
    return rc;
}

int plat_project_foreach(plat_store *db, const plat_project_filter *f,
                         int (*fn)(const plat_project *p, void *), void *ud)
{
    if (f && (f->as_of || f->as_recorded))
        return foreach_at(db, f, fn, ud);
    plat_buf sql = PLAT_BUF_INIT;
    plat_stmt *st = NULL;
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
            plat_buf_puts(&sql, " AND 1 = 0");
        else
        {
            char filter[320];
            plat_sql_frame_filter(db, filter, sizeof filter, "projects", 4);
            plat_buf_printf(&sql, " AND %s", filter);
        }
    }
    plat_buf_puts(&sql, " ORDER BY code");
    int rc = plat_store__prepare(db, &st, plat_buf_cstr(&sql));
    plat_buf_dispose(&sql);
    if (rc < 0)
        return rc;
    if (f) {
        plat_sql_bind_text(st, 1, f->county);
        plat_sql_bind_text(st, 2, f->category);
        plat_sql_bind_text(st, 3, f->status);
        plat_sql_bind_text(st, 6, f->township);
        if (f->bbox_wkb && db->srid) {
            plat_sql_bind_blob_ref(st, 4, f->bbox_wkb, (int)f->bbox_wkb_size);
            plat_sql_bind_int(st, 5, db->srid);
        }
    }
    while (rc == 0) {
        int s = plat_sql_step(st);
        if (s == PLAT_SQL_DONE)
            break;
        if (s != PLAT_SQL_ROW) {
            rc = plat_store__db_err(db, "reading projects");
            break;
        }
        plat_project p;
        read_row(st, &p, PROJECT_GEOM_COLUMN);
        rc = fn(&p, ud);
        plat_project_dispose(&p);
    }
    plat_sql_finalize(st);
    return rc;
}

/* The corrected event's values, for what a correction does not give itself. */
typedef struct corrected {
    char *status, *note, *date, *fields, *precision, *place;
    int has_progress, has_done;
    double progress, done;
    unsigned char *wkb, *done_wkb;
    size_t wkb_size, done_wkb_size;
} corrected;

static void corrected_dispose(corrected *k)
{
    free(k->status);
    free(k->note);
    free(k->date);
    free(k->fields);
    free(k->precision);
    free(k->place);
    free(k->wkb);
    free(k->done_wkb);
}

static int read_corrected(plat_store *db, int64_t project_id, const char *code, int64_t event, corrected *k)
{
    plat_stmt *st = NULL;
    memset(k, 0, sizeof(*k));
    int rc = plat_store__prepare(db, &st,
        "SELECT project_id, kind, status, progress, done, note, date, geom_wkb, done_wkb, fields, precision, place,"
        " (SELECT count(*) FROM project_events c WHERE c.corrects = e.id) FROM project_events e WHERE id = ?1");
    if (rc < 0)
        return rc;
    plat_sql_bind_int64(st, 1, event);
    if (plat_sql_step(st) != PLAT_SQL_ROW || plat_sql_column_int64(st, 0) != project_id)
        rc = plat_error_set(db->ctx, PLAT_ENOTFOUND,
                            "project %s has no event %lld to correct (see `plat project show %s`)", code,
                            (long long)event, code);
    else if (strcmp(plat_sql_column_text(st, 1), "remove") == 0)
        rc = plat_error_set(db->ctx, PLAT_EINVALID,
                            "event %lld of project %s is its removal, which cannot be corrected", (long long)event,
                            code);
    else if (plat_sql_column_int(st, 12) > 0)
        rc = plat_error_set(db->ctx, PLAT_EINVALID,
                            "event %lld of project %s is corrected already; correct the correction instead",
                            (long long)event, code);
    else {
        k->status = plat_store__column_strdup(st, 2);
        if ((k->has_progress = !plat_sql_column_is_null(st, 3)))
            k->progress = plat_sql_column_double(st, 3);
        if ((k->has_done = !plat_sql_column_is_null(st, 4)))
            k->done = plat_sql_column_double(st, 4);
        k->note = plat_store__column_strdup(st, 5);
        k->date = plat_store__column_strdup(st, 6);
        set_blob(&k->wkb, &k->wkb_size, st, 7);
        set_blob(&k->done_wkb, &k->done_wkb_size, st, 8);
        k->fields = plat_store__column_strdup(st, 9);
        k->precision = plat_store__column_strdup(st, 10);
        k->place = plat_store__column_strdup(st, 11);
    }
    plat_sql_finalize(st);
    return rc;
}

/* Check a change before any write. *status receives the resolved status code (or NULL). */
static int check_change(plat_store *db, const char *code, const plat_project_change *c, const char **status)
{
    *status = NULL;
    if (c->status && !(*status = plat_status_resolve(c->status)))
        return plat_error_set(db->ctx, PLAT_EINVALID,
                              "project %s: unknown status '%s'; use planned, under_construction, completed or "
                              "suspended",
                              code, c->status);
    if (c->has_progress && !(c->progress >= 0 && c->progress <= 100))
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: progress must be between 0 and 100, got %g", code,
                              c->progress);
    if (c->has_done && !(c->done >= 0))
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: the quantity done must not be negative, got %g",
                              code, c->done);
    if (c->date && !plat_date_valid(c->date))
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: the date must be YYYY-MM-DD, got '%s'", code,
                              c->date);
    if ((c->wkb || c->done_wkb) && !db->srid)
        return plat_error_set(db->ctx, PLAT_EINVALID, "the ledger has no working CRS yet");
    if (c->precision && strcmp(c->precision, "surveyed") != 0 && strcmp(c->precision, "sketched") != 0)
        return plat_error_set(db->ctx, PLAT_EINVALID,
                              "project %s: a new geometry is surveyed or sketched, not '%s'", code, c->precision);
    if (c->precision && !c->wkb)
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: --precision goes with a new geometry (--geom)",
                              code);
    if (c->expect_version < 0)
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: a version is a positive event number, got %lld",
                              code, (long long)c->expect_version);
    return 0;
}

/* Append change c (checked) to project id's history, with `fields` as its new description
 * (NULL: unchanged), and bring the projects row up to date. */
static int append_change(plat_store *db, int64_t id, const char *code, const plat_project_change *c,
                         const char *status, const char *fields)
{
    /* A completed project is 100 % done unless the report says otherwise. */
    double progress = c->progress, done = c->done;
    int has_progress = c->has_progress;
    if (status && strcmp(status, "completed") == 0 && !has_progress) {
        progress = 100;
        has_progress = 1;
    }
    event_row e = { .kind = c->corrects ? "correct" : "update", .date = c->date, .status = status,
                    .progress = has_progress ? &progress : NULL, .done = c->has_done ? &done : NULL,
                    .note = c->note, .wkb = c->wkb, .wkb_size = c->wkb_size, .done_wkb = c->done_wkb,
                    .done_wkb_size = c->done_wkb_size, .fields = fields, .corrects = c->corrects };
    char precision[16] = "";
    corrected k = { 0 };
    int rc = 0;
    if (c->wkb) {
        /* A new geometry keeps a surveyed or sketched precision; one drawn for a project that
         * had none (or only a township or county) is sketched unless the caller says surveyed. */
        plat_stmt *st = NULL;
        if ((rc = plat_store__prepare(db, &st, "SELECT precision FROM projects WHERE id = ?1")) < 0)
            return rc;
        plat_sql_bind_int64(st, 1, id);
        const char *now = plat_sql_step(st) == PLAT_SQL_ROW ? plat_sql_column_text(st, 0) : NULL;
        snprintf(precision, sizeof precision, "%s",
                 c->precision                                                                ? c->precision
                 : now && (strcmp(now, "surveyed") == 0 || strcmp(now, "sketched") == 0) ? now
                                                                                             : "sketched");
        plat_sql_finalize(st);
        e.precision = precision;
    }
    if (c->corrects) {
        if ((rc = read_corrected(db, id, code, c->corrects, &k)) < 0)
            goto done;
        e.date = c->date ? c->date : k.date;
        e.status = status ? status : k.status;
        if (!e.progress && k.has_progress)
            e.progress = &k.progress;
        if (!e.done && k.has_done)
            e.done = &k.done;
        e.note = c->note ? c->note : k.note;
        if (!e.wkb) {
            e.wkb = k.wkb;
            e.wkb_size = k.wkb_size;
            e.precision = k.precision;
            e.place = k.place;
        }
        if (!e.done_wkb) {
            e.done_wkb = k.done_wkb;
            e.done_wkb_size = k.done_wkb_size;
        }
        e.fields = fields ? fields : k.fields;
        if (!e.precision && k.precision) {
            e.precision = k.precision;
            e.place = k.place;
        }
    }
    if ((rc = add_event(db, id, &e)) >= 0)
        rc = replay(db, id, e.wkb != NULL);
    if (rc >= 0 && e.wkb)
        rc = plat_store__refresh_places(db, id);
done:
    corrected_dispose(&k);
    return rc;
}

/* What an event was, in words, for messages. */
static const char *event_kind_words(const char *kind)
{
    return strcmp(kind, "add") == 0      ? "registration"
           : strcmp(kind, "remove") == 0 ? "removal"
           : strcmp(kind, "correct") == 0 ? "correction"
                                          : "update";
}

/* Optimistic concurrency (issue 11): an edit made on a copy read at version `expected` may only
 * land while that is still the project's newest event. Writers take turns (the caller holds the
 * write transaction), so nothing can be appended between this check and the edit's own event.
 * A removed project counts too: its removal is its newest event. */
static int check_version(plat_store *db, const char *code, int64_t expected)
{
    if (expected == 0)
        return 0;
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st,
        "SELECT e.id, e.kind, e.date, e.recorded_at,"
        " EXISTS (SELECT 1 FROM project_events v WHERE v.id = ?2 AND v.project_id = p.id)"
        " FROM projects p JOIN project_events e ON e.project_id = p.id WHERE p.code = ?1"
        " ORDER BY e.id DESC LIMIT 1");
    if (rc < 0)
        return rc;
    plat_sql_bind_text(st, 1, code);
    plat_sql_bind_int64(st, 2, expected);
    int s = plat_sql_step(st);
    if (s == PLAT_SQL_ROW && plat_sql_column_int64(st, 0) != expected) {
        long long now = (long long)plat_sql_column_int64(st, 0);
        const char *at = plat_sql_column_text(st, 3) ? plat_sql_column_text(st, 3) : "";
        /* recorded_at is YYYY-MM-DDTHH:MM:SSZ: shown to the minute, as a person reads it */
        char when[24];
        snprintf(when, sizeof when, "%.10s %.5s UTC", at, strlen(at) >= 16 ? at + 11 : "");
        if (!plat_sql_column_int(st, 4))
            rc = plat_error_set(db->ctx, PLAT_EINVALID,
                                "project %s has no version %lld: it is at version %lld (%s of %s, recorded %s); "
                                "read it again (`plat project show %s`) and redo the edit",
                                code, (long long)expected, now, event_kind_words(plat_sql_column_text(st, 1)),
                                plat_sql_column_text(st, 2), when, code);
        else
            rc = plat_error_set(db->ctx, PLAT_ECONFLICT,
                                "project %s has changed since version %lld was read: it is at version %lld (%s of "
                                "%s, recorded %s); read it again and redo the edit",
                                code, (long long)expected, now, event_kind_words(plat_sql_column_text(st, 1)),
                                plat_sql_column_text(st, 2), when);
    } else if (s != PLAT_SQL_ROW && s != PLAT_SQL_DONE)
        rc = plat_store__db_err(db, "reading the project's version");
    plat_sql_finalize(st);
    return rc; /* no such project: the caller says so */
}

int plat_project_update(plat_store *db, const char *code, const plat_project_change *c)
{
    const char *status = NULL;
    int rc = check_change(db, code, c, &status);
    if (rc < 0)
        return rc;
    if (!status && !c->has_progress && !c->has_done && !c->note && !c->wkb && !c->done_wkb && !c->corrects)
        return plat_error_set(db->ctx, PLAT_EINVALID,
                              "nothing to update for %s: give --status, --progress, --done, --done-geom, --note "
                              "or --geom",
                              code);
    if ((rc = plat_store__tx_begin(db)) < 0)
        return rc;
    if ((rc = check_version(db, code, c->expect_version)) < 0)
        return plat_store__tx_end(db, rc);
    int64_t id = find_id(db, code, 0);
    if (id <= 0) {
        rc = id < 0 ? PLAT_EIO : plat_error_set(db->ctx, PLAT_ENOTFOUND, "no project with code %s (see `plat project list`)", code);
        return plat_store__tx_end(db, rc);
    }
    rc = append_change(db, id, code, c, status, NULL);
    return plat_store__tx_end(db, rc);
}

int plat_project_remove(plat_store *db, const char *code, const char *date, const char *note,
                        int64_t expect_version)
{
    if (date && !plat_date_valid(date))
        return plat_error_set(db->ctx, PLAT_EINVALID, "--date must be YYYY-MM-DD, got '%s'", date);
    if (expect_version < 0)
        return plat_error_set(db->ctx, PLAT_EINVALID, "project %s: a version is a positive event number, got %lld",
                              code, (long long)expect_version);
    int rc = plat_store__tx_begin(db);
    if (rc < 0)
        return rc;
    if ((rc = check_version(db, code, expect_version)) < 0)
        return plat_store__tx_end(db, rc);
    int64_t id = find_id(db, code, 0);
    if (id <= 0) {
        rc = id < 0 ? PLAT_EIO : plat_error_set(db->ctx, PLAT_ENOTFOUND, "no project with code %s (see `plat project list`)", code);
        return plat_store__tx_end(db, rc);
    }
    event_row e = { .kind = "remove", .date = date, .note = note };
    rc = add_event(db, id, &e);
    plat_stmt *st = NULL;
    if (rc >= 0 && (rc = plat_store__prepare(db, &st, "UPDATE projects SET removed_at = ?2, updated_at = ?2 WHERE id = ?1")) >= 0) {
        char now[32];
        plat_sql_bind_int64(st, 1, id);
        plat_sql_bind_text(st, 2, plat_time_now(now));
        rc = plat_store__step_write(db, st, "removing the project");
    }
    plat_sql_finalize(st);
    return plat_store__tx_end(db, rc);
}

int plat_project_history(plat_store *db, const char *code, int (*fn)(const plat_event *e, void *), void *ud)
{
    int64_t id = find_id(db, code, 0);
    if (id < 0)
        return PLAT_EIO;
    if (id == 0)
        return plat_error_set(db->ctx, PLAT_ENOTFOUND, "no project with code %s (see `plat project list`)", code);
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st,
                                 "SELECT id, kind, date, recorded_at, status, progress, done, note, "
                                 "geom_wkb IS NOT NULL, "
                                 "done_wkb IS NOT NULL, fields IS NOT NULL, precision, coalesce(corrects, 0), hash, "
                                 "EXISTS (SELECT 1 FROM project_events c WHERE c.corrects = e.id) "
                                 "FROM project_events e WHERE project_id = ? ORDER BY kind <> 'add', date, id");
    if (rc < 0)
        return rc;
    plat_sql_bind_int64(st, 1, id);
    while (rc == 0 && plat_sql_step(st) == PLAT_SQL_ROW) {
        plat_event e = { 0 };
        e.id = plat_sql_column_int64(st, 0);
        e.kind = plat_sql_column_text(st, 1);
        e.date = plat_sql_column_text(st, 2);
        e.recorded_at = plat_sql_column_text(st, 3);
        e.status = plat_sql_column_text(st, 4);
        if ((e.has_progress = !plat_sql_column_is_null(st, 5)))
            e.progress = plat_sql_column_double(st, 5);
        if ((e.has_done = !plat_sql_column_is_null(st, 6)))
            e.done = plat_sql_column_double(st, 6);
        e.note = plat_sql_column_text(st, 7);
        e.geometry_changed = plat_sql_column_int(st, 8);
        e.done_geometry = plat_sql_column_int(st, 9);
        e.description_changed = plat_sql_column_int(st, 10);
        e.precision = plat_sql_column_text(st, 11);
        e.corrects = plat_sql_column_int64(st, 12);
        e.hash = plat_sql_column_text(st, 13);
        e.corrected = plat_sql_column_int(st, 14);
        rc = fn(&e, ud);
    }
    plat_sql_finalize(st);
    return rc;
}

/* ---- re-import (plat project import --upsert) ----
 *
 * A file imported again says what a project is now. Its descriptive columns (name, category,
 * county, target, lead unit, document, clause, year, investment, dates, kept source attributes)
 * are replaced as a whole, and like what happened to it (status, progress, quantity done,
 * geometry) the new description is one 'update' event of the history: the old one stays
 * readable with --as-of, replay() derives the current state, and a site report dated after
 * the import still wins over it. */
int plat_project_replace(plat_store *db, const plat_project *p, const plat_project_change *c)
{
    int rc = check_fields(db, p);
    if (rc < 0)
        return rc;
    const char *status = NULL;
    if ((rc = check_change(db, p->code, c, &status)) < 0)
        return rc;
    if ((rc = plat_store__tx_begin(db)) < 0)
        return rc;
    char *fields = NULL;
    int64_t id = 0;
    if ((rc = check_version(db, p->code, c->expect_version)) >= 0 && (id = find_id(db, p->code, 0)) <= 0)
        rc = id < 0 ? PLAT_EIO
                    : plat_error_set(db->ctx, PLAT_ENOTFOUND, "no project with code %s (see `plat project list`)", p->code);
    /* The new description is part of the event; replay() writes it into the projects row. */
    if (rc >= 0 && (rc = description_json(db, p, &fields)) >= 0)
        rc = append_change(db, id, p->code, c, status, fields);
    plat_free(fields);
    return plat_store__tx_end(db, rc);
}

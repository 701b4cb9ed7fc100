/* layers/copy.c - plat copy: a whole ledger from one store into another, SQLite or PostgreSQL.
 *
 * A county file moves onto the province's PostGIS server, or a server ledger comes back as a
 * file, and must arrive as the same ledger: the same ids, every attribute and Chinese text as
 * it was, the history with its hashes untouched (plat verify on the copy walks the same chain),
 * and the figures plat measured (where each project lies, the townships' areas, the reference
 * layers' stored sums) copied rather than measured again, so the copy answers every question
 * as the original did, to the digit.
 *
 * Each table is copied by one streaming SELECT on the source and one prepared INSERT on the
 * destination, in the order the foreign keys need (categories, townships, projects, their
 * places, events in id order, since a correction refers to an earlier event; layers, their
 * features, their sums). Values are bound as the source holds them: an integer as an integer,
 * a real as a real, so the typed serialisation the event hashes are made of (history.c) reads
 * back the same on the other side. Geometries travel as WKB in the working CRS, which the copy
 * takes over, so coordinates arrive bit for bit. Layer tables are made through the dialect
 * (plat_sql_create_layer_table), registered and indexed once filled, as an import does.
 *
 * Everything runs inside one transaction on the destination, the source is only read: a copy
 * that fails anywhere leaves the destination as it was created, for the caller to remove. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "layers_int.h"

enum { NO_GEOM = 0, WITH_GEOM = 1 };
enum { PROGRESS_EVERY = 2000 };

typedef struct copier {
    plat_store *dst, *src;
    plat_progress_fn progress;
    void *ud;
    int64_t done, total; /* rows, for progress */
} copier;

static int tick(copier *c)
{
    c->done++;
    if (!c->progress || c->done % PROGRESS_EVERY != 0)
        return 0;
    double f = c->total > 0 ? (double)c->done / (double)c->total : 0;
    if (c->progress(f < 1 ? f : 0.99, "copying", c->ud) != 0)
        return plat_error_set(c->dst->ctx, PLAT_ECANCEL, "copy cancelled");
    return 0;
}

/* Bind column k of from's current row to parameter i of to, as the type the source holds. */
static int bind_same(plat_stmt *to, int i, plat_stmt *from, int k)
{
    static const unsigned char empty[1] = {0};
    switch (plat_sql_column_type(from, k)) {
    case PLAT_SQL_INTEGER:
        return plat_sql_bind_int64(to, i, plat_sql_column_int64(from, k));
    case PLAT_SQL_FLOAT:
        return plat_sql_bind_double(to, i, plat_sql_column_double(from, k));
    case PLAT_SQL_TEXT: {
        const char *t = plat_sql_column_text(from, k);
        return plat_sql_bind_text_n(to, i, t, plat_sql_column_bytes(from, k));
    }
    case PLAT_SQL_BLOB: { /* an empty blob stays a blob, not a NULL: the hashes tell them apart */
        const void *p = plat_sql_column_blob(from, k);
        int n = plat_sql_column_bytes(from, k);
        return plat_sql_bind_blob(to, i, p && n > 0 ? p : empty, p && n > 0 ? (size_t)n : 0);
    }
    default:
        return plat_sql_bind_null(to, i);
    }
}

/* Copy every row of table (the source's and the destination's are named alike): the ncols
 * columns cols as they are and, with geom, the geometry as WKB in the working CRS.
 * @param[out] copied rows copied (may be NULL). @return 0 or < 0 (recorded) */
static int copy_table(copier *c, const char *table, const char *cols, int ncols, int geom, const char *order,
                      int64_t *copied)
{
    plat_buf sel = PLAT_BUF_INIT, ins = PLAT_BUF_INIT;
    plat_stmt *rd = NULL, *wr = NULL;
    int64_t n = 0;
    plat_buf_printf(&sel, "SELECT %s%s FROM \"%s\" ORDER BY %s", cols, geom ? ", AsBinary(geom)" : "", table, order);
    plat_buf_printf(&ins, "INSERT INTO \"%s\"(%s%s) VALUES(", table, cols, geom ? ", geom" : "");
    for (int i = 1; i <= ncols; i++)
        plat_buf_printf(&ins, "%s?%d", i > 1 ? ", " : "", i);
    if (geom)
        plat_buf_printf(&ins, ", GeomFromWKB(?%d, ?%d)", ncols + 1, ncols + 2);
    plat_buf_puts(&ins, ")");
    /* A failed row is named by its first column (id, code, key) in the message. */
    int key_len = (int)strcspn(cols, ",");
    char what[400];

    int rc = plat_store__prepare(c->src, &rd, plat_buf_cstr(&sel));
    if (rc >= 0)
        rc = plat_store__prepare(c->dst, &wr, plat_buf_cstr(&ins));
    if (rc >= 0) {
        plat_sql_stream(rd);
        plat_sql_batch(wr, 500); /* on a server, 500 rows a round trip */
    }
    while (rc >= 0) {
        int s = plat_sql_step(rd);
        if (s == PLAT_SQL_DONE)
            break;
        if (s != PLAT_SQL_ROW) {
            char reading[200];
            snprintf(reading, sizeof reading, "%s: reading %s", plat_store_where(c->src), table);
            rc = plat_store__db_err(c->src, reading);
            break;
        }
        for (int i = 0; rc >= 0 && i < ncols + (geom ? 1 : 0); i++)
            rc = bind_same(wr, i + 1, rd, i) < 0 ? plat_error_set(c->dst->ctx, PLAT_ENOMEM, "out of memory") : 0;
        if (geom)
            plat_sql_bind_int(wr, ncols + 2, c->dst->srid);
        if (rc >= 0) {
            const char *key = plat_sql_column_text(rd, 0);
            /* a batch that fails is named by its last row: "rows up to" */
            snprintf(what, sizeof what, "%s: copying %s %s%.*s %.64s", plat_store_where(c->dst), table,
                     plat_sql_is_pg(c->dst) ? "rows up to " : "", key_len, cols, key ? key : "NULL");
            rc = plat_store__step_write(c->dst, wr, what);
        }
        plat_sql_reset(wr);
        if (rc >= 0) {
            n++;
            rc = tick(c);
        }
    }
    if (rc >= 0 && plat_sql_flush(wr) < 0)
        rc = plat_store__db_err(c->dst, what);
    plat_sql_finalize(rd);
    plat_sql_finalize(wr);
    plat_buf_dispose(&sel);
    plat_buf_dispose(&ins);
    if (copied)
        *copied = n;
    return rc;
}

/* The first column of a one-row query on db, or -1 (recorded) when it fails. */
static int64_t count_of(plat_store *db, const char *sql)
{
    plat_stmt *st = NULL;
    int64_t n = -1;
    if (plat_store__prepare(db, &st, sql) < 0)
        return -1;
    if (plat_sql_step(st) == PLAT_SQL_ROW)
        n = plat_sql_column_int64(st, 0);
    else
        plat_store__db_err(db, "counting rows");
    plat_sql_finalize(st);
    return n;
}

/* The destination must be the empty ledger that was just created: copying into a ledger with
 * rows of its own would mix two histories. */
static int check_empty(copier *c)
{
    int64_t rows = count_of(c->dst, "SELECT (SELECT count(*) FROM townships) + (SELECT count(*) FROM projects) + "
                                    "(SELECT count(*) FROM project_events) + (SELECT count(*) FROM layers)");
    if (rows < 0)
        return plat_error_last(c->dst->ctx)->code;
    if (rows > 0 || c->dst->srid)
        return plat_error_set(c->dst->ctx, PLAT_EINVALID, "%s is not an empty ledger; copy into a new one",
                              plat_store_where(c->dst));
    return 0;
}

/* Rows to copy, for progress: the features dominate. */
static int count_rows(copier *c)
{
    c->total = count_of(c->src, "SELECT (SELECT count(*) FROM townships) + (SELECT count(*) FROM projects) + "
                                "(SELECT count(*) FROM project_places) + (SELECT count(*) FROM project_events) + "
                                "(SELECT coalesce(sum(feature_count), 0) FROM layers)");
    return c->total < 0 ? plat_error_last(c->src->ctx)->code : 0;
}

/* The rows of meta that belong to the ledger rather than to the schema it is kept in: the
 * destination's own application mark, schema version and generation (a server's count of
 * commits) stay, the working CRS is set through plat_store_set_srid; `created` and the
 * history head are the source's. */
static int copy_meta(copier *c)
{
    plat_stmt *rd = NULL, *wr = NULL;
    int rc = plat_store__prepare(c->src, &rd,
                                 "SELECT key, value FROM meta WHERE key NOT IN "
                                 "('application', 'schema_version', 'srid', 'generation') ORDER BY key");
    if (rc >= 0)
        rc = plat_store__prepare(c->dst, &wr,
                                 "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    int s = PLAT_SQL_DONE;
    while (rc >= 0 && (s = plat_sql_step(rd)) == PLAT_SQL_ROW) {
        plat_sql_bind_text(wr, 1, plat_sql_column_text(rd, 0));
        plat_sql_bind_text(wr, 2, plat_sql_column_text(rd, 1));
        rc = plat_store__step_write(c->dst, wr, "copying meta");
        plat_sql_reset(wr);
    }
    if (rc >= 0 && s != PLAT_SQL_DONE)
        rc = plat_store__db_err(c->src, "reading meta");
    plat_sql_finalize(rd);
    plat_sql_finalize(wr);
    return rc;
}

/* table_name is written into SQL: it must be what plat itself names a layer's table. */
static int layer_table_valid(int64_t id, const char *table)
{
    char expect[32];
    snprintf(expect, sizeof expect, "layer_%lld", (long long)id);
    return table && strcmp(table, expect) == 0;
}

typedef struct layer_row {
    int64_t id;
    char table[32];
} layer_row;

/* The registry first (it is small), then each layer's table: created through the dialect in
 * the working CRS, filled, indexed once filled, its identity moved past the copied ids. */
static int copy_layers(copier *c, plat_copy_counts *counts)
{
    layer_row *v = NULL;
    int n = 0, cap = 0;
    plat_stmt *st = NULL;
    int s = PLAT_SQL_DONE;
    int rc = plat_store__prepare(c->src, &st, "SELECT id, table_name FROM layers ORDER BY id");
    while (rc >= 0 && (s = plat_sql_step(st)) == PLAT_SQL_ROW) {
        int64_t id = plat_sql_column_int64(st, 0);
        const char *table = plat_sql_column_text(st, 1);
        if (!layer_table_valid(id, table)) {
            rc = plat_error_set(c->dst->ctx, PLAT_EINVALID,
                                "%s: layer %lld keeps its features in '%s', not in layer_%lld as plat names it; "
                                "not copying an altered registry",
                                plat_store_where(c->src), (long long)id, table ? table : "", (long long)id);
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            layer_row *w = realloc(v, (size_t)cap * sizeof *w);
            if (!w) {
                rc = plat_error_set(c->dst->ctx, PLAT_ENOMEM, "out of memory");
                break;
            }
            v = w;
        }
        v[n].id = id;
        snprintf(v[n].table, sizeof v[n].table, "%s", table);
        n++;
    }
    if (rc >= 0 && s != PLAT_SQL_DONE)
        rc = plat_store__db_err(c->src, "reading the layers");
    plat_sql_finalize(st);
    if (rc >= 0)
        rc = copy_table(c, "layers",
                        "id, name, kind, table_name, geometry_kind, source_file, feature_count, "
                        "imported_at",
                        8, NO_GEOM, "id", &counts->layers);
    for (int i = 0; rc >= 0 && i < n; i++) {
        int64_t features = 0;
        rc = plat_sql_create_layer_table(c->dst, v[i].table, c->dst->srid);
        if (rc >= 0)
            rc = copy_table(c, v[i].table, "id, fid, attrs", 3, WITH_GEOM, "id", &features);
        if (rc >= 0)
            rc = plat_sql_finish_layer_table(c->dst, v[i].table);
        if (rc >= 0)
            rc = plat_sql_identity_follow(c->dst, v[i].table);
        counts->features += features;
    }
    free(v);
    if (rc >= 0)
        rc = copy_table(c, "layer_sums", "layer_id, planar, township_id, features, line_m, area_m2", 6, NO_GEOM,
                        "layer_id, planar, township_id", NULL);
    return rc;
}

static int copy_all(copier *c, plat_copy_counts *counts)
{
    int rc = check_empty(c);
    if (rc >= 0)
        rc = count_rows(c);
    int srid = plat_store_srid(c->src);
    /* The geometry columns come with the working CRS: a ledger that never had geometry has none. */
    int geom = srid ? WITH_GEOM : NO_GEOM;
    if (rc >= 0 && srid)
        rc = plat_store_set_srid(c->dst, srid);
    /* The destination was seeded with plat's categories; the source's own rows replace them. */
    if (rc >= 0)
        rc = plat_store__exec(c->dst, "DELETE FROM categories");
    if (rc >= 0)
        rc = copy_table(c, "categories", "code, label_zh, label_en, color", 4, NO_GEOM, "code", NULL);
    if (rc >= 0)
        rc = copy_table(c, "townships", "id, code, name, county_code, county, source, area_m2, planar_area_m2", 8, geom,
                        "id", &counts->townships);
    if (rc >= 0)
        rc = copy_table(c, "projects",
                        "id, code, name, category, county, status, progress, done, target_qty, target_unit, "
                        "lead_unit, source_doc, clause, year, investment, start_date, end_date, attrs, "
                        "created_at, updated_at, removed_at, kinds, length_m, area_m2, points, planar_length_m, "
                        "planar_area_m2, precision, place, done_wkb",
                        30, geom, "id", &counts->projects);
    if (rc >= 0)
        rc = copy_table(c, "project_places",
                        "project_id, township_id, length_m, area_m2, points, planar_length_m, "
                        "planar_area_m2",
                        7, NO_GEOM, "project_id, township_id", NULL);
    if (rc >= 0)
        rc = copy_table(c, "project_events", PLAT_EVENT_HASHED ", prev_hash, hash", PLAT_EVENT_NHASHED + 2, NO_GEOM,
                        "id", &counts->events);
    if (rc >= 0)
        rc = copy_layers(c, counts);
    if (rc >= 0)
        rc = plat_sql_identity_follow(c->dst, "townships");
    if (rc >= 0)
        rc = plat_sql_identity_follow(c->dst, "projects");
    if (rc >= 0)
        rc = plat_sql_identity_follow(c->dst, "layers");
    /* Last, so the history head is the source's whatever the events' trigger wrote. */
    if (rc >= 0)
        rc = copy_meta(c);
    return rc;
}

/* Read the whole source at one moment: a writer that commits during the copy must not leave
 * it with events of a project it copied before the project existed. A PostgreSQL reader has
 * its snapshot from open (sql_pg.c); a SQLite one takes it here, a deferred transaction whose
 * first read fixes what it sees (WAL), ended by the caller when began is set. */
static int read_snapshot(plat_store *src, int *began)
{
    *began = 0;
    if (src->tx_depth > 0 || src->snapshot)
        return 0;
    if (src->pg)
        return plat_sql_pg_snapshot(src);
    if (src->sql->exec(src, "BEGIN") < 0)
        return plat_store__db_err(src, plat_store_where(src));
    *began = 1;
    return 0;
}

int plat_store_copy(plat_store *dst, plat_store *src, plat_copy_counts *counts, plat_progress_fn progress, void *ud)
{
    plat_copy_counts mine;
    if (!counts)
        counts = &mine;
    memset(counts, 0, sizeof *counts);
    if (dst->ctx != src->ctx)
        return plat_error_set(dst->ctx, PLAT_EINVALID, "plat_store_copy: the two stores must share one context");
    copier c = {dst, src, progress, ud, 0, 0};
    int began = 0;
    int rc = read_snapshot(src, &began);
    if (rc < 0)
        return rc;
    if ((rc = plat_store__tx_begin(dst)) >= 0)
        rc = plat_store__tx_end(dst, copy_all(&c, counts));
    if (began)
        src->sql->exec(src, "COMMIT");
    if (rc >= 0 && progress)
        progress(1.0, "copying", ud);
    if (rc < 0)
        memset(counts, 0, sizeof *counts);
    return rc;
}

/* Who a PostgreSQL ledger is: the server (by the moment it started), the database and the
 * schema by their oids, which no two spellings of a connection string change. NULL when it
 * cannot be read. */
static char *pg_identity(plat_store *db)
{
    plat_stmt *st = NULL;
    char *id = NULL;
    if (db->sql->prepare(db, &st,
                         "SELECT CAST(pg_postmaster_start_time() AS text) || ' ' || "
                         "CAST((SELECT oid FROM pg_database WHERE datname = current_database()) AS text) || ' ' || "
                         "CAST((SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AS text)") < 0)
        return NULL;
    if (plat_sql_step(st) == PLAT_SQL_ROW)
        id = plat_store__column_strdup(st, 0);
    plat_sql_finalize(st);
    return id;
}

int plat_store_same_ledger(plat_store *a, plat_store *b)
{
    if (!a->pg != !b->pg)
        return 0;
    if (!a->pg) {
        struct stat sa, sb;
        return stat(a->path, &sa) == 0 && stat(b->path, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    }
    char *ia = pg_identity(a), *ib = pg_identity(b);
    int same = ia && ib && strcmp(ia, ib) == 0;
    free(ia);
    free(ib);
    return same;
}

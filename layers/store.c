/* layers/store.c - opening a ledger, transactions, the working CRS, and the SQL helpers the
 * rest of layers/ shares.
 *
 * A ledger is one SQLite file with SpatiaLite loaded: WAL journal (readers never block the
 * writer), foreign keys on, a busy timeout so a second writer waits instead of failing at once.
 * PRAGMA application_id marks the file as ours and PRAGMA user_version is the schema version;
 * schema.c migrates forward on open. Writes nest as savepoints: a command opens the outer
 * transaction with plat_store_begin, and every write function opens a savepoint inside it
 * (or its own transaction when called alone), so no function leaves half its rows behind.
 *
 * PLAT_FAULT_AT=N (environment) makes the N-th write fail, as SQLite's own fault injection does,
 * so tests can prove a command is all or nothing. A write is a statement that changes the
 * ledger (plat_store__step_write), a script of them (plat_store__exec: schema, spatial indexes)
 * or the COMMIT of the outermost transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers_int.h"
#include "plat/gis.h"

int plat_store__db_err(plat_store *db, const char *what)
{
    int klass = PLAT_SQL_EOTHER;
    const char *msg = db->sql->errmsg(db, &klass);
    if (klass == PLAT_SQL_EBUSY)
        return plat_error_set(db->ctx, PLAT_EBUSY, "%s: the database is busy with another writer; try again", what);
    if (klass == PLAT_SQL_EDENIED)
        return plat_error_set(db->ctx, PLAT_EIO, "%s: %s (this connection may only read the ledger)", what, msg);
    return plat_error_set(db->ctx, klass == PLAT_SQL_ECONSTRAINT ? PLAT_EINVALID : PLAT_EIO, "%s: %s", what, msg);
}

int plat_store__prepare(plat_store *db, plat_stmt **st, const char *sql)
{
    int rc = db->sql->prepare(db, st, sql);
    if (rc == PLAT_ENOMEM)
        return plat_error_set(db->ctx, rc, "out of memory");
    return rc < 0 ? plat_store__db_err(db, "preparing a query") : 0;
}

/* PLAT_FAULT_AT: count one more write; fail it if it is the one asked for. */
static int injected_fault(plat_store *db, const char *what)
{
    db->writes++;
    if (db->fault_at > 0 && db->writes == db->fault_at)
        return plat_error_set(db->ctx, PLAT_EIO, "%s: injected fault at write %ld (PLAT_FAULT_AT)", what, db->writes);
    return 0;
}

int plat_store__exec(plat_store *db, const char *sql)
{
    int frc = injected_fault(db, "updating the database");
    if (frc < 0)
        return frc;
    if (db->sql->exec(db, sql) < 0)
        return plat_store__db_err(db, "updating the database");
    return 0;
}

int plat_store__step_insert(plat_store *db, plat_stmt *st, const char *what, int64_t *id)
{
    int rc = injected_fault(db, what);
    if (rc < 0)
        return rc;
    if (id)
        *id = 0;
    while ((rc = plat_sql_step(st)) == PLAT_SQL_ROW)
        if (id)
            *id = plat_sql_column_int64(st, 0);
    if (rc != PLAT_SQL_DONE)
        return plat_store__db_err(db, what);
    return 0;
}

int plat_store__step_write(plat_store *db, plat_stmt *st, const char *what)
{
    return plat_store__step_insert(db, st, what, NULL);
}

char *plat_store__column_strdup(plat_stmt *st, int i)
{
    const char *s = plat_sql_column_text(st, i);
    return s ? plat_strdup(s) : NULL;
}

int plat_store__cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The outermost level takes the write lock at once, so a second writer waits (busy timeout,
 * lock_timeout) at the start instead of failing halfway through: SQLite's BEGIN IMMEDIATE, and
 * on PostgreSQL a transaction-scoped advisory lock on the ledger's schema, which makes writers
 * of one ledger take turns as they do on a file (the history's hash chain needs one writer at a
 * time). A PostgreSQL reader holds a snapshot transaction from open to close (sql_pg.c), so
 * its writes, such as stored layer figures, nest as savepoints inside it. */
static int outermost(const plat_store *db)
{
    return db->tx_depth == 0 && !db->snapshot;
}

int plat_store__tx_begin(plat_store *db)
{
    char sql[200];
    if (!outermost(db))
        snprintf(sql, sizeof sql, "SAVEPOINT plat_sp");
    else if (db->pg) /* lock_timeout 0 would mean forever: 1 ms is "do not wait" */
        snprintf(sql, sizeof sql, "BEGIN; SET LOCAL lock_timeout = %d;"
                 " SELECT pg_advisory_xact_lock(" PLAT_PG_LEDGER_LOCK ")", db->wait_ms ? db->wait_ms : 1);
    else
        snprintf(sql, sizeof sql, "BEGIN IMMEDIATE");
    plat_sql_sqlite_busy_timeout(db, db->wait_ms);
    if (db->sql->exec(db, sql) < 0) {
        int rc = plat_store__db_err(db, "starting a transaction");
        if (outermost(db) && db->pg)
            db->sql->exec(db, "ROLLBACK");
        return rc;
    }
    db->tx_depth++;
    return 0;
}

static int read_srid(plat_store *db);

int plat_store__tx_end(plat_store *db, int rc)
{
    if (db->tx_depth <= 0)
        return rc;
    /* rows a batched layer INSERT still holds belong to this transaction (sql.h) */
    if (rc >= 0 && plat_sql_flush(db->layer_insert) < 0)
        rc = plat_store__db_err(db, "adding layer features");
    if (db->tx_depth == 1 && rc >= 0)
        rc = plat_store__flush_places(db);
    if (db->tx_depth == 1 && rc < 0)
        plat_store__drop_stale(db);
    db->tx_depth--;
    if (outermost(db)) {
        int frc = rc >= 0 ? injected_fault(db, "committing") : 0; /* a disk that fills at the end */
        /* Every commit on a server moves the ledger's generation on, so a reader whose
         * snapshot is older knows its measurements are of a past ledger (sql_pg.c). */
        if (rc >= 0 && frc >= 0 && db->pg &&
            db->sql->exec(db, "UPDATE meta SET value = CAST(CAST(value AS bigint) + 1 AS text) "
                              "WHERE key = 'generation'") < 0)
            frc = plat_store__db_err(db, "committing");
        if (rc >= 0 && frc >= 0 && db->sql->exec(db, "COMMIT") == 0)
            return rc;
        int err = rc < 0 ? rc : frc < 0 ? frc : plat_store__db_err(db, "committing");
        db->sql->exec(db, "ROLLBACK");
        read_srid(db); /* a working CRS chosen inside the transaction went with it */
        return err;
    }
    if (rc < 0) {
        db->sql->exec(db, "ROLLBACK TO plat_sp");
        read_srid(db);
    }
    db->sql->exec(db, "RELEASE plat_sp");
    return rc;
}

int plat_store_begin(plat_store *db)
{
    return plat_store__tx_begin(db);
}

int plat_store_commit(plat_store *db)
{
    return plat_store__tx_end(db, 0);
}

int plat_store_rollback(plat_store *db, int rc)
{
    /* Keep the error the caller is returning; a rollback has nothing to add to it. */
    plat_store__tx_end(db, rc < 0 ? rc : PLAT_ECANCEL);
    return rc;
}

static int read_srid(plat_store *db)
{
    char *v = plat_store_meta_get(db, "srid");
    db->srid = v ? atoi(v) : 0;
    plat_free(v);
    return 0;
}

int plat_store_open(plat_ctx *ctx, plat_store **out, const char *target, int mode)
{
    return plat_store_open_schema(ctx, out, target, NULL, mode);
}

int plat_store_open_schema(plat_ctx *ctx, plat_store **out, const char *target, const char *schema, int mode)
{
    *out = NULL;
    plat_store *db = calloc(1, sizeof(*db));
    if (!db)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    db->ctx = ctx;
    db->wait_ms = PLAT_BUSY_TIMEOUT_MS;
    const char *fault = getenv("PLAT_FAULT_AT");
    db->fault_at = fault ? atol(fault) : 0;
    int rc = plat_sql_is_conninfo(target) ? plat_sql_pg_open(db, target, schema ? schema : "plat", mode)
                                          : plat_sql_sqlite_open(db, target, mode);
    if (rc >= 0)
        rc = plat_store__migrate(db, mode == PLAT_OPEN_CREATE);
    if (rc >= 0)
        read_srid(db);
    if (rc >= 0 && db->pg && mode == PLAT_OPEN_READ)
        rc = plat_sql_pg_snapshot(db);
    if (rc < 0) {
        char *made = db->created ? plat_strdup(db->path) : NULL;
        plat_store_close(db);
        if (made) { /* a failed init leaves no half-made ledger behind */
            plat_sql_sqlite_remove(made);
            free(made);
        }
        return rc;
    }
    *out = db;
    return 0;
}

void plat_store_close(plat_store *db)
{
    if (!db)
        return;
    plat_sql_finalize(db->layer_insert);
    plat_store__drop_stale(db);
    if (db->sql) {
        if (db->tx_depth > 0)
            db->sql->exec(db, db->snapshot ? "ROLLBACK TO plat_sp" : "ROLLBACK");
        db->sql->close(db);
    }
    free(db->path);
    free(db->target);
    free(db->schema);
    free(db);
}

const char *plat_store_where(const plat_store *db)
{
    return db->path;
}

const char *plat_store_target(const plat_store *db)
{
    return db->target ? db->target : db->path;
}

int plat_store_destroy(plat_ctx *ctx, const char *target, const char *schema)
{
    plat_store *db = NULL;
    int rc = plat_store_open_schema(ctx, &db, target, schema, PLAT_OPEN_WRITE);
    if (rc < 0)
        return rc;
    if (db->pg) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", db->schema);
        if (plat_store__exec(db, sql) < 0)
            rc = plat_store__db_err(db, db->path);
        plat_store_close(db);
        return rc;
    }
    plat_store_close(db);
    plat_sql_sqlite_remove(target);
    return 0;
}

plat_ctx *plat_store_ctx(plat_store *db)
{
    return db->ctx;
}

int plat_store_srid(plat_store *db)
{
    return db->srid;
}

int plat_store_schema_version(plat_store *db)
{
    if (db->pg)
        return plat_sql_pg_schema_version(db);
    plat_stmt *st = NULL;
    int v = -1;
    if (db->sql->prepare(db, &st, "PRAGMA user_version") == 0 && plat_sql_step(st) == PLAT_SQL_ROW)
        v = plat_sql_column_int(st, 0);
    plat_sql_finalize(st);
    return v;
}

char *plat_store_meta_get(plat_store *db, const char *key)
{
    plat_stmt *st = NULL;
    char *v = NULL;
    if (db->sql->prepare(db, &st, "SELECT value FROM meta WHERE key = ?") < 0)
        return NULL;
    plat_sql_bind_text(st, 1, key);
    if (plat_sql_step(st) == PLAT_SQL_ROW)
        v = plat_store__column_strdup(st, 0);
    plat_sql_finalize(st);
    return v;
}

static int meta_put(plat_store *db, const char *key, const char *value)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, "INSERT INTO meta(key, value) VALUES(?, ?) "
                                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (rc < 0)
        return rc;
    plat_sql_bind_text(st, 1, key);
    plat_sql_bind_text(st, 2, value);
    rc = plat_store__step_write(db, st, "recording the working CRS");
    plat_sql_finalize(st);
    return rc;
}

int plat_store_set_srid(plat_store *db, int epsg)
{
    if (db->srid)
        return plat_error_set(db->ctx, PLAT_EEXISTS, "the ledger's working CRS is already EPSG:%d", db->srid);
    if (!plat_crs_is_metric_projected(db->ctx, epsg))
        return plat_error_set(db->ctx, PLAT_EINVALID,
                              "EPSG:%d is not a projected CRS in metres; plat measures in a metric "
                              "working CRS such as a CGCS2000 Gauss-Kruger zone (EPSG:4534-4554)", epsg);
    int rc = plat_store__tx_begin(db);
    if (rc < 0)
        return rc;
    char v[32];
    snprintf(v, sizeof v, "%d", epsg);
    rc = meta_put(db, "srid", v);
    if (rc >= 0)
        rc = plat_sql_add_geometry_columns(db, epsg);
    rc = plat_store__tx_end(db, rc);
    if (rc >= 0)
        db->srid = epsg;
    return rc;
}

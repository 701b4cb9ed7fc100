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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>
#include <spatialite.h>

#include "layers_int.h"
#include "plat/gis.h"

int plat_store__sqlite_err(plat_store *db, const char *what)
{
    int ec = sqlite3_extended_errcode(db->db);
    int code = PLAT_EIO;
    if ((ec & 0xff) == SQLITE_BUSY || (ec & 0xff) == SQLITE_LOCKED)
        code = PLAT_EBUSY;
    else if ((ec & 0xff) == SQLITE_CONSTRAINT)
        code = PLAT_EINVALID;
    if (code == PLAT_EBUSY)
        return plat_error_set(db->ctx, code, "%s: the database is busy with another writer; try again", what);
    return plat_error_set(db->ctx, code, "%s: %s", what, sqlite3_errmsg(db->db));
}

int plat_store__prepare(plat_store *db, sqlite3_stmt **st, const char *sql)
{
    if (sqlite3_prepare_v2(db->db, sql, -1, st, NULL) != SQLITE_OK)
        return plat_store__sqlite_err(db, "preparing a query");
    return 0;
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
    char *err = NULL;
    if (sqlite3_exec(db->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        int rc = plat_store__sqlite_err(db, "updating the database");
        sqlite3_free(err);
        return rc;
    }
    return 0;
}

int plat_store__step_write(plat_store *db, sqlite3_stmt *st, const char *what)
{
    int rc = injected_fault(db, what);
    if (rc < 0)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE)
        return plat_store__sqlite_err(db, what);
    return 0;
}

int plat_store__bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

char *plat_store__column_strdup(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? plat_strdup((const char *)s) : NULL;
}

int plat_store__cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int plat_store__tx_begin(plat_store *db)
{
    /* The outermost level is BEGIN IMMEDIATE: take the write lock now, so a second writer
     * waits (busy timeout) at the start instead of failing halfway through. */
    const char *sql = db->tx_depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT plat_sp";
    if (sqlite3_exec(db->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return plat_store__sqlite_err(db, "starting a transaction");
    db->tx_depth++;
    return 0;
}

static int read_srid(plat_store *db);

int plat_store__tx_end(plat_store *db, int rc)
{
    if (db->tx_depth <= 0)
        return rc;
    if (db->tx_depth == 1 && rc >= 0)
        rc = plat_store__flush_places(db);
    if (db->tx_depth == 1 && rc < 0)
        plat_store__drop_stale(db);
    db->tx_depth--;
    if (db->tx_depth == 0) {
        int frc = rc >= 0 ? injected_fault(db, "committing") : 0; /* a disk that fills at the end */
        if (rc >= 0 && frc >= 0 && sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
            return rc;
        int err = rc < 0 ? rc : frc < 0 ? frc : plat_store__sqlite_err(db, "committing");
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
        read_srid(db); /* a working CRS chosen inside the transaction went with it */
        return err;
    }
    if (rc < 0) {
        sqlite3_exec(db->db, "ROLLBACK TO plat_sp", NULL, NULL, NULL);
        read_srid(db);
    }
    sqlite3_exec(db->db, "RELEASE plat_sp", NULL, NULL, NULL);
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

int plat_store_open(plat_ctx *ctx, plat_store **out, const char *path, int mode)
{
    *out = NULL;
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (mode == PLAT_OPEN_CREATE && exists)
        return plat_error_set(ctx, PLAT_EEXISTS, "%s already exists; remove it or choose another --db", path);
    if (mode != PLAT_OPEN_CREATE && !exists)
        return plat_error_set(ctx, PLAT_ENOTFOUND,
                              "no ledger at %s: run `plat init` first, or give --db PATH or PLAT_DB", path);
    if (exists && !S_ISREG(sb.st_mode))
        return plat_error_set(ctx, PLAT_EINVALID, "%s is not a file", path);

    plat_store *db = calloc(1, sizeof(*db));
    if (!db)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    db->ctx = ctx;
    db->path = plat_strdup(path);
    const char *fault = getenv("PLAT_FAULT_AT");
    db->fault_at = fault ? atol(fault) : 0;

    int rc = 0;
    int flags = SQLITE_OPEN_READWRITE | (mode == PLAT_OPEN_CREATE ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &db->db, flags, NULL) != SQLITE_OK) {
        rc = plat_error_set(ctx, PLAT_EIO, "%s: cannot open: %s", path,
                            db->db ? sqlite3_errmsg(db->db) : "out of memory");
        goto done;
    }
    sqlite3_busy_timeout(db->db, PLAT_BUSY_TIMEOUT_MS);
    db->splite_cache = spatialite_alloc_connection();
    spatialite_init_ex(db->db, db->splite_cache, 0);
    if ((rc = plat_store__register_functions(db)) < 0)
        goto done;

    if (mode != PLAT_OPEN_CREATE) {
        sqlite3_stmt *st = NULL;
        int app = 0;
        if (sqlite3_prepare_v2(db->db, "PRAGMA application_id", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            app = sqlite3_column_int(st, 0);
        else {
            sqlite3_finalize(st);
            rc = plat_error_set(ctx, PLAT_EINVALID, "%s is not a SQLite database", path);
            goto done;
        }
        sqlite3_finalize(st);
        if (app != PLAT_APPLICATION_ID) {
            rc = plat_error_set(ctx, PLAT_EINVALID, "%s is not a plat ledger (run `plat init` to make one)", path);
            goto done;
        }
    }
    if ((rc = plat_store__exec(db, "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;")) < 0)
        goto done;
    if ((rc = plat_store__migrate(db, mode == PLAT_OPEN_CREATE)) < 0)
        goto done;
    read_srid(db);
done:
    if (rc < 0) {
        plat_store_close(db);
        if (mode == PLAT_OPEN_CREATE && !exists) {
            /* A failed init leaves no half-made ledger behind. */
            char aux[4096];
            remove(path);
            snprintf(aux, sizeof aux, "%s-wal", path);
            remove(aux);
            snprintf(aux, sizeof aux, "%s-shm", path);
            remove(aux);
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
    sqlite3_finalize(db->layer_insert);
    plat_store__drop_stale(db);
    if (db->tx_depth > 0)
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close_v2(db->db);
    if (db->splite_cache)
        spatialite_cleanup_ex(db->splite_cache);
    free(db->path);
    free(db);
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
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

char *plat_store_meta_get(plat_store *db, const char *key)
{
    sqlite3_stmt *st = NULL;
    char *v = NULL;
    if (sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = plat_store__column_strdup(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int meta_put(plat_store *db, const char *key, const char *value)
{
    sqlite3_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, "INSERT INTO meta(key, value) VALUES(?, ?) "
                                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    rc = plat_store__step_write(db, st, "recording the working CRS");
    sqlite3_finalize(st);
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
        rc = plat_store__add_geometry_columns(db, epsg);
    rc = plat_store__tx_end(db, rc);
    if (rc >= 0)
        db->srid = epsg;
    return rc;
}

/* layers/sql_sqlite.c - the SQLite driver: a ledger file with SpatiaLite loaded.
 *
 * A thin layer over sqlite3_stmt: SQLite is the dialect the rest of layers/ is written in. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <sqlite3.h>
#include <spatialite.h>

#include "layers_int.h"

typedef struct lite_stmt {
    plat_stmt base;
    sqlite3_stmt *st;
    sqlite3 *con;
} lite_stmt;

#define LITE(s) (((lite_stmt *)(s))->st)

static int lite_prepare(plat_store *db, plat_stmt **out, const char *sql)
{
    *out = NULL;
    lite_stmt *s = calloc(1, sizeof *s);
    if (!s)
        return PLAT_ENOMEM;
    if (sqlite3_prepare_v2(db->lite, sql, -1, &s->st, NULL) != SQLITE_OK) {
        sqlite3_finalize(s->st);
        free(s);
        return PLAT_EIO;
    }
    s->base.ops = &plat_sql_sqlite_ops;
    s->con = db->lite;
    *out = &s->base;
    return 0;
}

static int lite_exec(plat_store *db, const char *sql)
{
    return sqlite3_exec(db->lite, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : PLAT_EIO;
}

static const char *lite_errmsg(plat_store *db, int *klass)
{
    int ec = sqlite3_extended_errcode(db->lite) & 0xff;
    *klass = ec == SQLITE_BUSY || ec == SQLITE_LOCKED ? PLAT_SQL_EBUSY
           : ec == SQLITE_CONSTRAINT                  ? PLAT_SQL_ECONSTRAINT
           : ec == SQLITE_READONLY || ec == SQLITE_PERM ? PLAT_SQL_EDENIED
                                                      : PLAT_SQL_EOTHER;
    return sqlite3_errmsg(db->lite);
}

static void lite_close(plat_store *db)
{
    sqlite3_close_v2(db->lite);
    db->lite = NULL;
    if (db->splite_cache)
        spatialite_cleanup_ex(db->splite_cache);
    db->splite_cache = NULL;
}

static int ok(int rc)
{
    return rc == SQLITE_OK ? 0 : rc == SQLITE_NOMEM ? PLAT_ENOMEM : PLAT_EIO;
}

static int lite_bind_int64(plat_stmt *st, int i, int64_t v) { return ok(sqlite3_bind_int64(LITE(st), i, v)); }
static int lite_bind_double(plat_stmt *st, int i, double v) { return ok(sqlite3_bind_double(LITE(st), i, v)); }
static int lite_bind_text(plat_stmt *st, int i, const char *s, int n)
{
    return ok(sqlite3_bind_text(LITE(st), i, s, n, SQLITE_TRANSIENT));
}
static int lite_bind_blob(plat_stmt *st, int i, const void *p, int n, int copy)
{
    return ok(sqlite3_bind_blob(LITE(st), i, p, n, copy ? SQLITE_TRANSIENT : SQLITE_STATIC));
}
static int lite_bind_null(plat_stmt *st, int i) { return ok(sqlite3_bind_null(LITE(st), i)); }

static int lite_step(plat_stmt *st)
{
    int rc = sqlite3_step(LITE(st));
    return rc == SQLITE_ROW ? PLAT_SQL_ROW : rc == SQLITE_DONE ? PLAT_SQL_DONE : rc == SQLITE_NOMEM ? PLAT_ENOMEM : PLAT_EIO;
}

static int lite_reset(plat_stmt *st)
{
    int rc = ok(sqlite3_reset(LITE(st)));
    return rc;
}

static void lite_finalize(plat_stmt *st)
{
    sqlite3_finalize(LITE(st));
    free(st);
}

static int lite_column_count(plat_stmt *st) { return sqlite3_column_count(LITE(st)); }
static int lite_column_type(plat_stmt *st, int i)
{
    switch (sqlite3_column_type(LITE(st), i)) {
    case SQLITE_INTEGER: return PLAT_SQL_INTEGER;
    case SQLITE_FLOAT: return PLAT_SQL_FLOAT;
    case SQLITE_TEXT: return PLAT_SQL_TEXT;
    case SQLITE_BLOB: return PLAT_SQL_BLOB;
    default: return PLAT_SQL_NULL;
    }
}
static int64_t lite_column_int64(plat_stmt *st, int i) { return sqlite3_column_int64(LITE(st), i); }
static double lite_column_double(plat_stmt *st, int i) { return sqlite3_column_double(LITE(st), i); }
static const char *lite_column_text(plat_stmt *st, int i) { return (const char *)sqlite3_column_text(LITE(st), i); }
static const void *lite_column_blob(plat_stmt *st, int i) { return sqlite3_column_blob(LITE(st), i); }
static int lite_column_bytes(plat_stmt *st, int i) { return sqlite3_column_bytes(LITE(st), i); }
static const char *lite_column_name(plat_stmt *st, int i) { return sqlite3_column_name(LITE(st), i); }
static int64_t lite_changes(plat_stmt *st) { return sqlite3_changes(((lite_stmt *)st)->con); }
static void lite_stream(plat_stmt *st) { (void)st; }
static void lite_batch(plat_stmt *st, int rows) { (void)st, (void)rows; }
static int lite_flush(plat_stmt *st) { (void)st; return 0; }

const plat_sql_ops plat_sql_sqlite_ops = {
    "sqlite", lite_prepare, lite_exec, lite_errmsg, lite_close,
    lite_bind_int64, lite_bind_double, lite_bind_text, lite_bind_blob, lite_bind_null,
    lite_step, lite_reset, lite_finalize,
    lite_column_count, lite_column_type, lite_column_int64, lite_column_double, lite_column_text,
    lite_column_blob, lite_column_bytes, lite_column_name, lite_changes, lite_stream, lite_batch, lite_flush,
};

int plat_sql_sqlite_open(plat_store *db, const char *path, int mode)
{
    plat_ctx *ctx = db->ctx;
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (mode == PLAT_OPEN_CREATE && exists)
        return plat_error_set(ctx, PLAT_EEXISTS, "%s already exists; remove it or choose another --db", path);
    if (mode != PLAT_OPEN_CREATE && !exists)
        return plat_error_set(ctx, PLAT_ENOTFOUND,
                              "no ledger at %s: run `plat init` first, or give --db PATH or PLAT_DB", path);
    if (exists && !S_ISREG(sb.st_mode))
        return plat_error_set(ctx, PLAT_EINVALID, "%s is not a file", path);
    if (!(db->path = plat_strdup(path)))
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    db->sql = &plat_sql_sqlite_ops;

    int flags = SQLITE_OPEN_READWRITE | (mode == PLAT_OPEN_CREATE ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &db->lite, flags, NULL) != SQLITE_OK)
        return plat_error_set(ctx, PLAT_EIO, "%s: cannot open: %s", path,
                              db->lite ? sqlite3_errmsg(db->lite) : "out of memory");
    db->created = mode == PLAT_OPEN_CREATE;
    sqlite3_busy_timeout(db->lite, PLAT_BUSY_TIMEOUT_MS);
    db->splite_cache = spatialite_alloc_connection();
    spatialite_init_ex(db->lite, db->splite_cache, 0);

    if (mode != PLAT_OPEN_CREATE) {
        sqlite3_stmt *st = NULL;
        int app = -1;
        if (sqlite3_prepare_v2(db->lite, "PRAGMA application_id", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            app = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        if (app == -1)
            return plat_error_set(ctx, PLAT_EINVALID, "%s is not a SQLite database", path);
        if (app != PLAT_APPLICATION_ID)
            return plat_error_set(ctx, PLAT_EINVALID, "%s is not a plat ledger (run `plat init` to make one)", path);
    }
    return plat_store__exec(db, "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;");
}

void plat_sql_sqlite_remove(const char *path)
{
    char aux[4096];
    remove(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    remove(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    remove(aux);
    snprintf(aux, sizeof aux, "%s-journal", path);
    remove(aux);
}

void plat_sql_sqlite_busy_timeout(plat_store *db, int ms)
{
    if (db->lite)
        sqlite3_busy_timeout(db->lite, ms);
}

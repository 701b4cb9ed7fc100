/* layers/sql.h - the store's SQL driver: one statement API over SQLite (a ledger file with
 * SpatiaLite) and PostgreSQL (a ledger schema with PostGIS, through libpq).
 *
 * The rest of layers/ writes SQL once, in SQLite's spelling with numbered parameters (?1, ?2,
 * or plain ?), and steps it through these functions. The PostgreSQL driver rewrites the
 * parameters as $1, $2 and the few SpatiaLite function names the ledger uses into PostGIS's
 * (sql_pg.c: the dialect differences live there and in plat_sql_box_filter). Statements whose
 * shape differs more than that ask plat_sql_is_pg().
 *
 * PostgreSQL types each parameter from its first use: one it cannot type that way while NULL
 * (`?2 IS NULL OR date <= ?2`) is written after a use that types it (`date <= ?2 OR ?2 IS
 * NULL`), or cast (CAST(?2 AS TEXT), which SQLite reads alike). PLAT_DEBUG_SQL=1 prints each
 * statement PostgreSQL refuses, as it received it.
 *
 * Values: bound text and blobs are copied (the caller may free them at once). Column values
 * are valid until the statement steps again, is reset or finalized, as in SQLite.
 * Errors: plat_sql_step returns < 0 without recording anything; the caller records it with
 * plat_store__db_err(db, "what it was doing"), which reads the driver's last message. */
#ifndef PLAT_LAYERS_SQL_H
#define PLAT_LAYERS_SQL_H

#include <stddef.h>
#include <stdint.h>

typedef struct plat_store plat_store;
typedef struct plat_stmt plat_stmt;

enum { PLAT_SQL_ROW = 100, PLAT_SQL_DONE = 101 };

/* A column's type as the ledger sees it (the PostgreSQL driver maps integer types to INTEGER,
 * float and numeric types to FLOAT, bytea to BLOB, everything else to TEXT). */
enum { PLAT_SQL_INTEGER = 1, PLAT_SQL_FLOAT = 2, PLAT_SQL_TEXT = 3, PLAT_SQL_BLOB = 4, PLAT_SQL_NULL = 5 };

/* The last error the driver saw, classified. */
enum { PLAT_SQL_EOTHER = 0, PLAT_SQL_EBUSY = 1, PLAT_SQL_ECONSTRAINT = 2, PLAT_SQL_EDENIED = 3 };

/* One backend. Each statement starts with `const plat_sql_ops *ops` (sql_sqlite.c, sql_pg.c). */
typedef struct plat_sql_ops {
    const char *name;
    int (*prepare)(plat_store *db, plat_stmt **st, const char *sql);
    int (*exec)(plat_store *db, const char *sql);
    /* the last error's message (never NULL) and class (PLAT_SQL_E*) */
    const char *(*errmsg)(plat_store *db, int *klass);
    void (*close)(plat_store *db);
    int (*bind_int64)(plat_stmt *st, int i, int64_t v);
    int (*bind_double)(plat_stmt *st, int i, double v);
    int (*bind_text)(plat_stmt *st, int i, const char *s, int n);
    int (*bind_blob)(plat_stmt *st, int i, const void *p, int n, int copy);
    int (*bind_null)(plat_stmt *st, int i);
    int (*step)(plat_stmt *st);
    int (*reset)(plat_stmt *st);
    void (*finalize)(plat_stmt *st);
    int (*column_count)(plat_stmt *st);
    int (*column_type)(plat_stmt *st, int i);
    int64_t (*column_int64)(plat_stmt *st, int i);
    double (*column_double)(plat_stmt *st, int i);
    const char *(*column_text)(plat_stmt *st, int i);
    const void *(*column_blob)(plat_stmt *st, int i);
    int (*column_bytes)(plat_stmt *st, int i);
    const char *(*column_name)(plat_stmt *st, int i);
    int64_t (*changes)(plat_stmt *st);
    void (*stream)(plat_stmt *st);
    void (*batch)(plat_stmt *st, int rows);
    int (*flush)(plat_stmt *st);
} plat_sql_ops;

struct plat_stmt {
    const plat_sql_ops *ops;
};

extern const plat_sql_ops plat_sql_sqlite_ops;
extern const plat_sql_ops plat_sql_pg_ops;

/** 1 when the store is a PostgreSQL ledger. */
int plat_sql_is_pg(const plat_store *db);

/* Binding: i counts from 1, as in SQL. Each returns 0 or < 0 (out of memory). */
static inline int plat_sql_bind_int64(plat_stmt *st, int i, int64_t v) { return st->ops->bind_int64(st, i, v); }
static inline int plat_sql_bind_int(plat_stmt *st, int i, int v) { return st->ops->bind_int64(st, i, v); }
static inline int plat_sql_bind_double(plat_stmt *st, int i, double v) { return st->ops->bind_double(st, i, v); }
/** Bind text, or NULL when s is NULL (copied). */
static inline int plat_sql_bind_text(plat_stmt *st, int i, const char *s)
{
    return s ? st->ops->bind_text(st, i, s, -1) : st->ops->bind_null(st, i);
}
/** Bind the first n bytes of s as text (copied). */
static inline int plat_sql_bind_text_n(plat_stmt *st, int i, const char *s, int n) { return st->ops->bind_text(st, i, s, n); }
/** Bind a blob (copied), or NULL when p is NULL. */
static inline int plat_sql_bind_blob(plat_stmt *st, int i, const void *p, size_t n)
{
    return p ? st->ops->bind_blob(st, i, p, (int)n, 1) : st->ops->bind_null(st, i);
}
/** Bind a blob without copying it: p must stay valid until the statement is next stepped
 * (the import's inner loop binds every feature's WKB). */
static inline int plat_sql_bind_blob_ref(plat_stmt *st, int i, const void *p, size_t n)
{
    return p ? st->ops->bind_blob(st, i, p, (int)n, 0) : st->ops->bind_null(st, i);
}
static inline int plat_sql_bind_null(plat_stmt *st, int i) { return st->ops->bind_null(st, i); }

/** Run the statement, or fetch its next row. @return PLAT_SQL_ROW, PLAT_SQL_DONE, or < 0 (not
 * recorded: see plat_store__db_err). */
static inline int plat_sql_step(plat_stmt *st) { return st->ops->step(st); }
/** Ready the statement to run again; bindings are kept. */
static inline int plat_sql_reset(plat_stmt *st) { return st->ops->reset(st); }
/** Free the statement. NULL is a no-op. */
static inline void plat_sql_finalize(plat_stmt *st)
{
    if (st)
        st->ops->finalize(st);
}

/* Columns count from 0. */
static inline int plat_sql_column_count(plat_stmt *st) { return st->ops->column_count(st); }
static inline int plat_sql_column_type(plat_stmt *st, int i) { return st->ops->column_type(st, i); }
static inline int plat_sql_column_is_null(plat_stmt *st, int i) { return st->ops->column_type(st, i) == PLAT_SQL_NULL; }
static inline int64_t plat_sql_column_int64(plat_stmt *st, int i) { return st->ops->column_int64(st, i); }
static inline int plat_sql_column_int(plat_stmt *st, int i) { return (int)st->ops->column_int64(st, i); }
static inline double plat_sql_column_double(plat_stmt *st, int i) { return st->ops->column_double(st, i); }
/** The column as UTF-8 text, NULL for NULL. */
static inline const char *plat_sql_column_text(plat_stmt *st, int i) { return st->ops->column_text(st, i); }
/** The column as bytes (plat_sql_column_bytes long), NULL for NULL or empty. */
static inline const void *plat_sql_column_blob(plat_stmt *st, int i) { return st->ops->column_blob(st, i); }
/** Length of the last column_blob or column_text of column i, in bytes. */
static inline int plat_sql_column_bytes(plat_stmt *st, int i) { return st->ops->column_bytes(st, i); }
static inline const char *plat_sql_column_name(plat_stmt *st, int i) { return st->ops->column_name(st, i); }
/** Read the statement's rows a batch at a time rather than all at its first step (PostgreSQL
 * inside a transaction; SQLite always steps row by row). Call before the first step. */
static inline void plat_sql_stream(plat_stmt *st) { st->ops->stream(st); }
/** Let an INSERT ... VALUES(...) statement gather up to `rows` runs and send them as one
 * statement (PostgreSQL: one round trip, not one per row; SQLite runs each step at once).
 * Steps then return PLAT_SQL_DONE before the row is written; plat_sql_flush writes what is
 * gathered, and a transaction's end (plat_store__tx_end) flushes the store's batched statement
 * before it commits. Call before the first step. */
static inline void plat_sql_batch(plat_stmt *st, int rows) { st->ops->batch(st, rows); }
/** Write the rows a batched statement has gathered. @return 0 or < 0 (not recorded) */
static inline int plat_sql_flush(plat_stmt *st) { return st ? st->ops->flush(st) : 0; }
/** Rows the last run of a writing statement changed. */
static inline int64_t plat_sql_changes(plat_stmt *st) { return st->ops->changes(st); }

#endif

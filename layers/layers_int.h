/* layers/layers_int.h - what the files of layers/ share: the store handle and SQL helpers.
 * Nothing outside layers/ includes this. */
#ifndef PLAT_LAYERS_INT_H
#define PLAT_LAYERS_INT_H

#include "plat/store.h"
#include "plat/util.h"
#include "sql.h"

#define PLAT_SCHEMA_VERSION 3
/* How long a writer waits for another writer's lock before giving up. */
#define PLAT_BUSY_TIMEOUT_MS 5000
#define PLAT_APPLICATION_ID 0x504C4154 /* "PLAT" in PRAGMA application_id */
/* The advisory lock key that makes writers of one PostgreSQL ledger take turns. */
#define PLAT_PG_LEDGER_LOCK "hashtext('plat ledger ' || current_schema())"

struct plat_store {
    const plat_sql_ops *sql; /* the backend (sql.h) */
    struct sqlite3 *lite;    /* a SQLite ledger (sql_sqlite.c) */
    void *splite_cache;      /* SpatiaLite's per-connection cache */
    struct pg_conn *pg;      /* a PostgreSQL ledger (sql_pg.c) */
    char *schema;            /* its schema, a plain identifier */
    char *secret;            /* the password given in the connection string, scrubbed from messages */
    char pg_err[512];        /* the last PostgreSQL error message and SQLSTATE */
    char pg_state[8];
    int pg_cursors;          /* cursors declared so far, for unique names */
    int snapshot;            /* a reader's snapshot transaction is open (PostgreSQL) */
    int wait_ms;             /* how long a writer waits for another's lock (PLAT_BUSY_TIMEOUT_MS) */
    int created;             /* this open made a new ledger file (removed if the open fails) */
    plat_ctx *ctx;       /* borrowed from the caller */
    int srid;            /* working CRS, 0 until the first geometry */
    int tx_depth;        /* savepoints open through plat_store__tx_begin */
    long fault_at;       /* PLAT_FAULT_AT: fail the N-th write (0: never) */
    long writes;         /* writes so far, for fault_at */
    char *path;          /* the file, or the connection string without its password and the schema */
    char *target;        /* the file, or the connection string without its password */
    /* plat_layer_add_feature's INSERT, kept prepared for the layer named layer_insert_for
     * while a layer is being filled (layer.c); finalized by create, finish, drop and close. */
    plat_stmt *layer_insert;
    char layer_insert_for[72];
    /* Projects whose places are stale, measured once when the outermost transaction commits
     * (place.c): an import of many projects runs the engine once, not once per project. */
    int64_t *stale;
    int nstale, stale_cap;
    int stale_all;       /* every project and the townships' areas */
};

/** Record the connection's last error as "what: message". @return PLAT_EIO (also when the
 * role may not write), PLAT_EBUSY when another writer holds the lock, PLAT_EINVALID for a
 * constraint. */
int plat_store__db_err(plat_store *db, const char *what);
/** Prepare sql (SQLite's spelling, see sql.h). @return 0 or < 0 (recorded). */
int plat_store__prepare(plat_store *db, plat_stmt **st, const char *sql);
/** Execute sql with no parameters (several statements allowed). @return 0 or < 0. */
int plat_store__exec(plat_store *db, const char *sql);
/** Step a writing statement to completion, counting it for fault injection.
 * @return 0 or < 0 (recorded, with `what` in the message). */
int plat_store__step_write(plat_store *db, plat_stmt *st, const char *what);
/** Step an INSERT ... RETURNING id to completion, counting it for fault injection.
 * @param[out] id the new row's id. @return 0 or < 0 (recorded) */
int plat_store__step_insert(plat_store *db, plat_stmt *st, const char *what, int64_t *id);
/** qsort comparison of two int64_t (row ids). */
int plat_store__cmp_id(const void *a, const void *b);
/** Copy column i as a new string (NULL stays NULL). */
char *plat_store__column_strdup(plat_stmt *st, int i);

/** Open a savepoint, a transaction of its own when none is open. @return 0 or < 0. */
int plat_store__tx_begin(plat_store *db);
/** Release the savepoint when rc >= 0, roll it back otherwise. @return rc, or the commit error. */
int plat_store__tx_end(plat_store *db, int rc);

/** Create or bring the schema up to PLAT_SCHEMA_VERSION. @return 0 or < 0. */
int plat_store__migrate(plat_store *db, int creating);
/** Mark where project `project_id` lies as stale (0: every project, and the townships'
 * areas); it is measured and stored when the outermost transaction commits (place.c).
 * @return 0 or PLAT_ENOMEM */
int plat_store__refresh_places(plat_store *db, int64_t project_id);
/** Measure and store the places marked stale; called by plat_store__tx_end inside the
 * outermost transaction, before COMMIT. @return 0 or < 0 */
int plat_store__flush_places(plat_store *db);
/* A reference layer's own figures in one township (township_id 0: outside every township). */
typedef struct plat_layer_sum_row {
    int64_t township_id;
    int64_t features;
    double line_m, area_m2;
} plat_layer_sum_row;
/** The stored figures of `layer` (layer_sums.c). @param[out] rows caller frees with free().
 * @return 1 when stored, 0 when not (rows NULL), < 0 on error */
int plat_store__layer_sums_read(plat_store *db, const char *layer, int planar, plat_layer_sum_row **rows, int *n);
/** Store them, if the ledger can be written at once; never fails (see layer_sums.c). */
void plat_store__layer_sums_write(plat_store *db, const char *layer, int planar, const plat_layer_sum_row *rows,
                                  int n);
/** Forget every layer's stored figures (the townships changed). @return 0 or < 0 */
int plat_store__layer_sums_forget(plat_store *db);
/** Forget the places marked stale (the transaction that made them stale is rolled back). */
void plat_store__drop_stale(plat_store *db);
/* The columns of an event its hash covers, in order (history.c). */
#define PLAT_EVENT_HASHED                                                                        \
    "id, project_id, kind, date, recorded_at, status, progress, done, note, geom_wkb, done_wkb, " \
    "fields, precision, place, corrects"
#define PLAT_EVENT_NHASHED 15
/* The hash of an event is SHA-256 over its prev_hash and then each PLAT_EVENT_HASHED value in
 * order, each fed through one of these, by the type the ledger stores it as (history.c). */
void plat_event_hash_int(plat_sha256 *s, int64_t v);
void plat_event_hash_double(plat_sha256 *s, double v);
void plat_event_hash_text(plat_sha256 *s, const char *t); /* NULL: a NULL */
void plat_event_hash_blob(plat_sha256 *s, const void *p, size_t n); /* NULL: a NULL */
void plat_event_hash_null(plat_sha256 *s);
/** Compute prev_hash and hash of every event in id order and the head in meta (the migration
 * to version 3 chains the history of older ledgers). @return 0 or < 0 */
int plat_store__chain_events(plat_store *db);

/** Open a SQLite ledger file into db (db->ctx, path and fault_at are set). @return 0 or < 0 */
int plat_sql_sqlite_open(plat_store *db, const char *path, int mode);
/** Set SQLite's busy timeout (a no-op on PostgreSQL). */
void plat_sql_sqlite_busy_timeout(plat_store *db, int ms);
/** Remove a SQLite ledger file with its -wal, -shm and -journal companions. */
void plat_sql_sqlite_remove(const char *path);
/** Open a PostgreSQL ledger: conninfo as libpq takes it, schema a plain identifier.
 * @return 0 or < 0 */
int plat_sql_pg_open(plat_store *db, const char *conninfo, const char *schema, int mode);
/** Create the ledger's schema (plat init). @return 0 or < 0 naming the missing privilege */
int plat_sql_pg_create_schema(plat_store *db);
/** The schema version of a PostgreSQL ledger, 0 when the schema holds none. */
int plat_sql_pg_schema_version(plat_store *db);
/** May a reader keep what it measured (stored layer figures)? Only when no writer holds the
 * ledger now and none has committed since the reader's snapshot, so the figures are of the
 * ledger as it is. Call inside the reader's savepoint. @return 1 yes, 0 no, < 0 error */
int plat_sql_pg_reader_may_write(plat_store *db);
/** Open a reader's snapshot transaction, held until the store closes (PostgreSQL). */
int plat_sql_pg_snapshot(plat_store *db);
/** 1 when target names a PostgreSQL database (postgresql://, postgres://, PG:, or key=value). */
int plat_sql_is_conninfo(const char *target);

/** The SQL condition "the row's geometry box meets the box ?p..?p+3 (x0, y0, x1, y1)" on the
 * table `table` (its id looked up in SpatiaLite's R*Tree; PostGIS's && operator on its
 * geometry), written into buf. */
void plat_sql_box_filter(plat_store *db, char *buf, size_t n, const char *table, int p);
/** The same for a box given as WKB and SRID in ?p, ?p+1. */
void plat_sql_frame_filter(plat_store *db, char *buf, size_t n, const char *table, int p);
/** A query of one row: the extent (xmin, ymin, xmax, ymax, all NULL when empty) of table. */
void plat_sql_extent_query(plat_store *db, char *buf, size_t n, const char *table);
/** Add the geometry columns of townships and projects, with spatial indexes, in srid. */
int plat_sql_add_geometry_columns(plat_store *db, int srid);
/** 1 when table has a geometry column, 0 when not, < 0 on error. */
int plat_sql_has_geometry(plat_store *db, const char *table);
/** Create a reference layer's table (id, fid, attrs, geom in srid), without its spatial index
 * (and on SQLite without registering its geometry column). */
int plat_sql_create_layer_table(plat_store *db, const char *table, int srid);
/** Once a layer table is filled: register its geometry column (SQLite), build its spatial
 * index; what a finished table has already is left as it is. @return 0 or < 0 */
int plat_sql_finish_layer_table(plat_store *db, const char *table);
/** The SQL expression of a row's geometry kind ('point', 'line', 'polygon' or 'mixed' for a
 * collection), over the column geom, written into buf. */
void plat_sql_geometry_kind(plat_store *db, char *buf, size_t n);
/** Drop a layer table with its spatial index and geometry registration. */
int plat_sql_drop_layer_table(plat_store *db, const char *table);
/** After rows were inserted into table with explicit ids (plat copy), make the ids it gives
 * next follow the largest: PostgreSQL's identity sequence is moved on; SQLite's INTEGER PRIMARY
 * KEY takes max(id) + 1 by itself (a no-op). @return 0 or < 0 */
int plat_sql_identity_follow(plat_store *db, const char *table);

/* ---- the SpatiaLite geometry blob of a file ledger (blob.c) ---- */

/** The blob SpatiaLite's GeomFromWKB(wkb, srid) makes of 2D WKB, byte for byte, without the
 * SQL function. @param[out] out new buffer, caller frees with free(). @return 0, PLAT_EINVALID
 * (WKB that is not 2D, damaged, or empty) or PLAT_ENOMEM (recorded on ctx) */
int plat_blob__from_wkb(plat_ctx *ctx, const unsigned char *wkb, size_t n, int srid, unsigned char **out,
                        size_t *size);
/** The 2D GEOS geometry of a blob (Z and M dropped), the same geometry as plat_geom_from_wkb
 * of SpatiaLite's AsBinary(blob); a compressed blob goes through SpatiaLite's own reader.
 * @param[out] out new geometry, caller destroys. @return 0 or PLAT_EINVALID (recorded) */
int plat_blob__to_geos(plat_ctx *ctx, const unsigned char *blob, size_t n, GEOSGeometry **out);

#endif

/* layers/layers_int.h - what the files of layers/ share: the store handle and SQL helpers.
 * Nothing outside layers/ includes this. */
#ifndef PLAT_LAYERS_INT_H
#define PLAT_LAYERS_INT_H

#include <sqlite3.h>

#include "plat/store.h"
#include "plat/util.h"

#define PLAT_SCHEMA_VERSION 3
/* How long a writer waits for another writer's lock before giving up. */
#define PLAT_BUSY_TIMEOUT_MS 5000
#define PLAT_APPLICATION_ID 0x504C4154 /* "PLAT" in PRAGMA application_id */

struct plat_store {
    sqlite3 *db;
    void *splite_cache;  /* SpatiaLite's per-connection cache */
    plat_ctx *ctx;       /* borrowed from the caller */
    int srid;            /* working CRS, 0 until the first geometry */
    int tx_depth;        /* savepoints open through plat_store__tx_begin */
    long fault_at;       /* PLAT_FAULT_AT: fail the N-th write (0: never) */
    long writes;         /* writes so far, for fault_at */
    char *path;
    /* plat_layer_add_feature's INSERT, kept prepared for the layer named layer_insert_for
     * while a layer is being filled (layer.c); finalized by create, finish, drop and close. */
    sqlite3_stmt *layer_insert;
    char layer_insert_for[72];
    /* Projects whose places are stale, measured once when the outermost transaction commits
     * (place.c): an import of many projects runs the engine once, not once per project. */
    int64_t *stale;
    int nstale, stale_cap;
    int stale_all;       /* every project and the townships' areas */
};

/** Record the connection's last SQLite error as "what: message". @return PLAT_EIO, or
 * PLAT_EBUSY when another writer holds the lock, or PLAT_EINVALID for a constraint. */
int plat_store__sqlite_err(plat_store *db, const char *what);
/** Prepare sql. @return 0 or < 0 (recorded). */
int plat_store__prepare(plat_store *db, sqlite3_stmt **st, const char *sql);
/** Execute sql with no parameters (several statements allowed). @return 0 or < 0. */
int plat_store__exec(plat_store *db, const char *sql);
/** Step a writing statement to completion, counting it for fault injection.
 * @return 0 or < 0 (recorded, with `what` in the message). */
int plat_store__step_write(plat_store *db, sqlite3_stmt *st, const char *what);
/** qsort comparison of two int64_t (row ids). */
int plat_store__cmp_id(const void *a, const void *b);
/** Bind text, or NULL when s is NULL. */
int plat_store__bind_text(sqlite3_stmt *st, int i, const char *s);
/** Copy column i as a new string (NULL stays NULL). */
char *plat_store__column_strdup(sqlite3_stmt *st, int i);

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
/** Register plat's SQL functions (plat_event_hash) on the connection. @return 0 or < 0 */
int plat_store__register_functions(plat_store *db);
/** Compute prev_hash and hash of every event in id order and the head in meta (the migration
 * to version 3 chains the history of older ledgers). @return 0 or < 0 */
int plat_store__chain_events(plat_store *db);

/** Add geometry columns and spatial indexes for the working CRS srid. @return 0 or < 0. */
int plat_store__add_geometry_columns(plat_store *db, int srid);

#endif

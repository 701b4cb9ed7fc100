/* layers/layer_sums.c - a reference layer's own figures in each township, kept with the ledger.
 *
 * The km of a road layer and the m2 of a farmland layer inside each township do not depend on
 * the projects: the first `plat coverage --layer NAME` that clips every feature stores them,
 * ellipsoidal or planar as it ran, and later runs over the same layer and townships feed the
 * engine only the features near a covering project (the rest cover nothing) and take the
 * layer's own figures from here. They go stale in two ways, both handled where they happen:
 * the layer is dropped or replaced (ON DELETE CASCADE from layers), or the townships change
 * (place.c's full refresh forgets every layer's sums).
 *
 * Storing is a courtesy of a reading command: it runs in its own transaction without waiting
 * for the write lock, and when it cannot write (another writer, a read-only file) the figures
 * are simply measured again next time. */
#include <stdlib.h>
#include <string.h>

#include "layers_int.h"

static int layer_id(plat_store *db, const char *layer, int64_t *id)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, "SELECT id FROM layers WHERE name = ?");
    if (rc < 0)
        return rc;
    plat_sql_bind_text(st, 1, layer);
    if (plat_sql_step(st) == PLAT_SQL_ROW)
        *id = plat_sql_column_int64(st, 0);
    else
        rc = plat_error_set(db->ctx, PLAT_ENOTFOUND, "no layer named '%s' (see `plat layer list`)", layer);
    plat_sql_finalize(st);
    return rc;
}

int plat_store__layer_sums_read(plat_store *db, const char *layer, int planar, plat_layer_sum_row **rows, int *n)
{
    *rows = NULL;
    *n = 0;
    int64_t id = 0;
    plat_stmt *st = NULL;
    int rc = layer_id(db, layer, &id);
    if (rc >= 0)
        rc = plat_store__prepare(db, &st, "SELECT township_id, features, line_m, area_m2 FROM layer_sums "
                                          "WHERE layer_id = ? AND planar = ? ORDER BY township_id");
    if (rc < 0)
        return rc;
    plat_sql_bind_int64(st, 1, id);
    plat_sql_bind_int(st, 2, planar ? 1 : 0);
    int cap = 0, outside = 0;
    while (plat_sql_step(st) == PLAT_SQL_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            plat_layer_sum_row *v = realloc(*rows, (size_t)cap * sizeof(*v));
            if (!v) {
                rc = plat_error_set(db->ctx, PLAT_ENOMEM, "out of memory");
                break;
            }
            *rows = v;
        }
        plat_layer_sum_row *r = &(*rows)[(*n)++];
        r->township_id = plat_sql_column_int64(st, 0);
        r->features = plat_sql_column_int64(st, 1);
        r->line_m = plat_sql_column_double(st, 2);
        r->area_m2 = plat_sql_column_double(st, 3);
        outside |= r->township_id == 0;
    }
    plat_sql_finalize(st);
    /* Every set has its outside row (zero or not), written in one transaction with the
     * rest: without it nothing was stored. */
    if (rc < 0 || !outside) {
        free(*rows);
        *rows = NULL;
        *n = 0;
    }
    return rc < 0 ? rc : outside;
}

static int write_rows(plat_store *db, int64_t id, int planar, const plat_layer_sum_row *rows, int n)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, "INSERT INTO layer_sums(layer_id, planar, township_id, features, "
                                          "line_m, area_m2) VALUES(?, ?, ?, ?, ?, ?) "
                                          "ON CONFLICT(layer_id, planar, township_id) DO UPDATE SET "
                                          "features = excluded.features, line_m = excluded.line_m, "
                                          "area_m2 = excluded.area_m2");
    for (int i = 0; rc >= 0 && i < n; i++) {
        plat_sql_reset(st);
        plat_sql_bind_int64(st, 1, id);
        plat_sql_bind_int(st, 2, planar ? 1 : 0);
        plat_sql_bind_int64(st, 3, rows[i].township_id);
        plat_sql_bind_int64(st, 4, rows[i].features);
        plat_sql_bind_double(st, 5, rows[i].line_m);
        plat_sql_bind_double(st, 6, rows[i].area_m2);
        rc = plat_store__step_write(db, st, "storing a layer's figures");
    }
    plat_sql_finalize(st);
    return rc;
}

void plat_store__layer_sums_write(plat_store *db, const char *layer, int planar, const plat_layer_sum_row *rows,
                                  int n)
{
    int64_t id = 0;
    db->wait_ms = 0;
    int rc = layer_id(db, layer, &id);
    if (rc >= 0 && (rc = plat_store__tx_begin(db)) >= 0) {
        if (db->snapshot && (rc = plat_sql_pg_reader_may_write(db)) == 0)
            rc = PLAT_EBUSY;
        if (rc >= 0)
            rc = write_rows(db, id, planar, rows, n);
        plat_store__tx_end(db, rc);
    }
    db->wait_ms = PLAT_BUSY_TIMEOUT_MS;
    plat_sql_sqlite_busy_timeout(db, db->wait_ms);
    if (rc < 0) /* not the caller's error: its figures are right, only not kept */
        plat_error_clear(db->ctx);
}

int plat_store__layer_sums_forget(plat_store *db)
{
    return plat_store__exec(db, "DELETE FROM layer_sums");
}

/* layers/township.c - township boundaries (乡镇/街道) in the working CRS.
 *
 * A township is keyed by its 9-digit code (GB/T 2260 county + GB/T 10114 township); importing
 * the same code again replaces name, county and boundary, which is how a corrected boundary
 * file from the natural-resources bureau is taken in. Boundaries are stored as MULTIPOLYGON so
 * one column type serves townships with islands or exclaves. */
#include <stdlib.h>
#include <string.h>

#include "layers_int.h"

void plat_township_dispose(plat_township *t)
{
    if (!t)
        return;
    free(t->code);
    free(t->name);
    free(t->county_code);
    free(t->county);
    free(t->source);
    free(t->wkb);
    memset(t, 0, sizeof(*t));
}

int plat_township_put(plat_store *db, const plat_township *t)
{
    if (!db->srid)
        return plat_error_set(db->ctx, PLAT_EINVALID, "the ledger has no working CRS yet");
    plat_stmt *st = NULL;
    int rc = plat_store__tx_begin(db);
    if (rc < 0)
        return rc;
    int replaced = 0;
    if ((rc = plat_store__prepare(db, &st, "SELECT 1 FROM townships WHERE code = ?")) < 0)
        return plat_store__tx_end(db, rc);
    plat_sql_bind_text(st, 1, t->code);
    replaced = plat_sql_step(st) == PLAT_SQL_ROW;
    plat_sql_finalize(st);
    st = NULL;
    rc = plat_store__prepare(db, &st,
                             "INSERT INTO townships(code, name, county_code, county, source, geom) "
                             "VALUES(?1, ?2, ?3, ?4, ?5, CastToMultiPolygon(GeomFromWKB(?6, ?7))) "
                             "ON CONFLICT(code) DO UPDATE SET name = excluded.name, "
                             "county_code = excluded.county_code, county = excluded.county, "
                             "source = excluded.source, geom = excluded.geom");
    if (rc >= 0) {
        plat_sql_bind_text(st, 1, t->code);
        plat_sql_bind_text(st, 2, t->name);
        plat_sql_bind_text(st, 3, t->county_code);
        plat_sql_bind_text(st, 4, t->county);
        plat_sql_bind_text(st, 5, t->source);
        plat_sql_bind_blob_ref(st, 6, t->wkb, (int)t->wkb_size);
        plat_sql_bind_int(st, 7, db->srid);
        rc = plat_store__step_write(db, st, "storing a township");
    }
    plat_sql_finalize(st);
    rc = plat_store__tx_end(db, rc);
    return rc < 0 ? rc : replaced;
}

int plat_township_foreach(plat_store *db, int (*fn)(const plat_township *t, void *), void *ud)
{
    plat_stmt *st = NULL;
    const char *sql = db->srid
        ? "SELECT id, code, name, county_code, county, source, AsBinary(geom), area_m2, planar_area_m2 "
          "FROM townships ORDER BY county_code, code"
        : "SELECT id, code, name, county_code, county, source, NULL, area_m2, planar_area_m2 FROM townships "
          "ORDER BY county_code, code";
    int rc = plat_store__prepare(db, &st, sql);
    if (rc < 0)
        return rc;
    while (rc == 0) {
        int s = plat_sql_step(st);
        if (s == PLAT_SQL_DONE)
            break;
        if (s != PLAT_SQL_ROW) {
            rc = plat_store__db_err(db, "reading townships");
            break;
        }
        plat_township t = { 0 };
        t.id = plat_sql_column_int64(st, 0);
        t.code = plat_store__column_strdup(st, 1);
        t.name = plat_store__column_strdup(st, 2);
        t.county_code = plat_store__column_strdup(st, 3);
        t.county = plat_store__column_strdup(st, 4);
        t.source = plat_store__column_strdup(st, 5);
        int n = plat_sql_column_bytes(st, 6);
        if (n > 0 && (t.wkb = malloc((size_t)n))) {
            memcpy(t.wkb, plat_sql_column_blob(st, 6), (size_t)n);
            t.wkb_size = (size_t)n;
        }
        t.area_m2 = plat_sql_column_double(st, 7);
        t.planar_area_m2 = plat_sql_column_double(st, 8);
        rc = fn(&t, ud);
        plat_township_dispose(&t);
    }
    plat_sql_finalize(st);
    return rc;
}

int64_t plat_township_count(plat_store *db)
{
    plat_stmt *st = NULL;
    int64_t n = -1;
    if (plat_store__prepare(db, &st, "SELECT count(*) FROM townships") < 0)
        return PLAT_EIO;
    if (plat_sql_step(st) == PLAT_SQL_ROW)
        n = plat_sql_column_int64(st, 0);
    plat_sql_finalize(st);
    return n;
}

int plat_township_known(plat_store *db, const char *text)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, "SELECT EXISTS (SELECT 1 FROM townships WHERE code = ?1 OR name = ?1 "
                                          "OR county = ?1 OR county_code = ?1)");
    if (rc < 0)
        return rc;
    plat_sql_bind_text(st, 1, text);
    rc = plat_sql_step(st) == PLAT_SQL_ROW ? plat_sql_column_int(st, 0) : plat_store__db_err(db, "finding a township");
    plat_sql_finalize(st);
    return rc;
}

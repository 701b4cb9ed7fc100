/* layers/layer.c - reference layers: roads, farmland, basic farmland, the ecological red line.
 *
 * The registry (`layers`) maps a user's layer name to a table layer_<id> with a geometry
 * column in the working CRS, a spatial index, the source feature id and the source attributes
 * as JSON. The table name is made from the registry id, never from the user's text, so a layer
 * may be called 道路 and still no SQL carries user text except as bound parameters.
 *
 * Filling a layer is the import's inner loop (a province's land survey has millions of
 * parcels), so plat_layer_add_feature keeps its INSERT prepared between calls (the store's
 * layer_insert), and the spatial index is built once by plat_layer_finish from the filled table
 * rather than row by row through SpatiaLite's triggers: together a fourth of the time of
 * preparing, looking up the table and updating the R*Tree for every feature, as ogr2ogr does.
 * Until plat_layer_finish the layer has no spatial index; every writer calls it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers_int.h"

static const char *const kinds[] = { "roads", "farmland", "basic_farmland", "eco_redline", "wetland", "other", NULL };

int plat_layer_kind_valid(const char *kind)
{
    for (int i = 0; kind && kinds[i]; i++)
        if (strcmp(kinds[i], kind) == 0)
            return 1;
    return 0;
}

/* The table of a layer into buf; 0, or PLAT_ENOTFOUND naming the layer. */
static int table_of(plat_store *db, char *buf, size_t n, const char *name)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, "SELECT table_name FROM layers WHERE name = ?");
    if (rc < 0)
        return rc;
    plat_sql_bind_text(st, 1, name);
    if (plat_sql_step(st) == PLAT_SQL_ROW)
        snprintf(buf, n, "%s", plat_sql_column_text(st, 0));
    else
        rc = plat_error_set(db->ctx, PLAT_ENOTFOUND, "no layer named '%s' (see `plat layer list`)", name);
    plat_sql_finalize(st);
    return rc;
}

/* Write what the kept INSERT has gathered and let it go. @return 0 or < 0 (recorded) */
static int forget_insert(plat_store *db)
{
    int rc = plat_sql_flush(db->layer_insert) < 0 ? plat_store__db_err(db, "adding layer features") : 0;
    plat_sql_finalize(db->layer_insert);
    db->layer_insert = NULL;
    db->layer_insert_for[0] = '\0';
    return rc;
}

int plat_layer_create(plat_store *db, const char *name, const char *kind, const char *source_file)
{
    int rc = forget_insert(db);
    if (rc < 0)
        return rc;
    if (!name || !*name || strlen(name) > 64 || !plat_utf8_valid(name, strlen(name)))
        return plat_error_set(db->ctx, PLAT_EINVALID, "a layer name must be 1 to 64 bytes of UTF-8 text");
    if (!plat_layer_kind_valid(kind))
        return plat_error_set(db->ctx, PLAT_EINVALID,
                              "unknown layer kind '%s'; use roads, farmland, basic_farmland, eco_redline, wetland or other",
                              kind ? kind : "");
    if (!db->srid)
        return plat_error_set(db->ctx, PLAT_EINVALID,
                              "the ledger has no working CRS yet: import townships first, or `plat init --crs EPSG:N`");
    plat_stmt *st = NULL;
    char now[32], table[64], sql[768];
    rc = plat_store__tx_begin(db);
    if (rc < 0)
        return rc;
    if ((rc = plat_store__prepare(db, &st, "SELECT 1 FROM layers WHERE name = ?")) < 0)
        goto done;
    plat_sql_bind_text(st, 1, name);
    if (plat_sql_step(st) == PLAT_SQL_ROW) {
        rc = plat_error_set(db->ctx, PLAT_EEXISTS, "a layer named '%s' exists already; `plat layer drop %s` first", name, name);
        goto done;
    }
    plat_sql_finalize(st);
    /* The id comes first so the table name can be derived from it. */
    if ((rc = plat_store__prepare(db, &st, "INSERT INTO layers(name, kind, table_name, source_file, imported_at) "
                                           "VALUES(?1, ?2, 'pending-' || ?1, ?3, ?4) RETURNING id")) < 0)
        goto done;
    plat_sql_bind_text(st, 1, name);
    plat_sql_bind_text(st, 2, kind);
    plat_sql_bind_text(st, 3, source_file);
    plat_sql_bind_text(st, 4, plat_time_now(now));
    int64_t id = 0;
    if ((rc = plat_store__step_insert(db, st, "registering the layer", &id)) < 0)
        goto done;
    plat_sql_finalize(st);
    st = NULL;
    snprintf(table, sizeof table, "layer_%lld", (long long)id);
    snprintf(sql, sizeof sql, "UPDATE layers SET table_name = '%s' WHERE id = %lld;", table, (long long)id);
    if ((rc = plat_store__exec(db, sql)) >= 0)
        rc = plat_sql_create_layer_table(db, table, db->srid);
done:
    plat_sql_finalize(st);
    return plat_store__tx_end(db, rc);
}

int plat_layer_add_feature(plat_store *db, const char *name, const unsigned char *wkb, size_t size,
                           const char *attrs, int64_t fid)
{
    plat_stmt *st = db->layer_insert;
    int rc;
    if (!st || strcmp(db->layer_insert_for, name) != 0) {
        char table[64], sql[160];
        if ((rc = forget_insert(db)) < 0)
            return rc;
        if (strlen(name) >= sizeof db->layer_insert_for)
            return plat_error_set(db->ctx, PLAT_ENOTFOUND, "no layer named '%s' (see `plat layer list`)", name);
        if ((rc = table_of(db, table, sizeof table, name)) < 0)
            return rc;
        /* A file ledger takes the blob as SpatiaLite would make it (blob.c), without the SQL function. */
        snprintf(sql, sizeof sql, "INSERT INTO \"%s\"(fid, attrs, geom) VALUES(?, ?, %s)", table,
                 db->pg ? "GeomFromWKB(?, ?)" : "?");
        if ((rc = plat_store__prepare(db, &st, sql)) < 0)
            return rc;
        plat_sql_batch(st, 500);
        db->layer_insert = st;
        snprintf(db->layer_insert_for, sizeof db->layer_insert_for, "%s", name);
    }
    fid >= 0 ? plat_sql_bind_int64(st, 1, fid) : plat_sql_bind_null(st, 1);
    plat_sql_bind_text(st, 2, attrs);
    unsigned char *blob = NULL;
    if (db->pg) {
        plat_sql_bind_blob_ref(st, 3, wkb, (int)size);
        plat_sql_bind_int(st, 4, db->srid);
    } else {
        size_t n = 0;
        if ((rc = plat_blob__from_wkb(db->ctx, wkb, size, db->srid, &blob, &n)) < 0)
            return rc;
        plat_sql_bind_blob_ref(st, 3, blob, (int)n);
    }
    rc = plat_store__step_write(db, st, "adding a layer feature");
    plat_sql_reset(st);
    free(blob); /* SQLite has stepped: the row holds its own copy */
    return rc;
}

int plat_layer_finish(plat_store *db, const char *name)
{
    char table[64], sql[1200];
    int rc = forget_insert(db);
    if (rc >= 0)
        rc = table_of(db, table, sizeof table, name);
    if (rc < 0)
        return rc;
    if ((rc = plat_sql_finish_layer_table(db, table)) < 0)
        return rc;
    char kind[600];
    plat_sql_geometry_kind(db, kind, sizeof kind);
    snprintf(sql, sizeof sql,
             "WITH k AS (SELECT DISTINCT %s AS kind FROM \"%s\") "
             "UPDATE layers SET feature_count = (SELECT count(*) FROM \"%s\"), "
             "geometry_kind = (SELECT CASE count(*) WHEN 0 THEN NULL WHEN 1 THEN max(kind) ELSE 'mixed' END FROM k) "
             "WHERE table_name = '%s'",
             kind, table, table, table);
    return plat_store__exec(db, sql);
}

int plat_layer_drop(plat_store *db, const char *name)
{
    char table[64];
    plat_stmt *st = NULL;
    int rc = forget_insert(db);
    if (rc < 0)
        return rc;
    rc = plat_store__tx_begin(db);
    if (rc < 0)
        return rc;
    if ((rc = table_of(db, table, sizeof table, name)) < 0)
        return plat_store__tx_end(db, rc);
    if ((rc = plat_sql_drop_layer_table(db, table)) >= 0 &&
        (rc = plat_store__prepare(db, &st, "DELETE FROM layers WHERE table_name = ?")) >= 0) {
        plat_sql_bind_text(st, 1, table);
        rc = plat_store__step_write(db, st, "dropping the layer");
    }
    plat_sql_finalize(st);
    return plat_store__tx_end(db, rc);
}

/* A row of "SELECT id, fid, AsBinary(geom), attrs": valid until the statement steps again. */
static plat_feature feature_of(plat_stmt *st)
{
    plat_feature f = { plat_sql_column_int64(st, 0),
                       plat_sql_column_is_null(st, 1) ? -1 : plat_sql_column_int64(st, 1),
                       plat_sql_column_blob(st, 2), (size_t)plat_sql_column_bytes(st, 2),
                       plat_sql_column_text(st, 3) };
    return f;
}

/* A row's geometry (column 1) as GEOS: a file ledger's blob decoded in blob.c, WKB from
 * PostgreSQL. */
static int geometry_of(plat_store *db, plat_stmt *st, GEOSGeometry **g)
{
    const unsigned char *b = plat_sql_column_blob(st, 1);
    size_t n = (size_t)plat_sql_column_bytes(st, 1);
    return db->pg ? plat_geom_from_wkb(db->ctx, g, b, n) : plat_blob__to_geos(db->ctx, b, n, g);
}

/* Run st ("SELECT id, <geometry> ..."), handing each row's geometry to fn. */
static int each_geometry(plat_store *db, plat_stmt *st, int (*fn)(int64_t id, GEOSGeometry *g, void *), void *ud)
{
    int rc = 0, s;
    while (rc == 0 && (s = plat_sql_step(st)) == PLAT_SQL_ROW) {
        int64_t id = plat_sql_column_int64(st, 0);
        GEOSGeometry *g = NULL;
        if ((rc = geometry_of(db, st, &g)) < 0) {
            char why[sizeof plat_error_last(db->ctx)->msg];
            snprintf(why, sizeof why, "%s", plat_error_last(db->ctx)->msg);
            return plat_error_set(db->ctx, rc, "layer feature %lld: unreadable geometry in the ledger (%s)",
                                  (long long)id, why);
        }
        rc = fn(id, g, ud);
    }
    if (rc == 0 && s != PLAT_SQL_DONE)
        rc = plat_store__db_err(db, "reading a layer");
    return rc;
}

int plat_layer_foreach_geometry(plat_store *db, const char *name, const double *boxes, int nboxes,
                                int (*fn)(int64_t id, GEOSGeometry *g, void *), void *ud)
{
    char table[64], sql[512];
    plat_stmt *st = NULL;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc = table_of(db, table, sizeof table, name);
    if (rc < 0)
        return rc;
    /* The geometry as the ledger keeps it when this process decodes it, else as WKB. */
    const char *geom = db->pg ? "AsBinary(geom)" : "geom";
    if (!boxes) {
        snprintf(sql, sizeof sql, "SELECT id, %s FROM \"%s\" ORDER BY id", geom, table);
        if ((rc = plat_store__prepare(db, &st, sql)) < 0)
            return rc;
        plat_sql_stream(st); /* a province's parcels: a batch at a time */
        rc = each_geometry(db, st, fn, ud);
        plat_sql_finalize(st);
        return rc;
    }
    /* The ids from the R*Tree box by box, then each feature once, in row order as a read of
     * the whole layer gives them. */
    char filter[320];
    plat_sql_box_filter(db, filter, sizeof filter, table, 1);
    snprintf(sql, sizeof sql, "SELECT id FROM \"%s\" WHERE %s", table, filter);
    if ((rc = plat_store__prepare(db, &st, sql)) < 0)
        return rc;
    for (int b = 0; rc >= 0 && b < nboxes; b++) {
        plat_sql_reset(st);
        for (int k = 0; k < 4; k++)
            plat_sql_bind_double(st, k + 1, boxes[4 * b + k]);
        while (rc >= 0 && plat_sql_step(st) == PLAT_SQL_ROW) {
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                int64_t *v = realloc(ids, cap * sizeof(*v));
                if (!v) {
                    rc = plat_error_set(db->ctx, PLAT_ENOMEM, "out of memory");
                    break;
                }
                ids = v;
            }
            ids[n++] = plat_sql_column_int64(st, 0);
        }
    }
    plat_sql_finalize(st);
    st = NULL;
    if (rc >= 0 && n)
        qsort(ids, n, sizeof(*ids), plat_store__cmp_id);
    size_t k = 0; /* dedupe in place */
    for (size_t i = 0; i < n; i++)
        if (k == 0 || ids[k - 1] != ids[i])
            ids[k++] = ids[i];
    n = k;
    /* IN lists of FETCH_IDS ids: one round trip each on a server, in row order; the last list
     * is padded with its last id (an IN list ignores repeats). */
    enum { FETCH_IDS = 256 };
    plat_buf q = PLAT_BUF_INIT;
    plat_buf_printf(&q, "SELECT id, %s FROM \"%s\" WHERE id IN (?", geom, table);
    for (int j = 1; j < FETCH_IDS; j++)
        plat_buf_puts(&q, ", ?");
    plat_buf_puts(&q, ") ORDER BY id");
    if (rc >= 0 && n)
        rc = plat_store__prepare(db, &st, plat_buf_cstr(&q));
    plat_buf_dispose(&q);
    for (size_t i = 0; rc == 0 && i < n; i += FETCH_IDS) {
        plat_sql_reset(st);
        for (size_t j = 0; j < FETCH_IDS; j++)
            plat_sql_bind_int64(st, (int)j + 1, ids[i + j < n ? i + j : n - 1]);
        rc = each_geometry(db, st, fn, ud);
    }
    plat_sql_finalize(st);
    free(ids);
    return rc;
}

static int each_info(plat_store *db, const char *name, int (*fn)(const plat_layer_info *, void *), void *ud)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, name
        ? "SELECT name, kind, geometry_kind, source_file, feature_count, imported_at FROM layers WHERE name = ?"
        : "SELECT name, kind, geometry_kind, source_file, feature_count, imported_at FROM layers ORDER BY name");
    if (rc < 0)
        return rc;
    if (name)
        plat_sql_bind_text(st, 1, name);
    int seen = 0;
    while (rc == 0 && plat_sql_step(st) == PLAT_SQL_ROW) {
        plat_layer_info li = { plat_sql_column_text(st, 0), plat_sql_column_text(st, 1),
                               plat_sql_column_text(st, 2), plat_sql_column_text(st, 3),
                               plat_sql_column_int64(st, 4), plat_sql_column_text(st, 5) };
        seen = 1;
        rc = fn(&li, ud);
    }
    plat_sql_finalize(st);
    if (rc == 0 && name && !seen)
        rc = plat_error_set(db->ctx, PLAT_ENOTFOUND, "no layer named '%s' (see `plat layer list`)", name);
    return rc;
}

int plat_layer_get(plat_store *db, const char *name, int (*fn)(const plat_layer_info *, void *), void *ud)
{
    return each_info(db, name, fn, ud);
}

int plat_layer_foreach(plat_store *db, int (*fn)(const plat_layer_info *, void *), void *ud)
{
    return each_info(db, NULL, fn, ud);
}

int plat_layer_foreach_feature(plat_store *db, const char *name, const unsigned char *bbox_wkb, size_t bbox_size,
                               int (*fn)(const plat_feature *f, void *), void *ud)
{
    char table[64], sql[512];
    plat_stmt *st = NULL;
    int rc = table_of(db, table, sizeof table, name);
    if (rc < 0)
        return rc;
    if (bbox_wkb) {
        char filter[320];
        plat_sql_frame_filter(db, filter, sizeof filter, table, 1);
        snprintf(sql, sizeof sql, "SELECT id, fid, AsBinary(geom), attrs FROM \"%s\" WHERE %s ORDER BY id", table, filter);
    } else {
        snprintf(sql, sizeof sql, "SELECT id, fid, AsBinary(geom), attrs FROM \"%s\" ORDER BY id", table);
    }
    if ((rc = plat_store__prepare(db, &st, sql)) < 0)
        return rc;
    plat_sql_stream(st); /* a province's parcels: a batch at a time */
    if (bbox_wkb) {
        plat_sql_bind_blob_ref(st, 1, bbox_wkb, (int)bbox_size);
        plat_sql_bind_int(st, 2, db->srid);
    }
    while (rc == 0) {
        int s = plat_sql_step(st);
        if (s == PLAT_SQL_DONE)
            break;
        if (s != PLAT_SQL_ROW) {
            rc = plat_store__db_err(db, "reading a layer");
            break;
        }
        plat_feature f = feature_of(st);
        rc = fn(&f, ud);
    }
    plat_sql_finalize(st);
    return rc;
}

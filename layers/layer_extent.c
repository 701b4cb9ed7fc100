/* layers/layer_extent.c - the extent of a reference layer, from its spatial index.
 *
 * `plat query --intersects-layer` and `plat check conflicts` only need the projects that can
 * meet a layer, so they ask the projects' spatial index for those near the layer's extent.
 * The extent comes from the layer's R*Tree (SpatiaLite's idx_<table>_geom, one row of
 * xmin/xmax/ymin/ymax per feature), so no geometry blob is read. The R*Tree keeps its bounds
 * as 32-bit floats rounded outward, so the box can only be a little larger than the layer,
 * never smaller. The table name comes from the registry, never from the user's text. */
#include <stdio.h>

#include "query_int.h"

int plat_layer__extent(plat_store *db, plat_box *out, int *empty, const char *name)
{
    sqlite3_stmt *st = NULL;
    char table[64] = "", sql[256];
    out->x0 = out->y0 = 1.0;
    out->x1 = out->y1 = 0.0;
    *empty = 1;
    int rc = plat_store__prepare(db, &st, "SELECT table_name FROM layers WHERE name = ?");
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(table, sizeof table, "%s", (const char *)sqlite3_column_text(st, 0));
    else
        rc = plat_error_set(db->ctx, PLAT_ENOTFOUND, "no layer named '%s' (see `plat layer list`)", name);
    sqlite3_finalize(st);
    st = NULL;
    if (rc < 0)
        return rc;
    snprintf(sql, sizeof sql, "SELECT min(xmin), min(ymin), max(xmax), max(ymax) FROM \"idx_%s_geom\"", table);
    if ((rc = plat_store__prepare(db, &st, sql)) < 0)
        return rc;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        out->x0 = sqlite3_column_double(st, 0);
        out->y0 = sqlite3_column_double(st, 1);
        out->x1 = sqlite3_column_double(st, 2);
        out->y1 = sqlite3_column_double(st, 3);
        *empty = 0;
    } else if (s != SQLITE_ROW) {
        rc = plat_store__sqlite_err(db, "reading a layer's extent");
    }
    sqlite3_finalize(st);
    return rc;
}

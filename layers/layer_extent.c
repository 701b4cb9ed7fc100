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
    plat_stmt *st = NULL;
    char table[64] = "", sql[256];
    out->x0 = out->y0 = 1.0;
    out->x1 = out->y1 = 0.0;
    *empty = 1;
    int rc = plat_store__prepare(db, &st, "SELECT table_name FROM layers WHERE name = ?");
    if (rc < 0)
        return rc;
    plat_sql_bind_text(st, 1, name);
    if (plat_sql_step(st) == PLAT_SQL_ROW)
        snprintf(table, sizeof table, "%s", plat_sql_column_text(st, 0));
    else
        rc = plat_error_set(db->ctx, PLAT_ENOTFOUND, "no layer named '%s' (see `plat layer list`)", name);
    plat_sql_finalize(st);
    st = NULL;
    if (rc < 0)
        return rc;
    plat_sql_extent_query(db, sql, sizeof sql, table);
    if ((rc = plat_store__prepare(db, &st, sql)) < 0)
        return rc;
    int s = plat_sql_step(st);
    if (s == PLAT_SQL_ROW && !plat_sql_column_is_null(st, 0)) {
        out->x0 = plat_sql_column_double(st, 0);
        out->y0 = plat_sql_column_double(st, 1);
        out->x1 = plat_sql_column_double(st, 2);
        out->y1 = plat_sql_column_double(st, 3);
        *empty = 0;
    } else if (s != PLAT_SQL_ROW) {
        rc = plat_store__db_err(db, "reading a layer's extent");
    }
    plat_sql_finalize(st);
    return rc;
}

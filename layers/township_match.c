/* layers/township_match.c - which townships a name stands for, as codes.
 *
 * `plat query --township T` keeps the projects with a part in T (the store's filter, from the
 * stored places) and reports the part inside T, which needs the townships T stands for: a
 * township by code or name, or failing that every township of a county by name or code. The
 * rule is the one plat_project_filter.township applies in SQL, written once more here as SQL so
 * the two cannot drift apart in meaning. The codes are returned sorted (strcmp order) so callers
 * can bsearch them. */
#include <stdlib.h>
#include <string.h>

#include "query_int.h"

void plat_query__free_codes(char **codes, int n)
{
    for (int i = 0; codes && i < n; i++)
        free(codes[i]);
    free(codes);
}

int plat_query__township_codes(plat_store *db, char ***out, int *n, const char *text)
{
    plat_stmt *st = NULL;
    char **codes = NULL;
    int k = 0, cap = 0;
    *out = NULL;
    *n = 0;
    int rc = plat_store__prepare(db, &st,
                                 "SELECT code FROM townships WHERE CASE WHEN EXISTS (SELECT 1 FROM townships "
                                 "WHERE code = ?1 OR name = ?1) THEN code = ?1 OR name = ?1 "
                                 "ELSE county = ?1 OR county_code = ?1 END ORDER BY code");
    if (rc < 0)
        return rc;
    plat_sql_bind_text(st, 1, text);
    for (;;) {
        int s = plat_sql_step(st);
        if (s == PLAT_SQL_DONE)
            break;
        if (s != PLAT_SQL_ROW) {
            rc = plat_store__db_err(db, "finding townships");
            break;
        }
        if (k == cap) {
            cap = cap ? 2 * cap : 16;
            char **c = realloc(codes, (size_t)cap * sizeof(*c));
            if (!c) {
                rc = plat_error_set(db->ctx, PLAT_ENOMEM, "out of memory");
                break;
            }
            codes = c;
        }
        if (!(codes[k] = plat_store__column_strdup(st, 0))) {
            rc = plat_error_set(db->ctx, PLAT_ENOMEM, "out of memory");
            break;
        }
        k++;
    }
    plat_sql_finalize(st);
    if (rc == 0 && k == 0)
        rc = plat_error_set(db->ctx, PLAT_ENOTFOUND,
                            "no township or county named '%s' in the ledger (see `plat township list`)", text);
    if (rc < 0) {
        plat_query__free_codes(codes, k);
        return rc;
    }
    *out = codes;
    *n = k;
    return 0;
}

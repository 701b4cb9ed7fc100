/* layers/category.c - project categories (code, Chinese and English label, map colour) and the
 * four project states with their Chinese names.
 *
 * Users write categories and states the way the plans do: "高标准农田", "在建", "竣工". The
 * resolvers accept the code, the labels and the common synonyms and return the one code the
 * ledger stores, so a table filter and an import agree on what "farmland" means. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "layers_int.h"

int plat_category_foreach(plat_store *db, int (*fn)(const plat_category *, void *), void *ud)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, "SELECT code, label_zh, label_en, color FROM categories ORDER BY code");
    if (rc < 0)
        return rc;
    while (rc == 0 && plat_sql_step(st) == PLAT_SQL_ROW) {
        plat_category c = { plat_sql_column_text(st, 0), plat_sql_column_text(st, 1),
                            plat_sql_column_text(st, 2), plat_sql_column_text(st, 3) };
        rc = fn(&c, ud);
    }
    plat_sql_finalize(st);
    return rc;
}

int plat_category_resolve(plat_store *db, char *buf, size_t n, const char *text)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st,
                                 "SELECT code FROM categories WHERE code = lower(?1) OR label_zh = ?1 "
                                 "OR lower(label_en) = lower(?1) OR replace(lower(label_en), ' ', '_') = lower(?1)");
    if (rc < 0)
        return rc;
    plat_sql_bind_text(st, 1, text);
    if (plat_sql_step(st) == PLAT_SQL_ROW) {
        snprintf(buf, n, "%s", plat_sql_column_text(st, 0));
        plat_sql_finalize(st);
        return 0;
    }
    plat_sql_finalize(st);
    plat_buf known = PLAT_BUF_INIT;
    if (plat_store__prepare(db, &st, "SELECT code FROM categories ORDER BY code") == 0) {
        while (plat_sql_step(st) == PLAT_SQL_ROW)
            plat_buf_printf(&known, "%s%s", known.len ? ", " : "", plat_sql_column_text(st, 0));
        plat_sql_finalize(st);
    }
    rc = plat_error_set(db->ctx, PLAT_EINVALID, "unknown category '%s'; known: %s", text, plat_buf_cstr(&known));
    plat_buf_dispose(&known);
    return rc;
}

const char *plat_category_label(plat_store *db, char *buf, size_t n, const char *code)
{
    plat_stmt *st = NULL;
    snprintf(buf, n, "%s", code ? code : "");
    if (db->sql->prepare(db, &st, "SELECT label_zh FROM categories WHERE code = ?") < 0)
        return buf;
    plat_sql_bind_text(st, 1, code);
    if (plat_sql_step(st) == PLAT_SQL_ROW)
        snprintf(buf, n, "%s", plat_sql_column_text(st, 0));
    plat_sql_finalize(st);
    return buf;
}

static const struct {
    const char *code;
    const char *label;
    const char *aliases[6];
} states[] = {
    { "planned", "计划", { "计划", "规划", "拟建", "未开工", "前期", NULL } },
    { "under_construction", "在建", { "在建", "建设中", "施工中", "续建", "新开工", NULL } },
    { "completed", "已完工", { "已完工", "完工", "竣工", "建成", "已建成", NULL } },
    { "suspended", "暂停", { "暂停", "停建", "缓建", "停工", NULL, NULL } },
};

const char *plat_status_label(const char *status)
{
    for (size_t i = 0; status && i < sizeof(states) / sizeof(states[0]); i++)
        if (strcmp(states[i].code, status) == 0)
            return states[i].label;
    return status ? status : "";
}

const char *plat_status_resolve(const char *text)
{
    if (!text)
        return NULL;
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
        if (strcasecmp(states[i].code, text) == 0)
            return states[i].code;
        for (int k = 0; k < 6 && states[i].aliases[k]; k++)
            if (strcmp(states[i].aliases[k], text) == 0)
                return states[i].code;
    }
    return NULL;
}

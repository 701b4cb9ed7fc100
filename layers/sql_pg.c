/* layers/sql_pg.c - the PostgreSQL driver: a ledger in one schema of a PostGIS database.
 *
 * Statements are written in SQLite's spelling (sql.h); prepare rewrites them for PostgreSQL:
 * ?N and ? become $N, and the few SpatiaLite and SQLite functions the ledger uses become
 * PostGIS's and PostgreSQL's (GeomFromWKB -> ST_GeomFromWKB, json_extract(c, '$.k') ->
 * (CAST(c AS json) ->> 'k'), ...). Text inside quotes is never touched.
 *
 * Values travel as text except blobs (WKB), which go as binary bytea parameters; results come
 * as text (bytea as hex, decoded on demand). Each parameter is sent with the type it was bound
 * as (double precision, text, bytea), except integers, which are sent untyped so that they
 * take the type their context wants (a bigint id, an integer SRID); a NULL is sent untyped,
 * and where PostgreSQL cannot infer its type the SQL casts it (CAST(?1 AS TEXT), in both dialects).
 *
 * A statement marked with plat_sql_stream reads through a cursor, FETCH_ROWS rows at a time,
 * when a transaction is open (a reader always has one: its snapshot): the coverage engine reads
 * a province's parcels without holding them all in memory. Other statements fetch their whole
 * result at the first step, so any number can be open at once on the one connection.
 *
 * A password given in the connection string is used, but messages never show it: the store's
 * name for itself (plat_store_where) is rebuilt from the parsed options without it, and error
 * messages are scrubbed of it as well. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "layers_int.h"

enum { FETCH_ROWS = 2000, MAX_PARAMS = 64 };
/* Type OIDs of pg_type, fixed since PostgreSQL 7. */
enum { OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25, OID_OID = 26,
       OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_NUMERIC = 1700 };

typedef struct pg_param {
    int used;      /* the SQL names it (SQLite lets a statement bind what it does not use) */
    char *value;   /* NULL: SQL NULL */
    int length;    /* bytes, for binary values */
    int binary;
    Oid type;
    char num[40];  /* numbers are written here, value points at it */
} pg_param;

typedef struct pg_stmt {
    plat_stmt base;
    plat_store *db;
    char *sql;            /* rewritten */
    int nparams;
    pg_param *params;
    int stream;
    char cursor[32];      /* declared cursor, "" when none */
    int cursor_done;      /* the cursor has no more rows */
    PGresult *res;        /* the rows at hand */
    int row, nrows;       /* the current row in res; -1 before the first */
    int started;
    int64_t changes;
    int batch_max;        /* rows gathered before they are sent (plat_sql_batch), 0: none */
    int batch_n;
    pg_param *batched;    /* batch_max * nparams gathered values */
    unsigned char **blobs; /* decoded bytea of the current row, per column */
    int *blob_len;
    int ncols_alloc;
} pg_stmt;

#define PG(s) ((pg_stmt *)(s))

/* ---- the dialect ---- */

static const struct {
    const char *sqlite, *pg;
} functions[] = {
    { "GeomFromWKB", "ST_GeomFromWKB" }, { "AsBinary", "ST_AsBinary" }, { "CastToMultiPolygon", "ST_Multi" },
    { "MbrMinX", "ST_XMin" }, { "MbrMinY", "ST_YMin" }, { "MbrMaxX", "ST_XMax" }, { "MbrMaxY", "ST_YMax" },
    { "json_object", "json_build_object" },
};

static int ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* json_extract(col, '$.key') at *p (after the name): write (CAST(col AS json) ->> 'key').
 * @return the characters consumed after the name, 0 when the call has another shape. */
static size_t rewrite_json_extract(plat_buf *out, const char *p)
{
    const char *q = p;
    if (*q++ != '(')
        return 0;
    const char *col = q;
    while (ident_char(*q))
        q++;
    size_t col_len = (size_t)(q - col);
    if (!col_len || strncmp(q, ", '$.", 5) != 0)
        return 0;
    q += 5;
    const char *key = q;
    while (ident_char(*q))
        q++;
    size_t key_len = (size_t)(q - key);
    if (!key_len || strncmp(q, "')", 2) != 0)
        return 0;
    plat_buf_printf(out, "(CAST(%.*s AS json) ->> '%.*s')", (int)col_len, col, (int)key_len, key);
    return (size_t)(q + 2 - p);
}

/* Rewrite SQLite-spelled sql for PostgreSQL into out; used[n - 1] is set for each parameter n
 * the SQL names (up to nused of them). @return the number of parameters. */
static int rewrite(plat_buf *out, const char *sql, unsigned char *used, int nused)
{
    int bare = 0, most = 0;
    for (const char *p = sql; *p;) {
        if (*p == '\'' || *p == '"') { /* copy a quoted string or identifier whole */
            char q = *p;
            const char *e = p + 1;
            while (*e && !(*e == q && e[1] != q))
                e += *e == q ? 2 : 1;
            if (*e)
                e++;
            plat_buf_add(out, p, (size_t)(e - p));
            p = e;
        } else if (*p == '?') {
            int n;
            p++;
            if (isdigit((unsigned char)*p)) {
                n = (int)strtol(p, (char **)&p, 10);
            } else {
                n = ++bare > most ? bare : most + 1;
                bare = n;
            }
            if (n > most)
                most = n;
            if (n >= 1 && n <= nused)
                used[n - 1] = 1;
            plat_buf_printf(out, "$%d", n);
        } else if (ident_char(*p) && (p == sql || !ident_char(p[-1]))) {
            const char *e = p;
            while (ident_char(*e))
                e++;
            size_t len = (size_t)(e - p);
            int done = 0;
            for (size_t i = 0; !done && i < sizeof functions / sizeof functions[0]; i++)
                if (strlen(functions[i].sqlite) == len && strncmp(p, functions[i].sqlite, len) == 0 && *e == '(') {
                    plat_buf_puts(out, functions[i].pg);
                    done = 1;
                }
            if (!done && len == 12 && strncmp(p, "json_extract", 12) == 0) {
                size_t took = rewrite_json_extract(out, e);
                if (took) {
                    e += took;
                    done = 1;
                }
            }
            if (!done && len == 4 && strncasecmp(p, "REAL", 4) == 0) { /* CAST(x AS REAL): 8 bytes, as in SQLite */
                plat_buf_puts(out, "double precision");
                done = 1;
            }
            if (!done)
                plat_buf_add(out, p, len);
            p = e;
        } else {
            plat_buf_add(out, p, 1);
            p++;
        }
    }
    return most;
}

/* ---- errors ---- */

/* Keep res's error (or the connection's) as the store's last error, without the password. */
static void keep_error(plat_store *db, const PGresult *res)
{
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!msg)
        msg = PQerrorMessage(db->pg);
    snprintf(db->pg_err, sizeof db->pg_err, "%s", msg && *msg ? msg : "the server gave no reason");
    snprintf(db->pg_state, sizeof db->pg_state, "%s", state ? state : "");
    size_t n = strlen(db->pg_err);
    while (n && (db->pg_err[n - 1] == '\n' || db->pg_err[n - 1] == ' '))
        db->pg_err[--n] = '\0';
    if (db->secret && *db->secret) {
        char *hit;
        while ((hit = strstr(db->pg_err, db->secret)))
            memset(hit, '*', strlen(db->secret));
    }
}

static const char *pg_errmsg(plat_store *db, int *klass)
{
    const char *s = db->pg_state;
    if (strncmp(s, "23", 2) == 0)
        *klass = PLAT_SQL_ECONSTRAINT;
    else if (!strcmp(s, "55P03") || !strcmp(s, "40001") || !strcmp(s, "40P01"))
        *klass = PLAT_SQL_EBUSY;
    else if (!strcmp(s, "42501") || !strcmp(s, "25006"))
        *klass = PLAT_SQL_EDENIED;
    else
        *klass = PLAT_SQL_EOTHER;
    return db->pg_err;
}

/* 0 when res succeeded; otherwise keeps the error, clears res and returns PLAT_EIO. */
static int check(plat_store *db, PGresult *res)
{
    ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
        return 0;
    keep_error(db, res);
    PQclear(res);
    return res ? PLAT_EIO : PLAT_ENOMEM;
}

/* ---- statements ---- */

static int pg_prepare(plat_store *db, plat_stmt **out, const char *sql)
{
    *out = NULL;
    plat_buf b = PLAT_BUF_INIT;
    unsigned char named[MAX_PARAMS] = { 0 };
    int n = rewrite(&b, sql, named, MAX_PARAMS);
    pg_stmt *s = calloc(1, sizeof *s);
    if (!s || !(s->sql = plat_buf_detach(&b)) || (n && !(s->params = calloc((size_t)n, sizeof *s->params)))) {
        if (s)
            free(s->sql);
        free(s);
        plat_buf_dispose(&b);
        return PLAT_ENOMEM;
    }
    s->base.ops = &plat_sql_pg_ops;
    s->db = db;
    s->nparams = n;
    for (int i = 0; i < n; i++)
        s->params[i].used = i >= MAX_PARAMS || named[i];
    s->row = -1;
    *out = &s->base;
    return 0;
}

static int pg_exec(plat_store *db, const char *sql)
{
    plat_buf b = PLAT_BUF_INIT;
    rewrite(&b, sql, NULL, 0);
    PGresult *res = PQexec(db->pg, plat_buf_cstr(&b));
    plat_buf_dispose(&b);
    int rc = check(db, res);
    if (rc == 0)
        PQclear(res);
    return rc;
}

static pg_param *param(plat_stmt *st, int i)
{
    pg_stmt *s = PG(st);
    if (i < 1 || i > s->nparams)
        return NULL;
    pg_param *p = &s->params[i - 1];
    if (p->value != p->num)
        free(p->value);
    p->value = NULL;
    p->binary = 0;
    p->length = 0;
    p->type = 0;
    return p;
}

static int pg_bind_int64(plat_stmt *st, int i, int64_t v)
{
    pg_param *p = param(st, i);
    if (!p)
        return PLAT_EIO;
    snprintf(p->num, sizeof p->num, "%lld", (long long)v);
    p->value = p->num;
    p->type = 0; /* untyped: a bigint column, an integer SRID argument, whatever the context wants */
    return 0;
}

static int pg_bind_double(plat_stmt *st, int i, double v)
{
    pg_param *p = param(st, i);
    if (!p)
        return PLAT_EIO;
    if (isnan(v))
        snprintf(p->num, sizeof p->num, "NaN");
    else if (isinf(v))
        snprintf(p->num, sizeof p->num, "%sInfinity", v < 0 ? "-" : "");
    else
        snprintf(p->num, sizeof p->num, "%.17g", v);
    p->value = p->num;
    p->type = OID_FLOAT8;
    return 0;
}

static int pg_bind_text(plat_stmt *st, int i, const char *t, int n)
{
    pg_param *p = param(st, i);
    if (!p)
        return PLAT_EIO;
    size_t len = n < 0 ? strlen(t) : (size_t)n;
    if (!(p->value = malloc(len + 1)))
        return PLAT_ENOMEM;
    memcpy(p->value, t, len);
    p->value[len] = '\0';
    p->type = OID_TEXT;
    return 0;
}

static int pg_bind_blob(plat_stmt *st, int i, const void *v, int n, int copy)
{
    (void)copy; /* always copied: the value is sent at step, after the caller may have moved on */
    pg_param *p = param(st, i);
    if (!p)
        return PLAT_EIO;
    if (!(p->value = malloc(n > 0 ? (size_t)n : 1)))
        return PLAT_ENOMEM;
    if (n > 0)
        memcpy(p->value, v, (size_t)n);
    p->length = n;
    p->binary = 1;
    p->type = OID_BYTEA;
    return 0;
}

static int pg_bind_null(plat_stmt *st, int i)
{
    return param(st, i) ? 0 : PLAT_EIO;
}

static void forget_row(pg_stmt *s)
{
    for (int c = 0; c < s->ncols_alloc; c++) {
        PQfreemem(s->blobs[c]);
        s->blobs[c] = NULL;
        s->blob_len[c] = -1;
    }
}

/* Send sql with the n parameters p (NULLs typed null_type). NULL when out of memory. */
static PGresult *exec_params(plat_store *db, const char *sql, const pg_param *p, int n, Oid null_type)
{
    const char **values = n ? calloc((size_t)n, sizeof *values) : NULL;
    int *lengths = n ? calloc((size_t)n, sizeof *lengths) : NULL;
    int *formats = n ? calloc((size_t)n, sizeof *formats) : NULL;
    Oid *types = n ? calloc((size_t)n, sizeof *types) : NULL;
    PGresult *res = NULL;
    if (!n || (values && lengths && formats && types)) {
        for (int i = 0; i < n; i++) {
            /* a parameter the SQL does not name can have no type but the one given */
            values[i] = p[i].used ? p[i].value : NULL;
            lengths[i] = p[i].length;
            formats[i] = p[i].binary;
            types[i] = !p[i].used ? OID_TEXT : p[i].value ? p[i].type : null_type;
        }
        res = PQexecParams(db->pg, sql, n, types, values, lengths, formats, 0);
    }
    free(values);
    free(lengths);
    free(formats);
    free(types);
    return res;
}

/* Run sql (the statement itself, or DECLARE ... FOR it) with the bound parameters. */
static PGresult *run(pg_stmt *s, const char *sql, Oid null_type)
{
    return exec_params(s->db, sql, s->params, s->nparams, null_type);
}

static PGresult *run_typed(pg_stmt *s, const char *sql)
{
    PGresult *res = run(s, sql, 0);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    /* A NULL of no inferable type; inside a transaction the failure has aborted it, so there the
     * SQL must say (CAST(? AS TEXT)). */
    if (state && (!strcmp(state, "42P18") || !strcmp(state, "42P08")) &&
        PQtransactionStatus(s->db->pg) == PQTRANS_IDLE) {
        PQclear(res);
        res = run(s, sql, OID_TEXT);
    }
    return res;
}

static int is_query(const char *sql)
{
    while (isspace((unsigned char)*sql))
        sql++;
    return strncasecmp(sql, "SELECT", 6) == 0 || strncasecmp(sql, "WITH", 4) == 0;
}

static int fetch(pg_stmt *s)
{
    char sql[64];
    snprintf(sql, sizeof sql, "FETCH %d FROM %s", FETCH_ROWS, s->cursor);
    PGresult *res = PQexec(s->db->pg, sql);
    if (check(s->db, res) < 0)
        return PLAT_EIO;
    PQclear(s->res);
    s->res = res;
    s->nrows = PQntuples(res);
    s->row = -1;
    s->cursor_done = s->nrows < FETCH_ROWS;
    return 0;
}

static int start(pg_stmt *s)
{
    plat_store *db = s->db;
    s->started = 1;
    if (s->stream && is_query(s->sql) && PQtransactionStatus(db->pg) == PQTRANS_INTRANS) {
        snprintf(s->cursor, sizeof s->cursor, "plat_c%d", ++db->pg_cursors);
        plat_buf b = PLAT_BUF_INIT;
        plat_buf_printf(&b, "DECLARE %s NO SCROLL CURSOR FOR %s", s->cursor, s->sql);
        PGresult *res = run_typed(s, plat_buf_cstr(&b));
        plat_buf_dispose(&b);
        if (check(db, res) < 0) {
            s->cursor[0] = '\0';
            return PLAT_EIO;
        }
        PQclear(res);
        return fetch(s);
    }
    PGresult *res = run_typed(s, s->sql);
    if (check(db, res) < 0) {
        if (getenv("PLAT_DEBUG_SQL")) /* for plat's developers: the statement as the server saw it */
            fprintf(stderr, "plat: PostgreSQL refused: %s\n  in: %s\n", db->pg_err, s->sql);
        return PLAT_EIO;
    }
    s->res = res;
    s->nrows = PQntuples(res);
    s->row = -1;
    const char *t = PQcmdTuples(res);
    s->changes = t && *t ? strtoll(t, NULL, 10) : 0;
    return 0;
}

static void pg_batch(plat_stmt *st, int rows)
{
    pg_stmt *s = PG(st);
    const char *v = strstr(s->sql, "VALUES(");
    /* only a plain INSERT ... VALUES(...) with parameters can be repeated row by row */
    if (rows > 1 && s->nparams > 0 && v && s->sql[strlen(s->sql) - 1] == ')' && !strstr(v, "RETURNING") &&
        (s->batched = calloc((size_t)rows * (size_t)s->nparams, sizeof *s->batched)))
        s->batch_max = rows;
}

static void free_params(pg_param *p, int n)
{
    for (int i = 0; i < n; i++)
        if (p[i].value != p[i].num)
            free(p[i].value);
}

/* Send the gathered rows as one INSERT: the VALUES tuple repeated, its $k renumbered. */
static int pg_flush(plat_stmt *st)
{
    pg_stmt *s = PG(st);
    if (!s->batch_n)
        return 0;
    int np = s->nparams, n = s->batch_n, rc = 0;
    const char *v = strstr(s->sql, "VALUES(") + 6;
    plat_buf q = PLAT_BUF_INIT;
    plat_buf_add(&q, s->sql, (size_t)(v - s->sql));
    for (int r = 0; r < n; r++) {
        if (r)
            plat_buf_puts(&q, ", ");
        for (const char *c = v; *c; c++) {
            if (*c == '$' && isdigit((unsigned char)c[1])) {
                char *end;
                long k = strtol(c + 1, &end, 10);
                plat_buf_printf(&q, "$%ld", (long)r * np + k);
                c = end - 1;
            } else {
                plat_buf_add(&q, c, 1);
            }
        }
    }
    size_t total = (size_t)n * (size_t)np;
    PGresult *res = plat_buf_cstr(&q)[0] ? exec_params(s->db, plat_buf_cstr(&q), s->batched, (int)total, 0) : NULL;
    rc = check(s->db, res); /* a NULL result is out of memory */
    if (rc == 0)
        PQclear(res);
    plat_buf_dispose(&q);
    free_params(s->batched, (int)total);
    memset(s->batched, 0, total * sizeof *s->batched);
    s->batch_n = 0;
    return rc;
}

/* Gather the bound values as the next row of the batch, sending it when full. */
static int gather(pg_stmt *s)
{
    pg_param *row = &s->batched[(size_t)s->batch_n * (size_t)s->nparams];
    for (int i = 0; i < s->nparams; i++) {
        pg_param *p = &s->params[i], *q = &row[i];
        *q = *p;
        if (p->value == p->num) {
            q->value = q->num;
        } else if (p->value) { /* the binding stays for the next row, as in SQLite */
            size_t len = p->binary ? (size_t)p->length : strlen(p->value) + 1;
            if (!(q->value = malloc(len ? len : 1))) {
                memset(q, 0, sizeof *q);
                return PLAT_ENOMEM;
            }
            memcpy(q->value, p->value, len);
        }
    }
    s->started = 1;
    s->changes = 1;
    if (++s->batch_n == s->batch_max && pg_flush(&s->base) < 0)
        return PLAT_EIO;
    return PLAT_SQL_DONE;
}

static int pg_step(plat_stmt *st)
{
    pg_stmt *s = PG(st);
    if (s->batch_max && !s->started)
        return gather(s);
    if (!s->started && start(s) < 0)
        return PLAT_EIO;
    forget_row(s);
    if (s->row + 1 >= s->nrows && s->cursor[0] && !s->cursor_done && fetch(s) < 0)
        return PLAT_EIO;
    if (s->row + 1 >= s->nrows)
        return PLAT_SQL_DONE;
    s->row++;
    return PLAT_SQL_ROW;
}

static void close_cursor(pg_stmt *s)
{
    if (!s->cursor[0])
        return;
    if (PQtransactionStatus(s->db->pg) == PQTRANS_INTRANS) {
        char sql[48];
        snprintf(sql, sizeof sql, "CLOSE %s", s->cursor);
        PQclear(PQexec(s->db->pg, sql));
    }
    s->cursor[0] = '\0';
}

static int pg_reset(plat_stmt *st)
{
    pg_stmt *s = PG(st);
    forget_row(s);
    close_cursor(s);
    PQclear(s->res);
    s->res = NULL;
    s->started = 0;
    s->row = -1;
    s->nrows = 0;
    return 0;
}

static void pg_finalize(plat_stmt *st)
{
    pg_stmt *s = PG(st);
    pg_reset(st);
    free_params(s->params, s->nparams);
    free(s->params);
    if (s->batched)
        free_params(s->batched, s->batch_n * s->nparams);
    free(s->batched);
    for (int c = 0; c < s->ncols_alloc; c++)
        PQfreemem(s->blobs[c]);
    free(s->blobs);
    free(s->blob_len);
    free(s->sql);
    free(s);
}

static void pg_stream(plat_stmt *st)
{
    PG(st)->stream = 1;
}

static int have(pg_stmt *s, int i)
{
    return s->res && s->row >= 0 && s->row < s->nrows && i >= 0 && i < PQnfields(s->res);
}

static int pg_column_count(plat_stmt *st)
{
    return PG(st)->res ? PQnfields(PG(st)->res) : 0;
}

static int pg_column_type(plat_stmt *st, int i)
{
    pg_stmt *s = PG(st);
    if (!have(s, i) || PQgetisnull(s->res, s->row, i))
        return PLAT_SQL_NULL;
    switch (PQftype(s->res, i)) {
    case OID_BOOL: case OID_INT2: case OID_INT4: case OID_INT8: case OID_OID: return PLAT_SQL_INTEGER;
    case OID_FLOAT4: case OID_FLOAT8: case OID_NUMERIC: return PLAT_SQL_FLOAT;
    case OID_BYTEA: return PLAT_SQL_BLOB;
    default: return PLAT_SQL_TEXT;
    }
}

static const char *pg_column_text(plat_stmt *st, int i)
{
    pg_stmt *s = PG(st);
    if (!have(s, i) || PQgetisnull(s->res, s->row, i))
        return NULL;
    return PQgetvalue(s->res, s->row, i);
}

static int64_t pg_column_int64(plat_stmt *st, int i)
{
    const char *t = pg_column_text(st, i);
    if (!t)
        return 0;
    if (PQftype(PG(st)->res, i) == OID_BOOL)
        return *t == 't';
    if (strpbrk(t, ".eE")) /* a float or numeric asked for as an integer: truncate, as SQLite does */
        return (int64_t)strtod(t, NULL);
    return strtoll(t, NULL, 10);
}

static double pg_column_double(plat_stmt *st, int i)
{
    const char *t = pg_column_text(st, i);
    if (!t)
        return 0.0;
    if (PQftype(PG(st)->res, i) == OID_BOOL)
        return *t == 't';
    return strtod(t, NULL);
}

static const void *pg_column_blob(plat_stmt *st, int i)
{
    pg_stmt *s = PG(st);
    if (!have(s, i) || PQgetisnull(s->res, s->row, i))
        return NULL;
    if (PQftype(s->res, i) != OID_BYTEA)
        return PQgetvalue(s->res, s->row, i);
    int ncols = PQnfields(s->res);
    if (s->ncols_alloc < ncols) {
        unsigned char **b = realloc(s->blobs, (size_t)ncols * sizeof *b);
        if (!b)
            return NULL;
        s->blobs = b;
        int *l = realloc(s->blob_len, (size_t)ncols * sizeof *l);
        if (!l)
            return NULL;
        s->blob_len = l;
        for (int c = s->ncols_alloc; c < ncols; c++) {
            s->blobs[c] = NULL;
            s->blob_len[c] = -1;
        }
        s->ncols_alloc = ncols;
    }
    if (!s->blobs[i]) {
        size_t len = 0;
        s->blobs[i] = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, i), &len);
        s->blob_len[i] = s->blobs[i] ? (int)len : -1;
    }
    return s->blob_len[i] > 0 ? s->blobs[i] : NULL;
}

static int pg_column_bytes(plat_stmt *st, int i)
{
    pg_stmt *s = PG(st);
    if (!have(s, i) || PQgetisnull(s->res, s->row, i))
        return 0;
    if (PQftype(s->res, i) != OID_BYTEA)
        return PQgetlength(s->res, s->row, i);
    pg_column_blob(st, i);
    return s->blob_len && s->blob_len[i] > 0 ? s->blob_len[i] : 0;
}

static const char *pg_column_name(plat_stmt *st, int i)
{
    pg_stmt *s = PG(st);
    return s->res && i >= 0 && i < PQnfields(s->res) ? PQfname(s->res, i) : NULL;
}

static int64_t pg_changes(plat_stmt *st)
{
    return PG(st)->changes;
}

static void pg_close(plat_store *db)
{
    if (db->pg && db->snapshot) /* keep what the reader wrote (stored layer figures) */
        PQclear(PQexec(db->pg, "COMMIT"));
    db->snapshot = 0;
    PQfinish(db->pg);
    db->pg = NULL;
    free(db->secret);
    db->secret = NULL;
}

const plat_sql_ops plat_sql_pg_ops = {
    "postgresql", pg_prepare, pg_exec, pg_errmsg, pg_close,
    pg_bind_int64, pg_bind_double, pg_bind_text, pg_bind_blob, pg_bind_null,
    pg_step, pg_reset, pg_finalize,
    pg_column_count, pg_column_type, pg_column_int64, pg_column_double, pg_column_text,
    pg_column_blob, pg_column_bytes, pg_column_name, pg_changes, pg_stream, pg_batch, pg_flush,
};

/* ---- connecting ---- */

int plat_sql_is_conninfo(const char *target)
{
    if (!target)
        return 0;
    if (!strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11) || !strncmp(target, "PG:", 3))
        return 1;
    /* key=value pairs: "service=ledger", "dbname=plat host=/run/postgresql" */
    const char *p = target;
    while (isalpha((unsigned char)*p) || *p == '_')
        p++;
    return p > target && *p == '=';
}

int plat_store_target_is_server(const char *target)
{
    return plat_sql_is_conninfo(target);
}

/* How messages name the ledger: the connection's options without the password, and the
 * schema. Built from what libpq parsed, so a password in a URI is dropped as surely as one
 * given as password=. */
static char *describe(const char *conninfo, char **secret)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
    PQfreemem(err);
    plat_buf b = PLAT_BUF_INIT;
    plat_buf_puts(&b, "PG:");
    int any = 0;
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (!o->val || !*o->val)
            continue;
        if (!strcmp(o->keyword, "password") || !strcmp(o->keyword, "sslpassword")) {
            if (!*secret)
                *secret = plat_strdup(o->val);
            continue;
        }
        if (strcmp(o->keyword, "dbname") && strcmp(o->keyword, "host") && strcmp(o->keyword, "port") &&
            strcmp(o->keyword, "user") && strcmp(o->keyword, "service"))
            continue;
        plat_buf_printf(&b, "%s%s=", any++ ? " " : "", o->keyword);
        if (strpbrk(o->val, " '\\")) { /* quoted as libpq reads it back */
            plat_buf_puts(&b, "'");
            for (const char *c = o->val; *c; c++)
                plat_buf_printf(&b, "%s%c", *c == '\'' || *c == '\\' ? "\\" : "", *c);
            plat_buf_puts(&b, "'");
        } else {
            plat_buf_puts(&b, o->val);
        }
    }
    if (!any)
        plat_buf_puts(&b, "dbname=");
    PQconninfoFree(opts);
    return plat_buf_detach(&b);
}

static int schema_valid(const char *s)
{
    if (!s || !(islower((unsigned char)*s) || *s == '_'))
        return 0;
    size_t n = 0;
    for (; s[n]; n++)
        if (!(islower((unsigned char)s[n]) || isdigit((unsigned char)s[n]) || s[n] == '_'))
            return 0;
    return n <= 63;
}

/* 1 when the query's first column of its one row is true, 0 when false or no row, < 0 error. */
static int ask(plat_store *db, const char *sql, const char *arg)
{
    const char *values[1] = { arg };
    PGresult *res = PQexecParams(db->pg, sql, arg ? 1 : 0, NULL, arg ? values : NULL, NULL, NULL, 0);
    if (check(db, res) < 0)
        return PLAT_EIO;
    int yes = PQntuples(res) > 0 && !PQgetisnull(res, 0, 0) && *PQgetvalue(res, 0, 0) == 't';
    PQclear(res);
    return yes;
}

/* 1 when the schema on the search path has a meta table that says application plat. */
static int is_ledger(plat_store *db)
{
    int meta = ask(db, "SELECT to_regclass(quote_ident($1) || '.meta') IS NOT NULL", db->schema);
    if (meta <= 0)
        return meta;
    /* a meta table of another shape is not ours either */
    return ask(db, "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'application' AND value = 'plat')", NULL) > 0;
}

int plat_sql_pg_open(plat_store *db, const char *conninfo, const char *schema, int mode)
{
    plat_ctx *ctx = db->ctx;
    const char *ci = strncmp(conninfo, "PG:", 3) == 0 ? conninfo + 3 : conninfo;
    if (!schema_valid(schema))
        return plat_error_set(ctx, PLAT_EUSAGE,
                              "--schema '%s': a schema name is 1 to 63 lower-case letters, digits or _, "
                              "not starting with a digit", schema);
    db->target = describe(ci, &db->secret);
    db->schema = plat_strdup(schema);
    plat_buf where = PLAT_BUF_INIT;
    plat_buf_printf(&where, "%s (schema %s)", db->target ? db->target : "", schema);
    db->path = plat_buf_detach(&where);
    if (!db->path || !db->schema || !db->target)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    db->pg = PQconnectdb(ci);
    if (!db->pg)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    db->sql = &plat_sql_pg_ops;
    if (PQstatus(db->pg) != CONNECTION_OK) {
        keep_error(db, NULL);
        return plat_error_set(ctx, PLAT_EIO, "%s: cannot connect: %s", db->path, db->pg_err);
    }
    PQsetClientEncoding(db->pg, "UTF8");
    char sql[200];
    snprintf(sql, sizeof sql, "SET search_path TO %s, public; SET client_min_messages TO warning", schema);
    int rc = pg_exec(db, sql);
    if (rc < 0)
        return plat_store__db_err(db, db->path);

    int postgis = ask(db, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')", NULL);
    /* A ledger is a schema whose meta says application plat; a schema with other tables is
     * someone else's, never taken for an empty place to create one or for a ledger to drop. */
    int tables = ask(db, "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                         "WHERE n.nspname = $1)", schema);
    int ledger = tables > 0 ? is_ledger(db) : tables;
    if (postgis < 0 || ledger < 0)
        return plat_store__db_err(db, db->path);
    if (mode == PLAT_OPEN_CREATE && ledger)
        return plat_error_set(ctx, PLAT_EEXISTS,
                              "%s already holds a plat ledger; choose another --schema, or drop the schema first", db->path);
    if (tables && !ledger)
        return plat_error_set(ctx, PLAT_EINVALID,
                              "%s is not a plat ledger: the schema holds other tables; choose another --schema", db->path);
    if (mode != PLAT_OPEN_CREATE && !ledger)
        return plat_error_set(ctx, PLAT_ENOTFOUND,
                              "no ledger at %s: run `plat init` first, or give --db and --schema", db->path);
    if (!postgis && mode != PLAT_OPEN_CREATE)
        return plat_error_set(ctx, PLAT_EINVALID, "%s: the database has no PostGIS extension", db->path);
    if (!postgis && pg_exec(db, "CREATE EXTENSION IF NOT EXISTS postgis") < 0)
        return plat_error_set(ctx, PLAT_EIO,
                              "%s: the database has no PostGIS extension and this role may not create it (%s); "
                              "ask the database owner to run CREATE EXTENSION postgis", db->path, db->pg_err);
    return 0;
}

int plat_sql_pg_create_schema(plat_store *db)
{
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE SCHEMA IF NOT EXISTS %s", db->schema);
    if (pg_exec(db, sql) < 0)
        return plat_error_set(db->ctx, PLAT_EIO,
                              "%s: cannot create the schema %s: %s (the role needs the CREATE privilege on the "
                              "database, or an existing empty schema it owns)", db->path, db->schema, db->pg_err);
    return 0;
}

int plat_sql_pg_schema_version(plat_store *db)
{
    int ledger = ask(db, "SELECT to_regclass(quote_ident($1) || '.meta') IS NOT NULL", db->schema);
    if (ledger <= 0)
        return ledger;
    PGresult *res = PQexec(db->pg, "SELECT CAST(value AS integer) FROM meta WHERE key = 'schema_version'");
    if (check(db, res) < 0)
        return -1;
    int v = PQntuples(res) > 0 ? atoi(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    return v;
}

int plat_sql_pg_reader_may_write(plat_store *db)
{
    int free_now = ask(db, "SELECT pg_try_advisory_xact_lock(" PLAT_PG_LEDGER_LOCK ")", NULL);
    if (free_now <= 0)
        return free_now;
    /* Touching the generation row fails (could not serialize) when a writer has committed
     * since this reader's snapshot; the caller's savepoint takes the failure back. */
    return pg_exec(db, "UPDATE meta SET value = value WHERE key = 'generation'") < 0 ? 0 : 1;
}

int plat_sql_pg_snapshot(plat_store *db)
{
    /* A reader sees one moment of the ledger, however long it reads: a large import that
     * commits meanwhile is either all there or not at all. */
    if (pg_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ") < 0)
        return plat_store__db_err(db, "starting a snapshot");
    db->snapshot = 1;
    return 0;
}

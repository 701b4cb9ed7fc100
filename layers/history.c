/* layers/history.c - the project history as a hash chain, and a project's state at a moment.
 *
 * Every event of project_events stores prev_hash, the hash of the event before it in the
 * ledger (by id; "" for the first), and hash = SHA-256 of prev_hash and the event's content
 * (PLAT_EVENT_HASHED, each column typed and length-prefixed so no two contents serialise
 * alike). The hash is computed by an SQL function registered on every connection,
 * plat_event_hash(prev, columns...), so the INSERT that appends an event and the check that
 * reads it back use one serialisation. An AFTER INSERT trigger keeps the last hash in
 * meta.history_head, so even dropping the newest event shows. Altering an event in place
 * (after dropping the append-only triggers) breaks its own hash; deleting one breaks the next
 * event's prev_hash. plat_history_verify walks the chain and names the first broken event.
 *
 * Two clocks: `date` is the day an event is true for, `recorded_at` the moment it was written.
 * plat_project__fold derives a project's state from its events as of the end of a day
 * (events dated up to it) and as the ledger read on a day (events recorded up to it, and of
 * the corrections recorded by then: a corrected event is replaced by its correction). Events
 * apply registration first, then by date, then as recorded, so the latest-dated value of each
 * field wins. The projects table holds the fold with no cut: the state today by everything
 * recorded.
 *
 * Ownership: plat_project__fold fills a caller-owned plat_project (plat_project_dispose). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers_int.h"

void plat_event_hash_int(plat_sha256 *s, int64_t v)
{
    char head[32];
    int n = snprintf(head, sizeof head, "I%lld;", (long long)v);
    plat_sha256_update(s, head, (size_t)n);
}

void plat_event_hash_double(plat_sha256 *s, double v)
{
    char head[48];
    int n = snprintf(head, sizeof head, "R%.17g;", v);
    plat_sha256_update(s, head, (size_t)n);
}

/* Text and blobs are length-prefixed, so "ab","c" and "a","bc" differ. */
static void hash_bytes(plat_sha256 *s, char tag, const void *p, size_t len)
{
    char head[32];
    int n = snprintf(head, sizeof head, "%c%zu:", tag, len);
    plat_sha256_update(s, head, (size_t)n);
    if (len > 0)
        plat_sha256_update(s, p, len);
}

void plat_event_hash_text(plat_sha256 *s, const char *t)
{
    if (t)
        hash_bytes(s, 'T', t, strlen(t));
    else
        plat_sha256_update(s, "N;", 2);
}

void plat_event_hash_blob(plat_sha256 *s, const void *p, size_t n)
{
    if (p)
        hash_bytes(s, 'B', p, n);
    else
        plat_sha256_update(s, "N;", 2);
}

void plat_event_hash_null(plat_sha256 *s)
{
    plat_sha256_update(s, "N;", 2);
}

/* The hash of the event in the current row: prev, then columns first .. first + n - 1, each as
 * the type the ledger holds it in. */
static void hash_row(plat_stmt *st, int first, int n, const char *prev, char hex[65])
{
    plat_sha256 s;
    plat_sha256_init(&s);
    plat_event_hash_text(&s, prev);
    for (int i = first; i < first + n; i++) {
        switch (plat_sql_column_type(st, i)) {
        case PLAT_SQL_INTEGER: plat_event_hash_int(&s, plat_sql_column_int64(st, i)); break;
        case PLAT_SQL_FLOAT: plat_event_hash_double(&s, plat_sql_column_double(st, i)); break;
        case PLAT_SQL_TEXT: {
            const char *t = plat_sql_column_text(st, i);
            hash_bytes(&s, 'T', t, (size_t)plat_sql_column_bytes(st, i));
            break;
        }
        case PLAT_SQL_BLOB: {
            const void *p = plat_sql_column_blob(st, i);
            hash_bytes(&s, 'B', p, (size_t)plat_sql_column_bytes(st, i));
            break;
        }
        default: plat_event_hash_null(&s);
        }
    }
    plat_sha256_hex(&s, hex);
}

int plat_store__chain_events(plat_store *db)
{
    plat_stmt *rd = NULL, *wr = NULL;
    char prev[65] = "";
    int rc = plat_store__prepare(db, &rd, "SELECT " PLAT_EVENT_HASHED " FROM project_events ORDER BY id");
    if (rc >= 0)
        rc = plat_store__prepare(db, &wr, "UPDATE project_events SET prev_hash = ?2, hash = ?3 WHERE id = ?1");
    int s = PLAT_SQL_DONE;
    while (rc >= 0 && (s = plat_sql_step(rd)) == PLAT_SQL_ROW) {
        char hash[65];
        hash_row(rd, 0, PLAT_EVENT_NHASHED, prev, hash);
        plat_sql_bind_int64(wr, 1, plat_sql_column_int64(rd, 0));
        plat_sql_bind_text(wr, 2, prev);
        plat_sql_bind_text(wr, 3, hash);
        rc = plat_store__step_write(db, wr, "chaining the history");
        plat_sql_reset(wr);
        memcpy(prev, hash, sizeof prev);
    }
    if (rc >= 0 && s != PLAT_SQL_DONE)
        rc = plat_store__db_err(db, "hashing the history");
    plat_sql_finalize(rd);
    plat_sql_finalize(wr);
    if (rc < 0)
        return rc;
    plat_stmt *st = NULL;
    if ((rc = plat_store__prepare(db, &st, "INSERT INTO meta(key, value) VALUES('history_head', ?1) "
                                           "ON CONFLICT(key) DO UPDATE SET value = excluded.value")) < 0)
        return rc;
    plat_sql_bind_text(st, 1, prev);
    rc = plat_store__step_write(db, st, "chaining the history");
    plat_sql_finalize(st);
    return rc;
}

/* ---- plat verify ---- */

static int verify_fail(plat_history_check *out, int64_t id, const char *fmt, const char *a)
{
    out->ok = 0;
    out->bad_event = id;
    snprintf(out->problem, sizeof out->problem, fmt, a ? a : "");
    return 0;
}

/* The schema a trustworthy history needs: the version, the append-only triggers, the head. */
static int verify_schema(plat_store *db, plat_history_check *out)
{
    static const char *const triggers[] = {"project_events_no_update", "project_events_no_delete",
                                           "project_events_head"};
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, plat_sql_is_pg(db)
        ? "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
          "WHERE c.relnamespace = CAST(current_schema() AS regnamespace) AND t.tgname = ?1"
        : "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?1");
    for (size_t i = 0; rc >= 0 && out->ok && i < sizeof(triggers) / sizeof(triggers[0]); i++) {
        plat_sql_bind_text(st, 1, triggers[i]);
        if (plat_sql_step(st) == PLAT_SQL_ROW && plat_sql_column_int(st, 0) == 0)
            verify_fail(out, 0, "the schema lacks the trigger %s that keeps the history append-only", triggers[i]);
        plat_sql_reset(st);
    }
    plat_sql_finalize(st);
    return rc;
}

int plat_history_verify(plat_store *db, plat_history_check *out)
{
    memset(out, 0, sizeof(*out));
    out->ok = 1;
    out->schema_version = plat_store_schema_version(db);
    /* The chain first: an altered event is the finding that matters, whatever else was done
     * to the file to make the alteration possible. */
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st,
                                 "SELECT id, prev_hash, hash, "
                                 "(SELECT code FROM projects p WHERE p.id = project_id), kind, date, " PLAT_EVENT_HASHED
                                 " FROM project_events ORDER BY id");
    if (rc < 0)
        return rc;
    char prev[65] = "";
    while (out->ok) {
        int s = plat_sql_step(st);
        if (s == PLAT_SQL_DONE)
            break;
        if (s != PLAT_SQL_ROW) {
            rc = plat_store__db_err(db, "reading the history");
            break;
        }
        int64_t id = plat_sql_column_int64(st, 0);
        const char *ph = plat_sql_column_text(st, 1);
        const char *h = plat_sql_column_text(st, 2);
        const char *code = plat_sql_column_text(st, 3);
        char again[65];
        hash_row(st, 6, PLAT_EVENT_NHASHED, ph, again);
        snprintf(out->event_desc, sizeof out->event_desc, "event %lld (%s %s of project %s)", (long long)id,
                 plat_sql_column_text(st, 4), plat_sql_column_text(st, 5), code ? code : "?");
        if (!ph || strcmp(ph, prev) != 0)
            verify_fail(out, id, "%s", "it does not follow the event before it: an event was removed or inserted");
        else if (!h || strcmp(h, again) != 0)
            verify_fail(out, id, "%s", "its content does not match its hash: it was altered");
        else {
            snprintf(prev, sizeof prev, "%s", h);
            out->events++;
        }
    }
    plat_sql_finalize(st);
    if (rc < 0 || !out->ok)
        return rc;
    out->event_desc[0] = '\0';
    char *head = plat_store_meta_get(db, "history_head");
    if (strcmp(head ? head : "", prev) != 0)
        verify_fail(out, 0, "%s", "the newest events are missing: the history ends before its recorded head");
    plat_free(head);
    return out->ok ? verify_schema(db, out) : 0;
}

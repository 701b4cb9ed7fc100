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

static void hash_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    plat_sha256 s;
    char hex[65], head[48];
    plat_sha256_init(&s);
    for (int i = 0; i < argc; i++) {
        sqlite3_value *v = argv[i];
        int n;
        switch (sqlite3_value_type(v)) {
        case SQLITE_INTEGER:
            n = snprintf(head, sizeof head, "I%lld;", (long long)sqlite3_value_int64(v));
            plat_sha256_update(&s, head, (size_t)n);
            break;
        case SQLITE_FLOAT:
            n = snprintf(head, sizeof head, "R%.17g;", sqlite3_value_double(v));
            plat_sha256_update(&s, head, (size_t)n);
            break;
        case SQLITE_TEXT:
        case SQLITE_BLOB: {
            int text = sqlite3_value_type(v) == SQLITE_TEXT;
            const void *p = text ? (const void *)sqlite3_value_text(v) : sqlite3_value_blob(v);
            int len = sqlite3_value_bytes(v);
            n = snprintf(head, sizeof head, "%c%d:", text ? 'T' : 'B', len);
            plat_sha256_update(&s, head, (size_t)n);
            if (len > 0)
                plat_sha256_update(&s, p, (size_t)len);
            break;
        }
        default:
            plat_sha256_update(&s, "N;", 2);
        }
    }
    sqlite3_result_text(cx, plat_sha256_hex(&s, hex), 64, SQLITE_TRANSIENT);
}

int plat_store__register_functions(plat_store *db)
{
    if (sqlite3_create_function(db->db, "plat_event_hash", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, hash_fn, NULL,
                                NULL) != SQLITE_OK)
        return plat_store__sqlite_err(db, "registering the history hash");
    return 0;
}

int plat_store__chain_events(plat_store *db)
{
    /* Walk by id with one statement per step: every hash needs the one before it. */
    sqlite3_stmt *ids = NULL, *rd = NULL, *wr = NULL;
    char prev[65] = "";
    int rc = plat_store__prepare(db, &ids, "SELECT id FROM project_events ORDER BY id");
    if (rc >= 0)
        rc = plat_store__prepare(db, &rd,
                                 "SELECT plat_event_hash(?1, " PLAT_EVENT_HASHED ") FROM project_events WHERE id = ?2");
    if (rc >= 0)
        rc = plat_store__prepare(db, &wr, "UPDATE project_events SET prev_hash = ?2, hash = ?3 WHERE id = ?1");
    while (rc >= 0 && sqlite3_step(ids) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(ids, 0);
        sqlite3_bind_text(rd, 1, prev, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(rd, 2, id);
        if (sqlite3_step(rd) != SQLITE_ROW) {
            rc = plat_store__sqlite_err(db, "hashing the history");
            break;
        }
        char hash[65];
        snprintf(hash, sizeof hash, "%s", (const char *)sqlite3_column_text(rd, 0));
        sqlite3_reset(rd);
        sqlite3_bind_int64(wr, 1, id);
        sqlite3_bind_text(wr, 2, prev, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(wr, 3, hash, -1, SQLITE_TRANSIENT);
        rc = plat_store__step_write(db, wr, "chaining the history");
        sqlite3_reset(wr);
        memcpy(prev, hash, sizeof prev);
    }
    sqlite3_finalize(ids);
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = NULL;
    if ((rc = plat_store__prepare(db, &st, "INSERT OR REPLACE INTO meta(key, value) VALUES('history_head', ?1)")) < 0)
        return rc;
    sqlite3_bind_text(st, 1, prev, -1, SQLITE_TRANSIENT);
    rc = plat_store__step_write(db, st, "chaining the history");
    sqlite3_finalize(st);
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
    sqlite3_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?1");
    for (size_t i = 0; rc >= 0 && out->ok && i < sizeof(triggers) / sizeof(triggers[0]); i++) {
        sqlite3_bind_text(st, 1, triggers[i], -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0)
            verify_fail(out, 0, "the schema lacks the trigger %s that keeps the history append-only", triggers[i]);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

int plat_history_verify(plat_store *db, plat_history_check *out)
{
    memset(out, 0, sizeof(*out));
    out->ok = 1;
    out->schema_version = plat_store_schema_version(db);
    /* The chain first: an altered event is the finding that matters, whatever else was done
     * to the file to make the alteration possible. */
    sqlite3_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st,
                                 "SELECT id, prev_hash, hash, plat_event_hash(prev_hash, " PLAT_EVENT_HASHED "), "
                                 "(SELECT code FROM projects p WHERE p.id = project_id), kind, date "
                                 "FROM project_events ORDER BY id");
    if (rc < 0)
        return rc;
    char prev[65] = "";
    while (out->ok) {
        int s = sqlite3_step(st);
        if (s == SQLITE_DONE)
            break;
        if (s != SQLITE_ROW) {
            rc = plat_store__sqlite_err(db, "reading the history");
            break;
        }
        int64_t id = sqlite3_column_int64(st, 0);
        const char *ph = (const char *)sqlite3_column_text(st, 1);
        const char *h = (const char *)sqlite3_column_text(st, 2);
        const char *again = (const char *)sqlite3_column_text(st, 3);
        const char *code = (const char *)sqlite3_column_text(st, 4);
        snprintf(out->event_desc, sizeof out->event_desc, "event %lld (%s %s of project %s)", (long long)id,
                 (const char *)sqlite3_column_text(st, 5), (const char *)sqlite3_column_text(st, 6), code ? code : "?");
        if (!ph || strcmp(ph, prev) != 0)
            verify_fail(out, id, "%s", "it does not follow the event before it: an event was removed or inserted");
        else if (!h || !again || strcmp(h, again) != 0)
            verify_fail(out, id, "%s", "its content does not match its hash: it was altered");
        else {
            snprintf(prev, sizeof prev, "%s", h);
            out->events++;
        }
    }
    sqlite3_finalize(st);
    if (rc < 0 || !out->ok)
        return rc;
    out->event_desc[0] = '\0';
    char *head = plat_store_meta_get(db, "history_head");
    if (strcmp(head ? head : "", prev) != 0)
        verify_fail(out, 0, "%s", "the newest events are missing: the history ends before its recorded head");
    plat_free(head);
    return out->ok ? verify_schema(db, out) : 0;
}

/* cli/cmd_verify.c - `plat verify`: is the history what was recorded?
 *
 * Walks the hash chain of every event (layers/history.c) and the schema that keeps the history
 * append-only. Sound: "ok" with the number of events, exit 0. Broken: the first broken event
 * and what is wrong with it on stderr, exit 1. */
#include "cmd.h"

static const cli_opt opts[] = {
    {"json", 0, CLI_FLAG, NULL, "print JSON: {ok, schema_version, events, bad_event, problem}"},
    {NULL, 0, 0, NULL, NULL},
};

int cmd_verify(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "verify", "",
                       "Check the ledger's history: every event's hash, the chain linking each to the one\n"
                       "before it, and the triggers that keep it append-only. Exit 0 when sound, 1 at the\n"
                       "first broken or altered event.",
                       opts, 0, 0, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    plat_history_check v;
    if (cli_open(cli, PLAT_OPEN_READ) < 0 || plat_history_verify(cli->db, &v) < 0) {
        cli_args_dispose(&a);
        return cli_fail(cli);
    }
    if (cli_flag(&a, "json")) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "ok", json_object_new_boolean(v.ok));
        json_object_object_add(o, "schema_version", json_object_new_int(v.schema_version));
        json_object_object_add(o, "events", json_object_new_int64(v.events));
        json_object_object_add(o, "bad_event", v.ok || !v.bad_event ? NULL : json_object_new_int64(v.bad_event));
        json_object_object_add(o, "problem", v.ok ? NULL : json_object_new_string(v.problem));
        cli_json_print(o);
        json_object_put(o);
    } else if (v.ok)
        printf("ok: %lld events, hash chain intact, schema version %d\n", (long long)v.events, v.schema_version);
    if (!v.ok)
        fprintf(stderr, "plat: %s: %s%s%s (%lld event%s %s)\n", plat_store_where(cli->db), v.event_desc, v.event_desc[0] ? ": " : "",
                v.problem, (long long)v.events, v.events == 1 ? "" : "s",
                v.event_desc[0] ? "before it sound" : "in the chain sound");
    cli_args_dispose(&a);
    return v.ok ? 0 : 1;
}

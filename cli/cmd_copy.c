/* cli/cmd_copy.c - `plat copy SRC DST`: a whole ledger from a file to a PostGIS schema and back.
 *
 * SRC and DST are each a ledger file or a PostgreSQL connection as --db takes them; --schema is
 * DST's schema and --from-schema SRC's (both default plat; $PLAT_DB and $PLAT_SCHEMA are not
 * used: a copy names both ends). DST must not hold anything yet, unless --overwrite, which
 * removes the plat ledger there first (and nothing that is not one). The copy is one
 * transaction (layers/copy.c); when it fails, the DST this command created is removed again,
 * so a failed copy leaves nothing. */
#include <sys/stat.h>

#include "cmd.h"

static const cli_opt opts[] = {
    {"from-schema", 0, CLI_VALUE, "NAME", "SRC's schema when SRC is a PostgreSQL database (default plat)"},
    {"overwrite", 0, CLI_FLAG, NULL, "replace the ledger at DST (only a plat ledger is replaced)"},
    {NULL, 0, 0, NULL, NULL},
};

/* Make room at DST: nothing there, or with overwrite a plat ledger that is not SRC itself,
 * removed. @return 0 or < 0 (recorded) */
static int make_room(plat_cli *cli, plat_store *src, const char *dst, const char *schema, int overwrite)
{
    struct stat sb;
    int server = plat_store_target_is_server(dst);
    if (!server && stat(dst, &sb) != 0)
        return 0;
    plat_store *old = NULL;
    int rc = plat_store_open_schema(cli->ctx, &old, dst, schema, PLAT_OPEN_READ);
    if (rc == PLAT_ENOTFOUND && server) { /* no ledger in that schema */
        plat_error_clear(cli->ctx);
        return 0;
    }
    if (rc < 0 && !server)
        return plat_error_set(cli->ctx, PLAT_EEXISTS,
                              overwrite ? "%s exists and is not a plat ledger; not overwriting it"
                                        : "%s exists; choose another file",
                              dst);
    if (rc < 0)
        return rc;
    if (plat_store_same_ledger(old, src))
        rc = plat_error_set(cli->ctx, PLAT_EINVALID, "%s is SRC itself; copy to another %s", plat_store_where(old),
                            server ? "schema (--schema NAME)" : "file");
    else if (!overwrite)
        rc = plat_error_set(cli->ctx, PLAT_EEXISTS, "%s holds a ledger already; pass --overwrite to replace it",
                            plat_store_where(old));
    plat_store_close(old);
    return rc < 0 ? rc : plat_store_destroy(cli->ctx, dst, schema);
}

int cmd_copy(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "copy", "SRC DST",
                       "Copy a whole ledger into a new one: townships, projects with where they lie and their\n"
                       "whole history (same ids, same hashes: `plat verify` passes on the copy), reference\n"
                       "layers with every feature, categories. SRC and DST are each a ledger file or a\n"
                       "PostgreSQL database as --db takes them (postgresql://user@host/db, service=NAME,\n"
                       "PG:dbname=...): a county file moves onto a PostGIS server, or comes back as a file.\n"
                       "--schema is DST's schema, --from-schema SRC's (both default plat; $PLAT_DB and\n"
                       "$PLAT_SCHEMA are not used). DST must not exist unless --overwrite; a copy that fails\n"
                       "leaves no DST.",
                       opts, 2, 2, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    if (cli->db_path) {
        rc = cli_usage_error(&a, "the ledgers are SRC and DST, not --db");
        cli_args_dispose(&a);
        return rc;
    }
    const char *src_path = a.pos[0], *dst_path = a.pos[1];
    const char *dst_schema = cli->schema;
    plat_store *src = NULL, *dst = NULL;
    plat_copy_counts n;
    if (plat_store_open_schema(cli->ctx, &src, src_path, cli_value(&a, "from-schema"), PLAT_OPEN_READ) < 0 ||
        make_room(cli, src, dst_path, dst_schema, cli_flag(&a, "overwrite")) < 0 ||
        plat_store_open_schema(cli->ctx, &dst, dst_path, dst_schema, PLAT_OPEN_CREATE) < 0) {
        rc = cli_fail(cli);
        goto done;
    }
    if (plat_store_copy(dst, src, &n, cli_progress(cli), NULL) < 0) {
        rc = cli_fail(cli);
        /* The DST made above holds nothing of the copy (one transaction): take it away too. */
        plat_store_close(dst);
        dst = NULL;
        if (plat_store_destroy(cli->ctx, dst_path, dst_schema) < 0)
            cli_fail(cli);
        goto done;
    }
    printf("copied %lld township%s, %lld project%s (%lld event%s), %lld layer%s (%lld feature%s) from %s to %s\n",
           (long long)n.townships, n.townships == 1 ? "" : "s", (long long)n.projects, n.projects == 1 ? "" : "s",
           (long long)n.events, n.events == 1 ? "" : "s", (long long)n.layers, n.layers == 1 ? "" : "s",
           (long long)n.features, n.features == 1 ? "" : "s", plat_store_where(src), plat_store_where(dst));
done:
    plat_store_close(dst);
    plat_store_close(src);
    cli_args_dispose(&a);
    return rc;
}

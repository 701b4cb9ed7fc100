/* cli/main.c - `plat`: the command table, the session every command shares, exit codes.
 *
 * Exit 0 on success, 1 on a failure (bad input, missing database: nothing changed), 2 on a
 * usage error. Errors and notes go to stderr, results to stdout, so `--json` output can be
 * piped whatever happened on the way. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

static const struct {
    const char *name;
    int (*fn)(plat_cli *, int, char **);
    const char *help;
} commands[] = {
    /* sorted by name; `plat help` prints them in this order */
    { "check", cmd_check, "Check targets against geometry, and projects against protected layers" },
    { "copy", cmd_copy, "Copy a whole ledger between a file and a PostGIS schema (either way)" },
    { "coverage", cmd_coverage, "Measure what projects cover in each township or county" },
    { "demo", cmd_demo, "Build a ledger of the seed plans and show what plat does with it" },
    { "export", cmd_export, "Export layers and a ready QGIS project (GeoJSON, Shapefile, GeoPackage, KML, CSV)" },
    { "init", cmd_init, "Create a new ledger (SpatiaLite database)" },
    { "layer", cmd_layer, "Import, list and drop reference layers (roads, farmland, red lines)" },
    { "progress", cmd_progress, "Planned and finished km and 亩 per township or county, at a date or in a period" },
    { "project", cmd_project, "Add, list, show, update and remove projects" },
    { "query", cmd_query, "Find projects by township, distance or reference layer" },
    { "report", cmd_report, "Write one HTML report: the map and the tables, for a browser or print" },
    { "township", cmd_township, "Import and list township boundaries" },
    { "verify", cmd_verify, "Check that the history is as recorded: hash chain and schema" },
};

static void print_commands(FILE *f)
{
    fprintf(f, "Usage: plat [--db LEDGER] [--schema NAME] COMMAND [ARGS]\n\n"
               "plat keeps a county's public-works projects as geometries, measures what they cover in\n"
               "every township, and exports them for QGIS.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n'plat COMMAND --help' tells more. The ledger is --db LEDGER, else $PLAT_DB, else ./plat.sqlite:\n"
               "a SQLite file, or a PostgreSQL database as libpq names it (postgresql://user@host/db,\n"
               "service=NAME, PG:dbname=...), whose ledger is in the schema --schema NAME, else $PLAT_SCHEMA,\n"
               "else plat. Passwords come from ~/.pgpass, PGPASSWORD or the service file.\n");
}

static void warn_to_stderr(const char *msg, void *ud)
{
    plat_cli *cli = ud;
    if (!cli->quiet)
        fprintf(stderr, "plat: warning: %s\n", msg);
}

int cli_open(plat_cli *cli, int mode)
{
    if (!cli->db_path)
        cli->db_path = getenv("PLAT_DB") && *getenv("PLAT_DB") ? getenv("PLAT_DB") : "plat.sqlite";
    if (!cli->schema && getenv("PLAT_SCHEMA") && *getenv("PLAT_SCHEMA"))
        cli->schema = getenv("PLAT_SCHEMA");
    return plat_store_open_schema(cli->ctx, &cli->db, cli->db_path, cli->schema, mode);
}

int cli_fail(plat_cli *cli)
{
    const plat_error *e = plat_error_last(cli->ctx);
    fputs("plat: ", stderr);
    if (e->file[0])
        fprintf(stderr, "%s: ", e->file);
    if (e->fid >= 0)
        fprintf(stderr, "feature %lld: ", (long long)e->fid);
    /* The message may repeat the file name already printed: drop the repeat. */
    const char *msg = e->msg[0] ? e->msg : "failed";
    size_t fl = strlen(e->file);
    if (fl && strncmp(msg, e->file, fl) == 0 && msg[fl] == ':' && msg[fl + 1] == ' ')
        msg += fl + 2;
    fprintf(stderr, "%s\n", msg);
    return e->code == PLAT_EUSAGE ? 2 : 1;
}

void cli_note(plat_cli *cli, const char *fmt, ...)
{
    if (cli->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int draw_progress(double fraction, const char *label, void *ud)
{
    (void)ud;
    fprintf(stderr, "\r%s %3.0f%%", label, fraction * 100);
    if (fraction >= 1)
        fputc('\n', stderr);
    return 0;
}

plat_progress_fn cli_progress(plat_cli *cli)
{
    return (!cli->quiet && isatty(2)) ? draw_progress : NULL;
}

int main(int argc, char **argv)
{
    plat_cli cli = { 0 };
    int k = 1;
    /* Global options before the command: --db LEDGER, --schema NAME, -q. */
    while (k < argc && argv[k][0] == '-') {
        if (strcmp(argv[k], "--db") == 0 && k + 1 < argc) {
            cli.db_path = argv[k + 1];
            k += 2;
        } else if (strncmp(argv[k], "--db=", 5) == 0) {
            cli.db_path = argv[k++] + 5;
        } else if (strcmp(argv[k], "--schema") == 0 && k + 1 < argc) {
            cli.schema = argv[k + 1];
            k += 2;
        } else if (strncmp(argv[k], "--schema=", 9) == 0) {
            cli.schema = argv[k++] + 9;
        } else if (strcmp(argv[k], "-q") == 0 || strcmp(argv[k], "--quiet") == 0) {
            cli.quiet = 1;
            k++;
        } else if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            print_commands(stdout);
            return 0;
        } else if (strcmp(argv[k], "--version") == 0) {
            printf("plat %s\n", PLAT_VERSION);
            return 0;
        } else {
            fprintf(stderr, "plat: unknown option '%s'\n", argv[k]);
            print_commands(stderr);
            return 2;
        }
    }
    if (k >= argc) {
        print_commands(stderr);
        return 2;
    }
    if (strcmp(argv[k], "help") == 0) {
        print_commands(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[k], commands[i].name) != 0)
            continue;
        if (!(cli.ctx = plat_ctx_new())) {
            fputs("plat: out of memory\n", stderr);
            return 1;
        }
        plat_ctx_set_warn(cli.ctx, warn_to_stderr, &cli);
        int rc = commands[i].fn(&cli, argc - k, argv + k);
        plat_store_close(cli.db);
        plat_ctx_free(cli.ctx);
        return rc;
    }
    fprintf(stderr, "plat: unknown command '%s'\n", argv[k]);
    print_commands(stderr);
    return 2;
}

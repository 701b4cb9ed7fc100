/* cli/cli.h - what the command files share: the option parser, the session, output helpers.
 * A command parses its options, makes one library call, prints. Only cli/ prints. */
#ifndef PLAT_CLI_H
#define PLAT_CLI_H

#include <stdio.h>

#include <json-c/json.h>

#include "plat/plat.h"

/* ---- the session ---- */
typedef struct plat_cli {
    plat_ctx *ctx;
    plat_store *db;       /* opened by cli_open */
    const char *db_path;  /* --db, PLAT_DB, or ./plat.sqlite: a file or a PostgreSQL connection */
    const char *schema;   /* --schema, PLAT_SCHEMA, or NULL (plat): the ledger's PostgreSQL schema */
    int quiet;            /* -q: no notes on stderr */
} plat_cli;

/** Open the ledger for a command (PLAT_OPEN_*). @return 0 or < 0 (error recorded). */
int cli_open(plat_cli *cli, int mode);
/** Print the last error on stderr ("plat: FILE: feature N: message") and return the exit
 * code for it: 2 for a usage error, 1 for anything else. */
int cli_fail(plat_cli *cli);
/** A note on stderr unless -q. */
void cli_note(plat_cli *cli, const char *fmt, ...) PLAT_PRINTF(2, 3);
/** Progress callback for long work: draws on stderr when it is a terminal, else NULL. */
plat_progress_fn cli_progress(plat_cli *cli);

/* ---- options ---- */
enum { CLI_FLAG = 0, CLI_VALUE = 1, CLI_MULTI = 2 };
typedef struct cli_opt {
    const char *name;    /* long name without dashes; NULL ends the table */
    char shortname;      /* 0 for none */
    int kind;            /* CLI_FLAG, CLI_VALUE, CLI_MULTI (repeatable) */
    const char *metavar;
    const char *help;
} cli_opt;

#define CLI_MAX_OPTS 48
#define CLI_MAX_POS 8
typedef struct cli_args {
    const cli_opt *opts;
    const char *cmd;       /* "project add", for messages */
    int count[CLI_MAX_OPTS];
    const char *value[CLI_MAX_OPTS];
    const char **multi[CLI_MAX_OPTS];
    const char *pos[CLI_MAX_POS];
    int npos;
} cli_args;

/** Parse argv (argv[0] is the command word). Knows --help/-h, --db and -q/--quiet for every
 * command. @param usage the positional part of the synopsis ("FILE"), may be "".
 * @param npos_min, npos_max how many positionals are allowed.
 * @return 0 to go on; -1 after --help (the command returns exit code 0); 2 after a usage
 * error, which has been printed. Either way the caller then calls cli_args_dispose. */
int cli_parse(plat_cli *cli, cli_args *a, const char *cmd, const char *usage, const char *about,
              const cli_opt *opts, int npos_min, int npos_max, int argc, char **argv);
/** Free what cli_parse allocated. */
void cli_args_dispose(cli_args *a);
/** The value of a CLI_VALUE option, NULL when absent. */
const char *cli_value(const cli_args *a, const char *name);
/** 1 when the flag was given. */
int cli_flag(const cli_args *a, const char *name);
/** The values of a CLI_MULTI option (NULL-terminated) and their number. */
const char *const *cli_multi(const cli_args *a, const char *name, int *n);
/** Print a usage error for the command (exit code 2 follows). @return 2 */
int cli_usage_error(const cli_args *a, const char *fmt, ...) PLAT_PRINTF(2, 3);

/* ---- output ---- */

/* A text table whose columns line up with Chinese text (two columns per wide character). */
typedef struct cli_table cli_table;
cli_table *cli_table_new(int ncols, const char *const *headers);
/** Add a row of ncols strings (copied; NULL prints as empty). */
void cli_table_row(cli_table *t, const char *const *cells);
/** Right-align column i (numbers). */
void cli_table_align_right(cli_table *t, int i);
void cli_table_print(cli_table *t, FILE *f);
void cli_table_free(cli_table *t);

/** Print one CSV record (RFC 4180 quoting) of n fields. */
void cli_csv_row(FILE *f, int n, const char *const *fields);
/** Print a JSON value, pretty and with Chinese as UTF-8 (not \u escapes), then a newline. */
void cli_json_print(json_object *o);
/** A JSON number rounded to `digits` decimals (so 21.000000001 prints as 21). */
json_object *cli_json_number(double v, int digits);
/** A measured quantity as JSON, keyed by the kinds (PLAT_GEOM_* bits) of what was measured:
 * {"km"} for lines, {"m2","mu"} for polygons, {"points"} for points, several for mixed
 * geometry. NULL (JSON null) when kinds is 0. */
json_object *cli_json_quantity(const plat_quantity *q, int kinds);
/** The same for a table cell: "12.345 km", "1234.5 亩 (82.33 ha)" or "2 点" (the line part
 * first for mixed geometry); "" when kinds is 0. @return buf */
char *cli_format_quantity(char *buf, size_t n, const plat_quantity *q, int kinds);

#endif

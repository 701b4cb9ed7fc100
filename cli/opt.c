/* cli/opt.c - GNU-style long options from a declarative table (curl's way).
 *
 * Every command gets --help, --db PATH and -q for free; `--name value` and `--name=value` both
 * work, `--` ends options. Values starting with '@' are not expanded here: the options that
 * take geometry or text from a file say so and read it themselves. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt common[] = {
    { "db", 0, CLI_VALUE, "LEDGER", "the ledger: a file, or a PostgreSQL connection (default $PLAT_DB or ./plat.sqlite)" },
    { "schema", 0, CLI_VALUE, "NAME", "the ledger's schema on PostgreSQL (default $PLAT_SCHEMA or plat)" },
    { "quiet", 'q', CLI_FLAG, NULL, "no notes on stderr" },
    { "help", 'h', CLI_FLAG, NULL, "show this help" },
};

static void print_opt(FILE *f, const cli_opt *o)
{
    char left[64];
    if (o->kind == CLI_FLAG)
        snprintf(left, sizeof left, "%s%c%s--%s", o->shortname ? "-" : "", o->shortname ? o->shortname : ' ',
                 o->shortname ? ", " : "  ", o->name);
    else
        snprintf(left, sizeof left, "%s%c%s--%s %s", o->shortname ? "-" : "", o->shortname ? o->shortname : ' ',
                 o->shortname ? ", " : "  ", o->name, o->metavar ? o->metavar : "VALUE");
    fprintf(f, "  %-28s %s%s\n", left + (o->shortname ? 0 : 1), o->help, o->kind == CLI_MULTI ? " (repeatable)" : "");
}

static void print_help(FILE *f, const char *cmd, const char *usage, const char *about, const cli_opt *opts)
{
    fprintf(f, "Usage: plat %s [OPTIONS]%s%s\n\n%s\n\nOptions:\n", cmd, *usage ? " " : "", usage, about);
    for (const cli_opt *o = opts; o && o->name; o++)
        print_opt(f, o);
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
        print_opt(f, &common[i]);
}

int cli_usage_error(const cli_args *a, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "plat %s: ", a->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'plat %s --help'.\n", a->cmd);
    return 2;
}

static int find(const cli_opt *opts, const char *name, size_t len, char shortname)
{
    for (int i = 0; opts && opts[i].name; i++)
        if (shortname ? opts[i].shortname == shortname
                      : (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0))
            return i;
    return -1;
}

static int store(cli_args *a, int i, const char *v)
{
    a->count[i]++;
    a->value[i] = v;
    if (a->opts[i].kind == CLI_MULTI) {
        const char **m = realloc(a->multi[i], ((size_t)a->count[i] + 1) * sizeof(*m));
        if (!m)
            return -1;
        m[a->count[i] - 1] = v;
        m[a->count[i]] = NULL;
        a->multi[i] = m;
    }
    return 0;
}

int cli_parse(plat_cli *cli, cli_args *a, const char *cmd, const char *usage, const char *about,
              const cli_opt *opts, int npos_min, int npos_max, int argc, char **argv)
{
    memset(a, 0, sizeof(*a));
    a->opts = opts;
    a->cmd = cmd;
    int only_pos = 0;
    for (int k = 1; k < argc; k++) {
        const char *arg = argv[k];
        if (only_pos || arg[0] != '-' || arg[1] == '\0') {
            if (a->npos >= npos_max || a->npos >= CLI_MAX_POS)
                return cli_usage_error(a, "unexpected argument '%s'", arg);
            a->pos[a->npos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_pos = 1;
            continue;
        }
        const char *name, *inline_val = NULL;
        size_t len;
        char sh = 0;
        if (arg[1] == '-') {
            name = arg + 2;
            const char *eq = strchr(name, '=');
            len = eq ? (size_t)(eq - name) : strlen(name);
            inline_val = eq ? eq + 1 : NULL;
        } else {
            name = arg + 1;
            len = strlen(name);
            if (len != 1)
                return cli_usage_error(a, "unknown option '%s'", arg);
            sh = name[0];
        }
        /* The common options first: they mean the same in every command. */
        if ((sh == 'h') || (!sh && len == 4 && strncmp(name, "help", 4) == 0)) {
            print_help(stdout, cmd, usage, about, opts);
            return -1; /* sentinel: exit 0 */
        }
        if ((sh == 'q') || (!sh && len == 5 && strncmp(name, "quiet", 5) == 0)) {
            cli->quiet = 1;
            continue;
        }
        if (!sh && len == 2 && strncmp(name, "db", 2) == 0) {
            const char *v = inline_val ? inline_val : (k + 1 < argc ? argv[++k] : NULL);
            if (!v)
                return cli_usage_error(a, "--db needs a PATH");
            cli->db_path = v;
            continue;
        }
        if (!sh && len == 6 && strncmp(name, "schema", 6) == 0) {
            const char *v = inline_val ? inline_val : (k + 1 < argc ? argv[++k] : NULL);
            if (!v)
                return cli_usage_error(a, "--schema needs a NAME");
            cli->schema = v;
            continue;
        }
        int i = find(opts, name, len, sh);
        if (i < 0)
            return cli_usage_error(a, "unknown option '%s'", arg);
        if (opts[i].kind == CLI_FLAG) {
            if (inline_val)
                return cli_usage_error(a, "--%s takes no value", opts[i].name);
            a->count[i]++;
            continue;
        }
        const char *v = inline_val ? inline_val : (k + 1 < argc ? argv[++k] : NULL);
        if (!v)
            return cli_usage_error(a, "--%s needs a value (%s)", opts[i].name, opts[i].metavar ? opts[i].metavar : "VALUE");
        if (opts[i].kind == CLI_VALUE && a->count[i] > 0)
            return cli_usage_error(a, "--%s given twice", opts[i].name);
        if (store(a, i, v) < 0)
            return cli_usage_error(a, "out of memory");
    }
    if (a->npos < npos_min)
        return cli_usage_error(a, "missing %s", usage);
    return 0;
}

void cli_args_dispose(cli_args *a)
{
    for (int i = 0; i < CLI_MAX_OPTS; i++)
        free(a->multi[i]);
    memset(a->multi, 0, sizeof(a->multi));
}

static int index_of(const cli_args *a, const char *name)
{
    int i = find(a->opts, name, strlen(name), 0);
    if (i < 0) {
        fprintf(stderr, "plat: internal error: option --%s is not declared\n", name);
        abort();
    }
    return i;
}

const char *cli_value(const cli_args *a, const char *name)
{
    return a->value[index_of(a, name)];
}

int cli_flag(const cli_args *a, const char *name)
{
    return a->count[index_of(a, name)] > 0;
}

const char *const *cli_multi(const cli_args *a, const char *name, int *n)
{
    int i = index_of(a, name);
    if (n)
        *n = a->count[i];
    static const char *const none[] = { NULL };
    return a->multi[i] ? a->multi[i] : none;
}

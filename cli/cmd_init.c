/* cli/cmd_init.c - `plat init`: create a new ledger. */
#include "cmd.h"

static const cli_opt opts[] = {
    { "crs", 0, CLI_VALUE, "EPSG:N", "working CRS (a metric projected CRS, e.g. EPSG:4547); default: "
                                     "the CGCS2000 3-degree Gauss-Kruger zone of the first townships" },
    { NULL, 0, 0, NULL, NULL },
};

int cmd_init(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "init", "", "Create a new, empty ledger.", opts, 0, 0, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    int epsg = 0;
    const char *crs = cli_value(&a, "crs");
    if (crs && plat_crs_parse_epsg(cli->ctx, &epsg, crs) < 0) {
        rc = cli_fail(cli);
        goto done;
    }
    /* Check the CRS before the file exists, so a bad --crs leaves nothing behind. */
    if (epsg && !plat_crs_is_metric_projected(cli->ctx, epsg)) {
        plat_error_set(cli->ctx, PLAT_EINVALID,
                       "EPSG:%d is not a projected CRS in metres; use a CGCS2000 Gauss-Kruger zone such as "
                       "EPSG:4545, 4546 or 4547 for Hunan", epsg);
        rc = cli_fail(cli);
        goto done;
    }
    if (cli_open(cli, PLAT_OPEN_CREATE) < 0 || (epsg && plat_store_set_srid(cli->db, epsg) < 0)) {
        rc = cli_fail(cli);
        if (cli->db) {
            plat_store_close(cli->db);
            cli->db = NULL;
            plat_store_destroy(cli->ctx, cli->db_path, cli->schema); /* ours: made just now */
        }
        goto done;
    }
    if (epsg)
        cli_note(cli, "created %s (working CRS EPSG:%d)", plat_store_where(cli->db), epsg);
    else
        cli_note(cli, "created %s (working CRS: chosen from the first townships imported)", plat_store_where(cli->db));
done:
    cli_args_dispose(&a);
    return rc;
}

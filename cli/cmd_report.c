/* cli/cmd_report.c - `plat report DEST.html`: one HTML file with the map and the tables, for
 * people who open it in a browser or print it. Parses, makes one library call, says what was
 * written. */
#include "cmd.h"

static const cli_opt opts[] = {
    { "township", 0, CLI_VALUE, "T", "only projects touching this township (name or code; a county name takes all "
                                     "its townships), and only those townships" },
    { "county", 0, CLI_VALUE, "C", "only projects and townships of this county" },
    { "category", 0, CLI_VALUE, "CAT", "only projects of this category (also for coverage and the checks)" },
    { "status", 0, CLI_VALUE, "S", "only projects in this state (also for coverage and the checks)" },
    { "measure", 0, CLI_VALUE, "share|line_km|polygon_mu", "what shades the townships: the share covered by project "
                                                           "polygons (default), km of project lines, 亩 of project polygons" },
    { "date", 0, CLI_VALUE, "YYYY-MM-DD", "the date printed on the report (default --as-of, or today)" },
    { "as-of", 0, CLI_VALUE, "YYYY-MM-DD", "the works as they stood at the end of that day" },
    { "as-recorded", 0, CLI_VALUE, "YYYY-MM-DD", "what the ledger said when read that day, before later entries "
                                                 "and corrections" },
    { "planar", 0, CLI_FLAG, NULL, "measure in the working CRS, not on the ellipsoid" },
    { "overwrite", 0, CLI_FLAG, NULL, "replace DEST if it exists" },
    { NULL, 0, 0, NULL, NULL },
};

int cmd_report(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "report", "DEST.html",
                       "Write one HTML file that opens in any browser without network and prints on A4\n"
                       "landscape: a map of the townships shaded by a coverage figure with the projects in\n"
                       "their category colours (hover for name, status, progress, target, measured size),\n"
                       "county outlines, township names, legend, scale bar and north arrow, drawn in the\n"
                       "working CRS; then coverage by township (the figures of `plat coverage`), projects by\n"
                       "category and status, targets that disagree with geometry, overlaps with basic\n"
                       "farmland and ecological red line layers, quantity completed by month, and the\n"
                       "list of projects. Filters as `plat project list`. An existing DEST is refused\n"
                       "unless --overwrite; a failed report leaves no file.",
                       opts, 1, 1, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    plat_report_options o = PLAT_REPORT_OPTIONS_INIT;
    plat_report_result res;
    const char *v;
    o.township = cli_value(&a, "township");
    o.county = cli_value(&a, "county");
    o.category = cli_value(&a, "category");
    o.status = cli_value(&a, "status");
    o.date = cli_value(&a, "date");
    o.as_of = cli_value(&a, "as-of");
    o.as_recorded = cli_value(&a, "as-recorded");
    o.planar = cli_flag(&a, "planar");
    o.overwrite = cli_flag(&a, "overwrite");
    if ((v = cli_value(&a, "measure")) && plat_report_parse_measure(cli->ctx, &o.measure, v) < 0)
        goto fail;
    if (cli_open(cli, PLAT_OPEN_READ) < 0 || plat_report_write(cli->db, &res, a.pos[0], &o) < 0)
        goto fail;
    cli_note(cli, "wrote %s (%lld KB): %d project%s, %d on the map; %d township%s; %d target%s disagreeing with "
                  "geometry; %d overlap%s with %d protected layer%s",
             a.pos[0], (long long)(res.bytes + 1023) / 1024, res.projects, res.projects == 1 ? "" : "s", res.mapped,
             res.townships, res.townships == 1 ? "" : "s", res.mismatches, res.mismatches == 1 ? "" : "s",
             res.conflicts, res.conflicts == 1 ? "" : "s", res.protected_layers, res.protected_layers == 1 ? "" : "s");
    goto done;
fail:
    rc = cli_fail(cli);
done:
    cli_args_dispose(&a);
    return rc;
}

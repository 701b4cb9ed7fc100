/* cli/cmd_project_import.c - `plat project import FILE`: projects from any GIS, CAD or
 * field-app file (GeoJSON, Shapefile, GeoPackage, KML/KMZ, CSV, GPX, DXF).
 *
 * Parses, makes one library call (plat_project_import, one transaction), prints the summary.
 * Lives in its own file, not in cmd_project.c, so the import's many options stay apart from
 * the hand-entry commands. */
#include <string.h>

#include "cmd.h"

static const cli_opt import_opts[] = {
    { "map", 0, CLI_MULTI, "FIELD=COLUMN", "take a project field from a column, e.g. code=项目编号 (FIELD= to ignore)" },
    { "category", 0, CLI_VALUE, "CAT", "category for features that have none (公路, farmland ...)" },
    { "precision", 0, CLI_VALUE, "P", "location precision for features whose file gives none: surveyed (default "
                                      "with a geometry), sketched, township, county, none" },
    { "code", 0, CLI_VALUE, "CODE", "project code for features that have none (one feature, or --merge)" },
    { "name", 0, CLI_VALUE, "NAME", "project name for features that have none" },
    { "merge", 0, CLI_FLAG, NULL, "make one project of all features (a CAD drawing of one road)" },
    { "upsert", 0, CLI_FLAG, NULL, "update projects whose code is in the ledger instead of refusing them; a row with a "
                                      "version (as exports write it) is refused if its project changed since" },
    { "layer", 0, CLI_VALUE, "NAME", "layer of a multi-layer file (GeoPackage, GPX waypoints ...)" },
    { "where", 0, CLI_VALUE, "EXPR", "OGR attribute filter, e.g. \"Layer = '道路中线'\" for a DXF" },
    { "s-srs", 0, CLI_VALUE, "SRS", "source CRS when the file has none or a wrong one (EPSG:4526, GCJ02, BD09 ...)" },
    { "encoding", 0, CLI_VALUE, "ENC", "attribute encoding of a Shapefile, CSV or DXF (GBK, GB18030, UTF-8)" },
    { "wkt-field", 0, CLI_VALUE, "COL", "CSV column holding WKT (default: WKT, geometry, geom)" },
    { "x-field", 0, CLI_VALUE, "COL", "CSV longitude/easting column (default: lon, longitude, 经度, x, lng)" },
    { "y-field", 0, CLI_VALUE, "COL", "CSV latitude/northing column (default: lat, latitude, 纬度, y)" },
    { "strict", 0, CLI_FLAG, NULL, "refuse invalid geometries instead of repairing them" },
    { NULL, 0, 0, NULL, NULL },
};

int cmd_project_import(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "project import", "FILE",
                       "Import projects from any vector file GDAL reads: GeoJSON, Shapefile, GeoPackage, KML/KMZ,\n"
                       "CSV (a WKT column, or longitude/latitude columns), GPX tracks and routes, DXF. One feature\n"
                       "is one project. Columns are matched by the names plan sheets use (项目编号/编号/code,\n"
                       "项目名称/名称/name, 类别/类型/category, 建设状态/status, 牵头单位, 建设规模, 长度, 面积,\n"
                       "年度, 总投资 ...) or as --map says; other columns are kept with the project. Categories\n"
                       "and states may be written in Chinese. Everything is imported or nothing is.\n\n"
                       "--map FIELD: code, name, category, county, status, progress, target, length, area,\n"
                       "lead_unit, source_doc, clause, year, investment, start_date, end_date, precision (定位精度:\n"
                       "实测/示意/乡镇/县 or surveyed/sketched/township/county/none), township (所在乡镇, for\n"
                       "township-level projects).",
                       import_opts, 1, 1, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    plat_import_options o = PLAT_IMPORT_OPTIONS_INIT;
    int nmap = 0;
    o.map = cli_multi(&a, "map", &nmap);
    o.category = cli_value(&a, "category");
    o.precision = cli_value(&a, "precision");
    o.code = cli_value(&a, "code");
    o.name = cli_value(&a, "name");
    o.merge = cli_flag(&a, "merge");
    o.upsert = cli_flag(&a, "upsert");
    o.layer = cli_value(&a, "layer");
    o.where = cli_value(&a, "where");
    o.s_srs = cli_value(&a, "s-srs");
    o.encoding = cli_value(&a, "encoding");
    o.wkt_field = cli_value(&a, "wkt-field");
    o.x_field = cli_value(&a, "x-field");
    o.y_field = cli_value(&a, "y-field");
    o.strict = cli_flag(&a, "strict");
    o.progress = cli_progress(cli);
    plat_import_result res;
    if (cli_open(cli, PLAT_OPEN_WRITE) < 0 || plat_project_import(cli->db, &res, a.pos[0], &o) < 0) {
        rc = cli_fail(cli);
    } else {
        if (res.srid_chosen)
            cli_note(cli, "working CRS: EPSG:%d (CGCS2000 3-degree Gauss-Kruger, CM %.0fE)", res.srid_chosen,
                     plat_crs_gk_central_meridian(res.srid_chosen));
        cli_note(cli, "imported %lld projects from %s (%lld repaired, %lld skipped, %lld updated)",
                 (long long)res.written, a.pos[0], (long long)res.repaired, (long long)res.skipped,
                 (long long)res.replaced);
        if (res.no_geometry)
            cli_note(cli, "%lld of them without a geometry (empty in the file)", (long long)res.no_geometry);
    }
    cli_args_dispose(&a);
    return rc;
}

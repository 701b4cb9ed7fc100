/* cli/cmd_layer.c - `plat layer import | list | drop`: reference layers (roads, farmland,
 * permanent basic farmland, the ecological red line, wetlands) that projects are checked
 * against. Each subcommand parses, makes one library call and prints. */
#include <string.h>

#include "cmd.h"

static const cli_opt import_opts[] = {
    { "kind", 0, CLI_VALUE, "KIND", "roads|farmland|basic_farmland|eco_redline|wetland|other (required)" },
    { "replace", 0, CLI_FLAG, NULL, "replace a layer of the same name (in the same transaction)" },
    { "layer", 0, CLI_VALUE, "NAME", "layer of a multi-layer file (GeoPackage, GPX ...)" },
    { "where", 0, CLI_VALUE, "EXPR", "OGR attribute filter, e.g. \"DLMC = '水田'\" or \"Layer = '道路中线'\"" },
    { "s-srs", 0, CLI_VALUE, "SRS", "source CRS when the file has none or a wrong one (EPSG:4526, GCJ02 ...)" },
    { "encoding", 0, CLI_VALUE, "ENC", "attribute encoding of a Shapefile, CSV or DXF (GBK, GB18030, UTF-8)" },
    { "wkt-field", 0, CLI_VALUE, "COL", "CSV column holding WKT (default: WKT, geometry, geom)" },
    { "x-field", 0, CLI_VALUE, "COL", "CSV longitude/easting column (default: lon, longitude, 经度, x, lng)" },
    { "y-field", 0, CLI_VALUE, "COL", "CSV latitude/northing column (default: lat, latitude, 纬度, y)" },
    { "strict", 0, CLI_FLAG, NULL, "refuse invalid geometries instead of repairing them" },
    { NULL, 0, 0, NULL, NULL },
};

static int layer_import(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "layer import", "NAME FILE",
                       "Import a reference layer from any vector file GDAL reads (GeoJSON, Shapefile, GeoPackage,\n"
                       "KML/KMZ, CSV, GPX, DXF) into the ledger's working CRS, keeping every attribute. NAME may\n"
                       "be any text (道路, 永久基本农田). Features without geometry are skipped with a warning.",
                       import_opts, 2, 2, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    if (!cli_value(&a, "kind")) {
        rc = cli_usage_error(&a, "--kind is required (roads, farmland, basic_farmland, eco_redline, wetland, other)");
        cli_args_dispose(&a);
        return rc;
    }
    plat_import_options o = PLAT_IMPORT_OPTIONS_INIT;
    o.replace = cli_flag(&a, "replace");
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
    if (cli_open(cli, PLAT_OPEN_WRITE) < 0 ||
        plat_layer_import(cli->db, &res, a.pos[0], cli_value(&a, "kind"), a.pos[1], &o) < 0) {
        rc = cli_fail(cli);
    } else {
        if (res.srid_chosen)
            cli_note(cli, "working CRS: EPSG:%d (CGCS2000 3-degree Gauss-Kruger, CM %.0fE)", res.srid_chosen,
                     plat_crs_gk_central_meridian(res.srid_chosen));
        cli_note(cli, "imported %lld features into layer %s from %s (%lld repaired, %lld skipped)",
                 (long long)res.written, a.pos[0], a.pos[1], (long long)res.repaired, (long long)res.skipped);
    }
    cli_args_dispose(&a);
    return rc;
}

static const cli_opt list_opts[] = {
    { "json", 0, CLI_FLAG, NULL, "print JSON" },
    { "csv", 0, CLI_FLAG, NULL, "print CSV" },
    { NULL, 0, 0, NULL, NULL },
};

typedef struct {
    json_object *arr;
    cli_table *table;
    int csv;
} list_out;

static int list_one(const plat_layer_info *li, void *ud)
{
    list_out *o = ud;
    char count[32];
    snprintf(count, sizeof count, "%lld", (long long)li->feature_count);
    if (o->arr) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "name", json_object_new_string(li->name));
        json_object_object_add(j, "kind", json_object_new_string(li->kind));
        json_object_object_add(j, "geometry_kind",
                               li->geometry_kind ? json_object_new_string(li->geometry_kind) : NULL);
        json_object_object_add(j, "feature_count", json_object_new_int64(li->feature_count));
        json_object_object_add(j, "source_file", li->source_file ? json_object_new_string(li->source_file) : NULL);
        json_object_object_add(j, "imported_at", li->imported_at ? json_object_new_string(li->imported_at) : NULL);
        json_object_array_add(o->arr, j);
        return 0;
    }
    const char *row[] = { li->name, li->kind, li->geometry_kind, count, li->source_file, li->imported_at };
    if (o->csv)
        cli_csv_row(stdout, 6, row);
    else
        cli_table_row(o->table, row);
    return 0;
}

static int layer_list(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "layer list", "", "List the ledger's reference layers.", list_opts, 0, 0, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    static const char *const heads[] = { "name", "kind", "geometry_kind", "feature_count", "source_file",
                                         "imported_at" };
    static const char *const heads_zh[] = { "名称", "类型", "几何", "要素数", "来源文件", "导入时间" };
    list_out o = { NULL, NULL, cli_flag(&a, "csv") };
    if (cli_flag(&a, "json"))
        o.arr = json_object_new_array();
    else if (!o.csv)
        o.table = cli_table_new(6, heads_zh);
    cli_table_align_right(o.table, 3);
    if (cli_open(cli, PLAT_OPEN_READ) < 0) {
        rc = cli_fail(cli);
        goto done;
    }
    if (o.csv)
        cli_csv_row(stdout, 6, heads);
    if (plat_layer_foreach(cli->db, list_one, &o) < 0) {
        rc = cli_fail(cli);
        goto done;
    }
    if (o.arr)
        cli_json_print(o.arr);
    else if (o.table)
        cli_table_print(o.table, stdout);
done:
    json_object_put(o.arr);
    cli_table_free(o.table);
    cli_args_dispose(&a);
    return rc;
}

static const cli_opt drop_opts[] = {
    { NULL, 0, 0, NULL, NULL },
};

static int layer_drop(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "layer drop", "NAME", "Remove a reference layer and its features from the ledger.",
                       drop_opts, 1, 1, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    if (cli_open(cli, PLAT_OPEN_WRITE) < 0 || plat_layer_drop(cli->db, a.pos[0]) < 0)
        rc = cli_fail(cli);
    else
        cli_note(cli, "dropped layer %s", a.pos[0]);
    cli_args_dispose(&a);
    return rc;
}

static const struct {
    const char *name;
    int (*fn)(plat_cli *, int, char **);
    const char *help;
} subcommands[] = {
    { "drop", layer_drop, "remove a reference layer" },
    { "import", layer_import, "import a reference layer from a file (--kind roads|farmland|...)" },
    { "list", layer_list, "list reference layers with their kind, geometry, feature count and source" },
};

int cmd_layer(plat_cli *cli, int argc, char **argv)
{
    for (size_t i = 0; argc >= 2 && i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].fn(cli, argc - 1, argv + 1);
    int help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
    FILE *f = help ? stdout : stderr;
    fprintf(f, "Usage: plat layer SUBCOMMAND [OPTIONS]\n\n");
    for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
        fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].help);
    return help ? 0 : 2;
}

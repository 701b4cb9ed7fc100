/* cli/cmd_township.c - `plat township import | list`. */
#include <string.h>

#include "cmd.h"

static const cli_opt import_opts[] = {
    { "name-field", 0, CLI_VALUE, "F", "field holding the township name (default: detect)" },
    { "code-field", 0, CLI_VALUE, "F", "field holding the 9-digit code (default: detect)" },
    { "county-field", 0, CLI_VALUE, "F", "field holding the county name (default: detect)" },
    { "layer", 0, CLI_VALUE, "NAME", "layer of a multi-layer file (GeoPackage)" },
    { "s-srs", 0, CLI_VALUE, "SRS", "source CRS when the file has none or a wrong one" },
    { "encoding", 0, CLI_VALUE, "ENC", "attribute encoding of a Shapefile (GBK, UTF-8 ...)" },
    { "strict", 0, CLI_FLAG, NULL, "refuse invalid boundaries instead of repairing them" },
    { NULL, 0, 0, NULL, NULL },
};

static int township_import(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "township import", "FILE",
                       "Import township boundaries from any vector file GDAL reads (GeoJSON, Shapefile,\n"
                       "GeoPackage ...), reprojected into the ledger's working CRS. Townships with a code\n"
                       "already in the ledger are replaced.",
                       import_opts, 1, 1, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    plat_import_options o = PLAT_IMPORT_OPTIONS_INIT;
    o.name_field = cli_value(&a, "name-field");
    o.code_field = cli_value(&a, "code-field");
    o.county_field = cli_value(&a, "county-field");
    o.layer = cli_value(&a, "layer");
    o.s_srs = cli_value(&a, "s-srs");
    o.encoding = cli_value(&a, "encoding");
    o.strict = cli_flag(&a, "strict");
    o.progress = cli_progress(cli);
    plat_import_result res;
    if (cli_open(cli, PLAT_OPEN_WRITE) < 0 || plat_township_import(cli->db, &res, a.pos[0], &o) < 0) {
        rc = cli_fail(cli);
    } else {
        if (res.srid_chosen)
            cli_note(cli, "working CRS: EPSG:%d (CGCS2000 3-degree Gauss-Kruger, CM %.0fE)", res.srid_chosen,
                     plat_crs_gk_central_meridian(res.srid_chosen));
        cli_note(cli, "imported %lld townships from %s (%lld replaced, %lld repaired)", (long long)res.written,
                 a.pos[0], (long long)res.replaced, (long long)res.repaired);
    }
    cli_args_dispose(&a);
    return rc;
}

static const cli_opt list_opts[] = {
    { "json", 0, CLI_FLAG, NULL, "print JSON" },
    { "csv", 0, CLI_FLAG, NULL, "print CSV" },
    { "planar", 0, CLI_FLAG, NULL, "areas in the working CRS plane, not on the ellipsoid" },
    { NULL, 0, 0, NULL, NULL },
};

typedef struct {
    int planar, json, csv;
    json_object *arr;
    cli_table *table;
} list_state;

static int list_one(const plat_township *tw, void *ud)
{
    list_state *s = ud;
    double km2 = (s->planar ? tw->planar_area_m2 : tw->area_m2) / 1e6;
    char area[32];
    plat_format_double(area, sizeof area, km2, 3);
    if (s->json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "code", json_object_new_string(tw->code));
        json_object_object_add(o, "name", json_object_new_string(tw->name));
        json_object_object_add(o, "county_code", tw->county_code ? json_object_new_string(tw->county_code) : NULL);
        json_object_object_add(o, "county", tw->county ? json_object_new_string(tw->county) : NULL);
        json_object_object_add(o, "area_km2", cli_json_number(km2, 4));
        json_object_object_add(o, "source", tw->source ? json_object_new_string(tw->source) : NULL);
        json_object_array_add(s->arr, o);
        return 0;
    }
    const char *row[] = { tw->code, tw->name, tw->county_code, tw->county, area, tw->source };
    if (s->csv)
        cli_csv_row(stdout, 6, row);
    else
        cli_table_row(s->table, row);
    return 0;
}

static int township_list(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "township list", "", "List the ledger's townships with their areas.", list_opts, 0, 0,
                       argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    static const char *const heads[] = { "code", "name", "county_code", "county", "area_km2", "source" };
    static const char *const heads_zh[] = { "代码", "名称", "县代码", "县", "面积(km²)", "来源" };
    list_state s = { cli_flag(&a, "planar"), cli_flag(&a, "json"), cli_flag(&a, "csv"), NULL, NULL };
    if (s.json)
        s.arr = json_object_new_array();
    else if (s.csv)
        cli_csv_row(stdout, 6, heads);
    else {
        s.table = cli_table_new(6, heads_zh);
        cli_table_align_right(s.table, 4);
    }
    /* Areas were measured when the townships were imported (layers/place.c). */
    if (cli_open(cli, PLAT_OPEN_READ) < 0 || plat_township_foreach(cli->db, list_one, &s) < 0)
        rc = cli_fail(cli);
    else if (s.json)
        cli_json_print(s.arr);
    else if (s.table)
        cli_table_print(s.table, stdout);
    json_object_put(s.arr);
    cli_table_free(s.table);
    cli_args_dispose(&a);
    return rc;
}

int cmd_township(plat_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "import") == 0)
        return township_import(cli, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return township_list(cli, argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        puts("Usage: plat township import FILE [OPTIONS]\n       plat township list [--json|--csv]");
        return 0;
    }
    fprintf(stderr, "Usage: plat township import FILE [OPTIONS]\n       plat township list [--json|--csv]\n");
    return 2;
}

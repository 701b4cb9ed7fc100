/* cli/cmd_export.c - `plat export FORMAT DEST`: the ledger as GeoJSON, Shapefile, GeoPackage,
 * KML, CSV or a ready QGIS project. Parses, makes one library call, prints what was written. */
#include <string.h>

#include "cmd.h"

static const cli_opt opts[] = {
    { "what", 0, CLI_VALUE, "LIST", "what to export, comma-separated: projects, townships, coverage, layers "
                                    "(default all)" },
    { "township", 0, CLI_VALUE, "T", "only projects touching this township (name or code; a county name takes all "
                                     "its townships), and only those townships" },
    { "county", 0, CLI_VALUE, "C", "only projects and townships of this county" },
    { "category", 0, CLI_VALUE, "CAT", "only projects of this category (also for coverage)" },
    { "status", 0, CLI_VALUE, "S", "only projects in this state (also for coverage)" },
    { "t-srs", 0, CLI_VALUE, "SRS", "write in this CRS (EPSG:N, WKT, a .prj); default: the working CRS, WGS 84 "
                                    "lon/lat for geojson and kml" },
    { "overwrite", 0, CLI_FLAG, NULL, "replace existing files" },
    { "planar", 0, CLI_FLAG, NULL, "measured quantities and coverage in the working CRS, not on the ellipsoid" },
    { "as-of", 0, CLI_VALUE, "DATE", "projects and coverage as they stood at the end of that day" },
    { "as-recorded", 0, CLI_VALUE, "DATE", "as the ledger said when read on that day, before later entries" },
    { "json", 0, CLI_FLAG, NULL, "print the files written as JSON" },
    { NULL, 0, 0, NULL, NULL },
};

static const struct {
    const char *name;
    int (*fn)(plat_store *, plat_export_result *, const char *, const plat_export_options *);
    const char *dest;
} formats[] = {
    { "csv", plat_export_csv, "a folder" },       { "geojson", plat_export_geojson, "a folder" },
    { "gpkg", plat_export_gpkg, "a .gpkg file" }, { "kml", plat_export_kml, "a .kml file" },
    { "qgis", plat_export_qgis, "a folder" },     { "shp", plat_export_shp, "a folder" },
};

int cmd_export(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "export", "FORMAT DEST",
                       "Export the ledger for QGIS, Google Earth / 奥维 or a spreadsheet. FORMAT is one of:\n"
                       "  geojson DIR       RFC 7946 GeoJSON, one file per layer and geometry type, with .qml styles\n"
                       "  shp DIR           Shapefiles (UTF-8 .cpg, .prj, .qml), one per layer and geometry type\n"
                       "  gpkg FILE.gpkg    one GeoPackage, every layer styled for QGIS (layer_styles)\n"
                       "  kml FILE.kml      KML folders with names, descriptions and category colours\n"
                       "  csv DIR           one CSV per layer, geometry as WKT, UTF-8 with BOM for Excel\n"
                       "  qgis DIR          DIR/plat.gpkg and the QGIS project DIR/plat.qgs (relative paths)\n"
                       "Layers: projects (by geometry type), townships, coverage (townships with the coverage\n"
                       "figures), and the reference layers. Existing files are refused unless --overwrite;\n"
                       "a failed export leaves no file behind.",
                       opts, 2, 2, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    plat_export_options o = PLAT_EXPORT_OPTIONS_INIT;
    plat_export_result res = { 0, NULL, 0, 0 };
    size_t f = 0;
    while (f < sizeof(formats) / sizeof(formats[0]) && strcmp(formats[f].name, a.pos[0]) != 0)
        f++;
    if (f == sizeof(formats) / sizeof(formats[0])) {
        rc = cli_usage_error(&a, "unknown format '%s'; use geojson, shp, gpkg, kml, csv or qgis", a.pos[0]);
        goto done;
    }
    if (cli_value(&a, "what") && plat_export_parse_what(cli->ctx, &o.what, cli_value(&a, "what")) < 0) {
        rc = cli_fail(cli);
        goto done;
    }
    o.township = cli_value(&a, "township");
    o.county = cli_value(&a, "county");
    o.category = cli_value(&a, "category");
    o.status = cli_value(&a, "status");
    o.t_srs = cli_value(&a, "t-srs");
    o.overwrite = cli_flag(&a, "overwrite");
    o.planar = cli_flag(&a, "planar");
    o.as_of = cli_value(&a, "as-of");
    o.as_recorded = cli_value(&a, "as-recorded");
    o.progress = cli_progress(cli);
    if (cli_open(cli, PLAT_OPEN_READ) < 0 || formats[f].fn(cli->db, &res, a.pos[1], &o) < 0) {
        rc = cli_fail(cli);
        goto done;
    }
    if (cli_flag(&a, "json")) {
        json_object *arr = json_object_new_array();
        for (int i = 0; i < res.nfiles; i++) {
            json_object *e = json_object_new_object();
            json_object_object_add(e, "path", json_object_new_string(res.files[i].path));
            json_object_object_add(e, "layer", json_object_new_string(res.files[i].layer));
            json_object_object_add(e, "features", json_object_new_int64(res.files[i].features));
            json_object_array_add(arr, e);
        }
        json_object *out = json_object_new_object();
        json_object_object_add(out, "format", json_object_new_string(formats[f].name));
        json_object_object_add(out, "files", arr);
        json_object_object_add(out, "features", json_object_new_int64(res.features));
        json_object_object_add(out, "warnings", json_object_new_int(res.warnings));
        cli_json_print(out);
        json_object_put(out);
    } else {
        for (int i = 0; i < res.nfiles; i++)
            if (strcmp(res.files[i].layer, "project") == 0)
                cli_note(cli, "wrote %s (QGIS project)", res.files[i].path);
            else
                cli_note(cli, "wrote %s: %s, %lld feature%s", res.files[i].path, res.files[i].layer,
                         (long long)res.files[i].features, res.files[i].features == 1 ? "" : "s");
    }
done:
    plat_export_result_dispose(&res);
    cli_args_dispose(&a);
    return rc;
}

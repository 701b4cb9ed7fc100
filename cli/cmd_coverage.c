/* cli/cmd_coverage.c - `plat coverage`: what projects (and reference layers) cover in each
 * township or county: km of line, m2/ha/亩 of area, share of the township, road density. */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const cli_opt opts[] = {
    { "by", 0, CLI_VALUE, "township|county", "one row per township (default) or per county" },
    { "category", 0, CLI_VALUE, "CAT", "only projects of this category" },
    { "status", 0, CLI_VALUE, "S", "only projects in this state" },
    { "layer", 0, CLI_MULTI, "NAME", "also measure this reference layer and what projects cover of it" },
    { "tolerance", 0, CLI_VALUE, "M", "a layer road is covered within this many metres of a road project (default 30)" },
    { "planar", 0, CLI_FLAG, NULL, "measure in the working CRS, not on the CGCS2000 ellipsoid" },
    { "as-of", 0, CLI_VALUE, "DATE", "the projects as they stood at the end of that day (geometry, status, all)" },
    { "as-recorded", 0, CLI_VALUE, "DATE", "as the ledger said when read on that day, before later entries" },
    { "jobs", 'j', CLI_VALUE, "N", "threads for layer features (default: all cores); results do not depend on it" },
    { "json", 0, CLI_FLAG, NULL, "print JSON" },
    { "csv", 0, CLI_FLAG, NULL, "print CSV" },
    { NULL, 0, 0, NULL, NULL },
};

static double share(double part, double whole)
{
    return whole > 0 ? part / whole : 0;
}

static json_object *layer_json(const plat_coverage_layer *l)
{
    const plat_cov_layer_sum *s = &l->sum;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "kind", l->kind ? json_object_new_string(l->kind) : NULL);
    json_object_object_add(o, "features", json_object_new_int64(s->features));
    json_object_object_add(o, "line_km", cli_json_number(s->line_m / 1000, 6));
    json_object_object_add(o, "polygon_m2", cli_json_number(s->area_m2, 2));
    json_object_object_add(o, "polygon_mu", cli_json_number(s->area_m2 / PLAT_M2_PER_MU, 3));
    json_object_object_add(o, "covered_line_km", cli_json_number(s->covered_line_m / 1000, 6));
    json_object_object_add(o, "covered_polygon_m2", cli_json_number(s->covered_area_m2, 2));
    json_object_object_add(o, "covered_polygon_mu", cli_json_number(s->covered_area_m2 / PLAT_M2_PER_MU, 3));
    /* The share is of what the layer has most of in this row: length for roads, area for land. */
    double sh = s->line_m > 0 ? share(s->covered_line_m, s->line_m) : share(s->covered_area_m2, s->area_m2);
    json_object_object_add(o, "share", cli_json_number(sh, 6));
    return o;
}

static json_object *row_json(const plat_coverage *cov, const plat_coverage_row *r, int with_place)
{
    json_object *o = json_object_new_object();
    if (with_place) {
        json_object_object_add(o, "code", json_object_new_string(r->code ? r->code : ""));
        json_object_object_add(o, "name", json_object_new_string(r->name ? r->name : ""));
        json_object_object_add(o, "county", r->county ? json_object_new_string(r->county) : NULL);
    }
    double km2 = r->area_m2 / 1e6;
    json_object_object_add(o, "area_km2", cli_json_number(km2, 4));
    json_object_object_add(o, "projects", json_object_new_int(r->all.projects));
    json_object_object_add(o, "line_km", cli_json_number(r->all.line_m / 1000, 6));
    json_object_object_add(o, "polygon_m2", cli_json_number(r->all.area_m2, 2));
    json_object_object_add(o, "polygon_ha", cli_json_number(r->all.area_m2 / 1e4, 4));
    json_object_object_add(o, "polygon_mu", cli_json_number(r->all.area_m2 / PLAT_M2_PER_MU, 3));
    json_object_object_add(o, "points", json_object_new_int(r->all.points));
    json_object_object_add(o, "share", cli_json_number(share(r->all.area_m2, r->area_m2), 6));
    json_object_object_add(o, "road_density_km_per_km2", cli_json_number(share(r->all.line_m / 1000, km2), 6));
    json_object *cats = json_object_new_object();
    for (int c = 0; c < cov->ncategories; c++) {
        const plat_cov_sum *s = &r->by_category[c];
        if (!s->projects)
            continue;
        json_object *co = json_object_new_object();
        json_object_object_add(co, "projects", json_object_new_int(s->projects));
        json_object_object_add(co, "line_km", cli_json_number(s->line_m / 1000, 6));
        json_object_object_add(co, "polygon_m2", cli_json_number(s->area_m2, 2));
        json_object_object_add(co, "polygon_mu", cli_json_number(s->area_m2 / PLAT_M2_PER_MU, 3));
        json_object_object_add(co, "points", json_object_new_int(s->points));
        json_object_object_add(cats, cov->categories[c], co);
    }
    json_object_object_add(o, "by_category", cats);
    json_object *layers = json_object_new_object();
    for (int l = 0; l < cov->nlayers; l++)
        json_object_object_add(layers, cov->layer_names[l], layer_json(&r->layers[l]));
    json_object_object_add(o, "layers", layers);
    return o;
}

static void print_json(const plat_coverage *cov, int by_county, const cli_args *a, double tolerance)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "measure", json_object_new_string(cov->planar ? "planar" : "ellipsoidal"));
    json_object_object_add(o, "by", json_object_new_string(by_county ? "county" : "township"));
    json_object *f = json_object_new_object();
    json_object_object_add(f, "category", cli_value(a, "category") ? json_object_new_string(cli_value(a, "category")) : NULL);
    json_object_object_add(f, "status", cli_value(a, "status") ? json_object_new_string(cli_value(a, "status")) : NULL);
    json_object_object_add(f, "tolerance_m", cli_json_number(tolerance, 3));
    json_object_object_add(o, "filters", f);
    json_object_object_add(o, "as_of", cli_value(a, "as-of") ? json_object_new_string(cli_value(a, "as-of")) : NULL);
    json_object_object_add(o, "as_recorded",
                           cli_value(a, "as-recorded") ? json_object_new_string(cli_value(a, "as-recorded")) : NULL);
    json_object *rows = json_object_new_array();
    for (int i = 0; i < cov->nrows; i++) {
        json_object *r = row_json(cov, &cov->rows[i], 1);
        /* the targets known only by this township (or, by county, by this county or one of its
         * townships): counted here, measured nowhere */
        json_object *codes = json_object_new_array();
        for (int k = 0; k < cov->nunmapped; k++) {
            const plat_project *u = &cov->unmapped[k];
            int here = by_county ? u->county && cov->rows[i].name && strcmp(u->county, cov->rows[i].name) == 0
                                 : strcmp(u->precision, "township") == 0 && u->place &&
                                       strcmp(u->place, cov->rows[i].code) == 0;
            if (here)
                json_object_array_add(codes, json_object_new_string(u->code));
        }
        json_object_object_add(r, "unmapped_targets", codes);
        json_object_array_add(rows, r);
    }
    json_object_object_add(o, by_county ? "counties" : "townships", rows);
    json_object *totals = row_json(cov, &cov->totals, 0);
    json_object_object_add(totals, "projects_selected", json_object_new_int(cov->nprojects));
    json_object_object_add(o, "totals", totals);
    json_object *out = json_object_new_object();
    json_object_object_add(out, "projects", json_object_new_int(cov->noutside_projects));
    json_object *codes = json_object_new_array();
    for (int i = 0; i < cov->noutside_projects; i++)
        json_object_array_add(codes, json_object_new_string(cov->outside_codes[i]));
    json_object_object_add(out, "codes", codes);
    json_object_object_add(out, "line_km", cli_json_number(cov->outside.all.line_m / 1000, 6));
    json_object_object_add(out, "polygon_m2", cli_json_number(cov->outside.all.area_m2, 2));
    json_object_object_add(out, "polygon_mu", cli_json_number(cov->outside.all.area_m2 / PLAT_M2_PER_MU, 3));
    json_object_object_add(out, "points", json_object_new_int(cov->outside.all.points));
    json_object *ol = json_object_new_object();
    for (int l = 0; l < cov->nlayers; l++)
        json_object_object_add(ol, cov->layer_names[l], layer_json(&cov->outside.layers[l]));
    json_object_object_add(out, "layers", ol);
    json_object_object_add(o, "outside", out);
    /* Targets known only by township or county: reported apart, never in the km or 亩 above. */
    json_object *un = json_object_new_array();
    for (int i = 0; i < cov->nunmapped; i++) {
        const plat_project *p = &cov->unmapped[i];
        json_object *x = json_object_new_object();
        json_object_object_add(x, "code", json_object_new_string(p->code));
        json_object_object_add(x, "name", json_object_new_string(p->name));
        json_object_object_add(x, "category", json_object_new_string(p->category));
        json_object_object_add(x, "precision", json_object_new_string(p->precision));
        json_object_object_add(x, "place", p->place ? json_object_new_string(p->place) : NULL);
        json_object_object_add(x, "county", p->county ? json_object_new_string(p->county) : NULL);
        json_object *tg = NULL;
        if (p->has_target) {
            tg = json_object_new_object();
            json_object_object_add(tg, "qty", cli_json_number(p->target_qty, 6));
            json_object_object_add(tg, "unit", p->target_unit ? json_object_new_string(p->target_unit) : NULL);
        }
        json_object_object_add(x, "target", tg);
        json_object_object_add(x, "progress", cli_json_number(p->progress, 3));
        json_object_array_add(un, x);
    }
    json_object_object_add(o, "unmapped", un);
    cli_json_print(o);
    json_object_put(o);
}

/* One row's figures as text, in the column order of the table and the CSV. */
#define NUM_FIXED 10
static void row_cells(const plat_coverage *cov, const plat_coverage_row *r, char cells[][32], int csv)
{
    double km2 = r->area_m2 / 1e6;
    int d = csv ? 6 : 2;
    plat_format_double(cells[0], 32, km2, csv ? 4 : 1);
    snprintf(cells[1], 32, "%d", r->all.projects);
    plat_format_double(cells[2], 32, r->all.line_m / 1000, csv ? 6 : 3);
    plat_format_double(cells[3], 32, r->all.area_m2 / PLAT_M2_PER_MU, csv ? 3 : 1);
    plat_format_double(cells[4], 32, r->all.area_m2 / 1e4, csv ? 4 : 2);
    plat_format_double(cells[5], 32, share(r->all.area_m2, r->area_m2) * 100, csv ? 6 : 2);
    plat_format_double(cells[6], 32, share(r->all.line_m / 1000, km2), csv ? 6 : 3);
    snprintf(cells[7], 32, "%d", r->all.points);
    cells[8][0] = cells[9][0] = '\0';
    for (int l = 0; l < cov->nlayers && l < 4; l++) {
        const plat_cov_layer_sum *s = &r->layers[l].sum;
        char *own = cells[NUM_FIXED + 3 * l], *cov_ = cells[NUM_FIXED + 3 * l + 1], *sh = cells[NUM_FIXED + 3 * l + 2];
        if (s->line_m > 0 || s->area_m2 <= 0) {
            plat_format_double(own, 32, s->line_m / 1000, d + 1);
            plat_format_double(cov_, 32, s->covered_line_m / 1000, d + 1);
            plat_format_double(sh, 32, share(s->covered_line_m, s->line_m) * 100, d);
        } else {
            plat_format_double(own, 32, s->area_m2 / PLAT_M2_PER_MU, 1);
            plat_format_double(cov_, 32, s->covered_area_m2 / PLAT_M2_PER_MU, 1);
            plat_format_double(sh, 32, share(s->covered_area_m2, s->area_m2) * 100, d);
        }
    }
}

static void print_rows(const plat_coverage *cov, int by_county, int csv)
{
    int nl = cov->nlayers < 4 ? cov->nlayers : 4;
    int ncols = 3 + 8 + 3 * nl;
    const char *heads_csv[3 + 8 + 12] = { "code", "name", "county", "area_km2", "projects", "line_km", "polygon_mu",
                                          "polygon_ha", "share_pct", "road_density_km_per_km2", "points" };
    const char *heads_zh[3 + 8 + 12] = { by_county ? "县代码" : "代码", by_county ? "县" : "乡镇", "所属县",
                                         "面积(km²)", "项目", "线路(km)", "面积(亩)", "面积(ha)", "占比(%)",
                                         "路网密度", "点" };
    char names[12][96];
    for (int l = 0; l < nl; l++) {
        const char *n = cov->layer_names[l];
        snprintf(names[3 * l], 96, "%s", n);
        snprintf(names[3 * l + 1], 96, "%s覆盖", n);
        snprintf(names[3 * l + 2], 96, "%s占比(%%)", n);
        heads_zh[11 + 3 * l] = heads_csv[11 + 3 * l] = names[3 * l];
        heads_zh[12 + 3 * l] = names[3 * l + 1];
        heads_zh[13 + 3 * l] = names[3 * l + 2];
    }
    char csvnames[12][96];
    for (int l = 0; l < nl; l++) {
        snprintf(csvnames[3 * l + 1], 96, "%s_covered", cov->layer_names[l]);
        snprintf(csvnames[3 * l + 2], 96, "%s_share_pct", cov->layer_names[l]);
        heads_csv[12 + 3 * l] = csvnames[3 * l + 1];
        heads_csv[13 + 3 * l] = csvnames[3 * l + 2];
    }
    cli_table *t = csv ? NULL : cli_table_new(ncols, heads_zh);
    for (int c = 3; c < ncols; c++)
        cli_table_align_right(t, c);
    if (csv)
        cli_csv_row(stdout, ncols, heads_csv);
    for (int i = 0; i <= cov->nrows; i++) {
        const plat_coverage_row *r = i < cov->nrows ? &cov->rows[i] : &cov->totals;
        char cells[NUM_FIXED + 12][32];
        row_cells(cov, r, cells, csv);
        const char *row[3 + 8 + 12];
        row[0] = i < cov->nrows ? r->code : "";
        row[1] = i < cov->nrows ? r->name : (csv ? "total" : "合计");
        row[2] = i < cov->nrows ? r->county : "";
        for (int c = 0; c < 8; c++)
            row[3 + c] = cells[c];
        for (int l = 0; l < 3 * nl; l++)
            row[11 + l] = cells[NUM_FIXED + l];
        if (csv)
            cli_csv_row(stdout, ncols, row);
        else
            cli_table_row(t, row);
    }
    if (t) {
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
}

int cmd_coverage(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "coverage", "",
                       "Measure what projects cover in each township (or county): km of project lines,\n"
                       "area of project polygons (overlaps counted once) in m2, ha and 亩, the share of the\n"
                       "township, road density; with --layer, a reference layer's own km or 亩 in each\n"
                       "township and the share projects cover. Ellipsoidal (CGCS2000) unless --planar.",
                       opts, 0, 0, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    plat_coverage_options o = PLAT_COVERAGE_OPTIONS_INIT;
    plat_coverage *cov = NULL;
    char category[64];
    const char *v;
    double d;
    if ((v = cli_value(&a, "by")) && strcmp(v, "township") != 0 && strcmp(v, "county") != 0) {
        rc = cli_usage_error(&a, "--by takes township or county, not '%s'", v);
        goto done;
    }
    o.by_county = v && strcmp(v, "county") == 0;
    o.planar = cli_flag(&a, "planar");
    o.layers = cli_multi(&a, "layer", NULL);
    if ((v = cli_value(&a, "tolerance"))) {
        if (plat_parse_double(v, &d) < 0 || d < 0 || d > 10000) {
            plat_error_set(cli->ctx, PLAT_EINVALID, "--tolerance must be metres from 0 to 10000, got '%s'", v);
            goto fail;
        }
        o.tolerance_m = d;
    }
    if ((v = cli_value(&a, "jobs"))) {
        if (plat_parse_double(v, &d) < 0 || d < 1 || d > 64 || d != (int)d) {
            plat_error_set(cli->ctx, PLAT_EINVALID, "--jobs must be a whole number from 1 to 64, got '%s'", v);
            goto fail;
        }
        o.jobs = (int)d;
    }
    o.as_of = cli_value(&a, "as-of");
    o.as_recorded = cli_value(&a, "as-recorded");
    if (cli_open(cli, PLAT_OPEN_READ) < 0)
        goto fail;
    if ((v = cli_value(&a, "category"))) {
        if (plat_category_resolve(cli->db, category, sizeof category, v) < 0)
            goto fail;
        o.category = category;
    }
    if ((v = cli_value(&a, "status")) && !(o.status = plat_status_resolve(v))) {
        plat_error_set(cli->ctx, PLAT_EINVALID, "unknown status '%s'; use planned, under_construction, completed or suspended", v);
        goto fail;
    }
    if (plat_coverage_compute(cli->db, &cov, &o) < 0)
        goto fail;
    if (cli_flag(&a, "json"))
        print_json(cov, o.by_county, &a, o.tolerance_m);
    else
        print_rows(cov, o.by_county, cli_flag(&a, "csv"));
    if (!cli_flag(&a, "json")) {
        if (cov->noutside_projects)
            cli_note(cli, "%d project%s partly or wholly outside every township (see --json \"outside\")",
                     cov->noutside_projects, cov->noutside_projects == 1 ? " lies" : "s lie");
        if (cov->nunmapped)
            cli_note(cli,
                     "%d target%s known only by township or county, not in these figures (see --json \"unmapped\")",
                     cov->nunmapped, cov->nunmapped == 1 ? "" : "s");
        cli_note(cli, "%s measurement; areas of overlapping projects counted once per township",
                 o.planar ? "planar (working CRS)" : "ellipsoidal (CGCS2000)");
    }
    goto done;
fail:
    rc = cli_fail(cli);
done:
    plat_coverage_free(cov);
    cli_args_dispose(&a);
    return rc;
}

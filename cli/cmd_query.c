/* cli/cmd_query.c - `plat query`: projects in a township, within a distance of a place or of
 * another project, intersecting a reference layer (filters combine with AND).
 *
 * Parses, makes one library call (plat_query_compute), prints a table, JSON or CSV. The
 * columns that depend on a filter (part inside the township, distance, overlap) appear in the
 * table only when that filter is used; in CSV they are always there (empty when unused), so a
 * script can rely on the header. */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const cli_opt opts[] = {
    { "township", 0, CLI_VALUE, "T",
      "only projects touching this township (name or code; a county takes all its townships)" },
    { "within", 0, CLI_VALUE, "DIST", "only projects at most DIST from --of: 5km, 500m, or a number of metres" },
    { "of", 0, CLI_VALUE, "WKT|project:CODE",
      "the place to measure from: WKT or GeoJSON (inline or @file), or a project" },
    { "s-srs", 0, CLI_VALUE, "SRS", "CRS of --of (default EPSG:4490 lon/lat; GCJ02, BD09 accepted)" },
    { "intersects-layer", 0, CLI_VALUE, "NAME", "only projects meeting this reference layer, with their overlap" },
    { "category", 0, CLI_VALUE, "CAT", "only this category" },
    { "status", 0, CLI_VALUE, "S", "only this status" },
    { "planar", 0, CLI_FLAG, NULL, "measure in the working CRS, not on the ellipsoid" },
    { "json", 0, CLI_FLAG, NULL, "print JSON" },
    { "csv", 0, CLI_FLAG, NULL, "print CSV" },
    { NULL, 0, 0, NULL, NULL },
};

static json_object *json_str(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static char *join_townships(const plat_placement *pl, const char *sep)
{
    plat_buf b = PLAT_BUF_INIT;
    for (int i = 0; i < pl->n; i++)
        plat_buf_printf(&b, "%s%s", i ? sep : "", pl->places[i].name);
    return plat_buf_detach(&b);
}

static void format_distance(char *buf, size_t n, double m)
{
    char v[32];
    if (m >= 1000.0)
        snprintf(buf, n, "%s km", plat_format_double(v, sizeof v, m / 1000.0, 3));
    else
        snprintf(buf, n, "%s m", plat_format_double(v, sizeof v, m, 1));
}

typedef struct shown {
    int township, distance, layer; /* which optional columns */
} shown;

static json_object *row_json(plat_cli *cli, const plat_query_row *r, const shown *s)
{
    const plat_project *p = &r->project;
    char label[64];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "code", json_str(p->code));
    json_object_object_add(o, "name", json_str(p->name));
    json_object_object_add(o, "category", json_str(p->category));
    json_object_object_add(o, "category_label",
                           json_str(plat_category_label(cli->db, label, sizeof label, p->category)));
    json_object_object_add(o, "county", json_str(p->county));
    json_object_object_add(o, "status", json_str(p->status));
    json_object_object_add(o, "status_label", json_str(plat_status_label(p->status)));
    json_object *towns = json_object_new_array();
    for (int i = 0; i < r->place.n; i++)
        json_object_array_add(towns, json_object_new_string(r->place.places[i].name));
    json_object_object_add(o, "townships", towns);
    json_object_object_add(o, "measured", cli_json_quantity(&r->place.total, r->place.kinds));
    if (s->township)
        json_object_object_add(o, "inside", cli_json_quantity(&r->inside, r->place.kinds));
    if (s->distance)
        json_object_object_add(o, "distance_m", cli_json_number(r->distance_m, 3));
    if (s->layer)
        json_object_object_add(o, "overlap", cli_json_quantity(&r->overlap, r->place.kinds));
    return o;
}

static void csv_quantity(char (*cells)[32], const plat_quantity *q, int kinds, int with_points)
{
    if (kinds & PLAT_GEOM_LINE)
        plat_format_double(cells[0], 32, q->length_m / 1000.0, 6);
    if (kinds & PLAT_GEOM_POLYGON) {
        plat_format_double(cells[1], 32, q->area_m2, 2);
        plat_format_double(cells[2], 32, q->area_m2 / PLAT_M2_PER_MU, 3);
    }
    if (with_points && (kinds & PLAT_GEOM_POINT))
        snprintf(cells[3], 32, "%d", q->points);
}

static void row_csv(plat_cli *cli, const plat_query_row *r, const shown *s)
{
    const plat_project *p = &r->project;
    char label[64], m[4][32] = { "" }, in[4][32] = { "" }, ov[4][32] = { "" }, dist[32] = "";
    char *towns = join_townships(&r->place, ";");
    int k = r->place.kinds;
    csv_quantity(m, &r->place.total, k, 1);
    if (s->township)
        csv_quantity(in, &r->inside, k, 0);
    if (s->distance)
        plat_format_double(dist, sizeof dist, r->distance_m, 3);
    if (s->layer)
        csv_quantity(ov, &r->overlap, k, 1);
    const char *row[] = { p->code, p->name, p->category, plat_category_label(cli->db, label, sizeof label, p->category),
                          p->county, p->status, plat_status_label(p->status), towns, m[0], m[1], m[2], m[3],
                          in[0], in[1], in[2], dist, ov[0], ov[1], ov[2], ov[3] };
    cli_csv_row(stdout, 20, row);
    free(towns);
}

static void print_table(plat_cli *cli, const plat_query *q, const shown *s)
{
    const char *heads[10] = { "编号", "名称", "类别", "状态", "乡镇", "实测" };
    int nc = 6, c_in = -1, c_dist = -1, c_ov = -1;
    if (s->township)
        heads[c_in = nc++] = "镇内";
    if (s->distance)
        heads[c_dist = nc++] = "距离";
    if (s->layer)
        heads[c_ov = nc++] = "重叠";
    cli_table *t = cli_table_new(nc, heads);
    for (int i = 5; i < nc; i++)
        cli_table_align_right(t, i);
    for (size_t i = 0; i < plat_query_count(q); i++) {
        const plat_query_row *r = plat_query_row_at(q, i);
        const plat_project *p = &r->project;
        char label[64], measured[64], inside[64], dist[32], ov[64];
        char *towns = join_townships(&r->place, "、");
        const char *row[10] = { p->code, p->name, plat_category_label(cli->db, label, sizeof label, p->category),
                                plat_status_label(p->status), towns,
                                cli_format_quantity(measured, sizeof measured, &r->place.total, r->place.kinds) };
        if (c_in >= 0)
            row[c_in] = cli_format_quantity(inside, sizeof inside, &r->inside, r->place.kinds);
        if (c_dist >= 0) {
            format_distance(dist, sizeof dist, r->distance_m);
            row[c_dist] = dist;
        }
        if (c_ov >= 0)
            row[c_ov] = cli_format_quantity(ov, sizeof ov, &r->overlap, r->place.kinds);
        cli_table_row(t, row);
        free(towns);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
}

int cmd_query(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "query", "",
                       "Find projects: in a township, within a distance of a place or of another project,\n"
                       "meeting a reference layer. Filters combine with AND. Distances are measured on the\n"
                       "CGCS2000 ellipsoid along the shortest connection found in the working CRS (--planar:\n"
                       "in the working CRS), and rows with --within come nearest first.",
                       opts, 0, 0, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    plat_query_options o = PLAT_QUERY_OPTIONS_INIT;
    plat_query *q = NULL;
    char category[64];
    const char *v, *of = cli_value(&a, "of");
    shown s = { 0, 0, 0 };
    if (cli_value(&a, "within") && !of) {
        rc = cli_usage_error(&a, "--within needs --of WKT|project:CODE, the place to measure from");
        goto done;
    }
    if (of && !cli_value(&a, "within")) {
        rc = cli_usage_error(&a, "--of needs --within DIST");
        goto done;
    }
    if (cli_flag(&a, "json") && cli_flag(&a, "csv")) {
        rc = cli_usage_error(&a, "choose --json or --csv");
        goto done;
    }
    if ((v = cli_value(&a, "within")) && plat_distance_parse(cli->ctx, &o.within_m, v) < 0)
        goto fail;
    if (of && strncmp(of, "project:", 8) == 0)
        o.of_project = of + 8;
    else
        o.of_geom = of;
    o.of_srs = cli_value(&a, "s-srs");
    o.township = cli_value(&a, "township");
    o.layer = cli_value(&a, "intersects-layer");
    o.planar = cli_flag(&a, "planar");
    s.township = o.township != NULL;
    s.distance = o.within_m >= 0;
    s.layer = o.layer != NULL;
    if (cli_open(cli, PLAT_OPEN_READ) < 0)
        goto fail;
    if ((v = cli_value(&a, "category"))) {
        if (plat_category_resolve(cli->db, category, sizeof category, v) < 0)
            goto fail;
        o.category = category;
    }
    if ((v = cli_value(&a, "status")) && !(o.status = plat_status_resolve(v))) {
        plat_error_set(cli->ctx, PLAT_EINVALID,
                       "unknown status '%s'; use planned (计划), under_construction (在建), completed (已完工) or "
                       "suspended (暂停)", v);
        goto fail;
    }
    if (plat_query_compute(cli->db, &q, &o) < 0)
        goto fail;
    size_t n = plat_query_count(q);
    if (cli_flag(&a, "json")) {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < n; i++)
            json_object_array_add(arr, row_json(cli, plat_query_row_at(q, i), &s));
        cli_json_print(arr);
        json_object_put(arr);
    } else if (cli_flag(&a, "csv")) {
        static const char *const heads[] = { "code", "name", "category", "category_label", "county", "status",
                                             "status_label", "townships", "measured_km", "measured_m2",
                                             "measured_mu", "measured_points", "inside_km", "inside_m2", "inside_mu",
                                             "distance_m", "overlap_km", "overlap_m2", "overlap_mu", "overlap_points" };
        cli_csv_row(stdout, 20, heads);
        for (size_t i = 0; i < n; i++)
            row_csv(cli, plat_query_row_at(q, i), &s);
    } else {
        print_table(cli, q, &s);
        cli_note(cli, "%zu project%s", n, n == 1 ? "" : "s");
    }
    goto done;
fail:
    rc = cli_fail(cli);
done:
    plat_query_free(q);
    cli_args_dispose(&a);
    return rc;
}

/* cli/cmd_check.c - `plat check targets | conflicts`: reports on the ledger.
 *
 * Both are reports: finding mismatches or conflicts is their normal output and exits 0; only
 * a failure (no ledger, unknown layer, bad option value) exits 1. Each subcommand makes one
 * library call (plat_targets_compute, plat_conflicts_compute) and prints a table, JSON or CSV. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static json_object *json_str(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static const char *resolve_status(plat_cli *cli, const char *s)
{
    const char *code = plat_status_resolve(s);
    if (!code)
        plat_error_set(cli->ctx, PLAT_EINVALID,
                       "unknown status '%s'; use planned (计划), under_construction (在建), completed (已完工) or "
                       "suspended (暂停)", s);
    return code;
}

/* --category and --status as codes into *category / *status. @return 0 or < 0 (recorded). */
static int resolve_filters(plat_cli *cli, const cli_args *a, char *buf, size_t n, const char **category,
                           const char **status)
{
    const char *v;
    if ((v = cli_value(a, "category"))) {
        if (plat_category_resolve(cli->db, buf, n, v) < 0)
            return PLAT_EINVALID;
        *category = buf;
    }
    if ((v = cli_value(a, "status")) && !(*status = resolve_status(cli, v)))
        return PLAT_EINVALID;
    return 0;
}

static const char *measure_name(int planar)
{
    return planar ? "planar" : "ellipsoidal";
}

/* ---- targets ---- */

static const cli_opt targets_opts[] = {
    { "tolerance", 0, CLI_VALUE, "PCT", "allowed difference in per cent of the target (default 10)" },
    { "category", 0, CLI_VALUE, "CAT", "only this category" },
    { "status", 0, CLI_VALUE, "S", "only this status" },
    { "planar", 0, CLI_FLAG, NULL, "measure in the working CRS, not on the ellipsoid" },
    { "json", 0, CLI_FLAG, NULL, "print JSON" },
    { "csv", 0, CLI_FLAG, NULL, "print CSV (every project with a target, with its verdict)" },
    { NULL, 0, 0, NULL, NULL },
};

static const char *const verdict_names[] = { "ok", "mismatch", "unmeasurable", "no_geometry" };

static json_object *target_json(const plat_project *p)
{
    json_object *t = json_object_new_object();
    json_object_object_add(t, "qty", cli_json_number(p->target_qty, 6));
    json_object_object_add(t, "unit", json_str(p->target_unit));
    return t;
}

static json_object *target_row_json(plat_cli *cli, const plat_target_row *r)
{
    char label[64];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "code", json_str(r->project.code));
    json_object_object_add(o, "name", json_str(r->project.name));
    json_object_object_add(o, "category", json_str(r->project.category));
    json_object_object_add(o, "category_label",
                           json_str(plat_category_label(cli->db, label, sizeof label, r->project.category)));
    json_object_object_add(o, "target", target_json(&r->project));
    if (r->verdict == PLAT_TARGET_NO_GEOMETRY)
        return o;
    json_object_object_add(o, "measured", cli_json_quantity(&r->measured, r->kinds));
    if (r->verdict == PLAT_TARGET_UNMEASURABLE) {
        json_object_object_add(o, "reason", json_str(r->reason));
        return o;
    }
    json_object_object_add(o, "measured_in_target_unit", cli_json_number(r->measured_in_unit, 6));
    json_object_object_add(o, "difference_pct",
                           isnan(r->difference_pct) ? NULL : cli_json_number(r->difference_pct, 2));
    return o;
}

/* The reason in Chinese for the table, from what the row says. */
static const char *reason_zh(const plat_target_row *r)
{
    if (r->unit.kind != PLAT_UNIT_LENGTH && r->unit.kind != PLAT_UNIT_AREA)
        return "单位不是长度或面积";
    return r->unit.kind == PLAT_UNIT_LENGTH ? "长度目标，几何中没有线" : "面积目标，几何中没有面";
}

static void format_target(char *buf, size_t n, const plat_project *p)
{
    char q[32];
    snprintf(buf, n, "%s %s", plat_format_double(q, sizeof q, p->target_qty, 4), p->target_unit ? p->target_unit : "");
}

static void print_targets_table(plat_cli *cli, const plat_targets *t, double tolerance, size_t count[4])
{
    static const char *const mis_heads[] = { "编号", "名称", "目标", "实测", "折合", "差异" };
    static const char *const unm_heads[] = { "编号", "名称", "目标", "实测", "原因" };
    static const char *const nog_heads[] = { "编号", "名称", "目标" };
    cli_table *mis = cli_table_new(6, mis_heads), *unm = cli_table_new(5, unm_heads);
    cli_table *nog = cli_table_new(3, nog_heads);
    cli_table_align_right(mis, 3);
    cli_table_align_right(mis, 4);
    cli_table_align_right(mis, 5);
    for (size_t i = 0; i < plat_targets_count(t); i++) {
        const plat_target_row *r = plat_targets_row_at(t, i);
        char target[64], measured[64], conv[64], diff[32], q[32];
        format_target(target, sizeof target, &r->project);
        cli_format_quantity(measured, sizeof measured, &r->measured, r->kinds);
        if (r->verdict == PLAT_TARGET_MISMATCH) {
            snprintf(conv, sizeof conv, "%s %s", plat_format_double(q, sizeof q, r->measured_in_unit, 3),
                     r->project.target_unit);
            if (isnan(r->difference_pct))
                snprintf(diff, sizeof diff, "—");
            else
                snprintf(diff, sizeof diff, "%s%s%%", r->difference_pct > 0 ? "+" : "",
                         plat_format_double(q, sizeof q, r->difference_pct, 2));
            const char *row[] = { r->project.code, r->project.name, target, measured, conv, diff };
            cli_table_row(mis, row);
        } else if (r->verdict == PLAT_TARGET_UNMEASURABLE) {
            const char *row[] = { r->project.code, r->project.name, target, measured, reason_zh(r) };
            cli_table_row(unm, row);
        } else if (r->verdict == PLAT_TARGET_NO_GEOMETRY) {
            const char *row[] = { r->project.code, r->project.name, target };
            cli_table_row(nog, row);
        }
    }
    char tol[32];
    plat_format_double(tol, sizeof tol, tolerance, 2);
    int printed = 0;
    if (count[PLAT_TARGET_MISMATCH]) {
        printf("目标与实测不符（容差 %s%%）\n", tol);
        cli_table_print(mis, stdout);
        printed = 1;
    }
    if (count[PLAT_TARGET_UNMEASURABLE]) {
        printf("%s无法按几何核对的目标\n", printed ? "\n" : "");
        cli_table_print(unm, stdout);
        printed = 1;
    }
    if (count[PLAT_TARGET_NO_GEOMETRY]) {
        printf("%s有长度或面积目标但无几何\n", printed ? "\n" : "");
        cli_table_print(nog, stdout);
    }
    cli_table_free(mis);
    cli_table_free(unm);
    cli_table_free(nog);
    cli_note(cli,
             "%zu within %s%% of the target, %zu mismatched, %zu unmeasurable, %zu without geometry, "
             "%zu without a target",
             count[PLAT_TARGET_OK], tol, count[PLAT_TARGET_MISMATCH], count[PLAT_TARGET_UNMEASURABLE],
             count[PLAT_TARGET_NO_GEOMETRY], plat_targets_without(t));
}

static void print_targets_csv(const plat_targets *t)
{
    static const char *const heads[] = { "code", "name", "category", "verdict", "target_qty", "target_unit",
                                         "measured_km", "measured_m2", "measured_mu", "measured_points",
                                         "measured_in_target_unit", "difference_pct", "reason" };
    cli_csv_row(stdout, 13, heads);
    for (size_t i = 0; i < plat_targets_count(t); i++) {
        const plat_target_row *r = plat_targets_row_at(t, i);
        char qty[32], km[32] = "", m2[32] = "", mu[32] = "", pts[16] = "", conv[32] = "", diff[32] = "";
        plat_format_double(qty, sizeof qty, r->project.target_qty, 6);
        if (r->kinds & PLAT_GEOM_LINE)
            plat_format_double(km, sizeof km, r->measured.length_m / 1000.0, 6);
        if (r->kinds & PLAT_GEOM_POLYGON) {
            plat_format_double(m2, sizeof m2, r->measured.area_m2, 2);
            plat_format_double(mu, sizeof mu, r->measured.area_m2 / PLAT_M2_PER_MU, 3);
        }
        if (r->kinds & PLAT_GEOM_POINT)
            snprintf(pts, sizeof pts, "%d", r->measured.points);
        if (r->verdict == PLAT_TARGET_OK || r->verdict == PLAT_TARGET_MISMATCH) {
            plat_format_double(conv, sizeof conv, r->measured_in_unit, 6);
            if (!isnan(r->difference_pct))
                plat_format_double(diff, sizeof diff, r->difference_pct, 2);
        }
        const char *row[] = { r->project.code, r->project.name, r->project.category, verdict_names[r->verdict], qty,
                              r->project.target_unit, km, m2, mu, pts, conv, diff, r->reason };
        cli_csv_row(stdout, 13, row);
    }
}

static int check_targets(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "check targets", "",
                       "Compare each project's declared target with its measured geometry: km against the\n"
                       "length of its lines, m2, 亩, 万亩, ha against the area of its polygons. Differences\n"
                       "beyond --tolerance are listed; so are targets that cannot be measured (berths, MW)\n"
                       "and measurable targets of projects without geometry. Exits 0 whatever it finds.",
                       targets_opts, 0, 0, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    plat_targets_options o = PLAT_TARGETS_OPTIONS_INIT;
    plat_targets *t = NULL;
    char category[64];
    const char *v;
    if (cli_flag(&a, "json") && cli_flag(&a, "csv")) {
        rc = cli_usage_error(&a, "choose --json or --csv");
        goto done;
    }
    if ((v = cli_value(&a, "tolerance"))) {
        /* "10" and "10%" both mean ten per cent. */
        const char *end;
        if (plat_parse_double_prefix(v, &o.tolerance_pct, &end) < 0 || (*end && strcmp(end, "%") != 0) ||
            !(o.tolerance_pct >= 0) || !isfinite(o.tolerance_pct)) {
            plat_error_set(cli->ctx, PLAT_EINVALID,
                           "--tolerance must be a per cent of at least 0, like 10 or 5.5%%, got '%s'", v);
            goto fail;
        }
    }
    o.planar = cli_flag(&a, "planar");
    if (cli_open(cli, PLAT_OPEN_READ) < 0 ||
        resolve_filters(cli, &a, category, sizeof category, &o.category, &o.status) < 0 ||
        plat_targets_compute(cli->db, &t, &o) < 0)
        goto fail;
    size_t count[4] = { 0, 0, 0, 0 };
    for (size_t i = 0; i < plat_targets_count(t); i++)
        count[plat_targets_row_at(t, i)->verdict]++;
    if (cli_flag(&a, "json")) {
        json_object *root = json_object_new_object(), *lists[4] = { NULL, NULL, NULL, NULL };
        json_object_object_add(root, "tolerance_pct", cli_json_number(o.tolerance_pct, 6));
        json_object_object_add(root, "measure", json_object_new_string(measure_name(o.planar)));
        static const char *const keys[] = { NULL, "mismatches", "unmeasurable", "no_geometry" };
        for (int k = 1; k < 4; k++)
            json_object_object_add(root, keys[k], lists[k] = json_object_new_array());
        for (size_t i = 0; i < plat_targets_count(t); i++) {
            const plat_target_row *r = plat_targets_row_at(t, i);
            if (r->verdict != PLAT_TARGET_OK)
                json_object_array_add(lists[r->verdict], target_row_json(cli, r));
        }
        json_object_object_add(root, "ok", json_object_new_int64((int64_t)count[PLAT_TARGET_OK]));
        json_object_object_add(root, "no_target", json_object_new_int64((int64_t)plat_targets_without(t)));
        cli_json_print(root);
        json_object_put(root);
    } else if (cli_flag(&a, "csv")) {
        print_targets_csv(t);
    } else {
        print_targets_table(cli, t, o.tolerance_pct, count);
    }
    goto done;
fail:
    rc = cli_fail(cli);
done:
    plat_targets_free(t);
    cli_args_dispose(&a);
    return rc;
}

/* ---- conflicts ---- */

static const cli_opt conflicts_opts[] = {
    { "layer", 0, CLI_VALUE, "NAME", "the protected reference layer (basic_farmland, eco_redline ...), required" },
    { "category", 0, CLI_VALUE, "CAT", "only this category" },
    { "status", 0, CLI_VALUE, "S", "only this status" },
    { "planar", 0, CLI_FLAG, NULL, "measure in the working CRS, not on the ellipsoid" },
    { "json", 0, CLI_FLAG, NULL, "print JSON" },
    { "csv", 0, CLI_FLAG, NULL, "print CSV" },
    { NULL, 0, 0, NULL, NULL },
};

static json_object *place_json(const plat_place *pl, int kinds)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_str(pl->name));
    json_object_object_add(o, "code", json_str(pl->code));
    json_object *q = cli_json_quantity(&pl->q, kinds);
    json_object_object_foreach(q, key, val) json_object_object_add(o, key, json_object_get(val));
    json_object_put(q);
    return o;
}

static json_object *conflict_json(plat_cli *cli, const plat_conflict_row *r)
{
    char label[64];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "code", json_str(r->project.code));
    json_object_object_add(o, "name", json_str(r->project.name));
    json_object_object_add(o, "category", json_str(r->project.category));
    json_object_object_add(o, "category_label",
                           json_str(plat_category_label(cli->db, label, sizeof label, r->project.category)));
    json_object_object_add(o, "status", json_str(r->project.status));
    json_object_object_add(o, "overlap", cli_json_quantity(&r->overlap, r->kinds));
    json_object_object_add(o, "measured", cli_json_quantity(&r->total, r->kinds));
    json_object_object_add(o, "share", cli_json_number(r->share, 9));
    json_object *towns = json_object_new_array();
    for (int i = 0; i < r->place.n; i++)
        json_object_array_add(towns, place_json(&r->place.places[i], r->kinds));
    json_object_object_add(o, "townships", towns);
    return o;
}

/* For the table: "伍市镇 12.5 亩 (0.83 ha)、三市镇 3 亩 (0.2 ha)". */
static char *townships_text(const plat_conflict_row *r)
{
    plat_buf b = PLAT_BUF_INIT;
    char q[64];
    for (int i = 0; i < r->place.n; i++)
        plat_buf_printf(&b, "%s%s %s", i ? "、" : "", r->place.places[i].name,
                        cli_format_quantity(q, sizeof q, &r->place.places[i].q, r->kinds));
    return plat_buf_detach(&b);
}

/* For CSV, exact and with the unit: "伍市镇 8333.33 m2;三市镇 2000 m2" ("km" for lines, "points"). */
static char *townships_csv(const plat_conflict_row *r)
{
    plat_buf b = PLAT_BUF_INIT;
    char q[32];
    for (int i = 0; i < r->place.n; i++) {
        const plat_quantity *pq = &r->place.places[i].q;
        if (r->kinds & PLAT_GEOM_POLYGON)
            plat_format_double(q, sizeof q, pq->area_m2, 2);
        else if (r->kinds & PLAT_GEOM_LINE)
            plat_format_double(q, sizeof q, pq->length_m / 1000.0, 6);
        else
            snprintf(q, sizeof q, "%d", pq->points);
        plat_buf_printf(&b, "%s%s %s %s", i ? ";" : "", r->place.places[i].name, q,
                        r->kinds & PLAT_GEOM_POLYGON ? "m2" : r->kinds & PLAT_GEOM_LINE ? "km" : "points");
    }
    return plat_buf_detach(&b);
}

static int check_conflicts(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "check conflicts", "",
                       "Measure how much of each project lies in a protected reference layer (永久基本农田,\n"
                       "生态保护红线 ...): area for polygons, length for lines, its share of the project and\n"
                       "the townships where it lies. Largest overlap first; projects without overlap are\n"
                       "not listed. Exits 0 whatever it finds.",
                       conflicts_opts, 0, 0, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    plat_conflicts_options o = PLAT_CONFLICTS_OPTIONS_INIT;
    plat_conflicts *c = NULL;
    char category[64];
    if (!(o.layer = cli_value(&a, "layer"))) {
        rc = cli_usage_error(&a, "--layer NAME is required (see `plat layer list`)");
        goto done;
    }
    if (cli_flag(&a, "json") && cli_flag(&a, "csv")) {
        rc = cli_usage_error(&a, "choose --json or --csv");
        goto done;
    }
    o.planar = cli_flag(&a, "planar");
    if (cli_open(cli, PLAT_OPEN_READ) < 0 ||
        resolve_filters(cli, &a, category, sizeof category, &o.category, &o.status) < 0 ||
        plat_conflicts_compute(cli->db, &c, &o) < 0)
        goto fail;
    size_t n = plat_conflicts_count(c);
    if (cli_flag(&a, "json")) {
        json_object *root = json_object_new_object(), *arr = json_object_new_array();
        json_object_object_add(root, "layer", json_object_new_string(o.layer));
        json_object_object_add(root, "kind", json_str(plat_conflicts_layer_kind(c)));
        json_object_object_add(root, "geometry_kind", json_str(plat_conflicts_layer_geometry_kind(c)));
        json_object_object_add(root, "measure", json_object_new_string(measure_name(o.planar)));
        for (size_t i = 0; i < n; i++)
            json_object_array_add(arr, conflict_json(cli, plat_conflicts_row_at(c, i)));
        json_object_object_add(root, "conflicts", arr);
        json_object_object_add(root, "count", json_object_new_int64((int64_t)n));
        json_object_object_add(root, "examined", json_object_new_int64((int64_t)plat_conflicts_examined(c)));
        cli_json_print(root);
        json_object_put(root);
    } else if (cli_flag(&a, "csv")) {
        static const char *const heads[] = { "code", "name", "category", "category_label", "overlap_km", "overlap_m2",
                                             "overlap_mu", "overlap_points", "share", "townships" };
        cli_csv_row(stdout, 10, heads);
        for (size_t i = 0; i < n; i++) {
            const plat_conflict_row *r = plat_conflicts_row_at(c, i);
            char label[64], km[32] = "", m2[32] = "", mu[32] = "", pts[16] = "", share[32];
            if (r->kinds & PLAT_GEOM_LINE)
                plat_format_double(km, sizeof km, r->overlap.length_m / 1000.0, 6);
            if (r->kinds & PLAT_GEOM_POLYGON) {
                plat_format_double(m2, sizeof m2, r->overlap.area_m2, 2);
                plat_format_double(mu, sizeof mu, r->overlap.area_m2 / PLAT_M2_PER_MU, 3);
            }
            if (r->kinds & PLAT_GEOM_POINT)
                snprintf(pts, sizeof pts, "%d", r->overlap.points);
            plat_format_double(share, sizeof share, r->share, 9);
            char *towns = townships_csv(r);
            const char *row[] = { r->project.code, r->project.name, r->project.category,
                                  plat_category_label(cli->db, label, sizeof label, r->project.category),
                                  km, m2, mu, pts, share, towns };
            cli_csv_row(stdout, 10, row);
            free(towns);
        }
    } else {
        static const char *const heads[] = { "编号", "名称", "类别", "重叠", "占比", "乡镇" };
        cli_table *t = cli_table_new(6, heads);
        cli_table_align_right(t, 3);
        cli_table_align_right(t, 4);
        for (size_t i = 0; i < n; i++) {
            const plat_conflict_row *r = plat_conflicts_row_at(c, i);
            char label[64], ov[64], share[32], q[32];
            snprintf(share, sizeof share, "%s%%", plat_format_double(q, sizeof q, r->share * 100.0, 1));
            char *towns = townships_text(r);
            const char *row[] = { r->project.code, r->project.name,
                                  plat_category_label(cli->db, label, sizeof label, r->project.category),
                                  cli_format_quantity(ov, sizeof ov, &r->overlap, r->kinds), share, towns };
            cli_table_row(t, row);
            free(towns);
        }
        if (n)
            cli_table_print(t, stdout);
        cli_table_free(t);
        cli_note(cli, "%zu of %zu project%s near layer '%s' overlap it", n, plat_conflicts_examined(c),
                 plat_conflicts_examined(c) == 1 ? "" : "s", o.layer);
    }
    goto done;
fail:
    rc = cli_fail(cli);
done:
    plat_conflicts_free(c);
    cli_args_dispose(&a);
    return rc;
}

static const struct {
    const char *name;
    int (*fn)(plat_cli *, int, char **);
    const char *help;
} subcommands[] = {
    { "conflicts", check_conflicts, "overlap of each project with a protected layer (--layer NAME)" },
    { "targets", check_targets, "declared targets against measured geometry" },
};

int cmd_check(plat_cli *cli, int argc, char **argv)
{
    for (size_t i = 0; argc >= 2 && i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].fn(cli, argc - 1, argv + 1);
    int help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
    FILE *f = help ? stdout : stderr;
    if (argc >= 2 && !help)
        fprintf(f, "plat check: unknown subcommand '%s'\n", argv[1]);
    fprintf(f, "Usage: plat check SUBCOMMAND [OPTIONS]\n\n");
    for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
        fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].help);
    return help ? 0 : 2;
}

/* cli/cmd_progress.c - `plat progress`: planned and finished km and 亩 per township or county.
 *
 * One library call (plat_progress_compute) and three ways to print it: a table per township,
 * JSON with every project's part and how its done share is known (done_basis), and CSV with one
 * row per township and project. Targets known only by township or county are printed apart. */
#include <string.h>

#include "cmd.h"

static const cli_opt opts[] = {
    {"by", 0, CLI_VALUE, "township|county", "group results (default township)"},
    {"category", 0, CLI_VALUE, "CAT", "only projects of this category"},
    {"from", 0, CLI_VALUE, "DATE", "the period starts this day: done_*_in_period is what was finished since"},
    {"to", 0, CLI_VALUE, "DATE", "the period ends this day (default --as-of, else today)"},
    {"as-of", 0, CLI_VALUE, "DATE", "the works as they stood at the end of that day"},
    {"as-recorded", 0, CLI_VALUE, "DATE", "as the ledger said when read on that day, before later entries"},
    {"planar", 0, CLI_FLAG, NULL, "measure in the working CRS, not on the ellipsoid"},
    {"json", 0, CLI_FLAG, NULL, "print JSON"},
    {"csv", 0, CLI_FLAG, NULL, "print CSV: one row per township and project, with done_basis"},
    {NULL, 0, 0, NULL, NULL},
};

static void add_sums(json_object *o, const plat_progress_sum *s)
{
    json_object_object_add(o, "planned_km", cli_json_number(s->planned_m / 1000.0, 6));
    json_object_object_add(o, "done_km", cli_json_number(s->done_m / 1000.0, 6));
    json_object_object_add(o, "done_km_in_period", cli_json_number(s->period_m / 1000.0, 6));
    json_object_object_add(o, "planned_mu", cli_json_number(s->planned_m2 / PLAT_M2_PER_MU, 3));
    json_object_object_add(o, "done_mu", cli_json_number(s->done_m2 / PLAT_M2_PER_MU, 3));
    json_object_object_add(o, "done_mu_in_period", cli_json_number(s->period_m2 / PLAT_M2_PER_MU, 3));
}

static json_object *items_json(const plat_progress_row *row)
{
    json_object *arr = json_object_new_array();
    for (int i = 0; i < row->nitems; i++) {
        const plat_progress_item *it = &row->items[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "code", json_object_new_string(it->code));
        json_object_object_add(o, "name", json_object_new_string(it->name));
        json_object_object_add(o, "category", json_object_new_string(it->category));
        json_object_object_add(o, "done_basis", json_object_new_string(it->basis));
        add_sums(o, &it->sum);
        json_object_array_add(arr, o);
    }
    return arr;
}

static json_object *str_or_null(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
}

static void print_json(const plat_progress *pr, int by_county)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "as_of", json_object_new_string(pr->as_of));
    json_object_object_add(o, "from", str_or_null(pr->from));
    json_object_object_add(o, "to", json_object_new_string(pr->as_of));
    json_object_object_add(o, "as_recorded", str_or_null(pr->as_recorded));
    json_object_object_add(o, "measure", json_object_new_string(pr->planar ? "planar" : "ellipsoidal"));
    json_object_object_add(o, "by", json_object_new_string(by_county ? "county" : "township"));
    json_object *rows = json_object_new_array();
    for (int i = 0; i < pr->nrows; i++) {
        const plat_progress_row *rw = &pr->rows[i];
        json_object *r = json_object_new_object();
        json_object_object_add(r, "code", json_object_new_string(rw->code));
        json_object_object_add(r, "name", json_object_new_string(rw->name));
        json_object_object_add(r, "county", json_object_new_string(rw->county));
        add_sums(r, &rw->sum);
        json_object_object_add(r, "projects", items_json(rw));
        /* targets known only by this township (by county: this county or its townships) */
        json_object *codes = json_object_new_array();
        for (int k = 0; k < pr->nunmapped; k++) {
            const plat_progress_unmapped *u = &pr->unmapped[k];
            int here = by_county ? u->county && strcmp(u->county, rw->name) == 0
                                 : strcmp(u->precision, "township") == 0 && u->place && strcmp(u->place, rw->code) == 0;
            if (here)
                json_object_array_add(codes, json_object_new_string(u->code));
        }
        json_object_object_add(r, "unmapped_targets", codes);
        json_object_array_add(rows, r);
    }
    json_object_object_add(o, by_county ? "counties" : "townships", rows);
    json_object *t = json_object_new_object();
    add_sums(t, &pr->totals.sum);
    json_object_object_add(o, "totals", t);
    json_object *out = json_object_new_object();
    add_sums(out, &pr->outside.sum);
    json_object_object_add(out, "projects", items_json(&pr->outside));
    json_object_object_add(o, "outside", out);
    json_object *un = json_object_new_array();
    for (int i = 0; i < pr->nunmapped; i++) {
        const plat_progress_unmapped *u = &pr->unmapped[i];
        json_object *x = json_object_new_object();
        json_object_object_add(x, "code", json_object_new_string(u->code));
        json_object_object_add(x, "name", json_object_new_string(u->name));
        json_object_object_add(x, "category", json_object_new_string(u->category));
        json_object_object_add(x, "precision", json_object_new_string(u->precision));
        json_object_object_add(x, "place", str_or_null(u->place));
        json_object_object_add(x, "place_name", str_or_null(u->place_name));
        json_object_object_add(x, "county", str_or_null(u->county));
        json_object *tg = NULL;
        if (u->has_target) {
            tg = json_object_new_object();
            json_object_object_add(tg, "qty", cli_json_number(u->target_qty, 6));
            json_object_object_add(tg, "unit", str_or_null(u->target_unit));
        }
        json_object_object_add(x, "target", tg);
        json_object_object_add(x, "done", u->has_done ? cli_json_number(u->done, 6) : NULL);
        json_object_object_add(x, "progress", cli_json_number(u->progress, 3));
        json_object_array_add(un, x);
    }
    json_object_object_add(o, "unmapped", un);
    cli_json_print(o);
    json_object_put(o);
}

static void fmt(char *buf, size_t n, double v, int digits)
{
    plat_format_double(buf, n, v, digits);
}

static void print_csv(const plat_progress *pr)
{
    static const char *const heads[] = {"code",       "name",       "county",           "project", "project_name",
                                        "category",   "done_basis", "planned_km",       "done_km", "done_km_in_period",
                                        "planned_mu", "done_mu",    "done_mu_in_period"};
    cli_csv_row(stdout, 13, heads);
    for (int i = 0; i <= pr->nrows; i++) {
        const plat_progress_row *rw = i < pr->nrows ? &pr->rows[i] : &pr->outside;
        for (int k = 0; k < rw->nitems; k++) {
            const plat_progress_item *it = &rw->items[k];
            char v[6][32];
            fmt(v[0], 32, it->sum.planned_m / 1000.0, 6);
            fmt(v[1], 32, it->sum.done_m / 1000.0, 6);
            fmt(v[2], 32, it->sum.period_m / 1000.0, 6);
            fmt(v[3], 32, it->sum.planned_m2 / PLAT_M2_PER_MU, 3);
            fmt(v[4], 32, it->sum.done_m2 / PLAT_M2_PER_MU, 3);
            fmt(v[5], 32, it->sum.period_m2 / PLAT_M2_PER_MU, 3);
            const char *row[] = {i < pr->nrows ? rw->code : "outside",
                                 i < pr->nrows ? rw->name : "",
                                 i < pr->nrows ? rw->county : "",
                                 it->code,
                                 it->name,
                                 it->category,
                                 it->basis,
                                 v[0],
                                 v[1],
                                 v[2],
                                 v[3],
                                 v[4],
                                 v[5]};
            cli_csv_row(stdout, 13, row);
        }
    }
}

static void print_table(plat_cli *cli, const plat_progress *pr, int by_county)
{
    static const char *const heads[] = {"乡镇",   "县",     "计划km", "完成km", "期内km",
                                        "计划亩", "完成亩", "期内亩", "依据"};
    const char *h[9];
    memcpy(h, heads, sizeof h);
    if (by_county)
        h[0] = "县", h[1] = "代码";
    cli_table *t = cli_table_new(9, h);
    for (int c = 2; c < 8; c++)
        cli_table_align_right(t, c);
    for (int i = 0; i <= pr->nrows; i++) {
        const plat_progress_row *rw = i < pr->nrows ? &pr->rows[i] : &pr->totals;
        char v[6][32], basis[64] = "";
        fmt(v[0], 32, rw->sum.planned_m / 1000.0, 3);
        fmt(v[1], 32, rw->sum.done_m / 1000.0, 3);
        fmt(v[2], 32, rw->sum.period_m / 1000.0, 3);
        fmt(v[3], 32, rw->sum.planned_m2 / PLAT_M2_PER_MU, 1);
        fmt(v[4], 32, rw->sum.done_m2 / PLAT_M2_PER_MU, 1);
        fmt(v[5], 32, rw->sum.period_m2 / PLAT_M2_PER_MU, 1);
        static const char *const bases[][2] = {{"geometry", "几何"}, {"quantity", "数量"}, {"progress", "进度"}};
        for (int b = 0; b < 3; b++)
            for (int k = 0; k < rw->nitems; k++)
                if (strcmp(rw->items[k].basis, bases[b][0]) == 0) {
                    strcat(strcat(basis, basis[0] ? "/" : ""), bases[b][1]);
                    break;
                }
        const char *row[] = {i < pr->nrows ? rw->name : "合计",
                             i < pr->nrows ? (by_county ? rw->code : rw->county) : "",
                             v[0],
                             v[1],
                             v[2],
                             v[3],
                             v[4],
                             v[5],
                             basis};
        cli_table_row(t, row);
    }
    printf("截至 %s%s%s%s%s\n", pr->as_of, pr->from[0] ? "，期内自 " : "", pr->from,
           pr->as_recorded[0] ? "，按当日记录 " : "", pr->as_recorded);
    cli_table_print(t, stdout);
    cli_table_free(t);
    if (pr->outside.nitems)
        cli_note(cli, "%d project%s partly outside every township (see --json \"outside\")", pr->outside.nitems,
                 pr->outside.nitems == 1 ? "" : "s");
    if (!pr->nunmapped)
        return;
    static const char *const uh[] = {"编号", "名称", "定位", "地点", "目标", "完成量", "进度"};
    cli_table *u = cli_table_new(7, uh);
    for (int i = 0; i < pr->nunmapped; i++) {
        const plat_progress_unmapped *x = &pr->unmapped[i];
        char target[64] = "", done[32] = "", prog[32];
        if (x->has_target) {
            fmt(target, sizeof target, x->target_qty, 4);
            strcat(strcat(target, " "), x->target_unit ? x->target_unit : "");
        }
        if (x->has_done)
            fmt(done, sizeof done, x->done, 4);
        strcat(plat_format_double(prog, sizeof prog, x->progress, 1), "%");
        const char *row[] = {x->code, x->name, x->precision, x->place_name ? x->place_name : (x->place ? x->place : ""),
                             target,  done,    prog};
        cli_table_row(u, row);
    }
    printf("\n未上图（只知乡镇或县、或无几何）的目标，不计入上表:\n");
    cli_table_print(u, stdout);
    cli_table_free(u);
}

int cmd_progress(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "progress", "",
                       "Work done per township (or county): planned and finished km of project lines and 亩 of\n"
                       "project polygons, and what was finished within --from .. --to. Finished sections\n"
                       "drawn with `project update --done-geom` are clipped to townships; where only a quantity\n"
                       "(--done) or a percentage (--progress) is known it is spread along the project's geometry\n"
                       "in proportion (done_basis says which). Township- and county-level targets are listed\n"
                       "apart, never added into the km or 亩.",
                       opts, 0, 0, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    plat_progress_options o = PLAT_PROGRESS_OPTIONS_INIT;
    plat_progress *pr = NULL;
    char category[64];
    const char *v, *as_of = cli_value(&a, "as-of");
    if ((v = cli_value(&a, "by")) && strcmp(v, "township") != 0 && strcmp(v, "county") != 0) {
        rc = cli_usage_error(&a, "--by takes township or county, not '%s'", v);
        goto done;
    }
    o.by_county = v && strcmp(v, "county") == 0;
    o.planar = cli_flag(&a, "planar");
    o.from = cli_value(&a, "from");
    o.to = cli_value(&a, "to");
    o.as_recorded = cli_value(&a, "as-recorded");
    if (as_of && !plat_date_valid(as_of)) {
        plat_error_set(cli->ctx, PLAT_EINVALID, "--as-of must be a date YYYY-MM-DD, got '%s'", as_of);
        goto fail;
    }
    if (as_of && o.to && strcmp(as_of, o.to) != 0) {
        rc = cli_usage_error(&a, "--as-of and --to name the same day (the end of the period); give one");
        goto done;
    }
    if (!o.to)
        o.to = as_of;
    if (cli_open(cli, PLAT_OPEN_READ) < 0)
        goto fail;
    if ((v = cli_value(&a, "category"))) {
        if (plat_category_resolve(cli->db, category, sizeof category, v) < 0)
            goto fail;
        o.category = category;
    }
    if (plat_progress_compute(cli->db, &pr, &o) < 0)
        goto fail;
    if (cli_flag(&a, "json"))
        print_json(pr, o.by_county);
    else if (cli_flag(&a, "csv"))
        print_csv(pr);
    else
        print_table(cli, pr, o.by_county);
    plat_progress_free(pr);
    goto done;
fail:
    rc = cli_fail(cli);
done:
    cli_args_dispose(&a);
    return rc;
}

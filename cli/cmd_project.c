/* cli/cmd_project.c - `plat project add | list | show | update | rm`.
 *
 * Each subcommand parses, makes its library calls inside one transaction when it writes, and
 * prints. A project's row as printed (table, CSV, JSON) is built in one place, project_json /
 * project_cells, so `list` and `show` can never disagree about what a project is. */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

/* ---- parsing values given on the command line ---- */

static int parse_progress(plat_cli *cli, const char *s, double *out)
{
    if (plat_parse_double(s, out) < 0 || *out < 0 || *out > 100)
        return plat_error_set(cli->ctx, PLAT_EINVALID, "--progress must be a number from 0 to 100, got '%s'", s);
    return 0;
}

static int parse_number(plat_cli *cli, const char *opt, const char *s, double *out)
{
    if (plat_parse_double(s, out) < 0)
        return plat_error_set(cli->ctx, PLAT_EINVALID, "--%s must be a number, got '%s'", opt, s);
    return 0;
}

/* --expect-version N: the version `project show` printed (a positive event number). */
static int parse_version(plat_cli *cli, const char *s, int64_t *out)
{
    double v;
    if (plat_parse_double(s, &v) < 0 || v < 1 || v > 9e15 || v != (double)(int64_t)v)
        return plat_error_set(cli->ctx, PLAT_EINVALID,
                              "--expect-version takes the version `plat project show` printed, got '%s'", s);
    *out = (int64_t)v;
    return 0;
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

/* ---- where a project lies, as the ledger keeps it (layers/place.c) ---- */

typedef struct placed {
    int kinds;
    plat_quantity total;
    int n;
    struct {
        char *code, *name, *county;
        plat_quantity q;
    } v[64]; /* a project in more than 64 townships lists the first 64 */
} placed;

static int add_place(const plat_place_row *r, void *ud)
{
    placed *pl = ud;
    if (pl->n == (int)(sizeof(pl->v) / sizeof(pl->v[0])))
        return 0;
    pl->v[pl->n].code = plat_strdup(r->code);
    pl->v[pl->n].name = plat_strdup(r->name);
    pl->v[pl->n].county = plat_strdup(r->county);
    pl->v[pl->n].q = r->q;
    pl->n++;
    return 0;
}

/* Where p lies: as the ledger keeps it, or for a project read at an earlier moment (whose
 * geometry may differ from today's), placed afresh by loc. */
static int load_placed(plat_cli *cli, placed *pl, const plat_project *p, int planar, plat_locator *loc)
{
    memset(pl, 0, sizeof(*pl));
    pl->kinds = p->wkb ? p->kinds : 0;
    pl->total = planar ? p->measured_planar : p->measured;
    if (!p->wkb)
        return 0;
    if (!loc)
        return plat_project_places(cli->db, p->id, planar, add_place, pl);
    plat_placement where;
    int rc = plat_locator_place(loc, &where, p->wkb, p->wkb_size, 1);
    for (int i = 0; rc >= 0 && i < where.n; i++) {
        plat_place_row r = { where.places[i].code, where.places[i].name, where.places[i].county, where.places[i].q };
        add_place(&r, pl);
    }
    plat_placement_dispose(&where);
    return rc;
}

/* --as-of / --as-recorded of list, show: both dates or NULL. */
static int read_cut(plat_cli *cli, cli_args *a, const char **as_of, const char **as_recorded)
{
    *as_of = cli_value(a, "as-of");
    *as_recorded = cli_value(a, "as-recorded");
    if (*as_of && !plat_date_valid(*as_of))
        return plat_error_set(cli->ctx, PLAT_EINVALID, "--as-of must be a date YYYY-MM-DD, got '%s'", *as_of);
    if (*as_recorded && !plat_date_valid(*as_recorded))
        return plat_error_set(cli->ctx, PLAT_EINVALID, "--as-recorded must be a date YYYY-MM-DD, got '%s'",
                              *as_recorded);
    return 0;
}

static void placed_dispose(placed *pl)
{
    for (int i = 0; i < pl->n; i++) {
        free(pl->v[i].code);
        free(pl->v[i].name);
        free(pl->v[i].county);
    }
    pl->n = 0;
}

/* ---- one project as JSON, table cells, CSV ---- */

static json_object *json_str(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *project_json(plat_cli *cli, const plat_project *p, const placed *pl)
{
    char label[64];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "code", json_str(p->code));
    json_object_object_add(o, "version", json_object_new_int64(p->version));
    json_object_object_add(o, "name", json_str(p->name));
    json_object_object_add(o, "category", json_str(p->category));
    json_object_object_add(o, "category_label", json_str(plat_category_label(cli->db, label, sizeof label, p->category)));
    json_object_object_add(o, "county", json_str(p->county));
    json_object_object_add(o, "status", json_str(p->status));
    json_object_object_add(o, "status_label", json_str(plat_status_label(p->status)));
    json_object_object_add(o, "progress", cli_json_number(p->progress, 3));
    json_object_object_add(o, "done", p->has_done ? cli_json_number(p->done, 6) : NULL);
    json_object_object_add(o, "precision", json_str(p->precision));
    json_object_object_add(o, "place", json_str(p->place));
    json_object_object_add(o, "done_geometry", json_object_new_boolean(p->done_wkb != NULL));
    json_object *towns = json_object_new_array();
    for (int i = 0; i < pl->n; i++)
        json_object_array_add(towns, json_object_new_string(pl->v[i].name));
    json_object_object_add(o, "townships", towns);
    json_object *target = NULL;
    if (p->has_target) {
        target = json_object_new_object();
        json_object_object_add(target, "qty", cli_json_number(p->target_qty, 6));
        json_object_object_add(target, "unit", json_str(p->target_unit));
    }
    json_object_object_add(o, "target", target);
    json_object_object_add(o, "measured", cli_json_quantity(&pl->total, pl->kinds));
    json_object_object_add(o, "lead_unit", json_str(p->lead_unit));
    json_object_object_add(o, "source_doc", json_str(p->source_doc));
    json_object_object_add(o, "clause", json_str(p->clause));
    json_object_object_add(o, "year", p->year ? json_object_new_int(p->year) : NULL);
    json_object_object_add(o, "investment", p->has_investment ? cli_json_number(p->investment, 4) : NULL);
    json_object_object_add(o, "start_date", json_str(p->start_date));
    json_object_object_add(o, "end_date", json_str(p->end_date));
    json_object_object_add(o, "attrs", p->attrs ? json_tokener_parse(p->attrs) : NULL);
    return o;
}

static void format_target(char *buf, size_t n, const plat_project *p)
{
    char q[32];
    if (p->has_target)
        snprintf(buf, n, "%s %s", plat_format_double(q, sizeof q, p->target_qty, 4), p->target_unit ? p->target_unit : "");
    else
        buf[0] = '\0';
}

static char *join_townships(const placed *pl, const char *sep)
{
    plat_buf b = PLAT_BUF_INIT;
    for (int i = 0; i < pl->n; i++)
        plat_buf_printf(&b, "%s%s", i ? sep : "", pl->v[i].name);
    return plat_buf_detach(&b);
}

/* ---- add ---- */

static const cli_opt add_opts[] = {
    { "code", 0, CLI_VALUE, "CODE", "unique project code (项目编号), required" },
    { "name", 0, CLI_VALUE, "NAME", "project name (项目名称), required" },
    { "category", 0, CLI_VALUE, "CAT", "category code or Chinese label (highway, 公路, farmland ...), required" },
    { "county", 0, CLI_VALUE, "NAME", "county (default: from the townships the geometry lies in)" },
    { "status", 0, CLI_VALUE, "S", "planned|under_construction|completed|suspended or 计划/在建/已完工/暂停" },
    { "progress", 0, CLI_VALUE, "P", "progress in percent, 0-100 (default 0)" },
    { "target", 0, CLI_VALUE, "QTY", "declared target: 21km, 20.8万亩, 4berth, 100MW ..." },
    { "lead-unit", 0, CLI_VALUE, "TEXT", "lead unit (牵头单位)" },
    { "source-doc", 0, CLI_VALUE, "TEXT", "the plan document the project comes from" },
    { "clause", 0, CLI_VALUE, "TEXT", "the clause of the plan" },
    { "year", 0, CLI_VALUE, "YYYY", "plan year" },
    { "investment", 0, CLI_VALUE, "WAN", "investment in 万元" },
    { "start", 0, CLI_VALUE, "DATE", "start date YYYY-MM-DD" },
    { "end", 0, CLI_VALUE, "DATE", "planned end date YYYY-MM-DD" },
    { "geom", 0, CLI_VALUE, "WKT|@FILE", "geometry as WKT or GeoJSON, inline or @file" },
    { "s-srs", 0, CLI_VALUE, "SRS", "CRS of --geom (default EPSG:4490 lon/lat; GCJ02, BD09 accepted)" },
    { "strict", 0, CLI_FLAG, NULL, "refuse an invalid geometry instead of repairing it" },
    { "precision", 0, CLI_VALUE, "P",
      "how well its place is known: surveyed, sketched (default with --geom), township (with --township), "
      "county (with --county, a county-wide target), none (default without)" },
    { "township", 0, CLI_VALUE, "T", "the township (name or code) a township-level project is known by" },
    { "date", 0, CLI_VALUE, "DATE", "the day the entry is true for (default today)" },
    { "note", 0, CLI_VALUE, "TEXT", "a note for the history" },
    { NULL, 0, 0, NULL, NULL },
};

/* The county the geometry lies in, when all the townships it touches agree. */
static char *county_of(plat_cli *cli, const unsigned char *wkb, size_t size)
{
    plat_locator *loc = NULL;
    plat_placement pl;
    char *county = NULL;
    if (plat_locator_new(cli->db, &loc, 0) < 0)
        return NULL;
    if (plat_locator_place(loc, &pl, wkb, size, 0) >= 0) {
        for (int i = 0; i < pl.n; i++) {
            const char *c = pl.places[i].county;
            if (!c || (county && strcmp(county, c) != 0)) {
                free(county);
                county = NULL;
                break;
            }
            if (!county)
                county = plat_strdup(c);
        }
        plat_placement_dispose(&pl);
    }
    plat_locator_free(loc);
    plat_error_clear(cli->ctx);
    return county;
}

static int project_add(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "project add", "", "Add a project to the ledger.", add_opts, 0, 0, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    if (!cli_value(&a, "code") || !cli_value(&a, "name") || !cli_value(&a, "category")) {
        rc = cli_usage_error(&a, "--code, --name and --category are required");
        cli_args_dispose(&a);
        return rc;
    }
    plat_project p = { 0 };
    char category[64], unit[64];
    const char *s;
    double v;
    p.code = (char *)cli_value(&a, "code");
    p.name = (char *)cli_value(&a, "name");
    p.county = (char *)cli_value(&a, "county");
    p.lead_unit = (char *)cli_value(&a, "lead-unit");
    p.source_doc = (char *)cli_value(&a, "source-doc");
    p.clause = (char *)cli_value(&a, "clause");
    p.start_date = (char *)cli_value(&a, "start");
    p.end_date = (char *)cli_value(&a, "end");
    char *derived_county = NULL;
    unsigned char *wkb = NULL;
    size_t wkb_size = 0;

    if (cli_open(cli, PLAT_OPEN_WRITE) < 0)
        goto fail;
    if (plat_category_resolve(cli->db, category, sizeof category, cli_value(&a, "category")) < 0)
        goto fail;
    p.category = category;
    if ((s = cli_value(&a, "status")) && !(p.status = (char *)resolve_status(cli, s)))
        goto fail;
    if ((s = cli_value(&a, "progress")) && parse_progress(cli, s, &p.progress) < 0)
        goto fail;
    if ((s = cli_value(&a, "target"))) {
        if (plat_target_parse(cli->ctx, &p.target_qty, unit, sizeof unit, s) < 0)
            goto fail;
        p.has_target = 1;
        p.target_unit = unit;
    }
    if ((s = cli_value(&a, "year"))) {
        if (parse_number(cli, "year", s, &v) < 0 || v < 1949 || v > 2100 || v != (int)v) {
            plat_error_set(cli->ctx, PLAT_EINVALID, "--year must be a year such as 2024, got '%s'", s);
            goto fail;
        }
        p.year = (int)v;
    }
    if ((s = cli_value(&a, "investment"))) {
        if (parse_number(cli, "investment", s, &p.investment) < 0)
            goto fail;
        p.has_investment = 1;
    }
    /* Text is UTF-8 inside plat; a terminal set to GBK would hand us other bytes. */
    static const char *const text_opts[] = { "code", "name", "county", "lead-unit", "source-doc", "clause", "note" };
    for (size_t i = 0; i < sizeof(text_opts) / sizeof(text_opts[0]); i++)
        if ((s = cli_value(&a, text_opts[i])) && !plat_utf8_valid(s, strlen(s))) {
            plat_error_set(cli->ctx, PLAT_EINVALID, "--%s is not valid UTF-8 text (is the terminal set to GBK?)",
                           text_opts[i]);
            goto fail;
        }
    if (plat_store_begin(cli->db) < 0)
        goto fail;
    if ((s = cli_value(&a, "geom")) &&
        plat_geometry_import(cli->db, &wkb, &wkb_size, s, cli_value(&a, "s-srs"), cli_flag(&a, "strict")) < 0)
        goto rollback;
    p.wkb = wkb;
    p.wkb_size = wkb_size;
    if (!p.county && wkb)
        p.county = derived_county = county_of(cli, wkb, wkb_size);
    /* Placed by hand on the command line: sketched, unless the caller says it was surveyed. */
    p.place = (char *)cli_value(&a, "township");
    p.precision = (char *)cli_value(&a, "precision");
    if (!p.precision)
        p.precision = wkb ? "sketched" : p.place ? "township" : "none";
    if (p.place && strcmp(p.precision, "township") != 0) {
        plat_error_set(cli->ctx, PLAT_EINVALID, "--township goes with --precision township (a township-level project)");
        goto rollback;
    }
    if (plat_project_add(cli->db, &p, cli_value(&a, "date"), cli_value(&a, "note")) < 0)
        goto rollback;
    if (plat_store_commit(cli->db) < 0)
        goto fail;
    cli_note(cli, "added %s %s", p.code, p.name);
    goto done;
rollback:
    plat_store_rollback(cli->db, -1);
fail:
    rc = cli_fail(cli);
done:
    plat_free(wkb);
    free(derived_county);
    cli_args_dispose(&a);
    return rc;
}

/* ---- list ---- */

static const cli_opt list_opts[] = {
    { "township", 0, CLI_VALUE, "T", "only projects touching this township (name or code; a county name takes all its townships)" },
    { "county", 0, CLI_VALUE, "C", "only projects of this county" },
    { "category", 0, CLI_VALUE, "CAT", "only this category" },
    { "status", 0, CLI_VALUE, "S", "only this status" },
    { "planar", 0, CLI_FLAG, NULL, "measure in the working CRS, not on the ellipsoid" },
    { "as-of", 0, CLI_VALUE, "DATE", "the projects as they stood at the end of that day" },
    { "as-recorded", 0, CLI_VALUE, "DATE", "as the ledger said when read on that day, before later entries" },
    { "json", 0, CLI_FLAG, NULL, "print JSON" },
    { "csv", 0, CLI_FLAG, NULL, "print CSV" },
    { NULL, 0, 0, NULL, NULL },
};

typedef struct {
    plat_cli *cli;
    plat_locator *loc; /* set when reading at a cut: places the geometry of then */
    int planar;
    json_object *arr;
    cli_table *table;
    int csv;
    int count;
} list_state;

static int list_one(const plat_project *p, void *ud)
{
    list_state *s = ud;
    placed pl;
    int rc = load_placed(s->cli, &pl, p, s->planar, s->loc);
    if (rc < 0) {
        placed_dispose(&pl);
        return rc;
    }

    s->count++;
    char label[64], target[64], measured[64], progress[32];
    char *towns = join_townships(&pl, s->csv ? ";" : "、");
    plat_format_double(progress, sizeof progress, p->progress, 1);
    if (s->arr) {
        json_object_array_add(s->arr, project_json(s->cli, p, &pl));
    } else if (s->csv) {
        char tq[32] = "", km[32] = "", m2[32] = "", mu[32] = "", year[16] = "";
        if (p->has_target)
            plat_format_double(tq, sizeof tq, p->target_qty, 6);
        if (pl.kinds & PLAT_GEOM_LINE)
            plat_format_double(km, sizeof km, pl.total.length_m / 1000.0, 6);
        if (pl.kinds & PLAT_GEOM_POLYGON) {
            plat_format_double(m2, sizeof m2, pl.total.area_m2, 2);
            plat_format_double(mu, sizeof mu, pl.total.area_m2 / PLAT_M2_PER_MU, 3);
        }
        if (p->year)
            snprintf(year, sizeof year, "%d", p->year);
        const char *row[] = { p->code, p->name, p->category, plat_category_label(s->cli->db, label, sizeof label, p->category),
                              p->county, p->status, plat_status_label(p->status), progress, tq,
                              p->has_target ? p->target_unit : NULL, km, m2, mu, towns, p->lead_unit, year,
                              p->precision };
        cli_csv_row(stdout, 17, row);
    } else {
        strcat(progress, "%");
        format_target(target, sizeof target, p);
        cli_format_quantity(measured, sizeof measured, &pl.total, pl.kinds);
        const char *row[] = { p->code, p->name, plat_category_label(s->cli->db, label, sizeof label, p->category),
                              p->county, plat_status_label(p->status), progress, target, measured, towns };
        cli_table_row(s->table, row);
    }
    free(towns);
    placed_dispose(&pl);
    return 0;
}

static int project_list(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "project list", "", "List projects, with the townships they touch and their measured size.",
                       list_opts, 0, 0, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    list_state s = { cli, NULL, cli_flag(&a, "planar"), NULL, NULL, cli_flag(&a, "csv"), 0 };
    plat_project_filter f = { 0 };
    char category[64];
    const char *v;
    if (read_cut(cli, &a, &f.as_of, &f.as_recorded) < 0 || cli_open(cli, PLAT_OPEN_READ) < 0)
        goto fail;
    if ((f.as_of || f.as_recorded) && plat_locator_new(cli->db, &s.loc, s.planar) < 0)
        goto fail;
    if ((v = cli_value(&a, "category"))) {
        if (plat_category_resolve(cli->db, category, sizeof category, v) < 0)
            goto fail;
        f.category = category;
    }
    if ((v = cli_value(&a, "status")) && !(f.status = resolve_status(cli, v)))
        goto fail;
    f.county = cli_value(&a, "county");
    if ((v = cli_value(&a, "township"))) {
        if ((rc = plat_township_known(cli->db, v)) <= 0) {
            if (rc == 0)
                plat_error_set(cli->ctx, PLAT_ENOTFOUND,
                               "no township or county named '%s' in the ledger (see `plat township list`)", v);
            goto fail;
        }
        rc = 0;
        f.township = v;
    }
    static const char *const heads_zh[] = { "编号", "名称", "类别", "县", "状态", "进度", "目标", "实测", "乡镇" };
    static const char *const heads_csv[] = { "code", "name", "category", "category_label", "county", "status",
                                             "status_label", "progress", "target_qty", "target_unit", "measured_km",
                                             "measured_m2", "measured_mu", "townships", "lead_unit", "year",
                                             "precision" };
    if (cli_flag(&a, "json"))
        s.arr = json_object_new_array();
    else if (s.csv)
        cli_csv_row(stdout, 17, heads_csv);
    else {
        s.table = cli_table_new(9, heads_zh);
        cli_table_align_right(s.table, 5);
    }
    if (plat_project_foreach(cli->db, &f, list_one, &s) < 0) {
        json_object_put(s.arr);
        cli_table_free(s.table);
        goto fail;
    }
    if (s.arr)
        cli_json_print(s.arr);
    else if (s.table) {
        cli_table_print(s.table, stdout);
        cli_note(cli, "%d project%s", s.count, s.count == 1 ? "" : "s");
    }
    json_object_put(s.arr);
    cli_table_free(s.table);
    goto done;
fail:
    rc = cli_fail(cli);
done:
    plat_locator_free(s.loc);
    cli_args_dispose(&a);
    return rc;
}

/* ---- show ---- */

static const cli_opt show_opts[] = {
    { "planar", 0, CLI_FLAG, NULL, "measure in the working CRS, not on the ellipsoid" },
    { "as-of", 0, CLI_VALUE, "DATE", "the project as it stood at the end of that day (history up to it)" },
    { "as-recorded", 0, CLI_VALUE, "DATE", "as the ledger said when read on that day, before later entries" },
    { "json", 0, CLI_FLAG, NULL, "print JSON" },
    { NULL, 0, 0, NULL, NULL },
};

/* The history as shown: with --as-of / --as-recorded only the events visible then. */
typedef struct history {
    const char *as_of, *as_recorded;
    void *out; /* json array or table */
} history;

static int visible(const history *h, const plat_event *e)
{
    return (!h->as_of || strcmp(e->date, h->as_of) <= 0) &&
           (!h->as_recorded || strncmp(e->recorded_at, h->as_recorded, 10) <= 0);
}

static int history_json(const plat_event *e, void *ud)
{
    history *h = ud;
    if (!visible(h, e))
        return 0;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(e->id));
    json_object_object_add(o, "date", json_object_new_string(e->date));
    json_object_object_add(o, "kind", json_object_new_string(e->kind));
    json_object_object_add(o, "status", json_str(e->status));
    json_object_object_add(o, "progress", e->has_progress ? cli_json_number(e->progress, 3) : NULL);
    json_object_object_add(o, "done", e->has_done ? cli_json_number(e->done, 6) : NULL);
    json_object_object_add(o, "note", json_str(e->note));
    json_object_object_add(o, "geometry_changed", json_object_new_boolean(e->geometry_changed));
    json_object_object_add(o, "recorded_at", json_object_new_string(e->recorded_at));
    json_object_object_add(o, "done_geometry", json_object_new_boolean(e->done_geometry));
    json_object_object_add(o, "description_changed", json_object_new_boolean(e->description_changed));
    json_object_object_add(o, "precision", json_str(e->precision));
    json_object_object_add(o, "corrects", e->corrects ? json_object_new_int64(e->corrects) : NULL);
    json_object_object_add(o, "corrected", json_object_new_boolean(e->corrected));
    json_object_object_add(o, "hash", json_str(e->hash));
    json_object_array_add(h->out, o);
    return 0;
}

static int history_row(const plat_event *e, void *ud)
{
    history *hs = ud;
    if (!visible(hs, e))
        return 0;
    char progress[32] = "", done[32] = "", id[24];
    if (e->has_progress)
        strcat(plat_format_double(progress, sizeof progress, e->progress, 1), "%");
    if (e->has_done)
        plat_format_double(done, sizeof done, e->done, 4);
    if (e->done_geometry)
        strcat(done, done[0] ? " +几何" : "几何");
    const char *kind = strcmp(e->kind, "add") == 0      ? "登记"
                       : strcmp(e->kind, "remove") == 0 ? "删除"
                       : strcmp(e->kind, "correct") == 0 ? "更正"
                                                         : "更新";
    char what[48];
    snprintf(what, sizeof what, "%s%s", kind, e->corrected ? "（已更正）" : "");
    if (e->corrects)
        snprintf(what, sizeof what, "更正#%lld", (long long)e->corrects);
    snprintf(id, sizeof id, "%lld", (long long)e->id);
    const char *row[] = { id, e->date, what, e->status ? plat_status_label(e->status) : "", progress, done,
                          !e->geometry_changed ? "" : strcmp(e->kind, "add") == 0 ? "已登记" : "已更新", e->note };
    cli_table_row(hs->out, row);
    return 0;
}

/* Coordinates to 9 decimals (0.1 mm): 28.7 prints as 28.7, not 28.69999999999999. */
static void round_coordinates(json_object *o)
{
    if (json_object_is_type(o, json_type_object)) {
        round_coordinates(json_object_object_get(o, "coordinates"));
        round_coordinates(json_object_object_get(o, "geometries"));
    } else if (json_object_is_type(o, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(o); i++) {
            json_object *e = json_object_array_get_idx(o, i);
            if (json_object_is_type(e, json_type_double))
                json_object_array_put_idx(o, i, cli_json_number(json_object_get_double(e), 9));
            else
                round_coordinates(e);
        }
    }
}

/* The project's geometry back in CGCS2000 longitude/latitude, as a GeoJSON object. */
static json_object *geometry_lonlat(plat_cli *cli, const plat_project *p)
{
    if (!p->wkb)
        return NULL;
    GEOSContextHandle_t h = plat_gis_geos(cli->ctx);
    GEOSGeometry *g = NULL, *geo = NULL;
    plat_transform *tr = NULL;
    json_object *out = NULL;
    char src[32];
    snprintf(src, sizeof src, "EPSG:%d", plat_store_srid(cli->db));
    if (plat_geom_from_wkb(cli->ctx, &g, p->wkb, p->wkb_size) >= 0 &&
        plat_transform_new(cli->ctx, &tr, src, PLAT_EPSG_CGCS2000) >= 0 && plat_transform_geom(tr, &geo, g) >= 0) {
        GEOSGeoJSONWriter *w = GEOSGeoJSONWriter_create_r(h);
        char *text = w ? GEOSGeoJSONWriter_writeGeometry_r(h, w, geo, -1) : NULL;
        if (text && (out = json_tokener_parse(text)))
            round_coordinates(out);
        GEOSFree_r(h, text);
        GEOSGeoJSONWriter_destroy_r(h, w);
    }
    GEOSGeom_destroy_r(h, g);
    GEOSGeom_destroy_r(h, geo);
    plat_transform_free(tr);
    return out;
}

static int project_show(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "project show", "CODE",
                       "Show one project: its attributes, the townships it touches with the length or area\n"
                       "inside each, and its history.", show_opts, 1, 1, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    plat_project p = { 0 };
    placed pl = { 0 };
    plat_locator *loc = NULL;
    history hist_state = { 0 };
    if (read_cut(cli, &a, &hist_state.as_of, &hist_state.as_recorded) < 0 || cli_open(cli, PLAT_OPEN_READ) < 0 ||
        plat_project_get_at(cli->db, &p, a.pos[0], hist_state.as_of, hist_state.as_recorded) < 0 ||
        ((hist_state.as_of || hist_state.as_recorded) && plat_locator_new(cli->db, &loc, cli_flag(&a, "planar")) < 0) ||
        load_placed(cli, &pl, &p, cli_flag(&a, "planar"), loc) < 0) {
        rc = cli_fail(cli);
        goto done;
    }
    if (cli_flag(&a, "json")) {
        json_object *o = project_json(cli, &p, &pl);
        json_object *places = json_object_new_array();
        for (int i = 0; i < pl.n; i++) {
            json_object *t = cli_json_quantity(&pl.v[i].q, pl.kinds);
            json_object_object_add(t, "code", json_str(pl.v[i].code));
            json_object_object_add(t, "name", json_str(pl.v[i].name));
            json_object_object_add(t, "county", json_str(pl.v[i].county));
            json_object_array_add(places, t);
        }
        json_object_object_add(o, "places", places);
        json_object_object_add(o, "crs", json_object_new_string("EPSG:4490"));
        json_object_object_add(o, "geometry", geometry_lonlat(cli, &p));
        json_object *hist = json_object_new_array();
        json_object_object_add(o, "history", hist);
        json_object_object_add(o, "as_of", json_str(hist_state.as_of));
        json_object_object_add(o, "as_recorded", json_str(hist_state.as_recorded));
        hist_state.out = hist;
        if (plat_project_history(cli->db, p.code, history_json, &hist_state) < 0) {
            json_object_put(o);
            rc = cli_fail(cli);
            goto done;
        }
        cli_json_print(o);
        json_object_put(o);
        goto done;
    }
    char label[64], target[64], measured[64], buf[64];
    printf("%s  %s\n", p.code, p.name);
    printf("  类别  %s (%s)\n", plat_category_label(cli->db, label, sizeof label, p.category), p.category);
    printf("  县    %s\n", p.county ? p.county : "");
    printf("  状态  %s  进度 %s%%\n", plat_status_label(p.status), plat_format_double(buf, sizeof buf, p.progress, 1));
    printf("  版本  %lld\n", (long long)p.version);
    printf("  定位  %s%s%s\n", p.precision ? p.precision : "", p.place ? " " : "", p.place ? p.place : "");
    if (hist_state.as_of || hist_state.as_recorded)
        printf("  时点  %s%s%s%s\n", hist_state.as_of ? "截至 " : "", hist_state.as_of ? hist_state.as_of : "",
               hist_state.as_recorded ? " 按当日记录 " : "", hist_state.as_recorded ? hist_state.as_recorded : "");
    format_target(target, sizeof target, &p);
    cli_format_quantity(measured, sizeof measured, &pl.total, pl.kinds);
    printf("  目标  %s\n  实测  %s\n", target, measured);
    if (p.lead_unit)
        printf("  牵头单位  %s\n", p.lead_unit);
    if (p.source_doc || p.clause)
        printf("  出处  %s %s\n", p.source_doc ? p.source_doc : "", p.clause ? p.clause : "");
    if (p.year)
        printf("  年度  %d\n", p.year);
    if (p.has_investment)
        printf("  投资  %s 万元\n", plat_format_double(buf, sizeof buf, p.investment, 2));
    if (pl.n) {
        static const char *const heads[] = { "乡镇", "代码", "县", "实测" };
        cli_table *t = cli_table_new(4, heads);
        cli_table_align_right(t, 3);
        for (int i = 0; i < pl.n; i++) {
            cli_format_quantity(measured, sizeof measured, &pl.v[i].q, pl.kinds);
            const char *row[] = { pl.v[i].name, pl.v[i].code, pl.v[i].county, measured };
            cli_table_row(t, row);
        }
        printf("\n");
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
    static const char *const hheads[] = { "#", "日期", "事项", "状态", "进度", "完成量", "几何", "备注" };
    cli_table *h = cli_table_new(8, hheads);
    hist_state.out = h;
    if (plat_project_history(cli->db, p.code, history_row, &hist_state) < 0) {
        cli_table_free(h);
        rc = cli_fail(cli);
        goto done;
    }
    printf("\n");
    cli_table_print(h, stdout);
    cli_table_free(h);
done:
    placed_dispose(&pl);
    plat_project_dispose(&p);
    plat_locator_free(loc);
    cli_args_dispose(&a);
    return rc;
}

/* ---- update ---- */

static const cli_opt update_opts[] = {
    { "status", 0, CLI_VALUE, "S", "new status (planned, under_construction, completed, suspended or 计划/在建/已完工/暂停)" },
    { "progress", 0, CLI_VALUE, "P", "progress in percent, 0-100" },
    { "done", 0, CLI_VALUE, "QTY", "quantity done so far, in the target's unit (e.g. 12.5 for 12.5 km)" },
    { "note", 0, CLI_VALUE, "TEXT", "a note for the history" },
    { "date", 0, CLI_VALUE, "DATE", "the day the update is true for, YYYY-MM-DD (default today)" },
    { "geom", 0, CLI_VALUE, "WKT|@FILE", "new geometry as WKT or GeoJSON, inline or @file" },
    { "precision", 0, CLI_VALUE, "P", "with --geom: surveyed or sketched (default: as before, else sketched)" },
    { "done-geom", 0, CLI_VALUE, "WKT|@FILE", "the finished section(s) so far, as WKT or GeoJSON, inline or @file" },
    { "s-srs", 0, CLI_VALUE, "SRS", "CRS of --geom and --done-geom (default EPSG:4490 lon/lat)" },
    { "strict", 0, CLI_FLAG, NULL, "refuse an invalid geometry instead of repairing it" },
    { "corrects", 0, CLI_VALUE, "EVENT", "correct event EVENT of the history (its # in `project show`): what is not "
                                         "given here, and the date, stay as it said" },
    { "expect-version", 0, CLI_VALUE, "N", "refuse the update if the project has changed since version N (as "
                                           "`project show` printed it) was read" },
    { NULL, 0, 0, NULL, NULL },
};

/* --done QTY[UNIT] in the project's target unit: a unit of the same kind is converted
 * (--done 12500m for a km target), another kind is refused. */
static int done_in_target_unit(plat_cli *cli, const char *code, const char *text, double *out)
{
    const char *end;
    if (plat_parse_double_prefix(text, out, &end) < 0 || *out < 0)
        return plat_error_set(cli->ctx, PLAT_EINVALID, "--done must be a quantity of at least 0, got '%s'", text);
    while (*end == ' ')
        end++;
    if (!*end)
        return 0;
    char unit[64];
    double qty;
    plat_project p = { 0 };
    int rc = plat_target_parse(cli->ctx, &qty, unit, sizeof unit, text);
    if (rc >= 0)
        rc = plat_project_get(cli->db, &p, code);
    if (rc >= 0) {
        plat_unit u = plat_unit_lookup(unit), t = plat_unit_lookup(p.has_target ? p.target_unit : NULL);
        if (!p.has_target)
            rc = plat_error_set(cli->ctx, PLAT_EINVALID,
                                "project %s has no target, so --done cannot be in %s; give a bare number or set "
                                "a target",
                                code, unit);
        else if (strcmp(u.code, t.code) == 0)
            *out = qty;
        else if (u.kind == t.kind && u.kind != PLAT_UNIT_OTHER && t.factor > 0)
            *out = qty * u.factor / t.factor;
        else
            rc = plat_error_set(cli->ctx, PLAT_EINVALID, "--done %s: project %s's target is in %s, not %s", text, code,
                                p.target_unit, unit);
    }
    plat_project_dispose(&p);
    return rc;
}

static int project_update(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "project update", "CODE", "Record progress on a project; every update is kept in its history.",
                       update_opts, 1, 1, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    plat_project_change c = { 0 };
    unsigned char *wkb = NULL, *done_wkb = NULL;
    const char *s;
    c.note = cli_value(&a, "note");
    c.date = cli_value(&a, "date");
    if ((s = cli_value(&a, "status")) && !(c.status = resolve_status(cli, s)))
        goto fail;
    if ((s = cli_value(&a, "progress"))) {
        if (parse_progress(cli, s, &c.progress) < 0)
            goto fail;
        c.has_progress = 1;
    }
    if ((s = cli_value(&a, "corrects"))) {
        double id;
        if (plat_parse_double(s, &id) < 0 || id < 1 || id != (double)(int64_t)id) {
            plat_error_set(cli->ctx, PLAT_EINVALID,
                           "--corrects takes an event number (# in `plat project show`), got '%s'", s);
            goto fail;
        }
        c.corrects = (int64_t)id;
    }
    if ((s = cli_value(&a, "expect-version")) && parse_version(cli, s, &c.expect_version) < 0)
        goto fail;
    c.precision = cli_value(&a, "precision");
    if (cli_open(cli, PLAT_OPEN_WRITE) < 0 || plat_store_begin(cli->db) < 0)
        goto fail;
    if ((s = cli_value(&a, "done"))) {
        if (done_in_target_unit(cli, a.pos[0], s, &c.done) < 0)
            goto rollback;
        c.has_done = 1;
    }
    if ((s = cli_value(&a, "geom")) &&
        plat_geometry_import(cli->db, &wkb, &c.wkb_size, s, cli_value(&a, "s-srs"), cli_flag(&a, "strict")) < 0)
        goto rollback;
    c.wkb = wkb;
    if ((s = cli_value(&a, "done-geom")) && plat_geometry_import(cli->db, &done_wkb, &c.done_wkb_size, s,
                                                                  cli_value(&a, "s-srs"), cli_flag(&a, "strict")) < 0)
        goto rollback;
    c.done_wkb = done_wkb;
    if (plat_project_update(cli->db, a.pos[0], &c) < 0)
        goto rollback;
    /* The new version, read before the commit so no other writer's can be mistaken for it: the
     * --expect-version of this editor's next edit. */
    plat_project now = { 0 };
    if (plat_project_get(cli->db, &now, a.pos[0]) < 0)
        goto rollback;
    int64_t version = now.version;
    plat_project_dispose(&now);
    if (plat_store_commit(cli->db) < 0)
        goto fail;
    cli_note(cli, "updated %s, now at version %lld", a.pos[0], (long long)version);
    goto done;
rollback:
    plat_store_rollback(cli->db, -1);
fail:
    rc = cli_fail(cli);
done:
    plat_free(wkb);
    plat_free(done_wkb);
    cli_args_dispose(&a);
    return rc;
}

/* ---- rm ---- */

static const cli_opt rm_opts[] = {
    { "note", 0, CLI_VALUE, "TEXT", "why it is removed, kept in the history" },
    { "date", 0, CLI_VALUE, "DATE", "the day the removal is true for (default today)" },
    { "expect-version", 0, CLI_VALUE, "N", "refuse the removal if the project has changed since version N (as "
                                           "`project show` printed it) was read" },
    { NULL, 0, 0, NULL, NULL },
};

static int project_rm(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "project rm", "CODE",
                       "Remove a project from the ledger. Its history is kept and its code stays taken.", rm_opts, 1,
                       1, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    int64_t version = 0;
    const char *s = cli_value(&a, "expect-version");
    if ((s && parse_version(cli, s, &version) < 0) || cli_open(cli, PLAT_OPEN_WRITE) < 0 ||
        plat_project_remove(cli->db, a.pos[0], cli_value(&a, "date"), cli_value(&a, "note"), version) < 0)
        rc = cli_fail(cli);
    else
        cli_note(cli, "removed %s", a.pos[0]);
    cli_args_dispose(&a);
    return rc;
}

static const struct {
    const char *name;
    int (*fn)(plat_cli *, int, char **);
    const char *help;
} subcommands[] = {
    { "add", project_add, "add a project" },
    { "import", cmd_project_import, "import projects from a GIS, CAD or field-app file" },
    { "list", project_list, "list projects (filters: --township, --county, --category, --status)" },
    { "rm", project_rm, "remove a project (its history stays)" },
    { "show", project_show, "show one project with its townships and history" },
    { "update", project_update, "record status, progress, quantity done or a new geometry" },
};

int cmd_project(plat_cli *cli, int argc, char **argv)
{
    for (size_t i = 0; argc >= 2 && i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].fn(cli, argc - 1, argv + 1);
    int help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
    FILE *f = help ? stdout : stderr;
    fprintf(f, "Usage: plat project SUBCOMMAND [OPTIONS]\n\n");
    for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
        fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].help);
    return help ? 0 : 2;
}

/* exporters/report.c - `plat report DEST.html`: one HTML file with the map and the tables.
 *
 * The report reads the ledger once into a small model (report_int.h): the categories with
 * their colours, the townships kept by the filters with their geometry and their coverage row,
 * the selected projects with their geometry, measure and townships. The figures are never
 * computed here: coverage is plat_coverage_compute's (so the table equals `plat coverage
 * --json` to the last digit: each cell carries the JSON value in data-v, rounded the same way),
 * the targets are plat_targets_compute's, the overlaps plat_conflicts_compute's, the places
 * those the store keeps with each project. The filters are those of `plat project list`:
 * --township and --county choose projects and the townships shown; --category and --status
 * also narrow coverage and the checks, as they do on the command line.
 *
 * Progress by month comes from the project history: for each project the quantity done is
 * followed event by event (it is kept in the target's unit; a project marked completed without
 * a quantity counts its whole target), and every change is booked in the month of the date it
 * is true for, as km for length targets and 亩 for area targets; projects that become
 * completed are counted too. Other units (berths, MW) have no common measure and only count.
 * With --as-of only the events true by that day count, with --as-recorded only those written
 * by then; an event a counting correction replaces gives way to it. The map and the other
 * tables read the ledger at the same cut (plat_project_foreach, plat_coverage_compute and the
 * checks take it).
 *
 * The HTML is plain: a heading, the map (svg.c), one section per table, a few lines of script
 * that sort a table when its heading is clicked. Everything is inline and there is no URL in
 * it but the SVG namespace, so the file opens from a USB stick on a machine without network,
 * and it prints on A4 landscape (print CSS). All text from the ledger is escaped; the document
 * is XHTML-compatible so XML tools read it too.
 *
 * The file is written under a temporary name beside DEST and moved into place when complete
 * (link() when DEST must not be replaced, rename() with overwrite): a failure leaves no file.
 *
 * Ownership: the model (strings, geometries, coverage) belongs to the rep and is freed by
 * plat_report_write; the HTML is built in memory and written at once. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plat/locate.h"
#include "plat/query.h"
#include "plat/units.h"
#include "report_int.h"

/* ---- text ---- */

int plat_report__text(plat_buf *out, const char *s)
{
    int rc = 0;
    for (; s && *s && rc >= 0; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&':
            rc = plat_buf_puts(out, "&amp;");
            break;
        case '<':
            rc = plat_buf_puts(out, "&lt;");
            break;
        case '>':
            rc = plat_buf_puts(out, "&gt;");
            break;
        case '"':
            rc = plat_buf_puts(out, "&quot;");
            break;
        case '\'':
            rc = plat_buf_puts(out, "&#39;");
            break;
        default:
            /* XML 1.0 allows no control character but tab, newline and carriage return. */
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                rc = plat_buf_puts(out, "\xEF\xBF\xBD");
            else
                rc = plat_buf_add(out, s, 1);
        }
    }
    return rc < 0 ? PLAT_ENOMEM : 0;
}

static const struct {
    const char *word, *label, *unit;
    int digits;
} measures[] = {
    [PLAT_REPORT_SHARE] = { "share", "项目面积占乡镇比例", "%", 2 },
    [PLAT_REPORT_LINE_KM] = { "line_km", "项目线路长度", "km", 2 },
    [PLAT_REPORT_POLYGON_MU] = { "polygon_mu", "项目面积", "亩", 0 },
};

int plat_report_parse_measure(plat_ctx *ctx, int *measure, const char *text)
{
    for (int i = 0; text && i < (int)(sizeof(measures) / sizeof(measures[0])); i++)
        if (strcmp(measures[i].word, text) == 0) {
            *measure = i;
            return 0;
        }
    return plat_error_set(ctx, PLAT_EINVALID, "--measure takes share, line_km or polygon_mu, not '%s'",
                          text ? text : "");
}

static int measure_index(int m)
{
    return m >= 0 && m < (int)(sizeof(measures) / sizeof(measures[0])) ? m : PLAT_REPORT_SHARE;
}

const char *plat_report__measure_label(int measure)
{
    return measures[measure_index(measure)].label;
}

const char *plat_report__measure_unit(int measure)
{
    return measures[measure_index(measure)].unit;
}

char *plat_report__measure_text(char *buf, size_t n, int measure, double value)
{
    int m = measure_index(measure);
    return plat_format_double(buf, n, m == PLAT_REPORT_SHARE ? value * 100 : value, measures[m].digits);
}

char *plat_report__quantity_text(char *buf, size_t n, const plat_quantity *q, int kinds)
{
    char a[32];
    if (kinds & PLAT_GEOM_LINE)
        snprintf(buf, n, "%s km", plat_format_double(a, sizeof a, q->length_m / 1000.0, 3));
    else if (kinds & PLAT_GEOM_POLYGON)
        snprintf(buf, n, "%s 亩", plat_format_double(a, sizeof a, q->area_m2 / PLAT_M2_PER_MU, 1));
    else if (kinds & PLAT_GEOM_POINT)
        snprintf(buf, n, "%d 点", q->points);
    else
        snprintf(buf, n, "—");
    return buf;
}

char *plat_report__target_text(char *buf, size_t n, const rproj *p)
{
    char q[32];
    if (p->has_target)
        snprintf(buf, n, "%s %s", plat_format_double(q, sizeof q, p->target_qty, 4), p->target_unit ? p->target_unit : "");
    else
        snprintf(buf, n, "—");
    return buf;
}

/* ---- reading the ledger ---- */

static int oom(rep *r)
{
    return plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory");
}

/* A colour goes into attributes and CSS as it is: only #rrggbb is taken. */
static const char *safe_color(const char *c)
{
    int ok = c && c[0] == '#' && strlen(c) == 7;
    for (int i = 1; ok && i < 7; i++)
        ok = strchr("0123456789abcdefABCDEF", c[i]) != NULL;
    return ok ? c : "#888888";
}

static int take_cat(const plat_category *c, void *ud)
{
    rep *r = ud;
    rcat *v = realloc(r->cats, (size_t)(r->ncats + 1) * sizeof(*v));
    if (!v)
        return PLAT_ENOMEM;
    r->cats = v;
    memset(&v[r->ncats], 0, sizeof(v[0]));
    v[r->ncats].code = plat_strdup(c->code);
    v[r->ncats].label = plat_strdup(c->label_zh);
    v[r->ncats].color = plat_strdup(safe_color(c->color));
    r->ncats++;
    return v[r->ncats - 1].code && v[r->ncats - 1].label && v[r->ncats - 1].color ? 0 : PLAT_ENOMEM;
}

static int cat_of(const rep *r, const char *code)
{
    for (int i = 0; code && i < r->ncats; i++)
        if (strcmp(r->cats[i].code, code) == 0)
            return i;
    return -1;
}

typedef struct town_pick {
    rep *r;
    const int *only; /* --township: locator indexes, NULL for all */
    int nonly;
    int index;
} town_pick;

static int take_town(const plat_township *t, void *ud)
{
    town_pick *s = ud;
    rep *r = s->r;
    int i = s->index++, in = !s->only;
    for (int k = 0; k < s->nonly && !in; k++)
        in = s->only[k] == i;
    const char *c = r->o->county;
    if (c && !(t->county && strcmp(t->county, c) == 0) && !(t->county_code && strcmp(t->county_code, c) == 0))
        in = 0;
    rtown **list = in ? &r->towns : &r->context;
    int *n = in ? &r->ntowns : &r->ncontext;
    rtown *v = realloc(*list, (size_t)(*n + 1) * sizeof(*v));
    if (!v)
        return PLAT_ENOMEM;
    *list = v;
    rtown *w = &v[(*n)++];
    memset(w, 0, sizeof(*w));
    w->code = plat_strdup(t->code);
    w->name = plat_strdup(t->name);
    w->county = plat_strdup(t->county);
    if (!w->code || !w->name || (t->county && !w->county))
        return PLAT_ENOMEM;
    if (t->wkb && plat_geom_from_wkb(r->ctx, &w->g, t->wkb, t->wkb_size) < 0)
        return plat_error_set(r->ctx, PLAT_EINVALID, "township %s: unreadable geometry in the ledger", t->code);
    return 0;
}

static int add_town_name(const plat_place_row *pr, void *ud)
{
    plat_buf *b = ud;
    return plat_buf_printf(b, "%s%s", b->len ? "、" : "", pr->name) < 0 ? PLAT_ENOMEM : 0;
}

static int take_project(const plat_project *p, void *ud)
{
    rep *r = ud;
    rproj *v = realloc(r->projs, (size_t)(r->nprojs + 1) * sizeof(*v));
    if (!v)
        return oom(r);
    r->projs = v;
    rproj *w = &v[r->nprojs++];
    memset(w, 0, sizeof(*w));
    w->code = plat_strdup(p->code);
    w->name = plat_strdup(p->name);
    w->category = plat_strdup(p->category);
    w->county = plat_strdup(p->county);
    w->status = plat_strdup(p->status);
    w->target_unit = plat_strdup(p->target_unit);
    w->progress = p->progress;
    w->has_target = p->has_target;
    w->target_qty = p->target_qty;
    w->cat = cat_of(r, p->category);
    if (!w->code || !w->name || !w->category || (p->county && !w->county) || (p->status && !w->status) ||
        (p->target_unit && !w->target_unit))
        return oom(r);
    if (p->wkb) {
        plat_buf towns = PLAT_BUF_INIT;
        int rc = plat_project_places(r->db, p->id, r->o->planar, add_town_name, &towns);
        w->townships = plat_buf_detach(&towns);
        if (rc < 0)
            return rc == PLAT_ENOMEM ? oom(r) : rc;
        if (plat_geom_from_wkb(r->ctx, &w->g, p->wkb, p->wkb_size) < 0)
            return plat_error_set(r->ctx, PLAT_EINVALID, "project %s: unreadable geometry in the ledger", p->code);
        w->kinds = p->kinds;
        w->q = r->o->planar ? p->measured_planar : p->measured;
    }
    if (w->cat >= 0) {
        rcat *c = &r->cats[w->cat];
        static const char *const order[4] = { "planned", "under_construction", "completed", "suspended" };
        int s = 0;
        while (s < 4 && !(w->status && strcmp(w->status, order[s]) == 0))
            s++;
        c->by_status[s]++;
        c->projects++;
        c->mapped += w->g != NULL;
        c->kinds |= w->kinds;
        c->q.length_m += w->q.length_m;
        c->q.area_m2 += w->q.area_m2;
        c->q.points += w->q.points;
    }
    return 0;
}

static double row_value(int measure, const plat_coverage_row *row)
{
    switch (measure) {
    case PLAT_REPORT_LINE_KM:
        return row->all.line_m / 1000.0;
    case PLAT_REPORT_POLYGON_MU:
        return row->all.area_m2 / PLAT_M2_PER_MU;
    default:
        return row->area_m2 > 0 ? row->all.area_m2 / row->area_m2 : 0;
    }
}

static int load(rep *r)
{
    const plat_report_options *o = r->o;
    plat_locator *loc = NULL;
    int *only = NULL, nonly = 0, rc;
    if ((rc = plat_category_foreach(r->db, take_cat, r)) < 0)
        return rc == PLAT_ENOMEM ? oom(r) : rc;
    if (o->category && (rc = plat_category_resolve(r->db, r->category, sizeof r->category, o->category)) < 0)
        return rc;
    if (o->status && !(r->status = plat_status_resolve(o->status)))
        return plat_error_set(r->ctx, PLAT_EINVALID,
                              "unknown status '%s'; use planned (计划), under_construction (在建), completed (已完工) "
                              "or suspended (暂停)", o->status);
    if (o->township) {
        if ((rc = plat_township_known(r->db, o->township)) <= 0)
            return rc < 0 ? rc
                          : plat_error_set(r->ctx, PLAT_ENOTFOUND,
                                           "no township or county named '%s' in the ledger (see `plat township list`)",
                                           o->township);
        if ((rc = plat_locator_new(r->db, &loc, o->planar)) >= 0)
            rc = plat_locator_find(loc, &only, &nonly, o->township);
        plat_locator_free(loc);
        if (rc < 0)
            return rc;
    }
    town_pick tp = { r, only, nonly, 0 };
    rc = plat_township_foreach(r->db, take_town, &tp);
    plat_free(only);
    if (rc < 0)
        return rc == PLAT_ENOMEM ? oom(r) : rc;
    plat_project_filter f = { .township = o->township, .county = o->county,
                              .category = r->category[0] ? r->category : NULL, .status = r->status,
                              .as_of = o->as_of, .as_recorded = o->as_recorded };
    if ((rc = plat_project_foreach(r->db, &f, take_project, r)) < 0)
        return rc;
    if (plat_township_count(r->db) > 0) {
        plat_coverage_options co = PLAT_COVERAGE_OPTIONS_INIT;
        co.category = f.category;
        co.status = r->status;
        co.planar = o->planar;
        co.as_of = o->as_of;
        co.as_recorded = o->as_recorded;
        if ((rc = plat_coverage_compute(r->db, &r->cov, &co)) < 0)
            return rc;
        for (int i = 0; i < r->ntowns; i++) {
            rtown *t = &r->towns[i];
            for (int k = 0; k < r->cov->nrows && !t->row; k++)
                if (strcmp(r->cov->rows[k].code, t->code) == 0)
                    t->row = &r->cov->rows[k];
            if (t->row) {
                t->value = row_value(o->measure, t->row);
                r->measure_max = fmax(r->measure_max, t->value);
            }
        }
    }
    return 0;
}

static void rep_dispose(rep *r)
{
    for (int i = 0; i < r->ncats; i++) {
        free(r->cats[i].code);
        free(r->cats[i].label);
        free(r->cats[i].color);
    }
    free(r->cats);
    for (int i = 0; i < r->ntowns; i++) {
        free(r->towns[i].code);
        free(r->towns[i].name);
        free(r->towns[i].county);
        GEOSGeom_destroy_r(r->h, r->towns[i].g);
    }
    free(r->towns);
    for (int i = 0; i < r->ncontext; i++) {
        free(r->context[i].code);
        free(r->context[i].name);
        free(r->context[i].county);
        GEOSGeom_destroy_r(r->h, r->context[i].g);
    }
    free(r->context);
    for (int i = 0; i < r->nprojs; i++) {
        rproj *p = &r->projs[i];
        free(p->code);
        free(p->name);
        free(p->category);
        free(p->county);
        free(p->status);
        free(p->target_unit);
        free(p->townships);
        GEOSGeom_destroy_r(r->h, p->g);
    }
    free(r->projs);
    plat_coverage_free(r->cov);
}

/* The selected projects are in code order (the store lists them so): a binary search says
 * whether a check's row belongs to the report. */
static const rproj *find_project(const rep *r, const char *code)
{
    int lo = 0, hi = r->nprojs - 1;
    while (code && lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(r->projs[mid].code, code);
        if (c == 0)
            return &r->projs[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* ---- HTML pieces ---- */

/* <td data-v="exact">shown</td>: sorting and tests read data-v, people read the text. */
static void num_cell(plat_buf *b, const char *key, double v, int exact_digits, double shown, int shown_digits)
{
    char e[48], s[48];
    plat_buf_printf(b, "<td class=\"n\"%s%s%s data-v=\"%s\">%s</td>", key ? " data-k=\"" : "", key ? key : "",
                    key ? "\"" : "", plat_format_double(e, sizeof e, v, exact_digits),
                    plat_format_double(s, sizeof s, shown, shown_digits));
}

static void int_cell(plat_buf *b, const char *key, long long v)
{
    plat_buf_printf(b, "<td class=\"n\"%s%s%s data-v=\"%lld\">%lld</td>", key ? " data-k=\"" : "", key ? key : "",
                    key ? "\"" : "", v, v);
}

static void text_cell(plat_buf *b, const char *s)
{
    plat_buf_puts(b, "<td>");
    plat_report__text(b, s);
    plat_buf_puts(b, "</td>");
}

/* A cell of long text (names, lists of townships) that may wrap. */
static void long_cell(plat_buf *b, const char *s)
{
    plat_buf_puts(b, "<td class=\"t\">");
    plat_report__text(b, s);
    plat_buf_puts(b, "</td>");
}

/* Headings; columns first_num .. last_num hold numbers and are right-aligned. */
static void heads(plat_buf *b, const char *const *h, int n, int first_num, int last_num)
{
    plat_buf_puts(b, "<thead><tr>");
    for (int i = 0; i < n; i++)
        plat_buf_printf(b, "<th%s>%s</th>", i >= first_num && i <= last_num ? " class=\"n\"" : "", h[i]);
    plat_buf_puts(b, "</tr></thead>\n");
}

/* The cells of one coverage row, as `plat coverage --json` rounds them. */
static void coverage_cells(plat_buf *b, const plat_coverage_row *w)
{
    double km2 = w->area_m2 / 1e6, share = w->area_m2 > 0 ? w->all.area_m2 / w->area_m2 : 0;
    num_cell(b, "area_km2", km2, 4, km2, 1);
    int_cell(b, "projects", w->all.projects);
    num_cell(b, "line_km", w->all.line_m / 1000, 6, w->all.line_m / 1000, 2);
    num_cell(b, "polygon_mu", w->all.area_m2 / PLAT_M2_PER_MU, 3, w->all.area_m2 / PLAT_M2_PER_MU, 0);
    num_cell(b, "polygon_ha", w->all.area_m2 / 1e4, 4, w->all.area_m2 / 1e4, 1);
    num_cell(b, "share", share, 6, share * 100, 2);
    double dens = km2 > 0 ? w->all.line_m / 1000 / km2 : 0;
    num_cell(b, "road_density_km_per_km2", dens, 6, dens, 3);
    int_cell(b, "points", w->all.points);
}

static void section_coverage(rep *r, plat_buf *b)
{
    static const char *const h[] = { "代码", "乡镇", "县", "面积（km²）", "项目", "线路（km）", "面积（亩）", "面积（公顷）",
                                      "占比（%）", "线密度（km/km²）", "点" };
    plat_buf_puts(b, "<section id=\"coverage\">\n<h2>二、乡镇覆盖</h2>\n");
    if (!r->cov) {
        plat_buf_puts(b, "<p class=\"note\">账本中没有乡镇边界，无法按乡镇统计（plat township import FILE）。</p>\n</section>\n");
        return;
    }
    plat_buf_printf(b, "<p class=\"note\">每个乡镇内的项目线路长度、项目面积（不同项目重叠处只计一次）、占乡镇面积的比例"
                       "和线密度，%s量算；与 <code>plat coverage --json</code> 的数字相同。点击表头排序。</p>\n",
                    r->cov->planar ? "在工作坐标系平面内" : "在 CGCS2000 椭球面上");
    plat_buf_puts(b, "<table class=\"sortable\" id=\"coverage-table\">\n");
    heads(b, h, 11, 3, 10);
    plat_buf_puts(b, "<tbody>\n");
    plat_coverage_row sum;
    memset(&sum, 0, sizeof(sum));
    for (int i = 0; i < r->ntowns; i++) {
        const rtown *t = &r->towns[i];
        if (!t->row)
            continue;
        plat_buf_puts(b, "<tr data-code=\"");
        plat_report__text(b, t->code);
        plat_buf_puts(b, "\">");
        text_cell(b, t->code);
        long_cell(b, t->name);
        text_cell(b, t->county);
        coverage_cells(b, t->row);
        plat_buf_puts(b, "</tr>\n");
    }
    plat_buf_puts(b, "</tbody>\n");
    /* The total is that of every township only when all are shown; a selection gets none,
     * since overlaps across townships make a sum of rows differ from the ledger's total. */
    if (r->ntowns == r->cov->nrows) {
        plat_buf_puts(b, "<tfoot><tr data-code=\"\"><td></td><td>合计</td><td></td>");
        coverage_cells(b, &r->cov->totals);
        plat_buf_puts(b, "</tr></tfoot>\n");
    }
    plat_buf_puts(b, "</table>\n");
    if (r->cov->noutside_projects)
        plat_buf_printf(b, "<p class=\"note\">%d 个项目有部分位于所有乡镇之外（线路 %.1f km，面积 %.0f 亩），不计入上表。</p>\n",
                        r->cov->noutside_projects, r->cov->outside.all.line_m / 1000,
                        r->cov->outside.all.area_m2 / PLAT_M2_PER_MU);
    plat_buf_puts(b, "</section>\n");
}

/* The figures of one category's row (or of the total): projects by status, mapped, measured. */
static void category_cells(plat_buf *b, const rcat *k)
{
    for (int s = 0; s < 4; s++)
        int_cell(b, NULL, k->by_status[s]);
    int_cell(b, "projects", k->projects);
    int_cell(b, "mapped", k->mapped);
    num_cell(b, "km", k->q.length_m / 1000, 6, k->q.length_m / 1000, 1);
    num_cell(b, "mu", k->q.area_m2 / PLAT_M2_PER_MU, 3, k->q.area_m2 / PLAT_M2_PER_MU, 0);
    int_cell(b, "points", k->q.points);
}

static void section_categories(rep *r, plat_buf *b)
{
    static const char *const h[] = { "类别", "计划", "在建", "已完工", "暂停", "合计", "上图", "线路（km）", "面积（亩）", "点" };
    plat_buf_puts(b, "<section id=\"categories\">\n<h2>三、项目类别与建设状态</h2>\n"
                     "<table class=\"sortable\" id=\"category-table\">\n");
    heads(b, h, 10, 1, 9);
    plat_buf_puts(b, "<tbody>\n");
    rcat all;
    memset(&all, 0, sizeof(all));
    for (int c = 0; c < r->ncats; c++) {
        const rcat *k = &r->cats[c];
        if (!k->projects)
            continue;
        plat_buf_puts(b, "<tr data-category=\"");
        plat_report__text(b, k->code);
        plat_buf_printf(b, "\"><td><span class=\"sw\" style=\"background:%s\"></span>", k->color);
        plat_report__text(b, k->label);
        plat_buf_puts(b, "</td>");
        category_cells(b, k);
        plat_buf_puts(b, "</tr>\n");
        for (int s = 0; s < 4; s++)
            all.by_status[s] += k->by_status[s];
        all.projects += k->projects;
        all.mapped += k->mapped;
        all.q.length_m += k->q.length_m;
        all.q.area_m2 += k->q.area_m2;
        all.q.points += k->q.points;
    }
    plat_buf_puts(b, "</tbody>\n<tfoot><tr><td>合计</td>");
    category_cells(b, &all);
    plat_buf_puts(b, "</tr></tfoot>\n</table>\n<p class=\"note\">线路、面积为项目整体的实测量（同一类别内重叠的项目各自计算）。</p>\n"
                     "</section>\n");
}

static int section_targets(rep *r, plat_buf *b, plat_report_result *res)
{
    static const char *const h[] = { "编号", "名称", "类别", "目标", "实测", "折合", "差异（%）" };
    plat_targets_options to = PLAT_TARGETS_OPTIONS_INIT;
    plat_targets *t = NULL;
    to.category = r->category[0] ? r->category : NULL;
    to.status = r->status;
    to.planar = r->o->planar;
    to.as_of = r->o->as_of;
    to.as_recorded = r->o->as_recorded;
    int rc = plat_targets_compute(r->db, &t, &to);
    if (rc < 0)
        return rc;
    size_t count[4] = { 0, 0, 0, 0 };
    plat_buf rows = PLAT_BUF_INIT;
    for (size_t i = 0; i < plat_targets_count(t); i++) {
        const plat_target_row *w = plat_targets_row_at(t, i);
        const rproj *p = find_project(r, w->project.code);
        if (!p)
            continue;
        count[w->verdict]++;
        if (w->verdict != PLAT_TARGET_MISMATCH)
            continue;
        char tgt[64], meas[96], conv[64], q[32];
        plat_buf_puts(&rows, "<tr data-code=\"");
        plat_report__text(&rows, p->code);
        plat_buf_puts(&rows, "\">");
        text_cell(&rows, p->code);
        long_cell(&rows, p->name);
        text_cell(&rows, p->cat >= 0 ? r->cats[p->cat].label : p->category);
        text_cell(&rows, plat_report__target_text(tgt, sizeof tgt, p));
        text_cell(&rows, plat_report__quantity_text(meas, sizeof meas, &w->measured, w->kinds));
        snprintf(conv, sizeof conv, "%s %s", plat_format_double(q, sizeof q, w->measured_in_unit, 3),
                 w->project.target_unit ? w->project.target_unit : "");
        text_cell(&rows, conv);
        if (isnan(w->difference_pct))
            plat_buf_puts(&rows, "<td class=\"n\" data-v=\"\">—</td>");
        else
            num_cell(&rows, "difference_pct", w->difference_pct, 2, w->difference_pct, 1);
        plat_buf_puts(&rows, "</tr>\n");
    }
    char tol[32];
    plat_format_double(tol, sizeof tol, to.tolerance_pct, 2);
    plat_buf_printf(b, "<section id=\"targets\">\n<h2>四、目标与几何不符</h2>\n<p class=\"note\">规划目标中的长度、面积与项目几何"
                       "的实测量比较，相差超过目标的 %s%% 即列出（<code>plat check targets</code>）。%zu 个目标在容差以内，"
                       "%zu 个不符，%zu 个无法按几何核对（泊位、兆瓦等单位，或几何中没有相应的线或面），"
                       "%zu 个有长度或面积目标但未上图。</p>\n",
                    tol, count[PLAT_TARGET_OK], count[PLAT_TARGET_MISMATCH], count[PLAT_TARGET_UNMEASURABLE],
                    count[PLAT_TARGET_NO_GEOMETRY]);
    if (count[PLAT_TARGET_MISMATCH]) {
        plat_buf_puts(b, "<table class=\"sortable\" id=\"target-table\">\n");
        heads(b, h, 7, 6, 6);
        plat_buf_printf(b, "<tbody>\n%s</tbody>\n</table>\n", plat_buf_cstr(&rows));
    }
    plat_buf_puts(b, "</section>\n");
    res->mismatches = (int)count[PLAT_TARGET_MISMATCH];
    plat_buf_dispose(&rows);
    plat_targets_free(t);
    return 0;
}

/* ---- conflicts with protected layers ---- */

typedef struct prot {
    char **names, **kinds;
    int n;
} prot;

static int take_protected(const plat_layer_info *li, void *ud)
{
    prot *p = ud;
    if (!li->kind || (strcmp(li->kind, "basic_farmland") != 0 && strcmp(li->kind, "eco_redline") != 0))
        return 0;
    char **n = realloc(p->names, (size_t)(p->n + 1) * sizeof(*n));
    if (!n)
        return PLAT_ENOMEM;
    p->names = n;
    char **k = realloc(p->kinds, (size_t)(p->n + 1) * sizeof(*k));
    if (!k)
        return PLAT_ENOMEM;
    p->kinds = k;
    n[p->n] = plat_strdup(li->name);
    k[p->n] = plat_strdup(li->kind);
    p->n++;
    return n[p->n - 1] && k[p->n - 1] ? 0 : PLAT_ENOMEM;
}

static void prot_dispose(prot *p)
{
    for (int i = 0; i < p->n; i++) {
        free(p->names[i]);
        free(p->kinds[i]);
    }
    free(p->names);
    free(p->kinds);
}

static int one_layer(rep *r, plat_buf *b, const char *name, const char *kind, plat_report_result *res)
{
    static const char *const h[] = { "编号", "名称", "类别", "状态", "重叠", "占项目（%）", "乡镇" };
    plat_conflicts_options co = PLAT_CONFLICTS_OPTIONS_INIT;
    plat_conflicts *c = NULL;
    co.layer = name;
    co.category = r->category[0] ? r->category : NULL;
    co.status = r->status;
    co.planar = r->o->planar;
    co.as_of = r->o->as_of;
    co.as_recorded = r->o->as_recorded;
    int rc = plat_conflicts_compute(r->db, &c, &co);
    if (rc < 0)
        return rc;
    plat_buf rows = PLAT_BUF_INIT;
    int n = 0;
    double mu = 0, km = 0;
    for (size_t i = 0; i < plat_conflicts_count(c); i++) {
        const plat_conflict_row *w = plat_conflicts_row_at(c, i);
        const rproj *p = find_project(r, w->project.code);
        char ov[96];
        if (!p)
            continue;
        n++;
        mu += w->overlap.area_m2 / PLAT_M2_PER_MU;
        km += w->overlap.length_m / 1000;
        plat_buf_puts(&rows, "<tr data-code=\"");
        plat_report__text(&rows, p->code);
        plat_buf_puts(&rows, "\">");
        text_cell(&rows, p->code);
        long_cell(&rows, p->name);
        text_cell(&rows, p->cat >= 0 ? r->cats[p->cat].label : p->category);
        text_cell(&rows, plat_status_label(p->status));
        double key = w->kinds & PLAT_GEOM_POLYGON ? w->overlap.area_m2 : w->overlap.length_m;
        plat_buf_printf(&rows, "<td class=\"n\" data-v=\"%.2f\">", key);
        plat_report__text(&rows, plat_report__quantity_text(ov, sizeof ov, &w->overlap, w->kinds));
        plat_buf_puts(&rows, "</td>");
        num_cell(&rows, "share", w->share * 100, 4, w->share * 100, 1);
        plat_buf_puts(&rows, "<td class=\"t\">");
        for (int k = 0; k < w->place.n; k++) {
            plat_buf_puts(&rows, k ? "、" : "");
            plat_report__text(&rows, w->place.places[k].name);
        }
        plat_buf_puts(&rows, "</td></tr>\n");
    }
    plat_buf_puts(b, "<h3>");
    plat_report__text(b, name);
    plat_buf_printf(b, "（%s）</h3>\n<p class=\"note\">", strcmp(kind, "eco_redline") == 0 ? "生态保护红线" : "永久基本农田");
    if (n)
        plat_buf_printf(b, "%d 个项目与之重叠：面积 %.0f 亩，线路 %.1f km（<code>plat check conflicts --layer ", n, mu, km);
    else
        plat_buf_puts(b, "没有项目与之重叠（<code>plat check conflicts --layer ");
    plat_report__text(b, name);
    plat_buf_puts(b, "</code>）。</p>\n");
    if (n) {
        plat_buf_puts(b, "<table class=\"sortable conflicts\" data-layer=\"");
        plat_report__text(b, name);
        plat_buf_puts(b, "\">\n");
        heads(b, h, 7, 4, 5);
        plat_buf_printf(b, "<tbody>\n%s</tbody>\n</table>\n", plat_buf_cstr(&rows));
    }
    res->conflicts += n;
    plat_buf_dispose(&rows);
    plat_conflicts_free(c);
    return 0;
}

static int section_conflicts(rep *r, plat_buf *b, plat_report_result *res)
{
    prot p = { NULL, NULL, 0 };
    int rc = plat_layer_foreach(r->db, take_protected, &p);
    if (rc == PLAT_ENOMEM)
        rc = oom(r);
    plat_buf_puts(b, "<section id=\"conflicts\">\n<h2>五、与保护图层的冲突</h2>\n");
    if (rc >= 0 && !p.n)
        plat_buf_puts(b, "<p class=\"note\">账本中没有永久基本农田（basic_farmland）或生态保护红线（eco_redline）类的参考图层，"
                         "本节从略（<code>plat layer import NAME FILE --kind basic_farmland</code>）。</p>\n");
    for (int i = 0; rc >= 0 && i < p.n; i++)
        rc = one_layer(r, b, p.names[i], p.kinds[i], res);
    plat_buf_puts(b, "</section>\n");
    res->protected_layers = p.n;
    prot_dispose(&p);
    return rc;
}

/* ---- progress by month ---- */

typedef struct booking {
    int month;          /* year * 12 + month - 1 */
    double km, mu;
    int completed;      /* +1 when a project becomes completed, -1 when it leaves that state */
} booking;

typedef struct history {
    const rproj *p;     /* the project being followed */
    plat_unit unit;     /* its target's unit */
    double done;        /* quantity done so far, in the target's unit */
    int done_set;       /* some event gave a quantity */
    int completed;      /* its status is completed */
    booking *v;         /* every project's bookings */
    int n;
} history;

static int book(history *s, const char *date, double delta, int completed)
{
    int y, m;
    if (!date || sscanf(date, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12)
        return 0;
    if (delta == 0 && completed == 0)
        return 0;
    booking *v = realloc(s->v, (size_t)(s->n + 1) * sizeof(*v));
    if (!v)
        return PLAT_ENOMEM;
    s->v = v;
    booking *k = &v[s->n++];
    memset(k, 0, sizeof(*k));
    k->month = y * 12 + m - 1;
    k->completed = completed;
    if (s->unit.kind == PLAT_UNIT_LENGTH)
        k->km = delta * s->unit.factor / 1000;
    else if (s->unit.kind == PLAT_UNIT_AREA)
        k->mu = delta * s->unit.factor / PLAT_M2_PER_MU;
    return 0;
}

/* One event of a project's history, as much of it as the months need. */
typedef struct revent {
    int64_t id, corrects;
    char date[11], recorded[11];
    int status;         /* -1 unchanged, 1 completed, 0 another state */
    int has_done;
    double done;
} revent;

typedef struct revents {
    revent *v;
    int n, cap;
} revents;

static int collect_event(const plat_event *e, void *ud)
{
    revents *ev = ud;
    if (ev->n == ev->cap) {
        int cap = ev->cap ? ev->cap * 2 : 16;
        revent *v = realloc(ev->v, (size_t)cap * sizeof(*v));
        if (!v)
            return PLAT_ENOMEM;
        ev->v = v;
        ev->cap = cap;
    }
    revent *x = &ev->v[ev->n++];
    memset(x, 0, sizeof(*x));
    x->id = e->id;
    x->corrects = e->corrects;
    snprintf(x->date, sizeof x->date, "%.10s", e->date ? e->date : "");
    snprintf(x->recorded, sizeof x->recorded, "%.10s", e->recorded_at ? e->recorded_at : "");
    x->status = e->status ? strcmp(e->status, "completed") == 0 : -1;
    x->has_done = e->has_done;
    x->done = e->done;
    return 0;
}

/* An event counts when it is true by --as-of and was written by --as-recorded. */
static int visible(const rep *r, const revent *e)
{
    return (!r->o->as_of || strcmp(e->date, r->o->as_of) <= 0) &&
           (!r->o->as_recorded || strcmp(e->recorded, r->o->as_recorded) <= 0);
}

/* A counting event whose correction also counts gives way to it. */
static int superseded(const rep *r, const revents *ev, const revent *e)
{
    for (int k = 0; k < ev->n; k++)
        if (ev->v[k].corrects == e->id && visible(r, &ev->v[k]))
            return 1;
    return 0;
}

static int take_event(history *s, const revent *e)
{
    int was = s->completed, now = was;
    if (e->status >= 0)
        now = e->status;
    double delta = 0;
    if (e->has_done) {
        delta = e->done - s->done;
        s->done = e->done;
        s->done_set = 1;
    } else if (now && !was && !s->done_set && s->p->has_target) {
        /* Completed without a quantity: the whole target is done. */
        delta = s->p->target_qty - s->done;
        s->done = s->p->target_qty;
    }
    s->completed = now;
    return book(s, e->date, delta, now - was);
}

/* Follow one project's history in its order (by date, then as recorded), leaving out what
 * the report's cut does not see and what a visible correction replaces. */
static int follow_project(rep *r, history *s, revents *ev)
{
    ev->n = 0;
    int rc = plat_project_history(r->db, s->p->code, collect_event, ev);
    for (int i = 0; rc >= 0 && i < ev->n; i++)
        if (visible(r, &ev->v[i]) && !superseded(r, ev, &ev->v[i]))
            rc = take_event(s, &ev->v[i]);
    return rc;
}

static void month_name(char *buf, size_t n, int month)
{
    snprintf(buf, n, "%04d-%02d", month / 12, month % 12 + 1);
}

static int section_progress(rep *r, plat_buf *b)
{
    history s;
    revents ev = { NULL, 0, 0 };
    memset(&s, 0, sizeof(s));
    int rc = 0;
    for (int i = 0; i < r->nprojs && rc >= 0; i++) {
        s.p = &r->projs[i];
        s.unit = plat_unit_lookup(s.p->target_unit);
        s.done = 0;
        s.done_set = s.completed = 0;
        rc = follow_project(r, &s, &ev);
    }
    free(ev.v);
    if (rc == PLAT_ENOMEM)
        rc = oom(r);
    plat_buf_puts(b, "<section id=\"progress\">\n<h2>六、逐月完成量</h2>\n"
                     "<p class=\"note\">按项目历史记录的日期，逐月统计完成量的增加：长度目标的项目计入 km，面积目标的项目计入亩"
                     "（完成量以目标单位记录；标为已完工而未记完成量的项目，计其全部目标），以及当月转为已完工的项目数。"
                     "泊位、兆瓦等其他单位只计项目数。</p>\n");
    int first = 0, last = 0;
    for (int i = 0; i < s.n; i++) {
        if (i == 0 || s.v[i].month < first)
            first = s.v[i].month;
        if (i == 0 || s.v[i].month > last)
            last = s.v[i].month;
    }
    int nm = s.n ? last - first + 1 : 0;
    double *km = calloc((size_t)nm + 1, sizeof(double)), *mu = calloc((size_t)nm + 1, sizeof(double));
    double *done = calloc((size_t)nm + 1, sizeof(double));
    char(*names)[16] = calloc((size_t)nm + 1, sizeof(*names));
    const char **labels = calloc((size_t)nm + 1, sizeof(*labels));
    if (rc >= 0 && (!km || !mu || !done || !names || !labels))
        rc = oom(r);
    if (rc >= 0 && !nm)
        plat_buf_puts(b, "<p class=\"note\">所选项目没有完成量或完工记录。</p>\n");
    if (rc >= 0 && nm) {
        for (int i = 0; i < s.n; i++) {
            int k = s.v[i].month - first;
            km[k] += s.v[i].km;
            mu[k] += s.v[i].mu;
            done[k] += s.v[i].completed;
        }
        for (int k = 0; k < nm; k++) {
            month_name(names[k], sizeof names[k], first + k);
            labels[k] = names[k];
        }
        rseries series[3] = { { "完成长度", "km", km, 3 }, { "完成面积", "亩", mu, 1 }, { "转为已完工", "个", done, 0 } };
        plat_buf_puts(b, "<div class=\"charts\">\n");
        for (int c = 0; c < 3; c++)
            plat_report__bars(b, &series[c], labels, nm);
        plat_buf_puts(b, "</div>\n<table id=\"progress-table\">\n");
        static const char *const h[] = { "月份", "完成长度（km）", "累计（km）", "完成面积（亩）", "累计（亩）", "转为已完工" };
        heads(b, h, 6, 1, 5);
        plat_buf_puts(b, "<tbody>\n");
        double ck = 0, cm = 0;
        for (int k = 0; k < nm; k++) {
            ck += km[k];
            cm += mu[k];
            if (km[k] == 0 && mu[k] == 0 && done[k] == 0)
                continue; /* the chart shows the quiet months; the table only the busy ones */
            plat_buf_printf(b, "<tr data-month=\"%s\"><td>%s</td>", names[k], names[k]);
            num_cell(b, "km", km[k], 6, km[k], 3);
            num_cell(b, "km_total", ck, 6, ck, 3);
            num_cell(b, "mu", mu[k], 3, mu[k], 1);
            num_cell(b, "mu_total", cm, 3, cm, 1);
            int_cell(b, "completed", (long long)done[k]);
            plat_buf_puts(b, "</tr>\n");
        }
        plat_buf_puts(b, "</tbody>\n</table>\n");
    }
    plat_buf_puts(b, "</section>\n");
    free(km);
    free(mu);
    free(done);
    free(names);
    free(labels);
    free(s.v);
    return rc;
}

static void section_projects(rep *r, plat_buf *b)
{
    static const char *const h[] = { "编号", "名称", "类别", "县", "状态", "进度（%）", "目标", "实测", "乡镇" };
    plat_buf_puts(b, "<section id=\"projects\">\n<h2>七、项目清单</h2>\n<table class=\"sortable\" id=\"project-table\">\n");
    heads(b, h, 9, 5, 5);
    plat_buf_puts(b, "<tbody>\n");
    for (int i = 0; i < r->nprojs; i++) {
        const rproj *p = &r->projs[i];
        char tgt[64], meas[96];
        plat_buf_puts(b, "<tr data-code=\"");
        plat_report__text(b, p->code);
        plat_buf_puts(b, "\">");
        text_cell(b, p->code);
        long_cell(b, p->name);
        text_cell(b, p->cat >= 0 ? r->cats[p->cat].label : p->category);
        text_cell(b, p->county);
        text_cell(b, plat_status_label(p->status));
        num_cell(b, "progress", p->progress, 3, p->progress, 1);
        text_cell(b, plat_report__target_text(tgt, sizeof tgt, p));
        double key = p->kinds & PLAT_GEOM_LINE ? p->q.length_m : p->q.area_m2;
        plat_buf_printf(b, "<td class=\"n\" data-v=\"%.2f\">", key);
        plat_report__text(b, plat_report__quantity_text(meas, sizeof meas, &p->q, p->kinds));
        plat_buf_puts(b, p->g ? "</td>" : "（未上图）</td>");
        long_cell(b, p->townships);
        plat_buf_puts(b, "</tr>\n");
    }
    plat_buf_puts(b, "</tbody>\n</table>\n</section>\n");
}

/* ---- the document ---- */

static const char css[] =
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"WenQuanYi Micro Hei\",\"Microsoft YaHei\","
    "\"PingFang SC\",sans-serif;color:#222;margin:16px auto;max-width:1120px;padding:0 12px;font-size:14px}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 6px;border-bottom:2px solid #31a354}"
    "h3{font-size:15px;margin:14px 0 4px}\n"
    ".meta,.note{color:#555;font-size:13px;margin:4px 0}.note code,.meta code{font-size:12px}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}.card{border:1px solid #ddd;border-radius:4px;"
    "padding:4px 10px}.card b{font-size:17px;display:block}\n"
    "svg.map{width:100%;height:auto;display:block}svg.map>text,svg.map>g>text{font-size:12px;fill:#222}"
    "svg.map .lt{font-size:16px;font-weight:bold}svg.map .lh{font-weight:bold}\n"
    "svg.map .labels text{fill:#333;stroke:#fff;paint-order:stroke;stroke-linejoin:round;text-anchor:middle}\n"
    "svg.map .context-labels text{fill:#8a8a8a;stroke:#fff;paint-order:stroke;stroke-linejoin:round;"
    "text-anchor:middle}\n"
    "svg.map .county-labels text{fill:#111;fill-opacity:.7;stroke:#fff;paint-order:stroke;"
    "stroke-linejoin:round;text-anchor:middle;font-weight:bold}\n"
    "svg.map .pj:hover .pg,svg.map .pj:hover .ln,svg.map .pj:hover circle{stroke:#000}svg.map .pj:hover .cs{stroke:#ffeb3b}svg.map .towns path:hover{fill-opacity:.7}\n"
    "svg.bars text{font-size:11px;fill:#333}svg.bars .ct{font-size:13px;font-weight:bold}\n"
    ".charts{display:flex;flex-wrap:wrap;gap:12px}\n"
    "table{border-collapse:collapse;margin:6px 0;font-size:13px}th,td{border:1px solid #ddd;padding:2px 6px;"
    "white-space:nowrap}td.t{white-space:normal}"
    "th{background:#f3f6f3;cursor:pointer;white-space:nowrap}td.n,th.n{text-align:right}"
    "tbody tr:nth-child(even){background:#fafafa}tfoot td{font-weight:bold;background:#f3f6f3}\n"
    "th[aria-sort=ascending]::after{content:\" \\25B2\"}th[aria-sort=descending]::after{content:\" \\25BC\"}\n"
    ".sw{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px;border:1px solid #999}\n"
    "footer{color:#777;font-size:12px;margin:24px 0 8px}\n"
    "@page{size:A4 landscape;margin:10mm}\n"
    "@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}#map{break-after:page}"
    "h1{font-size:16pt}h2{margin-top:10pt}svg.map{width:226mm;height:146.5mm;margin:0 auto}h2{break-after:avoid}tr{break-inside:avoid}"
    "thead{display:table-header-group}tfoot{display:table-row-group}th{cursor:auto}th::after{content:none!important}"
    "tbody tr:nth-child(even){background:none}.charts{break-inside:avoid}}\n";

/* Sort a table by the column whose heading is clicked: numbers by data-v, text in Chinese order. */
static const char script[] =
    "//<![CDATA[\n"
    "function cellKey(td) {\n"
    "  var v = td.getAttribute('data-v');\n"
    "  return v !== null && v !== '' && !isNaN(+v) ? +v : td.textContent;\n"
    "}\n"
    "document.querySelectorAll('table.sortable').forEach(function (table) {\n"
    "  var ths = table.querySelectorAll('thead th');\n"
    "  ths.forEach(function (th, col) {\n"
    "    th.addEventListener('click', function () {\n"
    "      var asc = th.getAttribute('aria-sort') !== 'ascending';\n"
    "      ths.forEach(function (h) { h.removeAttribute('aria-sort'); });\n"
    "      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');\n"
    "      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);\n"
    "      rows.sort(function (a, b) {\n"
    "        var x = cellKey(a.cells[col]), y = cellKey(b.cells[col]);\n"
    "        var c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'zh-CN');\n"
    "        return asc ? c : -c;\n"
    "      });\n"
    "      rows.forEach(function (row) { body.appendChild(row); });\n"
    "    });\n"
    "  });\n"
    "});\n"
    "//]]>\n";

static void filters_text(rep *r, plat_buf *b)
{
    const plat_report_options *o = r->o;
    char label[64];
    int any = 0;
    plat_buf_puts(b, "筛选：");
    if (o->township) {
        plat_buf_puts(b, "乡镇 ");
        plat_report__text(b, o->township);
        any = 1;
    }
    if (o->county) {
        plat_buf_puts(b, any ? "，县 " : "县 ");
        plat_report__text(b, o->county);
        any = 1;
    }
    if (r->category[0]) {
        plat_buf_puts(b, any ? "，类别 " : "类别 ");
        plat_report__text(b, plat_category_label(r->db, label, sizeof label, r->category));
        any = 1;
    }
    if (r->status) {
        plat_buf_puts(b, any ? "，状态 " : "状态 ");
        plat_report__text(b, plat_status_label(r->status));
        any = 1;
    }
    if (!any)
        plat_buf_puts(b, "无（全部项目）");
}

static void card(plat_buf *b, const char *value, const char *what)
{
    plat_buf_printf(b, "<div class=\"card\"><b>%s</b>%s</div>\n", value, what);
}

static int document(rep *r, plat_buf *b, plat_report_result *res)
{
    char date[16], v[64];
    const char *day = r->o->date ? r->o->date : r->o->as_of ? r->o->as_of : plat_date_today(date);
    double cm = plat_crs_gk_central_meridian(r->srid);
    int rc;
    plat_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                       "<meta name=\"generator\" content=\"plat %s\"/>\n<title>项目空间台账报告 %s</title>\n"
                       "<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>项目空间台账报告</h1>\n<p class=\"meta\">",
                    PLAT_VERSION, day, css);
    plat_report__text(b, day);
    plat_buf_puts(b, " · ");
    filters_text(r, b);
    if (r->o->as_of) {
        plat_buf_puts(b, " · 截至 ");
        plat_report__text(b, r->o->as_of);
        plat_buf_puts(b, " 日终");
    }
    if (r->o->as_recorded) {
        plat_buf_puts(b, " · 按 ");
        plat_report__text(b, r->o->as_recorded);
        plat_buf_puts(b, " 当日的台账记录（不含其后补记与更正）");
    }
    plat_buf_printf(b, " · %s", r->o->planar ? "平面量算（工作坐标系）" : "椭球面量算（CGCS2000）");
    if (r->srid && !isnan(cm))
        plat_buf_printf(b, " · 工作坐标系 EPSG:%d（CGCS2000 3°带高斯-克吕格，中央经线 %.0f°E）", r->srid, cm);
    else if (r->srid)
        plat_buf_printf(b, " · 工作坐标系 EPSG:%d", r->srid);
    plat_buf_puts(b, "</p>\n<div class=\"cards\">\n");
    plat_quantity all = { 0, 0, 0 };
    for (int i = 0; i < r->nprojs; i++) {
        all.length_m += r->projs[i].q.length_m;
        all.area_m2 += r->projs[i].q.area_m2;
        res->mapped += r->projs[i].g != NULL;
    }
    res->projects = r->nprojs;
    res->townships = r->ntowns;
    snprintf(v, sizeof v, "%d", r->nprojs);
    card(b, v, "项目");
    snprintf(v, sizeof v, "%d", res->mapped);
    card(b, v, "已上图");
    snprintf(v, sizeof v, "%d", r->ntowns);
    card(b, v, "乡镇");
    card(b, plat_format_double(v, sizeof v, all.length_m / 1000, 1), "项目线路（km）");
    card(b, plat_format_double(v, sizeof v, all.area_m2 / PLAT_M2_PER_MU, 0), "项目面积（亩）");
    plat_buf_puts(b, "</div>\n</header>\n<section id=\"map\">\n<h2>一、项目分布图</h2>\n<p class=\"note\">乡镇按");
    plat_report__text(b, plat_report__measure_label(r->o->measure));
    plat_buf_puts(b, "分级着色，项目按类别着色；鼠标停在项目上可见名称、状态、进度、目标与实测量。</p>\n");
    if ((rc = plat_report__map(r, b)) < 0)
        return rc;
    if (res->mapped < r->nprojs)
        plat_buf_printf(b, "<p class=\"note\">另有 %d 个项目没有几何，未上图（见项目清单）。</p>\n", r->nprojs - res->mapped);
    plat_buf_puts(b, "</section>\n");
    section_coverage(r, b);
    section_categories(r, b);
    if ((rc = section_targets(r, b, res)) < 0 || (rc = section_conflicts(r, b, res)) < 0 ||
        (rc = section_progress(r, b)) < 0)
        return rc;
    section_projects(r, b);
    plat_buf_printf(b, "<footer>plat %s 生成于 ", PLAT_VERSION);
    plat_report__text(b, day);
    plat_buf_printf(b, "。面积 1 亩 = 10000/15 m²。</footer>\n<script>\n%s</script>\n</body>\n</html>\n", script);
    return b->s ? 0 : oom(r);
}

/* ---- the file ---- */

static int check_dest(rep *r, const char *dest)
{
    struct stat st;
    if (!*dest)
        return plat_error_set(r->ctx, PLAT_EUSAGE, "DEST must not be empty");
    if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode))
        return plat_error_set(r->ctx, PLAT_EUSAGE, "%s is a folder; give a file name such as report.html", dest);
    if (!r->o->overwrite && lstat(dest, &st) == 0) {
        plat_error_set(r->ctx, PLAT_EEXISTS, "%s exists already; nothing was written (--overwrite replaces it)", dest);
        return plat_error_locate(r->ctx, dest, -1);
    }
    char *dir = plat_path_dir(dest);
    if (!dir)
        return oom(r);
    int ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
    if (!ok) {
        plat_error_set(r->ctx, PLAT_ENOTFOUND, "no such folder %s to write the report in", dir);
        plat_error_locate(r->ctx, dest, -1);
    }
    free(dir);
    return ok ? 0 : PLAT_ENOTFOUND;
}

/* Write text to a temporary file beside dest, then move it into place. */
static int write_file(rep *r, const char *dest, const char *text, size_t n)
{
    char *dir = plat_path_dir(dest);
    plat_buf tmp = PLAT_BUF_INIT;
    int rc = 0, fd = -1;
    if (!dir || plat_buf_printf(&tmp, "%s/.plat-report-XXXXXX", dir) < 0) {
        rc = oom(r);
        goto done;
    }
    if ((fd = mkstemp(tmp.s)) < 0) {
        rc = plat_error_set(r->ctx, PLAT_EIO, "cannot write in %s: %s", dir, strerror(errno));
        goto done;
    }
    for (size_t off = 0; off < n && rc >= 0;) {
        ssize_t w = write(fd, text + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = plat_error_set(r->ctx, PLAT_EIO, "cannot write %s: %s", dest, strerror(errno));
        else
            off += (size_t)w;
    }
    /* Readable as any file the user makes (mkstemp gives 0600). */
    mode_t mask = umask(0);
    umask(mask);
    if (rc >= 0 && (fchmod(fd, 0666 & ~mask) != 0 || fsync(fd) != 0))
        rc = plat_error_set(r->ctx, PLAT_EIO, "cannot write %s: %s", dest, strerror(errno));
    if (close(fd) != 0 && rc >= 0)
        rc = plat_error_set(r->ctx, PLAT_EIO, "cannot write %s: %s", dest, strerror(errno));
    fd = -1;
    if (rc >= 0 && r->o->overwrite) {
        if (rename(tmp.s, dest) != 0)
            rc = plat_error_set(r->ctx, PLAT_EIO, "cannot move the report into place: %s", strerror(errno));
    } else if (rc >= 0) {
        /* link() refuses an existing name, so a file that appeared meanwhile is never replaced. */
        if (link(tmp.s, dest) != 0)
            rc = errno == EEXIST
                     ? plat_error_set(r->ctx, PLAT_EEXISTS, "%s exists already; nothing was written (--overwrite replaces it)",
                                      dest)
                     : plat_error_set(r->ctx, PLAT_EIO, "cannot move the report into place: %s", strerror(errno));
        unlink(tmp.s);
    }
    if (rc < 0) {
        unlink(tmp.s);
        plat_error_locate(r->ctx, dest, -1);
    }
done:
    plat_buf_dispose(&tmp);
    free(dir);
    return rc;
}

int plat_report_write(plat_store *db, plat_report_result *res, const char *dest, const plat_report_options *opts)
{
    plat_report_options defaults = PLAT_REPORT_OPTIONS_INIT;
    plat_report_result scratch;
    rep r;
    memset(&r, 0, sizeof(r));
    memset(&scratch, 0, sizeof(scratch));
    r.db = db;
    r.ctx = plat_store_ctx(db);
    r.h = plat_gis_geos(r.ctx);
    r.o = opts ? opts : &defaults;
    r.srid = plat_store_srid(db);
    if (!res)
        res = &scratch;
    memset(res, 0, sizeof(*res));
    if (!dest)
        dest = "";
    plat_buf html = PLAT_BUF_INIT;
    int rc = check_dest(&r, dest);
    if (rc >= 0 && r.o->date && !plat_date_valid(r.o->date))
        rc = plat_error_set(r.ctx, PLAT_EINVALID, "the report date must be YYYY-MM-DD, got '%s'", r.o->date);
    if (rc >= 0 && r.o->as_of && !plat_date_valid(r.o->as_of))
        rc = plat_error_set(r.ctx, PLAT_EINVALID, "--as-of must be a date YYYY-MM-DD, got '%s'", r.o->as_of);
    if (rc >= 0 && r.o->as_recorded && !plat_date_valid(r.o->as_recorded))
        rc = plat_error_set(r.ctx, PLAT_EINVALID, "--as-recorded must be a date YYYY-MM-DD, got '%s'",
                            r.o->as_recorded);
    if (rc >= 0)
        rc = load(&r);
    if (rc >= 0)
        rc = document(&r, &html, res);
    if (rc >= 0)
        rc = write_file(&r, dest, html.s, html.len);
    if (rc >= 0)
        res->bytes = (int64_t)html.len;
    else
        memset(res, 0, sizeof(*res));
    plat_buf_dispose(&html);
    rep_dispose(&r);
    return rc;
}

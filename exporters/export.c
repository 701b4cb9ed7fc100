/* exporters/export.c - what every writer exports, and how files land safely.
 *
 * The model. An export is a list of layers (xlayer): projects split by geometry type (points,
 * lines, polygons, and a table of projects without geometry), townships, coverage, and each
 * reference layer (split too when it holds several geometry types). CSV keeps one table per
 * role whatever the geometry, KML leaves out what has no geometry. Each layer has a fixed list
 * of fields with short English names and Chinese aliases (README "Exported fields"), followed
 * in GeoPackage, GeoJSON, CSV and KML by one column per kept source attribute whose name does
 * not collide with a fixed one (the whole set always stays in the `attrs` JSON text).
 *
 * Two passes. The planning pass reads the ledger once to learn which layers exist, whether
 * they need Multi* geometry types, which categories and source attributes occur and how many
 * features each will get; the writing pass (plat_export__rows) reads it again and hands each
 * row to the format's writer as an array of values plus a GEOS geometry in the working CRS.
 * Nothing is held in memory beyond one row, so a province's ledger exports like a county's.
 * Projects carry the townships and the km / m2 / 亩 the ledger keeps with them (their places and
 * measures), and are filtered by the store itself, exactly as `plat project list` shows them;
 * the locator only says which townships (and which extent of reference features) --township
 * keeps; coverage comes from plat_coverage_compute.
 *
 * Safe files. Everything is written into a fresh staging folder (.plat-export-XXXXXX) next to
 * the destination, on the same file system. Only when every file is complete are they moved
 * into place: with link() + unlink() when overwriting is not allowed, so an existing file is
 * never replaced even if it appeared meanwhile, with rename() under --overwrite. A failure at
 * any point removes the staging folder (and a destination folder this export created), so no
 * half-written file is ever left where the user looks.
 *
 * Ownership: the xport owns its layers (names, fields, categories), the filter arrays, the
 * locator, the coverage, the SRS objects and transform, the paths; plat_export__run frees
 * them all. Row values are borrowed for the duration of one callback. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "exporters_int.h"

/* ---- results, small helpers ---- */

void plat_export_result_dispose(plat_export_result *res)
{
    if (!res)
        return;
    for (int i = 0; i < res->nfiles; i++) {
        free(res->files[i].path);
        free(res->files[i].layer);
    }
    free(res->files);
    memset(res, 0, sizeof(*res));
}

int plat_export_parse_what(plat_ctx *ctx, int *what, const char *text)
{
    static const struct {
        const char *word;
        int bit;
    } words[] = { { "projects", PLAT_EXPORT_PROJECTS },   { "townships", PLAT_EXPORT_TOWNSHIPS },
                  { "coverage", PLAT_EXPORT_COVERAGE },   { "layers", PLAT_EXPORT_LAYERS },
                  { "all", PLAT_EXPORT_ALL } };
    *what = 0;
    const char *s = text ? text : "";
    while (*s) {
        size_t n = strcspn(s, ",");
        int found = 0;
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
            if (n && strlen(words[i].word) == n && strncmp(words[i].word, s, n) == 0) {
                *what |= words[i].bit;
                found = 1;
            }
        if (!found && n)
            return plat_error_set(ctx, PLAT_EUSAGE, "--what: unknown part '%.*s'; use projects, townships, coverage, "
                                                    "layers or all, separated by commas", (int)n, s);
        s += n;
        if (*s == ',')
            s++;
    }
    if (!*what)
        return plat_error_set(ctx, PLAT_EUSAGE, "--what needs at least one of projects, townships, coverage, layers");
    return 0;
}

void plat_export__warn(xport *x, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    x->warnings++;
    plat_warn(x->ctx, "%s", msg);
}

const xcat *plat_export__cat(const xport *x, const char *code)
{
    for (int i = 0; code && i < x->ncats; i++)
        if (strcmp(x->cats[i].code, code) == 0)
            return &x->cats[i];
    return NULL;
}

int plat_export__field(const xlayer *l, const char *name)
{
    for (int i = 0; i < l->nfields; i++)
        if (strcmp(l->fields[i].name, name) == 0)
            return i;
    return -1;
}

static char *path_join(const char *dir, const char *base)
{
    plat_buf b = PLAT_BUF_INIT;
    if (plat_buf_printf(&b, "%s/%s", dir, base) < 0) {
        plat_buf_dispose(&b);
        return NULL;
    }
    return plat_buf_detach(&b);
}

char *plat_export__stage_path(xport *x, const char *base)
{
    return path_join(x->stage, base);
}

static int is_file_format(int format)
{
    return format == XF_GPKG || format == XF_KML;
}

char *plat_export__shown(xport *x, const char *base)
{
    return is_file_format(x->format) ? plat_strdup(x->dest) : path_join(x->final_dir, base);
}

int plat_export__report(xport *x, const char *base, const char *layer, int64_t features)
{
    plat_export_result *r = x->res;
    plat_export_file *v = realloc(r->files, (size_t)(r->nfiles + 1) * sizeof(*v));
    if (!v)
        return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    r->files = v;
    plat_export_file *f = &v[r->nfiles];
    f->path = is_file_format(x->format) ? plat_strdup(x->dest) : path_join(x->final_dir, base);
    f->layer = plat_strdup(layer);
    f->features = features;
    if (!f->path || !f->layer) {
        free(f->path);
        free(f->layer);
        return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    }
    r->nfiles++;
    r->features += features;
    return 0;
}

/* ---- fields ---- */

typedef struct fixed {
    const char *name, *alias;
    int type;
} fixed;

/* README "Exported fields" lists these; every name fits a Shapefile's 10 bytes. */
enum {
    P_CODE, P_NAME, P_CATEGORY, P_CAT_LABEL, P_COUNTY, P_STATUS, P_STATUS_LBL, P_PROGRESS, P_DONE, P_TGT_QTY,
    P_TGT_UNIT, P_MEAS_KM, P_MEAS_M2, P_MEAS_MU, P_MEAS_PTS, P_TOWNSHIPS, P_LEAD_UNIT, P_SOURCE_DOC, P_CLAUSE,
    P_YEAR, P_INVESTMENT, P_START, P_END, P_UPDATED, P_VERSION, P_PRECISION, P_ATTRS, P_COUNT
};
static const fixed project_fields[P_COUNT] = {
    { "code", "项目编号", XT_TEXT },         { "name", "项目名称", XT_TEXT },
    { "category", "类别代码", XT_TEXT },     { "cat_label", "类别", XT_TEXT },
    { "county", "县（市、区）", XT_TEXT },   { "status", "状态代码", XT_TEXT },
    { "status_lbl", "建设状态", XT_TEXT },   { "progress", "进度（%）", XT_REAL },
    { "done", "完成量", XT_REAL },           { "tgt_qty", "目标量", XT_REAL },
    { "tgt_unit", "目标单位", XT_TEXT },     { "meas_km", "实测长度（km）", XT_REAL },
    { "meas_m2", "实测面积（m²）", XT_REAL }, { "meas_mu", "实测面积（亩）", XT_REAL },
    { "meas_pts", "实测点数", XT_INT },      { "townships", "涉及乡镇", XT_TEXT },
    { "lead_unit", "牵头单位", XT_TEXT },    { "source_doc", "依据文件", XT_TEXT },
    { "clause", "规划条款", XT_TEXT },       { "year", "年度", XT_INT },
    { "investment", "投资（万元）", XT_REAL }, { "start_date", "开工日期", XT_TEXT },
    { "end_date", "完工日期", XT_TEXT },     { "updated_at", "更新时间", XT_TEXT },
    { "version", "台账版本", XT_INT64 },     { "precision", "定位精度", XT_TEXT },
    { "attrs", "原始属性（JSON）", XT_TEXT },
};

enum { T_CODE, T_NAME, T_CNTY_CODE, T_COUNTY, T_AREA_KM2, T_AREA_MU, T_SOURCE, T_COUNT };
static const fixed township_fields[T_COUNT] = {
    { "code", "乡镇代码", XT_TEXT },       { "name", "乡镇名称", XT_TEXT }, { "cnty_code", "县代码", XT_TEXT },
    { "county", "县（市、区）", XT_TEXT }, { "area_km2", "面积（km²）", XT_REAL },
    { "area_mu", "面积（亩）", XT_REAL },  { "source", "边界来源", XT_TEXT },
};

enum { C_CODE, C_NAME, C_COUNTY, C_MEASURE, C_AREA_KM2, C_PROJECTS, C_LINE_KM, C_POLY_M2, C_POLY_HA, C_POLY_MU,
       C_POINTS, C_SHARE, C_ROAD_DENS, C_COUNT };
static const fixed coverage_fields[C_COUNT] = {
    { "code", "乡镇代码", XT_TEXT },           { "name", "乡镇名称", XT_TEXT },
    { "county", "县（市、区）", XT_TEXT },     { "measure", "量算方式", XT_TEXT },
    { "area_km2", "乡镇面积（km²）", XT_REAL }, { "projects", "项目数", XT_INT },
    { "line_km", "项目线长（km）", XT_REAL },  { "poly_m2", "项目面积（m²）", XT_REAL },
    { "poly_ha", "项目面积（公顷）", XT_REAL }, { "poly_mu", "项目面积（亩）", XT_REAL },
    { "points", "项目点数", XT_INT },          { "share", "面积覆盖率", XT_REAL },
    { "road_dens", "线密度（km/km²）", XT_REAL },
};

enum { R_SRC_FID, R_ATTRS, R_COUNT };
static const fixed reference_fields[R_COUNT] = {
    { "src_fid", "源要素编号", XT_INT64 },
    { "attrs", "原始属性（JSON）", XT_TEXT },
};

/* Source attribute names that never become columns of their own: the drivers' own columns
 * (GeoPackage fid and geom, the CSV's WKT) and the KML description. */
static const char *const reserved[] = { "fid", "geom", "wkt", "geometry", "ogc_fid", "description", NULL };

static int add_field(xport *x, xlayer *l, const char *name, const char *alias, int type, int attr)
{
    xfield *v = realloc(l->fields, (size_t)(l->nfields + 1) * sizeof(*v));
    if (!v)
        return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    l->fields = v;
    xfield *f = &v[l->nfields];
    f->name = plat_strdup(name);
    f->out = plat_strdup(name);
    f->alias = plat_strdup(alias ? alias : name);
    f->type = type;
    f->attr = attr;
    if (!f->name || !f->out || !f->alias) {
        free(f->name);
        free(f->out);
        free(f->alias);
        return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    }
    l->nfields++;
    return 0;
}

static int add_fixed(xport *x, xlayer *l, const fixed *f, int n)
{
    int rc = 0;
    for (int i = 0; rc >= 0 && i < n; i++)
        rc = add_field(x, l, f[i].name, f[i].alias, f[i].type, 0);
    return rc;
}

/* ---- kept source attributes: which keys occur, with which type ---- */

typedef struct akey {
    char *key;
    int type;
} akey;
typedef struct akeys {
    akey *v;
    int n;
} akeys;

static void akeys_dispose(akeys *k)
{
    for (int i = 0; k && i < k->n; i++)
        free(k->v[i].key);
    if (k)
        free(k->v);
}

static int json_xtype(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_int:
        return XT_INT64;
    case json_type_double:
        return XT_REAL;
    default:
        return XT_TEXT;
    }
}

/* Note the keys of one attrs object. An integer column seeing a decimal becomes real; any
 * other disagreement makes it text. */
static int akeys_add(xport *x, akeys *k, const char *attrs)
{
    if (!attrs)
        return 0;
    json_object *o = json_tokener_parse(attrs);
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return 0; /* not an object: it still goes out whole in `attrs` */
    }
    int rc = 0;
    json_object_object_foreach(o, key, val)
    {
        if (!val)
            continue; /* null says nothing about the type */
        int t = json_xtype(val), i;
        for (i = 0; i < k->n; i++)
            if (strcmp(k->v[i].key, key) == 0)
                break;
        if (i < k->n) {
            int *have = &k->v[i].type;
            if (*have != t)
                *have = (*have != XT_TEXT && t != XT_TEXT) ? XT_REAL : XT_TEXT;
            continue;
        }
        akey *v = realloc(k->v, (size_t)(k->n + 1) * sizeof(*v));
        if (!v || !(v[k->n].key = plat_strdup(key))) {
            if (v)
                k->v = v;
            rc = plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
            break;
        }
        k->v = v;
        v[k->n].type = t;
        k->n++;
    }
    json_object_put(o);
    return rc;
}

static int name_taken(const xlayer *l, const char *name)
{
    for (int i = 0; i < l->nfields; i++)
        if (strcasecmp(l->fields[i].name, name) == 0)
            return 1;
    for (int i = 0; reserved[i]; i++)
        if (strcasecmp(reserved[i], name) == 0)
            return 1;
    return 0;
}

/* Columns for the kept source attributes whose names are free (compared as SQLite and DBF
 * compare them: ignoring ASCII case), in the order first seen. */
static int add_attr_fields(xport *x, xlayer *l, const akeys *k)
{
    if (x->format == XF_SHP)
        return 0; /* Shapefile: `attrs` only; DBF names and widths cannot hold them faithfully */
    for (int i = 0; i < k->n; i++) {
        const char *key = k->v[i].key;
        size_t n = strlen(key);
        int bad = n == 0 || n > 64 || !plat_utf8_valid(key, n);
        for (size_t j = 0; j < n && !bad; j++)
            bad = (unsigned char)key[j] < 0x20 || key[j] == '"';
        if (bad || name_taken(l, key))
            continue;
        int rc = add_field(x, l, key, key, k->v[i].type, 1);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- layers ---- */

static xlayer *new_layer(xport *x, int role, int kind, const char *table, const char *title, const char *ref)
{
    xlayer *v = realloc(x->layers, (size_t)(x->nlayers + 1) * sizeof(*v));
    if (!v) {
        plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        return NULL;
    }
    x->layers = v;
    xlayer *l = &v[x->nlayers];
    memset(l, 0, sizeof(*l));
    l->role = role;
    l->kind = kind;
    l->table = plat_strdup(table);
    l->title = plat_strdup(title);
    l->ref = plat_strdup(ref);
    if (!l->table || !l->title || (ref && !l->ref)) {
        free(l->table);
        free(l->title);
        free(l->ref);
        plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        return NULL;
    }
    x->nlayers++;
    return l;
}

static void layer_dispose(xlayer *l)
{
    for (int i = 0; i < l->nfields; i++) {
        free(l->fields[i].name);
        free(l->fields[i].out);
        free(l->fields[i].alias);
    }
    free(l->fields);
    for (int i = 0; i < l->ncats; i++)
        free(l->cats[i]);
    free(l->cats);
    free(l->table);
    free(l->title);
    free(l->ref);
}

/* Bucket of a geometry kind: 0 points, 1 lines, 2 polygons, 3 no geometry. */
static const int bucket_kind[4] = { PLAT_GEOM_POINT, PLAT_GEOM_LINE, PLAT_GEOM_POLYGON, 0 };
static const char *const bucket_suffix[4] = { "points", "lines", "polygons", "nogeom" };
static const char *const bucket_zh[4] = { "点", "线", "面", "未上图" };

static int kind_of_type(int type)
{
    switch (type) {
    case GEOS_POINT:
    case GEOS_MULTIPOINT:
        return PLAT_GEOM_POINT;
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
    case GEOS_MULTILINESTRING:
        return PLAT_GEOM_LINE;
    case GEOS_POLYGON:
    case GEOS_MULTIPOLYGON:
        return PLAT_GEOM_POLYGON;
    default:
        return 0;
    }
}

/* Count the non-empty single parts of g by kind: cnt[0] points, cnt[1] lines, cnt[2] polygons. */
static void count_parts(GEOSContextHandle_t h, const GEOSGeometry *g, int cnt[3])
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_GEOMETRYCOLLECTION || type == GEOS_MULTIPOINT || type == GEOS_MULTILINESTRING ||
        type == GEOS_MULTIPOLYGON) {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++)
            count_parts(h, GEOSGetGeometryN_r(h, g, i), cnt);
        return;
    }
    if (GEOSisEmpty_r(h, g) != 0)
        return;
    int k = kind_of_type(type);
    cnt[k == PLAT_GEOM_POINT ? 0 : k == PLAT_GEOM_LINE ? 1 : 2] += k != 0;
}

static int collect_parts(GEOSContextHandle_t h, const GEOSGeometry *g, int kind, GEOSGeometry ***v, int *n)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_GEOMETRYCOLLECTION || type == GEOS_MULTIPOINT || type == GEOS_MULTILINESTRING ||
        type == GEOS_MULTIPOLYGON) {
        int m = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < m; i++)
            if (collect_parts(h, GEOSGetGeometryN_r(h, g, i), kind, v, n) < 0)
                return -1;
        return 0;
    }
    if (kind_of_type(type) != kind || GEOSisEmpty_r(h, g) != 0)
        return 0;
    GEOSGeometry **nv = realloc(*v, (size_t)(*n + 1) * sizeof(**v));
    if (!nv)
        return -1;
    *v = nv;
    if (!(nv[*n] = GEOSGeom_clone_r(h, g)))
        return -1;
    (*n)++;
    return 0;
}

/* The parts of g of one kind as one new geometry: a single part as it is, or a Multi* of
 * them (always Multi* when multi is set, so one layer has one geometry type). NULL when g has
 * no part of that kind; *failed set when memory ran out. */
static GEOSGeometry *parts_of(GEOSContextHandle_t h, const GEOSGeometry *g, int kind, int multi, int *failed)
{
    GEOSGeometry **v = NULL, *out = NULL;
    int n = 0;
    *failed = 0;
    if (collect_parts(h, g, kind, &v, &n) < 0) {
        *failed = 1;
    } else if (n == 1 && !multi) {
        out = v[0];
        n = 0;
    } else if (n > 0) {
        int t = kind == PLAT_GEOM_POINT ? GEOS_MULTIPOINT : kind == PLAT_GEOM_LINE ? GEOS_MULTILINESTRING
                                                                                   : GEOS_MULTIPOLYGON;
        /* The collection takes the parts themselves, not the array. */
        if ((out = GEOSGeom_createCollection_r(h, t, v, (unsigned)n)))
            n = 0;
        else
            *failed = 1;
    }
    for (int i = 0; i < n; i++)
        GEOSGeom_destroy_r(h, v[i]);
    free(v);
    return out;
}

/* ---- the planning pass ---- */

typedef struct bucket {
    int64_t count;
    int multi;
    unsigned char *cats; /* x->ncats flags */
    akeys keys;
} bucket;

typedef struct plan_state {
    xport *x;
    bucket b[4];
} plan_state;

static int cat_index(const xport *x, const char *code)
{
    for (int i = 0; code && i < x->ncats; i++)
        if (strcmp(x->cats[i].code, code) == 0)
            return i;
    return -1;
}

static void note_bucket(plan_state *s, int b, int parts, int ci)
{
    s->b[b].count++;
    if (parts > 1)
        s->b[b].multi = 1;
    if (ci >= 0)
        s->b[b].cats[ci] = 1;
}

static int plan_project(const plat_project *p, void *ud)
{
    plan_state *s = ud;
    xport *x = s->x;
    int ci = cat_index(x, p->category), cnt[3] = { 0, 0, 0 }, rc;
    if (p->wkb) {
        GEOSGeometry *g = NULL;
        if ((rc = plat_geom_from_wkb(x->ctx, &g, p->wkb, p->wkb_size)) < 0)
            return plat_error_set(x->ctx, rc, "project %s: unreadable geometry in the ledger", p->code);
        count_parts(x->h, g, cnt);
        GEOSGeom_destroy_r(x->h, g);
    }
    int any = cnt[0] + cnt[1] + cnt[2] > 0;
    if (x->format == XF_CSV) { /* one table: bucket 0 */
        note_bucket(s, 0, 0, ci);
        return akeys_add(x, &s->b[0].keys, p->attrs);
    }
    for (int b = 0; b < 3; b++)
        if (cnt[b]) {
            note_bucket(s, b, cnt[b], ci);
            if ((rc = akeys_add(x, &s->b[b].keys, p->attrs)) < 0)
                return rc;
        }
    if (!any) {
        note_bucket(s, 3, 0, ci);
        return akeys_add(x, &s->b[3].keys, p->attrs);
    }
    return 0;
}

static int layer_cats(xport *x, xlayer *l, const unsigned char *flags)
{
    for (int i = 0; i < x->ncats; i++) {
        if (!flags[i])
            continue;
        char **v = realloc(l->cats, (size_t)(l->ncats + 1) * sizeof(*v));
        if (!v || !(v[l->ncats] = plat_strdup(x->cats[i].code))) {
            if (v)
                l->cats = v;
            return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        }
        l->cats = v;
        l->ncats++;
    }
    return 0;
}

static int plan_projects(xport *x)
{
    plan_state s;
    memset(&s, 0, sizeof(s));
    s.x = x;
    int rc = 0;
    for (int b = 0; b < 4; b++)
        if (!(s.b[b].cats = calloc((size_t)x->ncats + 1, 1)))
            rc = plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    plat_project_filter f = { .township = x->o->township, .county = x->o->county,
                              .category = x->category[0] ? x->category : NULL, .status = x->status,
                              .as_of = x->o->as_of, .as_recorded = x->o->as_recorded };
    if (rc >= 0)
        rc = plat_project_foreach(x->db, &f, plan_project, &s);
    for (int b = 0; rc >= 0 && b < 4; b++) {
        if (!s.b[b].count)
            continue;
        if (x->format == XF_KML && b == 3) {
            plat_export__warn(x, "%lld project%s without geometry %s not in the KML (the other formats keep them)",
                              (long long)s.b[b].count, s.b[b].count == 1 ? "" : "s",
                              s.b[b].count == 1 ? "is" : "are");
            continue;
        }
        char table[64], title[64];
        int csv = x->format == XF_CSV;
        snprintf(table, sizeof table, csv ? "projects" : "projects_%s", bucket_suffix[b]);
        snprintf(title, sizeof title, csv ? "项目" : "项目（%s）", bucket_zh[b]);
        xlayer *l = new_layer(x, XR_PROJECTS, csv ? XK_ANY : bucket_kind[b], table, title, NULL);
        if (!l) {
            rc = PLAT_ENOMEM;
            break;
        }
        l->multi = s.b[b].multi;
        l->planned = s.b[b].count;
        if ((rc = add_fixed(x, l, project_fields, P_COUNT)) < 0 || (rc = add_attr_fields(x, l, &s.b[b].keys)) < 0 ||
            (rc = layer_cats(x, l, s.b[b].cats)) < 0)
            break;
    }
    for (int b = 0; b < 4; b++) {
        free(s.b[b].cats);
        akeys_dispose(&s.b[b].keys);
    }
    return rc;
}

/* Townships the filters keep: --township's list, --county by name or code. */
static int township_selected(const xport *x, int i, const plat_township *t)
{
    if (x->only) {
        int in = 0;
        for (int k = 0; k < x->nonly && !in; k++)
            in = x->only[k] == i;
        if (!in)
            return 0;
    }
    const char *c = x->o->county;
    return !c || (t->county && strcmp(t->county, c) == 0) || (t->county_code && strcmp(t->county_code, c) == 0);
}

typedef struct tw_count {
    const xport *x;
    int i;
    int64_t n;
} tw_count;

static int count_township(const plat_township *t, void *ud)
{
    tw_count *c = ud;
    c->n += township_selected(c->x, c->i++, t);
    return 0;
}

static double row_share(const plat_coverage_row *r)
{
    return r->area_m2 > 0 ? r->all.area_m2 / r->area_m2 : 0;
}

static double row_density(const plat_coverage_row *r)
{
    return r->area_m2 > 0 ? (r->all.line_m / 1000.0) / (r->area_m2 / 1e6) : 0;
}

static int plan_townships(xport *x)
{
    tw_count c = { x, 0, 0 };
    int rc = plat_township_foreach(x->db, count_township, &c);
    if (rc < 0)
        return rc;
    if (!c.n) {
        if (x->what & (PLAT_EXPORT_TOWNSHIPS | PLAT_EXPORT_COVERAGE))
            plat_export__warn(x, "%s", x->srid && plat_township_count(x->db) > 0
                                           ? "no township matches the filters: no township or coverage layer"
                                           : "the ledger has no townships: no township or coverage layer "
                                             "(plat township import FILE)");
        return 0;
    }
    if (x->what & PLAT_EXPORT_TOWNSHIPS) {
        xlayer *l = new_layer(x, XR_TOWNSHIPS, PLAT_GEOM_POLYGON, "townships", "乡镇边界", NULL);
        if (!l || (rc = add_fixed(x, l, township_fields, T_COUNT)) < 0)
            return l ? rc : PLAT_ENOMEM;
        l->multi = 1; /* a township may be several polygons (islands, exclaves) */
        l->planned = c.n;
    }
    if (!(x->what & PLAT_EXPORT_COVERAGE))
        return 0;
    plat_coverage_options co = PLAT_COVERAGE_OPTIONS_INIT;
    co.category = x->category[0] ? x->category : NULL;
    co.status = x->status;
    co.planar = x->o->planar;
    co.as_of = x->o->as_of;
    co.as_recorded = x->o->as_recorded;
    if ((rc = plat_coverage_compute(x->db, &x->cov, &co)) < 0)
        return rc;
    xlayer *l = new_layer(x, XR_COVERAGE, PLAT_GEOM_POLYGON, "coverage", "乡镇项目覆盖", NULL);
    if (!l || (rc = add_fixed(x, l, coverage_fields, C_COUNT)) < 0)
        return l ? rc : PLAT_ENOMEM;
    l->multi = 1;
    l->planned = c.n;
    /* One count, km and 亩 column per category present, in the ledger's category order. */
    const plat_coverage *cov = x->cov;
    for (int k = 0; k < cov->ncategories && rc >= 0; k++) {
        const plat_cov_sum *s = &cov->totals.by_category[k];
        const xcat *cat = plat_export__cat(x, cov->categories[k]);
        const char *zh = cat ? cat->label : cov->categories[k];
        char name[96], alias[160];
        if (!s->projects)
            continue;
        snprintf(name, sizeof name, "n_%s", cov->categories[k]);
        snprintf(alias, sizeof alias, "%s项目数", zh);
        rc = add_field(x, l, name, alias, XT_INT, 0);
        if (rc >= 0 && s->line_m > 0) {
            snprintf(name, sizeof name, "km_%s", cov->categories[k]);
            snprintf(alias, sizeof alias, "%s线长（km）", zh);
            rc = add_field(x, l, name, alias, XT_REAL, 0);
        }
        if (rc >= 0 && s->area_m2 > 0) {
            snprintf(name, sizeof name, "mu_%s", cov->categories[k]);
            snprintf(alias, sizeof alias, "%s面积（亩）", zh);
            rc = add_field(x, l, name, alias, XT_REAL, 0);
        }
    }
    /* The choropleth shows what the projects have most of: covered area where there are
     * project polygons, else the density of project lines, else the number of projects. */
    l->grad_field = cov->totals.all.area_m2 > 0 ? "share" : cov->totals.all.line_m > 0 ? "road_dens" : "projects";
    for (int i = 0; i < cov->nrows; i++) {
        const plat_coverage_row *r = &cov->rows[i];
        double v = strcmp(l->grad_field, "share") == 0       ? row_share(r)
                   : strcmp(l->grad_field, "road_dens") == 0 ? row_density(r)
                                                             : r->all.projects;
        if (v > l->grad_max)
            l->grad_max = v;
    }
    return rc;
}

/* ---- reference layers ---- */

typedef struct ref_info {
    char **names;
    char (*kinds)[24];
    int n;
} ref_info;

static int take_ref(const plat_layer_info *li, void *ud)
{
    ref_info *r = ud;
    char **v = realloc(r->names, (size_t)(r->n + 1) * sizeof(*v));
    if (!v)
        return PLAT_ENOMEM;
    r->names = v;
    char(*k)[24] = realloc(r->kinds, (size_t)(r->n + 1) * sizeof(*k));
    if (!k)
        return PLAT_ENOMEM;
    r->kinds = k;
    snprintf(k[r->n], sizeof k[r->n], "%s", li->kind ? li->kind : "other");
    if (!(v[r->n] = plat_strdup(li->name)))
        return PLAT_ENOMEM;
    r->n++;
    return 0;
}

typedef struct ref_plan {
    xport *x;
    const char *name;
    bucket b[3];
    int csv_multi;
} ref_plan;

static int plan_feature(const plat_feature *f, void *ud)
{
    ref_plan *s = ud;
    xport *x = s->x;
    GEOSGeometry *g = NULL;
    int cnt[3] = { 0, 0, 0 }, rc = plat_geom_from_wkb(x->ctx, &g, f->wkb, f->wkb_size);
    if (rc < 0)
        return plat_error_set(x->ctx, rc, "layer '%s' feature %lld: unreadable geometry in the ledger", s->name,
                              (long long)f->id);
    count_parts(x->h, g, cnt);
    GEOSGeom_destroy_r(x->h, g);
    for (int b = 0; b < 3; b++)
        if (cnt[b] || (x->format == XF_CSV && b == 0)) {
            s->b[b].count++;
            s->b[b].multi |= cnt[b] > 1;
            if ((rc = akeys_add(x, &s->b[b].keys, f->attrs)) < 0)
                return rc;
            if (x->format == XF_CSV)
                break;
        }
    return 0;
}

/* A layer name becomes a file and table name: it must stay a plain name inside DEST. */
static int check_ref_name(xport *x, const char *name)
{
    const char *bad = NULL;
    if (name[0] == '.' || name[0] == ' ' || name[strlen(name) - 1] == ' ')
        bad = "starts with a dot or begins or ends with a blank";
    for (const char *p = name; *p && !bad; p++) {
        if ((unsigned char)*p < 0x20)
            bad = "holds a control character";
        else if (strchr("/\\|:*?\"<>", *p))
            bad = "holds one of / \\ | : * ? \" < >";
    }
    if (!bad)
        return 0;
    return plat_error_set(x->ctx, PLAT_EINVALID,
                          "reference layer '%s' cannot be exported: its name %s, and it would become a file name "
                          "that escapes or breaks %s; leave the layers out (--what projects,townships,coverage) "
                          "or import it again under a plain name",
                          name, bad, x->dest);
}

static int plan_references(xport *x)
{
    ref_info r = { NULL, NULL, 0 };
    int rc = plat_layer_foreach(x->db, take_ref, &r);
    if (rc == PLAT_ENOMEM)
        plat_error_set(x->ctx, rc, "out of memory");
    for (int i = 0; rc >= 0 && i < r.n; i++)
        rc = check_ref_name(x, r.names[i]);
    for (int i = 0; rc >= 0 && i < r.n; i++) {
        ref_plan s;
        memset(&s, 0, sizeof(s));
        s.x = x;
        s.name = r.names[i];
        rc = plat_layer_foreach_feature(x->db, r.names[i], x->box, x->box_size, plan_feature, &s);
        int kinds = 0;
        for (int b = 0; b < 3; b++)
            kinds += s.b[b].count > 0;
        for (int b = 0; rc >= 0 && b < 3; b++) {
            if (!s.b[b].count)
                continue;
            char table[160], title[160];
            int csv = x->format == XF_CSV, split = kinds > 1 && !csv;
            snprintf(table, sizeof table, split ? "layer_%s_%s" : "layer_%s", r.names[i], bucket_suffix[b]);
            snprintf(title, sizeof title, split ? "%s（%s）" : "%s", r.names[i], bucket_zh[b]);
            xlayer *l = new_layer(x, XR_REFERENCE, csv ? XK_ANY : bucket_kind[b], table, title, r.names[i]);
            if (!l) {
                rc = PLAT_ENOMEM;
                break;
            }
            l->multi = s.b[b].multi;
            l->planned = s.b[b].count;
            memcpy(l->ref_kind, r.kinds[i], sizeof l->ref_kind);
            if ((rc = add_fixed(x, l, reference_fields, R_COUNT)) >= 0)
                rc = add_attr_fields(x, l, &s.b[b].keys);
        }
        if (rc >= 0 && !kinds)
            plat_export__warn(x, "reference layer '%s' has no feature %s: left out", r.names[i],
                              x->only ? "near the chosen townships" : "at all");
        for (int b = 0; b < 3; b++)
            akeys_dispose(&s.b[b].keys);
    }
    for (int i = 0; i < r.n; i++)
        free(r.names[i]);
    free(r.names);
    free(r.kinds);
    return rc;
}

/* Table names must differ (ignoring case: SQLite and Windows file names) and must not be the
 * GeoPackage's layer_styles; titles must differ too (gpkg_contents.identifier is UNIQUE, and
 * two folders of one name confuse KML users). A reference layer called 乡镇边界 or `styles`
 * is therefore renamed in the export: 乡镇边界（2）, layer_styles_2. */
static int taken_name(const xport *x, int upto, const char *s, int title)
{
    if (!title && strcasecmp(s, "layer_styles") == 0)
        return 1;
    for (int i = 0; i < upto; i++)
        if ((title ? strcmp(x->layers[i].title, s) : strcasecmp(x->layers[i].table, s)) == 0)
            return 1;
    return 0;
}

static int make_unique(xport *x)
{
    for (int i = 0; i < x->nlayers; i++) {
        xlayer *l = &x->layers[i];
        for (int title = 0; title < 2; title++) {
            char **s = title ? &l->title : &l->table;
            for (int k = 2; taken_name(x, i, *s, title); k++) {
                plat_buf b = PLAT_BUF_INIT;
                const char *base = title ? l->title : l->table;
                if (plat_buf_printf(&b, title ? "%s（%d）" : "%s_%d", base, k) < 0) {
                    plat_buf_dispose(&b);
                    return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
                }
                if (!taken_name(x, i, plat_buf_cstr(&b), title)) {
                    plat_export__warn(x, "layer %s is exported as %s: the name is taken", base, plat_buf_cstr(&b));
                    free(*s);
                    *s = plat_buf_detach(&b);
                    break;
                }
                plat_buf_dispose(&b);
            }
        }
    }
    return 0;
}

/* ---- the writing pass: rows ---- */

typedef struct rows_state {
    xport *x;
    xlayer *l;
    xrow_fn fn;
    void *ud;
    xvalue *v;
    int index; /* township counter */
} rows_state;

static void set_text(xvalue *v, const char *s)
{
    v->set = s != NULL && *s;
    v->s = s;
}

static void set_real(xvalue *v, double d)
{
    v->set = 1;
    v->d = d;
}

static void set_int(xvalue *v, int64_t i)
{
    v->set = 1;
    v->i = i;
}

/* The kept source attributes of a row into their columns. o may be NULL. */
static void attr_values(const xlayer *l, xvalue *v, json_object *o)
{
    for (int i = 0; i < l->nfields; i++) {
        if (!l->fields[i].attr)
            continue;
        json_object *a = NULL;
        memset(&v[i], 0, sizeof(v[i]));
        if (!o || !json_object_object_get_ex(o, l->fields[i].name, &a) || !a)
            continue;
        if (l->fields[i].type == XT_INT64)
            set_int(&v[i], json_object_get_int64(a));
        else if (l->fields[i].type == XT_REAL)
            set_real(&v[i], json_object_get_double(a));
        else
            set_text(&v[i], json_object_get_string(a));
    }
}

/* The geometry of a row for layer l: the whole of it (XK_ANY), or the part of l's kind
 * (*skip when there is none), or nothing for a layer without geometry (*skip when there is one). */
static int row_geometry(xport *x, xlayer *l, const unsigned char *wkb, size_t size, GEOSGeometry **out, int *skip)
{
    GEOSGeometry *g = NULL;
    *out = NULL;
    *skip = 0;
    if (!wkb) {
        *skip = l->kind != 0 && l->kind != XK_ANY;
        return 0;
    }
    int rc = plat_geom_from_wkb(x->ctx, &g, wkb, size);
    if (rc < 0)
        return rc;
    if (l->kind == XK_ANY) {
        *out = g;
        return 0;
    }
    if (l->kind == 0) {
        int cnt[3] = { 0, 0, 0 };
        count_parts(x->h, g, cnt);
        *skip = cnt[0] + cnt[1] + cnt[2] > 0;
        GEOSGeom_destroy_r(x->h, g);
        return 0;
    }
    int failed;
    *out = parts_of(x->h, g, l->kind, l->multi, &failed);
    GEOSGeom_destroy_r(x->h, g);
    if (failed)
        return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    *skip = *out == NULL;
    return 0;
}

static int add_town(const plat_place_row *r, void *ud)
{
    plat_buf *b = ud;
    return plat_buf_printf(b, "%s%s", b->len ? ";" : "", r->name) < 0 ? PLAT_ENOMEM : 0;
}

static int project_row(const plat_project *p, void *ud)
{
    rows_state *s = ud;
    xport *x = s->x;
    xlayer *l = s->l;
    xvalue *v = s->v;
    GEOSGeometry *g = NULL;
    plat_buf towns = PLAT_BUF_INIT;
    json_object *o = NULL;
    int skip, rc = row_geometry(x, l, p->wkb, p->wkb_size, &g, &skip);
    if (rc < 0 || skip)
        goto done;
    /* The townships and measures the ledger keeps with the project, as `plat project list`
     * shows them: what the whole project measures, whatever part of it this layer draws. */
    if (p->wkb && (x->o->as_of || x->o->as_recorded)) {
        /* read at an earlier moment: where its geometry of then lies, measured afresh */
        plat_placement where;
        if ((rc = plat_locator_place(x->loc, &where, p->wkb, p->wkb_size, 0)) < 0)
            goto done;
        for (int i = 0; rc >= 0 && i < where.n; i++) {
            plat_place_row r = { where.places[i].code, where.places[i].name, where.places[i].county,
                                 where.places[i].q };
            rc = add_town(&r, &towns);
        }
        plat_placement_dispose(&where);
        if (rc < 0) {
            rc = plat_error_set(x->ctx, rc, "out of memory");
            goto done;
        }
    } else if (p->wkb && (rc = plat_project_places(x->db, p->id, x->o->planar, add_town, &towns)) != 0) {
        rc = rc == PLAT_ENOMEM ? plat_error_set(x->ctx, rc, "out of memory") : rc;
        goto done;
    }
    int kinds = p->wkb ? p->kinds : 0;
    plat_quantity q = x->o->planar ? p->measured_planar : p->measured;
    memset(v, 0, (size_t)l->nfields * sizeof(*v));
    const xcat *cat = plat_export__cat(x, p->category);
    set_text(&v[P_CODE], p->code);
    set_text(&v[P_NAME], p->name);
    set_text(&v[P_CATEGORY], p->category);
    set_text(&v[P_CAT_LABEL], cat ? cat->label : p->category);
    set_text(&v[P_COUNTY], p->county);
    set_text(&v[P_STATUS], p->status);
    set_text(&v[P_STATUS_LBL], plat_status_label(p->status));
    set_real(&v[P_PROGRESS], p->progress);
    if (p->has_done)
        set_real(&v[P_DONE], p->done);
    if (p->has_target) {
        set_real(&v[P_TGT_QTY], p->target_qty);
        set_text(&v[P_TGT_UNIT], p->target_unit);
    }
    if (kinds & PLAT_GEOM_LINE)
        set_real(&v[P_MEAS_KM], q.length_m / 1000.0);
    if (kinds & PLAT_GEOM_POLYGON) {
        set_real(&v[P_MEAS_M2], q.area_m2);
        set_real(&v[P_MEAS_MU], q.area_m2 / PLAT_M2_PER_MU);
    }
    if (kinds & PLAT_GEOM_POINT)
        set_int(&v[P_MEAS_PTS], q.points);
    set_text(&v[P_TOWNSHIPS], plat_buf_cstr(&towns));
    set_text(&v[P_LEAD_UNIT], p->lead_unit);
    set_text(&v[P_SOURCE_DOC], p->source_doc);
    set_text(&v[P_CLAUSE], p->clause);
    if (p->year)
        set_int(&v[P_YEAR], p->year);
    if (p->has_investment)
        set_real(&v[P_INVESTMENT], p->investment);
    set_text(&v[P_START], p->start_date);
    set_text(&v[P_END], p->end_date);
    set_text(&v[P_UPDATED], p->updated_at);
    /* the copy this row is: project import --upsert refuses it once the project has moved on */
    set_int(&v[P_VERSION], p->version);
    set_text(&v[P_PRECISION], p->precision);
    set_text(&v[P_ATTRS], p->attrs);
    o = p->attrs ? json_tokener_parse(p->attrs) : NULL;
    attr_values(l, v, o && json_object_is_type(o, json_type_object) ? o : NULL);
    rc = s->fn(x, l, v, g, s->ud);
done:
    json_object_put(o);
    plat_buf_dispose(&towns);
    GEOSGeom_destroy_r(x->h, g);
    return rc < 0 ? rc : 0;
}

static const plat_coverage_row *coverage_row(const xport *x, int i, const char *code)
{
    const plat_coverage *cov = x->cov;
    if (i < cov->nrows && strcmp(cov->rows[i].code, code) == 0)
        return &cov->rows[i];
    for (int k = 0; k < cov->nrows; k++) /* rows follow the townships' order; this is a fallback */
        if (strcmp(cov->rows[k].code, code) == 0)
            return &cov->rows[k];
    return NULL;
}

static int township_row(const plat_township *t, void *ud)
{
    rows_state *s = ud;
    xport *x = s->x;
    xlayer *l = s->l;
    xvalue *v = s->v;
    int i = s->index++;
    if (!township_selected(x, i, t))
        return 0;
    GEOSGeometry *g = NULL;
    int skip, rc = row_geometry(x, l, t->wkb, t->wkb_size, &g, &skip);
    if (rc < 0 || skip)
        return rc;
    memset(v, 0, (size_t)l->nfields * sizeof(*v));
    double area = x->o->planar ? t->planar_area_m2 : t->area_m2;
    if (l->role == XR_TOWNSHIPS) {
        set_text(&v[T_CODE], t->code);
        set_text(&v[T_NAME], t->name);
        set_text(&v[T_CNTY_CODE], t->county_code);
        set_text(&v[T_COUNTY], t->county);
        set_real(&v[T_AREA_KM2], area / 1e6);
        set_real(&v[T_AREA_MU], area / PLAT_M2_PER_MU);
        set_text(&v[T_SOURCE], t->source);
    } else {
        const plat_coverage_row *r = coverage_row(x, i, t->code);
        if (!r) {
            GEOSGeom_destroy_r(x->h, g);
            return plat_error_set(x->ctx, PLAT_EINTERNAL, "township %s has no coverage row", t->code);
        }
        set_text(&v[C_CODE], t->code);
        set_text(&v[C_NAME], t->name);
        set_text(&v[C_COUNTY], t->county);
        set_text(&v[C_MEASURE], x->cov->planar ? "planar" : "ellipsoidal");
        set_real(&v[C_AREA_KM2], r->area_m2 / 1e6);
        set_int(&v[C_PROJECTS], r->all.projects);
        set_real(&v[C_LINE_KM], r->all.line_m / 1000.0);
        set_real(&v[C_POLY_M2], r->all.area_m2);
        set_real(&v[C_POLY_HA], r->all.area_m2 / 1e4);
        set_real(&v[C_POLY_MU], r->all.area_m2 / PLAT_M2_PER_MU);
        set_int(&v[C_POINTS], r->all.points);
        set_real(&v[C_SHARE], row_share(r));
        set_real(&v[C_ROAD_DENS], row_density(r));
        for (int k = 0; k < x->cov->ncategories; k++) {
            char name[96];
            const plat_cov_sum *cs = &r->by_category[k];
            int f;
            snprintf(name, sizeof name, "n_%s", x->cov->categories[k]);
            if ((f = plat_export__field(l, name)) >= 0)
                set_int(&v[f], cs->projects);
            snprintf(name, sizeof name, "km_%s", x->cov->categories[k]);
            if ((f = plat_export__field(l, name)) >= 0)
                set_real(&v[f], cs->line_m / 1000.0);
            snprintf(name, sizeof name, "mu_%s", x->cov->categories[k]);
            if ((f = plat_export__field(l, name)) >= 0)
                set_real(&v[f], cs->area_m2 / PLAT_M2_PER_MU);
        }
    }
    rc = s->fn(x, l, v, g, s->ud);
    GEOSGeom_destroy_r(x->h, g);
    return rc < 0 ? rc : 0;
}

static int feature_row(const plat_feature *f, void *ud)
{
    rows_state *s = ud;
    xport *x = s->x;
    xlayer *l = s->l;
    xvalue *v = s->v;
    GEOSGeometry *g = NULL;
    int skip, rc = row_geometry(x, l, f->wkb, f->wkb_size, &g, &skip);
    if (rc < 0 || skip)
        return rc;
    memset(v, 0, (size_t)l->nfields * sizeof(*v));
    if (f->fid >= 0)
        set_int(&v[R_SRC_FID], f->fid);
    set_text(&v[R_ATTRS], f->attrs);
    json_object *o = f->attrs ? json_tokener_parse(f->attrs) : NULL;
    attr_values(l, v, o && json_object_is_type(o, json_type_object) ? o : NULL);
    rc = s->fn(x, l, v, g, s->ud);
    json_object_put(o);
    GEOSGeom_destroy_r(x->h, g);
    return rc < 0 ? rc : 0;
}

int plat_export__rows(xport *x, xlayer *l, xrow_fn fn, void *ud)
{
    rows_state s = { x, l, fn, ud, NULL, 0 };
    if (!(s.v = calloc((size_t)l->nfields + 1, sizeof(*s.v))))
        return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    int rc;
    if (l->role == XR_PROJECTS) {
        plat_project_filter f = { .township = x->o->township, .county = x->o->county,
                                  .category = x->category[0] ? x->category : NULL, .status = x->status,
                                  .as_of = x->o->as_of, .as_recorded = x->o->as_recorded };
        rc = plat_project_foreach(x->db, &f, project_row, &s);
    } else if (l->role == XR_REFERENCE) {
        rc = plat_layer_foreach_feature(x->db, l->ref, x->box, x->box_size, feature_row, &s);
    } else {
        rc = plat_township_foreach(x->db, township_row, &s);
    }
    free(s.v);
    return rc;
}

/* ---- CRS ---- */

static OGRSpatialReferenceH srs_epsg(int epsg)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    if (s && OSRImportFromEPSG(s, epsg) != OGRERR_NONE) {
        OSRRelease(s);
        return NULL;
    }
    /* x = easting / longitude, whatever the EPSG axis order (DESIGN.md, gis.h) */
    if (s)
        OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

static int setup_crs(xport *x)
{
    const char *t = x->o->t_srs;
    OGRSpatialReferenceH ct_target = NULL;
    int rc = 0;
    if (x->srid && !(x->work_srs = srs_epsg(x->srid)))
        return plat_error_set(x->ctx, PLAT_EINVALID, "the working CRS EPSG:%d is unknown to PROJ", x->srid);
    if (t) {
        if (x->format == XF_KML)
            return plat_error_set(x->ctx, PLAT_EUSAGE,
                                  "KML is always WGS 84 longitude/latitude (Google Earth, 奥维): --t-srs does not apply");
        if (strcasecmp(t, "GCJ02") == 0 || strcasecmp(t, "BD09") == 0)
            return plat_error_set(x->ctx, PLAT_EINVALID,
                                  "--t-srs %s: GCJ-02 and BD-09 are offsets of web maps, not a CRS files can declare; "
                                  "export in EPSG:4490 or EPSG:4326", t);
        x->layer_srs = OSRNewSpatialReference(NULL);
        const char *in = t[0] == '@' ? t + 1 : t;
        if (!x->layer_srs || OSRSetFromUserInput(x->layer_srs, in) != OGRERR_NONE)
            return plat_error_set(x->ctx, PLAT_EINVALID,
                                  "--t-srs '%s' is not a CRS PROJ knows (try EPSG:4490, EPSG:4326, EPSG:4547 or a .prj)",
                                  t);
        OSRSetAxisMappingStrategy(x->layer_srs, OAMS_TRADITIONAL_GIS_ORDER);
        x->geographic = OSRIsGeographic(x->layer_srs);
        ct_target = x->layer_srs;
        if (x->format == XF_GEOJSON) {
            const char *auth = OSRGetAuthorityName(x->layer_srs, NULL), *code = OSRGetAuthorityCode(x->layer_srs, NULL);
            x->rfc7946 = auth && code && strcmp(auth, "EPSG") == 0 && strcmp(code, "4326") == 0;
            if (!x->rfc7946)
                plat_export__warn(x, "--t-srs %s: these GeoJSON files are outside RFC 7946, which allows only WGS 84 "
                                     "longitude/latitude; QGIS reads their crs member, other tools may not", t);
        }
    } else if (x->format == XF_GEOJSON || x->format == XF_KML) {
        /* CGCS2000 longitude/latitude written as WGS 84: PROJ's 4490 -> 4326 is a null shift, so
         * coordinates are the CGCS2000 ones (DESIGN.md "Exports for QGIS"). */
        x->layer_srs = srs_epsg(4326);
        ct_target = x->srid ? srs_epsg(PLAT_EPSG_CGCS2000) : NULL;
        x->geographic = 1;
        x->rfc7946 = 1;
        if (!x->layer_srs || (x->srid && !ct_target))
            rc = plat_error_set(x->ctx, PLAT_EINTERNAL, "PROJ does not know EPSG:4326 or EPSG:4490");
    } else if (x->work_srs) {
        x->layer_srs = OSRClone(x->work_srs);
        OSRSetAxisMappingStrategy(x->layer_srs, OAMS_TRADITIONAL_GIS_ORDER);
    }
    if (rc >= 0 && x->work_srs && ct_target && !OSRIsSame(x->work_srs, ct_target)) {
        if (!(x->ct = OCTNewCoordinateTransformation(x->work_srs, ct_target)))
            rc = plat_error_set(x->ctx, PLAT_EINVALID, "PROJ cannot transform from EPSG:%d to %s: %s", x->srid,
                                t ? t : "EPSG:4490", plat_export__gdal_msg());
    }
    if (ct_target && ct_target != x->layer_srs)
        OSRRelease(ct_target);
    return rc;
}

/* ---- destination and staging ---- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcasecmp(s + n - m, suffix) == 0;
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int check_dest(xport *x)
{
    struct stat st;
    const char *d = x->dest;
    int exists = stat(d, &st) == 0;
    if (!*d)
        return plat_error_set(x->ctx, PLAT_EUSAGE, "DEST must not be empty");
    if (is_file_format(x->format)) {
        const char *ext = x->format == XF_GPKG ? ".gpkg" : ".kml";
        if (!ends_with(d, ext) || ends_with(d, "/"))
            return plat_error_set(x->ctx, PLAT_EUSAGE, "DEST must be a file name ending in %s, got '%s'", ext, d);
        if (exists && S_ISDIR(st.st_mode))
            return plat_error_set(x->ctx, PLAT_EUSAGE, "%s is a folder; give a file name ending in %s", d, ext);
        if (!(x->final_dir = plat_path_dir(d)))
            return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    } else {
        if (exists && !S_ISDIR(st.st_mode))
            return plat_error_set(x->ctx, PLAT_EUSAGE, "%s is a file; this format writes a folder of files", d);
        size_t n = strlen(d);
        while (n > 1 && d[n - 1] == '/')
            n--;
        if (!(x->final_dir = malloc(n + 1)))
            return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        memcpy(x->final_dir, d, n);
        x->final_dir[n] = '\0';
        if (!exists) {
            char *parent = plat_path_dir(x->final_dir);
            int ok = parent && stat(parent, &st) == 0 && S_ISDIR(st.st_mode);
            free(parent);
            if (!ok) {
                plat_error_set(x->ctx, PLAT_ENOTFOUND, "%s: the folder it would be created in does not exist", d);
                return plat_error_locate(x->ctx, d, -1);
            }
        }
        return 0;
    }
    if (stat(x->final_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        plat_error_set(x->ctx, PLAT_ENOTFOUND, "%s: no such folder %s", d, x->final_dir);
        return plat_error_locate(x->ctx, d, -1);
    }
    return 0;
}

/* The main file of each layer as it will land; refused early when one exists. */
static int precheck(xport *x)
{
    if (x->o->overwrite)
        return 0;
    plat_buf names = PLAT_BUF_INIT;
    int rc = 0;
    struct stat st;
    for (int i = 0; i < x->nlayers + 2 && rc >= 0; i++) {
        const char *base = NULL;
        char buf[400];
        if (is_file_format(x->format))
            base = i == 0 ? base_of(x->dest) : NULL;
        else if (x->format == XF_QGIS)
            base = i == 0 ? "plat.gpkg" : i == 1 ? "plat.qgs" : NULL;
        else if (i < x->nlayers) {
            const xlayer *l = &x->layers[i];
            const char *ext = x->format == XF_GEOJSON ? "geojson"
                              : x->format == XF_CSV   ? "csv"
                              : l->kind == 0          ? "dbf"
                                                      : "shp";
            snprintf(buf, sizeof buf, "%s.%s", l->table, ext);
            base = buf;
        }
        if (!base)
            continue;
        char *p = path_join(x->final_dir, base);
        if (!p)
            rc = plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        else if (lstat(p, &st) == 0)
            plat_buf_printf(&names, "%s%s", names.len ? ", " : "", is_file_format(x->format) ? x->dest : p);
        free(p);
    }
    if (rc >= 0 && names.len)
        rc = plat_error_set(x->ctx, PLAT_EEXISTS, "%s exist%s already; nothing was written (--overwrite replaces)",
                            plat_buf_cstr(&names), strchr(plat_buf_cstr(&names), ',') ? "" : "s");
    plat_buf_dispose(&names);
    return rc;
}

static int make_stage(xport *x)
{
    struct stat st;
    if (stat(x->final_dir, &st) != 0) {
        if (mkdir(x->final_dir, 0777) != 0) {
            plat_error_set(x->ctx, PLAT_EIO, "%s: cannot create the folder: %s", x->final_dir, strerror(errno));
            return plat_error_locate(x->ctx, x->final_dir, -1);
        }
        x->made_dir = 1;
    }
    char *tmpl = path_join(x->final_dir, ".plat-export-XXXXXX");
    if (!tmpl)
        return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    if (!mkdtemp(tmpl)) {
        plat_error_set(x->ctx, PLAT_EIO, "%s: cannot create a staging folder there: %s", x->final_dir,
                       strerror(errno));
        free(tmpl);
        return plat_error_locate(x->ctx, x->final_dir, -1);
    }
    x->stage = tmpl;
    return 0;
}

/* The names in the staging folder (GDAL's sidecars included), NULL-terminated. */
static char **stage_names(xport *x, int *n)
{
    DIR *d = opendir(x->stage);
    char **v = NULL;
    *n = 0;
    if (!d)
        return NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char **nv = realloc(v, (size_t)(*n + 2) * sizeof(*v));
        if (!nv)
            break;
        v = nv;
        if (!(v[*n] = plat_strdup(e->d_name)))
            break;
        v[++*n] = NULL;
    }
    closedir(d);
    return v;
}

static void free_names(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void remove_stage(xport *x)
{
    if (!x->stage)
        return;
    int n;
    char **names = stage_names(x, &n);
    for (int i = 0; i < n; i++) {
        char *p = path_join(x->stage, names[i]);
        if (p)
            unlink(p);
        free(p);
    }
    free_names(names, n);
    rmdir(x->stage);
    free(x->stage);
    x->stage = NULL;
}

/* Before replacing files: a GeoPackage with a -wal or -journal beside it is open somewhere
 * (QGIS edits GeoPackages in WAL mode), and a stale WAL would be replayed onto the new file. */
static int check_replace(xport *x, char **names, int n)
{
    static const char *const busy[] = { "-wal", "-journal" };
    struct stat st;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 2; k++) {
            plat_buf p = PLAT_BUF_INIT;
            int open = plat_buf_printf(&p, "%s/%s%s", x->final_dir, names[i], busy[k]) == 0 &&
                       lstat(plat_buf_cstr(&p), &st) == 0;
            plat_buf_dispose(&p);
            if (open)
                return plat_error_set(x->ctx, PLAT_EBUSY,
                                      "%s/%s is open (its %s file is beside it): close it in QGIS first; nothing was "
                                      "written", x->final_dir, names[i], busy[k]);
        }
    return 0;
}

/* After replacing a Shapefile: spatial index files of the old one would describe other data. */
static void remove_stale_indexes(xport *x, char **names, int n)
{
    static const char *const stale[] = { ".qix", ".sbn", ".sbx" };
    for (int i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        if (len < 4 || strcasecmp(names[i] + len - 4, ".shp") != 0)
            continue;
        for (int k = 0; k < 3; k++) {
            plat_buf p = PLAT_BUF_INIT;
            if (plat_buf_printf(&p, "%s/%.*s%s", x->final_dir, (int)(len - 4), names[i], stale[k]) == 0)
                unlink(plat_buf_cstr(&p));
            plat_buf_dispose(&p);
        }
    }
}

/* Move every staged file into place; on any failure undo the moves made so far. */
static int commit(xport *x)
{
    int n, rc = 0, done = 0;
    char **names = stage_names(x, &n);
    if (!names)
        return plat_error_set(x->ctx, PLAT_EIO, "%s: the staging folder cannot be read", x->stage);
    if (x->o->overwrite && (rc = check_replace(x, names, n)) < 0) {
        free_names(names, n);
        return rc;
    }
    for (int i = 0; i < n && rc >= 0; i++) {
        char *from = path_join(x->stage, names[i]), *to = path_join(x->final_dir, names[i]);
        struct stat st;
        if (!from || !to)
            rc = plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        else if (x->o->overwrite)
            rc = rename(from, to) == 0 ? 0 : -1;
        else if (link(from, to) == 0)
            unlink(from);
        else if (errno == EEXIST)
            rc = PLAT_EEXISTS;
        else if (lstat(to, &st) == 0) /* a file system without hard links: check, then rename */
            rc = PLAT_EEXISTS;
        else
            rc = rename(from, to) == 0 ? 0 : -1;
        if (rc == PLAT_EEXISTS)
            plat_error_set(x->ctx, rc, "%s exists already; nothing was written (--overwrite replaces)", to);
        else if (rc == -1)
            rc = plat_error_set(x->ctx, PLAT_EIO, "%s: cannot move it into place: %s", to, strerror(errno));
        done += rc >= 0;
        free(from);
        free(to);
    }
    if (rc >= 0 && x->o->overwrite)
        remove_stale_indexes(x, names, n);
    /* Without --overwrite every file moved so far is new: take them back out. */
    for (int i = 0; rc < 0 && !x->o->overwrite && i < done; i++) {
        char *to = path_join(x->final_dir, names[i]);
        if (to)
            unlink(to);
        free(to);
    }
    free_names(names, n);
    return rc;
}

/* ---- the run ---- */

static int take_cat(const plat_category *c, void *ud)
{
    xport *x = ud;
    xcat *v = realloc(x->cats, (size_t)(x->ncats + 1) * sizeof(*v));
    if (!v)
        return PLAT_ENOMEM;
    x->cats = v;
    v[x->ncats].code = plat_strdup(c->code);
    v[x->ncats].label = plat_strdup(c->label_zh);
    v[x->ncats].color = plat_strdup(c->color);
    x->ncats++;
    return v[x->ncats - 1].code && v[x->ncats - 1].label && v[x->ncats - 1].color ? 0 : PLAT_ENOMEM;
}

static int resolve_filters(xport *x)
{
    const plat_export_options *o = x->o;
    int rc;
    if (o->category && (rc = plat_category_resolve(x->db, x->category, sizeof x->category, o->category)) < 0)
        return rc;
    if (o->status && !(x->status = plat_status_resolve(o->status)))
        return plat_error_set(x->ctx, PLAT_EINVALID,
                              "unknown status '%s'; use planned (计划), under_construction (在建), completed (已完工) "
                              "or suspended (暂停)", o->status);
    if ((rc = plat_locator_new(x->db, &x->loc, o->planar)) < 0)
        return rc;
    if (o->township) {
        /* the store filters projects by township; the locator says which townships (and which
         * extent of reference features) go with them */
        if ((rc = plat_township_known(x->db, o->township)) <= 0)
            return rc < 0 ? rc
                          : plat_error_set(x->ctx, PLAT_ENOTFOUND,
                                           "no township or county named '%s' in the ledger (see `plat township list`)",
                                           o->township);
        if ((rc = plat_locator_find(x->loc, &x->only, &x->nonly, o->township)) < 0 ||
            (rc = plat_locator_envelope(x->loc, &x->box, &x->box_size, x->only, x->nonly)) < 0)
            return rc;
    }
    if ((rc = plat_category_foreach(x->db, take_cat, x)) == PLAT_ENOMEM)
        rc = plat_error_set(x->ctx, rc, "out of memory");
    return rc;
}

typedef int (*writer_fn)(xport *x);

int plat_export__run(plat_store *db, plat_export_result *res, const char *dest, const plat_export_options *opts,
                     int format)
{
    static const writer_fn writers[] = { plat_export__geojson_write, plat_export__shp_write,
                                         plat_export__gpkg_file, plat_export__kml_write,
                                         plat_export__csv_write,      plat_export__qgis_write };
    plat_export_options defaults = PLAT_EXPORT_OPTIONS_INIT;
    plat_export_result scratch = { 0, NULL, 0, 0 };
    xport x;
    memset(&x, 0, sizeof(x));
    x.db = db;
    x.ctx = plat_store_ctx(db);
    x.h = plat_gis_geos(x.ctx);
    x.o = opts ? opts : &defaults;
    x.format = format;
    x.what = x.o->what ? x.o->what : PLAT_EXPORT_ALL;
    x.srid = plat_store_srid(db);
    x.dest = dest ? dest : "";
    x.res = res ? res : &scratch;
    memset(x.res, 0, sizeof(*x.res));
    plat_export__gdal_begin();
    int rc = check_dest(&x);
    if (rc >= 0)
        rc = resolve_filters(&x);
    if (rc >= 0)
        rc = setup_crs(&x);
    if (rc >= 0 && (x.what & PLAT_EXPORT_PROJECTS))
        rc = plan_projects(&x);
    if (rc >= 0 && (x.what & (PLAT_EXPORT_TOWNSHIPS | PLAT_EXPORT_COVERAGE)))
        rc = plan_townships(&x);
    if (rc >= 0 && (x.what & PLAT_EXPORT_LAYERS))
        rc = plan_references(&x);
    if (rc >= 0)
        rc = make_unique(&x);
    if (rc >= 0 && x.nlayers == 0)
        rc = plat_error_set(x.ctx, PLAT_ENOTFOUND, "nothing to export: no %s matches%s",
                            x.what == PLAT_EXPORT_PROJECTS ? "project" : "project, township or layer",
                            x.o->township || x.o->county || x.o->category || x.o->status ? " the filters" : "");
    if (rc >= 0)
        rc = precheck(&x);
    if (rc >= 0)
        rc = make_stage(&x);
    if (rc >= 0)
        rc = writers[format](&x);
    if (rc >= 0)
        rc = commit(&x);
    remove_stage(&x);
    if (rc < 0 && x.made_dir)
        rmdir(x.final_dir);
    plat_export__gdal_end();
    x.res->warnings = x.warnings;
    if (rc < 0 || !res)
        plat_export_result_dispose(x.res);
    for (int i = 0; i < x.nlayers; i++)
        layer_dispose(&x.layers[i]);
    free(x.layers);
    for (int i = 0; i < x.ncats; i++) {
        free(x.cats[i].code);
        free(x.cats[i].label);
        free(x.cats[i].color);
    }
    free(x.cats);
    plat_coverage_free(x.cov);
    plat_free(x.only);
    plat_free(x.box);
    plat_locator_free(x.loc);
    if (x.ct)
        OCTDestroyCoordinateTransformation(x.ct);
    if (x.layer_srs)
        OSRRelease(x.layer_srs);
    if (x.work_srs)
        OSRRelease(x.work_srs);
    free(x.final_dir);
    return rc;
}

/* importers/fieldmap.c - which column of a plan sheet is which project field, and what its
 * values mean.
 *
 * Plan sheets come from offices that each name their columns their own way: 项目编号 or 编号 or
 * code, 项目名称 or 名称, 类别 or 类型, 建设状态, 牵头单位 or 责任单位, 建设规模, 长度(km), 面积(亩),
 * 年度, 总投资(万元). A field name is matched on its base (what comes before a unit in brackets,
 * ASCII or full-width: "长度（公里）" is 长度 in 公里), case-insensitively for ASCII, against the
 * candidate lists below, in their order; --map FIELD=SOURCE names a column outright and
 * --map FIELD= turns a field's matching off. Each source column feeds one project field at most;
 * the columns that feed none are kept as the project's attrs (reader.c) and exported again.
 *
 * Values are read the way the plans write them: categories as codes, labels or plan wording
 * (国省干线 -> highway, 高标准农田建设 -> farmland, 光伏 -> solar), states in Chinese (在建,
 * 已竣工), progress as 30 or 30%, targets as 21km or as a bare number whose unit is in the
 * column name, investments in 万元 unless they say 亿元, dates as 2024-03-01, 2024/3/1 or
 * 2024年3月1日. A value that cannot be read is an error naming the feature, the column and the
 * value: guessing would put wrong numbers in a ledger people report from.
 *
 * A plat_fieldmap lives on the importer's stack. It owns its per-field arrays and the category
 * cache (plat_fieldmap__dispose). Strings it puts into a plat_project are new copies that the
 * project owns (plat_project_dispose), except where said. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "importers_int.h"
#include "plat/units.h"

static const char *const field_names[PF_COUNT + 1] = {
    "code", "name", "category", "county", "status", "progress", "target", "length", "area",
    "lead_unit", "source_doc", "clause", "year", "investment", "start_date", "end_date", "precision", "township",
    "version", "target_unit", NULL,
};

/* Candidate column names per field, most specific first. */
static const char *const *const candidates[PF_COUNT] = {
    [PF_CODE] = (const char *const[]){ "项目编号", "项目代码", "项目编码", "编号", "code", "project_code", "XMBH", NULL },
    [PF_NAME] = (const char *const[]){ "项目名称", "工程名称", "名称", "项目", "name", "project_name", "XMMC", NULL },
    [PF_CATEGORY] = (const char *const[]){ "项目类别", "类别", "项目类型", "类型", "行业类别", "行业", "分类",
                                           "category", "XMLB", NULL },
    [PF_COUNTY] = (const char *const[]){ "所属县", "所在县", "县区", "区县", "县市区", "县", "county", NULL },
    [PF_STATUS] = (const char *const[]){ "建设状态", "项目状态", "实施状态", "状态", "status", NULL },
    [PF_PROGRESS] = (const char *const[]){ "建设进度", "完成进度", "进度", "progress", NULL },
    [PF_TARGET] = (const char *const[]){ "建设规模", "计划规模", "规模", "target", "tgt_qty", "目标量", NULL },
    [PF_LENGTH] = (const char *const[]){ "长度", "里程", "建设里程", "线路长度", "length", "length_km", NULL },
    [PF_AREA] = (const char *const[]){ "面积", "建设面积", "用地面积", "占地面积", "area", NULL },
    [PF_LEAD_UNIT] = (const char *const[]){ "牵头单位", "责任单位", "建设单位", "业主单位", "实施单位", "项目业主",
                                            "lead_unit", NULL },
    [PF_SOURCE_DOC] = (const char *const[]){ "规划文件", "依据文件", "来源", "出处", "source_doc", NULL },
    [PF_CLAUSE] = (const char *const[]){ "规划条款", "条款", "clause", NULL },
    [PF_YEAR] = (const char *const[]){ "计划年度", "建设年度", "实施年度", "年度", "年份", "year", NULL },
    [PF_INVESTMENT] = (const char *const[]){ "总投资", "计划投资", "估算投资", "投资额", "投资", "investment", NULL },
    [PF_START] = (const char *const[]){ "开工时间", "开工日期", "计划开工时间", "开始时间", "start_date", NULL },
    [PF_END] = (const char *const[]){ "完工时间", "完工日期", "竣工时间", "竣工日期", "计划完工时间", "end_date", NULL },
    /* Only columns named for it: a generic "precision" column (the demo data's, describing its
     * illustrative geometry) is kept as an attribute unless --map precision=precision says so. */
    [PF_PRECISION] = (const char *const[]){ "定位精度", "位置精度", NULL },
    /* only read for township-level projects: the township they are known by */
    [PF_TOWNSHIP] = (const char *const[]){ "所在乡镇", NULL },
    /* The ledger version `plat export` writes with each project (its alias 台账版本): the copy
     * a row was edited on, which --upsert checks (issue 11). Matched with or without --upsert,
     * so a re-imported export does not keep an old version among the project's attributes. */
    [PF_VERSION] = (const char *const[]){ "version", "台账版本", NULL },
    /* the unit of a bare target number, as exports write it beside tgt_qty */
    [PF_TARGET_UNIT] = (const char *const[]){ "tgt_unit", "目标单位", "target_unit", NULL },
};

/* What a plat export writes that is derived from the ledger (labels, measures, the townships, the
 * time of the last change, the finished quantity, the precision, the kept attributes as JSON).
 * Read back from an export, these feed no field and are not kept as attributes: re-importing an
 * edited export (project import --upsert) must give back the project, not its printout. A layer
 * is taken for an export when it has the first three, which no plan sheet is likely to. */
static const char *const export_derived[] = { "cat_label", "status_lbl", "updated_at", "meas_km", "meas_m2",
                                              "meas_mu", "meas_pts", "townships", "done", "precision", "attrs",
                                              NULL };

/* Location precision as written in a sheet (codes of store.h, or Chinese). */
static const char *precision_of(const char *text)
{
    static const char *const map[][2] = {
        { "surveyed", "surveyed" }, { "实测", "surveyed" }, { "测绘", "surveyed" }, { "sketched", "sketched" },
        { "示意", "sketched" },     { "草绘", "sketched" }, { "手绘", "sketched" }, { "township", "township" },
        { "乡镇", "township" },     { "county", "county" }, { "县", "county" },     { "全县", "county" },
        { "none", "none" },         { "无", "none" },       { "未知", "none" },
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcasecmp(map[i][0], text) == 0)
            return map[i][1];
    return NULL;
}

/* How the plans name categories beyond the ledger's own labels (layers/schema.c). */
static const struct {
    const char *text;
    const char *code;
} category_synonyms[] = {
    { "国省干线", "highway" }, { "国道", "highway" }, { "省道", "highway" }, { "干线公路", "highway" },
    { "高速公路", "highway" }, { "国省道", "highway" }, { "公路建设", "highway" }, { "道路", "highway" },
    { "农村公路", "rural_road" }, { "乡村道路", "rural_road" }, { "县乡道", "rural_road" }, { "县道", "rural_road" },
    { "乡道", "rural_road" }, { "村道", "rural_road" }, { "通村公路", "rural_road" }, { "四好农村路", "rural_road" },
    { "高标准农田建设", "farmland" }, { "农田建设", "farmland" }, { "农田水利", "farmland" }, { "土地整治", "farmland" },
    { "湿地修复", "wetland" }, { "湿地保护", "wetland" }, { "湿地恢复", "wetland" }, { "生态修复", "wetland" },
    { "光伏发电", "solar" }, { "太阳能", "solar" }, { "风力发电", "wind" },
    { "输变电", "substation" }, { "变电", "substation" }, { "配电网", "grid" }, { "农网改造", "grid" },
    { "码头", "port" }, { "港口码头", "port" }, { "泊位", "port" }, { "大桥", "bridge" }, { "桥", "bridge" },
    { "堤防加固", "dike" }, { "防洪", "dike" }, { "防洪工程", "dike" }, { "水利", "dike" },
    { "饮水安全", "water_supply" }, { "农村供水", "water_supply" }, { "供水工程", "water_supply" },
    { "教育", "school" }, { "卫生", "hospital" }, { "卫生院", "hospital" }, { "医疗", "hospital" },
    { "污水管网", "pipe_network" }, { "雨污分流", "pipe_network" }, { "管道", "pipe_network" },
    { "园区", "industrial_park" }, { "产业园", "industrial_park" }, { "5G", "telecom" }, { "基站", "telecom" },
    { "保障房", "housing" }, { "安置房", "housing" }, { "充电桩", "ev_charging" }, { "充电站", "ev_charging" },
    { "农贸市场", "market" }, { "景区", "tourism" },
};

/* States beyond the ones plat_status_resolve knows. */
static const struct {
    const char *text;
    const char *code;
} status_synonyms[] = {
    { "已竣工", "completed" }, { "已完成", "completed" }, { "完成", "completed" }, { "竣工验收", "completed" },
    { "已开工", "under_construction" }, { "正在建设", "under_construction" }, { "正在实施", "under_construction" },
    { "实施中", "under_construction" }, { "开工", "under_construction" }, { "前期工作", "planned" },
    { "谋划", "planned" }, { "储备", "planned" }, { "待建", "planned" }, { "已暂停", "suspended" },
};

const char *const *plat_project_import_fields(void)
{
    return field_names;
}

static int field_by_name(const char *s, size_t n)
{
    char buf[32];
    if (n == 0 || n >= sizeof buf)
        return -1;
    for (size_t i = 0; i < n; i++)
        buf[i] = s[i] == '-' ? '_' : (char)tolower((unsigned char)s[i]);
    buf[n] = '\0';
    if (strcmp(buf, "start") == 0)
        return PF_START;
    if (strcmp(buf, "end") == 0)
        return PF_END;
    for (int k = 0; k < PF_COUNT; k++)
        if (strcmp(field_names[k], buf) == 0)
            return k;
    return -1;
}

/* Split a column name into its base and the unit in brackets: "长度（公里）" -> 长度, 公里. */
static void split_name(const char *name, char *base, size_t bn, char *unit, size_t un)
{
    static const char *const open[] = { "(", "（", "[", "【", NULL };
    static const char *const close[] = { ")", "）", "]", "】", NULL };
    const char *cut = NULL;
    int which = -1;
    for (int i = 0; open[i]; i++) {
        const char *p = strstr(name, open[i]);
        if (p && (!cut || p < cut)) {
            cut = p;
            which = i;
        }
    }
    size_t blen = cut ? (size_t)(cut - name) : strlen(name);
    while (blen && name[blen - 1] == ' ')
        blen--;
    snprintf(base, bn, "%.*s", (int)blen, name);
    unit[0] = '\0';
    if (cut) {
        const char *u = cut + strlen(open[which]);
        const char *e = strstr(u, close[which]);
        size_t ulen = e ? (size_t)(e - u) : strlen(u);
        snprintf(unit, un, "%.*s", (int)ulen, u);
    }
}

void plat_fieldmap__dispose(plat_fieldmap *m)
{
    if (!m)
        return;
    free(m->used);
    m->used = NULL;
    for (int i = 0; i < m->ncache; i++)
        free(m->cache[i].text);
    m->ncache = 0;
}

int plat_fieldmap__init(plat_fieldmap *m, plat_store *db, const plat_import_options *opts)
{
    plat_ctx *ctx = plat_store_ctx(db);
    memset(m, 0, sizeof(*m));
    m->export_attrs = -1;
    m->db = db;
    m->opts = opts;
    for (int k = 0; k < PF_COUNT; k++)
        m->given[k] = NULL, m->off[k] = 0;
    /* The township-style options name fields too. */
    m->given[PF_CODE] = opts->code_field;
    m->given[PF_NAME] = opts->name_field;
    m->given[PF_COUNTY] = opts->county_field;
    for (int i = 0; opts->map && opts->map[i]; i++) {
        const char *s = opts->map[i], *eq = strchr(s, '=');
        int k = eq ? field_by_name(s, (size_t)(eq - s)) : -1;
        if (!eq || k < 0) {
            plat_buf known = PLAT_BUF_INIT;
            for (int j = 0; j < PF_COUNT; j++)
                plat_buf_printf(&known, "%s%s", j ? ", " : "", field_names[j]);
            plat_error_set(ctx, PLAT_EUSAGE, "--map '%s': write FIELD=SOURCE_FIELD, FIELD one of %s", s,
                           plat_buf_cstr(&known));
            plat_buf_dispose(&known);
            return PLAT_EUSAGE;
        }
        if (eq[1]) {
            m->given[k] = eq + 1;
            m->off[k] = 0;
        } else {
            m->given[k] = NULL;
            m->off[k] = 1;
        }
    }
    if (opts->category) {
        int rc = plat_fieldmap__category(m, m->default_category, sizeof m->default_category, opts->category);
        if (rc < 0) {
            char msg[sizeof(((plat_error *)0)->msg)];
            snprintf(msg, sizeof msg, "%s", plat_error_last(ctx)->msg);
            return plat_error_set(ctx, PLAT_EINVALID, "--category: %s", msg);
        }
    }
    return 0;
}

int plat_fieldmap__bind(plat_fieldmap *m, plat_ogr_source *src)
{
    plat_ctx *ctx = plat_store_ctx(m->db);
    if (src->bad_names) { /* columns named in GBK bytes cannot be matched: say why now */
        if (src->encoding)
            plat_error_set(ctx, PLAT_EINVALID, "its column names are not valid %s text; check the file's encoding",
                           src->encoding);
        else
            plat_error_set(ctx, PLAT_EINVALID,
                           "its column names are not valid UTF-8; if the file is GBK-encoded say so with "
                           "--encoding GBK");
        return plat_ogr__locate(ctx, src, -1);
    }
    free(m->used);
    if (!(m->used = calloc((size_t)(src->nnames ? src->nnames : 1), 1)))
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    for (int i = 0; src->geom_cols && i < src->nnames; i++)
        m->used[i] = src->geom_cols[i]; /* the geometry's columns feed no field */
    for (int k = 0; k < PF_COUNT; k++) {
        m->src[k] = -1;
        m->unit[k][0] = '\0';
    }
    char base[256], unit[sizeof m->unit[0]];
    /* Named columns first, so automatic matching cannot take them for another field. */
    for (int k = 0; k < PF_COUNT; k++) {
        if (!m->given[k])
            continue;
        int i, rc = plat_ogr__field(ctx, src, m->given[k], NULL, field_names[k], &i);
        if (rc < 0)
            return rc;
        m->src[k] = i;
        m->used[i] = 1;
        split_name(src->names[i], base, sizeof base, m->unit[k], sizeof m->unit[k]);
    }
    m->export_attrs = -1;
    int derived[sizeof(export_derived) / sizeof(export_derived[0])];
    int is_export = 1;
    for (int d = 0; export_derived[d]; d++) {
        derived[d] = -1;
        for (int i = 0; i < src->nnames && derived[d] < 0; i++)
            if (strcasecmp(src->names[i], export_derived[d]) == 0 && !m->used[i])
                derived[d] = i;
        if (d < 3 && derived[d] < 0)
            is_export = 0;
    }
    for (int d = 0; is_export && export_derived[d]; d++)
        if (derived[d] >= 0) {
            m->used[derived[d]] = 1;
            if (strcmp(export_derived[d], "attrs") == 0)
                m->export_attrs = derived[d];
        }
    for (int k = 0; k < PF_COUNT; k++) {
        if (m->src[k] >= 0 || m->off[k])
            continue;
        for (int c = 0; candidates[k][c] && m->src[k] < 0; c++)
            for (int i = 0; i < src->nnames && m->src[k] < 0; i++) {
                if (m->used[i])
                    continue;
                split_name(src->names[i], base, sizeof base, unit, sizeof unit);
                if (strcasecmp(base, candidates[k][c]) == 0) {
                    m->src[k] = i;
                    m->used[i] = 1;
                    snprintf(m->unit[k], sizeof m->unit[k], "%s", unit);
                }
            }
    }
    return 0;
}

int plat_fieldmap__export_attrs(plat_fieldmap *m, plat_ogr_source *src, OGRFeatureH f, char **attrs)
{
    plat_ctx *ctx = plat_store_ctx(m->db);
    const char *text = NULL;
    if (m->export_attrs < 0)
        return 0;
    int rc = plat_ogr__text(ctx, src, f, m->export_attrs, &text);
    if (rc < 0 || !text)
        return rc;
    json_object *all = json_tokener_parse(text);
    if (!json_object_is_type(all, json_type_object)) {
        /* A Shapefile cuts texts at 254 bytes: what is left is no JSON. An upsert replaces the
         * attributes as a whole, so going on would drop the ones cut off without a word. */
        json_object_put(all);
        if (!m->opts->upsert) {
            plat_warn(ctx, "%s: feature %lld: its attrs column is not a JSON object (cut short?); the project "
                      "keeps the attributes of its other columns only", src->where, (long long)OGR_F_GetFID(f));
            return 0;
        }
        plat_error_set(ctx, PLAT_EINVALID,
                       "column 'attrs' is not a JSON object (a Shapefile cuts it at 254 bytes), so --upsert would "
                       "lose the project's attributes; import the GeoPackage or GeoJSON export instead");
        return plat_ogr__locate(ctx, src, OGR_F_GetFID(f));
    }
    json_object *edited = *attrs ? json_tokener_parse(*attrs) : NULL;
    if (json_object_is_type(edited, json_type_object)) {
        json_object_object_foreach(edited, key, val) json_object_object_add(all, key, json_object_get(val));
    }
    json_object_put(edited);
    free(*attrs);
    *attrs = NULL;
    if (json_object_object_length(all) > 0 &&
        !(*attrs = plat_strdup(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE))))
        rc = plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    json_object_put(all);
    return rc;
}

int plat_fieldmap__category(plat_fieldmap *m, char *buf, size_t n, const char *text)
{
    for (int i = 0; i < m->ncache; i++)
        if (strcmp(m->cache[i].text, text) == 0) {
            snprintf(buf, n, "%s", m->cache[i].code);
            return 0;
        }
    const char *code = NULL;
    for (size_t i = 0; i < sizeof(category_synonyms) / sizeof(category_synonyms[0]); i++)
        if (strcmp(category_synonyms[i].text, text) == 0)
            code = category_synonyms[i].code;
    if (code)
        snprintf(buf, n, "%s", code);
    else if (plat_category_resolve(m->db, buf, n, text) < 0)
        return PLAT_EINVALID;
    if (m->ncache < (int)(sizeof(m->cache) / sizeof(m->cache[0])) && (m->cache[m->ncache].text = plat_strdup(text))) {
        snprintf(m->cache[m->ncache].code, sizeof m->cache[m->ncache].code, "%s", buf);
        m->ncache++;
    }
    return 0;
}

static const char *status_of(const char *text)
{
    const char *code = plat_status_resolve(text);
    for (size_t i = 0; !code && i < sizeof(status_synonyms) / sizeof(status_synonyms[0]); i++)
        if (strcmp(status_synonyms[i].text, text) == 0)
            code = status_synonyms[i].code;
    return code;
}

/* A number as sheets write it: "30", " 30.5 ", "30%", "30％", "1,200". */
static int parse_number(const char *text, double *out, const char **rest)
{
    char buf[64];
    size_t n = 0;
    const char *p = text;
    while (*p == ' ')
        p++;
    for (; *p && n + 1 < sizeof buf; p++) {
        if (*p == ',' && isdigit((unsigned char)p[1]))
            continue; /* thousands separator */
        if (!(isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+' || *p == 'e' || *p == 'E'))
            break;
        buf[n++] = *p;
    }
    buf[n] = '\0';
    while (*p == ' ')
        p++;
    if (rest)
        *rest = p;
    return n && plat_parse_double(buf, out) == 0 ? 0 : -1;
}

/* Read a date written 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日 or 2024年3月 into YYYY-MM-DD. */
static int parse_date(const char *text, char *out, size_t n)
{
    int y = 0, mo = 0, d = 0;
    const char *p = text;
    char *end;
    y = (int)strtol(p, &end, 10);
    if (end == p || end - p != 4)
        return -1;
    p = end;
    if (*p == '-' || *p == '/' || *p == '.')
        p++;
    else if (strncmp(p, "年", 3) == 0)
        p += 3;
    else
        return -1;
    mo = (int)strtol(p, &end, 10);
    if (end == p)
        return -1;
    p = end;
    if (strncmp(p, "月", 3) == 0)
        p += 3;
    else if (*p == '-' || *p == '/' || *p == '.')
        p++;
    if (!*p) {
        d = 1; /* a month, as plans often give it: its first day */
    } else {
        d = (int)strtol(p, &end, 10);
        if (end == p)
            return -1;
        p = end;
        if (strncmp(p, "日", 3) == 0)
            p += 3;
        while (*p == ' ')
            p++;
        /* A time of day may follow (a DateTime column); the date is what counts. */
        if (*p && !isdigit((unsigned char)*p) && *p != 'T')
            return -1;
    }
    snprintf(out, n, "%04d-%02d-%02d", y, mo, d);
    return plat_date_valid(out) ? 0 : -1;
}

static int value_error(plat_fieldmap *m, plat_ogr_source *src, OGRFeatureH f, int k, const char *value,
                       const char *what)
{
    plat_ctx *ctx = plat_store_ctx(m->db);
    plat_error_set(ctx, PLAT_EINVALID, "column '%s' (%s): '%s' %s", src->names[m->src[k]], field_names[k], value, what);
    return plat_ogr__locate(ctx, src, OGR_F_GetFID(f));
}

/* A target from a length/area column: "21km" as written, or a bare number in the unit the
 * column name gives (长度(km)), else in `dflt`. */
static int quantity(plat_fieldmap *m, plat_ogr_source *src, OGRFeatureH f, int k, const char *value,
                    const char *dflt, plat_project *p, char *unit, size_t un)
{
    plat_ctx *ctx = plat_store_ctx(m->db);
    double v;
    const char *rest;
    if (parse_number(value, &v, &rest) < 0)
        return value_error(m, src, f, k, value, "is not a quantity (a number, with its unit or not)");
    if (*rest) {
        if (plat_target_parse(ctx, &p->target_qty, unit, un, value) < 0)
            return value_error(m, src, f, k, value, "is not a quantity");
    } else {
        const char *u = m->unit[k][0] ? m->unit[k] : dflt;
        if (!u)
            return value_error(m, src, f, k, value,
                               "has no unit: write it like 21km or 4个泊位, or put the unit in the column name");
        char text[96];
        snprintf(text, sizeof text, "%.17g%s", v, u);
        if (plat_target_parse(ctx, &p->target_qty, unit, un, text) < 0)
            return value_error(m, src, f, k, value, "is not a quantity");
        /* a target's unit from its own column (an export's tgt_unit) is no guess to warn of */
        if (!m->unit[k][0] && k != PF_TARGET && !m->noted_default[k]) {
            m->noted_default[k] = 1;
            plat_warn(ctx, "%s: column '%s' gives no unit; its numbers are taken as %s", src->where,
                      src->names[m->src[k]], u);
        }
    }
    p->has_target = 1;
    free(p->target_unit);
    p->target_unit = plat_strdup(unit);
    return 0;
}

int plat_fieldmap__read(plat_fieldmap *m, plat_ogr_source *src, OGRFeatureH f, plat_project *p, int *has_progress)
{
    plat_ctx *ctx = plat_store_ctx(m->db);
    const char *v[PF_COUNT] = { 0 };
    char *copy[PF_COUNT] = { 0 };
    char unit[64];
    int rc = 0;
    *has_progress = 0;
    /* plat_ogr__text's result lives until its next call: copy each value. */
    for (int k = 0; k < PF_COUNT && rc >= 0; k++) {
        const char *t = NULL;
        if (m->src[k] >= 0 && (rc = plat_ogr__text(ctx, src, f, m->src[k], &t)) >= 0 && t)
            v[k] = copy[k] = plat_strdup(t);
    }
    if (rc < 0)
        goto done;
    p->code = plat_strdup(v[PF_CODE] ? v[PF_CODE] : m->opts->code);
    p->name = plat_strdup(v[PF_NAME] ? v[PF_NAME] : m->opts->name);
    if (!p->code) {
        plat_error_set(ctx, PLAT_EINVALID, "%s",
                       m->src[PF_CODE] < 0
                           ? "no project code: the file has no code column (项目编号, 编号, code); name one with "
                             "--map code=COLUMN, or give --code for a single project"
                           : "the project code is empty");
        rc = plat_ogr__locate(ctx, src, OGR_F_GetFID(f));
        goto done;
    }
    if (!p->name) {
        plat_error_set(ctx, PLAT_EINVALID, "project %s: %s", p->code,
                       m->src[PF_NAME] < 0 ? "no project name: the file has no name column (项目名称, 名称, name); "
                                             "name one with --map name=COLUMN, or give --name"
                                           : "the project name is empty");
        rc = plat_ogr__locate(ctx, src, OGR_F_GetFID(f));
        goto done;
    }
    char cat[64];
    if (v[PF_CATEGORY]) {
        if (plat_fieldmap__category(m, cat, sizeof cat, v[PF_CATEGORY]) < 0) {
            rc = value_error(m, src, f, PF_CATEGORY, v[PF_CATEGORY],
                             "is not a category plat knows: write a code (highway, rural_road, farmland, wetland, "
                             "solar ...) or its Chinese label (公路, 农村公路, 高标准农田, 湿地, 光伏 ...)");
            goto done;
        }
        p->category = plat_strdup(cat);
    } else if (m->default_category[0]) {
        p->category = plat_strdup(m->default_category);
    } else {
        plat_error_set(ctx, PLAT_EINVALID, "project %s: no category: %s", p->code,
                       m->src[PF_CATEGORY] < 0 ? "the file has no category column (类别, 类型, category); give one "
                                                 "with --category CAT or --map category=COLUMN"
                                               : "the category is empty; give one with --category CAT");
        rc = plat_ogr__locate(ctx, src, OGR_F_GetFID(f));
        goto done;
    }
    p->county = plat_strdup(v[PF_COUNTY]);
    if (v[PF_STATUS]) {
        const char *s = status_of(v[PF_STATUS]);
        if (!s) {
            rc = value_error(m, src, f, PF_STATUS, v[PF_STATUS],
                             "is not a status: use 计划, 在建, 已完工, 暂停 or planned, under_construction, "
                             "completed, suspended");
            goto done;
        }
        p->status = plat_strdup(s);
    }
    if (v[PF_PROGRESS]) {
        const char *rest;
        if (parse_number(v[PF_PROGRESS], &p->progress, &rest) < 0 ||
            (*rest && strcmp(rest, "%") != 0 && strcmp(rest, "％") != 0) || p->progress < 0 || p->progress > 100) {
            rc = value_error(m, src, f, PF_PROGRESS, v[PF_PROGRESS], "is not a progress from 0 to 100 (%)");
            goto done;
        }
        *has_progress = 1;
    }
    /* As `plat project update` has it: completed means 100 % done unless the file says otherwise. */
    if (p->status && strcmp(p->status, "completed") == 0 && !*has_progress)
        p->progress = 100;
    if (v[PF_TARGET])
        rc = quantity(m, src, f, PF_TARGET, v[PF_TARGET], v[PF_TARGET_UNIT], p, unit, sizeof unit);
    else if (v[PF_LENGTH])
        rc = quantity(m, src, f, PF_LENGTH, v[PF_LENGTH], "km", p, unit, sizeof unit);
    else if (v[PF_AREA])
        rc = quantity(m, src, f, PF_AREA, v[PF_AREA], "亩", p, unit, sizeof unit);
    if (rc < 0)
        goto done;
    p->lead_unit = plat_strdup(v[PF_LEAD_UNIT]);
    p->source_doc = plat_strdup(v[PF_SOURCE_DOC]);
    p->clause = plat_strdup(v[PF_CLAUSE]);
    if (v[PF_YEAR]) {
        char *end;
        long y = strtol(v[PF_YEAR], &end, 10);
        if (end - v[PF_YEAR] != 4 || y < 1949 || y > 2100) {
            rc = value_error(m, src, f, PF_YEAR, v[PF_YEAR], "is not a year such as 2024");
            goto done;
        }
        p->year = (int)y;
    }
    if (v[PF_INVESTMENT]) {
        const char *rest;
        double inv;
        double scale = strstr(m->unit[PF_INVESTMENT], "亿") ? 1e4 : 1;
        if (parse_number(v[PF_INVESTMENT], &inv, &rest) < 0) {
            rc = value_error(m, src, f, PF_INVESTMENT, v[PF_INVESTMENT], "is not an amount (in 万元)");
            goto done;
        }
        if (strncmp(rest, "亿", 3) == 0)
            scale = 1e4;
        else if (strncmp(rest, "万", 3) == 0)
            scale = 1;
        else if (*rest) {
            rc = value_error(m, src, f, PF_INVESTMENT, v[PF_INVESTMENT], "is not an amount in 万元 or 亿元");
            goto done;
        }
        p->has_investment = 1;
        p->investment = inv * scale;
    }
    static const int date_fields[2] = { PF_START, PF_END };
    for (int d = 0; d < 2; d++) {
        int k = date_fields[d];
        char date[16];
        if (!v[k])
            continue;
        if (parse_date(v[k], date, sizeof date) < 0) {
            rc = value_error(m, src, f, k, v[k], "is not a date (2024-03-01, 2024/3/1 or 2024年3月1日)");
            goto done;
        }
        *(k == PF_START ? &p->start_date : &p->end_date) = plat_strdup(date);
    }
    const char *prec = v[PF_PRECISION] ? v[PF_PRECISION] : m->opts->precision;
    if (prec) {
        const char *code = precision_of(prec);
        if (!code) {
            const char *why = "is not a location precision: surveyed (实测), sketched (示意), township (乡镇), "
                              "county (县), none (无)";
            if (v[PF_PRECISION])
                rc = value_error(m, src, f, PF_PRECISION, v[PF_PRECISION], why);
            else
                rc = plat_error_set(ctx, PLAT_EINVALID, "--precision %s %s", prec, why);
            goto done;
        }
        p->precision = plat_strdup(code);
        if (strcmp(code, "township") == 0)
            p->place = plat_strdup(v[PF_TOWNSHIP]);
    }
    /* Only an upsert edits a project of this ledger; a new project starts its own history. */
    if (v[PF_VERSION] && m->opts->upsert) {
        double version;
        const char *rest;
        if (parse_number(v[PF_VERSION], &version, &rest) < 0 || *rest || version < 1 || version > 9e15 ||
            version != (double)(int64_t)version) {
            rc = value_error(m, src, f, PF_VERSION, v[PF_VERSION],
                             "is not a ledger version (the whole number `plat export` writes; turn the column off "
                             "with --map version=)");
            goto done;
        }
        p->version = (int64_t)version;
    }
done:
    for (int k = 0; k < PF_COUNT; k++)
        free(copy[k]);
    return rc;
}

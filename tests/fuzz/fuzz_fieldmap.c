/* tests/fuzz/fuzz_fieldmap.c - the options of `plat project import` that are expressions:
 * `--map FIELD=COLUMN` (and `--map FIELD=`), `--where EXPR` (OGR SQL), `--category CAT`,
 * `--code`, `--name`, `--encoding`, applied to one fixed plan sheet.
 *
 * The input is one option a line: "map code=编号", "where 类别 = '国省干线'", "category 公路",
 * "code PJ-1", "name 某项目", "encoding GBK"; other lines are ignored. The sheet (written once)
 * has Chinese and English columns, units in column names and the value spellings plans use.
 * The options are parsed (plat_fieldmap__init), the sheet opened with them (the --where
 * filter), its columns matched and every feature read into a project, as the importer does;
 * nothing is written. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp in fuzz.h */
#include "fuzz.h"
#include "importers_int.h"

#define MAX_OPTIONS 16

static const char sheet[] =
    "编号,项目名称,类别,建设状态,进度,建设规模,长度(km),面积（亩）,年度,总投资(亿元),开工时间,完工时间,"
    "牵头单位,备注,经度,纬度\n"
    "PJ-G536,G536青冲至伍市段改建,国省干线,在建,30%,21km,21,,2024,3.5,2024-03-01,2026/12/31,平江县交通运输局,"
    "路基施工,113.38,28.72\n"
    "PJ-NT01,汨罗江湿地修复,湿地修复,计划,,,,\"1,200\",2025,0.8,2025年3月,2027年12月31日,岳阳市林业局,,113.10,28.80\n"
    "PJ-GB02,平江县高标准农田建设,高标准农田建设,已竣工,100,20.8万亩,,,2023,12000万,2023.1.5,2023-12-30,"
    "平江县农业农村局,三调,113.55,28.65\n"
    "PJ-PORT,城陵矶港区泊位,码头,前期工作,0,4个3000吨级泊位,,,2026,,,,岳阳港务局,,113.15,29.45\n";

static plat_ctx *ctx;
static plat_store *db;
static const char *sheet_path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ctx = fuzz_ctx_new();
    FUZZ_CHECK(plat_store_open(ctx, &db, fuzz_path("ledger.sqlite"), PLAT_OPEN_CREATE) == 0);
    sheet_path = fuzz_path("plan.csv");
    fuzz_write(sheet_path, sheet, sizeof sheet - 1);
    return 0;
}

static const char *value_of(const char *line, const char *key)
{
    size_t n = strlen(key);
    return strncmp(line, key, n) == 0 && line[n] == ' ' ? line + n + 1 : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    int utf8 = fuzz_utf8(text);
    const char *map[MAX_OPTIONS + 1] = { 0 };
    int nmap = 0;
    plat_import_options opts = PLAT_IMPORT_OPTIONS_INIT;
    fuzz_warn_utf8 = utf8;
    for (char *line = text, *next; line; line = next) {
        if ((next = strchr(line, '\n')))
            *next++ = '\0';
        const char *v;
        if ((v = value_of(line, "map")) && nmap < MAX_OPTIONS)
            map[nmap++] = v;
        else if ((v = value_of(line, "where")))
            opts.where = v;
        else if ((v = value_of(line, "category")))
            opts.category = v;
        else if ((v = value_of(line, "code")))
            opts.code = v;
        else if ((v = value_of(line, "name")))
            opts.name = v;
        else if ((v = value_of(line, "encoding")))
            opts.encoding = v;
    }
    opts.map = map;

    GEOSContextHandle_t h = plat_gis_geos(ctx);
    plat_ogr_source *src = NULL;
    plat_fieldmap m;
    int rc = plat_fieldmap__init(&m, db, &opts);
    fuzz_check_error(ctx, rc, utf8);
    if (rc == 0) {
        rc = plat_ogr__open(ctx, &src, sheet_path, &opts);
        fuzz_check_error(ctx, rc, utf8);
    }
    if (rc == 0) {
        rc = plat_fieldmap__bind(&m, src);
        fuzz_check_error(ctx, rc, utf8);
    }
    OGRFeatureH f = NULL;
    while (rc >= 0 && (rc = plat_ogr__next(ctx, src, &f)) > 0) {
        plat_project p = { 0 };
        GEOSGeometry *g = NULL;
        int has_progress = 0;
        int r = plat_fieldmap__read(&m, src, f, &p, &has_progress);
        fuzz_check_error(ctx, r, utf8);
        if (r == 0)
            FUZZ_CHECK(p.code && p.name && p.category && p.progress >= 0 && p.progress <= 100);
        fuzz_check_error(ctx, plat_ogr__geom(ctx, f, &g, NULL), 1);
        GEOSGeom_destroy_r(h, g);
        plat_project_dispose(&p);
        OGR_F_Destroy(f);
    }
    fuzz_check_error(ctx, rc, utf8);
    plat_ogr__close(src);
    plat_fieldmap__dispose(&m);
    plat_error_clear(ctx);
    free(text);
    return 0;
}

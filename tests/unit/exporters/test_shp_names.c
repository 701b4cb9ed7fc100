/* tests/unit/exporters/test_shp_names.c - the Shapefile field-name mapping of exporters/shp.c:
 * at most 10 bytes, cut on a UTF-8 character boundary, never two fields with one name. */
#include <stdlib.h>
#include <string.h>

#include "exporters_int.h"
#include "../../t.h"

/* Map `names` through plat_export__shp_names and return the layer (free with drop). */
static xlayer *map(plat_ctx *ctx, const char *const *names)
{
    xport x;
    memset(&x, 0, sizeof(x));
    x.ctx = ctx;
    xlayer *l = calloc(1, sizeof(*l));
    while (names[l->nfields])
        l->nfields++;
    l->fields = calloc((size_t)l->nfields, sizeof(*l->fields));
    for (int i = 0; i < l->nfields; i++) {
        l->fields[i].name = plat_strdup(names[i]);
        l->fields[i].out = plat_strdup(names[i]);
    }
    T_EQ_INT(plat_export__shp_names(&x, l), 0);
    return l;
}

static void drop(xlayer *l)
{
    for (int i = 0; i < l->nfields; i++) {
        free(l->fields[i].name);
        free(l->fields[i].out);
    }
    free(l->fields);
    free(l);
}

static void short_names_are_kept_and_long_ones_cut_to_ten_bytes(void)
{
    plat_ctx *ctx = plat_ctx_new();
    const char *const names[] = { "code", "status_lbl", "n_pumped_storage", "km_rural_road", NULL };
    xlayer *l = map(ctx, names);
    T_EQ_STR(l->fields[0].out, "code");
    T_EQ_STR(l->fields[1].out, "status_lbl");
    T_EQ_STR(l->fields[2].out, "n_pumped_s");
    T_EQ_STR(l->fields[3].out, "km_rural_r");
    drop(l);
    plat_ctx_free(ctx);
}

static void chinese_names_are_cut_on_a_character_boundary(void)
{
    plat_ctx *ctx = plat_ctx_new();
    /* 项目名称代码: 18 bytes; GDAL would keep 10 and split 称 (QGIS.md); plat keeps 3 characters */
    const char *const names[] = { "项目名称代码", "项目名称编号", NULL };
    xlayer *l = map(ctx, names);
    T_EQ_STR(l->fields[0].out, "项目名");
    /* the second cuts to 项目名 too, which is taken: 8 bytes left for 项目 + "_2" */
    T_EQ_STR(l->fields[1].out, "项目_2");
    for (int i = 0; i < l->nfields; i++)
        T_CHECK(strlen(l->fields[i].out) <= 10 && plat_utf8_valid(l->fields[i].out, strlen(l->fields[i].out)));
    drop(l);
    plat_ctx_free(ctx);
}

static void names_that_would_meet_get_a_number_ignoring_case(void)
{
    plat_ctx *ctx = plat_ctx_new();
    const char *const names[] = { "mu_rural_road_a", "mu_rural_road_b", "MU_RURAL_Road_c", "mu_rural_2", NULL };
    xlayer *l = map(ctx, names);
    T_EQ_STR(l->fields[0].out, "mu_rural_r");
    T_EQ_STR(l->fields[1].out, "mu_rural_2");
    T_EQ_STR(l->fields[2].out, "MU_RURAL_3"); /* mu_rural_r and mu_rural_2 are taken, whatever the case */
    T_EQ_STR(l->fields[3].out, "mu_rural_4"); /* its own name was taken by the rule before it */
    drop(l);
    plat_ctx_free(ctx);
}

int main(void)
{
    T_RUN(short_names_are_kept_and_long_ones_cut_to_ten_bytes);
    T_RUN(chinese_names_are_cut_on_a_character_boundary);
    T_RUN(names_that_would_meet_get_a_number_ignoring_case);
    return t_done();
}

/* tests/unit/layers/test_layer.c - the reference-layer registry and its tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plat/plat.h"
#include "../../t.h"

static plat_ctx *ctx;
static plat_store *db;
static char path[64];

static void open_ledger(void)
{
    snprintf(path, sizeof path, "/tmp/plat-test-layer-%d.sqlite", (int)getpid());
    remove(path);
    ctx = plat_ctx_new();
    T_EQ_INT(plat_store_open(ctx, &db, path, PLAT_OPEN_CREATE), 0);
}

static void close_ledger(void)
{
    plat_store_close(db);
    plat_ctx_free(ctx);
    char aux[96];
    remove(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    remove(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    remove(aux);
}

static void add_wkt(const char *layer, const char *wkt, int64_t fid)
{
    GEOSGeometry *g = NULL;
    unsigned char *wkb = NULL;
    size_t n = 0;
    T_EQ_INT(plat_geom_parse(ctx, &g, wkt), 0);
    T_EQ_INT(plat_geom_to_wkb(ctx, &wkb, &n, g), 0);
    T_EQ_INT(plat_layer_add_feature(db, layer, wkb, n, "{\"等级\":\"县道\"}", fid), 0);
    plat_free(wkb);
    GEOSGeom_destroy_r(plat_gis_geos(ctx), g);
}

static int grab_info(const plat_layer_info *li, void *ud)
{
    char *out = ud;
    snprintf(out, 256, "%s|%s|%s|%lld", li->name, li->kind, li->geometry_kind ? li->geometry_kind : "-",
             (long long)li->feature_count);
    return 0;
}

static int count_features(const plat_feature *f, void *ud)
{
    int *n = ud;
    T_CHECK(f->wkb_size > 0);
    T_EQ_STR(f->attrs, "{\"等级\":\"县道\"}");
    (*n)++;
    return 0;
}

static void a_layer_keeps_features_attributes_and_a_spatial_index(void)
{
    open_ledger();
    T_EQ_INT(plat_layer_create(db, "道路", "roads", "roads.shp"), PLAT_EINVALID); /* no working CRS yet */
    T_EQ_INT(plat_store_set_srid(db, 4547), 0);
    T_EQ_INT(plat_layer_create(db, "道路", "roads", "roads.shp"), 0);
    T_EQ_INT(plat_layer_create(db, "道路", "roads", NULL), PLAT_EEXISTS);
    T_EQ_INT(plat_layer_create(db, "x", "motorways", NULL), PLAT_EINVALID);
    T_EQ_INT(plat_layer_create(db, "", "roads", NULL), PLAT_EINVALID);
    add_wkt("道路", "LINESTRING(400000 3170000, 401000 3170000)", 0);
    add_wkt("道路", "LINESTRING(500000 3270000, 501000 3270000)", 1);
    T_EQ_INT(plat_layer_finish(db, "道路"), 0);
    char info[256] = "";
    T_EQ_INT(plat_layer_get(db, "道路", grab_info, info), 0);
    T_EQ_STR(info, "道路|roads|line|2");
    T_EQ_INT(plat_layer_get(db, "nope", grab_info, info), PLAT_ENOTFOUND);

    int n = 0;
    T_EQ_INT(plat_layer_foreach_feature(db, "道路", NULL, 0, count_features, &n), 0);
    T_EQ_INT(n, 2);
    GEOSGeometry *box = GEOSGeom_createRectangle_r(plat_gis_geos(ctx), 399000, 3169000, 402000, 3171000);
    unsigned char *wkb = NULL;
    size_t size = 0;
    T_EQ_INT(plat_geom_to_wkb(ctx, &wkb, &size, box), 0);
    n = 0;
    T_EQ_INT(plat_layer_foreach_feature(db, "道路", wkb, size, count_features, &n), 0);
    T_EQ_INT(n, 1);
    plat_free(wkb);
    GEOSGeom_destroy_r(plat_gis_geos(ctx), box);

    T_EQ_INT(plat_layer_create(db, "农田", "farmland", NULL), 0);
    T_EQ_INT(plat_layer_finish(db, "农田"), 0);
    T_EQ_INT(plat_layer_get(db, "农田", grab_info, info), 0);
    T_EQ_STR(info, "农田|farmland|-|0");
    T_EQ_INT(plat_layer_drop(db, "道路"), 0);
    T_EQ_INT(plat_layer_drop(db, "道路"), PLAT_ENOTFOUND);
    T_EQ_INT(plat_layer_foreach_feature(db, "道路", NULL, 0, count_features, &n), PLAT_ENOTFOUND);
    /* The name is free again, and a new table is made for it. */
    T_EQ_INT(plat_layer_create(db, "道路", "roads", NULL), 0);
    close_ledger();
}

int main(void)
{
    T_RUN(a_layer_keeps_features_attributes_and_a_spatial_index);
    return t_done();
}

/* tests/unit/layers/test_query.c - plat check conflicts and plat query against a reference
 * layer, built through the store API (the layer importer is another command).
 *
 * The ledger works in EPSG:4547 (CM 114E) and everything sits on the central meridian
 * (x = 500000), where the Gauss-Kruger scale is 1 within 4e-8: planar and ellipsoidal figures
 * agree to well under 1 m2 per km2, so hand-computed planar values pin both.
 *
 *   y 3102000 +-------------------+-------------------+
 *             | 甲镇 (T1)          | 乙镇 (T2)          |      L: line y = 3101800, x 500000..502000
 *             |        S: 500000..501000 x 3100500..3101500 (1 km2)
 *             |        R1 (eco): 500700..501700, same y  -> 30 % of S, split 150/150 by x = 500850
 *             |        R2 (eco): 500800..501200 x 3100500..3101000, overlaps R1: counts once
 *             |        R3 (eco): 501500..501600 x 3101700..3101900 -> 100 m of L
 *   y 3100000 +----------- x 500850 ------------+-------------------+
 *           x 499000                                             x 502000
 *   P: point (501500, 3101000) inside R1; T: square 501700..501800 touching R1's east edge only;
 *   F: a square 100 km away (never examined: outside the layer's extent). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plat/plat.h"
#include "../../t.h"

static plat_ctx *ctx;
static plat_store *db;
static char path[64];

static void to_wkb(const char *wkt, unsigned char **wkb, size_t *n)
{
    GEOSGeometry *g = NULL;
    T_EQ_INT(plat_geom_parse(ctx, &g, wkt), 0);
    T_EQ_INT(plat_geom_to_wkb(ctx, wkb, n, g), 0);
    GEOSGeom_destroy_r(plat_gis_geos(ctx), g);
}

static void township(const char *code, const char *name, const char *wkt)
{
    plat_township t = { 0 };
    t.code = (char *)code;
    t.name = (char *)name;
    t.county = (char *)"平江县";
    t.county_code = (char *)"430626";
    to_wkb(wkt, &t.wkb, &t.wkb_size);
    T_CHECK(plat_township_put(db, &t) >= 0);
    plat_free(t.wkb);
}

static void project(const char *code, const char *category, const char *wkt)
{
    plat_project p = { 0 };
    p.code = (char *)code;
    p.name = (char *)code;
    p.category = (char *)category;
    if (wkt)
        to_wkb(wkt, &p.wkb, &p.wkb_size);
    T_EQ_INT(plat_project_add(db, &p, "2024-01-01", NULL), 0);
    plat_free(p.wkb);
}

static void feature(const char *layer, const char *wkt)
{
    unsigned char *wkb = NULL;
    size_t n = 0;
    to_wkb(wkt, &wkb, &n);
    T_EQ_INT(plat_layer_add_feature(db, layer, wkb, n, NULL, -1), 0);
    plat_free(wkb);
}

static void open_ledger(void)
{
    snprintf(path, sizeof path, "/tmp/plat-test-query-%d.sqlite", (int)getpid());
    remove(path);
    ctx = plat_ctx_new();
    T_EQ_INT(plat_store_open(ctx, &db, path, PLAT_OPEN_CREATE), 0);
    T_EQ_INT(plat_store_set_srid(db, 4547), 0);
    township("430626100", "甲镇",
             "POLYGON((499000 3100000, 500850 3100000, 500850 3102000, 499000 3102000, 499000 3100000))");
    township("430626101", "乙镇",
             "POLYGON((500850 3100000, 502000 3100000, 502000 3102000, 500850 3102000, 500850 3100000))");
    project("S", "farmland",
            "POLYGON((500000 3100500, 501000 3100500, 501000 3101500, 500000 3101500, 500000 3100500))");
    project("L", "highway", "LINESTRING(500000 3101800, 502000 3101800)");
    project("P", "substation", "POINT(501500 3101000)");
    project("T", "farmland",
            "POLYGON((501700 3100500, 501800 3100500, 501800 3101500, 501700 3101500, 501700 3100500))");
    project("F", "farmland",
            "POLYGON((600000 3100000, 601000 3100000, 601000 3101000, 600000 3101000, 600000 3100000))");
    project("N", "school", NULL);
    T_EQ_INT(plat_layer_create(db, "生态红线", "eco_redline", NULL), 0);
    feature("生态红线", "POLYGON((500700 3100500, 501700 3100500, 501700 3101500, 500700 3101500, 500700 3100500))");
    feature("生态红线", "POLYGON((500800 3100500, 501200 3100500, 501200 3101000, 500800 3101000, 500800 3100500))");
    feature("生态红线", "POLYGON((501500 3101700, 501600 3101700, 501600 3101900, 501500 3101900, 501500 3101700))");
    T_EQ_INT(plat_layer_finish(db, "生态红线"), 0);
    T_EQ_INT(plat_layer_create(db, "空层", "basic_farmland", NULL), 0);
    T_EQ_INT(plat_layer_finish(db, "空层"), 0);
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

static void check_conflicts(int planar, double tol_m2)
{
    plat_conflicts_options o = PLAT_CONFLICTS_OPTIONS_INIT;
    plat_conflicts *c = NULL;
    o.layer = "生态红线";
    o.planar = planar;
    T_EQ_INT(plat_conflicts_compute(db, &c, &o), 0);
    T_EQ_STR(plat_conflicts_layer_kind(c), "eco_redline");
    T_EQ_STR(plat_conflicts_layer_geometry_kind(c), "polygon");
    /* S, L, P, T are near the layer; F is outside its extent; N has no geometry. */
    T_EQ_INT(plat_conflicts_examined(c), 4);
    T_EQ_INT(plat_conflicts_count(c), 3); /* T only touches: no area, no conflict */
    const plat_conflict_row *s = plat_conflicts_row_at(c, 0), *l = plat_conflicts_row_at(c, 1),
                            *p = plat_conflicts_row_at(c, 2);
    T_EQ_STR(s->project.code, "S");
    T_EQ_STR(l->project.code, "L");
    T_EQ_STR(p->project.code, "P");
    T_CHECK(plat_conflicts_row_at(c, 3) == NULL);
    /* 300 m x 1000 m of S lie in R1; R2 lies inside that and must not add its 200 x 500. */
    T_NEAR(s->overlap.area_m2, 300000.0, tol_m2);
    T_NEAR(s->total.area_m2, 1e6, tol_m2 * 10 / 3);
    T_NEAR(s->share, 0.30, 1e-6);
    T_EQ_INT(s->overlap.length_m == 0.0, 1);
    T_EQ_INT(s->place.n, 2);
    T_EQ_STR(s->place.places[0].name, "甲镇");
    T_NEAR(s->place.places[0].q.area_m2, 150000.0, tol_m2 / 2);
    T_EQ_STR(s->place.places[1].name, "乙镇");
    T_EQ_STR(s->place.places[1].code, "430626101");
    T_NEAR(s->place.places[1].q.area_m2, 150000.0, tol_m2 / 2);
    /* 100 m of the 2 km line, in 乙镇. */
    T_NEAR(l->overlap.length_m, 100.0, 1e-3);
    T_NEAR(l->share, 0.05, 1e-6);
    T_EQ_INT(l->place.n, 1);
    T_EQ_STR(l->place.places[0].name, "乙镇");
    T_EQ_INT(p->overlap.points, 1);
    T_NEAR(p->share, 1.0, 0);
    plat_conflicts_free(c);
}

static void overlap_with_a_protected_layer_is_measured_once_and_placed(void)
{
    open_ledger();
    check_conflicts(1, 1e-6);
    check_conflicts(0, 1.0);

    plat_conflicts_options o = PLAT_CONFLICTS_OPTIONS_INIT;
    plat_conflicts *c = NULL;
    o.layer = "空层";
    T_EQ_INT(plat_conflicts_compute(db, &c, &o), 0);
    T_EQ_INT(plat_conflicts_count(c), 0);
    plat_conflicts_free(c);
    o.layer = "生态红线";
    o.category = "highway";
    T_EQ_INT(plat_conflicts_compute(db, &c, &o), 0);
    T_EQ_INT(plat_conflicts_count(c), 1);
    T_EQ_STR(plat_conflicts_row_at(c, 0)->project.code, "L");
    plat_conflicts_free(c);
    o.category = NULL;
    o.layer = "没有这层";
    c = (plat_conflicts *)&o; /* must be reset to NULL on failure */
    T_EQ_INT(plat_conflicts_compute(db, &c, &o), PLAT_ENOTFOUND);
    T_CHECK(c == NULL);
    T_CHECK(strstr(plat_error_last(ctx)->msg, "没有这层") != NULL);
    o.layer = NULL;
    T_EQ_INT(plat_conflicts_compute(db, &c, &o), PLAT_EINVALID);
    close_ledger();
}

static const char *codes(const plat_query *q, char *buf, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < plat_query_count(q); i++)
        snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? "," : "", plat_query_row_at(q, i)->project.code);
    return buf;
}

static void query_by_layer_township_and_distance(void)
{
    open_ledger();
    plat_query_options o = PLAT_QUERY_OPTIONS_INIT;
    plat_query *q = NULL;
    char buf[128];
    o.layer = "生态红线";
    o.planar = 1;
    T_EQ_INT(plat_query_compute(db, &q, &o), 0);
    /* T shares an edge with R1: it intersects, with no overlap. */
    T_EQ_STR(codes(q, buf, sizeof buf), "L,P,S,T");
    T_NEAR(plat_query_row_at(q, 0)->overlap.length_m, 100.0, 1e-6);
    T_EQ_INT(plat_query_row_at(q, 1)->overlap.points, 1);
    T_NEAR(plat_query_row_at(q, 2)->overlap.area_m2, 300000.0, 1e-6);
    T_EQ_INT(plat_query_row_at(q, 3)->has_overlap, 1);
    T_NEAR(plat_query_row_at(q, 3)->overlap.area_m2, 0.0, 0);
    T_NEAR(plat_query_row_at(q, 0)->distance_m, -1, 0);
    plat_query_free(q);

    /* AND with a township: S and L reach into 甲镇, P and T lie in 乙镇 only. */
    o.township = "甲镇";
    T_EQ_INT(plat_query_compute(db, &q, &o), 0);
    T_EQ_STR(codes(q, buf, sizeof buf), "L,S");
    T_NEAR(plat_query_row_at(q, 1)->inside.area_m2, 850.0 * 1000.0, 1e-6);
    T_NEAR(plat_query_row_at(q, 0)->inside.length_m, 850.0, 1e-6);
    plat_query_free(q);

    /* From a point 500 m south of S's corner, on the central meridian (scale 1). */
    o.township = NULL;
    o.layer = NULL;
    o.planar = 0;
    o.of_geom = "POINT(500000 3100000)";
    o.of_srs = "EPSG:4547";
    o.within_m = 600;
    T_EQ_INT(plat_query_compute(db, &q, &o), 0);
    T_EQ_STR(codes(q, buf, sizeof buf), "S");
    T_NEAR(plat_query_row_at(q, 0)->distance_m, 500.0, 0.01);
    plat_query_free(q);
    /* Within 1.5 km of project S: L (300 m), P (500 m), T (700 m); never S itself; nearest first. */
    o.of_geom = NULL;
    o.of_srs = NULL;
    o.of_project = "S";
    o.within_m = 1500;
    T_EQ_INT(plat_query_compute(db, &q, &o), 0);
    T_EQ_STR(codes(q, buf, sizeof buf), "L,P,T");
    T_NEAR(plat_query_row_at(q, 0)->distance_m, 300.0, 0.01);
    T_NEAR(plat_query_row_at(q, 1)->distance_m, 500.0, 0.01);
    T_NEAR(plat_query_row_at(q, 2)->distance_m, 700.0, 0.01);
    plat_query_free(q);
    o.within_m = 650;
    o.layer = "生态红线";
    T_EQ_INT(plat_query_compute(db, &q, &o), 0);
    T_EQ_STR(codes(q, buf, sizeof buf), "L,P");
    plat_query_free(q);

    /* Failures: unknown project, project without geometry, unknown layer, bad WKT, bad options. */
    o.layer = NULL;
    o.of_project = "NOPE";
    T_EQ_INT(plat_query_compute(db, &q, &o), PLAT_ENOTFOUND);
    T_CHECK(q == NULL);
    o.of_project = "N";
    T_EQ_INT(plat_query_compute(db, &q, &o), PLAT_EINVALID);
    o.of_project = NULL;
    o.of_geom = "POINT(1 2";
    T_EQ_INT(plat_query_compute(db, &q, &o), PLAT_EINVALID);
    o.of_geom = "POINT(200 95)";
    T_EQ_INT(plat_query_compute(db, &q, &o), PLAT_EINVALID);
    o.of_geom = NULL;
    T_EQ_INT(plat_query_compute(db, &q, &o), PLAT_EINVALID); /* a distance but no place */
    o.within_m = -1;
    o.layer = "没有这层";
    T_EQ_INT(plat_query_compute(db, &q, &o), PLAT_ENOTFOUND);
    o.layer = NULL;
    o.township = "无此镇";
    T_EQ_INT(plat_query_compute(db, &q, &o), PLAT_ENOTFOUND);
    close_ledger();
}

static void distances_parse_with_units(void)
{
    plat_ctx *c = plat_ctx_new();
    double m = 0;
    T_EQ_INT(plat_distance_parse(c, &m, "5km"), 0);
    T_NEAR(m, 5000, 0);
    T_EQ_INT(plat_distance_parse(c, &m, "500m"), 0);
    T_NEAR(m, 500, 0);
    T_EQ_INT(plat_distance_parse(c, &m, "2.5公里"), 0);
    T_NEAR(m, 2500, 0);
    T_EQ_INT(plat_distance_parse(c, &m, "750"), 0);
    T_NEAR(m, 750, 0);
    T_EQ_INT(plat_distance_parse(c, &m, "-5km"), PLAT_EINVALID);
    T_EQ_INT(plat_distance_parse(c, &m, "-5"), PLAT_EINVALID);
    T_EQ_INT(plat_distance_parse(c, &m, "5亩"), PLAT_EINVALID);
    T_EQ_INT(plat_distance_parse(c, &m, "far"), PLAT_EINVALID);
    T_EQ_INT(plat_distance_parse(c, &m, "inf"), PLAT_EINVALID);
    T_EQ_INT(plat_distance_parse(c, &m, ""), PLAT_EINVALID);
    plat_ctx_free(c);
}

int main(void)
{
    T_RUN(overlap_with_a_protected_layer_is_measured_once_and_placed);
    T_RUN(query_by_layer_township_and_distance);
    T_RUN(distances_parse_with_units);
    return t_done();
}

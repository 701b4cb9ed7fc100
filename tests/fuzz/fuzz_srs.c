/* tests/fuzz/fuzz_srs.c - SRS arguments (`--s-srs`, `--t-srs`, `init --crs`): EPSG codes,
 * WKT, PROJ strings, the content of a .prj file, GCJ02 and BD09, and the coordinates they are
 * then asked to move.
 *
 * The first line of the input is the SRS as typed; every further line "X Y" is a coordinate.
 * The SRS goes to the EPSG parser, to plat_transform_new towards the working CRS of Hunan
 * (EPSG:4547) and, when it starts with a byte order mark, through a .prj file (where plat
 * strips the mark; PROJ refuses it in an argument); each coordinate is moved by
 * the transform, read by the CRS guesser, and taken through the GCJ-02 and BD-09 offsets and
 * back. Arguments that name files (@FILE, *.prj) are not followed: the input is the content.
 * Inside China the offsets' inverses must land back on the point within 1e-6 degree. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp in fuzz.h */
#include <math.h>

#include "fuzz.h"
#include "importers_int.h"

static plat_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ctx = plat_ctx_new();
    FUZZ_CHECK(ctx != NULL);
    return 0;
}

static void offsets(double x, double y)
{
    double gx, gy, bx, by, wx, wy, cx, cy;
    plat_gcj02_from_wgs84(x, y, &gx, &gy);
    plat_gcj02_to_wgs84(gx, gy, &wx, &wy);
    plat_bd09_from_gcj02(x, y, &bx, &by);
    plat_bd09_to_gcj02(bx, by, &cx, &cy);
    /* Well inside the rectangle where the offset applies (a degree from its edges, where the
     * forward offset may cross it), the inverses undo the forward formulas. */
    if (x >= 73.5 && x <= 136.5 && y >= 2 && y <= 54.5) {
        FUZZ_CHECK(fabs(wx - x) < 1e-6 && fabs(wy - y) < 1e-6);
        FUZZ_CHECK(fabs(cx - x) < 1e-6 && fabs(cy - y) < 1e-6);
    }
}

static void move_points(plat_transform *t, const char *coords)
{
    const char *p = coords;
    while (p && *p) {
        double x, y;
        const char *end;
        if (plat_parse_double_prefix(p, &x, &end) == 0 && plat_parse_double_prefix(end, &y, &end) == 0) {
            char hint[256];
            plat_import__crs_hint(hint, sizeof hint, x, y, 4547);
            FUZZ_CHECK(fuzz_utf8(hint));
            offsets(x, y);
            if (t) {
                int rc = plat_transform_point(t, &x, &y);
                fuzz_check_error(ctx, rc, 1);
                if (rc == 0)
                    FUZZ_CHECK(isfinite(x) && isfinite(y));
            }
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    char *coords = strchr(text, '\n');
    if (coords)
        *coords++ = '\0';
    const char *srs = text;
    int utf8 = fuzz_utf8(srs);
    plat_transform *t = NULL;
    int epsg = 0;

    int rc = plat_crs_parse_epsg(ctx, &epsg, srs);
    fuzz_check_error(ctx, rc, utf8);
    if (rc == 0) {
        FUZZ_CHECK(epsg > 0);
        plat_crs_is_metric_projected(ctx, epsg);
        plat_crs_gk_central_meridian(epsg);
    }

    if (!fuzz_names_file(srs)) {
        rc = plat_transform_new(ctx, &t, srs, 4547);
        fuzz_check_error(ctx, rc, utf8);
        if (rc == 0)
            move_points(t, coords);
        plat_transform_free(t);
        t = NULL;
    } else {
        move_points(NULL, coords);
    }

    if ((unsigned char)srs[0] == 0xEF && (unsigned char)srs[1] == 0xBB && (unsigned char)srs[2] == 0xBF) {
        /* A .prj as Windows tools write it, byte order mark first: read from the file. */
        const char *prj = fuzz_path("in.prj");
        fuzz_write(prj, srs, strlen(srs));
        rc = plat_transform_new(ctx, &t, prj, PLAT_EPSG_CGCS2000);
        fuzz_check_error(ctx, rc, 1);
        plat_transform_free(t);
    }
    plat_error_clear(ctx);
    free(text);
    return 0;
}

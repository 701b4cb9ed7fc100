/* tests/fuzz/fuzz_target.c - quantities as users type them: `--target 21km`, `--target
 * 20.8万亩`, `4个3000吨级泊位`, and the distances of `plat query --within 5km`.
 *
 * The input is the whole argument. A target that parses has a finite quantity of at least 0
 * and a unit that is valid UTF-8 and known or kept as written; a distance that parses is a
 * finite number of metres of at least 0. Anything else must fail the way common.h says. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp in fuzz.h */
#include <math.h>

#include "fuzz.h"

static plat_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ctx = plat_ctx_new();
    FUZZ_CHECK(ctx != NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    int utf8 = fuzz_utf8(text);
    double qty = -1, metres = -1;
    char unit[64];

    int rc = plat_target_parse(ctx, &qty, unit, sizeof unit, text);
    fuzz_check_error(ctx, rc, utf8);
    if (rc == 0) {
        FUZZ_CHECK(isfinite(qty) && qty >= 0);
        FUZZ_CHECK(unit[0] && fuzz_utf8(unit));
        plat_unit u = plat_unit_lookup(unit);
        FUZZ_CHECK(u.code && (u.kind == PLAT_UNIT_OTHER) == (u.factor == 0));
        /* The stored code reads back as itself: the ledger keeps codes, not spellings. */
        plat_unit again = plat_unit_lookup(u.code);
        FUZZ_CHECK(again.kind == u.kind && again.factor == u.factor);
    }

    rc = plat_distance_parse(ctx, &metres, text);
    fuzz_check_error(ctx, rc, utf8);
    if (rc == 0)
        FUZZ_CHECK(isfinite(metres) && metres >= 0);

    plat_error_clear(ctx);
    free(text);
    return 0;
}

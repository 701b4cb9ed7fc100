/* util/ctx.c - the per-thread context: the last error, the warning sink, and slots where
 * gis/ keeps its GEOS and PROJ handles so that util/ need not know those libraries.
 *
 * A context is never shared between threads; everything a failing call wants to tell its
 * caller is written here and read back with plat_error_last(). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plat/util.h"

struct plat_ctx {
    plat_error err;
    plat_warn_fn warn;
    void *warn_ud;
    void *slot[PLAT_SLOT_COUNT];
    void (*slot_free[PLAT_SLOT_COUNT])(void *);
};

plat_ctx *plat_ctx_new(void)
{
    plat_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx)
        ctx->err.fid = -1;
    return ctx;
}

void plat_ctx_free(plat_ctx *ctx)
{
    if (!ctx)
        return;
    /* Free in reverse order: later slots may hold objects made with earlier ones. */
    for (int i = PLAT_SLOT_COUNT - 1; i >= 0; i--)
        if (ctx->slot[i] && ctx->slot_free[i])
            ctx->slot_free[i](ctx->slot[i]);
    free(ctx);
}

const plat_error *plat_error_last(const plat_ctx *ctx)
{
    static const plat_error none = { 0, "", "", -1 };
    return ctx ? &ctx->err : &none;
}

/* After a message was cut to fit its buffer: drop a UTF-8 sequence the cut left incomplete, so
 * a long Chinese name never ends a message in half a character. */
static void cut_on_character(char *s)
{
    size_t len = strlen(s), i = len;
    while (i > 0 && len - i < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (i - 1 + want > len)
        s[i - 1] = '\0';
}

/* Messages are one line of UTF-8 by contract, but the user text and library messages quoted
 * in them may hold line breaks (a pasted argument, a multi-line CSV cell) or bytes that are not
 * UTF-8 (a GBK file, a parser quoting half a character): breaks become spaces, each stray byte
 * a '?'. */
static void tidy(char *s)
{
    while (*s) {
        unsigned char c = (unsigned char)*s;
        size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (c < 0x80 || plat_utf8_valid(s, k)) { /* stops at the NUL: never reads past it */
            if (*s == '\n' || *s == '\r')
                *s = ' ';
            s += k;
        } else {
            *s++ = '?';
        }
    }
}

int plat_error_set(plat_ctx *ctx, int code, const char *fmt, ...)
{
    if (!ctx)
        return code;
    va_list ap;
    va_start(ap, fmt);
    if (vsnprintf(ctx->err.msg, sizeof(ctx->err.msg), fmt, ap) >= (int)sizeof(ctx->err.msg))
        cut_on_character(ctx->err.msg);
    va_end(ap);
    tidy(ctx->err.msg);
    ctx->err.code = code;
    ctx->err.file[0] = '\0';
    ctx->err.fid = -1;
    return code;
}

int plat_error_locate(plat_ctx *ctx, const char *file, int64_t fid)
{
    if (!ctx)
        return PLAT_EINTERNAL;
    if (snprintf(ctx->err.file, sizeof(ctx->err.file), "%s", file ? file : "") >= (int)sizeof(ctx->err.file))
        cut_on_character(ctx->err.file);
    ctx->err.fid = fid;
    return ctx->err.code;
}

void plat_error_clear(plat_ctx *ctx)
{
    if (!ctx)
        return;
    memset(&ctx->err, 0, sizeof(ctx->err));
    ctx->err.fid = -1;
}

void plat_ctx_set_warn(plat_ctx *ctx, plat_warn_fn fn, void *ud)
{
    ctx->warn = fn;
    ctx->warn_ud = ud;
}

void plat_warn(plat_ctx *ctx, const char *fmt, ...)
{
    if (!ctx || !ctx->warn)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof(msg), fmt, ap) >= (int)sizeof(msg))
        cut_on_character(msg);
    va_end(ap);
    tidy(msg);
    ctx->warn(msg, ctx->warn_ud);
}

void *plat_ctx__slot(plat_ctx *ctx, int i)
{
    return (ctx && i >= 0 && i < PLAT_SLOT_COUNT) ? ctx->slot[i] : NULL;
}

void plat_ctx__set_slot(plat_ctx *ctx, int i, void *obj, void (*free_fn)(void *))
{
    if (!ctx || i < 0 || i >= PLAT_SLOT_COUNT)
        return;
    ctx->slot[i] = obj;
    ctx->slot_free[i] = free_fn;
}

void plat_free(void *p)
{
    free(p);
}

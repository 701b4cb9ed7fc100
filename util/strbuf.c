/* util/strbuf.c - growable strings, whole-file reads and the folder of a path.
 * A plat_buf doubles its capacity as it grows and is always NUL-terminated once it holds
 * anything; the caller owns the bytes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plat/util.h"

static int grow(plat_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s)
        return PLAT_ENOMEM;
    b->s = s;
    b->cap = cap;
    return 0;
}

int plat_buf_add(plat_buf *b, const char *s, size_t n)
{
    if (grow(b, n) < 0)
        return PLAT_ENOMEM;
    if (n)
        memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

int plat_buf_puts(plat_buf *b, const char *s)
{
    return plat_buf_add(b, s, strlen(s));
}

int plat_buf_vprintf(plat_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || grow(b, (size_t)n) < 0)
        return PLAT_ENOMEM;
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int plat_buf_printf(plat_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = plat_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *plat_buf_cstr(const plat_buf *b)
{
    return b->s ? b->s : "";
}

char *plat_buf_detach(plat_buf *b)
{
    char *s = b->s ? b->s : calloc(1, 1);
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void plat_buf_dispose(plat_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

char *plat_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int plat_read_file(plat_ctx *ctx, char **out, size_t *len, const char *path)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return plat_error_set(ctx, errno == ENOENT ? PLAT_ENOTFOUND : PLAT_EIO,
                              "%s: cannot open: %s", path, strerror(errno));
    plat_buf b = PLAT_BUF_INIT;
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if ((rc = plat_buf_add(&b, chunk, n)) < 0)
            break;
    if (rc == 0 && ferror(f))
        rc = plat_error_set(ctx, PLAT_EIO, "%s: read error", path);
    fclose(f);
    if (rc < 0) {
        plat_buf_dispose(&b);
        return rc;
    }
    if (len)
        *len = b.len;
    *out = plat_buf_detach(&b);
    return 0;
}

char *plat_path_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return plat_strdup(".");
    if (slash == path)
        return plat_strdup("/");
    char *d = malloc((size_t)(slash - path) + 1);
    if (d) {
        memcpy(d, path, (size_t)(slash - path));
        d[slash - path] = '\0';
    }
    return d;
}

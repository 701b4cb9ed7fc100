/* tests/fuzz/fuzz.h - what the harnesses share: the input as a C string, a scratch folder
 * for files a parser must read from disk, and the checks every failure must pass.
 *
 * A check that fails aborts, so libFuzzer saves the input and replay.c fails its test, the
 * same as a crash. The checks are the contract of common.h: a failing call returns a negative
 * code, records that code with a one-line message, and a message about valid UTF-8 input is
 * valid UTF-8 (Chinese text is cut on a character boundary, never in the middle). */
#ifndef PLAT_FUZZ_H
#define PLAT_FUZZ_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "plat/plat.h"

#define FUZZ_CHECK(cond)                                                                 \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* The input as a new NUL-terminated string (free with free()); an embedded NUL ends it, as
 * it would on a command line. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    FUZZ_CHECK(s != NULL);
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* A failure must say what failed, on one line, in valid UTF-8 when its input was. */
static inline void fuzz_check_error(plat_ctx *ctx, int rc, int input_utf8)
{
    if (rc >= 0)
        return;
    const plat_error *e = plat_error_last(ctx);
    if (e->code >= 0 || !e->msg[0] || strpbrk(e->msg, "\r\n") ||
        (input_utf8 && !plat_utf8_valid(e->msg, strlen(e->msg)))) {
        fprintf(stderr, "bad error report for rc %d: code %d, message \"%s\"\n", rc, e->code, e->msg);
        abort();
    }
}

static inline int fuzz_utf8(const char *s)
{
    return plat_utf8_valid(s, strlen(s));
}

/* Warnings follow the same rules as errors; a harness that knows its input is valid UTF-8
 * sets fuzz_warn_utf8 before the call. */
static int fuzz_warn_utf8;
static inline void fuzz_on_warn(const char *msg, void *ud)
{
    (void)ud;
    if (!msg[0] || strpbrk(msg, "\r\n") || (fuzz_warn_utf8 && !plat_utf8_valid(msg, strlen(msg)))) {
        fprintf(stderr, "bad warning: \"%s\"\n", msg);
        abort();
    }
}

/* The harness's context, its warnings checked by fuzz_on_warn. */
static inline plat_ctx *fuzz_ctx_new(void)
{
    plat_ctx *ctx = plat_ctx_new();
    FUZZ_CHECK(ctx != NULL);
    plat_ctx_set_warn(ctx, fuzz_on_warn, NULL);
    return ctx;
}

/* 1 if an SRS argument names a file to read (@FILE or *.prj, blanks trimmed as
 * plat_transform_new trims them): harnesses pass content, never paths the fuzzer made up
 * (@/dev/zero would never end). */
static inline int fuzz_names_file(const char *srs)
{
    while (isspace((unsigned char)*srs))
        srs++;
    size_t n = strlen(srs);
    while (n && isspace((unsigned char)srs[n - 1]))
        n--;
    return (n > 0 && srs[0] == '@') || (n >= 4 && strncasecmp(srs + n - 4, ".prj", 4) == 0);
}

/* A private scratch folder, made once and removed (with the files named by fuzz_path) at
 * exit. */
static char fuzz_dir[256];
static const char *fuzz_names[8];
static int fuzz_nnames;

static inline void fuzz_cleanup(void)
{
    char p[512];
    for (int i = 0; i < fuzz_nnames; i++) {
        static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
        for (int k = 0; k < 4; k++) {
            snprintf(p, sizeof p, "%s/%s%s", fuzz_dir, fuzz_names[i], suffix[k]);
            unlink(p);
        }
    }
    rmdir(fuzz_dir);
}

/* The path of `name` in the scratch folder, in a static buffer per name (at most 8 names). */
static inline const char *fuzz_path(const char *name)
{
    static char paths[8][512];
    if (!fuzz_dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/plat-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        FUZZ_CHECK(mkdtemp(fuzz_dir) != NULL);
        atexit(fuzz_cleanup);
    }
    for (int i = 0; i < fuzz_nnames; i++)
        if (strcmp(fuzz_names[i], name) == 0)
            return paths[i];
    FUZZ_CHECK(fuzz_nnames < 8);
    fuzz_names[fuzz_nnames] = name;
    snprintf(paths[fuzz_nnames], sizeof paths[0], "%s/%s", fuzz_dir, name);
    return paths[fuzz_nnames++];
}

/* Write n bytes to `path`, replacing it. */
static inline void fuzz_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(fwrite(data, 1, n, f) == n);
    FUZZ_CHECK(fclose(f) == 0);
}

#endif

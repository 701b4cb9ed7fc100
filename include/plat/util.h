/* plat/util.h - the floor: growable strings, UTF-8, dates and numbers, context slots.
 * Depends on nothing but the C library. */
#ifndef PLAT_UTIL_H
#define PLAT_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#include "common.h"

/* A growable NUL-terminated string. Initialise with PLAT_BUF_INIT; the caller owns s and
 * frees it with plat_buf_dispose() (or takes it with plat_buf_detach()). */
typedef struct plat_buf {
    char *s;    /* NULL until something is appended */
    size_t len; /* bytes before the NUL */
    size_t cap;
} plat_buf;
#define PLAT_BUF_INIT { NULL, 0, 0 }

/** Append n bytes. @return 0 or PLAT_ENOMEM. */
PLAT_API int plat_buf_add(plat_buf *b, const char *s, size_t n);
/** Append a NUL-terminated string. @return 0 or PLAT_ENOMEM. */
PLAT_API int plat_buf_puts(plat_buf *b, const char *s);
/** Append printf-style. @return 0 or PLAT_ENOMEM. */
PLAT_API int plat_buf_printf(plat_buf *b, const char *fmt, ...) PLAT_PRINTF(2, 3);
PLAT_API int plat_buf_vprintf(plat_buf *b, const char *fmt, va_list ap);
/** The text so far; "" (never NULL) when empty. Valid until the next append. */
PLAT_API const char *plat_buf_cstr(const plat_buf *b);
/** Hand the string to the caller (free with plat_free) and reset b. Never NULL. */
PLAT_API char *plat_buf_detach(plat_buf *b);
/** Free the string and reset b. Cannot fail. */
PLAT_API void plat_buf_dispose(plat_buf *b);

/** Copy s (NULL gives NULL). Free with plat_free. */
PLAT_API char *plat_strdup(const char *s);
/** The folder part of a path ("a/b.html" -> "a", "b.html" -> ".", "/b" -> "/"), for writing a
 * temporary file beside it. Free with plat_free. @return NULL only when out of memory */
PLAT_API char *plat_path_dir(const char *path);
/** Read a whole file into a new NUL-terminated string; free with plat_free.
 * @return 0, PLAT_ENOTFOUND or PLAT_EIO (recorded on ctx with the path). */
PLAT_API int plat_read_file(plat_ctx *ctx, char **out, size_t *len, const char *path);

/** 1 if the n bytes are valid UTF-8 (no overlongs, no surrogates), else 0. */
PLAT_API int plat_utf8_valid(const char *s, size_t n);
/** The length of the longest prefix of s of at most max bytes that does not end inside a
 * UTF-8 character: for quoting the start of user text ("%.*s") without cutting a Chinese
 * character in half. Cannot fail. */
PLAT_API int plat_utf8_prefix(const char *s, int max);
/** Columns a terminal gives s: 2 for East Asian wide/fullwidth characters, 1 otherwise. */
PLAT_API int plat_utf8_width(const char *s);

/** Parse a decimal number in the C locale ("1.5", "-2e3"), the whole string.
 * @return 0 and *out, or PLAT_EINVALID (nothing recorded). */
PLAT_API int plat_parse_double(const char *s, double *out);
/** Parse the leading number of s in the C locale; *end points after it. @return 0 or PLAT_EINVALID. */
PLAT_API int plat_parse_double_prefix(const char *s, double *out, const char **end);
/** Format a number for output in the C locale with at most `digits` decimals, trailing zeros
 * trimmed ("21", "20.8"). Writes into buf of size n. @return buf. */
PLAT_API char *plat_format_double(char *buf, size_t n, double v, int digits);

/** Append n bytes of s as a JSON string, quoted and escaped as json-c escapes it (`"`, `\`,
 * control characters; '/' and UTF-8 left as they are). @return 0 or PLAT_ENOMEM. */
PLAT_API int plat_buf_json_string(plat_buf *b, const char *s, size_t n);
/* Bytes plat_format_g15 may write, NUL included. */
#define PLAT_G15_SIZE 32
/** Write v into buf (PLAT_G15_SIZE bytes) as printf's "%.15g" writes it: the number as typed
 * ("261.89", not 261.88999999999999). @return buf. Cannot fail. */
PLAT_API char *plat_format_g15(char *buf, double v);
/** Write v in decimal into buf (at least 21 bytes). @return buf. Cannot fail. */
PLAT_API char *plat_format_int64(char *buf, int64_t v);

/** 1 if s is a real calendar date written YYYY-MM-DD, else 0. */
PLAT_API int plat_date_valid(const char *s);
/** Today's date (UTC) as YYYY-MM-DD into buf (at least 11 bytes). PLAT_NOW (environment,
 * YYYY-MM-DDTHH:MM:SSZ) stands in for the clock, as GIT_COMMITTER_DATE does for git, so a
 * history can be entered for days gone by and tests need no waiting. @return buf. */
PLAT_API char *plat_date_today(char *buf);
/** Now (UTC) as YYYY-MM-DDTHH:MM:SSZ into buf (at least 21 bytes); PLAT_NOW as above. @return buf. */
PLAT_API char *plat_time_now(char *buf);

/* SHA-256 of a byte stream (FIPS 180-4), for the history's hash chain. Caller-owned state:
 * plat_sha256_init, any number of updates, then plat_sha256_hex once. Cannot fail. */
typedef struct plat_sha256 {
    uint32_t h[8];
    uint64_t len;
    size_t fill;
    unsigned char buf[64];
} plat_sha256;
PLAT_API void plat_sha256_init(plat_sha256 *s);
PLAT_API void plat_sha256_update(plat_sha256 *s, const void *data, size_t n);
/** The digest as 64 lowercase hex digits and a NUL into hex (at least 65 bytes). @return hex. */
PLAT_API char *plat_sha256_hex(plat_sha256 *s, char *hex);

/** The day before `date` (YYYY-MM-DD, valid) into buf (at least 11 bytes). @return buf. */
PLAT_API char *plat_date_before(char *buf, const char *date);

/* ---- internals shared between plat's own modules, not for callers ---- */

/* Slots let gis/ attach its GEOS and PROJ handles to a context without util/ knowing them. */
enum { PLAT_SLOT_GEOS = 0, PLAT_SLOT_PROJ = 1, PLAT_SLOT_COUNT = 4 };
/** The object in slot i, NULL if none. */
PLAT_API void *plat_ctx__slot(plat_ctx *ctx, int i);
/** Put obj in slot i; free_fn(obj) runs when the context is freed. */
PLAT_API void plat_ctx__set_slot(plat_ctx *ctx, int i, void *obj, void (*free_fn)(void *));

#endif

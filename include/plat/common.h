/* plat/common.h - the context, errors, warnings and progress shared by every module.
 *
 * Every call that can fail takes a handle that receives the error: a plat_ctx in util/ and
 * gis/, a plat_store (which owns a plat_ctx) above them. Failures return a negative PLAT_E*
 * code and leave one line in the context saying what is wrong and what to do; nothing is kept
 * in globals, so one context per thread is all the locking plat needs. */
#ifndef PLAT_COMMON_H
#define PLAT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define PLAT_API __attribute__((visibility("default")))
#define PLAT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define PLAT_API
#define PLAT_PRINTF(f, a)
#endif

#define PLAT_VERSION "0.1.0"

/* Error codes: 0 is success, every failure is negative. */
enum {
    PLAT_OK = 0,
    PLAT_EINVALID = -1,  /* bad input: a value, a geometry, a file's content */
    PLAT_ENOTFOUND = -2, /* no such database, project, township, file */
    PLAT_EEXISTS = -3,   /* a code or name that is already taken */
    PLAT_EIO = -4,       /* the database or a file could not be read or written */
    PLAT_EUSAGE = -5,    /* the command line itself is wrong (exit 2) */
    PLAT_ENOMEM = -6,
    PLAT_ECANCEL = -7,   /* a progress callback asked to stop */
    PLAT_EBUSY = -8,     /* another writer holds the database */
    PLAT_EINTERNAL = -9, /* a library failed in a way input does not explain */
    PLAT_ECONFLICT = -10 /* an edit made on a stale copy: the data changed since it was read */
};

typedef struct plat_error {
    int code;          /* one of PLAT_E*, 0 when no error is recorded */
    char msg[512];     /* one line: what is wrong and what to do */
    char file[256];    /* input file the error is about, "" if none */
    int64_t fid;       /* feature id in that file, -1 if none */
} plat_error;

typedef struct plat_ctx plat_ctx;

/* Called for each warning (a repaired geometry, a guessed CRS...). Not called when NULL. */
typedef void (*plat_warn_fn)(const char *msg, void *ud);

/* Progress of long work: fraction in [0,1] and a short label. Return non-zero to cancel. */
typedef int (*plat_progress_fn)(double fraction, const char *label, void *ud);

/** Create a context. One per thread; never share one between threads.
 * @return the new context, or NULL when out of memory; caller frees with plat_ctx_free(). */
PLAT_API plat_ctx *plat_ctx_new(void);
/** Free a context and everything attached to it (GEOS and PROJ handles). NULL is a no-op. */
PLAT_API void plat_ctx_free(plat_ctx *ctx);

/** The last error recorded in ctx. Never NULL; code is 0 when nothing failed.
 * Valid until the next call that records an error on ctx. */
PLAT_API const plat_error *plat_error_last(const plat_ctx *ctx);
/** Record an error (printf-style message). Clears file and fid. @return code, unchanged. */
PLAT_API int plat_error_set(plat_ctx *ctx, int code, const char *fmt, ...) PLAT_PRINTF(3, 4);
/** Say which file and feature the recorded error is about (fid -1: the file as a whole).
 * Keeps the code and message. @return the recorded code. */
PLAT_API int plat_error_locate(plat_ctx *ctx, const char *file, int64_t fid);
/** Forget the recorded error. Cannot fail. */
PLAT_API void plat_error_clear(plat_ctx *ctx);

/** Route warnings to fn (NULL: drop them). The default prints nothing. */
PLAT_API void plat_ctx_set_warn(plat_ctx *ctx, plat_warn_fn fn, void *ud);
/** Emit a warning through the context's warning callback. */
PLAT_API void plat_warn(plat_ctx *ctx, const char *fmt, ...) PLAT_PRINTF(2, 3);

/** Free memory that plat handed to the caller (strings, WKB buffers). NULL is a no-op. */
PLAT_API void plat_free(void *p);

#endif

/* tests/t.h - the whole unit-test framework: checks that count failures and say where. */
#ifndef PLAT_T_H
#define PLAT_T_H
#include <math.h>
#include <stdio.h>
#include <string.h>

static int t_failures, t_checks;

#define T_CHECK(cond) t_check_((cond) != 0, __FILE__, __LINE__, #cond)
#define T_EQ_INT(a, b) t_eq_int_((long long)(a), (long long)(b), __FILE__, __LINE__, #a)
#define T_EQ_STR(a, b) t_eq_str_((a), (b), __FILE__, __LINE__, #a)
#define T_NEAR(a, b, tol) t_near_((double)(a), (double)(b), (double)(tol), __FILE__, __LINE__, #a)
#define T_RUN(fn) (printf("-- %s\n", #fn), fn())

static inline void t_check_(int ok, const char *f, int l, const char *what)
{
    t_checks++;
    if (!ok) {
        t_failures++;
        printf("%s:%d: FAILED: %s\n", f, l, what);
    }
}
static inline void t_eq_int_(long long a, long long b, const char *f, int l, const char *what)
{
    t_checks++;
    if (a != b) {
        t_failures++;
        printf("%s:%d: FAILED: %s is %lld, expected %lld\n", f, l, what, a, b);
    }
}
static inline void t_eq_str_(const char *a, const char *b, const char *f, int l, const char *what)
{
    t_checks++;
    if (!a || !b || strcmp(a, b) != 0) {
        t_failures++;
        printf("%s:%d: FAILED: %s is \"%s\", expected \"%s\"\n", f, l, what, a ? a : "(null)",
               b ? b : "(null)");
    }
}
static inline void t_near_(double a, double b, double tol, const char *f, int l, const char *what)
{
    t_checks++;
    if (!(fabs(a - b) <= tol)) {
        t_failures++;
        printf("%s:%d: FAILED: %s is %.10g, expected %.10g +- %g\n", f, l, what, a, b, tol);
    }
}
static inline int t_done(void)
{
    printf("%d checks, %d failed\n", t_checks, t_failures);
    return t_failures ? 1 : 0;
}
#endif

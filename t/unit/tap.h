/* tap.h - a few lines of TAP for the C unit tests (prove runs them). */
#ifndef MTO_TAP_H
#define MTO_TAP_H
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

/* ok(cond, "name"): one numbered check, named after the behaviour. */
#define ok(cond, ...)                                                                              \
    do {                                                                                           \
        int tap_c = (cond) ? 1 : 0;                                                                \
        printf("%sok %d - ", tap_c ? "" : "not ", ++tap_n);                                        \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
        if (!tap_c) {                                                                              \
            tap_failed++;                                                                          \
            printf("#   at %s line %d\n", __FILE__, __LINE__);                                     \
        }                                                                                          \
    } while (0)

#define is_str(got, want, ...)                                                                     \
    do {                                                                                           \
        const char *tap_g = (got), *tap_w = (want);                                                \
        int tap_same = (tap_g && tap_w) ? strcmp(tap_g, tap_w) == 0 : tap_g == tap_w;              \
        ok(tap_same, __VA_ARGS__);                                                                 \
        if (!tap_same)                                                                             \
            printf("#   got: '%s'\n#   expected: '%s'\n", tap_g ? tap_g : "(null)",                \
                   tap_w ? tap_w : "(null)");                                                      \
    } while (0)

/* Prints the plan at the end; the exit code tells prove about failures. */
static int done_testing(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}
#endif

/*
 * tsan-preinit.c - lets clang 14's ThreadSanitizer runtime be preloaded into
 * an uninstrumented program (Debian's apache2), for build/tsan-httpd.
 *
 * An instrumented executable starts the runtime from its .preinit_array,
 * before any library's constructor.  Preloaded into apache2 there is no such
 * entry, and libclang_rt.tsan-x86_64.so needs libstdc++, whose constructor
 * runs first and calls __cxa_atexit: the runtime's interceptor of it, not yet
 * initialized, jumps to a null "real" function (SIGSEGV before main, even for
 * /bin/true).  Preloaded before the runtime, this library answers that
 * first __cxa_atexit: it starts the runtime as .preinit_array would
 * (__tsan_init does nothing the second time), then hands every call on to
 * the next definition, the runtime's interceptor.
 *
 * Built by build/tsan without instrumentation; __tsan_init is found in the
 * runtime when first called (lazy binding).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

void __tsan_init(void);

typedef int (*mto_cxa_atexit_fn)(void (*)(void *), void *, void *);

int __cxa_atexit(void (*fn)(void *), void *arg, void *dso)
{
    /* Set by the first call, which the loader makes before main and before
     * any thread exists. */
    static mto_cxa_atexit_fn next;

    if (!next) {
        __tsan_init();
        next = (mto_cxa_atexit_fn)dlsym(RTLD_NEXT, "__cxa_atexit");
        if (!next) {
            return -1;
        }
    }
    return next(fn, arg, dso);
}

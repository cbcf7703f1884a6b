/*
 * test_throttle.c - unit tests for throttle.c: failures counted per key in
 * a window, the limit reached once, other keys untouched, a full table
 * that forgets the fewest failures first, and counts that several
 * processes add to at once without losing one.  Prints TAP;
 * t/unit/throttle.t runs it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_general.h>

#include "core/core.h"
#include "tap.h"

#define KEY_A  APR_UINT64_C(0x0123456789abcdef)
#define KEY_B  APR_UINT64_C(0xfedcba9876543210)
/* A key whose tag (high bits) and home slot (low bits) are both n. */
#define KEY(n) ((apr_uint64_t)(n) << 40 | (apr_uint64_t)(n))

static mto_throttle_t table(apr_uint32_t nslots)
{
    mto_throttle_t t;

    t.nslots = nslots;
    t.slots = mmap(NULL, mto_throttle_bytes(nslots), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (t.slots == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    return t;
}

static void test_window(void)
{
    mto_throttle_t t = table(64);
    apr_uint32_t now = 1000000;
    int rc, i;

    ok(mto_throttle_blocked(&t, KEY_A, now, 3, 60) == 0, "an unknown key is not refused");
    for (i = 1; i <= 2; i++) {
        rc = mto_throttle_fail(&t, KEY_A, now + (apr_uint32_t)i, 3, 60);
        ok(rc == MTO_THROTTLE_COUNTED, "failure %d of 3 is counted", i);
    }
    ok(mto_throttle_blocked(&t, KEY_A, now + 3, 3, 60) == 0, "two failures of three: not refused");
    rc = mto_throttle_fail(&t, KEY_A, now + 3, 3, 60);
    ok(rc == MTO_THROTTLE_REACHED, "the third failure reaches the limit");
    ok(mto_throttle_blocked(&t, KEY_A, now + 3, 3, 60) == 58,
       "refused for the rest of the window, which began with the first failure (58 s)");
    ok(mto_throttle_blocked(&t, KEY_A, now + 60, 3, 60) == 1, "one second before it passes: 1");
    ok(mto_throttle_fail(&t, KEY_A, now + 10, 3, 60) == MTO_THROTTLE_COUNTED,
       "a fourth failure does not reach the limit again");
    ok(mto_throttle_blocked(&t, KEY_B, now + 10, 3, 60) == 0, "another key is not refused");
    ok(mto_throttle_blocked(&t, KEY_A, now + 61, 3, 60) == 0,
       "once the window passed: not refused");
    ok(mto_throttle_fail(&t, KEY_A, now + 61, 3, 60) == MTO_THROTTLE_COUNTED,
       "a failure after the window starts a new count");
    ok(mto_throttle_blocked(&t, KEY_A, now + 61, 1, 60) == 60, "... and a new window");
    ok(mto_throttle_fail(&t, KEY_B, now, 1, 60) == MTO_THROTTLE_REACHED,
       "limit 1: the first failure reaches it");
}

static void test_wrap(void)
{
    mto_throttle_t t = table(8);
    apr_uint32_t now = 0xffffff - 1; /* window starts are kept mod 2^24 */

    mto_throttle_fail(&t, KEY_A, now, 2, 10);
    mto_throttle_fail(&t, KEY_A, now + 1, 2, 10);
    ok(mto_throttle_blocked(&t, KEY_A, now + 3, 2, 10) == 7,
       "a window across the 2^24-second wrap still counts down");
    ok(mto_throttle_blocked(&t, KEY_A, now + 10, 2, 10) == 0, "and passes");
}

/* A table of 8 slots with live counts everywhere: a new key takes the
 * slot with the fewest failures; the key at its limit stays refused. */
static void test_full(void)
{
    mto_throttle_t t = table(8);
    apr_uint32_t now = 5000;
    apr_uint64_t k;
    int i, rc, evicted = 0;

    for (i = 0; i < 5; i++) {
        mto_throttle_fail(&t, KEY_A, now, 5, 60);
    }
    for (k = 1; k <= 7; k++) {
        mto_throttle_fail(&t, KEY(k), now, 5, 60);
        mto_throttle_fail(&t, KEY(k), now, 5, 60);
    }
    for (k = 100; k < 140; k++) {
        rc = mto_throttle_fail(&t, KEY(k), now + 1, 5, 60);
        evicted += (rc & MTO_THROTTLE_EVICTED) != 0;
    }
    ok(evicted == 40, "a full table: each new key takes another's live slot (%d of 40)", evicted);
    ok(mto_throttle_blocked(&t, KEY_A, now + 1, 5, 60) == 59,
       "the key at its limit is not the one forgotten");
    ok(mto_throttle_fail(&t, KEY(139), now + 1, 5, 60) == MTO_THROTTLE_COUNTED,
       "the newest key goes on counting in its slot");
    ok(mto_throttle_fail(&t, KEY(200), now + 70, 5, 60) == MTO_THROTTLE_COUNTED,
       "once their windows passed, a slot is taken without forgetting anyone");
}

/* Four processes add 500 failures each to one key at the same time. */
static void test_processes(void)
{
    mto_throttle_t t = table(1024);
    pid_t pids[4];
    int i, j, status, busy = 0;

    fflush(stdout); /* else a child may print the parent's buffered TAP again */
    for (i = 0; i < 4; i++) {
        if ((pids[i] = fork()) == 0) {
            for (j = 0; j < 500; j++) {
                busy += mto_throttle_fail(&t, KEY_A, 7000, 10000, 600) == MTO_THROTTLE_BUSY;
                mto_throttle_fail(&t, KEY_B + (apr_uint64_t)j, 7000, 10000, 600);
            }
            _exit(busy ? 1 : 0);
        }
    }
    for (i = 0; i < 4; i++) {
        waitpid(pids[i], &status, 0);
        busy += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    ok(busy == 0, "no failure was given up as busy");
    ok(mto_throttle_blocked(&t, KEY_A, 7000, 2000, 600) > 0
           && mto_throttle_blocked(&t, KEY_A, 7000, 2001, 600) == 0,
       "four processes at once: exactly 2000 failures counted");
}

int main(void)
{
    apr_initialize();
    test_window();
    test_wrap();
    test_full();
    test_processes();
    apr_terminate();
    return done_testing();
}

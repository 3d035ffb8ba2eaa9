// Arguments, environment, clocks, randomness and scheduling, checked from inside the guest.
// Expects to be run as: misc_calls.wasm one "two words" with WASIHOST_TEST=yes in the
// environment (and nothing else); prints a few values for the host test to compare, and ends
// with proc_exit(7) so the test can check the exit status.
#include "fd_check.h"

#include <time.h>

static void args(int argc, char **argv) {
    __wasi_size_t count = 0, size = 0;
    OK(__wasi_args_sizes_get(&count, &size));
    CHECK(count == 3 && (int)count == argc);
    // Program name, "one", "two words", each with its NUL.
    CHECK(size == strlen(argv[0]) + 1 + 4 + 10);
    CHECK(strcmp(argv[1], "one") == 0);
    CHECK(strcmp(argv[2], "two words") == 0);
    // The raw call fills pointers into the buffer, in order.
    char *ptrs[3];
    char buf[64];
    OK(__wasi_args_get((uint8_t **)ptrs, (uint8_t *)buf));
    CHECK(ptrs[0] == buf);
    CHECK(strcmp(ptrs[2], "two words") == 0);
    CHECK(ptrs[2] + strlen(ptrs[2]) + 1 == buf + size);
}

static void environ_(void) {
    __wasi_size_t count = 0, size = 0;
    OK(__wasi_environ_sizes_get(&count, &size));
    CHECK(count == 1);
    CHECK(size == sizeof("WASIHOST_TEST=yes"));
    char *ptrs[1];
    char buf[32];
    OK(__wasi_environ_get((uint8_t **)ptrs, (uint8_t *)buf));
    CHECK(strcmp(ptrs[0], "WASIHOST_TEST=yes") == 0);
    CHECK(getenv("WASIHOST_TEST") && strcmp(getenv("WASIHOST_TEST"), "yes") == 0);
    CHECK(getenv("HOME") == NULL);
}

static void clocks(void) {
    __wasi_clockid_t ids[] = {__WASI_CLOCKID_REALTIME, __WASI_CLOCKID_MONOTONIC,
                              __WASI_CLOCKID_PROCESS_CPUTIME_ID,
                              __WASI_CLOCKID_THREAD_CPUTIME_ID};
    for (int i = 0; i < 4; i++) {
        __wasi_timestamp_t res = 0, t = 0;
        OK(__wasi_clock_res_get(ids[i], &res));
        CHECK(res > 0 && res <= 1000000000ull);
        OK(__wasi_clock_time_get(ids[i], 1, &t));
        CHECK(t > 0);
    }
    // Monotonic time never goes back; CPU time grows while we work.
    __wasi_timestamp_t m1, m2, c1, c2;
    OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &m1));
    OK(__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 0, &c1));
    volatile uint64_t sink = 0;
    for (uint64_t i = 0; i < 20000000; i++) sink = sink + i;
    CHECK(sink > 0);
    OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &m2));
    OK(__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 0, &c2));
    CHECK(m2 >= m1);
    CHECK(c2 > c1);
    // An unknown clock is EINVAL.
    __wasi_timestamp_t t;
    EXPECT(__wasi_clock_time_get(4, 0, &t), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_clock_res_get(99, &t), __WASI_ERRNO_INVAL);
    // The realtime clock, for the host to compare with its own.
    OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 0, &t));
    printf("realtime %llu\n", (unsigned long long)(t / 1000000000ull));
    // libc's view of the same clock.
    struct timespec ts;
    CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0 && ts.tv_sec > 1600000000);
}

static void randomness(void) {
    uint8_t a[64] = {0}, b[64] = {0};
    OK(__wasi_random_get(a, sizeof a));
    OK(__wasi_random_get(b, sizeof b));
    CHECK(memcmp(a, b, sizeof a) != 0);
    int zeros = 0;
    for (int i = 0; i < 64; i++) zeros += a[i] == 0;
    CHECK(zeros < 16);
    // A zero-length request is fine.
    OK(__wasi_random_get(a, 0));
    // A large request fills every byte (the chance of a zero run of 4 KiB is nil).
    static uint8_t big[65536];
    OK(__wasi_random_get(big, sizeof big));
    int nonzero = 0;
    for (size_t i = sizeof big - 4096; i < sizeof big; i++) nonzero += big[i] != 0;
    CHECK(nonzero > 3000);
}

int main(int argc, char **argv) {
    args(argc, argv);
    environ_();
    clocks();
    randomness();
    OK(__wasi_sched_yield());
    printf("%s\n", failures ? "misc FAILED" : "misc ok");
    fflush(stdout);
    __wasi_proc_exit(failures ? 1 : 7);
}

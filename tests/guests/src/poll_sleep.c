// Sleeps through libc (nanosleep, clock_nanosleep with relative and absolute deadlines on both
// clocks), each a poll_oneoff clock subscription, and reports what it measured.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long now_ns(clockid_t clock) {
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0) {
        perror("clock_gettime");
        exit(1);
    }
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct timespec from_ns(long long ns) {
    struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
    return ts;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 20;
    long long each = argc > 2 ? atoll(argv[2]) : 2000000;

    // Many short relative sleeps in a row: the total is at least their sum.
    long long start = now_ns(CLOCK_MONOTONIC);
    for (int i = 0; i < rounds; i++) {
        struct timespec req = from_ns(each);
        if (nanosleep(&req, NULL) != 0) {
            perror("nanosleep");
            return 1;
        }
    }
    long long total = now_ns(CLOCK_MONOTONIC) - start;
    printf("relative: %s\n", total >= rounds * each ? "ok" : "too short");

    // Absolute deadlines on both clocks: each is reached when the sleep returns.
    clockid_t clocks[2] = {CLOCK_MONOTONIC, CLOCK_REALTIME};
    const char *names[2] = {"monotonic", "realtime"};
    for (int c = 0; c < 2; c++) {
        int late = 0;
        for (int i = 0; i < rounds; i++) {
            long long deadline = now_ns(clocks[c]) + each;
            struct timespec when = from_ns(deadline);
            int r = clock_nanosleep(clocks[c], TIMER_ABSTIME, &when, NULL);
            if (r != 0) {
                printf("clock_nanosleep: error %d\n", r);
                return 1;
            }
            if (now_ns(clocks[c]) < deadline) {
                late++;
            }
        }
        printf("absolute %s: %s\n", names[c], late == 0 ? "ok" : "woke early");
    }

    // A relative clock_nanosleep, and a deadline already in the past.
    long long t0 = now_ns(CLOCK_MONOTONIC);
    struct timespec req = from_ns(each);
    int r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
    printf("relative clock_nanosleep: %s\n",
           r == 0 && now_ns(CLOCK_MONOTONIC) - t0 >= each ? "ok" : "failed");
    struct timespec past = from_ns(1);
    r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &past, NULL);
    printf("past deadline: %s\n", r == 0 ? "ok" : "failed");
    return 0;
}

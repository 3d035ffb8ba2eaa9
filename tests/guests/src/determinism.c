// Prints everything a deterministic run virtualizes: clock readings and resolutions, random
// bytes, the monotonic clock around a sleep, file timestamps and directory listings.
// usage: determinism WRITABLE_DIR READ_ONLY_DIR [SLEEP_NS]
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static unsigned long long now(__wasi_clockid_t id) {
    __wasi_timestamp_t t = 0;
    __wasi_errno_t e = __wasi_clock_time_get(id, 1, &t);
    if (e != 0) {
        printf("clock_time_get %u: errno %u\n", id, e);
        exit(1);
    }
    return t;
}

static void print_stat(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        exit(1);
    }
    printf("stat %s: size %lld atim %lld.%09ld mtim %lld.%09ld ctim %lld.%09ld\n", path,
           (long long)st.st_size, (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec,
           st.st_ctim.tv_nsec);
}

static void list(const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        perror(path);
        exit(1);
    }
    printf("readdir %s:", path);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        printf(" %s", e->d_name);
    }
    printf("\n");
    closedir(d);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: determinism WRITABLE_DIR READ_ONLY_DIR [SLEEP_NS]\n");
        return 1;
    }
    const char *rw = argv[1], *ro = argv[2];
    unsigned long long sleep_ns = argc > 3 ? strtoull(argv[3], NULL, 10) : 5000000000ULL;

    for (int i = 0; i < 3; i++) {
        printf("realtime %llu\n", now(__WASI_CLOCKID_REALTIME));
        printf("monotonic %llu\n", now(__WASI_CLOCKID_MONOTONIC));
    }
    __wasi_clockid_t ids[] = {__WASI_CLOCKID_REALTIME, __WASI_CLOCKID_MONOTONIC,
                              __WASI_CLOCKID_PROCESS_CPUTIME_ID, __WASI_CLOCKID_THREAD_CPUTIME_ID};
    for (int i = 0; i < 4; i++) {
        __wasi_timestamp_t res = 0;
        __wasi_errno_t e = __wasi_clock_res_get(ids[i], &res);
        printf("clock_res_get %u: errno %u res %llu\n", ids[i], e, (unsigned long long)res);
    }

    unsigned char buf[32];
    if (__wasi_random_get(buf, sizeof buf) != 0) {
        printf("random_get failed\n");
        return 1;
    }
    printf("random ");
    for (size_t i = 0; i < sizeof buf; i++) {
        printf("%02x", buf[i]);
    }
    printf("\n");

    // One poll_oneoff with a relative monotonic clock subscription.
    __wasi_subscription_t sub;
    memset(&sub, 0, sizeof sub);
    sub.userdata = 42;
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub.u.u.clock.timeout = sleep_ns;
    __wasi_event_t ev;
    __wasi_size_t n = 0;
    unsigned long long before = now(__WASI_CLOCKID_MONOTONIC);
    __wasi_errno_t e = __wasi_poll_oneoff(&sub, &ev, 1, &n);
    unsigned long long after = now(__WASI_CLOCKID_MONOTONIC);
    printf("sleep %llu: errno %u events %lu userdata %llu error %u\n", sleep_ns, e, n,
           (unsigned long long)ev.userdata, ev.error);
    printf("monotonic before %llu after %llu slept %llu\n", before, after, after - before);

    char path[512];
    snprintf(path, sizeof path, "%s/created.txt", rw);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "new\n", 4) != 4 || close(fd) != 0) {
        perror(path);
        return 1;
    }
    print_stat(path);
    snprintf(path, sizeof path, "%s/old.txt", rw);
    print_stat(path);
    snprintf(path, sizeof path, "%s/old.txt", ro);
    print_stat(path);
    list(rw);
    list(ro);
    // Overwrite and then remove a file that came from the host.
    snprintf(path, sizeof path, "%s/old.txt", rw);
    fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0 || write(fd, "x", 1) != 1 || close(fd) != 0) {
        perror(path);
        return 1;
    }
    print_stat(path);
    printf("unlink %s: %d\n", path, unlink(path));
    list(rw);
    return 0;
}

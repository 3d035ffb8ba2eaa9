// Checking helpers shared by the fd_*.c guests: each failed check prints one "FAIL" line on
// stdout, and the guest exits 1 at the end if any check failed.
#ifndef FD_CHECK_H
#define FD_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

// The first preopened directory (the CLI preopens `--dir HOST::.` there).
#define DIR 3

static int failures;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);           \
            failures++;                                                      \
        }                                                                    \
    } while (0)

#define EXPECT(call, want)                                                   \
    do {                                                                     \
        __wasi_errno_t e_ = (call);                                          \
        if (e_ != (want)) {                                                  \
            printf("FAIL %s:%d: %s gave errno %d, want %d\n", __FILE__,      \
                   __LINE__, #call, (int)e_, (int)(want));                   \
            failures++;                                                      \
        }                                                                    \
    } while (0)

#define OK(call) EXPECT(call, __WASI_ERRNO_SUCCESS)

// Every right preview1 defines (bits 0 to 29); other bits are invalid.
#define ALL_RIGHTS ((((__wasi_rights_t)1) << 30) - 1)

// Open `path` beneath the preopen with every right the preopen hands down.
static inline __wasi_fd_t open_at(const char *path, __wasi_oflags_t oflags,
                                  __wasi_fdflags_t fdflags) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    __wasi_errno_t e =
        __wasi_path_open(DIR, 0, path, oflags, ALL_RIGHTS, ALL_RIGHTS, fdflags, &fd);
    if (e != 0) {
        printf("FAIL open %s: errno %d\n", path, (int)e);
        exit(1);
    }
    return fd;
}

// Write all of `s` at the current offset.
static inline void put(__wasi_fd_t fd, const char *s) {
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    __wasi_size_t n = 0;
    OK(__wasi_fd_write(fd, &iov, 1, &n));
    CHECK(n == strlen(s));
}

// Drop `rights` from a descriptor's base rights.
static inline void drop_rights(__wasi_fd_t fd, __wasi_rights_t rights) {
    __wasi_fdstat_t st;
    OK(__wasi_fd_fdstat_get(fd, &st));
    OK(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base & ~rights, st.fs_rights_inheriting));
}

static inline int finish(const char *name) {
    if (failures == 0) {
        printf("ok %s\n", name);
        return 0;
    }
    printf("%d failures in %s\n", failures, name);
    return 1;
}

#endif

// Shared helpers for the path_* and readdir_* guests: raw WASI calls (<wasi/api.h>) with exact
// errno checks. Each test runs in the first preopened directory (fd 3), which starts empty.
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

// The directory every test works in: the first preopen.
#define BASE ((__wasi_fd_t)3)
#define ALL_RIGHTS ((__wasi_rights_t)((1u << 30) - 1))
// Everything a directory descriptor may hold (asking a directory for writing is EISDIR).
#define DIR_RIGHTS (ALL_RIGHTS & ~(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE | \
                                   __WASI_RIGHTS_FD_FILESTAT_SET_SIZE))
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define RW (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | \
            __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS)

#define FAIL(...)                                          \
    do {                                                   \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);    \
        fprintf(stderr, __VA_ARGS__);                      \
        fputc('\n', stderr);                               \
        exit(1);                                           \
    } while (0)

// `call` must return errno `want` (0 for success).
#define EXPECT(call, want)                                                            \
    do {                                                                              \
        __wasi_errno_t got_ = (call);                                                 \
        if (got_ != (want))                                                           \
            FAIL("%s: errno %u, expected %u", #call, (unsigned)got_, (unsigned)(want)); \
    } while (0)
#define OK(call) EXPECT(call, 0)
#define CHECK(cond)                                \
    do {                                           \
        if (!(cond)) FAIL("check failed: %s", #cond); \
    } while (0)

// Open `path` beneath `dir`, which must succeed; the new descriptor may hand down everything.
static inline __wasi_fd_t open_ok(__wasi_fd_t dir, const char *path, __wasi_lookupflags_t lookup,
                                  __wasi_oflags_t oflags, __wasi_rights_t rights) {
    __wasi_fd_t fd = 0;
    __wasi_errno_t e = __wasi_path_open(dir, lookup, path, oflags, rights, ALL_RIGHTS, 0, &fd);
    if (e != 0) FAIL("open %s: errno %u", path, (unsigned)e);
    if (fd <= 2) FAIL("open %s: fd %u", path, (unsigned)fd);
    return fd;
}

// The errno of opening `path` (the descriptor is closed if it opened).
static inline __wasi_errno_t open_errno(__wasi_fd_t dir, const char *path,
                                        __wasi_lookupflags_t lookup, __wasi_oflags_t oflags,
                                        __wasi_rights_t rights) {
    __wasi_fd_t fd = 0;
    __wasi_errno_t e = __wasi_path_open(dir, lookup, path, oflags, rights, ALL_RIGHTS, 0, &fd);
    if (e == 0) OK(__wasi_fd_close(fd));
    return e;
}

// Create an empty file (or truncate an existing one).
static inline void create_file(__wasi_fd_t dir, const char *path) {
    __wasi_fd_t fd = open_ok(dir, path, 0, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RW);
    OK(__wasi_fd_close(fd));
}

// Create a file holding `text`.
static inline void write_file(__wasi_fd_t dir, const char *path, const char *text) {
    __wasi_fd_t fd = open_ok(dir, path, 0, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RW);
    __wasi_ciovec_t iov = {(const uint8_t *)text, strlen(text)};
    __wasi_size_t n = 0;
    OK(__wasi_fd_write(fd, &iov, 1, &n));
    CHECK(n == strlen(text));
    OK(__wasi_fd_close(fd));
}

static inline __wasi_filestat_t stat_ok(__wasi_fd_t dir, const char *path,
                                        __wasi_lookupflags_t lookup) {
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_path_filestat_get(dir, lookup, path, &st);
    if (e != 0) FAIL("stat %s: errno %u", path, (unsigned)e);
    return st;
}

// True if `path` names something (the last component not followed).
static inline int exists(__wasi_fd_t dir, const char *path) {
    __wasi_filestat_t st;
    return __wasi_path_filestat_get(dir, 0, path, &st) == 0;
}

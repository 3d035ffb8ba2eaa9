// The descriptor table: fd_close, fd_renumber, fd_prestat_get, fd_prestat_dir_name.
// Expects one preopen, "." at fd 3, holding a file "a.txt" with "A" and "b.txt" with "B" and a
// directory "sub".
#include "fd_check.h"

#define BAD_FD 77

// The first byte of the file open as `fd`, read from offset 0.
static char first_byte(__wasi_fd_t fd) {
    char c = 0;
    __wasi_iovec_t in = {(uint8_t *)&c, 1};
    __wasi_size_t n = 0;
    OK(__wasi_fd_pread(fd, &in, 1, 0, &n));
    CHECK(n == 1);
    return c;
}

static void prestat(void) {
    __wasi_prestat_t p;
    OK(__wasi_fd_prestat_get(DIR, &p));
    CHECK(p.tag == __WASI_PREOPENTYPE_DIR);
    CHECK(p.u.dir.pr_name_len == 1);
    char name[4] = {'x', 'x', 'x', 'x'};
    OK(__wasi_fd_prestat_dir_name(DIR, (uint8_t *)name, 1));
    CHECK(name[0] == '.' && name[1] == 'x');
    // A larger buffer is fine: only the name is written, with no NUL.
    OK(__wasi_fd_prestat_dir_name(DIR, (uint8_t *)name + 1, 3));
    CHECK(name[1] == '.' && name[2] == 'x');
    EXPECT(__wasi_fd_prestat_dir_name(DIR, (uint8_t *)name, 0), __WASI_ERRNO_NAMETOOLONG);

    // Only preopened directories have one.
    __wasi_fd_t file = open_at("a.txt", 0, 0);
    __wasi_fd_t sub = (__wasi_fd_t)-1;
    OK(__wasi_path_open(DIR, 0, "sub", __WASI_OFLAGS_DIRECTORY,
                        __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN, 0, 0, &sub));
    __wasi_fd_t fds[] = {0, 1, 2, file, sub, BAD_FD};
    for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        EXPECT(__wasi_fd_prestat_get(fds[i], &p), __WASI_ERRNO_BADF);
        EXPECT(__wasi_fd_prestat_dir_name(fds[i], (uint8_t *)name, 4), __WASI_ERRNO_BADF);
    }
    OK(__wasi_fd_close(file));
    OK(__wasi_fd_close(sub));
}

static void closing(void) {
    __wasi_fd_t fd = open_at("a.txt", 0, 0);
    CHECK(first_byte(fd) == 'A');
    OK(__wasi_fd_close(fd));
    __wasi_fdstat_t st;
    EXPECT(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_close(fd), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_close(BAD_FD), __WASI_ERRNO_BADF);
    // The number is free again and the next open takes it.
    __wasi_fd_t again = open_at("b.txt", 0, 0);
    CHECK(again == fd);
    CHECK(first_byte(again) == 'B');
    OK(__wasi_fd_close(again));
}

static void renumbering(void) {
    __wasi_fd_t a = open_at("a.txt", 0, 0);
    __wasi_fd_t b = open_at("b.txt", 0, 0);
    // Onto itself: nothing happens.
    OK(__wasi_fd_renumber(a, a));
    CHECK(first_byte(a) == 'A');
    // Both must be open; a failed renumber changes nothing.
    EXPECT(__wasi_fd_renumber(a, BAD_FD), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_renumber(BAD_FD, a), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_renumber(BAD_FD, BAD_FD), __WASI_ERRNO_BADF);
    CHECK(first_byte(a) == 'A');
    CHECK(first_byte(b) == 'B');
    // a moves to b's number; what b was is closed, a's number is free.
    OK(__wasi_fd_renumber(a, b));
    CHECK(first_byte(b) == 'A');
    __wasi_fdstat_t st;
    EXPECT(__wasi_fd_fdstat_get(a, &st), __WASI_ERRNO_BADF);
    // Rights and flags travel with the descriptor.
    __wasi_fd_t c = open_at("b.txt", 0, __WASI_FDFLAGS_APPEND);
    CHECK(c == a);
    drop_rights(c, __WASI_RIGHTS_FD_SEEK);
    OK(__wasi_fd_renumber(c, b));
    OK(__wasi_fd_fdstat_get(b, &st));
    CHECK(st.fs_flags == __WASI_FDFLAGS_APPEND);
    CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_SEEK) == 0);
    OK(__wasi_fd_close(b));
}

static void preopens(void) {
    // A preopen can be renumbered: it keeps its name at the new number.
    __wasi_fd_t f = open_at("a.txt", 0, 0);
    OK(__wasi_fd_renumber(DIR, f));
    __wasi_prestat_t p;
    OK(__wasi_fd_prestat_get(f, &p));
    CHECK(p.u.dir.pr_name_len == 1);
    EXPECT(__wasi_fd_prestat_get(DIR, &p), __WASI_ERRNO_BADF);
    __wasi_fd_t g = (__wasi_fd_t)-1;
    OK(__wasi_path_open(f, 0, "b.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0, 0,
                        &g));
    CHECK(g == DIR);
    CHECK(first_byte(g) == 'B');
    OK(__wasi_fd_close(g));
    // A preopen can be closed; then nothing can be opened through it.
    OK(__wasi_fd_close(f));
    EXPECT(__wasi_path_open(f, 0, "b.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &g),
           __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_prestat_get(f, &p), __WASI_ERRNO_BADF);
}

int main(void) {
    prestat();
    closing();
    renumbering();
    preopens();
    return finish("fd_table");
}

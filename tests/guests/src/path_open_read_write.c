// A file opened read-only, write-only or read-write gets exactly those rights, and the host
// descriptor is opened to match.
#include "path_check.h"

int main(void) {
    create_file(BASE, "file");
    uint8_t buf[64];
    __wasi_iovec_t in = {buf, sizeof buf};
    __wasi_ciovec_t out = {(const uint8_t *)"0123456789", 10};
    __wasi_size_t n;
    __wasi_fdstat_t st;

    __wasi_fd_t r = open_ok(BASE, "file", 0, 0, __WASI_RIGHTS_FD_READ);
    OK(__wasi_fd_fdstat_get(r, &st));
    CHECK(st.fs_rights_base == __WASI_RIGHTS_FD_READ);
    OK(__wasi_fd_read(r, &in, 1, &n));
    CHECK(n == 0);
    EXPECT(__wasi_fd_write(r, &out, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    OK(__wasi_fd_close(r));

    __wasi_fd_t w = open_ok(BASE, "file", 0, 0, __WASI_RIGHTS_FD_WRITE);
    OK(__wasi_fd_fdstat_get(w, &st));
    CHECK(st.fs_rights_base == __WASI_RIGHTS_FD_WRITE);
    EXPECT(__wasi_fd_read(w, &in, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    OK(__wasi_fd_write(w, &out, 1, &n));
    CHECK(n == 10);
    OK(__wasi_fd_close(w));

    __wasi_fd_t rw = open_ok(BASE, "file", 0, 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE);
    OK(__wasi_fd_read(rw, &in, 1, &n));
    CHECK(n == 10 && memcmp(buf, "0123456789", 10) == 0);
    out.buf_len = 5;
    OK(__wasi_fd_write(rw, &out, 1, &n));
    OK(__wasi_fd_close(rw));
    CHECK(stat_ok(BASE, "file", 0).size == 15);

    // Asking for a directory right on a file drops it.
    __wasi_fd_t f = open_ok(BASE, "file", 0, 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR);
    OK(__wasi_fd_fdstat_get(f, &st));
    CHECK(st.fs_rights_base == __WASI_RIGHTS_FD_READ);
    OK(__wasi_fd_close(f));
    OK(__wasi_path_unlink_file(BASE, "file"));
    puts("ok");
    return 0;
}

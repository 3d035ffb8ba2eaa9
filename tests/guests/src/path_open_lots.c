// Many opens: one after another, and many at once, each a distinct descriptor.
#include "path_check.h"

#define AT_ONCE 600

int main(void) {
    write_file(BASE, "file", "x");
    for (int i = 0; i < 5000; i++) {
        __wasi_fd_t fd = open_ok(BASE, "file", 0, 0, __WASI_RIGHTS_FD_READ);
        OK(__wasi_fd_close(fd));
    }
    static __wasi_fd_t fds[AT_ONCE];
    for (int i = 0; i < AT_ONCE; i++) {
        fds[i] = open_ok(BASE, i % 2 ? "file" : ".", 0, 0, __WASI_RIGHTS_FD_READ);
        for (int j = 0; j < i; j++) CHECK(fds[j] != fds[i]);
    }
    for (int i = 0; i < AT_ONCE; i++) OK(__wasi_fd_close(fds[i]));
    OK(__wasi_path_unlink_file(BASE, "file"));
    puts("ok");
    return 0;
}

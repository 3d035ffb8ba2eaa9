// Every path call on a descriptor that is not a directory is ENOTDIR; on no descriptor, EBADF.
#include "path_check.h"

int main(void) {
    __wasi_fd_t f = open_ok(BASE, "file", 0, __WASI_OFLAGS_CREAT, RW);
    __wasi_filestat_t st;
    uint8_t buf[8];
    __wasi_size_t n;
    __wasi_fd_t fd;
    EXPECT(__wasi_path_open(f, 0, "x", __WASI_OFLAGS_CREAT, RW, 0, 0, &fd), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_create_directory(f, "x"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_remove_directory(f, "x"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_unlink_file(f, "x"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_filestat_get(f, 0, "x", &st), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_filestat_set_times(f, 0, "x", 0, 0, 0), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_symlink("a", f, "x"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_readlink(f, "x", buf, sizeof buf, &n), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_link(f, 0, "x", BASE, "y"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_link(BASE, 0, "file", f, "y"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_rename(f, "x", BASE, "y"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_rename(BASE, "file", f, "y"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_open(99, 0, "x", 0, 0, 0, 0, &fd), __WASI_ERRNO_BADF);
    EXPECT(__wasi_path_create_directory(1234, "x"), __WASI_ERRNO_BADF);
    EXPECT(__wasi_path_rename(BASE, "file", 77, "y"), __WASI_ERRNO_BADF);
    // Standard streams are not directories either.
    EXPECT(__wasi_path_open(1, 0, "x", 0, 0, 0, 0, &fd), __WASI_ERRNO_NOTDIR);
    OK(__wasi_fd_close(f));
    CHECK(!exists(BASE, "x") && !exists(BASE, "y"));
    OK(__wasi_path_unlink_file(BASE, "file"));
    puts("ok");
    return 0;
}

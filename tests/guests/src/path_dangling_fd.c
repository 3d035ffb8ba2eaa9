// Descriptors whose file or directory was removed: names can be reused, and a removed
// directory refuses new entries.
#include "path_check.h"

int main(void) {
    create_file(BASE, "file");
    __wasi_fd_t f = open_ok(BASE, "file", 0, 0, RW);
    OK(__wasi_path_unlink_file(BASE, "file"));
    CHECK(!exists(BASE, "file"));
    __wasi_ciovec_t out = {(const uint8_t *)"gone", 4};
    __wasi_size_t n;
    OK(__wasi_fd_write(f, &out, 1, &n));
    create_file(BASE, "file");
    CHECK(stat_ok(BASE, "file", 0).size == 0);

    OK(__wasi_path_create_directory(BASE, "subdir"));
    __wasi_fd_t d = open_ok(BASE, "subdir", 0, __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS);
    OK(__wasi_path_remove_directory(BASE, "subdir"));
    OK(__wasi_path_create_directory(BASE, "subdir"));
    EXPECT(open_errno(d, "x", 0, __WASI_OFLAGS_CREAT, RW), __WASI_ERRNO_NOENT);
    EXPECT(__wasi_path_create_directory(d, "x"), __WASI_ERRNO_NOENT);
    EXPECT(open_errno(d, "..", 0, 0, 0), __WASI_ERRNO_PERM);
    CHECK(!exists(BASE, "subdir/x"));

    OK(__wasi_fd_close(f));
    OK(__wasi_fd_close(d));
    OK(__wasi_path_unlink_file(BASE, "file"));
    OK(__wasi_path_remove_directory(BASE, "subdir"));
    puts("ok");
    return 0;
}

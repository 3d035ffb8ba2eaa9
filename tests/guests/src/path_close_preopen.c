// Closing the preopen: it is gone for good, while a descriptor opened from it keeps working.
#include "path_check.h"

int main(void) {
    __wasi_fd_t copy = open_ok(BASE, ".", 0, __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS);
    OK(__wasi_fd_close(BASE));
    __wasi_fdstat_t st;
    __wasi_prestat_t pre;
    __wasi_fd_t fd;
    EXPECT(__wasi_fd_fdstat_get(BASE, &st), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_prestat_get(BASE, &pre), __WASI_ERRNO_BADF);
    EXPECT(__wasi_path_open(BASE, 0, "x", __WASI_OFLAGS_CREAT, RW, 0, 0, &fd), __WASI_ERRNO_BADF);
    EXPECT(__wasi_path_create_directory(BASE, "d"), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_close(BASE), __WASI_ERRNO_BADF);

    OK(__wasi_fd_fdstat_get(copy, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
    write_file(copy, "written_after_close", "still here");
    OK(__wasi_path_create_directory(copy, "dir_after_close"));
    EXPECT(open_errno(copy, "..", 0, 0, 0), __WASI_ERRNO_PERM);
    OK(__wasi_fd_close(copy));
    puts("ok");
    return 0;
}

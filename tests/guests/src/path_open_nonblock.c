// Descriptor flags given to path_open stick to the new descriptor.
#include "path_check.h"

int main(void) {
    __wasi_fd_t fd = 0;
    OK(__wasi_path_open(BASE, 0, "file", __WASI_OFLAGS_CREAT, RW, 0, __WASI_FDFLAGS_NONBLOCK,
                        &fd));
    __wasi_fdstat_t st;
    OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK(st.fs_flags & __WASI_FDFLAGS_NONBLOCK);
    CHECK(!(st.fs_flags & __WASI_FDFLAGS_APPEND));
    CHECK(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
    OK(__wasi_fd_close(fd));

    OK(__wasi_path_open(BASE, 0, "file", 0, RW, 0, __WASI_FDFLAGS_APPEND, &fd));
    OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK(st.fs_flags & __WASI_FDFLAGS_APPEND);
    CHECK(!(st.fs_flags & __WASI_FDFLAGS_NONBLOCK));
    OK(__wasi_fd_close(fd));

    OK(__wasi_path_open(BASE, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0,
                        __WASI_FDFLAGS_NONBLOCK, &fd));
    OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
    OK(__wasi_fd_close(fd));
    OK(__wasi_path_unlink_file(BASE, "file"));
    puts("ok");
    return 0;
}

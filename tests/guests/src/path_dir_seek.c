// A directory descriptor cannot be seeked (or told), whatever rights were asked for: EBADF, as
// wasmtime says. Listing goes through fd_readdir cookies.
#include "path_check.h"

int main(void) {
    OK(__wasi_path_create_directory(BASE, "dir"));
    __wasi_fd_t fd = open_ok(BASE, "dir", 0, __WASI_OFLAGS_DIRECTORY,
                             __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL);
    __wasi_filesize_t pos;
    EXPECT(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_seek(fd, 1, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_seek(fd, 0, __WASI_WHENCE_END, &pos), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_tell(fd, &pos), __WASI_ERRNO_BADF);
    // The seek rights were not granted to a directory.
    __wasi_fdstat_t st;
    OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK(!(st.fs_rights_base & (__WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL)));
    CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_READDIR);
    // Listing still works from the start.
    uint8_t buf[256];
    __wasi_size_t n;
    OK(__wasi_fd_readdir(fd, buf, sizeof buf, 0, &n));
    CHECK(n == 2 * (sizeof(__wasi_dirent_t) + 1) + 1);
    OK(__wasi_fd_close(fd));
    OK(__wasi_path_remove_directory(BASE, "dir"));
    puts("ok");
    return 0;
}

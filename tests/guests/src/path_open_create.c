// path_open with CREAT, EXCL, TRUNC and DIRECTORY on new and existing names.
#include "path_check.h"

static __wasi_filesize_t size_of(const char *path) { return stat_ok(BASE, path, 0).size; }

int main(void) {
    const __wasi_oflags_t C = __WASI_OFLAGS_CREAT, X = __WASI_OFLAGS_EXCL,
                          T = __WASI_OFLAGS_TRUNC, D = __WASI_OFLAGS_DIRECTORY;
    OK(open_errno(BASE, "new", 0, C, RW));
    CHECK(stat_ok(BASE, "new", 0).filetype == __WASI_FILETYPE_REGULAR_FILE);
    write_file(BASE, "file", "contents");
    EXPECT(open_errno(BASE, "file", 0, C | X, RW), __WASI_ERRNO_EXIST);
    EXPECT(open_errno(BASE, "new", 0, C | X, 0), __WASI_ERRNO_EXIST);
    OK(open_errno(BASE, "file", 0, C, RW));
    CHECK(size_of("file") == 8);
    OK(open_errno(BASE, "file", 0, 0, __WASI_RIGHTS_FD_READ));
    CHECK(size_of("file") == 8);
    OK(open_errno(BASE, "file", 0, C | T, RW));
    CHECK(size_of("file") == 0);
    write_file(BASE, "file", "contents");
    // TRUNC alone writes, whatever rights are asked for.
    OK(open_errno(BASE, "file", 0, T, __WASI_RIGHTS_FD_READ));
    CHECK(size_of("file") == 0);

    EXPECT(open_errno(BASE, "dir", 0, C | D, 0), __WASI_ERRNO_INVAL);
    EXPECT(open_errno(BASE, "dir/", 0, C, RW), __WASI_ERRNO_ISDIR);
    CHECK(!exists(BASE, "dir"));
    OK(__wasi_path_create_directory(BASE, "dir"));
    EXPECT(open_errno(BASE, "dir", 0, C | X, RW), __WASI_ERRNO_EXIST);
    EXPECT(open_errno(BASE, "file", 0, D, 0), __WASI_ERRNO_NOTDIR);
    EXPECT(open_errno(BASE, "nodir/file", 0, C, RW), __WASI_ERRNO_NOENT);
    EXPECT(open_errno(BASE, "../outside", 0, C, RW), __WASI_ERRNO_PERM);

    // Truncation needs the directory to hand down writing, and the path right for it.
    write_file(BASE, "dir/keep", "keep me");
    __wasi_fd_t ro = 0;
    OK(__wasi_path_open(BASE, 0, "dir", D, DIR_RIGHTS, __WASI_RIGHTS_FD_READ, 0, &ro));
    EXPECT(open_errno(ro, "keep", 0, T, __WASI_RIGHTS_FD_READ), __WASI_ERRNO_NOTCAPABLE);
    OK(open_errno(ro, "keep", 0, 0, __WASI_RIGHTS_FD_READ));
    CHECK(size_of("dir/keep") == 7);
    __wasi_fd_t no_trunc = 0;
    OK(__wasi_path_open(BASE, 0, "dir", D, DIR_RIGHTS & ~__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE,
                        ALL_RIGHTS, 0, &no_trunc));
    EXPECT(open_errno(no_trunc, "keep", 0, T, RW), __WASI_ERRNO_NOTCAPABLE);
    __wasi_fd_t no_create = 0;
    OK(__wasi_path_open(BASE, 0, "dir", D, DIR_RIGHTS & ~__WASI_RIGHTS_PATH_CREATE_FILE,
                        ALL_RIGHTS, 0, &no_create));
    EXPECT(open_errno(no_create, "other", 0, C, RW), __WASI_ERRNO_NOTCAPABLE);
    CHECK(size_of("dir/keep") == 7 && !exists(BASE, "dir/other"));
    OK(__wasi_fd_close(ro));
    OK(__wasi_fd_close(no_trunc));
    OK(__wasi_fd_close(no_create));

    OK(__wasi_path_unlink_file(BASE, "dir/keep"));
    OK(__wasi_path_remove_directory(BASE, "dir"));
    OK(__wasi_path_unlink_file(BASE, "file"));
    OK(__wasi_path_unlink_file(BASE, "new"));
    puts("ok");
    return 0;
}

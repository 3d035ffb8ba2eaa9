// The preopen: its name, its rights, and reopening it with various rights.
#include "path_check.h"

int main(void) {
    __wasi_prestat_t pre;
    OK(__wasi_fd_prestat_get(BASE, &pre));
    CHECK(pre.tag == __WASI_PREOPENTYPE_DIR && pre.u.dir.pr_name_len == 1);
    uint8_t name[4] = {0};
    OK(__wasi_fd_prestat_dir_name(BASE, name, 1));
    CHECK(name[0] == '.');

    __wasi_fdstat_t st;
    OK(__wasi_fd_fdstat_get(BASE, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
    const __wasi_rights_t dir_rights =
        __WASI_RIGHTS_PATH_CREATE_DIRECTORY | __WASI_RIGHTS_PATH_CREATE_FILE |
        __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_LINK_TARGET | __WASI_RIGHTS_PATH_OPEN |
        __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_READLINK |
        __WASI_RIGHTS_PATH_RENAME_SOURCE | __WASI_RIGHTS_PATH_RENAME_TARGET |
        __WASI_RIGHTS_PATH_SYMLINK | __WASI_RIGHTS_PATH_REMOVE_DIRECTORY |
        __WASI_RIGHTS_PATH_UNLINK_FILE | __WASI_RIGHTS_PATH_FILESTAT_GET |
        __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES | __WASI_RIGHTS_FD_FILESTAT_GET |
        __WASI_RIGHTS_FD_FILESTAT_SET_TIMES;
    const __wasi_rights_t file_rights = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                                        __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL;
    CHECK((st.fs_rights_base & dir_rights) == dir_rights);
    CHECK((st.fs_rights_inheriting & (dir_rights | file_rights)) == (dir_rights | file_rights));

    // Reopen with the same rights: the copy has them (a directory keeps directory rights).
    __wasi_fd_t fd;
    OK(__wasi_path_open(BASE, 0, ".", 0, st.fs_rights_base, st.fs_rights_inheriting, 0, &fd));
    __wasi_fdstat_t copy;
    OK(__wasi_fd_fdstat_get(fd, &copy));
    CHECK(copy.fs_rights_base == st.fs_rights_base);
    CHECK(copy.fs_rights_inheriting == st.fs_rights_inheriting);
    CHECK(fd != BASE);
    // The copy is not a preopen.
    EXPECT(__wasi_fd_prestat_get(fd, &pre), __WASI_ERRNO_BADF);
    OK(__wasi_fd_close(fd));
    OK(open_errno(BASE, ".", 0, 0, 0));
    OK(open_errno(BASE, ".", 0, __WASI_OFLAGS_DIRECTORY, 0));
    OK(open_errno(BASE, ".", 0, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ));
    EXPECT(open_errno(BASE, ".", 0, __WASI_OFLAGS_DIRECTORY,
                      __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE),
           __WASI_ERRNO_ISDIR);
    // Rights the preopen cannot hand down are dropped, not granted.
    OK(__wasi_path_open(BASE, 0, ".", 0, __WASI_RIGHTS_SOCK_ACCEPT | __WASI_RIGHTS_FD_READDIR, 0,
                        0, &fd));
    OK(__wasi_fd_fdstat_get(fd, &copy));
    CHECK(copy.fs_rights_base == __WASI_RIGHTS_FD_READDIR);
    CHECK(copy.fs_rights_inheriting == 0);
    OK(__wasi_fd_close(fd));
    puts("ok");
    return 0;
}

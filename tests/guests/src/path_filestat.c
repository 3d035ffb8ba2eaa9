// path_filestat_get and path_filestat_set_times on files and directories.
#include "path_check.h"

#define SEC 1000000000ull

int main(void) {
    __wasi_fd_t fd = 0;
    OK(__wasi_path_open(BASE, 0, "file", __WASI_OFLAGS_CREAT, RW, 0, __WASI_FDFLAGS_APPEND, &fd));
    __wasi_filestat_t st = stat_ok(BASE, "file", 0);
    CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 0 && st.nlink == 1);
    __wasi_ciovec_t iov = {(const uint8_t *)"abc", 3};
    __wasi_size_t n;
    OK(__wasi_fd_write(fd, &iov, 1, &n));
    CHECK(stat_ok(BASE, "file", 0).size == 3);
    CHECK(stat_ok(BASE, "./file", FOLLOW).ino == st.ino);

    const __wasi_fstflags_t A = __WASI_FSTFLAGS_ATIM, M = __WASI_FSTFLAGS_MTIM;
    uint64_t t1 = 1000000000 * SEC + 123, t2 = 1200000000 * SEC;
    OK(__wasi_path_filestat_set_times(BASE, 0, "file", t1, t2, A | M));
    st = stat_ok(BASE, "file", 0);
    CHECK(st.atim == t1 && st.mtim == t2);
    // Contradictory flags change nothing.
    EXPECT(__wasi_path_filestat_set_times(BASE, 0, "file", 0, 5, M | __WASI_FSTFLAGS_MTIM_NOW),
           __WASI_ERRNO_INVAL);
    EXPECT(__wasi_path_filestat_set_times(BASE, 0, "file", 5, 0, A | __WASI_FSTFLAGS_ATIM_NOW),
           __WASI_ERRNO_INVAL);
    st = stat_ok(BASE, "file", 0);
    CHECK(st.atim == t1 && st.mtim == t2);
    // Only the modification time; then "now" for it.
    OK(__wasi_path_filestat_set_times(BASE, 0, "file", 0, t1, M));
    st = stat_ok(BASE, "file", 0);
    CHECK(st.atim == t1 && st.mtim == t1);
    OK(__wasi_path_filestat_set_times(BASE, 0, "file", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    st = stat_ok(BASE, "file", 0);
    CHECK(st.atim == t1 && st.mtim > 1700000000 * SEC);
    // No flags: nothing changes.
    OK(__wasi_path_filestat_set_times(BASE, 0, "file", 1, 1, 0));
    CHECK(stat_ok(BASE, "file", 0).atim == t1);

    // Directories, and the errors.
    OK(__wasi_path_create_directory(BASE, "dir"));
    st = stat_ok(BASE, "dir/", 0);
    CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY);
    OK(__wasi_path_filestat_set_times(BASE, 0, "dir/", t1, t1, A | M));
    CHECK(stat_ok(BASE, "dir", 0).mtim == t1);
    EXPECT(__wasi_path_filestat_get(BASE, 0, "file/", &st), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_filestat_set_times(BASE, 0, "file/", t1, t1, A), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_filestat_set_times(BASE, 0, "nope", t1, t1, A), __WASI_ERRNO_NOENT);
    EXPECT(__wasi_path_filestat_get(fd, 0, "x", &st), __WASI_ERRNO_NOTDIR);

    OK(__wasi_fd_close(fd));
    OK(__wasi_path_remove_directory(BASE, "dir"));
    OK(__wasi_path_unlink_file(BASE, "file"));
    puts("ok");
    return 0;
}

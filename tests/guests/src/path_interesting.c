// Paths with `.`, `..`, repeated and trailing slashes, empty paths, NUL bytes and escapes.
#include "path_check.h"

// path_open with an explicit length, so a path can hold a NUL byte.
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open"))) int32_t
raw_path_open(int32_t fd, int32_t lookup, const char *path, int32_t len, int32_t oflags,
              int64_t base, int64_t inheriting, int32_t fdflags, __wasi_fd_t *out);

int main(void) {
    OK(__wasi_path_create_directory(BASE, "dir"));
    OK(__wasi_path_create_directory(BASE, "dir/nested/"));
    create_file(BASE, "dir/nested/file");

    EXPECT(open_errno(BASE, "/dir/nested/file", 0, 0, RW), __WASI_ERRNO_PERM);
    EXPECT(open_errno(BASE, "//dir", 0, 0, RW), __WASI_ERRNO_PERM);
    OK(open_errno(BASE, "dir/.//nested/../../dir/nested/../nested///./file", 0, 0, RW));
    EXPECT(open_errno(BASE, "dir/nested/file/", 0, 0, RW), __WASI_ERRNO_NOTDIR);
    EXPECT(open_errno(BASE, "dir/nested/file///", 0, 0, RW), __WASI_ERRNO_NOTDIR);
    OK(open_errno(BASE, "dir/nested/", 0, 0, __WASI_RIGHTS_FD_READDIR));
    OK(open_errno(BASE, "dir/nested///", 0, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR));
    OK(open_errno(BASE, ".", 0, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR));
    OK(open_errno(BASE, "./", 0, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR));
    OK(open_errno(BASE, "dir/..", 0, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR));
    EXPECT(open_errno(BASE, "..", 0, 0, 0), __WASI_ERRNO_PERM);
    EXPECT(open_errno(BASE, "dir/../..", 0, 0, 0), __WASI_ERRNO_PERM);
    EXPECT(open_errno(BASE, "dir/nested/../../../x/dir/nested/file", 0, 0, RW), __WASI_ERRNO_PERM);
    // Leaving the directory is refused even when the path comes back into it.
    EXPECT(open_errno(BASE, "dir/../../x/dir", 0, 0, 0), __WASI_ERRNO_PERM);
    EXPECT(open_errno(BASE, "", 0, 0, 0), __WASI_ERRNO_NOENT);
    __wasi_filestat_t st;
    EXPECT(__wasi_path_filestat_get(BASE, 0, "", &st), __WASI_ERRNO_NOENT);
    EXPECT(__wasi_path_create_directory(BASE, ""), __WASI_ERRNO_NOENT);
    EXPECT(__wasi_path_filestat_get(BASE, 0, "..", &st), __WASI_ERRNO_PERM);
    st = stat_ok(BASE, "dir//nested/./", 0);
    CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY);

    // A NUL byte inside the path: EINVAL, even at the very end.
    __wasi_fd_t fd;
    const char with_nul[] = "dir/nested/file\0";
    EXPECT(raw_path_open(BASE, 0, with_nul, sizeof with_nul - 1, 0, 0, 0, 0, &fd),
           __WASI_ERRNO_INVAL);
    EXPECT(raw_path_open(BASE, 0, "dir\0/nested", 11, 0, 0, 0, 0, &fd), __WASI_ERRNO_INVAL);
    // Invalid UTF-8.
    EXPECT(raw_path_open(BASE, 0, "dir/\xff", 5, 0, 0, 0, 0, &fd), __WASI_ERRNO_ILSEQ);
    // A component of 256 bytes is too long; 255 is fine.
    char name[300];
    memset(name, 'n', sizeof name);
    name[256] = 0;
    EXPECT(open_errno(BASE, name, 0, __WASI_OFLAGS_CREAT, RW), __WASI_ERRNO_NAMETOOLONG);
    name[255] = 0;
    create_file(BASE, name);
    OK(__wasi_path_unlink_file(BASE, name));

    OK(__wasi_path_unlink_file(BASE, "dir/nested/file"));
    OK(__wasi_path_remove_directory(BASE, "dir/nested"));
    OK(__wasi_path_remove_directory(BASE, "dir"));
    puts("ok");
    return 0;
}

// path_rename: files and directories, over existing targets, with trailing slashes, across
// directory descriptors, and rights.
#include "path_check.h"

static void read_back(const char *path, const char *want) {
    __wasi_fd_t fd = open_ok(BASE, path, 0, 0, RW);
    char buf[32] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n;
    OK(__wasi_fd_read(fd, &iov, 1, &n));
    if (n != strlen(want) || memcmp(buf, want, n) != 0) FAIL("%s holds %s", path, buf);
    OK(__wasi_fd_close(fd));
}

int main(void) {
    // Directories: to a new name, over an empty directory, not over a non-empty one or a file.
    OK(__wasi_path_create_directory(BASE, "source"));
    OK(__wasi_path_rename(BASE, "source", BASE, "target"));
    CHECK(!exists(BASE, "source") && exists(BASE, "target"));
    OK(__wasi_path_create_directory(BASE, "source"));
    OK(__wasi_path_rename(BASE, "source", BASE, "target"));
    CHECK(!exists(BASE, "source"));
    OK(__wasi_path_create_directory(BASE, "source"));
    create_file(BASE, "target/file");
    EXPECT(__wasi_path_rename(BASE, "source", BASE, "target"), __WASI_ERRNO_NOTEMPTY);
    EXPECT(__wasi_path_rename(BASE, "source", BASE, "target/file"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_rename(BASE, "source", BASE, "source/inside"), __WASI_ERRNO_INVAL);
    // Trailing slashes are fine on directories.
    OK(__wasi_path_rename(BASE, "source/", BASE, "moved"));
    OK(__wasi_path_rename(BASE, "moved", BASE, "source/"));
    OK(__wasi_path_rename(BASE, "source/", BASE, "moved/"));
    OK(__wasi_path_rename(BASE, "moved//", BASE, "source"));
    OK(__wasi_path_unlink_file(BASE, "target/file"));
    OK(__wasi_path_remove_directory(BASE, "target"));

    // Files: to a new name, over an existing file, not over a directory.
    write_file(BASE, "a", "first");
    write_file(BASE, "b", "second");
    OK(__wasi_path_rename(BASE, "a", BASE, "c"));
    CHECK(!exists(BASE, "a"));
    read_back("c", "first");
    OK(__wasi_path_rename(BASE, "c", BASE, "b"));
    CHECK(!exists(BASE, "c"));
    read_back("b", "first");
    EXPECT(__wasi_path_rename(BASE, "b", BASE, "source"), __WASI_ERRNO_ISDIR);
    // A trailing slash on either name of a file is ENOTDIR.
    EXPECT(__wasi_path_rename(BASE, "b/", BASE, "c"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_rename(BASE, "b", BASE, "c/"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_rename(BASE, "missing", BASE, "c"), __WASI_ERRNO_NOENT);
    CHECK(exists(BASE, "b") && !exists(BASE, "c"));
    // Renaming onto itself does nothing.
    OK(__wasi_path_rename(BASE, "b", BASE, "./b"));
    read_back("b", "first");

    // A symbolic link is renamed itself, never its target.
    OK(__wasi_path_symlink("source", BASE, "link"));
    OK(__wasi_path_rename(BASE, "link", BASE, "link2"));
    CHECK(stat_ok(BASE, "link2", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK(exists(BASE, "source"));
    EXPECT(__wasi_path_rename(BASE, "link2/", BASE, "x"), __WASI_ERRNO_NOTDIR);
    OK(__wasi_path_unlink_file(BASE, "link2"));

    // Across descriptors, and rights: not from a read-only-handing directory into one that
    // hands down writing.
    __wasi_fd_t src = open_ok(BASE, "source", 0, __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS);
    OK(__wasi_path_rename(BASE, "b", src, "b"));
    CHECK(exists(BASE, "source/b") && !exists(BASE, "b"));
    __wasi_fd_t ro = 0;
    OK(__wasi_path_open(BASE, 0, "source", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS,
                        __WASI_RIGHTS_FD_READ, 0, &ro));
    EXPECT(__wasi_path_rename(ro, "b", BASE, "b"), __WASI_ERRNO_NOTCAPABLE);
    CHECK(exists(BASE, "source/b"));
    OK(__wasi_path_rename(src, "b", ro, "c"));
    EXPECT(__wasi_path_rename(BASE, "source/c", BASE, "../c"), __WASI_ERRNO_PERM);
    OK(__wasi_fd_close(ro));
    OK(__wasi_fd_close(src));

    OK(__wasi_path_unlink_file(BASE, "source/c"));
    OK(__wasi_path_remove_directory(BASE, "source"));
    puts("ok");
    return 0;
}

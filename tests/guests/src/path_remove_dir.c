// path_remove_directory on empty and non-empty directories, files, links and dots.
#include "path_check.h"

int main(void) {
    OK(__wasi_path_create_directory(BASE, "dir"));
    OK(__wasi_path_remove_directory(BASE, "dir"));
    CHECK(!exists(BASE, "dir"));
    OK(__wasi_path_create_directory(BASE, "dir"));
    OK(__wasi_path_remove_directory(BASE, "dir/"));
    CHECK(!exists(BASE, "dir"));

    OK(__wasi_path_create_directory(BASE, "full"));
    OK(__wasi_path_create_directory(BASE, "full/inner"));
    EXPECT(__wasi_path_remove_directory(BASE, "full"), __WASI_ERRNO_NOTEMPTY);
    EXPECT(__wasi_path_remove_directory(BASE, "full/inner/.."), __WASI_ERRNO_NOTEMPTY);
    OK(__wasi_path_remove_directory(BASE, "full/inner"));
    create_file(BASE, "full/file");
    EXPECT(__wasi_path_remove_directory(BASE, "full"), __WASI_ERRNO_NOTEMPTY);
    CHECK(exists(BASE, "full/file"));

    EXPECT(__wasi_path_remove_directory(BASE, "full/file"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_remove_directory(BASE, "full/file/"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_remove_directory(BASE, "missing"), __WASI_ERRNO_NOENT);
    EXPECT(__wasi_path_remove_directory(BASE, "."), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_path_remove_directory(BASE, ".."), __WASI_ERRNO_PERM);
    // A link to a directory is not a directory to remove, with or without a slash.
    OK(__wasi_path_create_directory(BASE, "empty"));
    OK(__wasi_path_symlink("empty", BASE, "link"));
    EXPECT(__wasi_path_remove_directory(BASE, "link"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_remove_directory(BASE, "link/"), __WASI_ERRNO_NOTDIR);
    CHECK(exists(BASE, "empty") && exists(BASE, "link"));
    // ... but a directory reached through one is.
    OK(__wasi_path_create_directory(BASE, "empty/sub"));
    OK(__wasi_path_remove_directory(BASE, "link/sub"));
    CHECK(!exists(BASE, "empty/sub"));

    OK(__wasi_path_unlink_file(BASE, "link"));
    OK(__wasi_path_remove_directory(BASE, "empty"));
    OK(__wasi_path_unlink_file(BASE, "full/file"));
    OK(__wasi_path_remove_directory(BASE, "full"));
    puts("ok");
    return 0;
}

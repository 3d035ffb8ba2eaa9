// path_unlink_file with trailing slashes, on directories, and on symbolic links.
#include "path_check.h"

int main(void) {
    OK(__wasi_path_create_directory(BASE, "dir"));
    EXPECT(__wasi_path_unlink_file(BASE, "dir"), __WASI_ERRNO_ISDIR);
    EXPECT(__wasi_path_unlink_file(BASE, "dir/"), __WASI_ERRNO_ISDIR);
    EXPECT(__wasi_path_unlink_file(BASE, "dir/."), __WASI_ERRNO_ISDIR);
    CHECK(exists(BASE, "dir"));

    create_file(BASE, "file");
    EXPECT(__wasi_path_unlink_file(BASE, "file/"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_unlink_file(BASE, "file//"), __WASI_ERRNO_NOTDIR);
    CHECK(exists(BASE, "file"));
    OK(__wasi_path_unlink_file(BASE, "file"));
    CHECK(!exists(BASE, "file"));
    EXPECT(__wasi_path_unlink_file(BASE, "file"), __WASI_ERRNO_NOENT);
    EXPECT(__wasi_path_unlink_file(BASE, "file/"), __WASI_ERRNO_NOENT);

    // Unlinking a link removes the link, never what it points to; a trailing slash does not
    // make it follow.
    create_file(BASE, "dir/inner");
    OK(__wasi_path_symlink("dir", BASE, "dirlink"));
    OK(__wasi_path_symlink("dir/inner", BASE, "filelink"));
    EXPECT(__wasi_path_unlink_file(BASE, "dirlink/"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_unlink_file(BASE, "filelink/"), __WASI_ERRNO_NOTDIR);
    OK(__wasi_path_unlink_file(BASE, "filelink"));
    OK(__wasi_path_unlink_file(BASE, "dirlink"));
    CHECK(exists(BASE, "dir/inner"));
    CHECK(!exists(BASE, "dirlink") && !exists(BASE, "filelink"));
    // Through a link to a directory, the file inside goes.
    OK(__wasi_path_symlink("dir", BASE, "dirlink"));
    OK(__wasi_path_unlink_file(BASE, "dirlink/inner"));
    CHECK(!exists(BASE, "dir/inner"));

    OK(__wasi_path_unlink_file(BASE, "dirlink"));
    OK(__wasi_path_remove_directory(BASE, "dir"));
    puts("ok");
    return 0;
}

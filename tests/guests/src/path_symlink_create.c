// Creating symbolic links: to files and directories, over existing names, with trailing
// slashes; absolute targets are refused, links leading outside are refused when followed.
#include "path_check.h"

int main(void) {
    create_file(BASE, "file");
    OK(__wasi_path_create_directory(BASE, "dir"));
    OK(__wasi_path_symlink("file", BASE, "to_file"));
    OK(__wasi_path_symlink("dir", BASE, "to_dir"));
    OK(__wasi_path_symlink("../dir/./", BASE, "dir/back"));
    OK(open_errno(BASE, "to_file", FOLLOW, 0, RW));
    OK(open_errno(BASE, "to_dir", FOLLOW, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR));
    OK(open_errno(BASE, "dir/back/back/back", FOLLOW, __WASI_OFLAGS_DIRECTORY, 0));
    create_file(BASE, "to_dir/inner");
    CHECK(exists(BASE, "dir/inner"));

    // Absolute targets can only lead out: refused at creation.
    EXPECT(__wasi_path_symlink("/", BASE, "root"), __WASI_ERRNO_PERM);
    EXPECT(__wasi_path_symlink("/etc/passwd", BASE, "passwd"), __WASI_ERRNO_PERM);
    EXPECT(__wasi_path_symlink("", BASE, "empty"), __WASI_ERRNO_NOENT);
    CHECK(!exists(BASE, "root") && !exists(BASE, "passwd") && !exists(BASE, "empty"));
    // A relative link leading out may exist, but is refused when followed.
    OK(__wasi_path_symlink("..", BASE, "up"));
    EXPECT(open_errno(BASE, "up", FOLLOW, 0, 0), __WASI_ERRNO_PERM);
    EXPECT(open_errno(BASE, "up/x", 0, __WASI_OFLAGS_CREAT, RW), __WASI_ERRNO_PERM);

    // Names already taken, and trailing slashes on the new name.
    EXPECT(__wasi_path_symlink("x", BASE, "file"), __WASI_ERRNO_EXIST);
    EXPECT(__wasi_path_symlink("x", BASE, "dir"), __WASI_ERRNO_EXIST);
    EXPECT(__wasi_path_symlink("x", BASE, "to_file"), __WASI_ERRNO_EXIST);
    EXPECT(__wasi_path_symlink("x", BASE, "new/"), __WASI_ERRNO_NOENT);
    EXPECT(__wasi_path_symlink("x", BASE, "dir/"), __WASI_ERRNO_EXIST);
    EXPECT(__wasi_path_symlink("x", BASE, "file/"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_symlink("x", BASE, "missing/new"), __WASI_ERRNO_NOENT);
    CHECK(!exists(BASE, "new"));

    OK(__wasi_path_unlink_file(BASE, "up"));
    OK(__wasi_path_unlink_file(BASE, "dir/back"));
    OK(__wasi_path_unlink_file(BASE, "dir/inner"));
    OK(__wasi_path_unlink_file(BASE, "to_dir"));
    OK(__wasi_path_unlink_file(BASE, "to_file"));
    OK(__wasi_path_remove_directory(BASE, "dir"));
    OK(__wasi_path_unlink_file(BASE, "file"));
    puts("ok");
    return 0;
}

// Hard links: across directories, over existing names, to directories and links, and rights.
#include "path_check.h"

int main(void) {
    write_file(BASE, "file", "data");
    OK(__wasi_path_link(BASE, 0, "file", BASE, "link"));
    __wasi_filestat_t a = stat_ok(BASE, "file", 0), b = stat_ok(BASE, "link", 0);
    CHECK(a.ino == b.ino && a.nlink == 2);

    // Into a subdirectory, through a descriptor for it.
    OK(__wasi_path_create_directory(BASE, "sub"));
    __wasi_fd_t sub = open_ok(BASE, "sub", 0, __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS);
    OK(__wasi_path_link(BASE, 0, "file", sub, "inner"));
    CHECK(stat_ok(BASE, "sub/inner", 0).ino == a.ino);
    CHECK(stat_ok(BASE, "file", 0).nlink == 3);
    OK(__wasi_path_link(sub, 0, "inner", BASE, "from_sub"));
    OK(__wasi_path_unlink_file(BASE, "from_sub"));

    // Existing names, itself, directories, trailing slashes.
    EXPECT(__wasi_path_link(BASE, 0, "file", BASE, "link"), __WASI_ERRNO_EXIST);
    EXPECT(__wasi_path_link(BASE, 0, "file", BASE, "file"), __WASI_ERRNO_EXIST);
    EXPECT(__wasi_path_link(BASE, 0, "file", BASE, "sub"), __WASI_ERRNO_EXIST);
    EXPECT(__wasi_path_link(BASE, 0, "sub", BASE, "dirlink"), __WASI_ERRNO_PERM);
    EXPECT(__wasi_path_link(BASE, 0, "sub/", BASE, "dirlink"), __WASI_ERRNO_PERM);
    EXPECT(__wasi_path_link(BASE, 0, "file/", BASE, "x"), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_link(BASE, 0, "file", BASE, "new/"), __WASI_ERRNO_NOENT);
    EXPECT(__wasi_path_link(BASE, 0, "missing", BASE, "x"), __WASI_ERRNO_NOENT);
    EXPECT(__wasi_path_link(BASE, 0, "file", BASE, "../x"), __WASI_ERRNO_PERM);
    CHECK(!exists(BASE, "dirlink") && !exists(BASE, "x") && !exists(BASE, "new"));

    // Links to symbolic links link the symbolic link itself; following is refused.
    OK(__wasi_path_symlink("nowhere", BASE, "dangling"));
    OK(__wasi_path_link(BASE, 0, "dangling", BASE, "dangling2"));
    CHECK(stat_ok(BASE, "dangling2", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    EXPECT(__wasi_path_link(BASE, FOLLOW, "dangling", BASE, "x"), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_path_link(BASE, 0, "file", BASE, "dangling"), __WASI_ERRNO_EXIST);
    OK(__wasi_path_symlink("loop", BASE, "loop"));
    OK(__wasi_path_link(BASE, 0, "loop", BASE, "loop2"));

    // A file in a directory that may only hand down reading cannot be linked into one that may
    // hand down writing (it could then be reopened for writing); the other way is fine.
    __wasi_fd_t ro = 0;
    OK(__wasi_path_open(BASE, 0, "sub", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS,
                        __WASI_RIGHTS_FD_READ, 0, &ro));
    EXPECT(__wasi_path_link(ro, 0, "inner", BASE, "x"), __WASI_ERRNO_NOTCAPABLE);
    CHECK(!exists(BASE, "x"));
    OK(__wasi_path_link(BASE, 0, "file", ro, "readonly"));
    OK(__wasi_fd_close(ro));

    const char *names[] = {"loop2", "loop", "dangling2", "dangling", "sub/readonly", "sub/inner",
                           "link", "file"};
    for (int i = 0; i < 8; i++) OK(__wasi_path_unlink_file(BASE, names[i]));
    OK(__wasi_fd_close(sub));
    OK(__wasi_path_remove_directory(BASE, "sub"));
    puts("ok");
    return 0;
}

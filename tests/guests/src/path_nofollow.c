// A final symbolic link is only followed with SYMLINK_FOLLOW; a trailing slash never follows it.
#include "path_check.h"

int main(void) {
    const __wasi_oflags_t D = __WASI_OFLAGS_DIRECTORY;
    const __wasi_rights_t R = __WASI_RIGHTS_FD_READDIR;
    OK(__wasi_path_create_directory(BASE, "target"));
    OK(__wasi_path_symlink("target", BASE, "link"));

    EXPECT(open_errno(BASE, "link", 0, D, R), __WASI_ERRNO_NOTDIR);
    EXPECT(open_errno(BASE, "link", 0, 0, R), __WASI_ERRNO_LOOP);
    EXPECT(open_errno(BASE, "link/", 0, 0, R), __WASI_ERRNO_NOTDIR);
    OK(open_errno(BASE, "link", FOLLOW, D, R));
    OK(open_errno(BASE, "link/", FOLLOW, 0, R));
    OK(open_errno(BASE, "link/.", 0, 0, R));
    CHECK(stat_ok(BASE, "link", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK(stat_ok(BASE, "link", FOLLOW).filetype == __WASI_FILETYPE_DIRECTORY);
    __wasi_filestat_t st;
    EXPECT(__wasi_path_filestat_get(BASE, 0, "link/", &st), __WASI_ERRNO_NOTDIR);
    CHECK(stat_ok(BASE, "link/", FOLLOW).filetype == __WASI_FILETYPE_DIRECTORY);

    // Now the link points at a file.
    OK(__wasi_path_unlink_file(BASE, "link"));
    OK(__wasi_path_remove_directory(BASE, "target"));
    create_file(BASE, "target");
    OK(__wasi_path_symlink("target", BASE, "link"));
    EXPECT(open_errno(BASE, "link", 0, D, R), __WASI_ERRNO_NOTDIR);
    EXPECT(open_errno(BASE, "link", 0, 0, RW), __WASI_ERRNO_LOOP);
    EXPECT(open_errno(BASE, "link", FOLLOW, D, R), __WASI_ERRNO_NOTDIR);
    EXPECT(open_errno(BASE, "link/", FOLLOW, 0, RW), __WASI_ERRNO_NOTDIR);
    OK(open_errno(BASE, "link", FOLLOW, 0, RW));
    CHECK(stat_ok(BASE, "link", FOLLOW).filetype == __WASI_FILETYPE_REGULAR_FILE);

    OK(__wasi_path_unlink_file(BASE, "link"));
    OK(__wasi_path_unlink_file(BASE, "target"));
    puts("ok");
    return 0;
}

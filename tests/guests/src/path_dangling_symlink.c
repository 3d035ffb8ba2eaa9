// A symbolic link to nothing: opening fails without following, following finds nothing, and
// creating through it creates its target.
#include "path_check.h"

int main(void) {
    OK(__wasi_path_symlink("target", BASE, "link"));
    EXPECT(open_errno(BASE, "link", 0, __WASI_OFLAGS_DIRECTORY, 0), __WASI_ERRNO_NOTDIR);
    EXPECT(open_errno(BASE, "link", 0, 0, RW), __WASI_ERRNO_LOOP);
    EXPECT(open_errno(BASE, "link", FOLLOW, 0, RW), __WASI_ERRNO_NOENT);
    CHECK(stat_ok(BASE, "link", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    __wasi_filestat_t st;
    EXPECT(__wasi_path_filestat_get(BASE, FOLLOW, "link", &st), __WASI_ERRNO_NOENT);

    // Exclusive creation never follows the link: it exists.
    EXPECT(open_errno(BASE, "link", FOLLOW, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW),
           __WASI_ERRNO_EXIST);
    EXPECT(open_errno(BASE, "link", 0, __WASI_OFLAGS_CREAT, RW), __WASI_ERRNO_LOOP);
    CHECK(!exists(BASE, "target"));
    // Creating through it with FOLLOW creates the target.
    OK(open_errno(BASE, "link", FOLLOW, __WASI_OFLAGS_CREAT, RW));
    CHECK(stat_ok(BASE, "target", 0).filetype == __WASI_FILETYPE_REGULAR_FILE);

    // A dangling link into a missing directory.
    OK(__wasi_path_symlink("nodir/file", BASE, "deep"));
    EXPECT(open_errno(BASE, "deep", FOLLOW, __WASI_OFLAGS_CREAT, RW), __WASI_ERRNO_NOENT);

    OK(__wasi_path_unlink_file(BASE, "deep"));
    OK(__wasi_path_unlink_file(BASE, "link"));
    OK(__wasi_path_unlink_file(BASE, "target"));
    puts("ok");
    return 0;
}

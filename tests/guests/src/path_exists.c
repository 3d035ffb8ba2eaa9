// Whether paths exist, as seen with and without following links, before and after removal.
#include "path_check.h"

int main(void) {
    OK(__wasi_path_create_directory(BASE, "subdir"));
    create_file(BASE, "subdir/file");
    OK(__wasi_path_symlink("subdir", BASE, "link"));
    OK(__wasi_path_symlink("subdir/missing", BASE, "dangling"));
    __wasi_filestat_t st;

    CHECK(stat_ok(BASE, "subdir", 0).filetype == __WASI_FILETYPE_DIRECTORY);
    CHECK(stat_ok(BASE, "subdir/file", 0).filetype == __WASI_FILETYPE_REGULAR_FILE);
    CHECK(stat_ok(BASE, "link/file", 0).ino == stat_ok(BASE, "subdir/file", 0).ino);
    CHECK(stat_ok(BASE, "link", FOLLOW).ino == stat_ok(BASE, "subdir", 0).ino);
    CHECK(stat_ok(BASE, "dangling", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    EXPECT(__wasi_path_filestat_get(BASE, FOLLOW, "dangling", &st), __WASI_ERRNO_NOENT);
    EXPECT(__wasi_path_filestat_get(BASE, 0, "subdir/nope", &st), __WASI_ERRNO_NOENT);
    EXPECT(__wasi_path_filestat_get(BASE, 0, "nope/file", &st), __WASI_ERRNO_NOENT);
    EXPECT(__wasi_path_filestat_get(BASE, 0, "subdir/file/x", &st), __WASI_ERRNO_NOTDIR);

    OK(__wasi_path_unlink_file(BASE, "subdir/file"));
    CHECK(!exists(BASE, "subdir/file") && !exists(BASE, "link/file"));
    OK(__wasi_path_remove_directory(BASE, "subdir"));
    CHECK(!exists(BASE, "subdir"));
    CHECK(exists(BASE, "link"));
    EXPECT(__wasi_path_filestat_get(BASE, FOLLOW, "link", &st), __WASI_ERRNO_NOENT);
    OK(__wasi_path_unlink_file(BASE, "link"));
    OK(__wasi_path_unlink_file(BASE, "dangling"));
    CHECK(!exists(BASE, "link") && !exists(BASE, "dangling"));
    puts("ok");
    return 0;
}

// Attributes and times of a symbolic link itself versus its target.
#include "path_check.h"

#define SEC 1000000000ull

int main(void) {
    write_file(BASE, "file", "12345");
    OK(__wasi_path_symlink("file", BASE, "link"));
    __wasi_filestat_t f = stat_ok(BASE, "file", 0);
    __wasi_filestat_t l = stat_ok(BASE, "link", 0);
    __wasi_filestat_t t = stat_ok(BASE, "link", FOLLOW);
    CHECK(f.filetype == __WASI_FILETYPE_REGULAR_FILE && f.size == 5);
    CHECK(l.filetype == __WASI_FILETYPE_SYMBOLIC_LINK && l.size == 4);
    CHECK(l.ino != f.ino && t.ino == f.ino && t.dev == f.dev && t.size == 5);

    // Without FOLLOW the link's own times change, not the file's.
    uint64_t when = 1500000000 * SEC;
    OK(__wasi_path_filestat_set_times(BASE, 0, "link", when, when,
                                      __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    CHECK(stat_ok(BASE, "link", 0).mtim == when);
    CHECK(stat_ok(BASE, "file", 0).mtim == f.mtim);
    // With FOLLOW the file's do.
    uint64_t later = 1600000000 * SEC + 7;
    OK(__wasi_path_filestat_set_times(BASE, FOLLOW, "link", 0, later, __WASI_FSTFLAGS_MTIM));
    CHECK(stat_ok(BASE, "file", 0).mtim == later);
    CHECK(stat_ok(BASE, "link", 0).mtim == when);
    CHECK(stat_ok(BASE, "link", FOLLOW).mtim == later);
    // Times through a chain of links land on the file too.
    OK(__wasi_path_symlink("link", BASE, "link2"));
    OK(__wasi_path_filestat_set_times(BASE, FOLLOW, "link2", 0, when, __WASI_FSTFLAGS_MTIM));
    CHECK(stat_ok(BASE, "file", 0).mtim == when);
    // ... but never through a link leading out.
    OK(__wasi_path_symlink("../x", BASE, "out"));
    EXPECT(__wasi_path_filestat_set_times(BASE, FOLLOW, "out", 0, when, __WASI_FSTFLAGS_MTIM),
           __WASI_ERRNO_PERM);

    OK(__wasi_path_unlink_file(BASE, "out"));
    OK(__wasi_path_unlink_file(BASE, "link2"));
    OK(__wasi_path_unlink_file(BASE, "link"));
    OK(__wasi_path_unlink_file(BASE, "file"));
    puts("ok");
    return 0;
}

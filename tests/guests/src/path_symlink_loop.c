// Symbolic link loops end in ELOOP wherever they appear; the links themselves stay usable.
#include "path_check.h"

int main(void) {
    __wasi_filestat_t st;
    OK(__wasi_path_symlink("self", BASE, "self"));
    OK(__wasi_path_symlink("b", BASE, "a"));
    OK(__wasi_path_symlink("a", BASE, "b"));
    const char *loops[] = {"self", "a", "b"};
    for (int i = 0; i < 3; i++) {
        char sub[32];
        snprintf(sub, sizeof sub, "%s/x", loops[i]);
        EXPECT(open_errno(BASE, loops[i], FOLLOW, 0, RW), __WASI_ERRNO_LOOP);
        EXPECT(open_errno(BASE, sub, 0, __WASI_OFLAGS_CREAT, RW), __WASI_ERRNO_LOOP);
        EXPECT(__wasi_path_filestat_get(BASE, FOLLOW, loops[i], &st), __WASI_ERRNO_LOOP);
        EXPECT(__wasi_path_create_directory(BASE, sub), __WASI_ERRNO_LOOP);
        CHECK(stat_ok(BASE, loops[i], 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    }
    uint8_t buf[16];
    __wasi_size_t n;
    OK(__wasi_path_readlink(BASE, "a", buf, sizeof buf, &n));
    CHECK(n == 1 && buf[0] == 'b');
    OK(__wasi_path_unlink_file(BASE, "self"));
    OK(__wasi_path_unlink_file(BASE, "a"));
    OK(__wasi_path_unlink_file(BASE, "b"));
    puts("ok");
    return 0;
}

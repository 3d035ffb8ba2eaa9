// path_readlink: the target truncated to the buffer, nothing written past what is returned.
#include "path_check.h"

int main(void) {
    create_file(BASE, "target");
    OK(__wasi_path_create_directory(BASE, "dir"));
    OK(__wasi_path_symlink("target", BASE, "link"));
    uint8_t buf[16];
    __wasi_size_t n = 99;

    memset(buf, '#', sizeof buf);
    OK(__wasi_path_readlink(BASE, "link", buf, 10, &n));
    CHECK(n == 6 && memcmp(buf, "target####", 10) == 0);
    memset(buf, '#', sizeof buf);
    OK(__wasi_path_readlink(BASE, "link", buf, 4, &n));
    CHECK(n == 4 && memcmp(buf, "targ#", 5) == 0);
    OK(__wasi_path_readlink(BASE, "link", buf, 0, &n));
    CHECK(n == 0 && buf[0] == 't');

    EXPECT(__wasi_path_readlink(BASE, "target", buf, sizeof buf, &n), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_path_readlink(BASE, "dir", buf, sizeof buf, &n), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_path_readlink(BASE, "dir/", buf, sizeof buf, &n), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_path_readlink(BASE, "missing", buf, sizeof buf, &n), __WASI_ERRNO_NOENT);
    // A trailing slash asks for a directory; the link itself is not followed.
    EXPECT(__wasi_path_readlink(BASE, "link/", buf, sizeof buf, &n), __WASI_ERRNO_NOTDIR);
    EXPECT(__wasi_path_readlink(BASE, "..", buf, sizeof buf, &n), __WASI_ERRNO_PERM);

    // A link in a subdirectory, reached through another link, with a multibyte target read
    // with a growing buffer.
    const char *name = "Действие";
    OK(__wasi_path_symlink(name, BASE, "dir/uni"));
    OK(__wasi_path_symlink("dir", BASE, "to_dir"));
    size_t len = strlen(name);
    for (size_t cap = 0; cap <= len; cap++) {
        memset(buf, 0, sizeof buf);
        OK(__wasi_path_readlink(BASE, "to_dir/uni", buf, cap, &n));
        CHECK(n == cap && memcmp(buf, name, cap) == 0);
    }

    OK(__wasi_path_unlink_file(BASE, "to_dir"));
    OK(__wasi_path_unlink_file(BASE, "dir/uni"));
    OK(__wasi_path_remove_directory(BASE, "dir"));
    OK(__wasi_path_unlink_file(BASE, "link"));
    OK(__wasi_path_unlink_file(BASE, "target"));
    puts("ok");
    return 0;
}

// fd_readdir paged with tiny buffers: each call resumes at a cookie, a last entry that does
// not fit is cut short (the call then fills the buffer), and every entry arrives exactly once
// with its real inode and type. argv[1]: how many entries (default 50; past 100, only two
// buffer sizes are tried).
#include "path_check.h"

#define HDR sizeof(__wasi_dirent_t)

static uint8_t buf[4096];
static int files = 50;
static int *seen;
static int dots;

// Check one complete entry; returns its cookie.
static __wasi_dircookie_t check_entry(const uint8_t *at) {
    __wasi_dirent_t d;
    memcpy(&d, at, HDR);
    char name[300];
    memcpy(name, at + HDR, d.d_namlen);
    name[d.d_namlen] = 0;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        CHECK(d.d_type == __WASI_FILETYPE_DIRECTORY);
        dots++;
        return d.d_next;
    }
    int i = -1;
    CHECK(sscanf(name, "entry_%d", &i) == 1 && i >= 0 && i < files);
    if (seen[i]++) FAIL("%s seen twice", name);
    char path[64];
    snprintf(path, sizeof path, "big/%s", name);
    __wasi_filestat_t st = stat_ok(BASE, path, 0);
    CHECK(d.d_ino == st.ino && d.d_type == st.filetype);
    CHECK(d.d_type == (i % 2 ? __WASI_FILETYPE_DIRECTORY : __WASI_FILETYPE_REGULAR_FILE));
    return d.d_next;
}

int main(int argc, char **argv) {
    if (argc > 1) files = atoi(argv[1]);
    seen = calloc(files, sizeof *seen);
    OK(__wasi_path_create_directory(BASE, "big"));
    for (int i = 0; i < files; i++) {
        char path[64];
        snprintf(path, sizeof path, "big/entry_%d", i);
        if (i % 2)
            OK(__wasi_path_create_directory(BASE, path));
        else
            create_file(BASE, path);
    }
    __wasi_fd_t fd = open_ok(BASE, "big", 0, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR);

    __wasi_size_t step = files > 100 ? 32 : 7;
    for (__wasi_size_t start = 1; start <= 64; start += step) {
        memset(seen, 0, files * sizeof *seen);
        dots = 0;
        __wasi_size_t len = start;
        __wasi_dircookie_t cookie = 0;
        int calls = 0;
        for (;;) {
            __wasi_size_t n = 0;
            memset(buf, 0xAA, sizeof buf);
            OK(__wasi_fd_readdir(fd, buf, len, cookie, &n));
            CHECK(n <= len && buf[len] == 0xAA);
            calls++;
            size_t at = 0;
            int whole = 0;
            while (n - at >= HDR) {
                __wasi_dirent_t d;
                memcpy(&d, buf + at, HDR);
                if (n - at < HDR + d.d_namlen) break;
                cookie = check_entry(buf + at);
                at += HDR + d.d_namlen;
                whole++;
            }
            if (n < len) {
                CHECK(at == n);  // the end: no entry was cut short
                break;
            }
            if (whole == 0) len++;  // not even one entry fits: grow, same cookie
        }
        for (int i = 0; i < files; i++)
            if (seen[i] != 1) FAIL("entry_%d seen %d times with %u-byte buffers", i, seen[i],
                     (unsigned)start);
        CHECK(dots == 2);
        CHECK(calls > 1);
    }
    OK(__wasi_fd_close(fd));
    puts("ok");
    return 0;
}

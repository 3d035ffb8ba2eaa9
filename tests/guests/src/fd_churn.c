// Descriptor churn, for checking that the host releases what the guest gives up.
//   fd_churn renumber N : N renumbers (each onto a freshly opened file, plus one onto itself)
//   fd_churn cycle N    : N cycles of open, open, renumber one onto the other, close
// Expects a preopen "." at fd 3 holding "a.txt" (starting with 'A') and "b.txt" ('B').
#include "fd_check.h"

static char first_byte(__wasi_fd_t fd) {
    char c = 0;
    __wasi_iovec_t in = {(uint8_t *)&c, 1};
    __wasi_size_t n = 0;
    OK(__wasi_fd_pread(fd, &in, 1, 0, &n));
    return c;
}

static __wasi_fd_t open_ro(const char *path) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    __wasi_errno_t e = __wasi_path_open(DIR, 0, path, 0,
                                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0, 0, &fd);
    if (e != 0) {
        printf("FAIL open %s: errno %d\n", path, (int)e);
        exit(1);
    }
    return fd;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        printf("usage: fd_churn renumber|cycle N\n");
        return 2;
    }
    long n = atol(argv[2]);
    if (strcmp(argv[1], "renumber") == 0) {
        __wasi_fd_t keep = open_ro("a.txt");
        for (long i = 0; i < n; i++) {
            __wasi_fd_t fresh = open_ro(i % 2 ? "a.txt" : "b.txt");
            OK(__wasi_fd_renumber(fresh, keep));
            OK(__wasi_fd_renumber(keep, keep));
            if (i % 1000 == 0) {
                CHECK(first_byte(keep) == (i % 2 ? 'A' : 'B'));
            }
            if (failures) {
                break;
            }
        }
        OK(__wasi_fd_close(keep));
    } else if (strcmp(argv[1], "cycle") == 0) {
        for (long i = 0; i < n; i++) {
            __wasi_fd_t x = open_ro("a.txt");
            __wasi_fd_t y = open_ro("b.txt");
            OK(__wasi_fd_renumber(x, y));
            if (i % 1000 == 0) {
                CHECK(first_byte(y) == 'A');
                __wasi_fdstat_t st;
                EXPECT(__wasi_fd_fdstat_get(x, &st), __WASI_ERRNO_BADF);
            }
            OK(__wasi_fd_close(y));
            if (failures) {
                break;
            }
        }
    } else {
        printf("unknown mode %s\n", argv[1]);
        return 2;
    }
    return finish("fd_churn");
}

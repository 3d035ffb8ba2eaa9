// wasi-libc's readdir over fd_readdir: a directory of N entries (argv[1], made by the host as
// big/fNNNNN) is listed with its 4 KiB buffer, every entry exactly once; telldir/seekdir
// cookies resume where they point.
#include <dirent.h>
#include "path_check.h"

int main(int argc, char **argv) {
    CHECK(argc == 2);
    int count = atoi(argv[1]);
    unsigned char *seen = calloc(count, 1);
    __wasi_fd_t fd = open_ok(BASE, "big", 0, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR);
    DIR *d = fdopendir(fd);
    CHECK(d != NULL);
    int total = 0, dots = 0;
    long mark = -1;
    char after_mark[32] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        total++;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            CHECK(e->d_type == DT_DIR);
            dots++;
            continue;
        }
        int i = -1;
        CHECK(sscanf(e->d_name, "f%d", &i) == 1 && i >= 0 && i < count);
        if (seen[i]++) FAIL("%s seen twice", e->d_name);
        CHECK(e->d_type == DT_REG && e->d_ino != 0);
        if (total == count / 2) mark = telldir(d);
        else if (total == count / 2 + 1) strcpy(after_mark, e->d_name);
    }
    CHECK(total == count + 2 && dots == 2);
    for (int i = 0; i < count; i++)
        if (!seen[i]) FAIL("f%05d never seen", i);

    // Back to the middle: the entry read after the mark comes again.
    CHECK(mark >= 0);
    seekdir(d, mark);
    e = readdir(d);
    CHECK(e != NULL && strcmp(e->d_name, after_mark) == 0);
    rewinddir(d);
    int again = 0;
    while (readdir(d) != NULL) again++;
    CHECK(again == total);
    CHECK(closedir(d) == 0);
    printf("%d entries\n", total);
    return 0;
}

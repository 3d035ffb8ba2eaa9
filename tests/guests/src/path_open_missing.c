// Opening what is not there, or through what is not a directory.
#include "path_check.h"

int main(void) {
    create_file(BASE, "file");
    EXPECT(open_errno(BASE, "missing", 0, 0, RW), __WASI_ERRNO_NOENT);
    EXPECT(open_errno(BASE, "missing", FOLLOW, __WASI_OFLAGS_DIRECTORY, 0), __WASI_ERRNO_NOENT);
    EXPECT(open_errno(BASE, "missing/file", 0, 0, RW), __WASI_ERRNO_NOENT);
    EXPECT(open_errno(BASE, "missing/", 0, 0, 0), __WASI_ERRNO_NOENT);
    EXPECT(open_errno(BASE, "file/x", 0, 0, RW), __WASI_ERRNO_NOTDIR);
    EXPECT(open_errno(BASE, "file/x", 0, __WASI_OFLAGS_CREAT, RW), __WASI_ERRNO_NOTDIR);
    EXPECT(open_errno(BASE, "file/..", 0, 0, 0), __WASI_ERRNO_NOTDIR);
    CHECK(!exists(BASE, "missing"));
    OK(__wasi_path_unlink_file(BASE, "file"));
    EXPECT(open_errno(BASE, "file", 0, 0, RW), __WASI_ERRNO_NOENT);
    puts("ok");
    return 0;
}

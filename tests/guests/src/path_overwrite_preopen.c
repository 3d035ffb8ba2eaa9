// fd_renumber onto the preopen: fd 3 then refers to the other directory and is no preopen.
#include "path_check.h"

int main(void) {
    OK(__wasi_path_create_directory(BASE, "sub"));
    __wasi_fd_t sub = open_ok(BASE, "sub", 0, __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS);
    OK(__wasi_fd_renumber(sub, BASE));
    __wasi_fdstat_t st;
    __wasi_prestat_t pre;
    EXPECT(__wasi_fd_fdstat_get(sub, &st), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_prestat_get(BASE, &pre), __WASI_ERRNO_BADF);
    OK(__wasi_fd_fdstat_get(BASE, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
    // Paths now resolve beneath sub/, and may not climb back out of it.
    write_file(BASE, "inner", "in sub");
    EXPECT(open_errno(BASE, "../inner", 0, 0, RW), __WASI_ERRNO_PERM);
    EXPECT(__wasi_path_create_directory(BASE, "../escaped"), __WASI_ERRNO_PERM);
    puts("ok");
    return 0;
}

// Descriptor status and file attributes: fd_fdstat_get, fd_fdstat_set_flags,
// fd_fdstat_set_rights, fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times,
// fd_advise, fd_allocate, fd_sync, fd_datasync. Results and error paths; the host test checks
// the files afterwards.
#include "fd_check.h"

#define BAD_FD 77
#define SEC 1000000000ull

static void fdstat(void) {
    __wasi_fd_t fd = open_at("flags.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0);
    __wasi_fdstat_t st;
    OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
    CHECK(st.fs_flags == 0);
    CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_READ);
    CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
    CHECK((st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN) == 0);
    OK(__wasi_fd_fdstat_get(DIR, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
    CHECK(st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN);
    CHECK(st.fs_rights_inheriting & __WASI_RIGHTS_FD_READ);

    // Each flag set is what fd_fdstat_get reports afterwards.
    __wasi_fdflags_t all = __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_NONBLOCK |
                           __WASI_FDFLAGS_SYNC | __WASI_FDFLAGS_DSYNC | __WASI_FDFLAGS_RSYNC;
    __wasi_fdflags_t cases[] = {__WASI_FDFLAGS_APPEND, __WASI_FDFLAGS_NONBLOCK,
                                __WASI_FDFLAGS_SYNC,   __WASI_FDFLAGS_DSYNC,
                                __WASI_FDFLAGS_RSYNC,  all,
                                0};
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        OK(__wasi_fd_fdstat_set_flags(fd, cases[i]));
        OK(__wasi_fd_fdstat_get(fd, &st));
        if (st.fs_flags != cases[i]) {
            printf("FAIL flags %#x read back as %#x\n", cases[i], st.fs_flags);
            failures++;
        }
    }
    // APPEND really appends: write, seek to the start, write again.
    put(fd, "first;");
    OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_SYNC));
    __wasi_filesize_t pos;
    OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    put(fd, "appended;");
    // With DSYNC, and after clearing APPEND, writes go to the offset again.
    OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_DSYNC | __WASI_FDFLAGS_RSYNC));
    OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    put(fd, "F");
    char c;
    __wasi_iovec_t in = {(uint8_t *)&c, 1};
    __wasi_size_t n;
    OK(__wasi_fd_read(fd, &in, 1, &n));
    CHECK(n == 1 && c == 'i');

    // Errors: not open, a directory, a missing right (for the sync flags, the sync rights).
    EXPECT(__wasi_fd_fdstat_get(BAD_FD, &st), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_fdstat_set_flags(BAD_FD, 0), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_fdstat_set_flags(DIR, __WASI_FDFLAGS_NONBLOCK), __WASI_ERRNO_BADF);
    drop_rights(fd, __WASI_RIGHTS_FD_DATASYNC);
    EXPECT(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_DSYNC), __WASI_ERRNO_NOTCAPABLE);
    OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_SYNC));
    drop_rights(fd, __WASI_RIGHTS_FD_SYNC);
    EXPECT(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_RSYNC), __WASI_ERRNO_NOTCAPABLE);
    drop_rights(fd, __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS);
    EXPECT(__wasi_fd_fdstat_set_flags(fd, 0), __WASI_ERRNO_NOTCAPABLE);
    // Unknown bits are rejected before anything happens.
    EXPECT(__wasi_fd_fdstat_set_flags(0, 0x20), __WASI_ERRNO_INVAL);
    OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK(st.fs_flags == __WASI_FDFLAGS_SYNC);
    OK(__wasi_fd_close(fd));
}

static void rights(void) {
    __wasi_fd_t fd = open_at("rights.txt", __WASI_OFLAGS_CREAT, 0);
    __wasi_fdstat_t st, after;
    OK(__wasi_fd_fdstat_get(fd, &st));
    __wasi_rights_t fewer = st.fs_rights_base & ~(__wasi_rights_t)__WASI_RIGHTS_FD_WRITE;
    OK(__wasi_fd_fdstat_set_rights(fd, fewer, 0));
    OK(__wasi_fd_fdstat_get(fd, &after));
    CHECK(after.fs_rights_base == fewer);
    CHECK(after.fs_rights_inheriting == 0);
    // Rights only shrink: asking for one back, or for any more, fails and changes nothing.
    EXPECT(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base, 0), __WASI_ERRNO_NOTCAPABLE);
    EXPECT(__wasi_fd_fdstat_set_rights(fd, fewer, __WASI_RIGHTS_FD_READ),
           __WASI_ERRNO_NOTCAPABLE);
    OK(__wasi_fd_fdstat_get(fd, &after));
    CHECK(after.fs_rights_base == fewer);
    // The same rights again is fine.
    OK(__wasi_fd_fdstat_set_rights(fd, fewer, 0));
    EXPECT(__wasi_fd_fdstat_set_rights(BAD_FD, 0, 0), __WASI_ERRNO_BADF);
    // A preopen can lose rights too: here, opening files.
    OK(__wasi_fd_fdstat_get(DIR, &st));
    OK(__wasi_fd_fdstat_set_rights(DIR, st.fs_rights_base, st.fs_rights_inheriting));
    OK(__wasi_fd_close(fd));
}

static void filestat(void) {
    __wasi_fd_t fd = open_at("stat.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0);
    put(fd, "12345");
    __wasi_filestat_t st, dir;
    OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE);
    CHECK(st.size == 5);
    CHECK(st.nlink == 1);
    CHECK(st.ino != 0);
    CHECK(st.mtim > 1500000000ull * SEC);
    OK(__wasi_fd_filestat_get(DIR, &dir));
    CHECK(dir.filetype == __WASI_FILETYPE_DIRECTORY);
    CHECK(dir.dev == st.dev && dir.ino != st.ino);

    // Grow, shrink.
    OK(__wasi_fd_filestat_set_size(fd, 100));
    OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.size == 100);
    OK(__wasi_fd_filestat_set_size(fd, 3));
    OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.size == 3);

    // Exact times, then "now" for one of them only.
    OK(__wasi_fd_filestat_set_times(fd, 1000 * SEC + 5, 2000 * SEC + 7,
                                     __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.atim == 1000 * SEC + 5);
    CHECK(st.mtim == 2000 * SEC + 7);
    OK(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.atim == 1000 * SEC + 5);
    CHECK(st.mtim > 1500000000ull * SEC);
    OK(__wasi_fd_filestat_set_times(fd, 0, 3000 * SEC, __WASI_FSTFLAGS_MTIM));
    // A time and NOW for the same stamp is EINVAL and changes nothing.
    EXPECT(__wasi_fd_filestat_set_times(fd, 5, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
           __WASI_ERRNO_INVAL);
    EXPECT(__wasi_fd_filestat_set_times(fd, 0, 5, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
           __WASI_ERRNO_INVAL);
    OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.mtim == 3000 * SEC);
    // Directories take times too.
    OK(__wasi_fd_filestat_set_times(DIR, 0, 4000 * SEC, __WASI_FSTFLAGS_MTIM));
    OK(__wasi_fd_filestat_get(DIR, &dir));
    CHECK(dir.mtim == 4000 * SEC);

    // Errors.
    EXPECT(__wasi_fd_filestat_get(BAD_FD, &st), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_filestat_set_size(BAD_FD, 0), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_filestat_set_times(BAD_FD, 0, 0, 0), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_filestat_set_size(DIR, 0), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_filestat_set_size(fd, (__wasi_filesize_t)1 << 63), __WASI_ERRNO_FBIG);
    drop_rights(fd, __WASI_RIGHTS_FD_FILESTAT_SET_SIZE);
    EXPECT(__wasi_fd_filestat_set_size(fd, 0), __WASI_ERRNO_NOTCAPABLE);
    drop_rights(fd, __WASI_RIGHTS_FD_FILESTAT_SET_TIMES);
    EXPECT(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
           __WASI_ERRNO_NOTCAPABLE);
    drop_rights(fd, __WASI_RIGHTS_FD_FILESTAT_GET);
    EXPECT(__wasi_fd_filestat_get(fd, &st), __WASI_ERRNO_NOTCAPABLE);
    OK(__wasi_fd_close(fd));
}

static void hints_and_sync(void) {
    __wasi_fd_t fd = open_at("alloc.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0);
    put(fd, "abc");
    for (__wasi_advice_t a = __WASI_ADVICE_NORMAL; a <= __WASI_ADVICE_NOREUSE; a++) {
        OK(__wasi_fd_advise(fd, 0, 0, a));
        OK(__wasi_fd_advise(fd, 1, 100, a));
    }
    EXPECT(__wasi_fd_advise(fd, 0, 0, 6), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_fd_advise(fd, (__wasi_filesize_t)1 << 63, 1, __WASI_ADVICE_NORMAL),
           __WASI_ERRNO_INVAL);

    // Allocation grows the file but never shrinks it.
    __wasi_filestat_t st;
    OK(__wasi_fd_allocate(fd, 10, 90));
    OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.size == 100);
    OK(__wasi_fd_allocate(fd, 0, 10));
    OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.size == 100);
    EXPECT(__wasi_fd_allocate(fd, 0, 0), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_fd_allocate(fd, ~(__wasi_filesize_t)0 - 1, 5), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_fd_allocate(fd, ((__wasi_filesize_t)1 << 62), (__wasi_filesize_t)1 << 62),
           __WASI_ERRNO_FBIG);

    OK(__wasi_fd_sync(fd));
    OK(__wasi_fd_datasync(fd));
    // Syncing a directory is allowed (it makes renames durable).
    OK(__wasi_fd_sync(DIR));
    OK(__wasi_fd_datasync(DIR));

    // Errors: not open; a directory for data calls; missing rights.
    EXPECT(__wasi_fd_advise(BAD_FD, 0, 0, __WASI_ADVICE_NORMAL), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_allocate(BAD_FD, 0, 1), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_sync(BAD_FD), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_datasync(BAD_FD), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_advise(DIR, 0, 0, __WASI_ADVICE_NORMAL), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_allocate(DIR, 0, 1), __WASI_ERRNO_BADF);
    drop_rights(fd, __WASI_RIGHTS_FD_ADVISE);
    EXPECT(__wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_NORMAL), __WASI_ERRNO_NOTCAPABLE);
    drop_rights(fd, __WASI_RIGHTS_FD_ALLOCATE);
    EXPECT(__wasi_fd_allocate(fd, 0, 200), __WASI_ERRNO_NOTCAPABLE);
    drop_rights(fd, __WASI_RIGHTS_FD_SYNC);
    EXPECT(__wasi_fd_sync(fd), __WASI_ERRNO_NOTCAPABLE);
    OK(__wasi_fd_datasync(fd));
    drop_rights(fd, __WASI_RIGHTS_FD_DATASYNC);
    EXPECT(__wasi_fd_datasync(fd), __WASI_ERRNO_NOTCAPABLE);
    OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.size == 100);
    OK(__wasi_fd_close(fd));
}

int main(void) {
    fdstat();
    rights();
    filestat();
    hints_and_sync();
    return finish("fd_attr");
}

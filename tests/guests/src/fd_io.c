// fd_read, fd_write, fd_pread, fd_pwrite, fd_seek, fd_tell: results and error paths.
// The host test checks the files left in the preopened directory afterwards.
#include "fd_check.h"

#define BAD_FD 77

static void vectored(void) {
    __wasi_fd_t fd = open_at("io.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0);
    // Three buffers, one empty, in one call.
    __wasi_ciovec_t out[3] = {{(const uint8_t *)"abc", 3}, {(const uint8_t *)"", 0},
                              {(const uint8_t *)"defgh", 5}};
    __wasi_size_t n = 0;
    OK(__wasi_fd_write(fd, out, 3, &n));
    CHECK(n == 8);
    __wasi_filesize_t pos = 0;
    OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 8);
    OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    CHECK(pos == 0);
    // Scatter into two buffers: the first 3 bytes, then the rest.
    char a[3], b[10];
    __wasi_iovec_t in[2] = {{(uint8_t *)a, sizeof a}, {(uint8_t *)b, sizeof b}};
    OK(__wasi_fd_read(fd, in, 2, &n));
    CHECK(n == 8);
    CHECK(memcmp(a, "abc", 3) == 0 && memcmp(b, "defgh", 5) == 0);
    // At the end of a regular file a read returns 0.
    OK(__wasi_fd_read(fd, in, 2, &n));
    CHECK(n == 0);
    // No buffers at all: nothing moves.
    OK(__wasi_fd_read(fd, in, 0, &n));
    CHECK(n == 0);

    // Overlapping buffers are filled in order, as readv does: the later one wins.
    char buf[8] = {0};
    __wasi_iovec_t overlap[2] = {{(uint8_t *)buf, 4}, {(uint8_t *)buf + 2, 4}};
    OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    OK(__wasi_fd_read(fd, overlap, 2, &n));
    CHECK(n == 8);
    CHECK(memcmp(buf, "abefgh", 6) == 0);

    // fd_seek from each base, past the end, and back.
    OK(__wasi_fd_seek(fd, -2, __WASI_WHENCE_END, &pos));
    CHECK(pos == 6);
    OK(__wasi_fd_seek(fd, 1, __WASI_WHENCE_CUR, &pos));
    CHECK(pos == 7);
    OK(__wasi_fd_seek(fd, 100, __WASI_WHENCE_SET, &pos));
    CHECK(pos == 100);
    OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 100);
    // A negative resulting offset, or an unknown whence, is EINVAL and moves nothing.
    EXPECT(__wasi_fd_seek(fd, -101, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_fd_seek(fd, -1, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_fd_seek(fd, -9, __WASI_WHENCE_END, &pos), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_fd_seek(fd, 0, 3, &pos), __WASI_ERRNO_INVAL);
    OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 100);
    OK(__wasi_fd_close(fd));
}

static void positioned(void) {
    __wasi_fd_t fd = open_at("pos.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0);
    put(fd, "0123456789");
    __wasi_ciovec_t out[2] = {{(const uint8_t *)"X", 1}, {(const uint8_t *)"YZ", 2}};
    __wasi_size_t n = 0;
    OK(__wasi_fd_pwrite(fd, out, 2, 2, &n));
    CHECK(n == 3);
    // pwrite past the end extends the file with a hole.
    OK(__wasi_fd_pwrite(fd, out, 1, 12, &n));
    CHECK(n == 1);
    // The offset is neither used nor moved.
    __wasi_filesize_t pos = 0;
    OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 10);
    char a[2], b[4];
    __wasi_iovec_t in[2] = {{(uint8_t *)a, sizeof a}, {(uint8_t *)b, sizeof b}};
    OK(__wasi_fd_pread(fd, in, 2, 1, &n));
    CHECK(n == 6);
    CHECK(memcmp(a, "1X", 2) == 0 && memcmp(b, "YZ56", 4) == 0);
    OK(__wasi_fd_pread(fd, in, 2, 10, &n));
    CHECK(n == 3);
    CHECK(a[0] == 0 && a[1] == 0 && b[0] == 'X');
    OK(__wasi_fd_pread(fd, in, 2, 1000, &n));
    CHECK(n == 0);
    OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 10);
    // An offset the OS cannot represent.
    EXPECT(__wasi_fd_pread(fd, in, 2, (__wasi_filesize_t)1 << 63, &n), __WASI_ERRNO_INVAL);
    OK(__wasi_fd_close(fd));
}

static void appending(void) {
    __wasi_fd_t fd = open_at("app.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0);
    put(fd, "one");
    OK(__wasi_fd_close(fd));
    fd = open_at("app.txt", 0, __WASI_FDFLAGS_APPEND);
    __wasi_filesize_t pos = 0;
    OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    put(fd, "two");
    OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 6);
    // As on Linux, pwrite on a file opened for appending appends.
    __wasi_ciovec_t out = {(const uint8_t *)"3", 1};
    __wasi_size_t n = 0;
    OK(__wasi_fd_pwrite(fd, &out, 1, 0, &n));
    CHECK(n == 1);
    OK(__wasi_fd_close(fd));
}

static void iovec_limits(void) {
    static __wasi_ciovec_t many[1025];
    static char bytes[1025];
    for (int i = 0; i < 1025; i++) {
        bytes[i] = 'a' + i % 26;
        many[i].buf = (const uint8_t *)&bytes[i];
        many[i].buf_len = 1;
    }
    __wasi_fd_t fd = open_at("many.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0);
    __wasi_size_t n = 0;
    // IOV_MAX buffers are fine in one call; one more is EINVAL, as from the OS.
    OK(__wasi_fd_write(fd, many, 1024, &n));
    CHECK(n == 1024);
    EXPECT(__wasi_fd_write(fd, many, 1025, &n), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_fd_pwrite(fd, many, 1025, 0, &n), __WASI_ERRNO_INVAL);
    static __wasi_iovec_t in[1025];
    for (int i = 0; i < 1025; i++) {
        in[i].buf = (uint8_t *)&bytes[i];
        in[i].buf_len = 1;
    }
    EXPECT(__wasi_fd_read(fd, in, 1025, &n), __WASI_ERRNO_INVAL);
    EXPECT(__wasi_fd_pread(fd, in, 1025, 0, &n), __WASI_ERRNO_INVAL);
    OK(__wasi_fd_close(fd));
}

static void errors(void) {
    char buf[4];
    __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf};
    __wasi_ciovec_t out = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    __wasi_filesize_t pos;
    // Not open.
    EXPECT(__wasi_fd_read(BAD_FD, &in, 1, &n), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_write(BAD_FD, &out, 1, &n), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_pread(BAD_FD, &in, 1, 0, &n), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_pwrite(BAD_FD, &out, 1, 0, &n), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_seek(BAD_FD, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_tell(BAD_FD, &pos), __WASI_ERRNO_BADF);
    // A directory has no data to read or write, and no offset.
    EXPECT(__wasi_fd_read(DIR, &in, 1, &n), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_write(DIR, &out, 1, &n), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_pread(DIR, &in, 1, 0, &n), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_pwrite(DIR, &out, 1, 0, &n), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_seek(DIR, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_tell(DIR, &pos), __WASI_ERRNO_BADF);
    // Standard output is a pipe in the tests: no offset.
    EXPECT(__wasi_fd_seek(1, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_SPIPE);
    EXPECT(__wasi_fd_tell(1, &pos), __WASI_ERRNO_SPIPE);
    EXPECT(__wasi_fd_pwrite(1, &out, 1, 0, &n), __WASI_ERRNO_SPIPE);

    // Each right, dropped, makes its calls ENOTCAPABLE.
    __wasi_fd_t fd = open_at("rights.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0);
    put(fd, "data");
    drop_rights(fd, __WASI_RIGHTS_FD_READ);
    EXPECT(__wasi_fd_read(fd, &in, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    EXPECT(__wasi_fd_pread(fd, &in, 1, 0, &n), __WASI_ERRNO_NOTCAPABLE);
    OK(__wasi_fd_pwrite(fd, &out, 1, 0, &n));
    drop_rights(fd, __WASI_RIGHTS_FD_WRITE);
    EXPECT(__wasi_fd_write(fd, &out, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    EXPECT(__wasi_fd_pwrite(fd, &out, 1, 0, &n), __WASI_ERRNO_NOTCAPABLE);
    OK(__wasi_fd_seek(fd, 1, __WASI_WHENCE_SET, &pos));
    drop_rights(fd, __WASI_RIGHTS_FD_SEEK);
    EXPECT(__wasi_fd_seek(fd, 2, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_NOTCAPABLE);
    // Reading the offset needs only FD_TELL.
    OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos));
    CHECK(pos == 1);
    OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 1);
    drop_rights(fd, __WASI_RIGHTS_FD_TELL);
    EXPECT(__wasi_fd_tell(fd, &pos), __WASI_ERRNO_NOTCAPABLE);
    EXPECT(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_NOTCAPABLE);
    OK(__wasi_fd_close(fd));

    // Positioned I/O needs FD_SEEK too.
    fd = open_at("rights.txt", 0, 0);
    drop_rights(fd, __WASI_RIGHTS_FD_SEEK);
    EXPECT(__wasi_fd_pread(fd, &in, 1, 0, &n), __WASI_ERRNO_NOTCAPABLE);
    EXPECT(__wasi_fd_pwrite(fd, &out, 1, 0, &n), __WASI_ERRNO_NOTCAPABLE);
    OK(__wasi_fd_read(fd, &in, 1, &n));
    CHECK(n == 4);
    OK(__wasi_fd_close(fd));
}

int main(void) {
    vectored();
    positioned();
    appending();
    iovec_limits();
    errors();
    return finish("fd_io");
}

// Embedder streams (a reader as stdin, a writer as stdout): reads and writes work, offsets do
// not exist, attributes are those of a character device with every number 0.
// Expects stdin to hold "stream input" and echoes it to stdout between markers.
#include "fd_check.h"

int main(void) {
    char buf[64];
    __wasi_iovec_t in[2] = {{(uint8_t *)buf, 6}, {(uint8_t *)buf + 6, sizeof buf - 6}};
    __wasi_size_t n = 0, total = 0;
    do {
        in[0].buf = (uint8_t *)buf + total;
        in[0].buf_len = 6;
        in[1].buf = (uint8_t *)buf + total + 6;
        in[1].buf_len = sizeof buf - total - 6;
        OK(__wasi_fd_read(0, in, 2, &n));
        total += n;
    } while (n > 0 && total + 6 < sizeof buf);
    CHECK(total == 12 && memcmp(buf, "stream input", 12) == 0);

    // Gathered write: three buffers, one empty.
    __wasi_ciovec_t out[3] = {{(const uint8_t *)"<", 1}, {(const uint8_t *)"", 0},
                              {(const uint8_t *)buf, total}};
    OK(__wasi_fd_write(1, out, 3, &n));
    CHECK(n == total + 1);
    put(1, ">\n");

    // No offset on a stream.
    __wasi_filesize_t pos;
    EXPECT(__wasi_fd_seek(0, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_SPIPE);
    EXPECT(__wasi_fd_seek(1, 5, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_SPIPE);
    EXPECT(__wasi_fd_tell(1, &pos), __WASI_ERRNO_SPIPE);
    EXPECT(__wasi_fd_pread(0, in, 1, 0, &n), __WASI_ERRNO_SPIPE);
    EXPECT(__wasi_fd_pwrite(1, out, 1, 0, &n), __WASI_ERRNO_SPIPE);

    // A character device with nothing to report.
    __wasi_filestat_t fs;
    OK(__wasi_fd_filestat_get(1, &fs));
    CHECK(fs.filetype == __WASI_FILETYPE_CHARACTER_DEVICE);
    CHECK(fs.dev == 0 && fs.ino == 0 && fs.nlink == 0 && fs.size == 0);
    CHECK(fs.atim == 0 && fs.mtim == 0 && fs.ctim == 0);
    __wasi_fdstat_t st;
    OK(__wasi_fd_fdstat_get(0, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_CHARACTER_DEVICE);
    CHECK(st.fs_flags == 0);
    CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_READ);
    CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_SEEK) == 0);

    // The reader cannot be written nor the writer read.
    EXPECT(__wasi_fd_write(0, out, 1, &n), __WASI_ERRNO_BADF);
    EXPECT(__wasi_fd_read(1, in, 1, &n), __WASI_ERRNO_BADF);
    // Flags the OS would keep are not available; file calls lack their rights.
    EXPECT(__wasi_fd_fdstat_set_flags(1, __WASI_FDFLAGS_NONBLOCK), __WASI_ERRNO_INVAL);
    OK(__wasi_fd_fdstat_set_flags(1, 0));
    EXPECT(__wasi_fd_sync(1), __WASI_ERRNO_NOTCAPABLE);
    EXPECT(__wasi_fd_filestat_set_size(1, 0), __WASI_ERRNO_NOTCAPABLE);
    EXPECT(__wasi_fd_advise(1, 0, 0, __WASI_ADVICE_NORMAL), __WASI_ERRNO_NOTCAPABLE);
    // Dropping FD_WRITE stops writes.
    drop_rights(1, __WASI_RIGHTS_FD_WRITE);
    EXPECT(__wasi_fd_write(1, out, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    // Closing it is fine; results go to stderr from now on.
    OK(__wasi_fd_close(1));
    EXPECT(__wasi_fd_write(1, out, 1, &n), __WASI_ERRNO_BADF);
    if (failures == 0) {
        put(2, "ok fd_stream\n");
        return 0;
    }
    put(2, "failures in fd_stream\n");
    return 1;
}

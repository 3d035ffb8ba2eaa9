// Accept connections on the preopened listener (fd 3 unless given) and echo what each client
// sends until it shuts down its side, then shut ours. Also checks that socket calls on
// non-sockets fail with ENOTSOCK.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int listener = argc > 1 ? atoi(argv[1]) : 3;
    int clients = argc > 2 ? atoi(argv[2]) : 1;

    char c;
    errno = 0;
    if (recv(1, &c, 1, 0) == -1 && errno == ENOTSOCK) {
        printf("recv on stdout: ENOTSOCK\n");
    }
    errno = 0;
    if (shutdown(2, SHUT_RDWR) == -1 && errno == ENOTSOCK) {
        printf("shutdown on stderr: ENOTSOCK\n");
    }
    errno = 0;
    if (accept(0, NULL, NULL) == -1 && errno == ENOTSOCK) {
        printf("accept on stdin: ENOTSOCK\n");
    }

    for (int i = 0; i < clients; i++) {
        int conn = accept(listener, NULL, NULL);
        if (conn < 0) {
            perror("accept");
            return 1;
        }
        size_t total = 0;
        char buf[4096];
        for (;;) {
            ssize_t n = recv(conn, buf, sizeof buf, 0);
            if (n < 0) {
                perror("recv");
                return 1;
            }
            if (n == 0) {
                break;
            }
            for (ssize_t off = 0; off < n;) {
                ssize_t m = send(conn, buf + off, n - off, 0);
                if (m < 0) {
                    perror("send");
                    return 1;
                }
                off += m;
            }
            total += n;
        }
        if (shutdown(conn, SHUT_WR) != 0) {
            perror("shutdown");
            return 1;
        }
        close(conn);
        printf("client %d: echoed %zu bytes\n", i, total);
    }
    return 0;
}

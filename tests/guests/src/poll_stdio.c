// poll() on stdin, stdout, a regular file and a bad descriptor, mixed with timeouts, plus the
// raw poll_oneoff call to read the byte counts it reports for a file.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void show(const char *what, int n, struct pollfd *fds, int nfds) {
    printf("%s: %d", what, n);
    for (int i = 0; i < nfds; i++) {
        printf(" [%s%s%s%s]", (fds[i].revents & POLLIN) ? "in" : "",
               (fds[i].revents & POLLOUT) ? "out" : "", (fds[i].revents & POLLHUP) ? "hup" : "",
               (fds[i].revents & POLLNVAL) ? "nval" : "");
    }
    printf("\n");
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int file = open("data.txt", O_RDONLY);
    if (file < 0) {
        perror("data.txt");
        return 1;
    }

    // Stdin is a pipe from the test: wait (blocking in poll) for its data.
    struct pollfd in = {.fd = 0, .events = POLLIN};
    int n = poll(&in, 1, 10000);
    show("stdin ready", n, &in, 1);

    // Stdin (data still unread), stdout, the file and a closed descriptor.
    struct pollfd fds[4] = {
        {.fd = 0, .events = POLLIN},
        {.fd = 1, .events = POLLOUT},
        {.fd = file, .events = POLLIN},
        {.fd = 42, .events = POLLIN},
    };
    n = poll(fds, 4, 10000);
    show("mixed", n, fds, 4);

    char buf[64];
    ssize_t got = read(0, buf, sizeof buf);
    printf("stdin: %.*s\n", (int)got, buf);

    // Stdin at end of file (the test closes its end once it has seen the line above) reports
    // readable and hung up.
    in.revents = 0;
    n = poll(&in, 1, 10000);
    show("stdin at eof", n, &in, 1);

    // No descriptors: a sleep.
    long long t0 = now_ns();
    n = poll(NULL, 0, 30);
    printf("timeout: %d %s\n", n, now_ns() - t0 >= 30000000LL ? "waited" : "too short");

    // The raw call: a read subscription on the file reports the bytes left after the offset.
    read(file, buf, 4);
    __wasi_subscription_t sub;
    memset(&sub, 0, sizeof sub);
    sub.userdata = 77;
    sub.u.tag = __WASI_EVENTTYPE_FD_READ;
    sub.u.u.fd_read.file_descriptor = file;
    __wasi_event_t ev;
    __wasi_size_t nevents = 0;
    __wasi_errno_t e = __wasi_poll_oneoff(&sub, &ev, 1, &nevents);
    printf("raw: errno %d events %lu userdata %llu type %d nbytes %llu\n", e, nevents,
           (unsigned long long)ev.userdata, ev.type, (unsigned long long)ev.fd_readwrite.nbytes);
    return 0;
}

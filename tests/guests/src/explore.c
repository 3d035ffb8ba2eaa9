// The examples' guest: runs the commands given as arguments, in order, and prints what it sees.
//   ls DIR          entries of DIR, sorted, a '/' after directories
//   cat FILE        the file's bytes
//   write FILE TEXT create or replace FILE with TEXT and a newline
//   stat PATH       size and modification time in nanoseconds
//   stdin           copy standard input to standard output
//   err TEXT        TEXT and a newline on standard error
//   time            the realtime and monotonic clocks in nanoseconds
//   random N        N random bytes, in hex
// Any failure prints the cause on stderr and exits with status 1.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

_Noreturn static void fail(const char *what) {
    fprintf(stderr, "explore: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ls(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) fail(dir);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        size_t len = strlen(e->d_name);
        char *s = malloc(len + 2);
        if (!s) fail("malloc");
        memcpy(s, e->d_name, len + 1);
        if (e->d_type == DT_DIR) strcat(s, "/");
        names[n++] = s;
    }
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    for (size_t i = 0; i < n; i++) {
        printf("%s\n", names[i]);
        free(names[i]);
    }
}

static void copy(FILE *in, const char *what) {
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, k, stdout);
    if (ferror(in)) fail(what);
}

static void cat(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) fail(path);
    copy(f, path);
    fclose(f);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) fail(path);
    if (fprintf(f, "%s\n", text) < 0 || fclose(f) != 0) fail(path);
}

static void show_stat(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) fail(path);
    long long mtime = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    printf("%s: %lld bytes, mtime %lld\n", path, (long long)st.st_size, mtime);
}

static void show_time(void) {
    __wasi_timestamp_t real, mono;
    if (__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &real) != 0 ||
        __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &mono) != 0) {
        errno = EIO;
        fail("clock_time_get");
    }
    printf("realtime %llu, monotonic %llu\n", (unsigned long long)real, (unsigned long long)mono);
}

static void random_bytes(const char *count) {
    unsigned char buf[256];
    size_t n = (size_t)atoi(count);
    if (n > sizeof buf) n = sizeof buf;
    if (getentropy(buf, n) != 0) fail("getentropy");
    for (size_t i = 0; i < n; i++) printf("%02x", buf[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *cmd = argv[i];
        const char *a = i + 1 < argc ? argv[i + 1] : NULL;
        const char *b = i + 2 < argc ? argv[i + 2] : NULL;
        if (strcmp(cmd, "stdin") == 0) {
            copy(stdin, "stdin");
        } else if (strcmp(cmd, "time") == 0) {
            show_time();
        } else if (strcmp(cmd, "write") == 0 && b) {
            write_file(a, b);
            i += 2;
        } else if (a && strcmp(cmd, "ls") == 0) {
            ls(a), i++;
        } else if (a && strcmp(cmd, "cat") == 0) {
            cat(a), i++;
        } else if (a && strcmp(cmd, "stat") == 0) {
            show_stat(a), i++;
        } else if (a && strcmp(cmd, "err") == 0) {
            fprintf(stderr, "%s\n", a), i++;
        } else if (a && strcmp(cmd, "random") == 0) {
            random_bytes(a), i++;
        } else {
            fprintf(stderr, "explore: bad command %s\n", cmd);
            return 2;
        }
        fflush(stdout);
    }
    return 0;
}

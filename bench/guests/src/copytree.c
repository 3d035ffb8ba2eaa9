// copytree SRC DST ROUNDS: copy the directory tree SRC to DST/0 .. DST/(ROUNDS-1) with
// opendir/readdir, mkdir, open/read/write/close. The end-to-end workload of the side-by-side
// benchmark; the benchmark checks every copied byte afterwards, outside the timed region.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char buf[64 * 1024];

static int copy_file(const char *from, const char *to) {
  int in = open(from, O_RDONLY);
  if (in < 0) {
    perror(from);
    return -1;
  }
  int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0) {
    perror(to);
    close(in);
    return -1;
  }
  int rc = 0;
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n == 0)
      break;
    if (n < 0) {
      perror(from);
      rc = -1;
      break;
    }
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, buf + done, (size_t)(n - done));
      if (w <= 0) {
        perror(to);
        rc = -1;
        goto out;
      }
      done += w;
    }
  }
out:
  close(in);
  if (close(out) != 0)
    rc = -1;
  return rc;
}

static int copy_tree(const char *from, const char *to) {
  if (mkdir(to, 0755) != 0) {
    perror(to);
    return -1;
  }
  DIR *d = opendir(from);
  if (!d) {
    perror(from);
    return -1;
  }
  int rc = 0;
  struct dirent *e;
  char src[512], dst[512];
  while (rc == 0 && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (snprintf(src, sizeof src, "%s/%s", from, e->d_name) >= (int)sizeof src ||
        snprintf(dst, sizeof dst, "%s/%s", to, e->d_name) >= (int)sizeof dst) {
      fprintf(stderr, "path too long under %s\n", from);
      rc = -1;
    } else if (e->d_type == DT_DIR) {
      rc = copy_tree(src, dst);
    } else {
      rc = copy_file(src, dst);
    }
  }
  closedir(d);
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: copytree SRC DST ROUNDS\n");
    return 2;
  }
  int rounds = atoi(argv[3]);
  if (mkdir(argv[2], 0755) != 0) {
    perror(argv[2]);
    return 1;
  }
  char dst[512];
  for (int r = 0; r < rounds; r++) {
    snprintf(dst, sizeof dst, "%s/%d", argv[2], r);
    if (copy_tree(argv[1], dst) != 0)
      return 1;
  }
  return 0;
}

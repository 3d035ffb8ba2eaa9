// The bundled example: print a greeting and write a file in the preopened directory.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    const char *who = argc > 1 ? argv[1] : "world";
    printf("hello, %s!\n", who);
    FILE *f = fopen("hello.txt", "w");
    if (!f) {
        perror("hello.txt");
        return 1;
    }
    fprintf(f, "hello, %s, from a WASI guest\n", who);
    if (fclose(f) != 0) {
        perror("fclose");
        return 1;
    }
    printf("wrote hello.txt\n");
    return 0;
}

/* tests/fuzz/replay.c - run a fuzzing harness without libFuzzer: every file named on the
 * command line (or found in a directory named there, in name order) goes through
 * LLVMFuzzerTestOneInput once. This is how the seed corpus and the inputs that once crashed
 * are replayed by ctest in every build, gcc or clang, with or without sanitizers: a crash,
 * a sanitizer report or a harness check that fails is a failing test.
 *
 * Exit 0 when every input ran, 1 when a path cannot be read or nothing was run. */
#define _POSIX_C_SOURCE 200809L /* scandir */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    /* Exactly the input's size, as libFuzzer does: an overread past it is caught by ASan. */
    uint8_t *buf = n >= 0 ? malloc(n ? (size_t)n : 1) : NULL;
    if (!buf || fseek(f, 0, SEEK_SET) != 0 || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(buf);
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    printf("replay: %s (%ld bytes)\n", path, n);
    fflush(stdout);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 1;
}

static int run_path(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "replay: no such file or directory: %s\n", path);
        return -1;
    }
    if (!S_ISDIR(sb.st_mode))
        return run_file(path);
    struct dirent **names = NULL;
    int n = scandir(path, &names, NULL, alphasort), count = 0;
    if (n < 0) {
        fprintf(stderr, "replay: cannot list %s\n", path);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char full[4096];
        if (names[i]->d_name[0] != '.' && count >= 0) {
            snprintf(full, sizeof full, "%s/%s", path, names[i]->d_name);
            int r = run_path(full);
            count = r < 0 ? -1 : count + r;
        }
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    int total = 0;
    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        int r = run_path(argv[i]);
        if (r < 0)
            return 1;
        total += r;
    }
    printf("replay: %d inputs\n", total);
    return total > 0 ? 0 : 1;
}

#include "soak_resources.h"

#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

/* A "Name:   value" line of /proc/self/status. */
static long status_field(const char *name) {
    FILE *fp = fopen("/proc/self/status", "r");
    if (!fp)
        return -1;
    char line[256];
    long v = -1;
    size_t n = strlen(name);
    while (fgets(line, sizeof line, fp))
        if (strncmp(line, name, n) == 0 && line[n] == ':') {
            sscanf(line + n + 1, "%ld", &v);
            break;
        }
    fclose(fp);
    return v;
}

static int count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the descriptor opendir itself holds */
}

void resources_sample(resources *out) {
    out->rss_kb = status_field("VmRSS");
    struct mallinfo2 mi = mallinfo2();
    out->heap_kb = (long)((mi.uordblks + mi.hblkhd) / 1024);
    out->threads = (int)status_field("Threads");
    out->fds = count_fds();
}

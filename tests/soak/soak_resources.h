/* What the process holds, read from /proc/self: resident memory, open
 * file descriptors and threads. */
#ifndef LB_SOAK_RESOURCES_H
#define LB_SOAK_RESOURCES_H

typedef struct resources {
    long rss_kb;
    long heap_kb; /* malloc'd and not freed (glibc's mallinfo2) */
    int fds;
    int threads;
} resources;

/* Fills *out; fields that cannot be read are -1. */
void resources_sample(resources *out);

#endif

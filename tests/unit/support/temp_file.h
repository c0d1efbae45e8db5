/* Throwaway files for unit tests. */
#ifndef LB_TEST_TEMP_FILE_H
#define LB_TEST_TEMP_FILE_H

#include <stddef.h>

/* Writes len bytes to a new file under $TMPDIR (or /tmp) made by mkstemp and
 * returns its path (caller unlinks and frees), or NULL on failure. */
char *temp_file_write(const char *text, size_t len);

#endif

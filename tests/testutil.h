/* Helpers shared by the C tests: files, reference outputs, directories. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Reads a whole file; returns NULL if it cannot. Caller frees. */
uint8_t *tu_read_file(const char *path, size_t *len);

/* Decompresses an .xz reference with `xz -dc`; NULL on failure. */
char *tu_read_xz(const char *path, size_t *len);

/* Reads a FILE.MODE.status reference: returns the exit code, stores the
 * stderr text (caller frees). -1 if missing. */
int tu_read_status(const char *trace, const char *mode, char **err_text);

/* Lists FILE.trace paths under dir, recursively, sorted. Caller frees
 * each string and the array. */
char **tu_list_traces(const char *dir, size_t *n);
void tu_free_list(char **list, size_t n);

#endif

/* pam_sls - names and texts that may stand in the files, for every program to check. */
#ifndef SLS_TEXT_H
#define SLS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* A name as sls_name_valid (sls_file.h) wants, and at most max bytes. */
bool sls_name_ok(const char *name, size_t max);

/*
 * Text that survives a round trip through a value of the files (a label,
 * an identity): at most max bytes of valid UTF-8 without control
 * characters (C0, DEL, C1), without ';' (the comment character) and
 * without leading or trailing space. May be empty.
 */
bool sls_text_ok(const char *s, size_t max);

#endif /* SLS_TEXT_H */

/* pam_sls - secret hygiene: one wipe helper, one constant-time compare. */
#ifndef SLS_SECRET_H
#define SLS_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* Overwrite n bytes at p so that the compiler cannot elide it (OPENSSL_cleanse). */
void sls_wipe(void *p, size_t n);

/* Wipe n bytes at p, then free(p). NULL is allowed. */
void sls_free_secret(void *p, size_t n);

/* Wipe strlen(s) bytes of s, then free(s). NULL is allowed. */
void sls_free_secret_str(char *s);

/*
 * Constant-time equality of two n-byte buffers (CRYPTO_memcmp): the time
 * depends on n only. True when equal.
 */
bool sls_secure_equal(const void *a, const void *b, size_t n);

/*
 * Constant-time equality of two NUL-terminated strings: the time depends on
 * the lengths only, never on where they first differ.
 */
bool sls_secure_streq(const char *a, const char *b);

#endif /* SLS_SECRET_H */

/* pam_sls - randomness from the kernel (getrandom(2)). */
#ifndef SLS_RANDOM_H
#define SLS_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#include "sls_error.h"

/* n random bytes (secrets). SLS_ERR_RANDOM if getrandom fails. */
enum sls_rc sls_random_bytes(uint8_t *buf, size_t n);

/* A uniform integer in [0, bound) by rejection sampling (no modulo bias); bound >= 1. */
enum sls_rc sls_random_uniform(uint32_t bound, uint32_t *out);

/*
 * ndigits (1..64) uniformly random decimal digits into out (ndigits+1 bytes,
 * NUL-terminated). Leading zeros are kept: every string is equally likely.
 */
enum sls_rc sls_random_digits(char *out, size_t outsize, size_t ndigits);

#endif /* SLS_RANDOM_H */

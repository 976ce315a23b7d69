/*
 * pam_sls - scratch codes (common/devtype/scratch.c): the single-use codes of
 * a google-authenticator file, taken over by sls import-google-authenticator.
 */
#ifndef SLS_SCRATCH_H
#define SLS_SCRATCH_H

#include <stddef.h>

#include "sls_enroll.h"
#include "sls_error.h"
#include "sls_state.h"

#define SLS_SCRATCH_DIGITS 8 /* every code: exactly 8 digits */

/*
 * A scratch device in d that takes codes (n of them, 1 to
 * SLS_SCRATCH_CODES_MAX, each SLS_SCRATCH_DIGITS digits, no two alike): a
 * fresh salt and the codes' tags; type, level and secret set, the rest of d
 * (name, status, created) left as it is. The codes themselves are not kept.
 * SLS_ERR_INVAL for codes out of shape (d unchanged), SLS_ERR_RANDOM,
 * SLS_ERR_CRYPTO.
 */
enum sls_rc sls_scratch_new(struct sls_device *d, const char *const *codes, size_t n);

/* How many codes of scratch device d its state ds (may be NULL: none used) does not list as used.
 */
size_t sls_scratch_left(const struct sls_device *d, const struct sls_device_state *ds);

#endif /* SLS_SCRATCH_H */

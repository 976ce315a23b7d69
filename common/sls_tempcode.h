/*
 * pam_sls - temporary passcodes (common/devtype/tempcode.c): what sls
 * tempcode, sls status and sls card print need besides the type's hooks.
 */
#ifndef SLS_TEMPCODE_H
#define SLS_TEMPCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sls_config.h"
#include "sls_enroll.h"
#include "sls_error.h"

#define SLS_TEMPCODE_LEN 12 /* characters of the code, shown as XXXX-XXXX-XXXX */

/* Where a temporary passcode stands at a time. */
enum sls_tempcode_phase {
	SLS_TEMPCODE_LOGIN, /* logs in, until login_until */
	SLS_TEMPCODE_CARD,  /* after: only sls card print takes it, until expires */
	SLS_TEMPCODE_OVER,  /* expired (or not active) */
};

/*
 * A new temporary passcode in d (its name is the caller's), issued at now:
 * SLS_TEMPCODE_LEN characters of an alphabet without 0, O, 1, I or L into
 * code as "ABCD-EFGH-JKMN" (size > 14; a secret the caller shows once and
 * wipes), only its salted hash kept in d; it logs in for [tempcode]
 * full_days, then for card_days is taken only by sls card print.
 */
enum sls_rc sls_tempcode_new(struct sls_device *d, const struct sls_config *conf, time_t now,
			     char *code, size_t size);

enum sls_tempcode_phase sls_tempcode_phase(const struct sls_device *d, time_t now);

/*
 * The user's temporary passcode that still logs in (login_only), or that is
 * still good for something (logs in, or sls card print takes it); NULL for
 * none.
 */
const struct sls_device *sls_tempcode_find(const struct sls_user *user, time_t now,
					   bool login_only);

/* When d stops logging in (the start of its card-only days). */
time_t sls_tempcode_login_until(const struct sls_device *d);

#endif /* SLS_TEMPCODE_H */

/*
 * pam_sls - SMS devices, level 1: a code sent to the user's verified phone
 * (the number is in [user]; the device has no key of its own). Read and
 * written in the files; not asked at a login yet.
 */
#include "config.h"

#include "sls_devtype.h"
#include "sls_enroll.h"

static bool valid(const struct sls_device *d)
{
	return d->secret_len == 0;
}

const struct sls_devtype sls_devtype_sms = {
    .name = "sms",
    .level = 1,
    .pin = SLS_PINKIND_NONE,
    .keys = NULL,
    .nkeys = 0,
    .valid = valid,
};

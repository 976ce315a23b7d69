/*
 * pam_sls - security code cards, level 1: 100 indexed codes derived from the
 * secret, printed for the user. Read and written in the files; not
 * asked at a login yet.
 */
#include "config.h"

#include "sls_devtype.h"
#include "sls_enroll.h"

static const struct sls_devkey keys[] = {
    {"secret", sls_devkey_secret, true},
};

static bool valid(const struct sls_device *d)
{
	return sls_devkey_secret_ok(d);
}

static void format(struct sls_ini_buf *b, const struct sls_device *d)
{
	sls_devkey_format_secret(b, d);
}

const struct sls_devtype sls_devtype_card = {
    .name = "card",
    .level = 1,
    .pin = SLS_PINKIND_NONE,
    .keys = keys,
    .nkeys = sizeof(keys) / sizeof(keys[0]),
    .valid = valid,
    .format = format,
};

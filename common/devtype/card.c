/*
 * pam_sls - security code cards, level 1: 100 indexed codes derived from the
 * secret, printed for the user. Read and written in the files (the
 * secret is its only key); not asked at a login yet.
 */
#include "config.h"

#include "sls_devtype.h"

const struct sls_devtype sls_devtype_card = {
    .name = "card",
    .level = 1,
    .pin = SLS_PINKIND_NONE,
    .keys = sls_devkeys_secret_only,
    .nkeys = 1,
    .valid = sls_devkey_secret_ok,
    .format = sls_devkey_format_secret,
};

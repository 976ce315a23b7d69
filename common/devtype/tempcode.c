/*
 * pam_sls - temporary passcodes, level 1: a code an administrator gives; the
 * secret holds its hash. Read and written in the files (the
 * secret is its only key); not asked at a login yet.
 */
#include "config.h"

#include "sls_devtype.h"

const struct sls_devtype sls_devtype_tempcode = {
    .name = "tempcode",
    .level = 1,
    .pin = SLS_PINKIND_NONE,
    .keys = sls_devkeys_secret_only,
    .nkeys = 1,
    .valid = sls_devkey_secret_ok,
    .format = sls_devkey_format_secret,
};

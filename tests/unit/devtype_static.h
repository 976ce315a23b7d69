/* The tests' own device types: a fixed code (devtype_static.c). */
#ifndef SLS_TEST_DEVTYPE_STATIC_H
#define SLS_TEST_DEVTYPE_STATIC_H

#include "sls_devtype.h"

extern const struct sls_devtype test_devtype_static;

/* The same file keys with no attempt hook: a login cannot ask it. */
extern const struct sls_devtype test_devtype_mute;

#endif /* SLS_TEST_DEVTYPE_STATIC_H */

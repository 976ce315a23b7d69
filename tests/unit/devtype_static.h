/* The tests' own device type: a fixed code (devtype_static.c). */
#ifndef SLS_TEST_DEVTYPE_STATIC_H
#define SLS_TEST_DEVTYPE_STATIC_H

#include "sls_devtype.h"

extern const struct sls_devtype test_devtype_static;

#endif /* SLS_TEST_DEVTYPE_STATIC_H */

/* What the C tests share. */
#ifndef SLS_TEST_HELPERS_H
#define SLS_TEST_HELPERS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The directory test sandboxes are made in, created 0755. Not /tmp: the
 * store and sls.conf must lie below directories that nobody else may write
 * to, and /tmp is one. As root (CI) /run/sls-tests, which every user may
 * enter (tests run sls as nobody) wherever the build tree is; otherwise
 * tests/tmp of the build tree (TEST_TMPDIR), whose parents must then be
 * safe too. AM_TESTS_ENVIRONMENT (Makefile.am) sets TMPDIR the same way
 * for the scripts.
 */
static inline const char *test_tmpdir(void)
{
	const char *dir = geteuid() == 0 ? "/run/sls-tests" : TEST_TMPDIR;

	if ((mkdir(dir, 0755) != 0 && errno != EEXIST) || chmod(dir, 0755) != 0) {
		perror(dir);
		exit(99);
	}
	return dir;
}

#endif /* SLS_TEST_HELPERS_H */

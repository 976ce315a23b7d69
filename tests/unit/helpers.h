/* What the C tests share. */
#ifndef SLS_TEST_HELPERS_H
#define SLS_TEST_HELPERS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/*
 * The directory test sandboxes are made in: tests/tmp of the build tree
 * (TEST_TMPDIR), created 0755. Not /tmp: the store and sls.conf must lie
 * below directories that nobody else may write to, and /tmp is one.
 */
static inline const char *test_tmpdir(void)
{
	if (mkdir(TEST_TMPDIR, 0755) != 0 && errno != EEXIST) {
		perror(TEST_TMPDIR);
		exit(99);
	}
	if (chmod(TEST_TMPDIR, 0755) != 0) {
		perror(TEST_TMPDIR);
		exit(99);
	}
	return TEST_TMPDIR;
}

#endif /* SLS_TEST_HELPERS_H */

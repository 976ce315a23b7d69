/* What the C tests share (tests/unit/helpers.c). */
#ifndef SLS_TEST_HELPERS_H
#define SLS_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>

#include "sls.h"

/*
 * The directory test sandboxes are made in, created 0755. Not /tmp: the
 * store and sls.conf must lie below directories that nobody else may write
 * to, and /tmp is one. As root (CI) /run/sls-tests, which every user may
 * enter (tests run sls as nobody) wherever the build tree is; otherwise
 * tests/tmp of the build tree (TEST_TMPDIR), whose parents must then be
 * safe too. AM_TESTS_ENVIRONMENT (Makefile.am) sets TMPDIR the same way
 * for the scripts.
 */
const char *test_tmpdir(void);

/* A fresh directory under test_tmpdir() (mkdtemp, 0755) into dir; exits on failure. */
void test_sandbox(const char *prefix, char *dir, size_t size);

/* rm -rf dir. */
void test_remove_tree(const char *dir);

/* How test_edit changes a line. */
enum edit_mode { REPLACE, INSERT, DELETE };

/* base with line (1-based) replaced by text, text inserted before it, or it deleted (malloc'ed). */
char *test_edit(const char *base, int line, const char *text, enum edit_mode mode);

/* Fails the test unless the n bytes at p are all zero (a refused parse leaves nothing). */
void test_assert_zero(const void *p, size_t n);

/* The text of file path (its first 64 KiB), malloc'ed; "" when missing. Exits out of memory. */
char *test_slurp(const char *path);

/*
 * A scripted UI (sls_ui.h) for the login flow without libpam: each prompt
 * gets the next reply; a NULL reply, or none left, fails the conversation.
 * What was asked and said is kept (the first SCRIPT_KEEP of each).
 */
#define SCRIPT_KEEP 8

struct script {
	const char *const *replies;
	size_t nreplies;
	size_t next;
	char prompts[SCRIPT_KEEP][1024];
	size_t nprompts;
	char said[SCRIPT_KEEP][512];
	size_t nsaid;
};

/* Start script s with replies (n of them) and point ui at it. */
void script_ui(struct script *s, const char *const *replies, size_t n, struct sls_ui *ui);

/* Whether any message said through s holds needle. */
bool script_said(const struct script *s, const char *needle);

#endif /* SLS_TEST_HELPERS_H */

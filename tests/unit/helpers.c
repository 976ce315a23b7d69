/* What the C tests share (helpers.h). */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

const char *test_tmpdir(void)
{
	const char *dir = geteuid() == 0 ? "/run/sls-tests" : TEST_TMPDIR;

	if ((mkdir(dir, 0755) != 0 && errno != EEXIST) || chmod(dir, 0755) != 0) {
		perror(dir);
		exit(99);
	}
	return dir;
}

void test_sandbox(const char *prefix, char *dir, size_t size)
{
	snprintf(dir, size, "%s/%s-XXXXXX", test_tmpdir(), prefix);
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0) {
		perror(dir);
		exit(99);
	}
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* No rm(1): a shell or rm started under the preloaded pam_wrapper would leave a /tmp/pam.X. */
void test_remove_tree(const char *dir)
{
	if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "could not remove %s: %s\n", dir, strerror(errno));
}

char *test_edit(const char *base, int line, const char *text, enum edit_mode mode)
{
	size_t cap = strlen(base) + (text ? strlen(text) : 0) + 2;
	char *out = calloc(1, cap), *o = out;
	const char *p = base;
	int n = 1;

	assert_non_null(out);
	while (*p != '\0' || n == line) {
		size_t len = *p ? strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n') : 0;

		if (n == line && mode != DELETE)
			o += snprintf(o, cap - (size_t)(o - out), "%s\n", text);
		if (n != line || mode == INSERT) {
			memcpy(o, p, len);
			o += len;
		}
		if (*p == '\0')
			break;
		p += len;
		n++;
	}
	return out;
}

void test_assert_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		if (c[i] != 0)
			fail_msg("byte %zu of %zu is 0x%02x, not zero", i, n, c[i]);
	}
}

char *test_slurp(const char *path)
{
	char *buf = calloc(1, 65536);
	FILE *f = fopen(path, "r");

	if (buf == NULL) {
		perror("calloc");
		exit(99);
	}
	if (f != NULL) {
		buf[fread(buf, 1, 65535, f)] = '\0';
		fclose(f);
	}
	return buf;
}

static enum sls_rc script_ask(void *ctx, const char *prompt, char **reply)
{
	struct script *s = ctx;
	const char *r = s->next < s->nreplies ? s->replies[s->next] : NULL;

	if (s->nprompts < SCRIPT_KEEP)
		snprintf(s->prompts[s->nprompts++], sizeof(s->prompts[0]), "%s", prompt);
	s->next++;
	*reply = NULL;
	if (r == NULL)
		return SLS_ERR_CONV;
	*reply = strdup(r);
	return *reply != NULL ? SLS_OK : SLS_ERR_NOMEM;
}

static void script_say(void *ctx, enum sls_say_kind kind, const char *text)
{
	struct script *s = ctx;

	(void)kind;
	if (s->nsaid < SCRIPT_KEEP)
		snprintf(s->said[s->nsaid++], sizeof(s->said[0]), "%s", text);
}

void script_ui(struct script *s, const char *const *replies, size_t n, struct sls_ui *ui)
{
	memset(s, 0, sizeof(*s));
	s->replies = replies;
	s->nreplies = n;
	ui->ask = script_ask;
	ui->say = script_say;
	ui->ctx = s;
}

bool script_said(const struct script *s, const char *needle)
{
	for (size_t i = 0; i < s->nsaid; i++)
		if (strstr(s->said[i], needle) != NULL)
			return true;
	return false;
}

/*
 * Time edges through the real module (issue 16), with libfaketime:
 * - the TOTP window is exactly one step either way: a code of step s is let
 *   in at the first and the last second of steps s-1, s and s+1, and refused
 *   at those of s-2 and s+2 (env_login_at, the clock stopped there);
 * - challenge_timeout, which the module measures with CLOCK_MONOTONIC: a
 *   login runs in a child under libfaketime with the monotonic clock faked
 *   too (FAKETIME_TIMESTAMP_FILE, read at every call), and the conversation
 *   moves both clocks on by just under, or just over, the timeout before it
 *   answers the challenge. Just under is let in; just over is refused with
 *   "The response has expired; start again.". No real sleeps.
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hard_env.h"

#define EXPIRED_MSG "The response has expired; start again."
#define EXPIRED_BIT 64 /* in a child's exit status: it was told EXPIRED_MSG */

/* ---- the TOTP window ------------------------------------------------------------ */

/* The current code of the test totp device and its step, read within one step. */
static uint64_t code_and_step(char *code, size_t size)
{
	for (;;) {
		uint64_t s = sls_totp_step(time(NULL), 30);

		env_totp_code(code, size);
		if (sls_totp_step(time(NULL), 30) == s)
			return s;
	}
}

/* A login of tom with code at the first (last = false) or last second of step. */
static int totp_login_at(uint64_t step, bool last, const char *code)
{
	char offset[32];

	env_user("tom", ENV_TOTP); /* no state: no used step, no failures */
	snprintf(offset, sizeof(offset), "=%llu",
		 (unsigned long long)(step * 30 + (last ? 29 : 0)));
	return env_login_at("sls", offset, "tom", code, NULL);
}

static void test_totp_window_edges(void **unused)
{
	char code[16];
	uint64_t s;

	(void)unused;
	env_user("tom", ENV_TOTP);
	s = code_and_step(code, sizeof(code));
	for (int k = -2; k <= 2; k++) {
		for (int last = 0; last <= 1; last++) {
			int rv = totp_login_at(s + (uint64_t)(int64_t)k, last, code);

			printf("# code of step s, clock at the %s second of step s%+d: %s\n",
			       last ? "last" : "first", k, pam_strerror(NULL, rv));
			if (k >= -1 && k <= 1)
				assert_int_equal(rv, PAM_SUCCESS);
			else
				assert_int_equal(rv, PAM_AUTH_ERR);
		}
	}
}

/* ---- challenge_timeout --------------------------------------------------------- */

struct edge_conv {
	const char *ts_file; /* libfaketime's FAKETIME_TIMESTAMP_FILE */
	const char *jump;    /* what it says once the challenge is shown ("+179.9") */
	bool expired;        /* told EXPIRED_MSG */
	bool asked;
};

/* Moves the faked clocks on by ec->jump, then answers the challenge right. */
static int edge_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct edge_conv *ec = data;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	char out[32];
	FILE *f;

	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_ERROR_MSG || msg[i]->msg_style == PAM_TEXT_INFO) {
			ec->expired |= strstr(msg[i]->msg, EXPIRED_MSG) != NULL;
			continue;
		}
		if (ec->asked || (f = fopen(ec->ts_file, "w")) == NULL) {
			free(r);
			return PAM_CONV_ERR;
		}
		ec->asked = true;
		fprintf(f, "%s\n", ec->jump);
		if (fclose(f) != 0) {
			free(r);
			return PAM_CONV_ERR;
		}
		hard_ocra_answer(msg[i]->msg, out, sizeof(out));
		r[i].resp = strdup(out);
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* In the child (libfaketime preloaded): one login of mia on service; exit with its code. */
static void edge_child(int argc, char **argv)
{
	struct edge_conv ec = {.ts_file = getenv("FAKETIME_TIMESTAMP_FILE")};
	struct pam_conv pc = {edge_conv, &ec};
	pam_handle_t *pamh = NULL;
	char confdir[PATH_MAX + 8];
	int rv;

	if (argc != 4 || strcmp(argv[1], "--edge-child") != 0)
		return;
	ec.jump = argv[3];
	snprintf(confdir, sizeof(confdir), "%s/svc", env_dir());
	rv = pam_start_confdir(argv[2], "mia", &pc, confdir, &pamh);
	if (rv != PAM_SUCCESS)
		_exit(99);
	rv = pam_authenticate(pamh, 0);
	pam_end(pamh, rv);
	_exit(rv | (ec.expired ? EXPIRED_BIT : 0));
}

/*
 * A login of mia on service whose clocks (CLOCK_REALTIME and
 * CLOCK_MONOTONIC) move on by jump while the challenge is shown: its PAM
 * code; *expired when it was told EXPIRED_MSG.
 */
static int login_jumping(const char *service, const char *jump, bool *expired)
{
	char ts[PATH_MAX + 16];
	int status = 0;
	pid_t pid;

	env_user("mia", ENV_IBKEY);
	env_write("faketime.ts", "+0\n", 0644);
	snprintf(ts, sizeof(ts), "%s/faketime.ts", env_dir());
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* libfaketime alone: no pam_wrapper, pam_start_confdir reads the services */
		setenv("LD_PRELOAD", FAKETIME_LIB, 1);
		setenv("FAKETIME_TIMESTAMP_FILE", ts, 1);
		setenv("FAKETIME_NO_CACHE", "1", 1);
		unsetenv("FAKETIME");
		unsetenv("FAKETIME_DONT_FAKE_MONOTONIC");
		setenv("SLS_TEST_CHILD", "mia", 1);
		execl(env_self(), "test", "--edge-child", service, jump, (char *)NULL);
		_exit(98);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	*expired = (WEXITSTATUS(status) & EXPIRED_BIT) != 0;
	return WEXITSTATUS(status) & ~EXPIRED_BIT;
}

static void check_timeout_edges(const char *service, const char *before, const char *after)
{
	bool expired = true;
	int rv;

	rv = login_jumping(service, "+0", &expired);
	printf("# %s, answered at once: %s\n", service, pam_strerror(NULL, rv));
	assert_int_equal(rv, PAM_SUCCESS);
	assert_false(expired);
	rv = login_jumping(service, before, &expired);
	printf("# %s, answered %s s later: %s%s\n", service, before, pam_strerror(NULL, rv),
	       expired ? " (expired)" : "");
	assert_int_equal(rv, PAM_SUCCESS);
	assert_false(expired);
	rv = login_jumping(service, after, &expired);
	printf("# %s, answered %s s later: %s%s\n", service, after, pam_strerror(NULL, rv),
	       expired ? " (expired)" : "");
	assert_int_equal(rv, PAM_AUTH_ERR);
	assert_true(expired);
}

/* sls.conf: challenge_timeout at its default, 180 s. */
static void test_challenge_timeout_default(void **unused)
{
	(void)unused;
	check_timeout_edges("sls", "+179.9", "+180.1");
}

/* short.conf: challenge_timeout = 1. */
static void test_challenge_timeout_short(void **unused)
{
	(void)unused;
	check_timeout_edges("sls-short", "+0.9", "+1.1");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_totp_window_edges),
	    cmocka_unit_test(test_challenge_timeout_default),
	    cmocka_unit_test(test_challenge_timeout_short),
	};

	env_init(argc, argv);
	env_child(argc, argv);
	edge_child(argc, argv);
	return cmocka_run_group_tests_name("time edges through pam_sls.so", tests, NULL, NULL);
}

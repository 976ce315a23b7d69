/* pam_sls - phone numbers (common/phone.c), sent codes (pending.c), the senders (sms.c). */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "sls.h"
#include "sls_phone.h"
#include "sls_sms.h"

/* ---- phone numbers ------------------------------------------------------------------- */

static void norm_ok(const char *in, const char *country, const char *want)
{
	char out[SLS_PHONE_MAX + 1];
	const char *why = NULL;

	if (sls_phone_normalize(in, country, out, sizeof(out), &why) != SLS_OK)
		fail_msg("%s: %s", in, why);
	assert_string_equal(out, want);
	assert_true(sls_phone_ok(out));
}

static void norm_bad(const char *in, const char *country, const char *reason)
{
	char out[SLS_PHONE_MAX + 1];
	const char *why = NULL;

	assert_int_not_equal(sls_phone_normalize(in, country, out, sizeof(out), &why), SLS_OK);
	assert_non_null(why);
	if (strstr(why, reason) == NULL)
		fail_msg("%s: %s (wanted %s)", in, why, reason);
}

static void test_phone_normalize(void **state)
{
	(void)state;
	norm_ok("+491721234567", NULL, "+491721234567");
	norm_ok("+49 172 123-4567", NULL, "+491721234567");
	norm_ok("172 1234567", "49", "+491721234567");
	norm_ok("+1 212-555-0100", NULL, "+12125550100");
	norm_ok("+39 06 1234 5678", NULL, "+390612345678"); /* Italy keeps its 0 */
	norm_ok("+44 7911 123456", "44", "+447911123456");
	norm_ok("+353 85 123 4567", NULL, "+353851234567");
}

static void test_phone_refused(void **state)
{
	(void)state;
	norm_bad("+49 172 abc 4567", NULL, "digits only");
	norm_bad("+49-172-1234567x", NULL, "digits only");
	norm_bad("+49 172 1234567 8901234", NULL, "digits");    /* too many */
	norm_bad("+4917212345678901", NULL, "6 to 15 digits");  /* 17 digits */
	norm_bad("+44 07911 123456", NULL, "trunk prefix");     /* the issue's case */
	norm_bad("07911 123456", "44", "trunk prefix");         /* national form */
	norm_bad("01721234567", NULL, "country code");          /* no country */
	norm_bad("+0172123456", NULL, "country calling code");  /* no such code */
	norm_bad("+1 212 555 0100", "44", "not the one given"); /* two countries */
	norm_bad("1721234567", "4a", "1 to 3 digits");          /* a bad --country */
	norm_bad("", NULL, "digits only");
	norm_bad("++491721234567", NULL, "digits only");
	norm_bad("+49 172 1234\n567", NULL, "digits only");
	assert_false(sls_phone_ok("491721234567"));
	assert_false(sls_phone_ok("+49 1721234567"));
	assert_true(sls_phone_ok("")); /* none */
}

static void test_phone_mask(void **state)
{
	char out[32];

	(void)state;
	sls_phone_mask("+491721234567", out, sizeof(out));
	assert_string_equal(out, "******4567");
	sls_phone_mask("+12125550100", out, sizeof(out));
	assert_string_equal(out, "******0100");
}

/* ---- codes kept as salted hashes ------------------------------------------------------- */

static void test_pending_code(void **state)
{
	struct sls_pending_code p = {0}, q = {0};
	char code[8], other[8];
	uint8_t zero[SLS_CODE_HASH_LEN] = {0};

	(void)state;
	assert_int_equal(sls_pending_new(&p, code, sizeof(code), 1000, 300), SLS_OK);
	assert_int_equal(strlen(code), 6);
	assert_int_equal(strspn(code, "0123456789"), 6);
	assert_true(p.pending);
	assert_int_equal(p.sent, 1000);
	assert_int_equal(p.expires, 1300);
	assert_memory_not_equal(p.hash, zero, sizeof(zero));
	assert_int_equal(sls_pending_check(&p, code, 1299), SLS_OK);
	/* a right code after its validity is told apart, so the user can be told */
	assert_int_equal(sls_pending_check(&p, code, 1300), SLS_ERR_GONE);
	snprintf(other, sizeof(other), "%06d", (atoi(code) + 1) % 1000000);
	assert_int_equal(sls_pending_check(&p, other, 1001), SLS_ERR_MISMATCH);
	assert_int_equal(sls_pending_check(&p, "12a456", 1001), SLS_ERR_MISMATCH);
	assert_int_equal(sls_pending_check(&p, "", 1001), SLS_ERR_MISMATCH);
	/* the same code under another salt hashes differently */
	assert_int_equal(sls_pending_new(&q, other, sizeof(other), 1000, 300), SLS_OK);
	assert_memory_not_equal(p.salt, q.salt, sizeof(p.salt));
	/* dropped: nothing checks, the time it was sent stays for the rate limit */
	sls_pending_drop(&p);
	assert_false(p.pending);
	assert_int_equal(p.sent, 1000);
	assert_int_equal(sls_pending_check(&p, code, 1001), SLS_ERR_MISMATCH);
}

/* Six uniform digits: every digit in every place, about equally often. */
static void test_pending_codes_uniform(void **state)
{
	struct sls_pending_code p = {0};
	unsigned count[6][10] = {{0}};
	char code[8];

	(void)state;
	for (int i = 0; i < 6000; i++) {
		assert_int_equal(sls_pending_new(&p, code, sizeof(code), 1, 1), SLS_OK);
		for (int k = 0; k < 6; k++)
			count[k][code[k] - '0']++;
	}
	for (int k = 0; k < 6; k++)
		for (int d = 0; d < 10; d++)
			assert_in_range(count[k][d], 450, 750); /* mean 600, sd ~23 */
}

/* ---- the senders ------------------------------------------------------------------------ */

struct fx {
	char dir[256]; /* the senders' paths fit sls.conf's */
	struct sls_config conf;
};

static void write_script(struct fx *fx, const char *name, const char *body, mode_t mode)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	test_sandbox("sls-sms", fx->dir, sizeof(fx->dir));
	sls_config_defaults(&fx->conf);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	test_remove_tree(fx->dir);
	free(fx);
	return 0;
}

static enum sls_rc send_with(struct fx *fx, const char *script, struct sls_sms_result *res)
{
	snprintf(fx->conf.sms_command, sizeof(fx->conf.sms_command), "%s/%s", fx->dir, script);
	return sls_sms_send(&fx->conf, SLS_SMS_TEXT, "+491721234567", "the text\nline two", res);
}

/* argv [command, NUMBER], the text on stdin, a fixed environment, no other descriptor. */
static void test_command_contract(void **state)
{
	struct fx *fx = *state;
	struct sls_sms_result res;
	char body[PATH_MAX * 2], path[PATH_MAX + 16], *got;

	snprintf(path, sizeof(path), "%s/got", fx->dir);
	snprintf(body, sizeof(body),
		 "{ echo \"argc=$# 0=$0 1=$1\"; echo \"--\"; cat; echo; echo \"--\"; env | sort;"
		 " ls /proc/self/fd | tr '\\n' ' '; echo; } > '%s'\necho 'queued as 42 for "
		 "+491721234567'\n",
		 path);
	write_script(fx, "ok", body, 0755);
	setenv("SLS_SECRET_TEST", "leak", 1);
	assert_int_equal(send_with(fx, "ok", &res), SLS_OK);
	unsetenv("SLS_SECRET_TEST");
	assert_int_equal(res.status, 0);
	assert_false(res.timed_out);
	/* the first line, with runs of digits masked */
	assert_string_equal(res.output, "queued as 42 for +############");
	got = test_slurp(path);
	assert_non_null(strstr(got, "argc=1 "));
	assert_non_null(strstr(got, "/ok 1=+491721234567\n--\nthe text\nline two\n--\n"));
	assert_null(strstr(got, "SLS_SECRET_TEST"));
	assert_non_null(strstr(got, "PATH=/usr/local/bin:/usr/bin:/bin\n"));
	/* ls sees 0, 1, 2 and its own directory's fd */
	assert_non_null(strstr(got, "0 1 2 3 \n"));
	free(got);
}

static void test_command_failures(void **state)
{
	struct fx *fx = *state;
	struct sls_sms_result res;
	struct timespec t0, t1;

	write_script(fx, "fail", "echo 'no credit'; echo 'second line'; exit 4\n", 0755);
	assert_int_equal(send_with(fx, "fail", &res), SLS_ERR_SENDER);
	assert_int_equal(res.status, 4);
	assert_string_equal(res.output, "no credit");

	write_script(fx, "noexec", "exit 0\n", 0644);
	assert_int_equal(send_with(fx, "noexec", &res), SLS_ERR_SENDER);
	assert_non_null(strstr(res.output, "not executable"));

	write_script(fx, "open", "exit 0\n", 0777);
	assert_int_equal(send_with(fx, "open", &res), SLS_ERR_SENDER);
	assert_non_null(strstr(res.output, "only root may change"));

	assert_int_equal(send_with(fx, "missing", &res), SLS_ERR_SENDER);
	assert_non_null(strstr(res.output, "No such file"));

	/* a symlink to a good program is refused too: the path must name the file itself */
	{
		char link[PATH_MAX + 16], target[PATH_MAX + 16];

		write_script(fx, "real", "exit 0\n", 0755);
		snprintf(target, sizeof(target), "%s/real", fx->dir);
		snprintf(link, sizeof(link), "%s/link", fx->dir);
		assert_int_equal(symlink(target, link), 0);
		assert_int_equal(send_with(fx, "real", &res), SLS_OK);
		assert_int_equal(send_with(fx, "link", &res), SLS_ERR_SENDER);
	}

	/* a sender that hangs, and its child too: killed, as a group, at the timeout */
	write_script(fx, "hang", "sleep 30 & sleep 30\n", 0755);
	fx->conf.sms_timeout = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(send_with(fx, "hang", &res), SLS_ERR_SENDER);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(res.timed_out);
	assert_true(t1.tv_sec - t0.tv_sec < 2 ||
		    (t1.tv_sec - t0.tv_sec == 2 && t1.tv_nsec < t0.tv_nsec));
}

/* The host ignoring SIGPIPE and SIGCHLD, or blocking signals, changes nothing for the sender. */
static void test_command_host_signals(void **state)
{
	struct fx *fx = *state;
	struct sls_sms_result res;
	sigset_t all, old;

	write_script(fx, "ok", "cat >/dev/null; echo sent\n", 0755);
	signal(SIGPIPE, SIG_IGN);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	assert_int_equal(send_with(fx, "ok", &res), SLS_OK);
	assert_string_equal(res.output, "sent");
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGPIPE, SIG_DFL);
}

/* pid is gone, or a zombie (killed, waiting for init to reap it). */
static bool dead(int pid)
{
	char path[64], *stat;
	bool gone = false;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int i = 0; i < 50 && !gone; i++) {
		stat = test_slurp(path);
		gone = stat[0] == '\0' || strstr(stat, ") Z ") != NULL;
		free(stat);
		if (!gone)
			usleep(20000);
	}
	return gone;
}

/* A sender that leaves a process running: the send ends when it exits, and the leftover is killed.
 */
static void test_command_leftovers_killed(void **state)
{
	struct fx *fx = *state;
	struct sls_sms_result res;
	struct timespec t0, t1;
	char body[PATH_MAX + 128], pidfile[PATH_MAX], *pid;

	snprintf(pidfile, sizeof(pidfile), "%s/bg.pid", fx->dir);
	snprintf(body, sizeof(body), "cat >/dev/null; sleep 30 & echo $! > '%s'; echo queued\n",
		 pidfile);
	write_script(fx, "bg", body, 0755);
	fx->conf.sms_timeout = 5;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(send_with(fx, "bg", &res), SLS_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	assert_string_equal(res.output, "queued");
	pid = test_slurp(pidfile);
	assert_true(atoi(pid) > 0);
	assert_true(dead(atoi(pid))); /* killed with its group */
	free(pid);
}

/* One that escaped its group (setsid) and holds the pipe: not waited for, and no busy loop. */
static void test_command_escaped_child(void **state)
{
	struct fx *fx = *state;
	struct sls_sms_result res;
	struct timespec t0, t1;
	clock_t cpu0 = clock();

	write_script(fx, "esc", "cat >/dev/null; printf partial; setsid -f sleep 3\n", 0755);
	fx->conf.sms_timeout = 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(send_with(fx, "esc", &res), SLS_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	assert_true(clock() - cpu0 < CLOCKS_PER_SEC / 2);
	assert_string_equal(res.output, "partial");
}

/* A host with stdin, stdout and stderr closed, SIGCHLD ignored or reaped by a handler. */
static void reap_all(int sig)
{
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void test_command_hostile_host(void **state)
{
	struct fx *fx = *state;
	struct sls_sms_result res;
	char body[PATH_MAX + 64], got[PATH_MAX], *text;
	int saved[3];

	snprintf(got, sizeof(got), "%s/stdin", fx->dir);
	snprintf(body, sizeof(body), "cat > '%s'; echo sent\n", got);
	write_script(fx, "ok", body, 0755);
	for (int i = 0; i < 3; i++)
		saved[i] = dup(i);
	close(0);
	close(1);
	close(2);
	signal(SIGCHLD, SIG_IGN);
	assert_int_equal(send_with(fx, "ok", &res), SLS_OK);
	signal(SIGCHLD, reap_all);
	assert_int_equal(send_with(fx, "ok", &res), SLS_OK);
	signal(SIGCHLD, SIG_DFL);
	for (int i = 0; i < 3; i++) {
		dup2(saved[i], i);
		close(saved[i]);
	}
	assert_string_equal(res.output, "sent");
	text = test_slurp(got);
	assert_string_equal(text, "the text\nline two");
	free(text);
}

/* No number and no code in what is kept of a sender's output, spaced out or not. */
static void test_output_masked(void **state)
{
	static const char *const cases[][2] = {
	    {"Your login code is 1 2 3 4 5 6. Again: 1 2 3 4 5 6.",
	     "Your login code is # # # # # #. Again: # # # # # #."},
	    {"sent to +49 172 1234567 (id 42)", "sent to +## ### ####### (id 42)"},
	    {"HTTP 503 at 2026-11-30", "HTTP 503 at ####-##-##"},
	    {"code 123456\nsecond line 999999", "code ######"},
	    {"12 34", "## ##"},
	    {"12 3 x 45", "12 3 x 45"},
	    {"1 2 3", "1 2 3"},
	    {"tab\there", "tab?here"},
	};
	struct fx *fx = *state;
	struct sls_sms_result res;
	char body[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "cat >/dev/null; printf '%%s' '%s'\n", cases[i][0]);
		write_script(fx, "echo", body, 0755);
		assert_int_equal(send_with(fx, "echo", &res), SLS_OK);
		assert_string_equal(res.output, cases[i][1]);
	}
}

static void test_voice_channel(void **state)
{
	struct fx *fx = *state;
	struct sls_sms_result res;
	char path[PATH_MAX + 16], body[PATH_MAX + 64], *got;

	assert_false(sls_sms_can(&fx->conf, SLS_SMS_VOICE));
	assert_int_equal(sls_sms_send(&fx->conf, SLS_SMS_VOICE, "+491721234567", "x", &res),
			 SLS_ERR_SENDER);
	assert_non_null(strstr(res.output, "no voice sender"));
	snprintf(path, sizeof(path), "%s/called", fx->dir);
	snprintf(body, sizeof(body), "echo \"$1\" > '%s'\n", path);
	write_script(fx, "call", body, 0755);
	snprintf(fx->conf.voice_command, sizeof(fx->conf.voice_command), "%s/call", fx->dir);
	assert_true(sls_sms_can(&fx->conf, SLS_SMS_VOICE));
	assert_false(sls_sms_can(&fx->conf, SLS_SMS_TEXT));
	assert_int_equal(sls_sms_send(&fx->conf, SLS_SMS_VOICE, "+491721234567", "x", &res),
			 SLS_OK);
	got = test_slurp(path);
	assert_string_equal(got, "+491721234567\n");
	free(got);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* The smstools file, byte for byte, renamed into the spool under a unique name. */
static void test_spool(void **state)
{
	struct fx *fx = *state;
	struct sls_sms_result res;
	char spool[PATH_MAX + 16], path[PATH_MAX + 128];
	struct dirent *e;
	struct stat st;
	DIR *d;
	char *got;

	snprintf(spool, sizeof(spool), "%s/outgoing", fx->dir);
	snprintf(fx->conf.sms_spool, sizeof(fx->conf.sms_spool), "%s/outgoing", fx->dir);
	/* missing: an error, nothing left behind */
	assert_int_equal(sls_sms_send(&fx->conf, SLS_SMS_TEXT, "+491721234567", "x", &res),
			 SLS_ERR_SENDER);
	assert_non_null(strstr(res.output, "No such file"));
	assert_int_equal(count_entries(fx->dir), 0);
	assert_int_equal(mkdir(spool, 0755), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(sls_sms_send(&fx->conf, SLS_SMS_TEXT, "+491721234567",
					      "Your login code is 123456.", &res),
				 SLS_OK);
	assert_int_equal(count_entries(spool), 3);
	assert_int_equal(count_entries(fx->dir), 1); /* no temp file beside it */
	d = opendir(spool);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%.100s", spool, e->d_name);
		got = test_slurp(path);
		assert_string_equal(
		    got, "To: 491721234567\nAlphabet: UTF-8\n\nYour login code is 123456.");
		free(got);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0660);
	}
	closedir(d);
	/* with a trailing slash the file is still written beside the spool, not in it */
	snprintf(fx->conf.sms_spool, sizeof(fx->conf.sms_spool), "%s/outgoing/", fx->dir);
	assert_int_equal(sls_sms_send(&fx->conf, SLS_SMS_TEXT, "+491721234567", "x", &res), SLS_OK);
	assert_int_equal(count_entries(spool), 4);
	/* a spool the sender may not write to (a file in its place) */
	snprintf(fx->conf.sms_spool, sizeof(fx->conf.sms_spool), "%s/outgoing/notadir", fx->dir);
	snprintf(path, sizeof(path), "%s/notadir", spool);
	assert_int_equal(close(creat(path, 0600)), 0);
	assert_int_equal(sls_sms_send(&fx->conf, SLS_SMS_TEXT, "+491721234567", "x", &res),
			 SLS_ERR_SENDER);
}

static void test_number_format(void **state)
{
	struct fx *fx = *state;
	struct sls_sms_result res;

	write_script(fx, "ok", "exit 0\n", 0755);
	snprintf(fx->conf.sms_command, sizeof(fx->conf.sms_command), "%s/ok", fx->dir);
	/* only the stored form, "+" and digits, is ever passed on */
	assert_int_equal(sls_sms_send(&fx->conf, SLS_SMS_TEXT, "491721234567", "x", &res),
			 SLS_ERR_SENDER);
	assert_int_equal(sls_sms_send(&fx->conf, SLS_SMS_TEXT, "+49 172", "x", &res),
			 SLS_ERR_SENDER);
	assert_int_equal(sls_sms_send(&fx->conf, SLS_SMS_TEXT, "+491721234567", "x", &res), SLS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_phone_normalize),
	    cmocka_unit_test(test_phone_refused),
	    cmocka_unit_test(test_phone_mask),
	    cmocka_unit_test(test_pending_code),
	    cmocka_unit_test(test_pending_codes_uniform),
	    cmocka_unit_test_setup_teardown(test_command_contract, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_command_failures, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_command_host_signals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_command_leftovers_killed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_command_escaped_child, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_command_hostile_host, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_output_masked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_voice_channel, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_spool, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_number_format, setup, teardown),
	};

	return cmocka_run_group_tests_name("phones, codes and senders", tests, NULL, NULL);
}

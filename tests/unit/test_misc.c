/* Tests of error texts, secret helpers and journal logging. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "sls.h"

static void test_strerror_every_code(void **state)
{
	(void)state;
	for (int rc = 0; rc < SLS_ERR__COUNT; rc++) {
		const char *s = sls_strerror((enum sls_rc)rc);

		assert_non_null(s);
		assert_string_not_equal(s, "unknown error");
		for (int other = 0; other < rc; other++)
			assert_string_not_equal(s, sls_strerror((enum sls_rc)other));
	}
	assert_string_equal(sls_strerror(SLS_ERR__COUNT), "unknown error");
	assert_string_equal(sls_strerror((enum sls_rc) - 1), "unknown error");
}

static void test_diag_set(void **state)
{
	struct sls_diag d = {0};
	char longtext[400];

	(void)state;
	sls_diag_set(&d, 12, "bad key '%s'", "secret");
	assert_int_equal(d.line, 12);
	assert_string_equal(d.msg, "bad key 'secret'");
	memset(longtext, 'x', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	sls_diag_set(&d, 1, "%s", longtext);
	assert_int_equal(strlen(d.msg), sizeof(d.msg) - 1);
	sls_diag_set(NULL, 1, "ignored");
}

static void test_secure_equal(void **state)
{
	(void)state;
	assert_true(sls_secure_equal("abcdef", "abcdef", 6));
	assert_false(sls_secure_equal("abcdef", "abcdeg", 6));
	assert_false(sls_secure_equal("xbcdef", "abcdef", 6));
	assert_true(sls_secure_equal("a", "b", 0));
	assert_true(sls_secure_streq("12345678", "12345678"));
	assert_false(sls_secure_streq("12345678", "1234567"));
	assert_false(sls_secure_streq("1234567", "12345678"));
	assert_false(sls_secure_streq("12345678", "12345679"));
	assert_true(sls_secure_streq("", ""));
	assert_false(sls_secure_streq("", "0"));
}

static void test_wipe(void **state)
{
	unsigned char buf[32];
	char *s = strdup("secret");

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	sls_wipe(buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	sls_wipe(NULL, 4);
	sls_free_secret(NULL, 4);
	sls_free_secret_str(NULL);
	assert_non_null(s);
	sls_free_secret_str(s);
}

static void test_event_ids(void **state)
{
	(void)state;
	for (int ev = 0; ev < SLS_EV__COUNT; ev++) {
		const char *id = sls_event_message_id((enum sls_event)ev);

		assert_int_equal(strlen(id), 32);
		assert_int_equal(strspn(id, "0123456789abcdef"), 32);
		for (int other = 0; other < ev; other++) {
			assert_string_not_equal(id, sls_event_message_id((enum sls_event)other));
			assert_string_not_equal(sls_event_name((enum sls_event)ev),
						sls_event_name((enum sls_event)other));
		}
	}
}

/*
 * Journal tests run in a child with a private mount namespace and a tmpfs
 * on /run, so that the host's journal (if any) is neither used nor touched.
 */
static int enter_private_run(void)
{
	if (unshare(CLONE_NEWNS) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
		return -1;
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0)
		return -1;
	if (mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") != 0)
		return -1;
	return 0;
}

struct fallback_seen {
	int calls;
	int priority;
	char line[1024];
};

static void record_fallback(void *arg, int priority, const char *line)
{
	struct fallback_seen *seen = arg;

	seen->calls++;
	seen->priority = priority;
	snprintf(seen->line, sizeof(seen->line), "%s", line);
}

static int child_fallback(void)
{
	struct fallback_seen seen = {0};
	struct sls_log_ctx ctx = {.ident = "pam_sls",
				  .service = "sshd",
				  .user = "alice",
				  .rhost = "192.0.2.1",
				  .fallback = record_fallback,
				  .fallback_arg = &seen};
	struct sls_diag diag = {0};

	if (enter_private_run() != 0)
		return 10;
	sls_diag_set(&diag, 7, "unknown key '%s'", "colour");
	sls_log_event(&ctx, SLS_EV_FILE_ERROR, "laptop", "error", &diag, "corrupt enrolment file");
	if (seen.calls != 1 || seen.priority != LOG_ERR)
		return 11;
	if (strcmp(seen.line,
		   "corrupt enrolment file (line 7: unknown key 'colour'); "
		   "user=alice service=sshd rhost=192.0.2.1 tty=- device=laptop result=error") !=
	    0) {
		fprintf(stderr, "fallback line: %s\n", seen.line);
		return 12;
	}
	return 0;
}

static int bind_journal(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 5};
	int fd;

	if (mkdir("/run/systemd", 0755) != 0 || mkdir("/run/systemd/journal", 0755) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", "/run/systemd/journal/socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static const char *const expected_fields[] = {
    "MESSAGE=response accepted; user=bob service=sudo rhost=- tty=- device=phone "
    "result=success\n",
    "MESSAGE_ID=263acce1c3c64a04b4fa8ba00c002cd3\n",
    "PRIORITY=6\n",
    "SYSLOG_IDENTIFIER=pam_sls\n",
    "SLS_EVENT=success\n",
    "SLS_USER=bob\n",
    "SLS_SERVICE=sudo\n",
    "SLS_RHOST=-\n",
    "SLS_DEVICE=phone\n",
    "SLS_RESULT=success\n",
    "SLS_TTY=-\n",
    "SLS_ACTOR=-\n",
};

static int child_journal(void)
{
	struct fallback_seen seen = {0};
	struct sls_log_ctx ctx = {.ident = "pam_sls",
				  .service = "sudo",
				  .user = "bob",
				  .fallback = record_fallback,
				  .fallback_arg = &seen};
	char dgram[4096];
	ssize_t n;
	int fd;

	if (enter_private_run() != 0)
		return 10;
	fd = bind_journal();
	if (fd < 0)
		return 11;
	sls_log_event(&ctx, SLS_EV_SUCCESS, "phone", "success", NULL, "response accepted");
	n = recv(fd, dgram, sizeof(dgram) - 1, 0);
	if (n <= 0)
		return 12;
	dgram[n] = '\0';
	for (size_t i = 0; i < sizeof(expected_fields) / sizeof(expected_fields[0]); i++) {
		if (strstr(dgram, expected_fields[i]) == NULL) {
			fprintf(stderr, "missing %s in datagram:\n%s\n", expected_fields[i], dgram);
			return 13;
		}
	}
	return seen.calls == 0 ? 0 : 14;
}

/*
 * A value holding a newline (an rhost is whatever the client sent) goes in
 * the native protocol's binary form: KEY, newline, 64-bit little-endian
 * length, the value, newline; the fields after it still arrive.
 */
static int child_journal_binary(void)
{
	static const char rhost[] = "evil\nSLS_RESULT=success";
	struct fallback_seen seen = {0};
	struct sls_log_ctx ctx = {.ident = "pam_sls",
				  .service = "sshd",
				  .user = "bob",
				  .rhost = rhost,
				  .fallback = record_fallback,
				  .fallback_arg = &seen};
	char dgram[4096], want[64];
	size_t len = sizeof(rhost) - 1;
	ssize_t n;
	int fd;

	if (enter_private_run() != 0)
		return 10;
	fd = bind_journal();
	if (fd < 0)
		return 11;
	sls_log_event(&ctx, SLS_EV_FAILURE, "phone", "failure", NULL, "wrong response");
	n = recv(fd, dgram, sizeof(dgram), 0);
	if (n <= 0)
		return 12;
	memcpy(want, "SLS_RHOST\n", 10);
	for (int i = 0; i < 8; i++)
		want[10 + i] = (char)(i == 0 ? len : 0);
	memcpy(want + 18, rhost, len);
	want[18 + len] = '\n';
	if (memmem(dgram, (size_t)n, want, 19 + len) == NULL)
		return 13;
	/* the forged line is inside the value, never a field of its own */
	if (memmem(dgram, (size_t)n, "\nSLS_RESULT=failure\n", 20) == NULL)
		return 14;
	if (memmem(dgram, (size_t)n, "SLS_RHOST=", 10) != NULL)
		return 15;
	return seen.calls == 0 ? 0 : 16;
}

/* A journald that does not read: the entry goes to the fallback after a bounded wait. */
static int child_journal_full(void)
{
	struct fallback_seen seen = {0};
	struct sls_log_ctx ctx = {.ident = "pam_sls",
				  .service = "sudo",
				  .user = "bob",
				  .fallback = record_fallback,
				  .fallback_arg = &seen};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, tx, sent = 0;

	if (enter_private_run() != 0)
		return 10;
	fd = bind_journal();
	tx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || tx < 0)
		return 11;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", "/run/systemd/journal/socket");
	while (sendto(tx, "X=1\n", 4, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof(sa)) == 4)
		if (++sent > 100000)
			return 12;
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		return 13;
	sls_log_event(&ctx, SLS_EV_SUCCESS, "phone", "success", NULL, "response accepted");
	return seen.calls == 1 ? 0 : 14;
}

static void run_in_child(int (*fn)(void))
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_log_fallback_without_journal(void **state)
{
	(void)state;
	run_in_child(child_fallback);
}

static void test_log_to_journal_socket(void **state)
{
	(void)state;
	run_in_child(child_journal);
}

static void test_log_binary_field(void **state)
{
	(void)state;
	run_in_child(child_journal_binary);
}

static void test_log_journal_full(void **state)
{
	(void)state;
	run_in_child(child_journal_full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strerror_every_code),
	    cmocka_unit_test(test_diag_set),
	    cmocka_unit_test(test_secure_equal),
	    cmocka_unit_test(test_wipe),
	    cmocka_unit_test(test_event_ids),
	    cmocka_unit_test(test_log_fallback_without_journal),
	    cmocka_unit_test(test_log_to_journal_socket),
	    cmocka_unit_test(test_log_binary_field),
	    cmocka_unit_test(test_log_journal_full),
	};

	return cmocka_run_group_tests_name("common: errors, secrets, logging", tests, NULL, NULL);
}

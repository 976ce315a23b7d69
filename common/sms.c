/* pam_sls - sending a code to a phone (sls_sms.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sls_file.h"
#include "sls_phone.h"
#include "sls_random.h"
#include "sls_secret.h"
#include "sls_sms.h"

#define POLL_STEP_MS 20

/* ---- a program ------------------------------------------------------------------- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The child's side, between fork and execve: only async-signal-safe calls
 * (the host may be threaded). stdin is the message, stdout and stderr the
 * pipe; every other descriptor is closed; the signals the host may ignore
 * or block are given back their defaults; a process group of its own.
 */
static void __attribute__((noreturn)) child(int in, int out, char *const argv[], char *const envp[])
{
	static const int sigs[] = {SIGPIPE, SIGCHLD, SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGALRM};
	uid_t uid = geteuid();
	gid_t gid = getegid();
	struct sigaction dfl;
	sigset_t none;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* wholly the effective user (sudo, a setuid sls: the real one is the caller's), or
	 * a shell that drops privileges when they differ would run it as the caller */
	if ((uid == 0 && setgroups(0, NULL) != 0) || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0)
		_exit(126);
	if (setpgid(0, 0) != 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	close_range(3, ~0u, 0);
	execve(argv[0], argv, envp);
	_exit(127);
}

/* The message as a file for the child's stdin: no pipe, so no SIGPIPE for the host. */
static int message_fd(const char *text)
{
	int fd = memfd_create("sls-sms", MFD_CLOEXEC);
	size_t len = strlen(text), done = 0;

	while (fd >= 0 && done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	if (fd >= 0 && lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The first line of what the child printed, until it closes the pipe or the deadline. */
static void read_output(int fd, long long deadline, char *line, size_t size)
{
	char buf[256];
	size_t len = 0;

	line[0] = '\0';
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)(left > 1000 ? 1000 : left)) < 0)
			return;
		if (p.revents == 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (ssize_t i = 0; i < n && len + 1 < size && !memchr(line, '\n', len); i++)
			line[len++] = buf[i];
		line[len] = '\0';
	}
}

/* Wait for pid until the deadline; then kill its group. Its exit status, or -1. */
static int reap(pid_t pid, long long deadline, bool *timed_out)
{
	int status = 0;
	pid_t r;

	*timed_out = false;
	while ((r = waitpid(pid, &status, WNOHANG)) == 0 && now_ms() < deadline) {
		struct timespec step = {0, POLL_STEP_MS * 1000000L};

		nanosleep(&step, NULL);
	}
	if (r == 0) {
		*timed_out = true;
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
			;
	}
	/* ECHILD: the host reaped it first; its exit is unknown, so not a success */
	if (r != pid || *timed_out || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Printable ASCII up to the first line's end; runs of 4 or more digits become "####". */
static void clean_output(char *s)
{
	size_t digits = 0, i;

	s[strcspn(s, "\r\n")] = '\0';
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			s[i] = '?';
		digits = s[i] >= '0' && s[i] <= '9' ? digits + 1 : 0;
		if (digits == 4)
			memset(s + i - 3, '#', 4);
		else if (digits > 4)
			s[i] = '#';
	}
}

/*
 * A program run as root must be root's (or the euid's) and writable by
 * nobody else, and so must every directory on its path, as for the store:
 * whoever may change or replace it would run as root at the next login.
 * Nothing on the path may be a symlink, the program included.
 */
static bool program_safe(const char *program, struct sls_sms_result *res)
{
	const char *base = strrchr(program, '/');
	char dir[SLS_CONFIG_PATH_MAX];
	enum sls_rc rc = SLS_ERR_INVAL;
	struct stat st;
	int dfd = -1;

	if (base == NULL || program[0] != '/')
		goto unsafe;
	snprintf(dir, sizeof(dir), "%.*s", base == program ? 1 : (int)(base - program), program);
	rc = sls_dir_open(dir, 0, false, &dfd);
	if (rc == SLS_ERR_UNSAFE && geteuid() != 0)
		rc = sls_dir_open(dir, geteuid(), false, &dfd);
	if (rc != SLS_OK)
		goto unsafe;
	rc = fstatat(dfd, base + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 ? SLS_OK : SLS_ERR_IO;
	close(dfd);
	if (rc != SLS_OK) {
		snprintf(res->output, sizeof(res->output), "%.160s: %s", program, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		goto unsafe;
	if ((st.st_mode & S_IXUSR) == 0) {
		snprintf(res->output, sizeof(res->output), "%.160s: not executable", program);
		return false;
	}
	return true;
unsafe:
	snprintf(res->output, sizeof(res->output), "%.160s: %s", program,
		 rc == SLS_ERR_NOENT ? "its directory does not exist"
				     : "not a regular file of root's in directories of root's that "
				       "only root may change");
	return false;
}

static enum sls_rc run_program(const char *program, const char *number, const char *text,
			       unsigned timeout, struct sls_sms_result *res)
{
	/* execve takes char *const[]: writable copies, made before the fork */
	char prog[SLS_CONFIG_PATH_MAX], num[32], path[] = "PATH=/usr/local/bin:/usr/bin:/bin",
						 lang[] = "LANG=C.UTF-8";
	char *argv[] = {prog, num, NULL}, *envp[] = {path, lang, NULL};
	long long deadline = now_ms() + (long long)timeout * 1000;
	int in = message_fd(text), out[2] = {-1, -1};
	pid_t pid = -1;

	snprintf(prog, sizeof(prog), "%s", program);
	snprintf(num, sizeof(num), "%s", number);
	if (!program_safe(program, res)) {
		if (in >= 0)
			close(in);
		return SLS_ERR_SENDER;
	}
	if (in >= 0 && pipe2(out, O_CLOEXEC) == 0)
		pid = fork();
	if (pid == 0)
		child(in, out[1], argv, envp);
	if (out[1] >= 0)
		close(out[1]);
	if (in >= 0)
		close(in);
	if (pid > 0) {
		read_output(out[0], deadline, res->output, sizeof(res->output));
		res->status = reap(pid, deadline, &res->timed_out);
		clean_output(res->output);
	}
	if (out[0] >= 0)
		close(out[0]);
	return pid > 0 && res->status == 0 ? SLS_OK : SLS_ERR_SENDER;
}

/* ---- the spool ------------------------------------------------------------------- */

static void random_name(const char *prefix, char *out, size_t size)
{
	uint8_t r[8] = {0};

	(void)sls_random_bytes(r, sizeof(r));
	snprintf(out, size, "%s%02x%02x%02x%02x%02x%02x%02x%02x", prefix, r[0], r[1], r[2], r[3],
		 r[4], r[5], r[6], r[7]);
}

/* The smstools file: "To: " the number without "+", the alphabet, a blank line, the text. */
static enum sls_rc write_message(int fd, gid_t group, const char *number, const char *text)
{
	char head[64];
	int n = snprintf(head, sizeof(head), "To: %s\nAlphabet: UTF-8\n\n", number + 1);
	size_t tlen = strlen(text);

	if (n <= 0 || write(fd, head, (size_t)n) != n || write(fd, text, tlen) != (ssize_t)tlen)
		return SLS_ERR_SENDER;
	/* smsd reads it as a member of the spool's group; root may give it that group */
	if (geteuid() == 0 && fchown(fd, (uid_t)-1, group) != 0)
		return SLS_ERR_SENDER;
	return fchmod(fd, 0660) == 0 && fsync(fd) == 0 ? SLS_OK : SLS_ERR_SENDER;
}

/* Open the spool and the directory above it, where the file is written first. */
static enum sls_rc open_spool(const char *spool, int *outfd, int *tmpfd, struct stat *st)
{
	char parent[SLS_CONFIG_PATH_MAX];
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

	snprintf(parent, sizeof(parent), "%s", spool);
	*strrchr(parent, '/') = '\0';
	*outfd = open(spool, flags);
	*tmpfd = open(parent[0] != '\0' ? parent : "/", flags);
	if (*outfd < 0 || *tmpfd < 0 || fstat(*outfd, st) != 0)
		return SLS_ERR_SENDER;
	return SLS_OK;
}

static enum sls_rc spool_message(const char *spool, const char *number, const char *text,
				 struct sls_sms_result *res)
{
	char tmp[64], name[64];
	int outfd = -1, tmpfd = -1, fd = -1;
	struct stat st;
	enum sls_rc rc = open_spool(spool, &outfd, &tmpfd, &st);

	random_name(".sls-sms-", tmp, sizeof(tmp));
	random_name("sls_", name, sizeof(name));
	if (rc == SLS_OK)
		fd = openat(tmpfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	rc = fd < 0 ? SLS_ERR_SENDER : write_message(fd, st.st_gid, number, text);
	if (fd >= 0 && close(fd) != 0)
		rc = SLS_ERR_SENDER;
	if (rc == SLS_OK &&
	    (renameat2(tmpfd, tmp, outfd, name, RENAME_NOREPLACE) != 0 || fsync(outfd) != 0))
		rc = SLS_ERR_SENDER;
	if (rc != SLS_OK)
		snprintf(res->output, sizeof(res->output), "spool %.160s: %s", spool,
			 strerror(errno));
	if (fd >= 0 && rc != SLS_OK)
		unlinkat(tmpfd, tmp, 0);
	if (outfd >= 0)
		close(outfd);
	if (tmpfd >= 0)
		close(tmpfd);
	return rc;
}

/* ---- the choice ------------------------------------------------------------------- */

bool sls_sms_can(const struct sls_config *conf, enum sls_sms_channel ch)
{
	if (ch == SLS_SMS_VOICE)
		return conf->voice_command[0] != '\0';
	return conf->sms_command[0] != '\0' || conf->sms_spool[0] != '\0';
}

enum sls_rc sls_sms_send(const struct sls_config *conf, enum sls_sms_channel ch, const char *number,
			 const char *text, struct sls_sms_result *res)
{
	memset(res, 0, sizeof(*res));
	res->status = -1;
	if (number[0] == '\0' || !sls_phone_ok(number)) {
		snprintf(res->output, sizeof(res->output), "not a phone number in its stored form");
		return SLS_ERR_SENDER;
	}
	if (!sls_sms_can(conf, ch)) {
		snprintf(res->output, sizeof(res->output), "no %s sender is set in sls.conf",
			 ch == SLS_SMS_VOICE ? "voice" : "SMS");
		return SLS_ERR_SENDER;
	}
	if (ch == SLS_SMS_VOICE)
		return run_program(conf->voice_command, number, text, conf->sms_timeout, res);
	if (conf->sms_command[0] != '\0')
		return run_program(conf->sms_command, number, text, conf->sms_timeout, res);
	res->status = 0;
	return spool_message(conf->sms_spool, number, text, res);
}

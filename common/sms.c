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

#include "sls_clock.h"
#include "sls_file.h"
#include "sls_phone.h"
#include "sls_random.h"
#include "sls_secret.h"
#include "sls_sms.h"

#define POLL_STEP_MS 20

/* ---- a program ------------------------------------------------------------------- */

/*
 * The child's side, between fork and execve: only async-signal-safe calls
 * (the host may be threaded). It becomes wholly the effective user (under
 * sudo or a setuid sls the real one is the caller's, and a shell that sees
 * them differ drops privileges), in a process group of its own, with every
 * signal at its default and none blocked (a caller may have set them), umask
 * 077, in "/", stdin the message, stdout and stderr the pipe, and no other
 * descriptor.
 */
static void __attribute__((noreturn)) child(int in, int out, char *const argv[], char *const envp[])
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	struct sigaction dfl;
	sigset_t none;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &dfl, NULL); /* SIGKILL, SIGSTOP and glibc's own refuse */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((uid == 0 && setgroups(0, NULL) != 0) || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0)
		_exit(126);
	umask(077);
	if (chdir("/") != 0 || setpgid(0, 0) != 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(out, 2) < 0 || close_range(3, ~0u, 0) != 0)
		_exit(127);
	execve(argv[0], argv, envp);
	_exit(127);
}

/*
 * fd moved above 2: the host may have closed stdin, stdout or stderr, and
 * a dup2 onto itself in the child would leave it close-on-exec.
 */
static int above_stdio(int fd)
{
	int moved;

	if (fd < 0 || fd > 2)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return moved;
}

/* The message as a file for the child's stdin: no pipe, so no SIGPIPE for the host. */
static int message_fd(const char *text)
{
	int fd = above_stdio(memfd_create("sls-sms", MFD_CLOEXEC));

	if (fd >= 0 &&
	    (sls_write_full(fd, text, strlen(text)) != SLS_OK || lseek(fd, 0, SEEK_SET) != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

enum pipe_read { PIPE_DATA, PIPE_NOTHING, PIPE_END };

/* What is in the pipe (waiting up to ms), appended to the first line. */
static enum pipe_read read_some(int fd, int ms, char *line, size_t size, size_t *len)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[256];
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return PIPE_NOTHING; /* nothing yet (or EINTR: the loop comes back) */
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? PIPE_NOTHING : PIPE_END;
	for (ssize_t i = 0; i < n && *len + 1 < size && !memchr(line, '\n', *len); i++)
		line[(*len)++] = buf[i];
	line[*len] = '\0';
	return n > 0 ? PIPE_DATA : PIPE_END;
}

/*
 * Watch the sender until it exits or the deadline, reading its output.
 * Then its whole process group is killed while the sender is still a
 * zombie (so its pid, the group's id, cannot have been given to another
 * process): whatever it left running goes too, and the login does not wait
 * for it. Then it is reaped: its exit status, or -1.
 */
static int watch(pid_t pid, int fd, long long deadline, struct sls_sms_result *res)
{
	struct timespec step = {0, POLL_STEP_MS * 1000000L};
	size_t len = 0;
	bool open = true;
	siginfo_t si;
	int status = 0;
	pid_t r;

	res->output[0] = '\0';
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0 ||
		    si.si_pid == pid)
			break;
		if (sls_now_ms() >= deadline) {
			res->timed_out = true;
			break;
		}
		if (open)
			open = read_some(fd, POLL_STEP_MS, res->output, sizeof(res->output),
					 &len) != PIPE_END;
		else
			nanosleep(&step, NULL);
	}
	kill(-pid, SIGKILL);
	/* what it wrote just before it exited; not a wait for whoever still holds the pipe */
	while (open && read_some(fd, 0, res->output, sizeof(res->output), &len) == PIPE_DATA)
		;
	while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (r != pid || res->timed_out || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Where a host reaps its children in a SIGCHLD handler, or ignores SIGCHLD
 * (its children are then reaped by the kernel), the sender's exit status
 * would be lost: SIGCHLD is at its default while the sender runs, as
 * pam_exec does.
 */
static void sigchld_default(struct sigaction *saved)
{
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &dfl, saved);
}

/*
 * Printable ASCII up to the first line's end, and no number in it: a run
 * of 4 or more digits, also one spaced out ("1 2 3 4 5 6", "+49 172 ...",
 * with single spaces, dashes, dots or slashes between), becomes '#'s. A
 * sender may echo the number or the code it was given.
 */
static void clean_output(char *s)
{
	size_t i, start = 0, digits = 0;

	s[strcspn(s, "\r\n")] = '\0';
	for (i = 0;; i++) {
		bool digit = s[i] >= '0' && s[i] <= '9';
		bool sep = strchr(" -./", s[i]) != NULL && s[i] != '\0' && i > 0 &&
			   s[i - 1] >= '0' && s[i - 1] <= '9' && s[i + 1] >= '0' && s[i + 1] <= '9';

		if (digit && digits++ == 0)
			start = i;
		if (!digit && !sep) {
			for (size_t k = start; digits >= 4 && k < i; k++)
				if (s[k] >= '0' && s[k] <= '9')
					s[k] = '#';
			digits = 0;
		}
		if (s[i] == '\0')
			break;
		if (s[i] < 0x20 || s[i] > 0x7e)
			s[i] = '?';
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
	long long deadline = sls_now_ms() + (long long)timeout * 1000;
	int in = -1, out[2] = {-1, -1};
	struct sigaction saved;
	pid_t pid = -1;

	snprintf(prog, sizeof(prog), "%s", program);
	snprintf(num, sizeof(num), "%s", number);
	if (!program_safe(program, res))
		return SLS_ERR_SENDER;
	in = message_fd(text);
	if (in >= 0 && pipe2(out, O_CLOEXEC) == 0) {
		out[0] = above_stdio(out[0]);
		out[1] = above_stdio(out[1]);
	}
	sigchld_default(&saved);
	if (in >= 0 && out[0] >= 0 && out[1] >= 0)
		pid = fork();
	if (pid == 0)
		child(in, out[1], argv, envp);
	if (out[1] >= 0)
		close(out[1]);
	if (in >= 0)
		close(in);
	if (pid > 0) {
		res->status = watch(pid, out[0], deadline, res);
		clean_output(res->output);
	} else {
		snprintf(res->output, sizeof(res->output), "cannot start it: %s", strerror(errno));
	}
	sigaction(SIGCHLD, &saved, NULL);
	if (out[0] >= 0)
		close(out[0]);
	return pid > 0 && res->status == 0 ? SLS_OK : SLS_ERR_SENDER;
}

/* ---- the spool ------------------------------------------------------------------- */

static enum sls_rc random_name(const char *prefix, char *out, size_t size)
{
	uint8_t r[8];

	if (sls_random_bytes(r, sizeof(r)) != SLS_OK)
		return SLS_ERR_SENDER;
	snprintf(out, size, "%s%02x%02x%02x%02x%02x%02x%02x%02x", prefix, r[0], r[1], r[2], r[3],
		 r[4], r[5], r[6], r[7]);
	return SLS_OK;
}

/* The smstools file: "To: " the number without "+", the alphabet, a blank line, the text. */
static enum sls_rc write_message(int fd, gid_t group, const char *number, const char *text)
{
	char head[64];
	int n = snprintf(head, sizeof(head), "To: %s\nAlphabet: UTF-8\n\n", number + 1);

	if (n <= 0 || sls_write_full(fd, head, (size_t)n) != SLS_OK ||
	    sls_write_full(fd, text, strlen(text)) != SLS_OK)
		return SLS_ERR_SENDER;
	/* smsd reads it as a member of the spool's group; root may give it that group */
	if (geteuid() == 0 && fchown(fd, (uid_t)-1, group) != 0)
		return SLS_ERR_SENDER;
	return fchmod(fd, 0660) == 0 && fsync(fd) == 0 ? SLS_OK : SLS_ERR_SENDER;
}

/*
 * Open the spool and the directory above it, where the file is written
 * first: the same file system (a rename cannot cross one), and never the
 * spool itself, where smsd would take a half-written file.
 */
static enum sls_rc open_spool(const char *spool, int *outfd, int *tmpfd, struct stat *st,
			      struct sls_sms_result *res)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	char parent[SLS_CONFIG_PATH_MAX];
	size_t len;
	struct stat pst;

	snprintf(parent, sizeof(parent), "%s", spool);
	for (len = strlen(parent); len > 1 && parent[len - 1] == '/'; len--)
		parent[len - 1] = '\0'; /* "/var/spool/sms/outgoing/" */
	*strrchr(parent, '/') = '\0';
	*outfd = open(spool, flags);
	*tmpfd = open(parent[0] != '\0' ? parent : "/", flags);
	if (*outfd < 0 || *tmpfd < 0 || fstat(*outfd, st) != 0 || fstat(*tmpfd, &pst) != 0) {
		snprintf(res->output, sizeof(res->output), "spool %.160s: %s", spool,
			 strerror(errno));
		return SLS_ERR_SENDER;
	}
	if (st->st_dev != pst.st_dev) {
		snprintf(res->output, sizeof(res->output),
			 "spool %.160s: the directory above it is on another file system", spool);
		return SLS_ERR_SENDER;
	}
	return SLS_OK;
}

/*
 * Write the file beside the spool, then rename it in: once the rename is
 * done the message is smsd's (a failing fsync of the spool after it does
 * not make it unsent).
 */
static enum sls_rc spool_message(const char *spool, const char *number, const char *text,
				 struct sls_sms_result *res)
{
	char tmp[64], name[64];
	int outfd = -1, tmpfd = -1, fd = -1;
	struct stat st;
	enum sls_rc rc = open_spool(spool, &outfd, &tmpfd, &st, res);

	if (rc == SLS_OK && (random_name(".sls-sms-", tmp, sizeof(tmp)) != SLS_OK ||
			     random_name("sls_", name, sizeof(name)) != SLS_OK))
		rc = SLS_ERR_SENDER;
	if (rc == SLS_OK &&
	    (fd = openat(tmpfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) <
		0)
		rc = SLS_ERR_SENDER;
	if (rc == SLS_OK)
		rc = write_message(fd, st.st_gid, number, text);
	if (fd >= 0 && close(fd) != 0)
		rc = SLS_ERR_SENDER;
	if (rc == SLS_OK && renameat2(tmpfd, tmp, outfd, name, RENAME_NOREPLACE) != 0)
		rc = SLS_ERR_SENDER;
	if (rc != SLS_OK && res->output[0] == '\0')
		snprintf(res->output, sizeof(res->output), "spool %.160s: %s", spool,
			 strerror(errno));
	if (rc == SLS_OK)
		(void)fsync(outfd);
	else if (fd >= 0)
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

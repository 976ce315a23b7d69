/* sls-authenticator - run the sls-qrdecode helper and collect its output. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "qrrun.h"
#include "sls_i18n.h"
#include "sls_secret.h"

#define QRTEXT_MAX 4096 /* a QR code holds at most 2953 bytes */

/* The helper beside our own executable (build tree), else the installed one. */
static void helper_path(char *buf, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(buf, size, "%s/sls-qrdecode", self);
			if (access(buf, X_OK) == 0)
				return;
		}
	}
	snprintf(buf, size, "%s/sls-qrdecode", LIBEXECDIR);
}

/* Read all of fd into buf (size bytes, NUL added); -1 when it does not fit. */
static int read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size - 1)
			return -1;
	}
	buf[len] = '\0';
	return 0;
}

int qrrun_decode(const char *path, char **text)
{
	char helper[PATH_MAX + 32], buf[QRTEXT_MAX];
	int fds[2], status = 0, r = -1;
	pid_t pid;

	*text = NULL;
	helper_path(helper, sizeof(helper));
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char *arg = strdup(path); /* execv wants non-const strings */
		char *const argv[] = {helper, arg, NULL};
		int e;

		if (arg == NULL || dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		execv(helper, argv);
		e = errno;
		fputs("sls-authenticator: ", stderr);
		/* TRANSLATORS: %s is the helper program's path, then why it did not start. */
		fprintf(stderr, _("cannot run %s: %s\n"), helper, strerror(e));
		_exit(127);
	}
	close(fds[1]);
	if (pid > 0) {
		r = read_all(fds[0], buf, sizeof(buf));
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(fds[0]);
	if (pid > 0 && r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		*text = strdup(buf);
		r = *text != NULL ? 0 : -1;
	} else {
		r = -1;
	}
	sls_wipe(buf, sizeof(buf));
	return r;
}

/* pam_sls - reading a PIN without echo (the CLIs; never the module). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sls_tty.h"
#include "sls_secret.h"

/* Byte by byte, so that nothing after the newline is consumed from a shared fd. */
static int read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;
	char c;

	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0 || c == '\n')
			break;
		if (len + 1 >= size) {
			errno = EMSGSIZE;
			return -1;
		}
		buf[len++] = c;
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	return 0;
}

static int read_tty(const char *prompt, char *pin, size_t size)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	int r = -1, saved;

	if (fd < 0) {
		errno = ENOTTY;
		return -1;
	}
	if (tcgetattr(fd, &old) != 0)
		goto out;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
		goto out;
	r = read_line(fd, pin, size);
	saved = errno;
	tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) {
		/* the newline is cosmetic */
	}
	errno = saved;
out:
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int sls_tty_read_secret(int fd, const char *prompt, char *pin, size_t size)
{
	int r = fd >= 0 ? read_line(fd, pin, size) : read_tty(prompt, pin, size);

	if (r != 0)
		sls_wipe(pin, size);
	return r;
}

bool sls_tty_ask_line(FILE *out, const char *prompt, char *buf, size_t size)
{
	size_t len;
	int c;

	fputs(prompt, out);
	fflush(out);
	if (fgets(buf, (int)size, stdin) == NULL) {
		buf[0] = '\0';
		return false;
	}
	len = strcspn(buf, "\n");
	if (buf[len] != '\n' && !feof(stdin)) {
		while ((c = getchar()) != EOF && c != '\n')
			;
		sls_wipe(buf, size);
		errno = EMSGSIZE;
		return false;
	}
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[len - 1] = '\0';
	return true;
}

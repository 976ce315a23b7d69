/* pam_sls - the frames between the module and slsd (sls_wire.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sls_clock.h"
#include "sls_secret.h"
#include "sls_wire.h"

#define HELLO_HEAD   5 /* type, version, stage, flags, argc */
#define HELLO_SILENT 1u

/* Whether the n bytes at s are printable ASCII without spaces (sls_wire_hello). */
static bool printable(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return true;
}

/* Append s and its NUL at *pos; false when it does not fit, is over max or not printable. */
static bool put_str(unsigned char *buf, size_t size, size_t *pos, const char *s, size_t max)
{
	size_t n = strlen(s != NULL ? s : "");

	if (n > max || size - *pos < n + 1 || !printable((const unsigned char *)s, n))
		return false;
	memcpy(buf + *pos, s != NULL ? s : "", n);
	buf[*pos + n] = '\0';
	*pos += n + 1;
	return true;
}

size_t sls_wire_hello_encode(const struct sls_wire_hello *h, unsigned char *buf, size_t size)
{
	const char *head[] = {h->user, h->service, h->rhost, h->tty, h->locale};
	size_t pos = HELLO_HEAD;

	if (size > SLS_WIRE_MAX)
		size = SLS_WIRE_MAX;
	if (size < HELLO_HEAD || h->argc < 0 || h->argc > SLS_WIRE_ARGS_MAX)
		return 0;
	buf[0] = SLS_WIRE_HELLO;
	buf[1] = SLS_WIRE_VERSION;
	buf[2] = (unsigned char)h->stage;
	buf[3] = h->silent ? HELLO_SILENT : 0;
	buf[4] = (unsigned char)h->argc;
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		if (!put_str(buf, size, &pos, head[i], SLS_WIRE_ITEM_MAX))
			return 0;
	for (int i = 0; i < h->argc; i++)
		if (!put_str(buf, size, &pos, h->argv[i], SLS_WIRE_STR_MAX))
			return 0;
	return pos;
}

/*
 * The string at *pos (up to its NUL, which must come before end; at most
 * max bytes, printable), and past it.
 */
static bool take_str(const unsigned char *frame, size_t end, size_t *pos, const char **s,
		     size_t max)
{
	const unsigned char *nul;

	if (*pos >= end)
		return false;
	nul = memchr(frame + *pos, '\0', end - *pos);
	if (nul == NULL || (size_t)(nul - (frame + *pos)) > max ||
	    !printable(frame + *pos, (size_t)(nul - (frame + *pos))))
		return false;
	*s = (const char *)frame + *pos;
	*pos = (size_t)(nul - frame) + 1;
	return true;
}

enum sls_rc sls_wire_hello_parse(const unsigned char *frame, size_t len, struct sls_wire_hello *h)
{
	const char **head[] = {&h->user, &h->service, &h->rhost, &h->tty, &h->locale};
	size_t pos = HELLO_HEAD;

	memset(h, 0, sizeof(*h));
	if (len < HELLO_HEAD || len > SLS_WIRE_MAX || frame[0] != SLS_WIRE_HELLO ||
	    frame[1] != SLS_WIRE_VERSION ||
	    (frame[2] != SLS_WIRE_AUTH && frame[2] != SLS_WIRE_ACCOUNT) ||
	    (frame[3] & ~HELLO_SILENT) != 0 || frame[4] > SLS_WIRE_ARGS_MAX)
		return SLS_ERR_FORMAT;
	h->stage = frame[2];
	h->silent = (frame[3] & HELLO_SILENT) != 0;
	h->argc = frame[4];
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		if (!take_str(frame, len, &pos, head[i], SLS_WIRE_ITEM_MAX))
			goto bad;
	for (int i = 0; i < h->argc; i++)
		if (!take_str(frame, len, &pos, &h->argv[i], SLS_WIRE_STR_MAX))
			goto bad;
	if (pos == len)
		return SLS_OK;
bad:
	memset(h, 0, sizeof(*h));
	return SLS_ERR_FORMAT;
}

enum sls_rc sls_wire_send(int fd, enum sls_wire_type type, const void *data, size_t len)
{
	unsigned char *frame;
	ssize_t n;
	int e;

	if (len >= SLS_WIRE_MAX)
		return SLS_ERR_TOOBIG;
	frame = malloc(len + 1);
	if (frame == NULL)
		return SLS_ERR_NOMEM;
	frame[0] = (unsigned char)type;
	if (len > 0)
		memcpy(frame + 1, data, len);
	do
		n = send(fd, frame, len + 1, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	e = errno;
	sls_wipe(frame, len + 1);
	free(frame);
	errno = e;
	if (n >= 0 && (size_t)n != len + 1)
		errno = EMSGSIZE;
	return n >= 0 && (size_t)n == len + 1 ? SLS_OK : SLS_ERR_IO;
}

enum sls_rc sls_wire_send_result(int fd, int code)
{
	int32_t c = code;

	return sls_wire_send(fd, SLS_WIRE_RESULT, &c, sizeof(c));
}

/*
 * Wait until fd can be read, at most timeout_ms in all (a signal does not
 * start the wait again; -1: no limit): SLS_ERR_CONV (ETIMEDOUT) when it
 * cannot.
 */
static enum sls_rc wait_readable(int fd, int timeout_ms)
{
	int r = sls_poll_until(fd, POLLIN, timeout_ms < 0 ? -1 : sls_now_ms() + timeout_ms);

	if (r < 0)
		return SLS_ERR_IO;
	if (r == 0) {
		errno = ETIMEDOUT;
		return SLS_ERR_CONV;
	}
	return SLS_OK;
}

enum sls_rc sls_wire_recv(int fd, unsigned char *buf, size_t *len, int timeout_ms)
{
	struct iovec iov = {.iov_base = buf, .iov_len = SLS_WIRE_MAX};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	enum sls_rc rc = wait_readable(fd, timeout_ms);
	ssize_t n;

	*len = 0;
	buf[0] = '\0';
	if (rc != SLS_OK)
		return rc;
	do
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? SLS_ERR_CONV : SLS_ERR_IO;
	if (n == 0)
		return SLS_ERR_CONV; /* the peer closed */
	if ((msg.msg_flags & MSG_TRUNC) != 0)
		return SLS_ERR_FORMAT;
	*len = (size_t)n;
	buf[n] = '\0';
	return SLS_OK;
}

enum sls_rc sls_wire_result_parse(const unsigned char *frame, size_t len, int *code)
{
	int32_t c;

	if (len != 1 + sizeof(c) || frame[0] != SLS_WIRE_RESULT)
		return SLS_ERR_FORMAT;
	memcpy(&c, frame + 1, sizeof(c));
	*code = c;
	return SLS_OK;
}

enum sls_rc sls_wire_text(const unsigned char *frame, size_t len, const char **text)
{
	if (len < 1 || memchr(frame + 1, '\0', len - 1) != NULL)
		return SLS_ERR_FORMAT;
	*text = (const char *)frame + 1;
	return SLS_OK;
}

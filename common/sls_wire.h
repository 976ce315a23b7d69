/*
 * pam_sls - the frames between the module and slsd (doc/design.md, "slsd"):
 * one SOCK_SEQPACKET message per frame, its first byte the frame's type.
 *
 *	module -> slsd	HELLO (once, first), then ANSWER, TOOBIG or NOANSWER,
 *			one for each ASK or ASK_SECRET
 *	slsd -> module	ASK, ASK_SECRET, INFO, ERROR (a text each), and last
 *			RESULT (a PAM return code); then slsd closes
 *
 * Both sides parse strictly: a frame of an unknown type, a wrong length, a
 * string without its NUL or with one inside, a count over its limit is
 * SLS_ERR_FORMAT, and the side that reads it ends the conversation (the
 * module denies, slsd closes). Nothing here is a secret except an ANSWER's
 * bytes (a response, a code, a PIN): their holders wipe them.
 */
#ifndef SLS_WIRE_H
#define SLS_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "sls_error.h"

#define SLS_SLSD_SOCKET    "/run/sls/slsd.sock" /* slsd.socket's ListenSequentialPacket= */
#define SLS_SLSD_TIMEOUT   120                  /* seconds the module waits for slsd's next frame */
#define SLS_WIRE_VERSION   1
#define SLS_WIRE_MAX       32768 /* the largest frame; a QR prompt is under 4 KiB */
#define SLS_WIRE_ARGS_MAX  16    /* arguments of a PAM line relayed */
#define SLS_WIRE_STR_MAX   1024  /* the longest argument in a HELLO, without its NUL */
#define SLS_WIRE_ITEM_MAX  255   /* the longest user, service, rhost, tty or locale */
#define SLS_WIRE_REPLY_MAX 1024  /* the longest reply relayed; a longer one is TOOBIG */

enum sls_wire_type {
	SLS_WIRE_HELLO = 'H',      /* module: who, where, which stage, the PAM line */
	SLS_WIRE_ANSWER = 'A',     /* module: the reply to the last ask (bytes, no NUL) */
	SLS_WIRE_TOOBIG = 'T',     /* module: a reply longer than SLS_WIRE_REPLY_MAX */
	SLS_WIRE_NOANSWER = 'N',   /* module: the conversation failed or gave no reply */
	SLS_WIRE_ASK = 'P',        /* slsd: a prompt whose reply is shown as typed */
	SLS_WIRE_ASK_SECRET = 'S', /* slsd: a prompt whose reply is hidden (a new PIN) */
	SLS_WIRE_INFO = 'I',       /* slsd: PAM_TEXT_INFO */
	SLS_WIRE_ERROR = 'E',      /* slsd: PAM_ERROR_MSG */
	SLS_WIRE_RESULT = 'R',     /* slsd: the PAM return code, 4 bytes in host order */
};

enum sls_wire_stage {
	SLS_WIRE_AUTH = 1,    /* pam_sm_authenticate */
	SLS_WIRE_ACCOUNT = 2, /* pam_sm_acct_mgmt */
};

/*
 * A HELLO: what the module's caller asks. Strings point into the frame they
 * were parsed from (or the caller's own, to encode); "" for an item PAM did
 * not have. argv: the PAM line's arguments, as the module got them. Every
 * string is printable ASCII without spaces (0x21..0x7e: what a PAM line, a
 * host name, a terminal and a locale name are made of), so that none can
 * forge a line or a field where slsd logs it; the five items at most
 * SLS_WIRE_ITEM_MAX bytes, an argument SLS_WIRE_STR_MAX.
 */
struct sls_wire_hello {
	enum sls_wire_stage stage;
	bool silent;      /* PAM_SILENT */
	const char *user; /* PAM_USER as pam_get_user gave it */
	const char *service;
	const char *rhost;
	const char *tty;
	const char *locale; /* the caller's LC_MESSAGES, for translated prompts */
	int argc;
	const char *argv[SLS_WIRE_ARGS_MAX];
};

/*
 * Encode h into buf (size bytes): its length, or 0 when it does not fit,
 * a string is too long or not printable ASCII, or argc is over
 * SLS_WIRE_ARGS_MAX.
 */
size_t sls_wire_hello_encode(const struct sls_wire_hello *h, unsigned char *buf, size_t size);

/*
 * Parse frame (len bytes, which it must end with a NUL: the reader leaves
 * room for one past the frame, see sls_wire_recv) as a HELLO of
 * SLS_WIRE_VERSION into h, whose strings then point into frame.
 * SLS_ERR_FORMAT for anything else.
 */
enum sls_rc sls_wire_hello_parse(const unsigned char *frame, size_t len, struct sls_wire_hello *h);

/*
 * Send one frame: type and len bytes of data (data may be NULL when len
 * is 0). SLS_ERR_TOOBIG over SLS_WIRE_MAX, SLS_ERR_IO (errno) when the
 * socket takes less, SLS_ERR_NOMEM. The frame built on the way is wiped.
 */
enum sls_rc sls_wire_send(int fd, enum sls_wire_type type, const void *data, size_t len);

/* A RESULT frame with code. */
enum sls_rc sls_wire_send_result(int fd, int code);

/*
 * Receive one frame into buf (SLS_WIRE_MAX + 1 bytes), waiting at most
 * timeout_ms (-1: no limit): *len its length (at least 1, the type), and
 * buf[*len] is set to NUL. SLS_ERR_CONV when the peer closed (an empty
 * read: no frame is ever empty) or the time ran out (errno ETIMEDOUT),
 * SLS_ERR_FORMAT for a frame over SLS_WIRE_MAX, SLS_ERR_IO (errno) else.
 */
enum sls_rc sls_wire_recv(int fd, unsigned char *buf, size_t *len, int timeout_ms);

/* A RESULT frame's code into *code: SLS_ERR_FORMAT unless exactly 4 bytes follow the type. */
enum sls_rc sls_wire_result_parse(const unsigned char *frame, size_t len, int *code);

/*
 * A text frame (ASK, ASK_SECRET, INFO, ERROR) as a string: the bytes after
 * the type, which must hold no NUL (frame[len] is the NUL sls_wire_recv
 * put there). SLS_ERR_FORMAT otherwise.
 */
enum sls_rc sls_wire_text(const unsigned char *frame, size_t len, const char **text);

#endif /* SLS_WIRE_H */

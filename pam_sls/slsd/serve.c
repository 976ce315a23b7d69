/*
 * slsd - one relayed call: the caller's HELLO, then the login of login.c
 * with the socket as its conversation (sls_wire.h), then the RESULT.
 */
#include "config.h"

#include <errno.h>
#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "module.h"
#include "pgstore.h"
#include "slsd.h"

/* The socket as the login's UI. */
struct socket_ui {
	int fd;
	bool silent;
	bool broken; /* a frame failed: every later ask fails at once */
	const struct sls_login *login;
	unsigned char frame[SLS_WIRE_MAX + 1];
};

/* How long an answer may take: the challenge's own timeout, and a minute more. */
static int answer_timeout_ms(const struct socket_ui *s)
{
	unsigned t = s->login->conf.challenge_timeout;

	return 1000 * (int)((t > 0 && t < SLSD_CALL_MAX ? t : SLSD_CALL_MAX) + 60);
}

/* The reply to the ask just sent: SLS_OK with *reply malloc'ed, or why not. */
static enum sls_rc take_reply(struct socket_ui *s, char **reply)
{
	size_t len;
	enum sls_rc rc = sls_wire_recv(s->fd, s->frame, &len, answer_timeout_ms(s));

	if (rc == SLS_OK && s->frame[0] == SLS_WIRE_ANSWER && len - 1 <= SLS_WIRE_REPLY_MAX &&
	    memchr(s->frame + 1, '\0', len - 1) == NULL) {
		*reply = strdup((const char *)s->frame + 1);
		rc = *reply == NULL ? SLS_ERR_NOMEM : SLS_OK;
	} else if (rc == SLS_OK && s->frame[0] == SLS_WIRE_TOOBIG && len == 1) {
		rc = SLS_ERR_TOOBIG;
	} else if (rc == SLS_OK && s->frame[0] == SLS_WIRE_NOANSWER && len == 1) {
		rc = SLS_ERR_CONV;
	} else {
		s->broken = true; /* out of place, malformed, gone or too late */
		rc = SLS_ERR_CONV;
	}
	sls_wipe(s->frame, sizeof(s->frame));
	return rc;
}

static enum sls_rc socket_ask_type(struct socket_ui *s, enum sls_wire_type type, const char *prompt,
				   char **reply)
{
	*reply = NULL;
	if (s->broken)
		return SLS_ERR_CONV;
	if (sls_wire_send(s->fd, type, prompt, strlen(prompt)) != SLS_OK) {
		s->broken = true;
		return SLS_ERR_CONV;
	}
	return take_reply(s, reply);
}

static enum sls_rc socket_ask(void *ctx, const char *prompt, char **reply)
{
	return socket_ask_type(ctx, SLS_WIRE_ASK, prompt, reply);
}

static enum sls_rc socket_ask_secret(void *ctx, const char *prompt, char **reply)
{
	return socket_ask_type(ctx, SLS_WIRE_ASK_SECRET, prompt, reply);
}

static void socket_say(void *ctx, enum sls_say_kind kind, const char *text)
{
	struct socket_ui *s = ctx;

	if (s->silent || s->broken)
		return;
	if (sls_wire_send(s->fd, kind == SLS_SAY_ERROR ? SLS_WIRE_ERROR : SLS_WIRE_INFO, text,
			  strlen(text)) != SLS_OK)
		s->broken = true;
}

/* One line to stderr (journald's stream under slsd.service), control characters as '?'. */
static void log_to_stderr(void *arg, int priority, const char *line)
{
	char clean[2048];
	size_t i;

	(void)arg;
	for (i = 0; line[i] != '\0' && i < sizeof(clean) - 1; i++)
		clean[i] = (unsigned char)line[i] < 0x20 || line[i] == 0x7f ? '?' : line[i];
	clean[i] = '\0';
	fprintf(stderr, "<%d>%s\n", priority, clean);
}

static void debug_to_stderr(void *arg, const char *line)
{
	char text[2048];

	snprintf(text, sizeof(text), "debug: %s", line);
	log_to_stderr(arg, 7, text);
}

/* A locale name as setlocale takes one ("de_DE.UTF-8"), nothing that reads as a path. */
static bool locale_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 64 && s[0] != '.' &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "abcdefghijklmnopqrstuvwxyz"
			 "0123456789_.@-") == n &&
	       strstr(s, "..") == NULL;
}

/*
 * The caller's language for the prompts (the C locale when it is not
 * installed here), in UTF-8. LC_MESSAGES only: the character classes that
 * the login's checks use stay slsd's own, whatever the caller's locale.
 */
static void use_locale(const char *name)
{
	if (locale_name_ok(name))
		(void)setlocale(LC_MESSAGES, name);
	sls_i18n_bind();
	(void)bind_textdomain_codeset(SLS_TEXTDOMAIN, "UTF-8");
}

/* The store opened before the call (slsd_serve's warm), until the login takes it or closes it. */
static struct sls_store *warm_store;

static enum sls_rc open_store(struct sls_login *login, struct sls_diag *diag)
{
	struct sls_store *warm = warm_store;

	warm_store = NULL;
	if (warm != NULL && login->conf.backend == SLS_BACKEND_POSTGRESQL &&
	    sls_pg_reusable(warm, &login->conf)) {
		login->store = *warm; /* the login closes it (login_end) */
		return SLS_OK;
	}
	if (warm != NULL)
		sls_store_close(warm);
	return sls_pg_store_open(&login->conf, 0, false, &login->store, diag);
}

/*
 * The call's decision, for a row of the store's (sls_audit in the
 * database): copied when the login sends its journal entry, with the
 * login's store kept open for it; written after the RESULT, so that the
 * caller never waits for it and it decides nothing.
 */
static struct {
	bool set;
	struct sls_store store;
	char user[SLS_USER_NAME_MAX + 1], service[256], rhost[256], tty[256], peer_uid[16];
	char event[32], device[64], result[16], pam_code[32], trail[256];
} decided;

static const char *or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

static void copy(char *out, size_t size, const char *s)
{
	snprintf(out, size, "%s", s != NULL ? s : "");
}

static void keep_decision(void *arg, const struct sls_log_ctx *log, const struct sls_decision *d)
{
	struct sls_login *login = arg;

	if (login->store.backend == NULL || decided.set) /* the files, or a store never opened */
		return;
	decided.set = true;
	decided.store = login->store; /* the login's end closes nothing now */
	memset(&login->store, 0, sizeof(login->store));
	login->store.dirfd = login->store.users_fd = -1;
	login->store.state_fd = login->store.lock_fd = -1;
	copy(decided.user, sizeof(decided.user), log->user);
	copy(decided.service, sizeof(decided.service), log->service);
	copy(decided.rhost, sizeof(decided.rhost), log->rhost);
	copy(decided.tty, sizeof(decided.tty), log->tty);
	copy(decided.peer_uid, sizeof(decided.peer_uid), log->peer_uid);
	copy(decided.event, sizeof(decided.event), d->event);
	copy(decided.device, sizeof(decided.device), d->device);
	copy(decided.result, sizeof(decided.result), d->result);
	copy(decided.pam_code, sizeof(decided.pam_code), d->pam_code);
	copy(decided.trail, sizeof(decided.trail), d->trail);
}

/* The kept decision as a row; a row that cannot be written is a line on stderr. */
static void write_decision(void)
{
	struct sls_audit_row row = {.user = or_null(decided.user),
				    .service = or_null(decided.service),
				    .rhost = or_null(decided.rhost),
				    .tty = or_null(decided.tty),
				    .event = decided.event,
				    .device = or_null(decided.device),
				    .result = decided.result,
				    .pam_code = decided.pam_code,
				    .trail = or_null(decided.trail),
				    .peer_uid = or_null(decided.peer_uid)};

	if (!decided.set)
		return;
	if (sls_userdb_audit(&decided.store, &row) != SLS_OK)
		fprintf(stderr, "<4>slsd: the decision could not be kept in sls_audit\n");
	sls_store_close(&decided.store);
	decided.set = false;
}

static bool store_unreachable(struct sls_login *login)
{
	return sls_pg_nothing_listens(&login->conf);
}

static int hello_user(struct sls_login *login, const char **user)
{
	*user = login->given_user;
	return PAM_SUCCESS;
}

/* The HELLO, within SLSD_HELLO_TIMEOUT: SLS_OK with h pointing into frame. */
static enum sls_rc read_hello(int fd, unsigned char *frame, struct sls_wire_hello *h)
{
	size_t len;
	enum sls_rc rc = sls_wire_recv(fd, frame, &len, 1000 * SLSD_HELLO_TIMEOUT);

	return rc == SLS_OK ? sls_wire_hello_parse(frame, len, h) : rc;
}

/* What the login knows of its caller and host, from the HELLO and SO_PEERCRED. */
static void setup(struct sls_login *login, struct socket_ui *s, const struct sls_wire_hello *h,
		  const struct ucred *cred, const char *conf, char ids[2][16])
{
	sls_login_init(login, "slsd");
	login->silent = h->silent;
	login->ui.ask = socket_ask;
	login->ui.ask_secret = socket_ask_secret;
	login->ui.say = socket_say;
	login->ui.ctx = s;
	login->log.fallback = log_to_stderr;
	login->log.decided = keep_decision;
	login->log.decided_arg = login;
	login->debug = debug_to_stderr;
	login->get_user = hello_user;
	login->open_store = open_store;
	login->store_unreachable = store_unreachable;
	login->given_user = or_null(h->user);
	login->log.service = or_null(h->service);
	login->log.rhost = or_null(h->rhost);
	login->log.tty = or_null(h->tty);
	snprintf(ids[0], sizeof(ids[0]), "%u", (unsigned)cred->uid);
	snprintf(ids[1], sizeof(ids[1]), "%d", (int)cred->pid);
	login->log.peer_uid = ids[0];
	login->log.peer_pid = ids[1];
	login->only_self = cred->uid != 0;
	login->self_uid = cred->uid;
	login->conf_default = conf;
	s->silent = h->silent;
	s->login = login;
}

int slsd_serve(int fd, const struct ucred *cred, const char *conf, bool conf_named,
	       struct sls_store *warm)
{
	static struct socket_ui s; /* one call per process: a frame buffer off the stack */
	static unsigned char hello_frame[SLS_WIRE_MAX + 1];
	struct timeval tv = {.tv_sec = SLSD_SEND_TIMEOUT};
	struct sls_wire_hello h;
	struct sls_login login;
	char ids[2][16];
	int code;

	s.fd = fd;
	warm_store = warm != NULL && warm->backend != NULL ? warm : NULL;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    read_hello(fd, hello_frame, &h) != SLS_OK) {
		fprintf(stderr,
			"<4>slsd: a caller (uid %u, pid %d) sent no well-formed HELLO in "
			"time: closed\n",
			(unsigned)cred->uid, (int)cred->pid);
		if (warm_store != NULL)
			sls_store_close(warm_store);
		return 1;
	}
	use_locale(h.locale);
	setup(&login, &s, &h, cred, conf, ids);
	login.conf_named = conf_named;
	code = sls_login_run(&login, h.stage, h.argc, h.argv);
	if (warm_store != NULL) /* the login did not come to the store */
		sls_store_close(warm_store);
	warm_store = NULL;
	if (!s.broken && sls_wire_send_result(fd, code) != SLS_OK)
		fprintf(stderr, "<4>slsd: the result could not be sent to pid %d: %s\n",
			(int)cred->pid, strerror(errno));
	close(fd); /* the caller has its answer: the audit row is slsd's own business */
	write_decision();
	sls_wipe(hello_frame, sizeof(hello_frame));
	return 0;
}

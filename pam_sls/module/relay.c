/* pam_sls - a call relayed to slsd, its prompts through the PAM conversation (module.h). */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "module.h"

/* One relayed call: the socket and a frame buffer (SLS_WIRE_MAX + 1 bytes). */
struct relay {
	struct sls_login *login;
	int fd;
	unsigned char *frame;
	int timeout_ms;
};

bool sls_relay_wanted(int argc, const char **argv)
{
	const char *conf = NULL;
	struct stat st;

	for (int i = 0; i < argc; i++) /* the last conf=, as sls_module_opts_parse takes it */
		if (strncmp(argv[i], "conf=", 5) == 0)
			conf = argv[i] + 5;
	return conf == NULL || lstat(conf, &st) != 0 || st.st_uid != geteuid();
}

/*
 * Connect to slsd's socket within timeout_ms (a full listen queue must not
 * hold the caller: SO_SNDTIMEO bounds connect on a Unix socket), and make
 * sure root holds it (a socket left by someone else at the path must not
 * hear the answers). -1 with errno.
 */
static int relay_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000};
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred) ||
	    (cred.uid != 0 && (errno = EPERM) != 0)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * The HELLO into r->frame, before slsd is called (pam_get_user may prompt
 * for the name): its length, or 0 when the call cannot be put in one
 * (SLS_ERR_TOOBIG: a PAM line of over SLS_WIRE_ARGS_MAX arguments, an item
 * too long or not printable ASCII).
 */
static size_t make_hello(struct relay *r, enum sls_wire_stage stage, int argc, const char **argv)
{
	struct sls_login *login = r->login;
	const char *user = NULL, *locale = setlocale(LC_MESSAGES, NULL);
	struct sls_wire_hello h = {.stage = stage,
				   .silent = login->silent,
				   .service = login->log.service,
				   .rhost = login->log.rhost,
				   .tty = login->log.tty,
				   .locale = locale != NULL ? locale : "",
				   .argc = argc};

	if (login->get_user(login, &user) != PAM_SUCCESS)
		user = NULL;
	h.user = user;
	if (argc > SLS_WIRE_ARGS_MAX)
		return 0;
	for (int i = 0; i < argc; i++)
		h.argv[i] = argv[i];
	return sls_wire_hello_encode(&h, r->frame, SLS_WIRE_MAX);
}

/* Ask text through the conversation and send slsd what came of it. */
static enum sls_rc relay_ask(struct relay *r, bool secret, const char *text)
{
	struct sls_ui *ui = &r->login->ui;
	char *reply = NULL;
	enum sls_rc rc =
	    secret ? ui->ask_secret(ui->ctx, text, &reply) : ui->ask(ui->ctx, text, &reply);

	if (rc == SLS_ERR_NOMEM)
		return rc;
	if (rc != SLS_OK || reply == NULL)
		rc = sls_wire_send(r->fd, SLS_WIRE_NOANSWER, NULL, 0);
	else if (strlen(reply) > SLS_WIRE_REPLY_MAX)
		rc = sls_wire_send(r->fd, SLS_WIRE_TOOBIG, NULL, 0);
	else
		rc = sls_wire_send(r->fd, SLS_WIRE_ANSWER, reply, strlen(reply));
	sls_free_secret_str(reply);
	return rc;
}

/* A code slsd may decide; anything else it sends is taken as a system error. */
static bool known_result(int code)
{
	static const int known[] = {PAM_SUCCESS,    PAM_AUTH_ERR,         PAM_PERM_DENIED,
				    PAM_IGNORE,     PAM_USER_UNKNOWN,     PAM_MAXTRIES,
				    PAM_CONV_ERR,   PAM_AUTHINFO_UNAVAIL, PAM_SERVICE_ERR,
				    PAM_SYSTEM_ERR, PAM_BUF_ERR};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (code == known[i])
			return true;
	return false;
}

/*
 * One frame of slsd's, acted on. SLS_OK with *done and *code at RESULT;
 * SLS_ERR_CONV (slsd went or took too long), SLS_ERR_FORMAT (a frame out
 * of place), SLS_ERR_IO, SLS_ERR_NOMEM else.
 */
static enum sls_rc relay_frame(struct relay *r, bool *done, int *code)
{
	const char *text = NULL;
	size_t len;
	enum sls_rc rc = sls_wire_recv(r->fd, r->frame, &len, r->timeout_ms);

	if (rc != SLS_OK)
		return rc;
	if (r->frame[0] == SLS_WIRE_RESULT) {
		rc = sls_wire_result_parse(r->frame, len, code);
		*done = rc == SLS_OK;
		return rc == SLS_OK && !known_result(*code) ? SLS_ERR_FORMAT : rc;
	}
	rc = sls_wire_text(r->frame, len, &text);
	if (rc != SLS_OK)
		return rc;
	switch (r->frame[0]) {
	case SLS_WIRE_ASK:
	case SLS_WIRE_ASK_SECRET:
		return relay_ask(r, r->frame[0] == SLS_WIRE_ASK_SECRET, text);
	case SLS_WIRE_INFO:
	case SLS_WIRE_ERROR:
		r->login->ui.say(r->login->ui.ctx,
				 r->frame[0] == SLS_WIRE_ERROR ? SLS_SAY_ERROR : SLS_SAY_INFO,
				 text);
		return SLS_OK;
	default:
		return SLS_ERR_FORMAT;
	}
}

/*
 * Whether connect's errno says no slsd listens there: nothing at the path,
 * or no one behind it. Not a full listen queue or a slow slsd (the
 * timeout): any user can crowd slsd's socket, and must not thereby let a
 * failmode = open service skip the second factor.
 */
static bool not_listening(int e)
{
	return e == ENOENT || e == ECONNREFUSED;
}

/*
 * The module's own entry when slsd decided nothing. unreachable: no slsd
 * listened, nothing was asked; sls.conf may let the call go on (failmode).
 */
static int relay_failed(struct sls_login *login, enum sls_rc rc, bool unreachable)
{
	struct sls_diag why = {0};

	sls_diag_set(&why, 0, "slsd does not listen on its socket");
	if (unreachable && sls_login_may_fail_open(login)) {
		sls_login_fail_open(login, &why);
		sls_log_decision(&login->log, "PAM_IGNORE", SLS_EV_FAIL_OPEN, "ignore",
				 "slsd is out of reach: failmode = open");
		return PAM_IGNORE;
	}
	if (rc == SLS_ERR_NOMEM) {
		sls_log_decision(&login->log, "PAM_BUF_ERR", SLS_EV_SYSTEM_ERROR, "error",
				 "out of memory");
		return PAM_BUF_ERR;
	}
	sls_login_say(login, SLS_SAY_ERROR,
		      _("The second factor cannot be checked now; ask an administrator."));
	if (rc == SLS_ERR_TOOBIG) {
		sls_log_decision(
		    &login->log, "PAM_SERVICE_ERR", SLS_EV_CONFIG_ERROR, "error",
		    "the PAM line or an item (user, service, host, tty) is too long or "
		    "not printable ASCII to relay to slsd: denied");
		return PAM_SERVICE_ERR;
	}
	if (rc == SLS_ERR_FORMAT) {
		sls_log_decision(&login->log, "PAM_SYSTEM_ERR", SLS_EV_SYSTEM_ERROR, "error",
				 "slsd sent a frame out of place or malformed: denied");
		return PAM_SYSTEM_ERR;
	}
	sls_log_decision(&login->log, "PAM_AUTHINFO_UNAVAIL", SLS_EV_SYSTEM_ERROR, "error",
			 "slsd is not running, not root's, or did not answer in time: denied");
	return PAM_AUTHINFO_UNAVAIL;
}

int sls_relay_run(struct sls_login *login, enum sls_wire_stage stage, int argc, const char **argv)
{
	struct sls_diag diag = {0};
	struct relay r = {.login = login, .fd = -1};
	bool done = false, unreachable = false;
	int code = PAM_SYSTEM_ERR;
	size_t len = 0;
	enum sls_rc rc;

	if (sls_module_opts_parse(argc, argv, &login->opts, &diag) != SLS_OK) {
		sls_log_event(&login->log, SLS_EV_CONFIG_ERROR, NULL, "error", &diag,
			      "bad option on the PAM line");
		sls_log_decision(&login->log, "PAM_SERVICE_ERR", SLS_EV_CONFIG_ERROR, "error",
				 "denied: an error of the configuration");
		return PAM_SERVICE_ERR;
	}
	r.timeout_ms =
	    1000 * (login->opts.slsd_timeout > 0 ? login->opts.slsd_timeout : SLS_SLSD_TIMEOUT);
	r.frame = malloc(SLS_WIRE_MAX + 1);
	rc = r.frame == NULL ? SLS_ERR_NOMEM : SLS_OK;
	if (rc == SLS_OK && (len = make_hello(&r, stage, argc, argv)) == 0)
		rc = SLS_ERR_TOOBIG;
	if (rc == SLS_OK) {
		r.fd = relay_connect(login->opts.socket ? login->opts.socket : SLS_SLSD_SOCKET,
				     r.timeout_ms);
		unreachable = r.fd < 0 && not_listening(errno);
		rc = r.fd < 0 ? SLS_ERR_CONV
			      : sls_wire_send(r.fd, SLS_WIRE_HELLO, r.frame + 1, len - 1);
	}
	while (rc == SLS_OK && !done)
		rc = relay_frame(&r, &done, &code);
	if (r.fd >= 0)
		close(r.fd);
	if (r.frame != NULL)
		sls_wipe(r.frame, SLS_WIRE_MAX + 1);
	free(r.frame);
	return rc == SLS_OK ? code : relay_failed(login, rc, unreachable);
}

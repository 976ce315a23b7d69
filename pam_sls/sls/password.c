/* sls - a user's password, checked through PAM (password.h). */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "password.h"
#include "sls_tty.h"

struct password_conv {
	int fd; /* the hidden answers: a line each from here; -1: the terminal, no echo */
};

/* A hidden prompt's answer, malloc'ed into *out. */
static int answer_hidden(const struct password_conv *c, const char *prompt, char **out)
{
	char buf[PAM_MAX_RESP_SIZE];
	int rv = PAM_CONV_ERR;

	if (sls_tty_read_secret(c->fd, prompt, buf, sizeof(buf)) == 0) {
		*out = strdup(buf);
		rv = *out != NULL ? PAM_SUCCESS : PAM_BUF_ERR;
	}
	sls_wipe(buf, sizeof(buf));
	return rv;
}

/* A visible prompt's answer: a line of stdin. */
static int answer_visible(const char *prompt, char **out)
{
	char buf[PAM_MAX_RESP_SIZE];
	int rv = PAM_CONV_ERR;

	if (sls_tty_ask_line(stdout, prompt, buf, sizeof(buf))) {
		*out = strdup(buf);
		rv = *out != NULL ? PAM_SUCCESS : PAM_BUF_ERR;
	}
	sls_wipe(buf, sizeof(buf));
	return rv;
}

static void free_responses(struct pam_response *r, int n)
{
	for (int i = 0; i < n; i++)
		sls_free_secret_str(r[i].resp);
	free(r);
}

static int converse(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	const struct password_conv *c = data;
	struct pam_response *r;
	int rv = PAM_SUCCESS;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n && rv == PAM_SUCCESS; i++) {
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF)
			rv = answer_hidden(c, msg[i]->msg, &r[i].resp);
		else if (msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			rv = answer_visible(msg[i]->msg, &r[i].resp);
		else if (msg[i]->msg_style == PAM_ERROR_MSG)
			warnx("%s", msg[i]->msg);
		else if (msg[i]->msg_style == PAM_TEXT_INFO)
			printf("%s\n", msg[i]->msg);
		else
			rv = PAM_CONV_ERR;
	}
	fflush(stdout);
	if (rv != PAM_SUCCESS) {
		free_responses(r, n);
		return rv;
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* pam_start to pam_end, with the store's privileges; PAM's result. */
static int authenticate(struct sls_cli *cli, const char *user, struct password_conv *c)
{
	const struct pam_conv pc = {converse, c};
	const char *tty = isatty(STDIN_FILENO) ? ttyname(STDIN_FILENO) : NULL;
	pam_handle_t *pamh = NULL;
	int rv;

	sls_cli_store_enter(cli);
	rv = pam_start(cli->conf.share_pam_service, user, &pc, &pamh);
	if (rv == PAM_SUCCESS)
		rv = pam_set_item(pamh, PAM_RUSER, cli->caller);
	if (rv == PAM_SUCCESS && tty != NULL)
		rv = pam_set_item(pamh, PAM_TTY, tty);
	if (rv == PAM_SUCCESS)
		rv = pam_authenticate(pamh, PAM_DISALLOW_NULL_AUTHTOK);
	if (pamh != NULL)
		pam_end(pamh, rv);
	sls_cli_store_leave(cli);
	return rv;
}

int sls_cli_check_password(struct sls_cli *cli, const char *user, int fd)
{
	struct password_conv c = {.fd = fd};
	int rv = authenticate(cli, user, &c);

	switch (rv) {
	case PAM_SUCCESS:
		return SLS_EXIT_OK;
	case PAM_AUTH_ERR:
	case PAM_USER_UNKNOWN:
	case PAM_MAXTRIES:
	case PAM_CRED_INSUFFICIENT:
	case PAM_CONV_ERR:
	case PAM_PERM_DENIED:
		warnx(_("the password of %s was not accepted"), user);
		return SLS_EXIT_REFUSED;
	default:
		/* TRANSLATORS: a user name, a PAM service ("sls"), then PAM's error message */
		warnx(_("the password of %s cannot be checked: PAM service %s says \"%s\""), user,
		      cli->conf.share_pam_service, pam_strerror(NULL, rv));
		return SLS_EXIT_STORE;
	}
}

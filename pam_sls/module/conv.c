/* pam_sls - the PAM conversation as the login flow's UI (sls_ui.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <security/pam_ext.h>

#include "module.h"

/* One prompt of the given style, and its reply (the caller wipes and frees it). */
static enum sls_rc ask_style(struct sls_login *login, int style, const char *prompt, char **reply)
{
	char *resp = NULL;
	int retval = pam_prompt(login->pamh, style, &resp, "%s", prompt);

	*reply = NULL;
	if (retval == PAM_BUF_ERR)
		return SLS_ERR_NOMEM;
	if (retval != PAM_SUCCESS || resp == NULL) {
		sls_free_secret_str(resp);
		return SLS_ERR_CONV;
	}
	*reply = resp;
	return SLS_OK;
}

/*
 * PAM_PROMPT_ECHO_ON: what is asked (a response, a code, a menu choice) is
 * single-use and not a secret, and the user sees what they type.
 */
static enum sls_rc pam_ask(void *ctx, const char *prompt, char **reply)
{
	return ask_style(ctx, PAM_PROMPT_ECHO_ON, prompt, reply);
}

/* PAM_PROMPT_ECHO_OFF: a new PIN, chosen at an enrolment inside the login. */
static enum sls_rc pam_ask_secret(void *ctx, const char *prompt, char **reply)
{
	return ask_style(ctx, PAM_PROMPT_ECHO_OFF, prompt, reply);
}

static void pam_say(void *ctx, enum sls_say_kind kind, const char *text)
{
	struct sls_login *login = ctx;

	if (login->silent)
		return;
	(void)pam_prompt(login->pamh, kind == SLS_SAY_ERROR ? PAM_ERROR_MSG : PAM_TEXT_INFO, NULL,
			 "%s", text);
}

void sls_module_ui(struct sls_login *login)
{
	login->ui.ask = pam_ask;
	login->ui.ask_secret = pam_ask_secret;
	login->ui.say = pam_say;
	login->ui.colour = false; /* ssh prints a prompt's ESC as text (sls_ui.h) */
	login->ui.ctx = login;
}

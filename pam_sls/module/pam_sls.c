/*
 * pam_sls - the PAM entry points: a second factor after the password. With
 * root the login runs here (login.c); without it, the store is out of
 * reach and slsd runs it for the caller's own user (relay.c), unless the
 * PAM line names an sls.conf of the caller's own (sls_relay_wanted).
 */
#include "config.h"

#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "module.h"

static void log_to_pam_syslog(void *arg, int priority, const char *line)
{
	pam_syslog(arg, priority, "%s", line);
}

static void debug_to_pam_syslog(void *arg, const char *line)
{
	pam_syslog(arg, LOG_DEBUG, "%s", line);
}

static const char *item(pam_handle_t *pamh, int type)
{
	const void *value = NULL;

	return pam_get_item(pamh, type, &value) == PAM_SUCCESS ? value : NULL;
}

static int pam_user(struct sls_login *login, const char **user)
{
	return pam_get_user(login->pamh, user, NULL);
}

static void module_init(struct sls_login *login, pam_handle_t *pamh, int flags)
{
	sls_login_init(login, "pam_sls");
	sls_i18n_bind();
	login->pamh = pamh;
	login->silent = (flags & PAM_SILENT) != 0;
	sls_module_ui(login);
	login->log.fallback = log_to_pam_syslog;
	login->log.fallback_arg = pamh;
	login->get_user = pam_user;
	login->debug = debug_to_pam_syslog;
	login->debug_arg = pamh;
	login->log.service = item(pamh, PAM_SERVICE);
	login->log.rhost = item(pamh, PAM_RHOST);
	login->log.tty = item(pamh, PAM_TTY);
}

static int run(pam_handle_t *pamh, int flags, int argc, const char **argv,
	       enum sls_wire_stage stage)
{
	struct sls_login login;

	module_init(&login, pamh, flags);
	if (geteuid() != 0 && sls_relay_wanted(argc, argv))
		return sls_relay_run(&login, stage, argc, argv);
	login.relay = sls_relay_run; /* with root: for a store that is not the files */
	return sls_login_run(&login, stage, argc, argv);
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return run(pamh, flags, argc, argv, SLS_WIRE_AUTH);
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}

/* The account stage denies a locked user, so that other auth paths cannot skip the lock. */
PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return run(pamh, flags, argc, argv, SLS_WIRE_ACCOUNT);
}

/* pam_sls - what the module's files share: one call of a PAM entry point. */
#ifndef SLS_MODULE_H
#define SLS_MODULE_H

#include <stdbool.h>

#include <security/pam_modules.h>

#include "sls.h"

/* The PAM line's arguments. */
struct sls_module_opts {
	const char *conf; /* conf=FILE, or NULL for the default */
	int min_level;    /* min_level=N, 0 when not given */
	unsigned types;   /* devices=TYPE,...: sls_devtype_bit of each; 0 (all) when not given */
	bool nullok;
	bool debug;
};

/*
 * Parse argc/argv of the PAM line against the built-in device types. An
 * unknown or malformed argument is SLS_ERR_INVAL with the argument's name
 * (not its value) in diag.
 */
enum sls_rc sls_module_opts_parse(int argc, const char **argv, struct sls_module_opts *opts,
				  struct sls_diag *diag);

/* One call of pam_sm_authenticate or pam_sm_acct_mgmt; lives on its stack. */
struct sls_login {
	pam_handle_t *pamh;
	bool silent; /* PAM_SILENT: no PAM_TEXT_INFO or PAM_ERROR_MSG */
	struct sls_module_opts opts;
	struct sls_config conf;
	struct sls_store store;
	struct sls_log_ctx log;
	struct sls_log_hold hold; /* the call's events, for its one entry (finish) */
	struct sls_ui ui;         /* the PAM conversation (conv.c) */
	const char *user;         /* validated with sls_name_valid before use */
	char user_buf[SLS_USER_NAME_MAX + 1];
	char alias[SLS_USER_NAME_MAX + 1]; /* the passwd name given, when not the uid's own */
	bool known;                        /* a user of the system (NSS has them) */
	struct sls_user *enrollment;
	struct sls_state *state;
};

/*
 * The PAM conversation as the flow's UI (sls_ui.h): one PAM_PROMPT_ECHO_ON
 * a prompt; messages as PAM_TEXT_INFO / PAM_ERROR_MSG unless PAM_SILENT.
 */
void sls_module_ui(struct sls_login *login);

/* Say a line through the conversation (unless PAM_SILENT); failures are ignored. */
void sls_login_say(struct sls_login *login, enum sls_say_kind kind, const char *text);

#endif /* SLS_MODULE_H */

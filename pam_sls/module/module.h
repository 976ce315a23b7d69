/*
 * pam_sls - what the module's files share, and slsd with them: one call of
 * a PAM entry point, run in-process (pam_sls.c) or relayed to slsd, which
 * runs the same login (login.c) with its socket as the conversation.
 */
#ifndef SLS_MODULE_H
#define SLS_MODULE_H

#include <stdbool.h>
#include <sys/types.h>

#include <security/pam_modules.h>

#include "sls.h"
#include "sls_wire.h"

/* The PAM line's arguments. */
struct sls_module_opts {
	const char *conf;   /* conf=FILE, or NULL for the default */
	const char *socket; /* socket=PATH: slsd's socket, or NULL for the default */
	int slsd_timeout;   /* slsd_timeout=SECONDS (1..3600), 0 when not given */
	int min_level;      /* min_level=N, 0 when not given */
	unsigned types;     /* devices=TYPE,...: sls_devtype_bit of each; 0 (all) when not given */
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

/*
 * One call of pam_sm_authenticate or pam_sm_acct_mgmt; lives on its
 * stack. The host (the module, or slsd for a relayed call) fills in pamh,
 * silent, ui, the log's identity and hooks, and for slsd the caller's
 * limits, before sls_login_run.
 */
struct sls_login {
	pam_handle_t *pamh; /* the module's handle; NULL in slsd */
	bool silent;        /* PAM_SILENT: no PAM_TEXT_INFO or PAM_ERROR_MSG */
	struct sls_module_opts opts;
	struct sls_config conf;
	struct sls_store store;
	struct sls_log_ctx log;
	struct sls_log_hold hold; /* the call's events, for its one entry (finish) */
	struct sls_ui ui;         /* the PAM conversation (conv.c) or slsd's socket */
	/*
	 * The user name as the host has it, asked once the options and sls.conf
	 * are read: pam_get_user in the module, the HELLO's in slsd. Another
	 * result than PAM_SUCCESS, or *user NULL: no name (PAM_USER_UNKNOWN).
	 */
	int (*get_user)(struct sls_login *login, const char **user);
	const char *given_user; /* slsd: the HELLO's user name */
	/*
	 * The module with root: the call handed to slsd when sls.conf's store
	 * is not the files (libpq stays out of this process); NULL in slsd.
	 */
	int (*relay)(struct sls_login *login, enum sls_wire_stage stage, int argc,
		     const char **argv);
	/* open login->store as sls.conf says (slsd: the files or the database); NULL: the files */
	enum sls_rc (*open_store)(struct sls_login *login, struct sls_diag *diag);
	/*
	 * open_store failed with SLS_ERR_IO: whether the store is out of reach
	 * (no server of its database listens), for failmode; NULL: never.
	 */
	bool (*store_unreachable)(struct sls_login *login);
	/* the debug option's lines (pam_syslog in the module); NULL: none */
	void (*debug)(void *arg, const char *line);
	void *debug_arg;
	/*
	 * slsd, for a caller without root: the one uid it may verify (a name
	 * of another uid, or one NSS does not know, is PAM_PERM_DENIED), and
	 * the only sls.conf it may name (conf= of another file is
	 * PAM_SERVICE_ERR); no enrolment inside the login for it (it showed no
	 * password). only_self false: root's call, anything goes.
	 */
	bool only_self;
	uid_t self_uid;
	const char *conf_default; /* sls.conf when the PAM line names none */
	bool conf_named;          /* conf_default was named (slsd --conf): it must be there */
	const char *user;         /* validated with sls_name_valid before use */
	char user_buf[SLS_USER_NAME_MAX + 1];
	char alias[SLS_USER_NAME_MAX + 1]; /* the passwd name given, when not the uid's own */
	bool known;                        /* a user of the system (NSS has them) */
	uid_t uid;                         /* known: the user's uid */
	struct sls_user *enrollment;
	struct sls_state *state;
};

/*
 * A login's defaults before the host sets it up: nothing open, the log
 * named ident, sls.conf at SLS_CONFIG_DEFAULT_PATH.
 */
void sls_login_init(struct sls_login *login, const char *ident);

/*
 * Run one stage with the PAM line argc/argv: options, sls.conf, the user
 * (login->get_user), the files, the second factor or the account check,
 * and the one journal entry of the call. Returns the PAM code; everything
 * it opened is let go.
 */
int sls_login_run(struct sls_login *login, enum sls_wire_stage stage, int argc, const char **argv);

/*
 * The PAM conversation as the flow's UI (sls_ui.h): one PAM_PROMPT_ECHO_ON
 * a prompt; messages as PAM_TEXT_INFO / PAM_ERROR_MSG unless PAM_SILENT.
 */
void sls_module_ui(struct sls_login *login);

/* Say a line through the login's UI (which stays silent under PAM_SILENT). */
void sls_login_say(struct sls_login *login, enum sls_say_kind kind, const char *text);

/*
 * Whether the call may go on without the second factor when the store is
 * out of reach before anything was asked of the user: sls.conf has
 * failmode = open and the service in failmode_open_services, and the
 * caller is root (the module with root, or slsd's caller of uid 0: a
 * caller without root names its service itself). The host then makes sure
 * the store is out of reach (slsd does not listen; no server of the
 * database does) before sls_login_fail_open.
 */
bool sls_login_may_fail_open(const struct sls_login *login);

/*
 * Say and log (fail-open, why as its detail) that the call goes on without
 * the second factor: the host returns PAM_IGNORE, and the other modules of
 * the stack (the password) still decide.
 */
void sls_login_fail_open(struct sls_login *login, const struct sls_diag *why);

/*
 * Whether the module, without root, relays the call to slsd: unless the
 * PAM line's conf= names a file of its own uid (a store of its own, as the
 * tests without root have), where the login runs in-process as with root.
 * With root, the login relays once sls.conf is read (struct sls_login's
 * relay) if its store is not the files.
 */
bool sls_relay_wanted(int argc, const char **argv);

/*
 * The module without root (a screen locker, or any program that calls PAM
 * as the user it checks): the call relayed to slsd at opts->socket (or
 * SLS_SLSD_SOCKET), which must be served by root (SO_PEERCRED); its prompts
 * go through the PAM conversation. The user name is asked (pam_get_user)
 * before slsd is called. slsd not there or not answering in
 * time: PAM_AUTHINFO_UNAVAIL, said and logged; a frame out of order or
 * malformed: PAM_SYSTEM_ERR. Only a RESULT frame of slsd decides, and only
 * a known PAM code is passed on.
 */
int sls_relay_run(struct sls_login *login, enum sls_wire_stage stage, int argc, const char **argv);

#endif /* SLS_MODULE_H */

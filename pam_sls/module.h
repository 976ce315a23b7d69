/* pam_sls - what the module's files share: one login attempt. */
#ifndef SLS_MODULE_H
#define SLS_MODULE_H

#include <stdbool.h>
#include <stddef.h>

#include <security/pam_modules.h>

#include "sls.h"

#define SLS_TYPE_MASK_ALL 0x3fu

/* The PAM line's arguments. */
struct sls_module_opts {
	const char *conf; /* conf=FILE, or NULL for the default */
	int min_level;    /* min_level=N, 0 when not given */
	unsigned types;   /* devices=TYPE,...: bit (1 << type); all when not given */
	bool nullok;
	bool debug;
};

/*
 * Parse argc/argv of the PAM line. An unknown or malformed argument is
 * SLS_ERR_INVAL with the argument's name (not its value) in diag.
 */
enum sls_rc sls_module_opts_parse(int argc, const char **argv, struct sls_module_opts *opts,
				  struct sls_diag *diag);

/* One login attempt; lives on the stack of pam_sm_authenticate. */
struct sls_login {
	pam_handle_t *pamh;
	bool silent; /* PAM_SILENT: no PAM_TEXT_INFO or PAM_ERROR_MSG */
	struct sls_module_opts opts;
	struct sls_config conf;
	struct sls_store store;
	struct sls_log_ctx log;
	const char *user; /* validated with sls_name_valid before use */
	char user_buf[SLS_USER_NAME_MAX + 1];
	char alias[SLS_USER_NAME_MAX + 1]; /* the passwd name given, when not the uid's own */
	struct sls_user *enrollment;
	struct sls_state *state;
	size_t usable[SLS_DEVICES_MAX]; /* indexes into enrolment->devices */
	size_t nusable;
	int best_level;    /* the highest level among active devices, 0 if none */
	size_t nexpired;   /* active devices past their expires */
	size_t nunaskable; /* active devices of a type with no prompt yet */
};

/* Which devices this login may use (active, not expired, level, devices=). */
void sls_login_usable(struct sls_login *login);

/* The menu, when there are several usable devices: *choice indexes usable[]. */
int sls_login_menu(struct sls_login *login, size_t *choice);

/*
 * Count before check, step one (sls_attempt_begin): the attempt of device d
 * is recorded as a failure before its prompt is shown. PAM_SUCCESS: a may
 * be asked. Otherwise a denial without asking: PAM_MAXTRIES (locked, the
 * user is told until when), PAM_AUTH_ERR (the device is gone), or
 * PAM_SYSTEM_ERR / PAM_SERVICE_ERR / PAM_BUF_ERR when it cannot be counted.
 */
int sls_login_begin(struct sls_login *login, const struct sls_device *d, struct sls_attempt *a);

/*
 * Ask for and check the answer of device d to attempt a (its challenge, or
 * the TOTP steps it may not reuse). PAM_SUCCESS for a right answer (*step
 * set for totp), PAM_AUTH_ERR for a wrong, empty, over-long or expired one,
 * PAM_CONV_ERR when the conversation failed, PAM_SYSTEM_ERR otherwise.
 */
int sls_login_ask(struct sls_login *login, const struct sls_device *d, const struct sls_attempt *a,
		  uint64_t *step);

/*
 * The verdict on attempt a of device d, whose answer was result: a right
 * one is recorded (sls_attempt_succeed) and is PAM_SUCCESS only when that
 * write succeeds; anything else leaves the failure of step one in place:
 * PAM_MAXTRIES when it locked the user (who is told so), else PAM_AUTH_ERR
 * (or result itself for a conversation or system error).
 */
int sls_login_finish(struct sls_login *login, const struct sls_device *d,
		     const struct sls_attempt *a, int result, uint64_t step);

/* Show a message (PAM_ERROR_MSG or PAM_TEXT_INFO) unless PAM_SILENT; failures are ignored. */
void sls_login_say(struct sls_login *login, int style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * With the debug option: a LOG_DEBUG line through pam_syslog. Callers pass
 * counts, levels and device names only, never an answer, code or secret.
 */
void sls_login_debug(struct sls_login *login, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * "Too many failed attempts; try again after HH:MM or ask an administrator.",
 * with the date (YYYY-MM-DD HH:MM) when until is not today.
 */
void sls_login_say_locked(struct sls_login *login, time_t until);

#endif /* SLS_MODULE_H */

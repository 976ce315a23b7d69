/* Module tests: a sandbox (sls.conf, store, PAM service files) and a scripted conversation. */
#ifndef SLS_PAMTEST_ENV_H
#define SLS_PAMTEST_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include <security/pam_appl.h>

#include "sls.h"

#define ENV_PIN     "4821"
#define ENV_DSC_PIN "7305"

/* The sandbox, set up once per process in env_init (see pamtest_env.c). */
const char *env_dir(void);

/* The path of this test program (for re-executing it). */
const char *env_self(void);

/* Re-exec under pam_wrapper when not yet (argv as given to main); then build the sandbox. */
void env_init(int argc, char **argv);

/* Devices env_user() can give a user. */
enum env_device {
	ENV_IBKEY = 1,
	ENV_DSC = 2,
	ENV_TOTP = 4,
	ENV_REVOKED_DSC = 8,
	ENV_EXPIRING = 16, /* the ibkey expires a day from now */
	ENV_SMS = 32,      /* an sms device, which logins cannot ask yet */
};

/* Write STORE/users/NAME with the devices asked for; remove the state file. */
void env_user(const char *name, unsigned devices);

/* Write a file under the sandbox (relative path), mode given. */
void env_write(const char *rel, const char *text, unsigned mode);

/* Read STORE/state/NAME into st (zero state if missing); false on a parse error. */
bool env_state(const char *name, struct sls_state *st);

/* What the conversation answers, in order, one per prompt. */
enum answer_kind {
	ANS_END = 0,  /* no more answers: further prompts fail the conversation */
	ANS_TEXT,     /* the text as given */
	ANS_OCRA,     /* the response to the prompt's challenge, with the ibkey's PIN */
	ANS_OCRA_DSC, /* the same for the dsc device */
	ANS_TOTP,     /* the current TOTP code */
	ANS_NULL,     /* PAM_SUCCESS with a NULL reply */
	ANS_CONV_ERR, /* the conversation fails */
	ANS_SLOW,     /* as ANS_OCRA, after sleeping 2 s */
	ANS_REVOKE,   /* as ANS_OCRA, but first the user "rex" loses all devices */
	ANS_PEEK,     /* as ANS_OCRA, noting first the failures the state file holds */
};

struct answer {
	enum answer_kind kind;
	const char *text;
};

struct conv_log {
	char prompts[8][PAM_MAX_MSG_SIZE];
	int nprompts;
	char errors[8][PAM_MAX_MSG_SIZE];
	int nerrors;
	char answers[8][128]; /* what was sent, to check it never reaches a log */
	int nanswers;
	long failures_at_prompt; /* ANS_PEEK: failures recorded while the prompt was open */
};

/* Run one authentication (and account stage when acct) of user on service. */
int env_login(const char *service, const char *user, const struct answer *answers,
	      struct conv_log *log);
/* The same with flags for pam_authenticate (PAM_SILENT). */
int env_login_flags(const char *service, const char *user, const struct answer *answers,
		    struct conv_log *log, int flags);
int env_acct(const char *service, const char *user);
/* env_login through pam_start_confdir, bypassing pam_wrapper (safe in many processes at once). */
int env_login_direct(const char *service, const char *user, const struct answer *answers);

/* The current TOTP code of the test totp device. */
void env_totp_code(char *out, size_t size);

#endif /* SLS_PAMTEST_ENV_H */

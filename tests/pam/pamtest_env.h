/* Module tests: a sandbox (sls.conf, store, PAM service files) and a scripted conversation. */
#ifndef SLS_PAMTEST_ENV_H
#define SLS_PAMTEST_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

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
	ENV_EXPIRING = 16,     /* the ibkey expires a day from now */
	ENV_SMS = 32,          /* an sms device and a verified phone */
	ENV_CARD = 64,         /* a printed security code card ("card"), no expiry */
	ENV_TEMPCODE = 128,    /* a temporary passcode issued now (env_tempcode) */
	ENV_CARD_ONLINE = 256, /* an online card ("online"), expiring online_days from now */
	ENV_OPTOUT = 512,      /* [user] optout = yes */
	ENV_SCRATCH = 1024,    /* scratch codes ("scratch"): env_scratch_code(0..2) */
};

/* The scratch codes of ENV_SCRATCH (i < 3): "12345678", "23456789", "34567890". */
const char *env_scratch_code(size_t i);

/* The temporary passcode of the last env_user with ENV_TEMPCODE ("ABCD-EFGH-JKMN"). */
const char *env_tempcode(void);

/* When the last env_user wrote its devices (their created; tempcode and card days count from it).
 */
time_t env_issued(void);

/* Write STORE/users/NAME with the devices asked for; remove the state file. */
void env_user(const char *name, unsigned devices);

/* Write a file under the sandbox (relative path), mode given. */
void env_write(const char *rel, const char *text, unsigned mode);

/* STORE/users/NAME with the first from replaced by to; the test fails when from is not there. */
void env_edit_user(const char *name, const char *from, const char *to);

/* Read STORE/state/NAME into st (zero state if missing); false on a parse error. */
bool env_state(const char *name, struct sls_state *st);

/* What the conversation answers, in order, one per prompt. */
enum answer_kind {
	ANS_END = 0,    /* no more answers: further prompts fail the conversation */
	ANS_TEXT,       /* the text as given */
	ANS_OCRA,       /* the response to the prompt's challenge, with the ibkey's PIN */
	ANS_OCRA_DSC,   /* the same for the dsc device */
	ANS_TOTP,       /* the current TOTP code */
	ANS_NULL,       /* PAM_SUCCESS with a NULL reply */
	ANS_CONV_ERR,   /* the conversation fails */
	ANS_SLOW,       /* as ANS_OCRA, after sleeping 2 s */
	ANS_REVOKE,     /* as ANS_OCRA, but first the user "rex" loses all devices */
	ANS_PEEK,       /* as ANS_OCRA, noting first the failures the state file holds */
	ANS_SMS,        /* the code the test sender last got (sms.log) */
	ANS_SMS_LATE,   /* the same, after sleeping 2 s */
	ANS_VOICE,      /* the code the test voice sender last read out (voice.log) */
	ANS_SMS_SYNC,   /* as ANS_SMS, after the file text.go appears; text.asked first */
	ANS_CARD,       /* the two codes of the card at the prompt's positions: "123 456" */
	ANS_CARD_SWAP,  /* the same two codes, in the wrong order */
	ANS_CARD_OTHER, /* the codes at those positions of another card */
	ANS_CARD_FILE,  /* the codes at those positions as a text card (the file text) shows them */
	ANS_TEXT_SLOW,  /* the text, after sleeping 2 s */
	ANS_ENROL,      /* the response of the device an enrolment showed (its URI), PIN ENV_PIN */
	ANS_ENROL_TOTP, /* the current code of the totp device an enrolment showed */
};

struct answer {
	enum answer_kind kind;
	const char *text;
};

/* Answers by kind, by text, and the end. */
#define A(kind)                                                                                    \
	{                                                                                          \
		kind, NULL                                                                         \
	}
#define T(text)                                                                                    \
	{                                                                                          \
		ANS_TEXT, text                                                                     \
	}
#define END                                                                                        \
	{                                                                                          \
		ANS_END, NULL                                                                      \
	}

struct conv_log {
	char prompts[8][PAM_MAX_MSG_SIZE];
	int nprompts;
	char errors[8][PAM_MAX_MSG_SIZE];
	int nerrors;
	char answers[8][128]; /* what was sent, to check it never reaches a log */
	int nanswers;
	long failures_at_prompt; /* ANS_PEEK: failures recorded while the prompt was open */
	int widest;              /* the widest line of any prompt in terminal columns (not a URI) */
	int tallest;             /* the most lines of any prompt */
	char last_prompt[16384]; /* the last prompt in full (prompts[] keeps 512 bytes of each) */
};

/* Whether a message of the login (an error or info text, not a prompt) holds needle. */
bool env_said(const struct conv_log *log, const char *needle);

/* How many failures STORE/state/NAME holds (the test fails if it cannot be read). */
size_t env_failures(const char *name);

/* Run one authentication (and account stage when acct) of user on service. */
int env_login(const char *service, const char *user, const struct answer *answers,
	      struct conv_log *log);
/* The same with flags for pam_authenticate (PAM_SILENT). */
int env_login_flags(const char *service, const char *user, const struct answer *answers,
		    struct conv_log *log, int flags);
int env_acct(const char *service, const char *user);
/* env_login through pam_start_confdir, bypassing pam_wrapper (safe in many processes at once). */
int env_login_direct(const char *service, const char *user, const struct answer *answers);

/* Run argv[0] (an absolute path) with argv, stdout to /dev/null, without pam_wrapper: its exit
 * status. */
int env_run(char *const argv[]);

/* Run fn in a child process: its exit status, or -1 if it did not exit. */
int env_in_child(int (*fn)(void));

/*
 * One login of user on service in a child under libfaketime (FAKETIME=offset,
 * e.g. "+61m"; "=EPOCH": the clock stopped at EPOCH; "@EPOCH": started
 * there), answering in turn with answers: comma-separated "ocra", "sms",
 * "voice-code", "totp", "card", "card-swap", "slow:TEXT" (after 2 s), or a
 * text. Its PAM code; what it was told into *log.
 */
int env_login_at(const char *service, const char *offset, const char *user, const char *answers,
		 struct conv_log *log);

/* In main after env_init: when this process is such a child, its login (and exit). */
void env_child(int argc, char **argv);

/*
 * Capture the journal: in a child process (this unshares the mount namespace),
 * our own socket at the journal's address; -1 if that cannot be made. Read what
 * came (datagrams separated by a newline) into all.
 */
int env_journal_open(void);
void env_journal_read(int fd, char *all, size_t size);

/* How many messages the test sender got (file "sms.log" or "voice.log" of the sandbox). */
int env_sent(const char *log);

/* The last code the test sender got into out (size > 6); false if none. */
bool env_last_code(const char *log, char *out, size_t size);

/*
 * The response to the challenge of prompt (its first "Challenge: NNNNNN")
 * of the test ibkey (dsc: the test dsc) with its PIN; false without one.
 */
bool env_ocra_response(const char *prompt, bool dsc, char *out, size_t size);

/* The current TOTP code of the test totp device. */
void env_totp_code(char *out, size_t size);

#endif /* SLS_PAMTEST_ENV_H */

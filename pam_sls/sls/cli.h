/* sls - what the verbs of the server-side tool share (one file per verb in pam_sls/sls/). */
#ifndef SLS_CLI_H
#define SLS_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "sls.h"

/* Exit codes (documented in sls(8)). */
enum sls_exit {
	SLS_EXIT_OK = 0,
	SLS_EXIT_USAGE = 1,    /* bad command line, or an internal error (out of memory) */
	SLS_EXIT_PERM = 2,     /* not allowed: root-only verb, --user or --conf when setuid */
	SLS_EXIT_INPUT = 3,    /* invalid type, name, label or PIN (the rule is named) */
	SLS_EXIT_STORE = 4,    /* config, store or file unreadable, unsafe, corrupt or unwritable */
	SLS_EXIT_NOTFOUND = 5, /* no such user or device */
	SLS_EXIT_EXISTS = 6,   /* a device of that name exists */
	SLS_EXIT_CONFIRM = 7,  /* enrolment not confirmed: the device was removed */
	SLS_EXIT_REFUSED = 8,  /* refused by policy (last device of a mandatory group) */
	SLS_EXIT_SENDER = 9,   /* the SMS could not be sent */
};

struct sls_cli;

/*
 * A command: its name, what it takes (printed by sls --help and on a usage
 * error), whether only root may run it, and its handler, which gets argv
 * from the verb's name on, parses its own options (sls_cli_getopt) and then
 * calls sls_cli_start. A verb with sub-verbs (phone set) has subs instead of
 * run.
 */
struct sls_verb {
	const char *name;
	const char *synopsis; /* after "sls NAME " */
	const char *summary;  /* one line for --help, or NULL */
	bool root_only;
	int (*run)(struct sls_cli *cli, int argc, char **argv);
	const struct sls_verb *subs; /* NULL-named end */
};

/* One run of sls. */
struct sls_cli {
	struct sls_config conf;
	struct sls_store store;
	struct sls_log_ctx log;
	struct sls_ui ui;                   /* the terminal (terminal.c) */
	char caller[SLS_USER_NAME_MAX + 1]; /* the real uid's user name */
	char user[SLS_USER_NAME_MAX + 1];   /* whom the verb acts on */
	uid_t ruid;                         /* the real uid */
	gid_t rgid;                         /* the real gid */
	bool setuid;                        /* running setuid root for a non-root caller */
	bool stdout_tty;
	const struct sls_verb *verb; /* the command being run */
	char verb_name[64];          /* its words: "enroll", "phone set" */
	const char *conf_path;       /* --conf, or NULL */
	const char *user_opt;        /* --user, or NULL */
	char later[512];             /* a message held back until the user's lock is released */
	time_t proven_until;         /* the expiry of the device that proved the caller (0: none) */
};

/* ---- the command line ---- */

/* The options every verb takes, for the end of a verb's getopt_long table. */
#define SLS_COMMON_OPTIONS                                                                         \
	{"conf", required_argument, NULL, 'C'}, {"user", required_argument, NULL, 'U'},            \
	    {"help", no_argument, NULL, 'H'},                                                      \
	{                                                                                          \
		NULL, 0, NULL, 0                                                                   \
	}

/*
 * getopt_long over a verb's argv (argv[0] is the verb's name): the verb's
 * own options come back; the common ones (--conf, --user, --help) are taken
 * here; an unknown one is a usage error. -1 at the end; optind then indexes
 * the operands.
 */
int sls_cli_getopt(struct sls_cli *cli, int argc, char **argv, const struct option *longopts);

/* "sls: usage: sls VERB SYNOPSIS" on stderr, exit 1. */
void sls_cli_usage(const struct sls_cli *cli) __attribute__((noreturn));

/* "usage: ..." of every verb on stdout or stderr, then exit(status). */
void sls_cli_usage_all(int status) __attribute__((noreturn));

/*
 * After the verb has read its options: refuse --conf when setuid, find
 * the caller and the user acted on, read sls.conf, open the store. Exits
 * with a message on failure; returns SLS_EXIT_OK or the store's status.
 */
/* sls_cli_start without the store: for sls db, which makes it. */
int sls_cli_start_config(struct sls_cli *cli);
int sls_cli_start(struct sls_cli *cli);

/* --pin-fd N: a descriptor 0..1024 (exits with a usage error otherwise). */
int sls_cli_parse_fd(const char *s, const char *option);

/* ---- privileges (setuid) ---- */

/*
 * Run fn with the store's privileges (root when installed setuid; nothing
 * changes otherwise) and give them up again, keeping errno: everything
 * else runs as the caller. Exits if the privileges cannot be had or given
 * up. Returns fn's result.
 */
typedef enum sls_rc (*sls_cli_store_fn)(struct sls_cli *cli, void *arg);
enum sls_rc sls_cli_as_store(struct sls_cli *cli, sls_cli_store_fn fn, void *arg);

/* The two halves of that bracket, for code that calls back (the login flow). */
void sls_cli_store_enter(const struct sls_cli *cli);
void sls_cli_store_leave(const struct sls_cli *cli);

/* The owner the store's files must have: root when setuid, else the euid. */
uid_t sls_store_owner(const struct sls_cli *cli);

/* ---- the user's files ---- */

/*
 * The name sls keys a user by: the one passwd gives name's uid, so that
 * every alias of a uid (useradd -o) and every spelling NSS accepts finds
 * the same enrolment. False when NSS does not know name or it does not fit.
 */
bool sls_cli_uid_name(const char *name, char *out, size_t size);

/*
 * The user's lock could not be had (SLS_ERR_LOCK): say which process holds
 * it (from /proc/locks), for root to stop it; nothing was changed.
 * Returns SLS_EXIT_STORE.
 */
int sls_cli_lock_error(struct sls_cli *cli);

/* Print "sls: FILE: message" for an enrolment/state problem; returns SLS_EXIT_STORE etc. */
int sls_cli_file_error(struct sls_cli *cli, const char *what, enum sls_rc rc,
		       const struct sls_diag *diag);

/* "2026-11-22 10:15" (local time) or "-" for 0. */
void sls_cli_time(time_t t, char *buf, size_t size);

/*
 * A table cell in terminal columns, not bytes (sls_text_width): a
 * translated heading or word (Cyrillic, CJK) is padded as wide as it is shown.
 */
void sls_cli_cell(FILE *out, const char *s, int width);

/* Why rc (with errno errnum), into out: the common library's words, and what "unsafe" asks. */
void sls_cli_why(enum sls_rc rc, int errnum, char *out, size_t size);

/* Load cli->user's enrolment file; a missing one is an empty user when missing_ok. */
int sls_cli_read_user(struct sls_cli *cli, struct sls_user *user, bool missing_ok);

/* Load cli->user's state file (a missing one is the zero state). */
int sls_cli_read_state(struct sls_cli *cli, struct sls_state *state);

/*
 * Read cli->user's enrolment file (a missing one: no devices) and state
 * file, show them with fn, then wipe and free them: fn's status, or the
 * read's error.
 */
typedef int (*sls_cli_view_fn)(struct sls_cli *cli, const struct sls_user *user,
			       const struct sls_state *state, void *arg);
int sls_cli_view(struct sls_cli *cli, sls_cli_view_fn fn, void *arg);

/*
 * Read cli->user's enrolment file (missing: no devices when missing_ok, else
 * an error), hand it to fn, then wipe and free it: fn's status, or the
 * read's error. For what is decided before a lock is taken (which device,
 * which proof); a transaction reads the files again.
 */
typedef int (*sls_cli_user_fn)(struct sls_cli *cli, struct sls_user *user, void *arg);
int sls_cli_with_user(struct sls_cli *cli, bool missing_ok, sls_cli_user_fn fn, void *arg);

/*
 * A message (as warnx prints it) held back until the user's lock is
 * released: sls prints nothing while it holds a lock, so that a stderr
 * nobody reads (a full pipe) or a stopped terminal cannot keep the lock.
 * The first message is kept. sls_cli_say_later prints and forgets it.
 */
void sls_cli_later(struct sls_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sls_cli_say_later(struct sls_cli *cli);

/* What a transaction of sls reads (sls_cli_transact). */
enum sls_cli_load {
	SLS_CLI_USER = 1u << 0,     /* the enrolment file, which must exist */
	SLS_CLI_NEW_USER = 1u << 1, /* the enrolment file, empty when missing */
	SLS_CLI_STATE = 1u << 2,    /* the state file */
};

typedef int (*sls_cli_txn_fn)(struct sls_cli *cli, struct sls_txn *t, void *arg);

/*
 * One transaction on cli->user (sls_txn.h), with the store's privileges
 * around the file work: read what load names, call fn (which changes
 * t->user / t->state, sets t->user_changed / t->state_changed, returns an
 * exit status, and prints nothing: sls_cli_later), commit when fn returns
 * SLS_EXIT_OK, release the lock, and only then print. fn runs with the
 * caller's privileges. A corrupt file is reported and never written over.
 */
int sls_cli_transact(struct sls_cli *cli, unsigned load, sls_cli_txn_fn fn, void *arg);

/* ---- asking the user ---- */

/* The terminal as the login flow's UI: prompts on stdout, replies from stdin, errors as warnx. */
void sls_cli_terminal_ui(struct sls_cli *cli);

/*
 * Self-service: a caller other than root who has usable devices must first
 * answer with the strongest one, counted like a login (sls_flow_attempt:
 * the attempt is recorded as a failure before the challenge is shown; a
 * right answer clears it; a locked user is refused), and may not reach a
 * device of a higher level than it (new_level, SLS_EXIT_REFUSED; a
 * temporary passcode, which an administrator gave, reaches any): otherwise
 * anything running as the user could add its own second factor or remove
 * the user's. purpose starts the line that asks ("To add a device"). Root
 * and users with no active device pass at once; a user whose active devices
 * cannot answer (expired, used up, a shared one whose device no longer
 * answers, or of a type with no prompt) is refused: a device that stopped
 * answering is no licence to add or remove one.
 */
int sls_cli_prove(struct sls_cli *cli, int new_level, const char *purpose);

/*
 * Whether device d of user u can answer a proof at now: askable, usable,
 * not used up by the state st (NULL: not asked), a temporary passcode in
 * its login days, and a shared one only while it resolves (sls_share.h).
 */
bool sls_cli_answers(struct sls_cli *cli, const struct sls_user *u, const struct sls_state *st,
		     const struct sls_device *d, time_t now);

/* Whether d is an active device shared from another user whose device no longer answers for it. */
bool sls_cli_dead_share(struct sls_cli *cli, const struct sls_user *u, const struct sls_device *d,
			time_t now);

/*
 * The same with device d (as read from cli->user's files; the flow checks
 * it is still there, unchanged and usable), whoever runs sls: one counted
 * answer; SLS_EXIT_OK only for a right one, in time, recorded. card_print:
 * the answer is for sls card print (a temporary passcode past its login
 * days is taken).
 */
int sls_cli_prove_with(struct sls_cli *cli, const struct sls_device *d, const char *purpose,
		       bool card_print);

/* ---- the verbs (one file each) ---- */

extern const struct sls_verb sls_verb_enroll, sls_verb_devices, sls_verb_revoke, sls_verb_pin,
    sls_verb_phone, sls_verb_card, sls_verb_transfer, sls_verb_optout, sls_verb_optin,
    sls_verb_share, sls_verb_unshare, sls_verb_status, sls_verb_tempcode, sls_verb_unlock,
    sls_verb_identity, sls_verb_import_ga, sls_verb_doctor, sls_verb_log, sls_verb_db,
    sls_verb_migrate;

/*
 * For root's verbs on a USER operand: refused with --user (usage); USER
 * keyed by its uid's name, or as given when passwd no longer knows it but
 * the store has its enrolment (to look at or unlock). Sets cli->user.
 */
int sls_cli_target_user(struct sls_cli *cli, const char *name);

/*
 * The run of a verb that takes the common options and nargs operands, no
 * option of its own (devices, status USER, phone verify CODE): parse,
 * start, then fn(cli, operands).
 */
int sls_cli_run_args(struct sls_cli *cli, int argc, char **argv, int nargs,
		     int (*fn)(struct sls_cli *cli, char **args));

/*
 * n temporary passcodes of cli->user were revoked because a device was
 * activated (sls_user_revoke_stand_ins): journaled, and said on out.
 */
void sls_cli_stand_ins_revoked(struct sls_cli *cli, FILE *out, size_t n);

/* Print cli->user's devices (devices.c; status shows them too); *count gets how many. */
int sls_cli_show_devices(struct sls_cli *cli, size_t *count);

#endif /* SLS_CLI_H */

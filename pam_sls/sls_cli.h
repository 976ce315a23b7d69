/* sls - what the verbs of the server-side tool share. */
#ifndef SLS_CLI_H
#define SLS_CLI_H

#include <stdbool.h>
#include <sys/types.h>

#include "sls.h"
#include "sls_opts.h"

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
};

/* One run of sls. */
struct sls_cli {
	struct sls_config conf;
	struct sls_store store;
	struct sls_log_ctx log;
	char caller[SLS_USER_NAME_MAX + 1]; /* the real uid's user name */
	char user[SLS_USER_NAME_MAX + 1];   /* whom the verb acts on */
	uid_t ruid;                         /* the real uid */
	gid_t rgid;                         /* the real gid */
	bool setuid;                        /* running setuid root for a non-root caller */
	bool stdout_tty;
	const char *verb; /* the command's name, for messages */
	const struct sls_opts *opts;
	char later[512]; /* a message held back until the user's lock is released */
};

/*
 * Privileges when installed setuid root: everything runs with the caller's
 * effective uid except store access, bracketed by these two. Outside setuid
 * they do nothing. sls_priv_store() returns false (errno set) on failure.
 */
bool sls_priv_store(const struct sls_cli *cli);
void sls_priv_user(const struct sls_cli *cli);

/* The owner the store's files must have: root when setuid, else the euid. */
uid_t sls_store_owner(const struct sls_cli *cli);

/*
 * The name sls keys a user by: the one passwd gives name's uid, so that
 * every alias of a uid (useradd -o) and every spelling NSS accepts finds
 * the same enrolment. False when NSS does not know name or it does not fit.
 */
bool sls_cli_uid_name(const char *name, char *out, size_t size);

/* Open the store (creating it as needed), with store privileges. */
int sls_cli_open_store(struct sls_cli *cli);

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

/* Load cli->user's enrolment file; a missing one is an empty user when missing_ok. */
int sls_cli_read_user(struct sls_cli *cli, struct sls_user *user, bool missing_ok);

/* Load cli->user's state file (a missing one is the zero state). */
int sls_cli_read_state(struct sls_cli *cli, struct sls_state *state);

/*
 * Ask device d for one answer on stdin: ibkey/dsc print "Challenge: " and
 * challenge (a fresh one when NULL) and ask "Response: ", totp asks
 * "Verification code: " (steps <= not_before refused). True for a right
 * answer, with *step set for totp; *eof at the end of input. Only the
 * confirmation of a new device asks without counting (its secret has just
 * been shown); every other answer goes through sls_cli_prove.
 */
bool sls_cli_answer(const struct sls_device *d, const char *challenge, uint64_t not_before,
		    uint64_t *step, bool *eof);

/*
 * Self-service: a caller other than root who has usable devices must first
 * answer with the strongest one, counted like a login (the attempt is
 * recorded as a failure before the challenge is shown; a right answer
 * clears it; a locked user is refused), and may not reach a device of a
 * higher level than it (new_level, SLS_EXIT_REFUSED): otherwise anything
 * running as the user could add its own second factor or remove the user's.
 * purpose starts the line that asks ("To add a device"). Root and users
 * with no active device pass at once; a user whose active devices cannot
 * answer (expired, or of a type with no prompt) is refused.
 */
int sls_cli_prove(struct sls_cli *cli, int new_level, const char *purpose);

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

/* The verbs: argc/argv start after the verb name. */
int sls_cmd_enroll(struct sls_cli *cli, int argc, char **argv);
int sls_cmd_devices(struct sls_cli *cli, int argc, char **argv);
int sls_cmd_revoke(struct sls_cli *cli, int argc, char **argv);
int sls_cmd_status(struct sls_cli *cli, int argc, char **argv);
int sls_cmd_unlock(struct sls_cli *cli, int argc, char **argv);

#endif /* SLS_CLI_H */

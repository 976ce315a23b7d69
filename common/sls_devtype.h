/*
 * pam_sls - device types: what one kind of second factor is, in one file of
 * common/devtype/ each, behind one table of hooks (doc/design.md, "Device
 * types"). Code outside common/devtype/ reaches a type only through these.
 */
#ifndef SLS_DEVTYPE_H
#define SLS_DEVTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sls_error.h"

struct sls_device;
struct sls_device_state;
struct sls_attempt;
struct sls_config;
struct sls_ini_buf;
struct sls_log_ctx;
struct sls_state;
struct sls_ui;
struct sls_user;

/* The PIN a type's holder chooses (the policy of sls_pin_check). */
enum sls_pin_kind {
	SLS_PINKIND_NONE,     /* the type has no PIN */
	SLS_PINKIND_ANY_4_6,  /* 4 to 6 letters, digits or specials (ibkey) */
	SLS_PINKIND_DIGITS_4, /* exactly 4 digits (dsc) */
};

/*
 * One key of a [device NAME] section that only some types have (suite,
 * secret, pin_hash). parse stores value in d and returns NULL, or why the
 * value is bad (never the value itself).
 */
struct sls_devkey {
	const char *name;
	const char *(*parse)(struct sls_device *d, const char *value);
	bool required;
};

/* What prepare and renew may read and, under the user's lock, change. */
struct sls_hookctx {
	const struct sls_config *conf;     /* sls.conf */
	const struct sls_user *user;       /* the enrolment, as read under the lock (may be NULL) */
	struct sls_state *state;           /* the state, written after the hook (may be NULL) */
	const struct sls_device_state *ds; /* the device's own entry, NULL when it has none */
	time_t now;
};

/* What a prompt needs besides the device and the attempt. */
struct sls_ask {
	const struct sls_ui *ui;
	unsigned timeout; /* seconds an answer may take (challenge_timeout); 0 = no limit */
	const struct sls_config *conf; /* the senders and their limits; challenge_qr */
	const struct sls_log_ctx *log; /* for what the attempt sends, never a code */
	/*
	 * The account a challenge's QR code names ([login] challenge_qr): the
	 * user whose enrolment holds the device (for a shared device, the user
	 * it is shared from), as the store keys users; NULL: no QR code.
	 */
	const char *user;
	/*
	 * A new code for d in a short transaction of its own (the type's
	 * renew hook under the user's lock, the state written, the lock
	 * released); NULL when the host offers none (sls enroll's
	 * confirmation).
	 */
	enum sls_rc (*renew)(const struct sls_ask *ask, const struct sls_device *d,
			     struct sls_attempt *a);
	/*
	 * Around a sender's run: the privileges the host's senders run with
	 * (sls setuid: the store's, not the caller's); NULL when the host
	 * already has them.
	 */
	void (*sender_enter)(const struct sls_ask *ask);
	void (*sender_leave)(const struct sls_ask *ask);
	const void *host; /* what renew and the sender hooks need of their host */
	/*
	 * The answer is for sls card print, not a login: a temporary passcode
	 * past its login days is still taken here.
	 */
	bool card_print;
	/* set when the answer came after timeout (sls_ask_too_late); NULL: not wanted */
	bool *late;
};

/*
 * Whether the answer to a prompt shown at asked (CLOCK_MONOTONIC) came
 * after ask->timeout: the user is told so, *ask->late is set, and the
 * type treats the answer as wrong (SLS_ERR_MISMATCH).
 */
bool sls_ask_too_late(const struct sls_ask *ask, const struct timespec *asked);

/* What sls enroll gives a new device's provisioning URI. */
struct sls_provision {
	const char *account; /* the user */
	const char *issuer;  /* the host */
};

/*
 * A device type. Every hook gets devices of its own type only. The file
 * hooks are required; a type without attempt cannot be asked at a login
 * yet, and one without provision is not made by sls enroll.
 */
struct sls_devtype {
	const char *name; /* in the file's type = and on the PAM line's devices= */
	int level;        /* what min_level= compares: 4 is the strongest */
	enum sls_pin_kind pin;
	/*
	 * Only a stand-in until the user has a device of their own (tempcode):
	 * revoked when another device is activated (sls_user_revoke_stand_ins).
	 */
	bool stand_in;

	/* ---- the enrolment file ---- */
	const struct sls_devkey *keys; /* the type's own keys, in the order they are written */
	size_t nkeys;
	/* How many bytes of sls_device.u are the type's own; the rest stays zero. */
	size_t own_size;
	/*
	 * The section is read: cross-check the keys (seen[i]: keys[i] was
	 * there) and set defaults. NULL, or why, with *bad the index of the
	 * key to blame (-1: the section).
	 */
	const char *(*finish)(struct sls_device *d, const bool *seen, int *bad);
	/* Whether d's own fields are what finish would accept (before a write). */
	bool (*valid)(const struct sls_device *d);
	/* The type's own keys, as the parser reads them back. */
	void (*format)(struct sls_ini_buf *b, const struct sls_device *d);

	/* ---- a login (NULL: not asked yet) ---- */
	/*
	 * Whether an active, unexpired device of the type can answer at now
	 * (NULL: it can). Asked for every login, with no lock held.
	 */
	bool (*usable)(const struct sls_device *d, const struct sls_user *u, time_t now);
	/*
	 * Whether the device has nothing left to answer with, by its state ds
	 * (NULL: no entry yet): scratch codes all used. Such a device is not
	 * offered. NULL: never.
	 */
	bool (*spent)(const struct sls_device *d, const struct sls_device_state *ds);
	/*
	 * What the device menu shows after the type (NULL: the device's
	 * name): sms shows where the code goes, the masked number.
	 */
	void (*label)(const struct sls_device *d, const struct sls_user *u, char *out, size_t size);
	/*
	 * Before the prompt, under the user's lock (count before check): what
	 * the prompt needs, from the state, into a: a fresh challenge none of
	 * the device's used ones, the steps a code may not reuse, a code to
	 * send (which it records in ctx->state).
	 */
	enum sls_rc (*prepare)(const struct sls_device *d, const struct sls_hookctx *ctx,
			       struct sls_attempt *a);
	/*
	 * Ask d's question for a through ask->ui and check the reply:
	 * SLS_OK right (*step set for a time-based code), SLS_ERR_MISMATCH
	 * wrong, empty, over-long or too late, SLS_ERR_CONV when the
	 * conversation failed, SLS_ERR_SENDER when a code could not be sent
	 * (not the user's failure), another error otherwise. It may update a
	 * (a new code sent on request).
	 */
	enum sls_rc (*attempt)(const struct sls_device *d, struct sls_attempt *a,
			       const struct sls_ask *ask, uint64_t *step);
	/*
	 * A right answer, under the user's lock: what it changes in the
	 * device's state ds or the user's state (the step, the challenge, the
	 * code used). SLS_ERR_MISMATCH when the answer was used meanwhile (a
	 * replay): nothing changes.
	 */
	enum sls_rc (*record)(const struct sls_device *d, struct sls_state *state,
			      struct sls_device_state *ds, const struct sls_attempt *a,
			      uint64_t step);
	/*
	 * What a store shared by servers keeps of a right answer, so that it
	 * is used once across all of them whatever the state says
	 * (sls_userdb_claim): a key a second use of the same answer repeats,
	 * never a secret, into out; *keep: how long it matters (seconds, 0:
	 * as long as the device). false: nothing to keep (the type's answers
	 * are not one-use, or the state alone keeps them). NULL: never.
	 */
	bool (*used_key)(const struct sls_device *d, const struct sls_attempt *a, uint64_t step,
			 char *out, size_t size, unsigned *keep);
	/*
	 * Asked again for a new code (ask->renew), under the lock: a new one
	 * into a and ctx->state, or SLS_ERR_WAIT when one was sent too
	 * recently. NULL: the type has no such thing.
	 */
	enum sls_rc (*renew)(const struct sls_device *d, const struct sls_hookctx *ctx,
			     struct sls_attempt *a);

	/* ---- sls enroll (NULL: not enrolled that way) ---- */
	/*
	 * A new secret and the type's parameters in d (name set), and the URI
	 * the authenticator imports (*uri, malloc'ed; free with
	 * sls_free_secret_str).
	 */
	enum sls_rc (*provision)(struct sls_device *d, const struct sls_provision *p, char **uri);
	/* The PIN the holder chose (checked by sls_pin_check), into d (for pin != NONE). */
	enum sls_rc (*set_pin)(struct sls_device *d, const char *pin);
};

/*
 * The types a store's files may hold. The built-in list is every type the
 * project ships; a test may give a store a list with a type of its own.
 */
struct sls_devtypes {
	const struct sls_devtype *const *list;
	size_t n;
};

extern const struct sls_devtype sls_devtype_ibkey, sls_devtype_dsc, sls_devtype_totp,
    sls_devtype_sms, sls_devtype_card, sls_devtype_tempcode, sls_devtype_scratch;

/*
 * The types pam_sls ships, in the order of the registry (their bits in
 * devices= follow it). A new type is one file in common/devtype/ and one
 * entry here; a test adds its own type after the list in a list of its own.
 */
#define SLS_DEVTYPES_BUILTIN_LIST                                                                  \
	&sls_devtype_ibkey, &sls_devtype_dsc, &sls_devtype_totp, &sls_devtype_sms,                 \
	    &sls_devtype_card, &sls_devtype_tempcode, &sls_devtype_scratch
extern const struct sls_devtypes sls_devtypes_builtin;

/* The type called name in types, or NULL. */
const struct sls_devtype *sls_devtype_find(const struct sls_devtypes *types, const char *name);

/* The bit of t in a mask of types (devices=): 1 << its place in types; 0 if not there. */
unsigned sls_devtype_bit(const struct sls_devtypes *types, const struct sls_devtype *t);

/* Every type of types (the mask when devices= is not given). */
unsigned sls_devtype_mask_all(const struct sls_devtypes *types);

/* Whether a login can ask a device of type t (it has an attempt hook). */
bool sls_devtype_askable(const struct sls_devtype *t);

/* Whether d has nothing left to answer with by its state ds (may be NULL): its type's spent hook.
 */
bool sls_devtype_spent(const struct sls_device *d, const struct sls_device_state *ds);

/*
 * "ibkey, dsc and totp": the names of the types sls enroll makes (with
 * provision), in registry order, into buf.
 */
void sls_devtype_enrollable_names(const struct sls_devtypes *types, char *buf, size_t size);

/* "ibkey, dsc": the names of the types with a PIN, in registry order, into buf. */
void sls_devtype_pin_names(const struct sls_devtypes *types, char *buf, size_t size);

/* "4: dsc, 3: ibkey, 2: totp, 1: sms/card": the askable types by level, strongest first. */
void sls_devtype_levels_text(const struct sls_devtypes *types, char *buf, size_t size);

/* ---- for the type files: keys several types share ---- */

/* secret = BASE32 of 16 to SLS_SECRET_MAX bytes. */
const char *sls_devkey_secret(struct sls_device *d, const char *value);
void sls_devkey_format_secret(struct sls_ini_buf *b, const struct sls_device *d);
bool sls_devkey_secret_ok(const struct sls_device *d);

/* The keys of a type whose only key is its secret (keys, nkeys, valid and format hooks). */
extern const struct sls_devkey sls_devkeys_secret_only[1];

#endif /* SLS_DEVTYPE_H */

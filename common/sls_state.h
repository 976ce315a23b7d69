/* pam_sls - the state file STORE/state/USER (doc/design.md, "The files"). */
#ifndef SLS_STATE_H
#define SLS_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sls_enroll.h"
#include "sls_error.h"

struct sls_attempt;

#define SLS_FAILURES_MAX 100 /* failure times kept (deny may not exceed it) */
/*
 * Challenges a device answered right that it is never given again: those of
 * its last SLS_USED_CHALLENGES_MAX successful logins. A response shown on a
 * screen is then worth nothing, however many challenges are drawn.
 */
#define SLS_USED_CHALLENGES_MAX 1000
#define SLS_CHALLENGE_DIGITS    6

/*
 * Per-device state, one [device NAME] section: totp_last_step, last_used,
 * challenges (comma-separated 6-digit challenges, oldest first; may go on
 * over indented lines; absent when there are none), created, card_pair
 * (a card: the two positions it was last asked, "17,45"; absent before).
 *
 * State goes with a device's identity, not its name alone: created is the
 * device's own created time (sls makes it differ from that of any earlier
 * device of the same name), so a device enrolled under a revoked one's name
 * starts afresh. An entry without created (written before it existed)
 * belongs to the device of its name.
 */
struct sls_device_state {
	char name[SLS_DEVICE_NAME_MAX + 1];
	time_t created;             /* the device's created, 0 = any device of this name */
	uint64_t totp_last_step;    /* last accepted TOTP step, 0 = none */
	time_t last_used;           /* last successful use, 0 = never */
	unsigned char card_pair[2]; /* 1..100 and distinct, or both 0 */
	size_t nused;
	uint32_t used[SLS_USED_CHALLENGES_MAX]; /* < 10^6, oldest first */
};

#define SLS_CODE_SALT_LEN   16
#define SLS_CODE_HASH_LEN   32
#define SLS_SMS_CODE_DIGITS 6

/*
 * A code sent to a phone and not used yet, kept only as a salted hash
 * (HMAC-SHA-256 of the code keyed with a random salt). sent stays after
 * the code is used or expires: it is what the rate limit counts from.
 */
struct sls_pending_code {
	time_t sent;    /* when the last code was sent, 0 = never */
	time_t called;  /* sms: when a call last read a code out, 0 = never */
	time_t expires; /* when the pending code stops working */
	uint8_t salt[SLS_CODE_SALT_LEN];
	uint8_t hash[SLS_CODE_HASH_LEN];
	bool pending; /* hash holds a code not used yet */
};

/*
 * [state] keys: failures (comma-separated epoch seconds, ascending, at most
 * SLS_FAILURES_MAX), locked_until, last_device; the SMS code of a login:
 * sms_sent, sms_expires, and while one is pending sms_salt and
 * sms_code_hash (hex); the phone being verified: phone_pending (the new
 * number), phone_sent, phone_expires, phone_salt, phone_code_hash. All
 * optional; an absent state file is the zero state.
 */
struct sls_state {
	size_t nfailures;
	time_t failures[SLS_FAILURES_MAX]; /* ascending */
	time_t locked_until;               /* 0 = not locked */
	char last_device[SLS_DEVICE_NAME_MAX + 1];
	struct sls_pending_code sms;           /* the code of an sms login */
	char phone_pending[SLS_PHONE_MAX + 1]; /* a number sls phone set is verifying */
	struct sls_pending_code phone;         /* its confirm code */
	size_t ndevices;
	struct sls_device_state devices[SLS_DEVICES_MAX];
};

/*
 * A new code for p: SLS_SMS_CODE_DIGITS uniform digits into code (size >
 * SLS_SMS_CODE_DIGITS), a fresh salt, the hash; sent = now, expires = now +
 * validity. The caller sends code, then wipes it.
 */
enum sls_rc sls_pending_new(struct sls_pending_code *p, char *code, size_t size, time_t now,
			    unsigned validity);

/*
 * Whether code is p's pending code and p has not expired at now (the hash
 * compared in constant time). SLS_OK; SLS_ERR_GONE for the right code
 * after it expired; SLS_ERR_MISMATCH; SLS_ERR_CRYPTO.
 */
enum sls_rc sls_pending_check(const struct sls_pending_code *p, const char *code, time_t now);

/* The code is used (or withdrawn): nothing pending; sent is kept for the rate limit. */
void sls_pending_drop(struct sls_pending_code *p);

/* Same rules as sls_user_parse: any error is SLS_ERR_FORMAT with a line, *state zeroed. */
enum sls_rc sls_state_parse(const char *buf, struct sls_state *state, struct sls_diag *diag);

/* Serialize; free *out with sls_free_secret(*out, *len + 1). */
enum sls_rc sls_state_format(const struct sls_state *state, char **out, size_t *len);

/*
 * The state of device d: its entry, made (zeroed, with d's name and created)
 * when it has none or when the entry of its name belongs to an earlier
 * device; NULL when the table is full or the name is bad.
 */
struct sls_device_state *sls_state_device(struct sls_state *state, const struct sls_device *d);

/* The state of device d, or NULL when it has none (never used, or a new device of an old name). */
const struct sls_device_state *sls_state_find(const struct sls_state *state,
					      const struct sls_device *d);

/* Whether challenge is one ds answered in its recent successful logins. */
bool sls_device_state_used(const struct sls_device_state *ds, uint32_t challenge);

/* Add challenge to ds's used ones, dropping the oldest past SLS_USED_CHALLENGES_MAX. */
void sls_device_state_add_used(struct sls_device_state *ds, uint32_t challenge);

/* s[0..n) as a challenge: exactly SLS_CHALLENGE_DIGITS digits. */
bool sls_challenge_parse(const char *s, size_t n, uint32_t *out);

/*
 * Drop per-device entries (and last_device) of no device of user (no device
 * of that name, or only a later one), so that the table never fills up with
 * devices long gone.
 */
void sls_state_prune(struct sls_state *state, const struct sls_user *user);

/*
 * Record a failure at now: drop failures older than now - window, append
 * now (dropping the oldest when full). Returns the count within the window.
 */
size_t sls_state_add_failure(struct sls_state *state, time_t now, time_t window);

/* Failures within (now - window, now]. */
size_t sls_state_count_failures(const struct sls_state *state, time_t now, time_t window);

/*
 * The rules every caller applies to an answer (the module at login, sls when
 * a user proves who they are):
 * sls_state_note_success records a right answer of device to attempt a (a
 * time-based code with the step it matched): the type's record hook says
 * what it changes in the device's state (the step, or the challenge, used),
 * or SLS_ERR_MISMATCH for a replay (nothing changes); SLS_ERR_TOOBIG when
 * the device table is full; otherwise the failures and the lock are
 * cleared, and the device's last use and last_device are set. A device in
 * no file (created 0: sls_device_phone) keeps no entry: its record hook
 * gets ds NULL, and last_device stays.
 * sls_state_note_failure records a counted failure and returns true when it
 * locks the user: deny failures within window lock until now + unlock_time.
 */
enum sls_rc sls_state_note_success(struct sls_state *state, const struct sls_device *device,
				   const struct sls_attempt *a, uint64_t step, time_t now);
bool sls_state_note_failure(struct sls_state *state, time_t now, unsigned window, unsigned deny,
			    unsigned unlock_time);

/*
 * Take back the provisional failure written at at (its attempt did not
 * happen: a code could not be sent), and the lock it set (lock_set, 0 for
 * none) unless another has been set since.
 */
void sls_state_take_back(struct sls_state *state, time_t at, time_t lock_set);

/* Wipe *state. */
void sls_state_clear(struct sls_state *state);

#endif /* SLS_STATE_H */

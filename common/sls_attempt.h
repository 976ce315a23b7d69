/*
 * pam_sls - count before check: one attempt of one device, recorded in two
 * steps around its prompt (doc/design.md, "Count before check").
 */
#ifndef SLS_ATTEMPT_H
#define SLS_ATTEMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "sls_config.h"
#include "sls_enroll.h"
#include "sls_error.h"
#include "sls_file.h"
#include "sls_state.h"

/* What step one hands to the prompt and to step two. Wipe it after use. */
struct sls_attempt {
	time_t at;       /* when the provisional failure was written */
	time_t lock_set; /* the lock the provisional failure set, 0 when it set none */
	char challenge[SLS_CHALLENGE_DIGITS + 1]; /* OCRA devices: the one to show; else "" */
	uint64_t not_before;                      /* totp: steps up to this one are used */
	char code[SLS_SMS_CODE_DIGITS + 1];       /* sms: a code made now, to send (a secret) */
	struct sls_pending_code pending;          /* sms: the code the state holds */
	char phone[SLS_PHONE_MAX + 1];            /* sms: where it goes ([user] phone) */
	bool call; /* sms: what renew is asked for is a call that reads the code out */
	unsigned char positions[2]; /* card: the two positions asked, 1..100 */
	bool card_print; /* the answer is for sls card print (struct sls_ask), not a login */
};

/*
 * Step one, before the device's prompt is shown. In a transaction on user
 * (files owned by owner): the device must still be d (the same created,
 * secret, PIN hash and suite) and be active and unexpired (else
 * SLS_ERR_GONE), and the user not locked (else
 * SLS_ERR_LOCKED with *until); a challenge the device did not answer in its
 * recent logins is drawn, a failure is added (which locks the user when it
 * is the deny-th within the window: a->lock_set), and the state is written.
 * Only after SLS_OK may the prompt be shown: any other result is a denial
 * without asking, so no answer is ever checked that was not counted first.
 * SLS_ERR_WAIT: the type cannot prepare yet (sms: a new code only every
 * min_interval), nothing is written, *until says when it can.
 */
enum sls_rc sls_attempt_begin(const struct sls_store *store, const char *user, uid_t owner,
			      const struct sls_config *conf, const struct sls_device *d,
			      struct sls_attempt *a, time_t *until, struct sls_diag *diag);

/*
 * Step two, for a right answer only: a wrong one writes nothing, the failure
 * of step one stands. In a new transaction: the device must still be the
 * same and usable (SLS_ERR_GONE); a lock set since step one by another
 * attempt wins (SLS_ERR_LOCKED with *until); a TOTP step used meanwhile is a
 * replay (SLS_ERR_MISMATCH). Otherwise sls_state_note_success (the failures
 * and the lock cleared, the step or the challenge recorded) and the state is
 * written. After any error the failure of step one stays and the caller
 * denies: no verdict depends on a write succeeding.
 */
enum sls_rc sls_attempt_succeed(const struct sls_store *store, const char *user, uid_t owner,
				const struct sls_device *d, const struct sls_attempt *a,
				uint64_t step, time_t *until, struct sls_diag *diag);

/*
 * The attempt did not happen after all: the device's code could not be sent
 * (SLS_ERR_SENDER), which is not the user's failure. In a transaction: the
 * provisional failure written at a->at is taken back (and the lock it set),
 * and the code made for it is withdrawn; when it was made stays (the rate
 * limit holds: a sender may fail after all went out). If this write fails,
 * the failure simply stays.
 */
enum sls_rc sls_attempt_refund(const struct sls_store *store, const char *user, uid_t owner,
			       const struct sls_attempt *a, struct sls_diag *diag);

/*
 * A new code for device d within attempt a, or with a->call a call that
 * reads one out (the type's renew hook, in a transaction of its own):
 * SLS_OK with a updated, SLS_ERR_WAIT (too soon; a->pending says since
 * when), SLS_ERR_GONE, or a store error.
 */
enum sls_rc sls_attempt_renew(const struct sls_store *store, const char *user, uid_t owner,
			      const struct sls_config *conf, const struct sls_device *d,
			      struct sls_attempt *a, struct sls_diag *diag);

/*
 * SLS_CHALLENGE_DIGITS random digits into out (size > SLS_CHALLENGE_DIGITS)
 * that are none of the challenges ds answered recently (ds may be NULL).
 */
enum sls_rc sls_challenge_draw(const struct sls_device_state *ds, char *out, size_t size);

#endif /* SLS_ATTEMPT_H */

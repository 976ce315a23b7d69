/*
 * pam_sls - the login flow that every host runs (doc/design.md, "A login"):
 * the lock, the usable devices, the menu, one attempt counted before it is
 * checked. The module runs it through the PAM conversation, sls (to prove
 * who a user is) through the terminal, tests and fuzzers through a
 * scripted UI. It never sees a pam_handle_t.
 */
#ifndef SLS_FLOW_H
#define SLS_FLOW_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "sls_config.h"
#include "sls_devtype.h"
#include "sls_enroll.h"
#include "sls_error.h"
#include "sls_file.h"
#include "sls_log.h"
#include "sls_state.h"
#include "sls_ui.h"

/* What the host gives the flow; it is only read. */
struct sls_flow {
	const struct sls_config *conf;
	const struct sls_store *store; /* store->types: the types its files hold */
	uid_t owner;                   /* who owns the store's files */
	const char *user;              /* keyed as the store keys users */
	const struct sls_ui *ui;
	const struct sls_log_ctx *log;
	int min_level;      /* min_level=: 0 = any */
	unsigned type_mask; /* devices=: bits of sls_devtype_bit; 0 = every type */
	bool card_print;    /* the answer is for sls card print (struct sls_ask) */
	/* With the debug option: a line that explains a decision, without values. */
	void (*debug)(void *arg, const char *line);
	void *debug_arg;
	/*
	 * Around each write of the store (a setuid sls takes root's rights for
	 * it and gives them up for the prompt); NULL when the host runs as the
	 * store's owner throughout.
	 */
	void (*store_enter)(void *arg);
	void (*store_leave)(void *arg);
	void *store_arg;
};

enum sls_verdict {
	SLS_VERDICT_SUCCESS,     /* a right answer, recorded */
	SLS_VERDICT_WRONG,       /* not a right answer (counted), or none chosen */
	SLS_VERDICT_LOCKED,      /* locked, before or by this attempt (the user was told) */
	SLS_VERDICT_NO_DEVICE,   /* no active device at all: nullok is the host's to apply */
	SLS_VERDICT_REFUSED,     /* devices, none usable here (the user was told why) */
	SLS_VERDICT_CONV,        /* the conversation failed (at a device's prompt: counted) */
	SLS_VERDICT_UNAVAILABLE, /* a code could not be sent (not counted; the user was told) */
	SLS_VERDICT_ERROR,       /* the store or the system failed: see rc (logged, not said) */
};

struct sls_outcome {
	enum sls_verdict verdict;
	enum sls_rc rc;       /* SLS_VERDICT_ERROR: what failed (SLS_ERR_NOMEM, _UNSAFE, ...) */
	int errnum;           /* and its errno */
	struct sls_diag diag; /* and where, for a file */
};

/*
 * A second factor for f->user, whose enrolment is user and state (read
 * without the lock, to decide what to offer): refused at once when locked;
 * the devices usable here (active, unexpired, askable, of min_level and
 * devices=); the menu when there are several (Enter: the device used last);
 * then sls_flow_attempt. Every decision is logged.
 */
enum sls_verdict sls_flow_login(const struct sls_flow *f, const struct sls_user *user,
				const struct sls_state *state, struct sls_outcome *out);

/*
 * Enrolment inside the login ([login] enroll_at_login) of f->user, who has
 * no active device (user: the enrolment as read, maybe empty): refused
 * (SLS_VERDICT_REFUSED, said) past [login] enroll_grace_until; otherwise a
 * device of enroll_at_login_type: its PIN asked twice without echo under
 * the PIN policy (asked again on a refusal), its QR code (level L, a
 * one-module quiet zone: it fits 80x24) and URI in one prompt that waits
 * for Enter, then a first answer from it (three tries). Only then is it
 * written, active, with the confirming answer used: SLS_VERDICT_SUCCESS,
 * and the login passes. SLS_VERDICT_WRONG when it was not confirmed or a
 * device came meanwhile (nothing written), SLS_VERDICT_CONV, or
 * SLS_VERDICT_ERROR (logged).
 */
enum sls_verdict sls_flow_enroll(const struct sls_flow *f, const struct sls_user *user,
				 struct sls_outcome *out);

/*
 * One attempt of device d, counted before it is checked (sls_attempt.h):
 * the failure is written, the type asks its question through f->ui (with
 * challenge_timeout), and a right answer clears the failure in a second
 * write. Only SLS_VERDICT_SUCCESS lets the user in.
 */
enum sls_verdict sls_flow_attempt(const struct sls_flow *f, const struct sls_device *d,
				  struct sls_outcome *out);

/*
 * "Too many failed attempts; try again after 17:36 or ask an
 * administrator." (the date too when until is not today), through ui.
 */
void sls_flow_say_locked(const struct sls_ui *ui, time_t until);

#endif /* SLS_FLOW_H */

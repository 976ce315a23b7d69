/* pam_sls - the PIN policy of devices with a PIN (doc/design.md, "PIN policy"). */
#ifndef SLS_PIN_POLICY_H
#define SLS_PIN_POLICY_H

#include "sls_enroll.h"
#include "sls_error.h"

/* Why a PIN was refused; sls_pin_rule_text gives the sentence to show. */
enum sls_pin_rule {
	SLS_PIN_OK = 0,
	SLS_PIN_LENGTH,    /* ibkey: 4-6 characters; dsc: exactly 4 */
	SLS_PIN_CHARSET,   /* dsc: digits only; ibkey: printable ASCII, no space */
	SLS_PIN_USER_NAME, /* the user's name (any case), or contains it / is part of it */
	SLS_PIN_DATE,      /* reads as a date: DDMM, MMDD, DDMMYY, MMDDYY, YYMMDD, YYYY... */
	SLS_PIN_REPEATED,  /* one character repeated: 0000, aaaa */
	SLS_PIN_SEQUENCE,  /* a straight run up or down: 1234, 4321, abcd, 9876 */
	SLS_PIN_PHONE,     /* part of the user's verified phone number */
	SLS_PIN_MISMATCH,  /* the two entries differ (callers use it; check never does) */
};

/*
 * Check pin for a device whose type takes a PIN of kind (its sls_devtype's
 * pin: 4 to 6 characters, or 4 digits; SLS_PINKIND_NONE refuses) against
 * the policy of sls(8): length and characters per type; not the user name;
 * not a date; not one character repeated; not a straight run; not part of
 * phone (the verified number, digits and an optional '+'; NULL or empty
 * when none). Returns the first rule broken, in the order of the enum.
 */
enum sls_pin_rule sls_pin_check(enum sls_pin_kind kind, const char *pin, const char *user,
				const char *phone);

/* One English sentence for the rule, e.g. "The PIN must not be a date." */
const char *sls_pin_rule_text(enum sls_pin_rule rule);

#endif /* SLS_PIN_POLICY_H */

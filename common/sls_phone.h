/* pam_sls - phone numbers: the stored form, what a user types, and how logs and prompts show one.
 */
#ifndef SLS_PHONE_H
#define SLS_PHONE_H

#include <stdbool.h>
#include <stddef.h>

#include "sls_error.h"

/* The stored form: "+" and 6 to 15 digits (E.164), or empty (none). */
bool sls_phone_ok(const char *s);

/*
 * What a user typed (sls phone set NUMBER [--country CC]) into the stored
 * form: spaces and dashes are dropped; "+CC..." is international, and
 * country (digits, may be NULL), when given, must then be its calling code;
 * otherwise country is prepended. Refused (SLS_ERR_INVAL, *why a sentence
 * for the user, never the number): letters or other characters, no
 * country code at all, a calling code that does not exist, a trunk prefix
 * (the national 0) after the calling code, too few or too many digits.
 */
enum sls_rc sls_phone_normalize(const char *input, const char *country, char *out, size_t size,
				const char **why);

/* "******4567": the last four digits only, for prompts and the journal. */
void sls_phone_mask(const char *number, char *out, size_t size);

#endif /* SLS_PHONE_H */

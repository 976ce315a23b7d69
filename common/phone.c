/* pam_sls - phone numbers (sls_phone.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sls_phone.h"

#define DIGITS_MIN 6  /* after the "+" */
#define DIGITS_MAX 15 /* E.164 */

bool sls_phone_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return true;
	return s[0] == '+' && n >= DIGITS_MIN + 1 && n <= DIGITS_MAX + 1 &&
	       strspn(s + 1, "0123456789") == n - 1;
}

/*
 * The length of the calling code at the start of digits, 0 when none: the
 * codes of ITU-T E.164 are prefix-free, so the first digits tell. 1 and 7
 * have one digit; the two-digit codes are listed; all others have three.
 * Codes that start 0 do not exist.
 */
static size_t calling_code_len(const char *d)
{
	static const char *const two[] = {"20", "27", "30", "31", "32", "33", "34", "36", "39",
					  "40", "41", "43", "44", "45", "46", "47", "48", "49",
					  "51", "52", "53", "54", "55", "56", "57", "58", "60",
					  "61", "62", "63", "64", "65", "66", "81", "82", "84",
					  "86", "90", "91", "92", "93", "94", "95", "98"};

	if (d[0] < '1' || d[0] > '9')
		return 0;
	if (d[0] == '1' || d[0] == '7')
		return 1;
	for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++)
		if (strncmp(d, two[i], 2) == 0)
			return 2;
	return d[1] != '\0' && d[2] != '\0' ? 3 : 0;
}

/* input without spaces and dashes, and its "+", into digits; false for any other character. */
static bool only_digits(const char *input, char *digits, size_t size, bool *plus)
{
	size_t n = 0;

	*plus = false;
	for (const char *p = input; *p != '\0'; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (*p == '+' && n == 0 && !*plus) {
			*plus = true;
			continue;
		}
		if (*p < '0' || *p > '9' || n + 1 >= size)
			return false;
		digits[n++] = *p;
	}
	digits[n] = '\0';
	return true;
}

/* digits (calling code first): a known code, no trunk prefix after it, a sane length. */
static const char *check_international(const char *digits)
{
	size_t cc = calling_code_len(digits), n = strlen(digits);

	if (cc == 0)
		return "The number does not start with a country calling code.";
	/* Italy keeps its leading 0 in international form; everywhere else it is the trunk prefix
	 */
	if (digits[cc] == '0' && strncmp(digits, "39", 2) != 0)
		return "Leave out the trunk prefix 0 after the country code (+44 7911..., not "
		       "+44 07911...).";
	if (n < DIGITS_MIN || n > DIGITS_MAX)
		return "The number must have 6 to 15 digits with its country code.";
	return NULL;
}

enum sls_rc sls_phone_normalize(const char *input, const char *country, char *out, size_t size,
				const char **why)
{
	char digits[DIGITS_MAX + 8], all[2 * DIGITS_MAX + 8];
	bool plus;

	*why = "A phone number has digits only (spaces and dashes are fine).";
	if (!only_digits(input, digits, sizeof(digits), &plus) || digits[0] == '\0')
		return SLS_ERR_INVAL;
	if (country != NULL && (country[0] == '\0' || strlen(country) > 3 ||
				strspn(country, "0123456789") != strlen(country) ||
				calling_code_len(country) != strlen(country))) {
		*why = "The country code is 1 to 3 digits, as dialled after + (49, 44, 1...).";
		return SLS_ERR_INVAL;
	}
	if (!plus && country == NULL) {
		*why = "Give the number with its country code (+49 172...), or --country CC.";
		return SLS_ERR_INVAL;
	}
	if (plus && country != NULL && strncmp(digits, country, strlen(country)) != 0) {
		*why = "The number's country code is not the one given with --country.";
		return SLS_ERR_INVAL;
	}
	snprintf(all, sizeof(all), "%s%s", plus ? "" : country, digits);
	*why = check_international(all);
	if (*why != NULL)
		return SLS_ERR_INVAL;
	if ((size_t)snprintf(out, size, "+%s", all) >= size)
		return SLS_ERR_TOOBIG;
	return SLS_OK;
}

void sls_phone_mask(const char *number, char *out, size_t size)
{
	size_t n = strlen(number);

	snprintf(out, size, "******%s", n >= 4 ? number + n - 4 : "");
}

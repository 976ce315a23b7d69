/* pam_sls - the PIN policy of ibkey and dsc devices (sls(8), "PIN policy"). */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "sls_i18n.h"
#include "sls_pin.h"
#include "sls_secret.h"

#define PIN_IBKEY_MIN 4
#define PIN_IBKEY_MAX 6
#define PIN_DSC_LEN   4
/* Digits kept from a phone number; more than any E.164 number has (15). */
#define PHONE_DIGITS_MAX 32

/* Locale-independent: a PAM host may have set any locale. */
static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return false;
	}
	return true;
}

static bool length_ok(enum sls_pin_kind kind, size_t len)
{
	if (kind == SLS_PINKIND_DIGITS_4)
		return len == PIN_DSC_LEN;
	return len >= PIN_IBKEY_MIN && len <= PIN_IBKEY_MAX;
}

/* dsc: digits only; ibkey: printable ASCII without space (0x21-0x7e). */
static bool charset_ok(enum sls_pin_kind kind, const char *pin, size_t len)
{
	if (kind == SLS_PINKIND_DIGITS_4)
		return all_digits(pin, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)pin[i];

		if (c < 0x21 || c > 0x7e)
			return false;
	}
	return true;
}

/* Whether needle (nlen bytes) occurs in hay (hlen bytes), ignoring ASCII case. */
static bool contains_ci(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	if (nlen == 0 || nlen > hlen)
		return false;
	for (size_t i = 0; i + nlen <= hlen; i++) {
		size_t j = 0;

		while (j < nlen && ascii_lower(hay[i + j]) == ascii_lower(needle[j]))
			j++;
		if (j == nlen)
			return true;
	}
	return false;
}

/*
 * The PIN against the user name, ignoring case. For names of 3 characters
 * or more the PIN may neither contain the name ("Alice1", "bob!") nor be
 * part of it ("lice" for alice, "1357" for user1357): both are what a
 * guesser tries first. A name of 1-2 characters would refuse too many PINs
 * if searched for, so it only may not equal the PIN, which the length rule
 * (4 or more) already excludes. Bytes >= 0x80 of UTF-8 names never match,
 * as the PIN is ASCII.
 */
static bool is_user_name(const char *pin, size_t len, const char *user)
{
	size_t ulen;

	if (user == NULL)
		return false;
	ulen = strlen(user);
	if (ulen < 3)
		return false;
	return contains_ci(user, ulen, pin, len) || contains_ci(pin, len, user, ulen);
}

static int two_digits(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* A real day of a month; yy < 0 means no year (29 February counts). */
static bool day_month_valid(int day, int month, int yy)
{
	static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month < 1 || month > 12 || day < 1 || day > days[month - 1])
		return false;
	/* A two-digit year does not tell the century: 00 counts as leap (2000). */
	if (month == 2 && day == 29 && yy >= 0)
		return yy % 4 == 0;
	return true;
}

static bool year_valid(int year)
{
	return year >= 1900 && year <= 2099;
}

/* 4 digits: DDMM, MMDD, or a year YYYY 1900-2099. */
static bool is_date4(const char *d)
{
	int a = two_digits(d), b = two_digits(d + 2);

	return day_month_valid(a, b, -1) || day_month_valid(b, a, -1) || year_valid(a * 100 + b);
}

/* 6 digits: DDMMYY, MMDDYY, YYMMDD, and month and year MMYYYY, YYYYMM. */
static bool is_date6(const char *d)
{
	int a = two_digits(d), b = two_digits(d + 2), c = two_digits(d + 4);

	if (day_month_valid(a, b, c) || day_month_valid(b, a, c) || day_month_valid(c, b, a))
		return true;
	if (a >= 1 && a <= 12 && year_valid(b * 100 + c))
		return true;
	return c >= 1 && c <= 12 && year_valid(a * 100 + b);
}

/*
 * Only all-digit PINs of 4 or 6 digits are read as dates: 5 digits have no
 * usual date form, and with letters or specials ("31.12") a PIN is not what
 * a guesser tries first. For dsc this refuses 764 of the 10000 PINs.
 */
static bool is_date(const char *low, size_t len)
{
	if (!all_digits(low, len))
		return false;
	if (len == 4)
		return is_date4(low);
	if (len == 6)
		return is_date6(low);
	return false;
}

/* One character repeated, any case: 0000, aAaA, ####. */
static bool is_repeated(const char *low, size_t len)
{
	for (size_t i = 1; i < len; i++) {
		if (low[i] != low[0])
			return false;
	}
	return true;
}

/*
 * The whole PIN a straight run by one, up or down. Digits wrap from 9 to 0
 * and back (7890, 8901, 0987, 2109), as on a keyboard's or a keypad's row;
 * letters do not wrap (yzab is allowed). Other steps (2468, 8642) and
 * specials are not runs.
 */
static bool is_sequence(const char *low, size_t len)
{
	bool digits = all_digits(low, len);
	int step;

	if (len < 2)
		return false;
	if (!digits) {
		for (size_t i = 0; i < len; i++) {
			if (low[i] < 'a' || low[i] > 'z')
				return false;
		}
	}
	step = low[1] - low[0];
	if (digits)
		step = (step + 10) % 10;
	if (step != 1 && step != (digits ? 9 : -1))
		return false;
	for (size_t i = 2; i < len; i++) {
		int s = low[i] - low[i - 1];

		if ((digits ? (s + 10) % 10 : s) != step)
			return false;
	}
	return true;
}

static bool has_substring(const char *hay, const char *pin, size_t len)
{
	return contains_ci(hay, strlen(hay), pin, len);
}

/*
 * An all-digit PIN may not occur in the phone's digits (anything else, such
 * as '+', spaces and dashes, is skipped). A number given as "+CC..." is
 * also searched as the user writes it: with the international prefix "00"
 * and in national form, "0" and the digits after a country code of 1-3
 * digits (the length of CC is not known, so all three are tried).
 */
static bool is_phone_part(const char *pin, size_t len, const char *phone)
{
	char digits[PHONE_DIGITS_MAX + 3] = "00";
	char national[PHONE_DIGITS_MAX + 2] = "0";
	size_t n = 0;

	if (phone == NULL || !all_digits(pin, len))
		return false;
	for (const char *p = phone; *p != '\0' && n < PHONE_DIGITS_MAX; p++) {
		if (is_digit(*p))
			digits[2 + n++] = *p;
	}
	digits[2 + n] = '\0';
	if (has_substring(digits + 2, pin, len))
		return true;
	if (phone[0] != '+')
		return false;
	if (has_substring(digits, pin, len))
		return true;
	for (size_t cc = 1; cc <= 3 && cc < n; cc++) {
		memcpy(national + 1, digits + 2 + cc, n - cc + 1);
		if (has_substring(national, pin, len))
			return true;
	}
	return false;
}

/* The rules after length and characters, in the order of the enum. */
static enum sls_pin_rule check_content(const char *low, size_t len, const char *user,
				       const char *phone)
{
	if (is_user_name(low, len, user))
		return SLS_PIN_USER_NAME;
	if (is_date(low, len))
		return SLS_PIN_DATE;
	if (is_repeated(low, len))
		return SLS_PIN_REPEATED;
	if (is_sequence(low, len))
		return SLS_PIN_SEQUENCE;
	if (is_phone_part(low, len, phone))
		return SLS_PIN_PHONE;
	return SLS_PIN_OK;
}

/*
 * A type without a PIN is refused as SLS_PIN_LENGTH (a caller's error; no
 * PIN fits it), as is a NULL PIN.
 */
enum sls_pin_rule sls_pin_check(enum sls_pin_kind kind, const char *pin, const char *user,
				const char *phone)
{
	enum sls_pin_rule rule = SLS_PIN_LENGTH;
	char low[PIN_IBKEY_MAX + 1];
	size_t len;

	if (pin == NULL || (kind != SLS_PINKIND_ANY_4_6 && kind != SLS_PINKIND_DIGITS_4))
		return rule;
	len = strnlen(pin, PIN_IBKEY_MAX + 1);
	if (!length_ok(kind, len))
		return rule;
	if (!charset_ok(kind, pin, len))
		return SLS_PIN_CHARSET;
	for (size_t i = 0; i < len; i++)
		low[i] = ascii_lower(pin[i]);
	low[len] = '\0';
	rule = check_content(low, len, user, phone);
	sls_wipe(low, sizeof(low));
	return rule;
}

const char *sls_pin_rule_text(enum sls_pin_rule rule)
{
	switch (rule) {
	case SLS_PIN_OK:
		return _("The PIN is acceptable.");
	case SLS_PIN_LENGTH:
		return _("The PIN must have 4 to 6 characters (a dsc PIN exactly 4 digits).");
	case SLS_PIN_CHARSET:
		return _("The PIN may only hold letters, digits and specials without spaces "
			 "(a dsc PIN only digits).");
	case SLS_PIN_USER_NAME:
		return _("The PIN must not be or contain your user name, nor be part of it.");
	case SLS_PIN_DATE:
		return _("The PIN must not be a date.");
	case SLS_PIN_REPEATED:
		return _("The PIN must not be one character repeated.");
	case SLS_PIN_SEQUENCE:
		return _("The PIN must not be a straight run such as 1234, 9876 or abcd.");
	case SLS_PIN_PHONE:
		return _("The PIN must not be part of your phone number.");
	case SLS_PIN_MISMATCH:
		return _("The two PINs entered differ.");
	}
	return _("The PIN is not allowed.");
}

/* pam_sls - names and texts that may stand in the files (sls_text.h). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "sls_file.h"
#include "sls_text.h"

/*
 * Bytes that may never appear in a name: '/' and the INI metacharacters
 * (a name is also a section or key), and space. Control characters are
 * checked separately. Bytes >= 0x80 are allowed (UTF-8 user names).
 */
static const char sls_name_forbidden[] = "/ []=;#";

bool sls_name_valid(const char *name)
{
	size_t len;

	if (name == NULL)
		return false;
	len = strnlen(name, SLS_USER_NAME_MAX + 1);
	if (len == 0 || len > SLS_USER_NAME_MAX)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || name[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f || strchr(sls_name_forbidden, c) != NULL)
			return false;
	}
	return true;
}

bool sls_name_ok(const char *name, size_t max)
{
	return strlen(name) <= max && sls_name_valid(name);
}

/* Length of the valid UTF-8 sequence at s and its code point, 0 if invalid. */
static size_t utf8_char(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;
	uint32_t lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, *cp = s[0] & 0x07;
	else
		return 0;
	/* no overlong forms, no surrogates, nothing past U+10FFFF */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < n; i++) {
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	return n;
}

bool sls_text_ok(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);

	if (len > max || (len > 0 && (s[0] == ' ' || s[len - 1] == ' ')))
		return false;
	while (*p != '\0') {
		uint32_t cp;
		size_t n = utf8_char(p, &cp);

		if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == ';')
			return false;
		p += n;
	}
	return true;
}

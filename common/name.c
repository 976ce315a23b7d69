/* pam_sls - the one check that stands between a user name and a path. */
#include "config.h"

#include <string.h>

#include "sls_file.h"

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

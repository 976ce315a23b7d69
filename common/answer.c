/* pam_sls - what the user typed, as every program reads it (spaces and dashes ignored: sls_ui.h).
 */
#include "config.h"

#include "sls_codec.h"

bool sls_strip_separators(const char *in, char *out, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return false;
	for (; *in; in++) {
		if (*in == ' ' || *in == '-')
			continue;
		if (n + 1 >= size) {
			out[0] = '\0'; /* refused whole, never truncated */
			return false;
		}
		out[n++] = *in;
	}
	out[n] = '\0';
	return true;
}

/* pam_sls - the text domain's binding (sls_i18n.h). */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <wchar.h>

#include "sls_i18n.h"

void sls_i18n_bind(void)
{
	/* no codeset is forced: gettext converts to the locale's own */
	bindtextdomain(SLS_TEXTDOMAIN, LOCALEDIR);
}

void sls_i18n_init(void)
{
	setlocale(LC_ALL, "");
	sls_i18n_bind();
}

int sls_text_width(const char *s)
{
	mbstate_t st;
	size_t left = strlen(s);
	int cols = 0;

	memset(&st, 0, sizeof(st));
	while (left > 0) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, left, &st);
		int w;

		if (n == (size_t)-1 || n == (size_t)-2) { /* not text in this locale */
			memset(&st, 0, sizeof(st));
			n = 1;
			w = 1;
		} else if (n == 0) {
			break;
		} else {
			w = wcwidth(wc);
		}
		cols += w > 0 ? w : 0;
		s += n;
		left -= n;
	}
	return cols;
}

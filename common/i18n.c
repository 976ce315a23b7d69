/* pam_sls - the text domain's binding (sls_i18n.h). */
#include "config.h"

#include <locale.h>

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

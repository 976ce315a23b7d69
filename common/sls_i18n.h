/*
 * pam_sls - messages in the user's language (gettext, one text domain,
 * "pam_sls", for the module, sls and sls-authenticator; po/).
 *
 * Only what a person reads is translated: prompts, messages, errors, help.
 * What scripts and logs read stays as it is: journal entries, the URI line,
 * "Challenge: NNNNNN" in sls enroll's output when it is not a terminal,
 * exit codes. The module calls dgettext with its own domain and never
 * setlocale or textdomain (the host's locale is the host's: sudo, su and
 * login set it from the environment, sshd leaves it C); the CLIs call
 * setlocale(LC_ALL, "") first (sls_i18n_init).
 */
#ifndef SLS_I18N_H
#define SLS_I18N_H

#include <libintl.h>

#define SLS_TEXTDOMAIN "pam_sls"

/* Translated text of a message (a literal: xgettext finds it by this name). */
#define _(msgid) dgettext(SLS_TEXTDOMAIN, msgid)
/* A message marked for translation where it is defined, translated where used. */
#define N_(msgid) (msgid)
/* A singular/plural pair, chosen by n. */
#define P_(singular, plural, n) dngettext(SLS_TEXTDOMAIN, singular, plural, n)

/*
 * Where the domain's catalogues are (LOCALEDIR). The module calls it on each
 * entry (cheap, and it changes only this domain's binding), the CLIs once.
 */
void sls_i18n_bind(void);

/* The CLIs' start: setlocale(LC_ALL, "") and sls_i18n_bind. */
void sls_i18n_init(void);

/*
 * The terminal columns s takes in the current locale (a translated word in
 * Cyrillic or CJK is not as wide as its bytes); an undecodable byte counts
 * as one column.
 */
int sls_text_width(const char *s);

#endif /* SLS_I18N_H */

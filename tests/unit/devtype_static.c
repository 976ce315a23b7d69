/*
 * A device type of the tests only: a fixed code (code = DIGITS in its
 * [device NAME] section), asked as "Static code: ". It proves that a type
 * is one file: it has no line anywhere in the project's own code, and the
 * login flow runs it (test_flow.c) through one line in a test's list of
 * types.
 */
#include "config.h"

#include <string.h>

#include "devtype_static.h"
#include "ini_util.h"
#include "sls.h"

static const char *key_code(struct sls_device *d, const char *v)
{
	size_t n = strlen(v);

	if (n < 4 || n > 10 || strspn(v, "0123456789") != n)
		return "not 4 to 10 digits";
	memcpy(d->secret, v, n);
	d->secret_len = n;
	return NULL;
}

static const struct sls_devkey keys[] = {{"code", key_code, true}};

static bool valid(const struct sls_device *d)
{
	return d->secret_len >= 4 && d->secret_len <= 10;
}

static void format(struct sls_ini_buf *b, const struct sls_device *d)
{
	sls_ini_buf_addf(b, "code = %.*s\n", (int)d->secret_len, (const char *)d->secret);
}

static enum sls_rc attempt(const struct sls_device *d, struct sls_attempt *a,
			   const struct sls_ask *ask, uint64_t *step)
{
	char answer[SLS_ANSWER_MAX + 1];
	enum sls_rc rc = sls_ui_ask_answer(ask->ui, "Static code: ", answer, sizeof(answer));

	(void)a;
	*step = 0;
	if (rc == SLS_OK)
		rc = strlen(answer) == d->secret_len &&
			     sls_secure_equal(answer, d->secret, d->secret_len)
			 ? SLS_OK
			 : SLS_ERR_MISMATCH;
	sls_wipe(answer, sizeof(answer));
	return rc;
}

const struct sls_devtype test_devtype_static = {
    .name = "static",
    .level = 1,
    .pin = SLS_PINKIND_NONE,
    .keys = keys,
    .nkeys = 1,
    .valid = valid,
    .format = format,
    .attempt = attempt,
};

/* The same file keys, and no prompt: a type a login cannot ask. */
const struct sls_devtype test_devtype_mute = {
    .name = "mute",
    .level = 1,
    .pin = SLS_PINKIND_NONE,
    .keys = keys,
    .nkeys = 1,
    .valid = valid,
    .format = format,
};

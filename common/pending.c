/* pam_sls - codes sent to a phone, kept as salted hashes (sls_state.h, struct sls_pending_code). */
#include "config.h"

#include <string.h>

#include "sls_otp.h"
#include "sls_random.h"
#include "sls_secret.h"
#include "sls_state.h"

static enum sls_rc code_hash(const uint8_t *salt, const char *code, uint8_t *out)
{
	size_t len = 0;
	enum sls_rc rc = sls_hmac(SLS_HASH_SHA256, salt, SLS_CODE_SALT_LEN, (const uint8_t *)code,
				  strlen(code), out, &len);

	return rc == SLS_OK && len == SLS_CODE_HASH_LEN ? SLS_OK : SLS_ERR_CRYPTO;
}

enum sls_rc sls_pending_new(struct sls_pending_code *p, char *code, size_t size, time_t now,
			    unsigned validity)
{
	enum sls_rc rc = sls_random_digits(code, size, SLS_SMS_CODE_DIGITS);

	if (rc == SLS_OK)
		rc = sls_random_bytes(p->salt, sizeof(p->salt));
	if (rc == SLS_OK)
		rc = code_hash(p->salt, code, p->hash);
	if (rc != SLS_OK) {
		sls_wipe(code, size);
		sls_pending_drop(p);
		return rc;
	}
	p->sent = now;
	p->expires = now + (time_t)validity;
	p->pending = true;
	return SLS_OK;
}

enum sls_rc sls_pending_check(const struct sls_pending_code *p, const char *code, time_t now)
{
	uint8_t h[SLS_CODE_HASH_LEN];
	enum sls_rc rc = SLS_ERR_MISMATCH;
	bool same;

	if (!p->pending)
		return SLS_ERR_MISMATCH;
	if (code_hash(p->salt, code, h) != SLS_OK)
		return SLS_ERR_CRYPTO;
	same = sls_secure_equal(h, p->hash, sizeof(h));
	if (same && strlen(code) == SLS_SMS_CODE_DIGITS)
		rc = now < p->expires ? SLS_OK : SLS_ERR_GONE;
	sls_wipe(h, sizeof(h));
	return rc;
}

void sls_pending_drop(struct sls_pending_code *p)
{
	time_t sent = p->sent, called = p->called;

	sls_wipe(p, sizeof(*p));
	p->sent = sent;
	p->called = called;
}

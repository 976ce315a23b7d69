/*
 * pam_sls - security code cards, level 1: 100 indexed 3-digit codes derived
 * from the card's secret (the HMAC of the position), printed by sls card
 * print, so nothing but the secret is stored. A login asks two distinct
 * positions in one prompt, never the pair it asked the time before (kept in
 * the state with the failure that counts the attempt: nothing to record after).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sls_attempt.h"
#include "sls_card.h"
#include "sls_devtype.h"
#include "sls_i18n.h"
#include "sls_otp.h"
#include "sls_random.h"
#include "sls_secret.h"
#include "sls_state.h"
#include "sls_ui.h"

#define SECRET_BYTES 32
#define DRAW_TRIES   64

/* 3 or 8 digits of the HMAC of what under the card's secret (RFC 4226 truncation). */
static enum sls_rc derive(const struct sls_device *d, const uint8_t *what, size_t len,
			  unsigned digits, char *out, size_t size)
{
	uint8_t mac[SLS_HASH_MAX];
	size_t maclen = 0;
	enum sls_rc rc =
	    sls_hmac(SLS_HASH_SHA256, d->secret, d->secret_len, what, len, mac, &maclen);

	if (rc == SLS_OK)
		rc = sls_otp_truncate(mac, maclen, digits, out, size);
	sls_wipe(mac, sizeof(mac));
	return rc;
}

enum sls_rc sls_card_code(const struct sls_device *d, unsigned position, char *out, size_t size)
{
	uint8_t msg[] = {'s', 'l', 's', '-', 'c', 'a', 'r', 'd', 0, 0};

	if (position < 1 || position > SLS_CARD_POSITIONS)
		return SLS_ERR_INVAL;
	msg[8] = (uint8_t)(position >> 8);
	msg[9] = (uint8_t)position;
	return derive(d, msg, sizeof(msg), SLS_CARD_CODE_DIGITS, out, size);
}

enum sls_rc sls_card_id(const struct sls_device *d, char *out, size_t size)
{
	static const uint8_t msg[] = "sls-card-id";
	char digits[9];
	enum sls_rc rc = derive(d, msg, sizeof(msg) - 1, 8, digits, sizeof(digits));

	if (rc == SLS_OK && size <= SLS_CARD_ID_LEN)
		rc = SLS_ERR_INVAL;
	if (rc == SLS_OK)
		snprintf(out, size, "%.4s-%.4s", digits, digits + 4);
	return rc;
}

enum sls_rc sls_card_new(struct sls_device *d)
{
	d->type = &sls_devtype_card;
	d->level = sls_devtype_card.level;
	d->secret_len = SECRET_BYTES;
	return sls_random_bytes(d->secret, d->secret_len);
}

/* ---- a login ---- */

/* Whether {a, b} is the pair ds was asked last (in either order). */
static bool same_pair(const struct sls_device_state *ds, unsigned a, unsigned b)
{
	return ds != NULL && ((ds->card_pair[0] == a && ds->card_pair[1] == b) ||
			      (ds->card_pair[0] == b && ds->card_pair[1] == a));
}

/*
 * Two distinct random positions, not the pair asked last, kept in the state
 * with the failure that counts this attempt (so the next one avoids it).
 */
static enum sls_rc prepare(const struct sls_device *d, const struct sls_hookctx *ctx,
			   struct sls_attempt *a)
{
	struct sls_device_state *ds;
	uint32_t p, q;

	for (int i = 0; i < DRAW_TRIES; i++) {
		if (sls_random_uniform(SLS_CARD_POSITIONS, &p) != SLS_OK ||
		    sls_random_uniform(SLS_CARD_POSITIONS, &q) != SLS_OK)
			return SLS_ERR_RANDOM;
		if (p != q && !same_pair(ctx->ds, p + 1, q + 1))
			break;
		p = q = 0;
	}
	if (p == q)
		return SLS_ERR_RANDOM;
	a->positions[0] = (unsigned char)(p + 1);
	a->positions[1] = (unsigned char)(q + 1);
	if (ctx->state == NULL)
		return SLS_OK; /* sls card print's check of a new card: no state yet */
	ds = sls_state_device(ctx->state, d);
	if (ds == NULL)
		return SLS_ERR_TOOBIG;
	ds->card_pair[0] = a->positions[0];
	ds->card_pair[1] = a->positions[1];
	return SLS_OK;
}

/* "123456" (both codes, in the order asked): compared as a whole, in constant time. */
static enum sls_rc check(const struct sls_device *d, const struct sls_attempt *a,
			 const char *answer)
{
	char want[2 * SLS_CARD_CODE_DIGITS + 1], code[SLS_CARD_CODE_DIGITS + 1];
	enum sls_rc rc = sls_card_code(d, a->positions[0], code, sizeof(code));

	if (rc == SLS_OK)
		memcpy(want, code, SLS_CARD_CODE_DIGITS);
	if (rc == SLS_OK)
		rc = sls_card_code(d, a->positions[1], code, sizeof(code));
	if (rc == SLS_OK) {
		memcpy(want + SLS_CARD_CODE_DIGITS, code, SLS_CARD_CODE_DIGITS + 1);
		rc = sls_secure_streq(want, answer) ? SLS_OK : SLS_ERR_MISMATCH;
	}
	sls_wipe(want, sizeof(want));
	sls_wipe(code, sizeof(code));
	return rc;
}

/* "Security code card 4821-7730: enter the codes at positions 17 and 45: " */
static enum sls_rc attempt(const struct sls_device *d, struct sls_attempt *a,
			   const struct sls_ask *ask, uint64_t *step)
{
	char id[SLS_CARD_ID_LEN + 1], prompt[128], answer[SLS_ANSWER_MAX + 1];
	struct timespec asked;
	enum sls_rc rc;

	*step = 0;
	rc = sls_card_id(d, id, sizeof(id));
	if (rc != SLS_OK)
		return rc;
	snprintf(prompt, sizeof(prompt),
		 /* TRANSLATORS: the card's id (1234-5678), then two positions (1 to 100) */
		 _("Security code card %s: enter the codes at positions %u and %u: "), id,
		 a->positions[0], a->positions[1]);
	clock_gettime(CLOCK_MONOTONIC, &asked);
	rc = sls_ui_ask_answer(ask->ui, prompt, answer, sizeof(answer));
	if (rc == SLS_OK && sls_ask_too_late(ask, &asked))
		rc = SLS_ERR_MISMATCH;
	if (rc == SLS_OK)
		rc = check(d, a, answer);
	sls_wipe(answer, sizeof(answer));
	return rc;
}

const struct sls_devtype sls_devtype_card = {
    .name = "card",
    .level = 1,
    .pin = SLS_PINKIND_NONE,
    .keys = sls_devkeys_secret_only,
    .nkeys = 1,
    .valid = sls_devkey_secret_ok,
    .format = sls_devkey_format_secret,
    .prepare = prepare,
    .attempt = attempt,
};

/*
 * pam_sls - security code cards (common/devtype/card.c): what sls card
 * print needs of a card besides the device type's hooks.
 */
#ifndef SLS_CARD_H
#define SLS_CARD_H

#include <stddef.h>

#include "sls_enroll.h"
#include "sls_error.h"

#define SLS_CARD_POSITIONS   100 /* codes on a card, at positions 1..100 */
#define SLS_CARD_CODE_DIGITS 3
#define SLS_CARD_ID_LEN      9 /* "4821-7730" */

/*
 * The code at position (1..SLS_CARD_POSITIONS) of card d: 3 digits of the
 * HMAC-SHA-256 of the position under the card's secret, into out (size >
 * SLS_CARD_CODE_DIGITS). A secret: the caller wipes it.
 */
enum sls_rc sls_card_code(const struct sls_device *d, unsigned position, char *out, size_t size);

/* The card's id, printed on it and named at a login: "4821-7730", from its secret. */
enum sls_rc sls_card_id(const struct sls_device *d, char *out, size_t size);

/* A new card in d (its name, label and times are the caller's): a new secret. */
enum sls_rc sls_card_new(struct sls_device *d);

#endif /* SLS_CARD_H */

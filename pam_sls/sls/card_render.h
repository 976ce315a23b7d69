/*
 * sls - a security code card as a person keeps it: plain text, SVG or PDF
 * (cairo). Kept out of common/ so that the PAM module does not link cairo.
 */
#ifndef SLS_CARD_RENDER_H
#define SLS_CARD_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sls_card.h"
#include "sls_error.h"

enum sls_card_format { SLS_CARD_TEXT, SLS_CARD_SVG, SLS_CARD_PDF };

/*
 * What a card shows. Every string is NUL-terminated inside its array;
 * user, issuer and valid_until are valid UTF-8 without control characters
 * (sls_text_ok), user and issuer not empty.
 */
struct sls_card_sheet {
	char id[16];                        /* digits and one inner dash: "4821-7730" */
	uint16_t codes[SLS_CARD_POSITIONS]; /* codes[i]: the code at position i + 1, 0..999 */
	char user[33];                      /* whose card */
	char issuer[64];                    /* the host name */
	char valid_until[32];               /* "2026-12-21 10:15", or "" for no expiry */
};

/* Parse "text", "svg", "pdf" into *f (false, *f untouched, otherwise). */
bool sls_card_format_parse(const char *s, enum sls_card_format *f);

/*
 * Write the card s to out in format fmt. Every format has the same layout,
 * which TEXT gives byte for byte (every line at most 80 bytes; a script
 * may read the grid back: four spaces and ten "%5d" column headers, then
 * per row its label "%4d" and its ten codes, "%5s" of 3 digits each):
 *
 *   Security code card 4821-7730 for alice@host
 *   Valid until 2026-12-21 10:15          ("No expiry" when valid_until is "")
 *
 *           1    2    3    4    5    6    7    8    9   10
 *      0  011  048  085  122  159  196  233  270  307  344
 *     ...
 *     90  341  378  415  452  489  526  563  600  637  674
 *
 *   Position 45 is row 40, column 5.
 *   Keep this card safe; never give its codes to anyone.
 *
 * Position P is at row P - c, column c (1 <= c <= 10). Where the first
 * line would pass 72 bytes, "@ISSUER" goes on a line of its own. SVG is an
 * A6 sheet (148 x 105 mm, a viewBox in tenths of a mm) with every string
 * in its own <text>; PDF is the same sheet as one page drawn by cairo,
 * with real (extractable) text.
 *
 * out is the caller's, already open (stdout or a new file): it is flushed
 * but not closed; the caller closes it and checks that close. The codes
 * pass through out's stdio buffer: a caller that owns out can give it a
 * buffer of its own (setvbuf) and wipe that after fclose. The buffers of
 * this renderer are wiped; cairo's own (PDF) are freed, not wiped, as
 * cairo offers no way to. The codes are never logged.
 *
 * SLS_ERR_INVAL for a bad fmt or sheet (nothing written), SLS_ERR_IO when
 * a write or the flush fails (errno as the failing write left it; out then
 * holds a partial card), SLS_ERR_NOMEM when cairo runs out of memory.
 */
enum sls_rc sls_card_render(FILE *out, enum sls_card_format fmt, const struct sls_card_sheet *s);

#endif /* SLS_CARD_RENDER_H */

/*
 * pam_sls - libFuzzer harness for the frames between the module and slsd
 * (sls_wire.h): a HELLO that parses has only printable strings within the
 * limits, and encodes back to exactly the bytes it came from; a rejected
 * one yields nothing; RESULT and text frames take exactly their own shape.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sls_wire.h"

static void check_str(const char *s, size_t max)
{
	if (s == NULL || strlen(s) > max)
		abort();
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			abort();
}

static void check_hello(const unsigned char *frame, size_t len, const struct sls_wire_hello *h)
{
	static unsigned char again[SLS_WIRE_MAX];
	size_t n;

	check_str(h->user, SLS_WIRE_ITEM_MAX);
	check_str(h->service, SLS_WIRE_ITEM_MAX);
	check_str(h->rhost, SLS_WIRE_ITEM_MAX);
	check_str(h->tty, SLS_WIRE_ITEM_MAX);
	check_str(h->locale, SLS_WIRE_ITEM_MAX);
	if (h->argc < 0 || h->argc > SLS_WIRE_ARGS_MAX ||
	    (h->stage != SLS_WIRE_AUTH && h->stage != SLS_WIRE_ACCOUNT))
		abort();
	for (int i = 0; i < h->argc; i++)
		check_str(h->argv[i], SLS_WIRE_STR_MAX);
	n = sls_wire_hello_encode(h, again, sizeof(again));
	if (n != len || memcmp(again, frame, len) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sls_wire_hello zero;
	unsigned char *frame;
	struct sls_wire_hello h;
	const char *text;
	int code;

	if (size > SLS_WIRE_MAX)
		return 0;
	/* as sls_wire_recv leaves it: a NUL past the frame */
	frame = malloc(size + 1);
	if (frame == NULL)
		abort();
	memcpy(frame, data, size);
	frame[size] = '\0';
	if (sls_wire_hello_parse(frame, size, &h) == SLS_OK)
		check_hello(frame, size, &h);
	else if (memcmp(&h, &zero, sizeof(h)) != 0)
		abort();
	if (sls_wire_result_parse(frame, size, &code) == SLS_OK &&
	    (size != 5 || frame[0] != SLS_WIRE_RESULT))
		abort();
	if (size > 0 && sls_wire_text(frame, size, &text) == SLS_OK && strlen(text) != size - 1)
		abort();
	free(frame);
	return 0;
}

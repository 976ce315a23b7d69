/* pam_sls - what the libFuzzer harnesses share. */
#ifndef SLS_FUZZ_HARNESS_H
#define SLS_FUZZ_HARNESS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sls_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated text (a NUL inside ends it early); aborts without memory. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text == NULL)
		abort();
	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

/* n bytes at p are all zero: what a parser leaves after it refused its input. */
static inline void fuzz_check_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i] != 0)
			abort();
}

/* A refusal says where and why: a line, and a message that is a whole string. */
static inline void fuzz_check_diag(const struct sls_diag *diag)
{
	if (diag->line < 0 || memchr(diag->msg, '\0', sizeof(diag->msg)) == NULL ||
	    diag->msg[0] == '\0')
		abort();
}

#endif /* SLS_FUZZ_HARNESS_H */

/*
 * pam_sls benchmark: one HMAC-SHA1 from the kernel's crypto API (AF_ALG),
 * in a process that links no crypto library at all: what a login in a bare
 * host (sudo, su, login) would pay for its HMAC without loading libcrypto.
 * A figure for tests/bench/bench.py; pam_sls does not do this (OpenSSL is
 * the project's crypto library). Exit 0 when the HMAC was computed, 3 when
 * the kernel offers no AF_ALG hash (the bench then says so).
 */
#include "config.h"

#include <linux/if_alg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

int main(void)
{
	struct sockaddr_alg sa = {
	    .salg_family = AF_ALG, .salg_type = "hash", .salg_name = "hmac(sha1)"};
	unsigned char key[20] = "12345678901234567890", msg[8] = {0}, out[20];
	int tfm, op, rc = 1;

	tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (tfm < 0 || bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "no AF_ALG hmac(sha1) in this kernel\n");
		return 3;
	}
	if (setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, sizeof(key)) == 0 &&
	    (op = accept4(tfm, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		if (write(op, msg, sizeof(msg)) == (ssize_t)sizeof(msg) &&
		    read(op, out, sizeof(out)) == (ssize_t)sizeof(out))
			rc = 0;
		close(op);
	}
	close(tfm);
	return rc;
}

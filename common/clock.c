/* pam_sls - the monotonic clock and a wait against a deadline (sls_clock.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <time.h>

#include "sls_clock.h"

long long sls_now_ms(void)
{
	struct timespec ts = {0};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sls_poll_until(int fd, short events, long long deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	int r;

	do {
		long long left = deadline < 0 ? -1 : deadline - sls_now_ms();

		if (deadline >= 0 && left < 0)
			left = 0; /* the last look */
		r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : r > 0;
}

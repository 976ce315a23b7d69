/*
 * pam_sls - a model of the state protocol (doc/design.md, "The state
 * protocol, model-checked"), for spin. Checked by doc/model/check (make
 * check runs it; CI too).
 *
 * What runs: NLOGIN logins of user A (pam_sls: sls_flow_attempt), one sls
 * writer of A's files (sls revoke, pin, unlock...: one transaction that
 * writes the enrolment and then the state), and two two-user writers (sls
 * share and unshare between A and B: sls_txn_begin2). Each may be killed
 * (SIGKILL) before any step; the kernel then lets its lock go, and its temp
 * file stays until the next write of that file. A write may also fail
 * (ENOSPC, EIO) at any step.
 *
 * How a file is written (common/file.c, sls_file_replace): under the
 * user's lock (common/lock.c), a stale temp file is removed, the new text
 * goes to the temp file and is flushed, and rename(2) puts it in place at
 * once. A login (common/attempt.c): under the lock it reads the state; a
 * locked user is refused there; otherwise one failure is added and written
 * before anything is asked (count before check); the lock is let go for
 * the prompt; a right answer then clears the failures in a second
 * transaction, unless someone else locked the user meanwhile.
 *
 * The properties (each an assert, or spin's own deadlock check):
 *   P1 no lost failure count: whenever the state file is read, and at the
 *      end, it holds exactly the failures recorded since the last success;
 *   P2 no torn or empty file: a reader only ever finds a whole file
 *      (enrolment and state), never a half-written or empty one;
 *   P3 no success without a recorded prior attempt: an answer is checked
 *      only after its failure is in the state file, and a success only
 *      when the user was not locked by another attempt;
 *   P4 no deadlock: with the two-user lock order (names in order), every
 *      process can always finish (spin's invalid-end-state check).
 *
 * Each BROKEN_* variant removes one rule of the design; doc/model/check
 * shows that spin then finds a violation, so the properties are not
 * vacuous:
 *   BROKEN_INPLACE  write the file in place (no temp file and rename)
 *   BROKEN_NOLOCK   read-modify-write without the user's lock
 *   BROKEN_CHECK    check the answer before the failure is written
 *   BROKEN_IGNORE   go on to the prompt when the failure's write failed
 *   BROKEN_ORDER    sls unshare takes the two locks in the other order
 */

#ifndef NLOGIN
#define NLOGIN 3
#endif
#ifndef NSHARE
#define NSHARE 2 /* 0: no sls share/unshare (a smaller run) */
#endif
#define DENY   2  /* failures that lock the user */
#define NOBODY 0

/* A file as the directory shows it under its name. */
typedef file {
	byte failures; /* state: failures recorded (enrolment: unused) */
	byte version;  /* bumped by every write */
	bit whole      /* the text is complete (flushed, renamed into place) */
};

file stateA, stateB, userA; /* state/A, state/B, users/A */
bit tempA, tempB, tempU;    /* a temp file of that name is there */
byte lockA, lockB;          /* pid holding the user's flock, NOBODY when free */

/* ghosts: what the properties compare against */
byte ghost_failures;   /* failures recorded in state/A since its last success */
bit recorded[NLOGIN];  /* login i's failure reached state/A */
bit locked_by[NLOGIN]; /* login i's own failure is the one that locked A */
byte finished;         /* processes that ended (crashed, refused or done) */

/* ---- the lock (flock: released by the kernel when its holder dies) ---- */

#ifdef BROKEN_NOLOCK
#define lock(l)   skip
#define unlock(l) skip
#else
#define lock(l)   atomic { l == NOBODY -> l = _pid }
#define unlock(l) l = NOBODY
#endif

/* a process may be killed before any step: its locks go, its temp stays */
#define CRASH                                                                    \
	if                                                                       \
	:: true -> goto crashed                                                  \
	:: true -> skip                                                          \
	fi

#define CRASHED                                                                  \
crashed:                                                                         \
	atomic {                                                                 \
		if :: lockA == _pid -> lockA = NOBODY :: else -> skip fi;        \
		if :: lockB == _pid -> lockB = NOBODY :: else -> skip fi;        \
		finished++                                                       \
	}

/* P2: what a reader finds is a whole file */
#define READ(f) assert(f.whole)

/*
 * sls_file_replace of f (temp t) with failures n, under the lock; on a
 * failed step ok = 0 and f is as it was. The rename is one atomic step: the
 * ghost updates of a successful write go with it.
 */
#ifdef BROKEN_INPLACE
#define REPLACE(f, t, n, ok, ghost)                                              \
	f.whole = 0;                                                             \
	CRASH;                                                                   \
	f.failures = n;                                                          \
	f.version++;                                                             \
	f.whole = 1;                                                             \
	ok = 1;                                                                  \
	ghost
#else
#define REPLACE(f, t, n, ok, ghost)                                              \
	CRASH;                                                                   \
	atomic { /* the stale temp goes; the new one is written and flushed, */ \
		t = 1; /* or the disk is full and it is removed */               \
		if                                                               \
		:: ok = 1                                                        \
		:: t = 0; ok = 0                                                 \
		fi                                                               \
	};                                                                       \
	CRASH;                                                                   \
	if                                                                       \
	:: ok -> atomic { f.failures = n; f.version++; f.whole = 1; t = 0; ghost } \
	:: else -> skip                                                          \
	fi
#endif

/* ---- one login of A (sls_flow_attempt) ---- */

proctype login(byte i)
{
	byte n;
	bit ok, right;

	/* count: the failure is written before the prompt */
	lock(lockA);
	CRASH;
	d_step {
		READ(stateA);
		assert(stateA.failures == ghost_failures); /* P1 */
		n = stateA.failures
	};
	if
	:: n >= DENY -> unlock(lockA); goto refused /* locked: nothing asked */
	:: else -> skip
	fi;
#ifdef BROKEN_CHECK
	unlock(lockA);
	goto check;
counted:
	lock(lockA);
#endif
	REPLACE(stateA, tempA, n + 1, ok,
		ghost_failures++; recorded[i] = 1; locked_by[i] = (n + 1 >= DENY));
	unlock(lockA);
#ifdef BROKEN_IGNORE
	ok = 1;
#endif
	if
	:: !ok -> goto refused /* the failure could not be written: nothing asked */
	:: else -> skip
	fi;
#ifdef BROKEN_CHECK
	goto prompt;
#endif
check:
	/* the prompt and the check: no lock held */
	assert(lockA != _pid);
	CRASH;
	assert(recorded[i]); /* P3 */
	if
	:: right = 1
	:: right = 0
	fi;
#ifdef BROKEN_CHECK
	goto counted;
prompt:
#endif
	if
	:: !right -> goto done /* the failure stays */
	:: else -> skip
	fi;
	/* a right answer clears the failures, unless another attempt locked A */
	CRASH;
	lock(lockA);
	CRASH;
	d_step {
		READ(stateA);
		assert(stateA.failures == ghost_failures); /* P1 */
		n = stateA.failures
	};
	if
	:: n >= DENY && !locked_by[i] -> unlock(lockA); goto done
	:: else -> skip
	fi;
	REPLACE(stateA, tempA, 0, ok, ghost_failures = 0);
	unlock(lockA);
done:
refused:
	finished++;
	goto end;
	CRASHED;
end:
	skip
}

/* ---- sls: a change of A's devices, the enrolment then the state (sls_txn_commit) ---- */

proctype sls_writer()
{
	bit ok;
	byte n;

	lock(lockA);
	CRASH;
	d_step {
		READ(userA);
		READ(stateA);
		assert(stateA.failures == ghost_failures); /* P1 */
		n = stateA.failures
	};
	REPLACE(userA, tempU, 0, ok, skip);
	if
	:: ok -> REPLACE(stateA, tempA, n, ok, skip) /* the state keeps its failures */
	:: else -> skip                             /* the first failed: neither is written */
	fi;
	unlock(lockA);
	finished++;
	goto end;
	CRASHED;
end:
	skip
}

/* ---- sls share / unshare: two users' files under both locks, names in order ---- */

proctype share(bit reversed)
{
	bit ok;
	byte na, nb;

#ifdef BROKEN_ORDER
	if
	:: reversed -> lock(lockB); CRASH; lock(lockA)
	:: else -> lock(lockA); CRASH; lock(lockB)
	fi;
#else
	lock(lockA); /* "A" < "B": whoever asks, A first */
	CRASH;
	lock(lockB);
#endif
	CRASH;
	d_step {
		READ(stateA);
		READ(stateB);
		assert(stateA.failures == ghost_failures); /* P1 */
		na = stateA.failures;
		nb = stateB.failures
	};
	REPLACE(stateA, tempA, na, ok, skip);
	if
	:: ok -> REPLACE(stateB, tempB, nb, ok, skip)
	:: else -> skip
	fi;
	unlock(lockB);
	unlock(lockA);
	finished++;
	goto end;
	CRASHED;
end:
	skip
}

init
{
	byte i;

	atomic {
		stateA.whole = 1;
		stateB.whole = 1;
		userA.whole = 1;
		i = 0;
		do
		:: i < NLOGIN -> run login(i); i++
		:: else -> break
		od;
		run sls_writer();
#if NSHARE > 0
		run share(0);
		run share(1)
#endif
	}
	/* the end: everyone finished, and P1 and P2 hold for what is left */
	finished == NLOGIN + 1 + NSHARE;
	assert(stateA.whole && stateB.whole && userA.whole);
	assert(stateA.failures == ghost_failures);
	assert(lockA == NOBODY && lockB == NOBODY)
}

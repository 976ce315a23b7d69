#!/usr/bin/python3
"""Benchmark: wall time of `sls-authenticator respond` (whole process: start,
load the accounts file, take the lock, read the PIN, compute OCRA, print),
against two peers run in the same loop: `true` (the cost of starting any
process) and `oathtool --totp` (a comparable one-shot OTP tool).

Usage: respond.py BUILDDIR [RUNS]. Prints mean/median/p95 in ms and ratios.
"""
import base64
import os
import statistics
import sys
import tempfile
import time

build = sys.argv[1] if len(sys.argv) > 1 else "."
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 300
auth = os.path.join(build, "authenticator", "sls-authenticator")
home = tempfile.mkdtemp(prefix="sls-bench-")
env = {"HOME": home, "PATH": "/usr/bin:/bin"}
key = b"12345678901234567890123456789012"
secret = base64.b32encode(key).decode().rstrip("=")
uri = (f"otpauth://ocra/SLS:alice?secret={secret}"
       "&suite=OCRA-1:HOTP-SHA256-8:QN06-PSHA1&issuer=SLS&device=laptop")


def spawn(argv, stdin_data=None):
    """Run argv once with stdout to /dev/null; returns the wall time in seconds."""
    r, w = os.pipe()
    null = os.open(os.devnull, os.O_WRONLY)
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=[
        (os.POSIX_SPAWN_DUP2, r, 0), (os.POSIX_SPAWN_DUP2, null, 1),
        (os.POSIX_SPAWN_CLOSE, w)])
    if stdin_data:
        os.write(w, stdin_data)
    os.close(w)
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter() - t0
    os.close(r)
    os.close(null)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv} failed")
    return elapsed


spawn([auth, "import", uri])
cases = {
    "sls-authenticator respond": ([auth, "respond", "--pin-fd", "0", "123456"], b"4821\n"),
    "oathtool --totp (peer)": (["/usr/bin/oathtool", "--totp", key.hex()], None),
    "true (process start)": (["/bin/true"], None),
}
times = {name: [] for name in cases}
for _ in range(runs):  # interleaved, so that load on the machine hits all alike
    for name, (argv, data) in cases.items():
        times[name].append(spawn(argv, data))

base = statistics.median(times["oathtool --totp (peer)"])
print(f"{runs} runs each, interleaved; wall time per run in ms")
print(f"{'command':30} {'mean':>7} {'median':>7} {'p95':>7} {'vs oathtool':>12}")
for name, ts in times.items():
    ts = sorted(ts)
    med = statistics.median(ts)
    print(f"{name:30} {statistics.mean(ts)*1e3:7.2f} {med*1e3:7.2f} "
          f"{ts[int(len(ts)*0.95)]*1e3:7.2f} {med/base:11.2f}x")
med = statistics.median(times["sls-authenticator respond"]) * 1e3
print(f"respond median {med:.2f} ms: {'under' if med < 5 else 'OVER'} the 5 ms target")

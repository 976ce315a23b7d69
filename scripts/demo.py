#!/usr/bin/python3
"""pam_sls end to end, for a person to follow: enrol an ibkey with sls, import
it into sls-authenticator on a "second machine" (its own HOME), log in through
pam_sls.so (pamtester under pam_wrapper) answering the challenge with the
authenticator, then a wrong response, a lockout and an unlock.

Usage: demo.py BUILDDIR [--keep]"""
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile

import pexpect

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
KEEP = "--keep" in sys.argv
SLS = os.path.join(BUILD, "pam_sls", "sls", "sls")
AUTH = os.path.join(BUILD, "authenticator", "sls-authenticator")
MODULE = os.path.join(BUILD, "pam_sls", ".libs", "pam_sls.so")
USER = pwd.getpwuid(os.getuid()).pw_name
PIN = "4821"
BOLD, OFF = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")

# pam_sls refuses a store or sls.conf below a directory that others may
# write to, such as /tmp: the sandbox lives in /run as root, else in the build tree
box = tempfile.mkdtemp(prefix="sls-demo-", dir="/run" if os.geteuid() == 0 else BUILD)
os.chmod(box, 0o755)
conf = os.path.join(box, "sls.conf")
pamd = os.path.join(box, "pam.d")
second = os.path.join(box, "second-machine")
os.makedirs(pamd)
os.makedirs(second)
with open(conf, "w") as f:
    f.write(f"[store]\ndir = {box}/store\n[lockout]\ndeny = 3\nwindow = 1h\nunlock_time = 15m\n")
with open(os.path.join(pamd, "sls-demo"), "w") as f:
    f.write(f"auth required {MODULE} conf={conf}\naccount required {MODULE} conf={conf}\n")
with open(os.path.join(pamd, "other"), "w") as f:  # the safe default for other services
    f.write("auth required pam_deny.so\naccount required pam_deny.so\n")
pam_env = dict(os.environ, LD_PRELOAD="libpam_wrapper.so", PAM_WRAPPER="1",
               PAM_WRAPPER_SERVICE_DIR=pamd, LANG="C")
auth_env = dict(os.environ, HOME=second)
auth_env.pop("XDG_DATA_HOME", None)
step_no = 0


def step(text):
    global step_no
    step_no += 1
    print(f"\n{BOLD}== {step_no}. {text}{OFF}", flush=True)


def fail(why, child=None):
    print(f"\n{BOLD}DEMO FAILED at step {step_no}: {why}{OFF}")
    if child is not None:
        print(f"(last output: {child.before!r})")
    print(f"sandbox kept for a look: {box}")
    sys.exit(1)


def expect(child, pattern, why):
    try:
        return child.expect(pattern)
    except (pexpect.TIMEOUT, pexpect.EOF):
        fail(why, child)


def respond(challenge, pin=PIN):
    """The second machine answers: sls-authenticator respond, PIN from a pipe."""
    r, w = os.pipe()
    os.write(w, (pin + "\n").encode())
    os.close(w)
    p = subprocess.run([AUTH, "respond", "--pin-fd", str(r), challenge], env=auth_env,
                       pass_fds=(r,), capture_output=True, text=True)
    os.close(r)
    if p.returncode != 0:
        fail(f"sls-authenticator respond failed: {p.stderr.strip()}")
    print(f"   [second machine] sls-authenticator respond {challenge}  (PIN typed)"
          f"  ->  {p.stdout.strip()}", flush=True)
    return p.stdout.strip()


def login(answer, expect_ok, why, expect_prompt=True, expect_text=None):
    """pamtester authenticate + acct_mgmt through pam_sls.so; answer(challenge) -> reply."""
    print(f"   $ pamtester sls-demo {USER} authenticate acct_mgmt   (under pam_wrapper)")
    c = pexpect.spawn("pamtester", ["sls-demo", USER, "authenticate", "acct_mgmt"],
                      env=pam_env, encoding="utf-8", timeout=20)
    c.logfile_read = sys.stdout
    if expect_prompt:
        expect(c, r"Challenge: (\d{6})\r?\nResponse: ", "no challenge prompt")
        c.sendline(answer(c.match.group(1)))
    if expect_text:
        expect(c, re.escape(expect_text), f"expected the message {expect_text!r}")
    expect(c, pexpect.EOF, "pamtester did not finish")
    c.close()
    if (c.exitstatus == 0) != expect_ok:
        fail(why)


print(f"{BOLD}pam_sls demo{OFF}: sandbox {box} (sls.conf, store, PAM service file;"
      " /etc is not touched)")
print(f"   user {USER}, PIN {PIN}, lockout after 3 failures for 15 minutes")

step(f"The admin (or {USER}) enrols an ibkey: sls enroll ibkey --name laptop")
c = pexpect.spawn(SLS, ["--conf", conf, "enroll", "ibkey", "--name", "laptop",
                        "--label", "demo laptop"], encoding="utf-8", timeout=20)
c.logfile_read = sys.stdout
for prompt in ("New PIN: ", "Repeat the PIN: "):
    expect(c, prompt, f"sls enroll did not ask {prompt!r}")
    c.sendline(PIN)
expect(c, r"(otpauth://ocra/\S+)", "no otpauth URI printed")
uri = c.match.group(1)
print(f"\n   [second machine] sls-authenticator import <the URI above>", flush=True)
p = subprocess.run([AUTH, "import", uri], env=auth_env, capture_output=True, text=True)
if p.returncode != 0:
    fail(f"import failed: {p.stderr.strip()}")
print(f"   [second machine] account {p.stdout.strip()} added")
expect(c, r"Challenge: (\d{6})", "no confirmation challenge")
challenge = c.match.group(1)
expect(c, "Response: ", "no Response: prompt")
c.sendline(respond(challenge))
expect(c, "is active", "the device did not become active")
expect(c, pexpect.EOF, "sls enroll did not finish")
c.close()
if c.exitstatus != 0:
    fail("sls enroll failed")

step("Log in: pam_sls.so shows a challenge, the authenticator answers it")
login(respond, True, "the right response was refused",
      expect_text="pamtester: successfully authenticated")

step("Log in with a wrong response: refused, and counted")
login(lambda ch: "12345678", False, "a wrong response was accepted",
      expect_text="Authentication failure")

step("Two more wrong responses: the third failure locks the user")
login(lambda ch: "87654321", False, "a wrong response was accepted")
login(lambda ch: "11111111", False, "the lockout did not happen",
      expect_text="Too many failed attempts")

step("Locked: even the right response cannot log in now (no prompt is shown)")
login(respond, False, "a locked user logged in", expect_prompt=False,
      expect_text="Too many failed attempts")

step(f"The admin looks and unlocks: sls status {USER}; sls unlock {USER}")
for args in (["status", USER], ["unlock", USER]):
    p = subprocess.run([SLS, "--conf", conf] + args, capture_output=True, text=True)
    print(f"   $ sls {' '.join(args)}\n" + "".join(f"   {line}\n" for line in
                                                   p.stdout.splitlines()), end="")
    if p.returncode != 0 or (args[0] == "status" and "Locked until" not in p.stdout):
        fail(f"sls {args[0]} did not work: {p.stderr.strip()}")

step("Log in again after the unlock")
login(respond, True, "login after unlock failed",
      expect_text="pamtester: successfully authenticated")

print(f"\n{BOLD}Demo finished: every step behaved as shown.{OFF}")
if KEEP:
    print(f"sandbox kept: {box}")
else:
    shutil.rmtree(box)

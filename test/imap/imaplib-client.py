"""Drives a running Posthorn IMAP server with Python's imaplib (an independent client).

Usage: imaplib-client.py HOST IMAP_PORT IMAPS_PORT USER PASSWORD
Prints "IDLING" when it waits in IDLE (the test then delivers a message), and "RESULT <json>" at the end.
Any failed expectation raises, so the exit status is non-zero.
"""

import imaplib
import json
import ssl
import sys

host, port, tls_port, user, password = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
result = {}


def ok(typ_data, what):
    typ, data = typ_data
    if typ != "OK":
        raise AssertionError(f"{what}: {typ} {data}")
    return data


M = imaplib.IMAP4(host, port)
result["greeting_caps"] = sorted(M.capabilities)
ok(M.login(user, password), "login")
result["list"] = [l.decode() for l in ok(M.list(), "list")]
ok(M.create("Work/Projects"), "create")
count = int(ok(M.select("INBOX"), "select")[0])
result["initial_count"] = count
msg = b"From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: imaplib test\r\n\r\nHello from imaplib.\r\n"
resp = ok(M.append("INBOX", "(\\Flagged)", imaplib.Time2Internaldate(1700000000), msg), "append")
result["append_resp"] = resp[0].decode()
ok(M.noop(), "noop")
result["search_all"] = ok(M.search(None, "ALL"), "search")[0].decode()
result["search_subject"] = ok(M.search(None, '(SUBJECT "imaplib")'), "search subject")[0].decode()
result["search_flagged"] = ok(M.uid("SEARCH", None, "FLAGGED"), "uid search")[0].decode()
fetched = ok(M.fetch("1:*", "(UID FLAGS RFC822.SIZE)"), "fetch flags")
result["fetch_flags"] = [f.decode() for f in fetched]
body = ok(M.fetch(str(count + 1), "(BODY.PEEK[])"), "fetch body")
result["body_ok"] = body[0][1] == msg
hdr = ok(M.fetch(str(count + 1), "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"), "fetch header")
result["header"] = hdr[0][1].decode()
ok(M.store(str(count + 1), "+FLAGS", "(\\Seen $Work)"), "store")
result["flags_after_store"] = ok(M.fetch(str(count + 1), "(FLAGS)"), "fetch flags 2")[0].decode()
copy = ok(M.copy(str(count + 1), "Work/Projects"), "copy")
result["copy"] = [c.decode() if c else None for c in copy]
uid = result["search_flagged"].split()[-1]
ok(M.uid("MOVE", uid, "Archive"), "uid move")
result["after_move_count"] = ok(M.search(None, "ALL"), "search after move")[0].decode()
typ, data = M.status("Work/Projects", "(MESSAGES UIDNEXT UNSEEN)")
result["status"] = data[0].decode()
# Expunge: mark the first message deleted, expunge it.
if count > 0:
    ok(M.store("1", "+FLAGS", "(\\Deleted)"), "store deleted")
    result["expunge"] = [d.decode() if d else None for d in ok(M.expunge(), "expunge")]

# IDLE by hand (imaplib in 3.11 has no idle()).
tag = M._new_tag()
M.send(tag + b" IDLE\r\n")
cont = M.readline()
if not cont.startswith(b"+"):
    raise AssertionError(f"IDLE: {cont!r}")
print("IDLING", flush=True)
line = M.readline()
result["idle_line"] = line.decode().strip()
M.send(b"DONE\r\n")
while True:
    l = M.readline()
    if l.startswith(tag):
        result["idle_done"] = l.decode().strip()
        break
ok(M.close(), "close")
M.logout()

# Implicit TLS.
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
S = imaplib.IMAP4_SSL(host, tls_port, ssl_context=ctx)
ok(S.login(user, password), "login over imaps")
result["imaps_select"] = int(ok(S.select("Archive", readonly=True), "select archive")[0])
S.logout()

# STARTTLS on the plain port.
T = imaplib.IMAP4(host, port)
ok(T.starttls(ssl_context=ctx), "starttls")
ok(T.login(user, password), "login after starttls")
result["starttls_caps"] = sorted(T.capabilities)
T.logout()

print("RESULT " + json.dumps(result), flush=True)

# Bob's mail client for the reference story, with Python's imaplib: STARTTLS (the server's certificate
# trusted from a file), LOGIN, SELECT INBOX, IDLE (RFC 2177, sent by hand: imaplib 3.11 has no idle()).
# Prints "IDLING <exists>" once idling, "EXISTS <line>" when the server announces a new message, then
# ends IDLE, fetches that message and prints "BODY <base64 of BODY[]>".
#   python3 imap-idle.py HOST PORT USER PASSWORD CAFILE
import base64
import imaplib
import re
import ssl
import sys

host, port, user, password, cafile = sys.argv[1:6]
context = ssl.create_default_context(cafile=cafile)
imap = imaplib.IMAP4(host, int(port))
imap.starttls(context)
imap.login(user, password)
typ, data = imap.select("INBOX")
assert typ == "OK", data
before = int(data[0])

tag = imap._new_tag()
imap.send(tag + b" IDLE\r\n")
line = imap.readline()
assert line.startswith(b"+"), line
print("IDLING", before, flush=True)

while True:
    line = imap.readline()
    if not line:
        sys.exit("connection closed while idling")
    match = re.match(rb"\* (\d+) EXISTS\r\n$", line)
    if match and int(match.group(1)) > before:
        number = int(match.group(1))
        break
print("EXISTS", line.decode().strip(), flush=True)

imap.send(b"DONE\r\n")
while True:
    line = imap.readline()
    if line.startswith(tag + b" "):
        assert line.startswith(tag + b" OK"), line
        break
del imap.tagged_commands[tag]

typ, data = imap.fetch(str(number), "(BODY.PEEK[])")
assert typ == "OK", data
print("BODY", base64.b64encode(data[0][1]).decode(), flush=True)
imap.logout()

# Python's standard mail libraries against one Posthorn server, as a mail client would use them.
#   python3 python-session.py SUBMISSION-PORT SUBMISSIONS-PORT IMAPS-PORT CAFILE USER PASSWORD
# smtplib: three messages to USER (STARTTLS on submission, implicit TLS on submissions, one with SMTPUTF8).
# imaplib over implicit TLS: LIST, CREATE, SELECT, SEARCH, FETCH, STORE, COPY, EXPUNGE, UID commands.
# Prints one JSON object with what the server answered; the test asserts on it and on the server's store.
import base64
import imaplib
import json
import smtplib
import ssl
import sys

sub_port, subs_port, imaps_port, cafile, user, password = sys.argv[1:7]
context = ssl.create_default_context(cafile=cafile)
out = {}


def message(subject, body, extra=b""):
    return (
        b"From: Alice <" + user.encode() + b">\r\n"
        b"To: " + user.encode() + b"\r\n"
        b"Subject: " + subject + b"\r\n"
        b"Message-ID: <" + subject.replace(b" ", b"-") + b"@python.test>\r\n" + extra + b"\r\n" + body
    )


sent = [
    message(b"first message", b"one\r\n.dot\r\n"),
    message(b"second message", b"two\r\n"),
    message(
        "troisième message".encode(),
        "très bien\r\n".encode(),
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n",
    ),
]

# --- smtplib
with smtplib.SMTP("127.0.0.1", int(sub_port), local_hostname="python.test") as smtp:
    smtp.starttls(context=context)
    smtp.ehlo()
    out["smtp_features"] = sorted(smtp.esmtp_features)
    smtp.login(user, password)
    out["refused_1"] = smtp.sendmail(user, [user], sent[0])
    out["refused_2"] = smtp.sendmail(user, [user], sent[1])
with smtplib.SMTP_SSL("127.0.0.1", int(subs_port), local_hostname="python.test", context=context) as smtp:
    smtp.login(user, password)
    out["refused_3"] = smtp.sendmail(user, [user], sent[2], mail_options=["SMTPUTF8", "BODY=8BITMIME"])
out["sent"] = [base64.b64encode(m).decode() for m in sent]

# --- imaplib
imap = imaplib.IMAP4_SSL("127.0.0.1", int(imaps_port), ssl_context=context)
out["capabilities"] = list(imap.capabilities)
imap.login(user, password)


def ok(result):
    typ, data = result
    assert typ == "OK", (typ, data)
    return data


def text(data):
    return [d.decode() if isinstance(d, bytes) else d for d in data]


# Local delivery commits before the 250 (DESIGN.md §4.1): all three are in INBOX already.
data = ok(imap.select("INBOX"))
out["select_exists"] = int(data[0])
out["list_before"] = text(ok(imap.list()))
out["create"] = text(ok(imap.create("Projects")))
out["list_after"] = text(ok(imap.list('""', "*")))
out["search_subject"] = text(ok(imap.search(None, "SUBJECT", '"second"')))
out["search_unseen"] = text(ok(imap.search(None, "UNSEEN")))
out["search_body"] = text(ok(imap.search(None, "BODY", "dot")))
headers = ok(imap.fetch("1:3", "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
out["fetch_headers"] = [[part[0].decode(), part[1].decode("utf-8")] for part in headers if isinstance(part, tuple)]
body = ok(imap.fetch("1", "(BODY[])"))
out["fetch_body_1"] = base64.b64encode(body[0][1]).decode()
out["flags_after_body_fetch"] = text(ok(imap.fetch("1", "(FLAGS)")))
body3 = ok(imap.fetch("3", "(BODY.PEEK[])"))
out["fetch_body_3"] = base64.b64encode(body3[0][1]).decode()
out["store_flagged"] = text(ok(imap.store("2", "+FLAGS", "(\\Flagged $Important)")))
out["copy"] = text(ok(imap.copy("2", "Projects")))
out["store_deleted"] = text(ok(imap.store("3", "+FLAGS.SILENT", "(\\Deleted)")))
out["expunge"] = text(ok(imap.expunge()))
out["uid_search_all"] = text(ok(imap.uid("SEARCH", "ALL")))
out["status_projects"] = text(ok(imap.status("Projects", "(MESSAGES UNSEEN)")))
out["select_projects"] = text(ok(imap.select("Projects", readonly=True)))
out["projects_flags"] = text(ok(imap.fetch("1", "(FLAGS)")))
imap.logout()
print(json.dumps(out))

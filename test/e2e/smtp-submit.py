# A mail client submitting with Python's smtplib: STARTTLS (certificate trusted from a file), AUTH, then
# MAIL/RCPT/DATA with the message file's bytes as they are. Prints "<code> <reply text>" of the DATA reply.
#   python3 smtp-submit.py HOST PORT USER PASSWORD CAFILE FROM TO MESSAGE-FILE
import smtplib
import ssl
import sys

host, port, user, password, cafile, sender, recipient, path = sys.argv[1:9]
context = ssl.create_default_context(cafile=cafile)
with smtplib.SMTP(host, int(port), local_hostname="alice-laptop.crepes.fr") as smtp:
    smtp.starttls(context=context)
    smtp.ehlo()
    smtp.login(user, password)
    message = open(path, "rb").read()
    code, reply = smtp.mail(sender, ["BODY=8BITMIME"])
    assert code == 250, (code, reply)
    code, reply = smtp.rcpt(recipient)
    assert code == 250, (code, reply)
    code, reply = smtp.data(message)
    print(code, reply.decode(), flush=True)

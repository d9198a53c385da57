# Sends one message file with Python's smtplib, as it is (no line-end or header changes).
#   python3 smtp-send.py HOST PORT FROM TO FILE [--starttls CAFILE] [--login USER PASSWORD] [--helo NAME]
# BODY=8BITMIME is given when the server offers it. Prints "<code> <text>" of the final reply.
import argparse
import smtplib
import ssl

parser = argparse.ArgumentParser()
parser.add_argument("host")
parser.add_argument("port", type=int)
parser.add_argument("sender")
parser.add_argument("recipient")
parser.add_argument("file")
parser.add_argument("--starttls", metavar="CAFILE")
parser.add_argument("--login", nargs=2, metavar=("USER", "PASSWORD"))
parser.add_argument("--helo", default="client.test")
args = parser.parse_args()

with smtplib.SMTP(args.host, args.port, local_hostname=args.helo) as smtp:
    smtp.ehlo()
    if args.starttls:
        smtp.starttls(context=ssl.create_default_context(cafile=args.starttls))
        smtp.ehlo()
    if args.login:
        smtp.login(*args.login)
    options = ["BODY=8BITMIME"] if smtp.has_extn("8bitmime") else []
    code, reply = smtp.mail(args.sender, options)
    assert code == 250, (code, reply)
    code, reply = smtp.rcpt(args.recipient)
    assert code in (250, 251), (code, reply)
    code, reply = smtp.data(open(args.file, "rb").read())
    print(code, reply.decode(), flush=True)

# Second opinion on our DKIM signatures: dkimpy (Debian python3-dkim) verifies every DKIM-Signature of the
# message on stdin, with key records from the JSON file argv[1] ({"sel._domainkey.example.org": "v=DKIM1; …"})
# instead of DNS. Prints one JSON line: [{"selector": …, "algorithm": …, "ok": true|false}, …].
import json
import sys

import dkim

records = json.load(open(sys.argv[1]))
message = sys.stdin.buffer.read()


def dnsfunc(name, timeout=5):
    key = (name.decode() if isinstance(name, bytes) else name).rstrip('.').lower()
    value = records.get(key)
    return value.encode() if value is not None else None


d = dkim.DKIM(message)
results = []
count = sum(1 for (k, _) in d.headers if k.lower() == b'dkim-signature')
for i in range(count):
    try:
        ok = d.verify(idx=i, dnsfunc=dnsfunc)
    except dkim.ValidationError:
        ok = False
    results.append({'selector': d.selector.decode(), 'algorithm': d.signature_fields[b'a'].decode(), 'ok': bool(ok)})
print(json.dumps(results))

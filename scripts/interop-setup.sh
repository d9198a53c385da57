#!/usr/bin/env bash
# Installs what the interop suite (npm run test:interop, test/interop/) talks to: swaks, isync (mbsync),
# mutt, postfix, dovecot-imapd, python3. Only what is missing is installed, with apt-get; nothing is
# configured system-wide: Postfix is pre-seeded "No configuration" and no service is started by the
# installation (policy-rc.d), because the tests run private instances on high loopback ports.
# Safe to run again: with everything present it does nothing and needs no network.
set -euo pipefail

# python3-dkim (dkimpy, with python3-nacl for Ed25519) gives test/auth a second, independent DKIM verifier.
# libnet-ssleay-perl is swaks's TLS (a Recommends, which --no-install-recommends would leave out).
packages=(swaks libnet-ssleay-perl isync mutt postfix dovecot-imapd python3 openssl python3-dkim python3-nacl)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
  done
else
  echo "interop-setup: not a Debian system; the interop tests skip whatever is not installed" >&2
  exit 0
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "interop-setup: ${packages[*]} present"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "interop-setup: missing ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

echo "interop-setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
echo 'postfix postfix/main_mailer_type select No configuration' | "${as_root[@]}" debconf-set-selections

# No daemon may start on 25/143/993 during installation: a private policy-rc.d denies service starts.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod 755 "$policy"
  own_policy=true
fi
cleanup() {
  if [ "$own_policy" = true ]; then "${as_root[@]}" rm -f "$policy"; fi
}
trap cleanup EXIT

"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "interop-setup: done"

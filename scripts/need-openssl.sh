#!/usr/bin/env bash
# Makes sure the openssl binary is there before the Go tests run: the
# interop tests hand OpenSSL what the simulator exports (and the other way
# round), and with CI set they fail instead of skipping when it is missing.
# Installs Debian's openssl package through apt-get when running as root,
# as test-browser.sh does for chromium.
set -euo pipefail
if command -v openssl >/dev/null; then
	exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y openssl
else
	echo "need-openssl: openssl is missing: install Debian's openssl package (apt-get install openssl, as root)" >&2
	exit 1
fi

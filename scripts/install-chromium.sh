#!/usr/bin/env bash
# Installs Debian's Chromium (/usr/bin/chromium) for the browser tests in tests/browser/.
# Does nothing when it is already there. Needs root (or sudo) and the Debian package mirror.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
    exit 0
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
    sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
/usr/bin/chromium --version

#!/usr/bin/env bash
# Install Debian packages the portal needs (as root), or say what to install.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
    echo "missing $*: install it with 'apt-get install $*' (needs root)" >&2
    exit 1
fi
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -qq
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null

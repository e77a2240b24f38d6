#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real, only when missing:
# Chromium (HTML report tests), then WordPress with MariaDB and PHP (audit tests).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is missing (run as root, or install Debian's chromium package)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
bash "$here/.ci/install-wordpress.sh"

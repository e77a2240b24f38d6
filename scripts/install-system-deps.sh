#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real, only when missing:
# Chromium (HTML report tests), a Java 17 runtime (the Spark tests of `provenance scan`;
# pyspark 4 supports Java 17 and 21, Debian 12 ships 17), then WordPress with MariaDB and
# PHP (audit tests). apt's output goes to a log ($PROVENANCE_APT_LOG, default
# out/system-deps.log), printed only when a step fails.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export PROVENANCE_APT_LOG="${PROVENANCE_APT_LOG:-$here/out/system-deps.log}"
mkdir -p "$(dirname "$PROVENANCE_APT_LOG")"
: >"$PROVENANCE_APT_LOG"

logged() {
    if ! "$@" >>"$PROVENANCE_APT_LOG" 2>&1; then
        echo "system-deps: '$*' failed; its output ($PROVENANCE_APT_LOG):" >&2
        cat "$PROVENANCE_APT_LOG" >&2
        exit 1
    fi
}

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is missing (run as root, or install Debian's chromium package)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  echo "system-deps: installing chromium (log: $PROVENANCE_APT_LOG)"
  logged apt-get update -q
  logged apt-get install -y -q --no-install-recommends chromium
fi
if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "java is missing (run as root, or install Debian's openjdk-17-jre-headless)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  echo "system-deps: installing openjdk-17-jre-headless (log: $PROVENANCE_APT_LOG)"
  logged apt-get update -q
  logged apt-get install -y -q --no-install-recommends openjdk-17-jre-headless
fi
bash "$here/.ci/install-wordpress.sh"

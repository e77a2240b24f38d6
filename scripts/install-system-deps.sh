#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real, only when missing:
# Chromium (HTML report tests), a Java 17 runtime (the Spark tests of `provenance scan`;
# pyspark 4 supports Java 17 and 21, Debian 12 ships 17), then WordPress with MariaDB and
# PHP (audit tests).
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
if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "java is missing (run as root, or install Debian's openjdk-17-jre-headless)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  log="${TMPDIR:-/tmp}/provenance-install-java.log"
  echo "installing openjdk-17-jre-headless (log: $log)"
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless; } \
    >"$log" 2>&1 || { echo "installing Java failed; see $log" >&2; tail -20 "$log" >&2; exit 1; }
fi
bash "$here/.ci/install-wordpress.sh"

#!/usr/bin/env bash
# Installs the Debian packages the real-WordPress test fixture needs (tests/wordpress.py):
# WordPress, MariaDB's server binaries and PHP's CLI with its MySQL driver. Does nothing
# when they are present.
#
# No service is left to start at boot: the fixture runs its own mariadbd and `php -S` in a
# temp dir. mariadb-server-core has the binaries without the mariadb service; Debian's
# wordpress package depends on apache2 (or another httpd), so apache2 comes along: its
# maintainer scripts are kept from starting it (policy-rc.d), and when this script
# installed it, it is disabled at boot and masked.
# apt's output goes to $PROVENANCE_APT_LOG (default out/system-deps.log), printed on failure.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
log="${PROVENANCE_APT_LOG:-$here/out/system-deps.log}"
mkdir -p "$(dirname "$log")"
packages=(wordpress mariadb-server-core php-cli php-mysql)
boot_services=(apache2 apache-htcacheclean)

logged() {
    if ! "$@" >>"$log" 2>&1; then
        echo "install-wordpress: '$*' failed; its output ($log):" >&2
        cat "$log" >&2
        exit 1
    fi
}

have_all() {
    [ -f /usr/share/wordpress/wp-settings.php ] || return 1
    command -v php >/dev/null && command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null || return 1
    php -r 'exit(extension_loaded("mysqli") ? 0 : 1);'
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Disable at boot (systemd and sysv-rc) and mask a service this script installed.
no_boot() {
    local service="$1"
    if command -v deb-systemd-helper >/dev/null; then
        deb-systemd-helper disable "$service.service" >>"$log" 2>&1 || true
        deb-systemd-helper mask "$service.service" >>"$log" 2>&1 || true
    fi
    if [ -x "/etc/init.d/$service" ] && command -v update-rc.d >/dev/null; then
        update-rc.d "$service" disable >>"$log" 2>&1 || true
    fi
    if [ -d /run/systemd/system ]; then
        systemctl stop "$service.service" >>"$log" 2>&1 || true
    fi
}

if have_all; then
    echo "install-wordpress: already installed"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "install-wordpress: need root to install ${packages[*]}" >&2
    exit 1
fi

# Keep the packages' maintainer scripts from starting apache2 (or any service).
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

# apache2's services, when apache2 comes with this install (a server of the user's is left alone)
new_services=()
if ! installed apache2; then new_services=("${boot_services[@]}"); fi

export DEBIAN_FRONTEND=noninteractive
echo "install-wordpress: installing ${packages[*]} (log: $log)"
logged apt-get update -q
logged apt-get install -y -q --no-install-recommends "${packages[@]}"
for service in "${new_services[@]}"; do
    no_boot "$service"
done
have_all
echo "install-wordpress: installed ${packages[*]}; no service enabled at boot"

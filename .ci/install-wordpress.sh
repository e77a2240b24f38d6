#!/usr/bin/env bash
# Installs the Debian packages the real-WordPress test fixture needs (tests/wordpress.py):
# WordPress, MariaDB and PHP's CLI with its MySQL driver. Does nothing when they are present.
# Services are not started here: the fixture runs its own MariaDB and `php -S` in a temp dir.
set -euo pipefail

packages=(wordpress mariadb-server php-cli php-mysql)

have_all() {
    [ -f /usr/share/wordpress/wp-settings.php ] || return 1
    command -v php >/dev/null && command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null || return 1
    php -r 'exit(extension_loaded("mysqli") ? 0 : 1);'
}

if have_all; then
    echo "install-wordpress: already installed"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "install-wordpress: need root to install ${packages[*]}" >&2
    exit 1
fi

# Keep the packages' maintainer scripts from starting apache2/mariadb system services.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"
have_all
echo "install-wordpress: installed ${packages[*]}"

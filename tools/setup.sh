#!/bin/bash
# Palisade set-up on Debian/Ubuntu.
#
#   bash tools/setup.sh deps    install the build and test dependencies (apt)
#   bash tools/setup.sh build   autoreconf, configure and make in the source tree
#   bash tools/setup.sh run     deps + build + install into the system Apache,
#                               enable it with the OWASP CRS on 127.0.0.1:8080
#   bash tools/setup.sh test    deps + build + the whole test suite
#
# deps, run (and test, when packages are missing) need root: use sudo.
# "run" honours APACHE_CONFDIR (default /etc/apache2, as Debian's apache2ctl
# and a2enmod do) and PALISADE_DEMO_PORT (default 8080).

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${PALISADE_DEMO_PORT:-8080}
APACHE_CONFDIR=${APACHE_CONFDIR:-/etc/apache2}
export APACHE_CONFDIR
BUILD_DEPS="build-essential autoconf automake libtool pkg-config
    apache2 apache2-dev libapr1-dev libaprutil1-dev libpcre2-dev libxml2-dev
    liblua5.4-dev libhiredis-dev libmaxminddb-dev libfuzzy-dev python3 python3-yaml curl"
# The tests of the Redis collection store start their own redis-server on a
# free 127.0.0.1 port; the package's own service is not started here.
TEST_DEPS="redis-server"
# Debian's legacy GeoIP.dat for the @geoLookup tests; clang and its
# libFuzzer runtime for tests/fuzz (run by .ci/run).
TEST_DEPS="$TEST_DEPS geoip-database clang libclang-rt-dev"
# The rules only: the package recommends mod_security2, which Palisade replaces.
CRS_PACKAGE="modsecurity-crs"

say() { echo "setup: $*"; }
die() { echo "setup: $*" >&2; exit 1; }

missing_packages() {
    local p
    for p in $BUILD_DEPS $TEST_DEPS $CRS_PACKAGE; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}

cmd_deps() {
    local missing
    missing=$(missing_packages)
    if [ -z "$missing" ]; then
        say "all dependencies are installed"
        return 0
    fi
    [ "$(id -u)" -eq 0 ] || die "missing packages ($(echo $missing)); run as root: sudo bash tools/setup.sh deps"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # shellcheck disable=SC2086
    apt-get install -y $BUILD_DEPS
    apt-get install -y --no-install-recommends $CRS_PACKAGE
    # shellcheck disable=SC2086
    install_without_starting $TEST_DEPS
}

# apt-get install, with a temporary policy-rc.d (when there is none) so
# that packages with a service do not start it.
install_without_starting() {
    local policy=/usr/sbin/policy-rc.d own=0 rc=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        own=1
    fi
    apt-get install -y --no-install-recommends "$@" || rc=$?
    if [ "$own" -eq 1 ]; then
        rm -f "$policy"
    fi
    return "$rc"
}

cmd_build() {
    cd "$ROOT"
    mkdir -p m4
    autoreconf -fi
    ./configure --with-apache-confdir="$APACHE_CONFDIR"
    make -j2
}

# Debian's own way of running Apache: systemd when it is there, else
# apache2ctl (which works in containers too).
restart_apache() {
    if [ "$APACHE_CONFDIR" = /etc/apache2 ] && [ -d /run/systemd/system ] \
       && command -v systemctl >/dev/null; then
        systemctl restart apache2
    else
        apache2ctl restart || apache2ctl start
    fi
}

wait_port() {
    local i
    for i in $(seq 1 50); do
        curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return 0
        sleep 0.2
    done
    return 1
}

cmd_run() {
    local logdir
    [ "$(id -u)" -eq 0 ] || die "run as root: sudo bash tools/setup.sh run"
    cmd_deps
    cmd_build
    make -C "$ROOT" install

    if [ -e "$APACHE_CONFDIR/mods-enabled/security2.load" ]; then
        say "mod_security2 is enabled; Palisade replaces it, so: a2dismod security2"
        a2dismod -q security2
    fi
    mkdir -p /var/cache/palisade
    chown www-data:www-data /var/cache/palisade 2>/dev/null || true

    # The local configuration: the recommended one, blocking.  An existing
    # /etc/palisade/palisade.conf is the administrator's and is kept.
    if [ ! -e /etc/palisade/palisade.conf ]; then
        sed 's/^SecRuleEngine DetectionOnly/SecRuleEngine On/' \
            /etc/palisade/palisade.conf-recommended >/etc/palisade/palisade.conf
        say "wrote /etc/palisade/palisade.conf (recommended settings, SecRuleEngine On)"
    else
        say "keeping the existing /etc/palisade/palisade.conf"
    fi
    # mods-available/palisade.conf reads /etc/palisade/*.conf, then the CRS
    # (crs-setup.conf, paranoia level 1 by default, and its rules).
    a2enmod -q unique_id palisade

    cat >"$APACHE_CONFDIR/sites-available/palisade-demo.conf" <<EOF
# Palisade demonstration site (written by tools/setup.sh run).
Listen 127.0.0.1:$PORT
<VirtualHost 127.0.0.1:$PORT>
    ServerName localhost
    DocumentRoot /var/www/html
    ErrorLog \${APACHE_LOG_DIR}/error.log
    CustomLog \${APACHE_LOG_DIR}/access.log combined
</VirtualHost>
EOF
    a2ensite -q palisade-demo
    apache2ctl -t
    restart_apache
    logdir=$( . "$APACHE_CONFDIR/envvars" >/dev/null 2>&1; echo "${APACHE_LOG_DIR:-/var/log/apache2}")
    wait_port || die "Apache does not answer on 127.0.0.1:$PORT; see $logdir/error.log"

    cat <<EOF

Palisade is running in the system Apache on http://127.0.0.1:$PORT/ with the
OWASP CRS.  Try:

  curl -s -o /dev/null -w '%{http_code}\n' 'http://127.0.0.1:$PORT/?q=hello'
      -> 200
  curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$PORT/?id=1'%20or%201=1--"
      -> 403, and $logdir/error.log tells why:
         grep 'ModSecurity: ' $logdir/error.log | tail

Settings: /etc/palisade/palisade.conf.  Rules: /usr/share/modsecurity-crs.
EOF
}

cmd_test() {
    cmd_deps
    cmd_build
    bash "$ROOT/tests/run.sh" "$ROOT"
}

case "${1:-}" in
    deps)  cmd_deps ;;
    build) cmd_build ;;
    run)   cmd_run ;;
    test)  cmd_test ;;
    *)     echo "usage: bash tools/setup.sh deps|build|run|test" >&2; exit 2 ;;
esac

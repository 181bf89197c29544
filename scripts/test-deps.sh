#!/usr/bin/env bash
# The system tools the tests drive for real (Debian packages): installed when missing, as root
# through apt-get; elsewhere it says what to install and the tests that need them fail clearly.
set -uo pipefail
need=()
command -v bwrap >/dev/null || need+=(bubblewrap)
# The web app's browser tests drive Debian's chromium (puppeteer-core never downloads a browser).
[ -x /usr/bin/chromium ] || [ -n "${RA_TEST_CHROMIUM:-}" ] || need+=(chromium)
# Several relays on one database and one bus: real Postgres and Redis servers, started by the tests.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
[ "${#need[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${need[*]} for the tests (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null && exit 0
fi
echo "warning: the tests need ${need[*]}: install it (Debian/Ubuntu: sudo apt-get install ${need[*]})" >&2

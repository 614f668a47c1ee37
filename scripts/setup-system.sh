#!/usr/bin/env bash
# System packages the test suite drives: Debian's chromium (browser tests, through
# Playwright with executable_path=/usr/bin/chromium), LibreOffice Writer without its GUI
# and poppler-utils (the report's PDF is converted by soffice and read back by pdftotext),
# Node.js and npm (make installs axe-core from the npm registry for the accessibility test),
# and a PostgreSQL server at 127.0.0.1:5432 with database "test" (store tests run on both
# SQLite and PostgreSQL).
# Installs only what is missing; needs root (as on the project's machines) or sudo.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
updated=0
apt_install() {
  if [ "$updated" -eq 0 ]; then $SUDO apt-get update -qq; updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@"
}

if [ ! -x /usr/bin/chromium ]; then
  echo "setup-system: installing Debian's chromium for the browser tests"
  apt_install chromium fonts-dejavu-core
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "setup-system: installing Node.js and npm for axe-core (the accessibility test)"
  apt_install nodejs npm
fi

if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
  echo "setup-system: installing LibreOffice Writer (no GUI) and poppler-utils for report.pdf"
  apt_install libreoffice-writer-nogui poppler-utils
fi

if ! command -v pg_isready >/dev/null 2>&1 || ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "setup-system: installing PostgreSQL for the store tests"
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
fi

if pg_isready -q -h 127.0.0.1 -p 5432; then
  if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
    $SUDO -u postgres psql -q -c 'create database test' >/dev/null 2>&1 || \
      su postgres -c "psql -q -c 'create database test'" >/dev/null 2>&1 || true
  fi
  echo "setup-system: PostgreSQL is listening on 127.0.0.1:5432"
else
  echo "setup-system: PostgreSQL is not reachable; tests marked 'postgres' will be skipped"
fi

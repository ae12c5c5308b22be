#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing:
# PostgreSQL (throwaway clusters), Chromium (browser journeys), gettext (catalogue checks),
# Pango for WeasyPrint and poppler-utils to render PDFs in tests.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v msgfmt >/dev/null || missing+=(gettext)
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
# WeasyPrint (PDF reports) needs Pango; pdftoppm lets tests look at the PDFs.
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
# Pro Santé Connect tests (egide.psc): a real OpenID Connect provider on Node.js (oidc-provider 9
# wants Node.js 20.19 or later).
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
# Backups (egide.backups): restic is the backup engine; rclone serves the append-only REST
# destination the tests use; OpenSSH's server is the SFTP destination the tests start on loopback.
command -v restic >/dev/null || missing+=(restic)
command -v rclone >/dev/null || missing+=(rclone)
command -v /usr/sbin/sshd >/dev/null || missing+=(openssh-server)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "Paquets Debian manquants : ${missing[*]}" >&2
    echo "Installez-les avec : sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
echo "Installation des paquets Debian manquants : ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

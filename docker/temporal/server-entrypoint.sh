#!/bin/sh
# The `temporal` service's entrypoint: puts Temporal's database password, read from its
# secret's file, in POSTGRES_PWD (where the server's configuration takes it from), then runs
# its arguments: the image's own entrypoint, /etc/temporal/entrypoint.sh, which
# docker-compose.yml passes as the service's command.
set -eu

if [ "$#" -eq 0 ]; then
  echo "usage: server-entrypoint.sh COMMAND [ARG...]: the image's entrypoint to run" >&2
  exit 2
fi
# shellcheck source=db-password.sh source-path=SCRIPTDIR
. "$(dirname "$0")/db-password.sh"
exec "$@"

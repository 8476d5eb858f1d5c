#!/bin/sh
# The `temporal` service's entrypoint: puts Temporal's database password, read from its
# secret's file, in POSTGRES_PWD (where the server's configuration takes it from), then runs
# its arguments: the image's own entrypoint, /etc/temporal/entrypoint.sh, which
# docker-compose.yml passes as the service's command.
#
# What temporalio/server 1.31 has there, checked on its sources (temporalio/temporal; its
# images are built there from 1.30.0 on, temporalio/temporal#8671, no longer in
# temporalio/docker-builds): docker/targets/server.Dockerfile copies
# docker/scripts/sh/entrypoint.sh to /etc/temporal/entrypoint.sh, runs as `temporal` (uid
# 1000) in WORKDIR /etc/temporal on Alpine (/bin/sh is busybox) and names the script as its
# CMD (ENTRYPOINT in some earlier builds: either way replaced here, so both run it). The
# script sets BIND_ON_IP and the broadcast address, then `exec temporal-server start`,
# ignoring its arguments; the server renders its built-in configuration template, whose
# postgres12 store reads POSTGRES_USER, POSTGRES_PWD, POSTGRES_SEEDS and DB_PORT, and
# DYNAMIC_CONFIG_FILE_PATH (docker/config_template_embedded.yaml). The 1.2x images of
# temporalio/docker-builds had the same path as their ENTRYPOINT.
set -eu

if [ "$#" -eq 0 ]; then
  echo "usage: server-entrypoint.sh COMMAND [ARG...]: the image's entrypoint to run" >&2
  exit 2
fi
# shellcheck source=../secret-file.sh source-path=SCRIPTDIR
. "$(dirname "$0")/../secret-file.sh"
secret_from_file POSTGRES_PWD "Temporal's database password"
exec "$@"

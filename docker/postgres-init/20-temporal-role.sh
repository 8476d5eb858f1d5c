#!/bin/sh
# Runs once, on PostgreSQL's first start: creates Temporal's role, which may log in and
# create databases (the `temporal-schema` job creates `temporal` and `temporal_visibility`,
# owned by it) and nothing more: not a superuser, no other roles, no journey database.
# Its password comes from the file TEMPORAL_DB_PASSWORD_FILE names (compose's secret
# temporal_db_password, which the schema job and the server read too), its trailing newline
# left out as they leave it out.
set -eu

: "${TEMPORAL_DB_USER:=temporal}"
if [ -z "${TEMPORAL_DB_PASSWORD_FILE:-}" ]; then
  echo "set TEMPORAL_DB_PASSWORD_FILE: the file holding Temporal's database password" >&2
  exit 1
fi
# $(...) drops the trailing newlines; a file written on Windows ends in CR LF
if ! TEMPORAL_DB_PASSWORD=$(cat "$TEMPORAL_DB_PASSWORD_FILE"); then
  echo "TEMPORAL_DB_PASSWORD_FILE names $TEMPORAL_DB_PASSWORD_FILE, which cannot be read" >&2
  exit 1
fi
TEMPORAL_DB_PASSWORD=${TEMPORAL_DB_PASSWORD%"$(printf '\r')"}
if [ -z "$TEMPORAL_DB_PASSWORD" ]; then
  echo "TEMPORAL_DB_PASSWORD_FILE names $TEMPORAL_DB_PASSWORD_FILE, which is empty" >&2
  exit 1
fi

# psql takes the password from its environment (\getenv), not its command line, which any
# process listing on the host shows
export TEMPORAL_DB_PASSWORD
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v role="$TEMPORAL_DB_USER" <<'SQL'
\getenv pw TEMPORAL_DB_PASSWORD
CREATE ROLE :"role" LOGIN CREATEDB PASSWORD :'pw';
SQL
echo "created role $TEMPORAL_DB_USER (may create databases)"

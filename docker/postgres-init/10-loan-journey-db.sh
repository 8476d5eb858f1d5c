#!/bin/sh
# Runs once, on PostgreSQL's first start (an empty data volume): creates the journey's own
# database and its owner next to Temporal's. Tables come from the `migrate` job. Only that
# owner (and the superuser) may connect to it: Temporal's role cannot read or alter the
# journey's audit store. The owner's password comes from the file JOURNEY_DB_PASSWORD_FILE
# names (compose's secret journey_db_password, as the journey's processes read it, its
# trailing newline left out as they leave it out), or from JOURNEY_DB_PASSWORD.
set -eu

: "${JOURNEY_DB_NAME:=loan_journey}" "${JOURNEY_DB_USER:=loan_journey}"
if [ -n "${JOURNEY_DB_PASSWORD_FILE:-}" ]; then
  if [ -n "${JOURNEY_DB_PASSWORD:-}" ]; then
    echo "set JOURNEY_DB_PASSWORD or JOURNEY_DB_PASSWORD_FILE, not both" >&2
    exit 1
  fi
  # $(...) drops the trailing newlines; a file written on Windows ends in CR LF
  JOURNEY_DB_PASSWORD=$(cat "$JOURNEY_DB_PASSWORD_FILE")
  JOURNEY_DB_PASSWORD=${JOURNEY_DB_PASSWORD%"$(printf '\r')"}
fi
: "${JOURNEY_DB_PASSWORD:?set JOURNEY_DB_PASSWORD_FILE (or JOURNEY_DB_PASSWORD)}"

# psql takes the password from its environment (\getenv), not its command line, which any
# process listing on the host shows
export JOURNEY_DB_PASSWORD
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v db="$JOURNEY_DB_NAME" -v owner="$JOURNEY_DB_USER" <<'SQL'
\getenv pw JOURNEY_DB_PASSWORD
CREATE ROLE :"owner" LOGIN PASSWORD :'pw';
CREATE DATABASE :"db" OWNER :"owner";
REVOKE CONNECT, TEMPORARY ON DATABASE :"db" FROM PUBLIC;
SQL
echo "created database $JOURNEY_DB_NAME owned by $JOURNEY_DB_USER"

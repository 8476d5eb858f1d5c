#!/bin/sh
# Runs once, on PostgreSQL's first start (an empty data volume): creates the journey's own
# database and its owner next to Temporal's. Tables come from the `migrate` job. Only that
# owner (and the superuser) may connect to it: Temporal's role cannot read or alter the
# journey's audit store.
set -eu

: "${JOURNEY_DB_NAME:=loan_journey}" "${JOURNEY_DB_USER:=loan_journey}"
: "${JOURNEY_DB_PASSWORD:?set JOURNEY_DB_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v db="$JOURNEY_DB_NAME" -v owner="$JOURNEY_DB_USER" -v pw="$JOURNEY_DB_PASSWORD" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'pw';
CREATE DATABASE :"db" OWNER :"owner";
REVOKE CONNECT, TEMPORARY ON DATABASE :"db" FROM PUBLIC;
SQL
echo "created database $JOURNEY_DB_NAME owned by $JOURNEY_DB_USER"

#!/bin/sh
# Runs once, on PostgreSQL's first start: creates Temporal's role, which may log in and
# create databases (the `temporal-schema` job creates `temporal` and `temporal_visibility`,
# owned by it) and nothing more: not a superuser, no other roles, no journey database.
set -eu

: "${TEMPORAL_DB_USER:=temporal}"
: "${TEMPORAL_DB_PASSWORD:?set TEMPORAL_DB_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v role="$TEMPORAL_DB_USER" -v pw="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN CREATEDB PASSWORD :'pw';
SQL
echo "created role $TEMPORAL_DB_USER (may create databases)"

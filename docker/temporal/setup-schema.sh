#!/bin/sh
# Creates Temporal's two databases on PostgreSQL and brings their schemas up to the
# version this admin-tools image ships. Safe to run again: an existing database is only
# updated, so pulling a newer server + admin-tools pair migrates it in place.
set -eu

SCHEMA_DIR=/etc/temporal/schema/postgresql/v12
: "${POSTGRES_SEEDS:=postgresql}" "${DB_PORT:=5432}" "${POSTGRES_USER:=temporal}"
# the role's password, from its secret's file (POSTGRES_PWD_FILE), before any wait: a
# missing file ends the job at once
# shellcheck source=../secret-file.sh source-path=SCRIPTDIR
. "$(dirname "$0")/../secret-file.sh"
secret_from_file POSTGRES_PWD "Temporal's database password"
SQL_PASSWORD=$POSTGRES_PWD
export SQL_PASSWORD  # read by temporal-sql-tool

echo "waiting for PostgreSQL at ${POSTGRES_SEEDS}:${DB_PORT}"
until nc -z -w 5 "$POSTGRES_SEEDS" "$DB_PORT"; do sleep 2; done

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" \
    -u "$POSTGRES_USER" "$@"
}

setup_database() {
  db=$1
  versioned=$2
  if sql_tool --db "$db" create; then
    echo "created database $db"
    sql_tool --db "$db" setup-schema -v 0.0
  else
    echo "database $db exists: updating its schema only"
  fi
  sql_tool --db "$db" update-schema -d "$SCHEMA_DIR/$versioned/versioned"
}

setup_database temporal temporal
setup_database temporal_visibility visibility
echo "Temporal schema is up to date"

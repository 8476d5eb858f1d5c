#!/bin/sh
# Runs once, on PostgreSQL's first start (an empty data volume): creates the journey's own
# database and its owner next to Temporal's. Tables come from the `migrate` job. Only that
# owner (and the superuser) may connect to it: Temporal's role cannot read or alter the
# journey's audit store. The owner's password comes from the file JOURNEY_DB_PASSWORD_FILE
# names (compose's secret journey_db_password, which the journey's processes read too),
# read by ../secret-file.sh. Executable, as the postgres image runs an init script that is
# (one that is not it sources, where $0 would not lead to ../secret-file.sh).
set -eu

: "${JOURNEY_DB_NAME:=loan_journey}" "${JOURNEY_DB_USER:=loan_journey}"
# shellcheck source=../secret-file.sh source-path=SCRIPTDIR
. "$(dirname "$0")/../secret-file.sh"
secret_from_file JOURNEY_DB_PASSWORD "the journey database's password"

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

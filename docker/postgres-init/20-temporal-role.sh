#!/bin/sh
# Runs once, on PostgreSQL's first start: creates Temporal's role, which may log in and
# create databases (the `temporal-schema` job creates `temporal` and `temporal_visibility`,
# owned by it) and nothing more: not a superuser, no other roles, no journey database.
# Its password comes from the file TEMPORAL_DB_PASSWORD_FILE names (compose's secret
# temporal_db_password, which the schema job and the server read too), read by
# ../secret-file.sh.
set -eu

: "${TEMPORAL_DB_USER:=temporal}"
# shellcheck source=../secret-file.sh source-path=SCRIPTDIR
. "$(dirname "$0")/../secret-file.sh"
secret_from_file TEMPORAL_DB_PASSWORD "Temporal's database password"

# psql takes the password from its environment (\getenv), not its command line, which any
# process listing on the host shows
export TEMPORAL_DB_PASSWORD
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v role="$TEMPORAL_DB_USER" <<'SQL'
\getenv pw TEMPORAL_DB_PASSWORD
CREATE ROLE :"role" LOGIN CREATEDB PASSWORD :'pw';
SQL
echo "created role $TEMPORAL_DB_USER (may create databases)"

# Sourced by the scripts that give Temporal's role its password (the schema job, the server's
# entrypoint): reads it from the file POSTGRES_PWD_FILE names (compose's secret
# temporal_db_password) into POSTGRES_PWD, inside the container only, so that no `docker
# compose config` or `docker inspect` shows it. Its trailing newline is left out, as the
# init script that created the role with it leaves it out. A file that cannot be read, or an
# empty one, ends the script naming the file, never its content.
if [ -z "${POSTGRES_PWD_FILE:-}" ]; then
  echo "set POSTGRES_PWD_FILE: the file holding Temporal's database password" >&2
  exit 1
fi
if [ -n "${POSTGRES_PWD:-}" ]; then
  echo "set POSTGRES_PWD or POSTGRES_PWD_FILE, not both" >&2
  exit 1
fi
# $(...) drops the trailing newlines; a file written on Windows ends in CR LF
if ! POSTGRES_PWD=$(cat "$POSTGRES_PWD_FILE"); then
  echo "POSTGRES_PWD_FILE names $POSTGRES_PWD_FILE, which cannot be read" >&2
  exit 1
fi
POSTGRES_PWD=${POSTGRES_PWD%"$(printf '\r')"}
if [ -z "$POSTGRES_PWD" ]; then
  echo "POSTGRES_PWD_FILE names $POSTGRES_PWD_FILE, which is empty" >&2
  exit 1
fi
export POSTGRES_PWD

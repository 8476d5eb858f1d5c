# Sourced by every script that gives a database role its password: PostgreSQL's init scripts
# (postgres-init/), Temporal's schema job and the server's entrypoint (temporal/). One file
# for the three containers: compose mounts it into each at /secret-file.sh, beside the folder
# its scripts are mounted at (/docker-entrypoint-initdb.d, /scripts), and they find it as
# ../secret-file.sh there as in this repository.
#
# secret_from_file NAME WHAT: sets NAME, exported for the program that reads it from its
# environment (psql's \getenv, temporal-sql-tool, the server), to the text of the file that
# NAME_FILE names (compose's secret), its trailing newline left out as the journey's
# processes leave it out. NAME set as well is refused: which one counted would be a guess. A
# NAME_FILE unset, or naming a file that cannot be read or is empty, ends the script with a
# message naming the file, never its content.
secret_from_file() {
  eval "secret_file=\${$1_FILE:-} secret_given=\${$1:-}"
  if [ -z "$secret_file" ]; then
    echo "set $1_FILE: the file holding $2" >&2
    exit 1
  fi
  if [ -n "$secret_given" ]; then
    echo "set $1 or $1_FILE, not both" >&2
    exit 1
  fi
  # $(...) drops the trailing newlines; a file written on Windows ends in CR LF
  if ! secret_text=$(cat "$secret_file"); then
    echo "$1_FILE names $secret_file, which cannot be read" >&2
    exit 1
  fi
  secret_text=${secret_text%"$(printf '\r')"}
  if [ -z "$secret_text" ]; then
    echo "$1_FILE names $secret_file, which is empty" >&2
    exit 1
  fi
  eval "$1=\$secret_text"
  export "${1?}"
  unset secret_file secret_given secret_text
}

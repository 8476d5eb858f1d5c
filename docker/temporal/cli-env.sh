# Sourced by the jobs that use the temporal CLI: sets the address and namespace it reads.
# Dials the service's IPv4 address, as the upstream compose scripts do: some Docker set-ups
# hand the CLI a name it cannot dial. Falls back to the name when it does not resolve.
: "${TEMPORAL_ADDRESS:=temporal:7233}" "${TEMPORAL_NAMESPACE:=default}"
cli_host=${TEMPORAL_ADDRESS%:*}
cli_ip=$(getent ahosts "$cli_host" 2>/dev/null | awk '$1 ~ /^[0-9.]+$/ { print $1; exit }') \
  || cli_ip=""
TEMPORAL_ADDRESS="${cli_ip:-$cli_host}:${TEMPORAL_ADDRESS##*:}"
export TEMPORAL_ADDRESS TEMPORAL_NAMESPACE

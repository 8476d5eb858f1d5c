#!/bin/sh
# Creates the journey's namespace once the cluster answers; leaves an existing one alone.
set -eu

# shellcheck source=cli-env.sh source-path=SCRIPTDIR
. "$(dirname "$0")/cli-env.sh"
: "${NAMESPACE_RETENTION:=2160h}"

echo "waiting for the Temporal cluster at $TEMPORAL_ADDRESS"
attempt=0
until temporal operator cluster health; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 30 ]; then
    echo "the cluster did not become healthy" >&2
    exit 1
  fi
  sleep 2
done

if temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $TEMPORAL_NAMESPACE exists"
else
  temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" \
    --retention "$NAMESPACE_RETENTION"
  echo "namespace $TEMPORAL_NAMESPACE created (retention $NAMESPACE_RETENTION)"
fi

#!/usr/bin/env bash
# Creates the bot's account on a Synapse homeserver and exempts it from rate limits, so that
# a burst of replies (a vote storm, an export) is not throttled. Run on the homeserver's
# machine, as a user that can read homeserver.yaml:
#   deploy/synapse-bot-account.sh /etc/matrix-synapse/homeserver.yaml https://matrix.example.gov.it pspm ADMIN_TOKEN
# The password is read from PSPM_MATRIX_PASSWORD (the same value as in /etc/pspm/pspm.env).
set -euo pipefail
if [ $# -ne 4 ]; then
    echo "usage: $0 HOMESERVER_YAML HOMESERVER_URL LOCALPART ADMIN_ACCESS_TOKEN" >&2
    exit 2
fi
config=$1 url=${2%/} localpart=$3 admin_token=$4
: "${PSPM_MATRIX_PASSWORD:?set PSPM_MATRIX_PASSWORD to the password of the bot}"

# Synapse's own tool (needs registration_shared_secret in homeserver.yaml).
register_new_matrix_user -c "$config" -u "$localpart" -p "$PSPM_MATRIX_PASSWORD" --no-admin "$url"

server_name=$(sed -nE 's/^server_name:[[:space:]]*"?([^"#[:space:]]+)"?.*/\1/p' "$config" | head -n 1)
if [ -z "$server_name" ]; then
    echo "no server_name in $config" >&2
    exit 1
fi
user_id="@$localpart:$server_name"
# 0 messages per second, burst 0: no limit for this user (Synapse admin API).
curl -fsS -X POST \
    -H "Authorization: Bearer $admin_token" \
    -H "Content-Type: application/json" \
    -d '{"messages_per_second": 0, "burst_count": 0}' \
    "$url/_synapse/admin/v1/users/$user_id/override_ratelimit"
echo
echo "created $user_id and lifted its rate limits"

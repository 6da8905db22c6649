#!/usr/bin/env bash
# Usage: scripts/token.sh [subject] [minutes]  — prints a bearer token for local development (default: dev, 60).
# Signed with dev-keys/dev-only-private.pem, which is public: only a service run by scripts/run.sh (dev profile)
# accepts it; the prod profile refuses to start with that key. TOKEN_KEY, TOKEN_ISSUER and TOKEN_AUDIENCE sign for
# a service started with a key of its own (scripts/aot-train.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."

subject=${1:-dev}
minutes=${2:-60}
if [[ ! $subject =~ ^[A-Za-z0-9._@-]{1,255}$ ]]; then
  echo "subject must be 1 to 255 of A-Z a-z 0-9 . _ @ -" >&2
  exit 2
fi
if [[ ! $minutes =~ ^[0-9]{1,5}$ ]]; then
  echo "minutes must be a whole number" >&2
  exit 2
fi

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"iss":"%s","aud":"%s","sub":"%s","iat":%d,"exp":%d}' \
  "${TOKEN_ISSUER:-posts-dev}" "${TOKEN_AUDIENCE:-posts-api}" "$subject" "$now" "$((now + minutes * 60))" | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "${TOKEN_KEY:-dev-keys/dev-only-private.pem}" | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"

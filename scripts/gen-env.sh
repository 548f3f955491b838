#!/bin/sh
# Prints .env.example with strong, fresh secrets filled in (README, "Run it with docker compose"):
#   sh scripts/gen-env.sh > .env && chmod 600 .env
# Each secret is 32 random bytes from /dev/urandom as 64 hex digits: URL-safe (the passwords
# go into node and database URLs) and what COFFER_MASTER_KEY / COFFER_SERVER_SECRET expect.
# Needs only a POSIX shell, od and tr (no Node, no openssl), so it runs on an empty machine.
set -eu
example="${1:-$(dirname "$0")/../.env.example}"
[ -r "$example" ] || { echo "gen-env: cannot read $example" >&2; exit 1; }
secret() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
pg=$(secret); minio=$(secret); master=$(secret); server=$(secret)
sed -e "s/^POSTGRES_PASSWORD=.*/POSTGRES_PASSWORD=$pg/" \
    -e "s/^MINIO_ROOT_PASSWORD=.*/MINIO_ROOT_PASSWORD=$minio/" \
    -e "s/^COFFER_MASTER_KEY=.*/COFFER_MASTER_KEY=$master/" \
    -e "s/^COFFER_SERVER_SECRET=.*/COFFER_SERVER_SECRET=$server/" \
    "$example"

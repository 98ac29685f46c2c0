#!/usr/bin/env bash
# Blue-green deploy: two checkouts (/srv/example/blue, /srv/example/green),
# two Gunicorn instances (systemd gunicorn@blue, gunicorn@green), Nginx in
# front (nginx-bluegreen.conf) sending traffic to one of them.
#
# The idle side gets the new release and is started cold (it serves nobody),
# then `switch_upstream` moves Nginx to it once its /healthz reports the new
# release, and drains the side that was live. That side keeps running:
#   rollback = switch_upstream --to <old side>  (seconds, no build, no boot)
set -euo pipefail

REF=${1:-origin/main}
BLUE=${BLUE:-127.0.0.1:8000}
GREEN=${GREEN:-127.0.0.1:8001}
UPSTREAM_FILE=${UPSTREAM_FILE:-/etc/nginx/example-upstream.conf}
PUBLIC_URL=${PUBLIC_URL:-http://127.0.0.1:8081}  # the loopback server in nginx-bluegreen.conf

if grep -q "^server $BLUE" "$UPSTREAM_FILE"; then live=blue idle=green; else live=green idle=blue; fi
APP_DIR=/srv/example/$idle
PYTHON="$APP_DIR/venv/bin/python"
echo "live: $live, deploying $REF to $idle"

cd "$APP_DIR"
git fetch -q && git checkout -q --detach "$REF"
release=$(git rev-parse HEAD | cut -c1-12)
"$APP_DIR/venv/bin/pip" install -q -r requirements.txt
cd example_project
# Migrations must suit the LIVE side's code too: it serves until the switch.
"$PYTHON" manage.py safe_migrate
systemctl restart "gunicorn@$idle"

# Exit 1: the idle side never got healthy; exit 3: `nginx -t` failed and the
# upstream file was restored. In both cases $live still serves, untouched.
"$PYTHON" manage.py switch_upstream --to "$idle" --blue "$BLUE" --green "$GREEN" \
    --upstream-file "$UPSTREAM_FILE" --expect-release "$release" --timeout 120 \
    --public-url "$PUBLIC_URL" \
    --blue-drain-file /var/lib/example-blue/drain \
    --green-drain-file /var/lib/example-green/drain
echo "release $release is live on $idle; $live is drained and kept for rollback"

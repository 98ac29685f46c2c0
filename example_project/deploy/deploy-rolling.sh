#!/usr/bin/env bash
# Rolling deploy: two Gunicorn instances (systemd gunicorn@a, gunicorn@b)
# behind Nginx (nginx-rolling.conf). One at a time: take it out of the
# upstream, replace it, put it back. Traffic always has a ready instance.
#
# switch_upstream calls the two instances blue (a) and green (b); --to both
# puts both back. Each switch waits for /healthz = 200 (with the new release
# when asked), writes the upstream file atomically, runs `nginx -t`, reloads
# Nginx, confirms through Nginx, then drains the instance that left.
set -euo pipefail

APP_DIR=${APP_DIR:-/srv/example}             # the checkout both instances run
VENV=${VENV:-$APP_DIR/venv}
A=${A:-127.0.0.1:8000}
B=${B:-127.0.0.1:8001}
UPSTREAM_FILE=${UPSTREAM_FILE:-/etc/nginx/example-upstream.conf}
PUBLIC_URL=${PUBLIC_URL:-http://127.0.0.1:8081}  # the loopback server in nginx-rolling.conf
DRAIN_WAIT=${DRAIN_WAIT:-5}                  # let in-flight requests leave an instance
PYTHON="$VENV/bin/python"

cd "$APP_DIR"
git pull --ff-only
release=$(git rev-parse HEAD | cut -c1-12)
"$VENV/bin/pip" install -q -r requirements.txt
cd example_project
"$PYTHON" manage.py safe_migrate   # exit 1 = refused: nothing applied, nothing restarted

switch() {  # switch TARGET [extra options]
    "$PYTHON" manage.py switch_upstream --to "$1" --blue "$A" --green "$B" \
        --upstream-file "$UPSTREAM_FILE" --public-url "$PUBLIC_URL" \
        --server-params "max_fails=1 fail_timeout=5s" \
        --blue-drain-file /var/lib/example-a/drain \
        --green-drain-file /var/lib/example-b/drain "${@:2}"
}

switch green                          # a leaves Nginx and is drained
sleep "$DRAIN_WAIT"
systemctl restart gunicorn@a          # cold restart is fine: a gets no traffic
switch blue --expect-release "$release"   # a (new code) alone; b leaves
sleep "$DRAIN_WAIT"
systemctl restart gunicorn@b
switch both --expect-release "$release"
echo "release $release is live on $A and $B"

#!/usr/bin/env bash
# Rolling deploy without reloading Nginx: two Gunicorn instances (systemd
# gunicorn@a, gunicorn@b) of one checkout, both always in the upstream of
# nginx-rolling.conf. One at a time: drain it (it hands every request Nginx
# sends it back to Nginx, which sends it to the other instance), reload its
# code, let it serve again. No request is lost, POSTs included
# (docs/switch_drain.rst).
#
# switch_drain calls the two instances blue (a) and green (b); --to both lets
# both serve. Each switch waits until the incoming instance is ready (with the
# new release when asked), clears its drain flag, and drains the other.
set -euo pipefail

APP_DIR=${APP_DIR:-/srv/example}             # the checkout both instances run
VENV=${VENV:-$APP_DIR/venv}
A=${A:-127.0.0.1:8000}
B=${B:-127.0.0.1:8001}
A_DRAIN=${A_DRAIN:-/var/lib/example-a/drain}  # as in gunicorn@.service
B_DRAIN=${B_DRAIN:-/var/lib/example-b/drain}
PUBLIC_URL=${PUBLIC_URL:-http://127.0.0.1:8081}  # the loopback server in nginx-rolling.conf
SYSTEMCTL=${SYSTEMCTL:-systemctl}
PYTHON="$VENV/bin/python"

cd "$APP_DIR"
git pull --ff-only
release=$(git rev-parse HEAD | cut -c1-12)
"$VENV/bin/pip" install -q -r requirements.txt
cd example_project
"$PYTHON" manage.py safe_migrate   # exit 1 = refused: nothing applied, nothing restarted

switch() {  # switch TARGET [extra options]
    "$PYTHON" manage.py switch_drain --to "$1" --blue "$A" --green "$B" \
        --blue-drain-file "$A_DRAIN" --green-drain-file "$B_DRAIN" \
        --public-url "$PUBLIC_URL" --timeout 120 "${@:2}"
}

# A reload, not a stop and start: Nginx still sends a draining instance a
# request now and then (it hands them back), and a stopping Gunicorn resets
# those it has not read. graceful_reload keeps the listening socket open.
switch green                              # a drains
$SYSTEMCTL reload gunicorn@a              # a gets the new code
switch blue --expect-release "$release"   # a serves; b drains
$SYSTEMCTL reload gunicorn@b
switch both --expect-release "$release"   # both serve
echo "release $release is live on $A and $B"

#!/usr/bin/env bash
# Blue-green deploy without reloading Nginx: two checkouts (/srv/example/blue,
# /srv/example/green), two Gunicorn instances (systemd gunicorn@blue,
# gunicorn@green), both always in the upstream of nginx-bluegreen.conf. The
# idle side drains: it hands every request Nginx sends it back to Nginx,
# which sends it to the live side (docs/switch_drain.rst).
#
# The idle side gets the new release and reloads while it drains
# (graceful_reload: its listening socket never closes, so Nginx never meets a
# refused or reset connection there); then `switch_drain` lets it serve and
# drains the side that was live. That side keeps running:
#   rollback = switch_drain --to <old side>  (seconds, no build, no boot)
#
# Once, by hand: the idle side's flag must exist (touch /var/lib/example-green/drain).
set -euo pipefail

REF=${1:-origin/main}
SRV=${SRV:-/srv/example}                     # the two checkouts: $SRV/blue, $SRV/green
BLUE=${BLUE:-127.0.0.1:8000}
GREEN=${GREEN:-127.0.0.1:8001}
BLUE_DRAIN=${BLUE_DRAIN:-/var/lib/example-blue/drain}    # as in gunicorn@.service
GREEN_DRAIN=${GREEN_DRAIN:-/var/lib/example-green/drain}
PUBLIC_URL=${PUBLIC_URL:-http://127.0.0.1:8081}  # the loopback server in nginx-bluegreen.conf
SYSTEMCTL=${SYSTEMCTL:-systemctl}

if [ -e "$GREEN_DRAIN" ] && [ ! -e "$BLUE_DRAIN" ]; then
    live=blue idle=green
elif [ -e "$BLUE_DRAIN" ] && [ ! -e "$GREEN_DRAIN" ]; then
    live=green idle=blue
else
    echo "exactly one of $BLUE_DRAIN and $GREEN_DRAIN must exist (the idle side's)" >&2
    exit 2
fi
APP_DIR=$SRV/$idle
PYTHON="$APP_DIR/venv/bin/python"
echo "live: $live, deploying $REF to $idle"

cd "$APP_DIR"
git fetch -q && git checkout -q --detach "$REF"
release=$(git rev-parse HEAD | cut -c1-12)
"$APP_DIR/venv/bin/pip" install -q -r requirements.txt
cd example_project
# Migrations must suit the LIVE side's code too: it serves until the switch.
"$PYTHON" manage.py safe_migrate

# Not a stop and start: Nginx still sends the idle side a request now and then
# (it hands them back), and a stopping Gunicorn resets those it has not read.
if $SYSTEMCTL is-active --quiet "gunicorn@$idle"; then
    $SYSTEMCTL reload "gunicorn@$idle"     # graceful_reload; exit 1-5: see its docs
else
    $SYSTEMCTL start "gunicorn@$idle"      # it starts drained: its flag is set
fi

# Exit 1: the idle side never got ready with $release; nothing was changed.
# Exit 3: Nginx did not confirm it; switched back. In both cases $live still serves.
"$PYTHON" manage.py switch_drain --to "$idle" --blue "$BLUE" --green "$GREEN" \
    --blue-drain-file "$BLUE_DRAIN" --green-drain-file "$GREEN_DRAIN" \
    --expect-release "$release" --timeout 120 --public-url "$PUBLIC_URL"
echo "release $release is live on $idle; $live drains and is kept for rollback"

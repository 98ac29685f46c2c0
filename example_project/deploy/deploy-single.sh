#!/usr/bin/env bash
# Deploy to ONE Gunicorn instance without a single failed request.
#
# This replaces the usual
#     git pull; pip install -r requirements.txt; systemctl restart gunicorn
# whose restart closes the listening socket for the boot time (measured: most
# requests in that window fail). Here the old code serves until the new code
# has booted, and a release that cannot boot never replaces it.
#
# With gunicorn.service, `systemctl reload example` runs the same reload.
set -euo pipefail

APP_DIR=${APP_DIR:-/srv/example}            # the git checkout
VENV=${VENV:-$APP_DIR/venv}
SITE_URL=${SITE_URL:-http://127.0.0.1:8000}  # this instance, not the public site
PIDFILE=${PIDFILE:-/run/example/gunicorn.pid}  # as in gunicorn.service
PYTHON="$VENV/bin/python"

cd "$APP_DIR"
previous=$(git rev-parse HEAD)
git pull --ff-only
release=$(git rev-parse HEAD | cut -c1-12)   # what /healthz reports as releaseId
"$VENV/bin/pip" install -q -r requirements.txt

cd example_project
# Applies only what the code still serving can live with; exit 1 = refused,
# with the reason and the remedy printed. Nothing was applied in that case.
if ! "$PYTHON" manage.py safe_migrate; then
    git -C "$APP_DIR" checkout -q "$previous"
    echo "deploy stopped: safe_migrate refused (see above); the old release still serves" >&2
    exit 1
fi

# Proves the new code boots, then switches with `--strategy auto`: USR2 (a new
# master beside the old, retired only once the new one answers /healthz with
# the new release) when nothing tracks the master's PID; under systemd or
# supervisord `rolling` (the workers replaced one at a time, same master).
# If the new code does not come up, the old keeps serving and this exits
# non-zero (the message says what serves).
if ! "$PYTHON" manage.py graceful_reload --pidfile "$PIDFILE" --timeout 120 \
        --check-url "$SITE_URL/healthz" --expect-release "$release"; then
    # Put the old code back on disk too: workers that Gunicorn recycles later
    # (max_requests) import the code from disk.
    git -C "$APP_DIR" checkout -q "$previous"
    echo "deploy stopped: the new release did not take over; the old one still serves" >&2
    exit 1
fi
echo "release $release is live"

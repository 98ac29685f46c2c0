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
#
# More instances, or instances on other hosts: INSTANCES lists them in rolling
# order as NAME=HOST:PORT=DRAIN_FILE (each reloaded by `$SYSTEMCTL reload
# gunicorn@NAME`; SYSTEMCTL can be a wrapper that runs it on the right host).
# Each instance drains while the next one serves. If one fails, the script
# stops, names it, and the others keep serving (docs/deploying.rst).
set -euo pipefail

APP_DIR=${APP_DIR:-/srv/example}             # the checkout both instances run
VENV=${VENV:-$APP_DIR/venv}
A=${A:-127.0.0.1:8000}
B=${B:-127.0.0.1:8001}
A_DRAIN=${A_DRAIN:-/var/lib/example-a/drain}  # as in gunicorn@.service
B_DRAIN=${B_DRAIN:-/var/lib/example-b/drain}
PUBLIC_URL=${PUBLIC_URL:-http://127.0.0.1:8081}  # the loopback server in nginx-rolling.conf
INSTANCES=${INSTANCES:-"a=$A=$A_DRAIN b=$B=$B_DRAIN"}
SYSTEMCTL=${SYSTEMCTL:-systemctl}
PYTHON="$VENV/bin/python"

names=() addresses=() drains=()
for instance in $INSTANCES; do
    IFS== read -r name address drain <<< "$instance"
    names+=("$name") addresses+=("$address") drains+=("$drain")
done
count=${#names[@]}
((count >= 2)) || { echo "INSTANCES must list two or more instances" >&2; exit 2; }

cd "$APP_DIR"
git pull --ff-only
release=$(git rev-parse HEAD | cut -c1-12)
"$VENV/bin/pip" install -q -r requirements.txt
cd example_project
"$PYTHON" manage.py safe_migrate   # exit 1 = refused: nothing applied, nothing restarted

switch() {  # switch TARGET BLUE GREEN [extra options]: BLUE, GREEN are indexes
    "$PYTHON" manage.py switch_drain --to "$1" \
        --blue "${addresses[$2]}" --green "${addresses[$3]}" \
        --blue-drain-file "${drains[$2]}" --green-drain-file "${drains[$3]}" \
        --public-url "$PUBLIC_URL" --timeout 120 "${@:4}"
}
stop_at() {  # stop_at INDEX REASON
    echo "deploy stopped at instance ${names[$1]} (${addresses[$1]}): $2;" \
        "the instances not draining still serve" >&2
    exit 1
}

# A reload, not a stop and start: Nginx still sends a draining instance a
# request now and then (it hands them back), and a stopping Gunicorn resets
# those it has not read. graceful_reload keeps the listening socket open.
switch green 0 1 || stop_at 1 "not ready to serve while ${names[0]} drains"  # the first drains
for ((i = 0; i < count; i++)); do
    next=$(((i + 1) % count))
    $SYSTEMCTL reload "gunicorn@${names[$i]}" || stop_at "$i" "reload failed (exit $?)"
    if ((i + 1 < count)); then  # this one serves the new release; the next drains
        switch blue "$i" "$next" --expect-release "$release" ||
            stop_at "$i" "not serving release $release (switch_drain exit $?)"
    else                        # the last: every instance serves
        switch both "$i" "$next" --expect-release "$release" ||
            stop_at "$i" "not serving release $release with ${names[$next]} (exit $?)"
    fi
done
echo "release $release is live on ${addresses[*]}"

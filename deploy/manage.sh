#!/bin/sh
# manage.py with the services' environment (/etc/bizenv/bizenv.env), for an administrator's commands:
#   runuser -u bizenv -- /srv/bizenv/deploy/manage.sh migrate --noinput
# The file is read as systemd reads it for the services (one NAME=value a line, no quotes, no $), not run as a
# shell script. BIZENV_ENV_FILE names another file.
set -eu
env_file=${BIZENV_ENV_FILE:-/etc/bizenv/bizenv.env}
while IFS= read -r line || [ -n "$line" ]; do
    case $line in
        '' | '#'*) continue ;;
    esac
    export "$line"
done <"$env_file"
cd "$(dirname "$0")/.."
exec .venv/bin/python manage.py "$@"

#!/bin/sh
# One backup archive, DIRECTORY/bizenv-YYYYMMDD-HHMMSS.tar (manage.py backup: database, uploads, manifest), then
# the oldest removed so that the newest KEEP remain. Run by bizenv-backup.service with the services' environment.
#   backup.sh DIRECTORY KEEP
set -eu
dir=$1
keep=$2
cd "$(dirname "$0")/.."
archive="$dir/bizenv-$(date +%Y%m%d-%H%M%S).tar"
# A backup that fails leaves no partial archive to be taken for a good one, nor to push a good one out.
trap 'rm -f "$archive"' EXIT
.venv/bin/python manage.py backup --output "$archive"
trap - EXIT
# The names sort by date: the first ones are the oldest.
set -- "$dir"/bizenv-*.tar
while [ "$#" -gt "$keep" ]; do
    rm -f -- "$1"
    shift
done

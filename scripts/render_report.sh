#!/usr/bin/env bash
# render_report.sh RUN_DIR OUT.png
#
# Renders RUN_DIR/report.html (written by `ghl report RUN_DIR` or plots.Report)
# with headless Chromium into OUT.png (1200×3000 px, the top of the page) and
# checks that the picture is not blank: it must decode as a PNG with enough
# distinct colours and enough non-background pixels (plots/internal/pngcheck).
# RUN_DIR may also be the path of an .html file. Exit status 0 means rendered
# and not blank; the check's verdict is printed on stdout.
#
# Environment: CHROMIUM (default: chromium, else chromium-browser),
# RENDER_TIMEOUT seconds (default 120).
set -euo pipefail

if [[ $# -ne 2 ]]; then
	echo "usage: $0 RUN_DIR OUT.png" >&2
	exit 2
fi
src=$1
out=$2
if [[ -d $src ]]; then
	html=$src/report.html
else
	html=$src
fi
if [[ ! -f $html ]]; then
	echo "render_report: $html not found; write it first with: ghl report $src" >&2
	exit 1
fi
html=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
case $out in
/*) ;;
*) out=$PWD/$out ;;
esac

chromium=${CHROMIUM:-}
if [[ -z $chromium ]]; then
	for c in chromium chromium-browser; do
		if command -v "$c" >/dev/null 2>&1; then
			chromium=$c
			break
		fi
	done
fi
if [[ -z $chromium ]]; then
	echo "render_report: chromium not found (Debian: apt-get install -y chromium)" >&2
	exit 1
fi

profile=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$profile" "$log"' EXIT
rm -f "$out"
if ! timeout "${RENDER_TIMEOUT:-120}" "$chromium" --headless --no-sandbox --disable-gpu \
	--disable-background-networking --disable-component-update --disable-sync --no-first-run \
	--disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile" \
	--screenshot="$out" --window-size=1200,3000 "file://$html" >"$log" 2>&1; then
	echo "render_report: chromium failed; its output:" >&2
	cat "$log" >&2
	exit 1
fi
if [[ ! -s $out ]]; then
	echo "render_report: chromium wrote no screenshot; its output:" >&2
	cat "$log" >&2
	exit 1
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
go run ./plots/internal/pngcheck "$out"

#!/usr/bin/env bash
# Rebuilds static/vendor/govuk-frontend-<version>/ from this folder. Node is
# needed only here: the output is committed, so the app never needs it.
set -euo pipefail
cd "$(dirname "$0")"

# Nothing here needs install scripts (sass's optional file watcher is unused).
npm ci --ignore-scripts --no-audit --no-fund

# Name the output after the version actually installed, so it can't drift.
VERSION=$(node -p "require('govuk-frontend/package.json').version")
DIST=node_modules/govuk-frontend/dist/govuk
OUT=../vendor/govuk-frontend-$VERSION
CSS=$OUT/govuk-frontend.min.css

# Start clean so files no longer produced don't linger.
rm -rf "$OUT"
mkdir -p "$OUT"

# GOV.UK Frontend 5 is built for @import; silence that deprecation and the
# warnings from inside the package, which are not ours to fix.
node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
  --quiet-deps --silence-deprecation=import portal.scss "$CSS"

cp "$DIST/govuk-frontend.min.js" "$OUT/"

# The npm package omits the licence file; this is upstream's LICENSE.txt.
cp govuk-frontend-LICENSE.txt "$OUT/LICENSE.txt"

# Ship only the images the CSS points at: collectstatic's manifest storage
# fails on any url() whose file is missing. (|| true: none is a valid result.)
urls=$(grep -oE 'url\([^)]*\)' "$CSS" | sed -E "s/^url\(['\"]?//; s/['\"]?\)\$//" |
  grep -v '^data:' | sort -u || true)
for path in $urls; do
  case $path in
    assets/images/*) ;;
    *) echo "unexpected url($path) in $CSS" >&2; exit 1 ;;
  esac
  mkdir -p "$OUT/$(dirname "$path")"
  cp "$DIST/$path" "$OUT/$path"
done

echo "Built $OUT"

#!/usr/bin/env bash
# Installs the GraphiQL explorer's assets (pinned in package.json / package-lock.json) from the
# npm registry and copies the browser builds into gql/static/graphiql/, which the app serves at
# /graphiql/static/. Neither node_modules/ nor graphiql/ is committed. Safe to run again.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
modules="$here/node_modules"
target="$here/graphiql"

if ! command -v npm >/dev/null 2>&1; then
    echo "install.sh: npm is required (Debian: apt-get install nodejs npm)" >&2
    exit 1
fi

if [[ -f "$here/package-lock.json" ]]; then
    npm ci --prefix "$here" --no-audit --no-fund --loglevel=error
else
    npm install --prefix "$here" --no-audit --no-fund --loglevel=error
fi

# source (under node_modules/)                  -> name served at /graphiql/static/
files=(
    "react/umd/react.production.min.js"          react.production.min.js
    "react-dom/umd/react-dom.production.min.js"  react-dom.production.min.js
    "graphiql/graphiql.min.js"                   graphiql.min.js
    "graphiql/graphiql.min.css"                  graphiql.min.css
    "react/LICENSE"                              LICENSE.react.txt
    "react-dom/LICENSE"                          LICENSE.react-dom.txt
    "graphiql/LICENSE"                           LICENSE.graphiql.txt
)

# Build the new folder beside the old one and swap, so a failed copy never leaves half a set.
staging="$(mktemp -d "$here/.graphiql.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
for ((i = 0; i < ${#files[@]}; i += 2)); do
    src="$modules/${files[i]}"
    if [[ ! -f "$src" ]]; then
        echo "install.sh: missing $src (is package.json pinned to graphiql 3.x and react 18.x?)" >&2
        exit 1
    fi
    cp "$src" "$staging/${files[i + 1]}"
done
chmod 755 "$staging"
# Record which versions were installed.
node -e '
    const v = (n) => require(process.argv[1] + "/" + n + "/package.json").version;
    console.log(JSON.stringify({graphiql: v("graphiql"), react: v("react"), "react-dom": v("react-dom")}));
' "$modules" >"$staging/versions.json"

rm -rf "$target.old"
if [[ -d "$target" ]]; then
    mv "$target" "$target.old"
fi
mv "$staging" "$target"
rm -rf "$target.old"
trap - EXIT
echo "GraphiQL assets installed in $target: $(cat "$target/versions.json")"

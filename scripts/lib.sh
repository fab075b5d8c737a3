# Set-up steps shared by scripts/sandbox and scripts/test (sourced, not run).

python_env() {  # [extra]: pip extra to install, e.g. "test"
  # Skipped when pyproject.toml is the one last installed (a stamp in .venv): the package is
  # installed editable, so only a change of dependencies or entry points needs pip again.
  local extra="${1:-}" spec="."
  [ -n "$extra" ] && spec=".[$extra]"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  local want stamp stamps=(".venv/.installed${extra:+-$extra}")
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  # The package alone: an install with any extra installed it too.
  [ -z "$extra" ] && stamps=(.venv/.installed*)
  for stamp in "${stamps[@]}"; do
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
      return 0
    fi
  done
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
  echo "$want" >".venv/.installed${extra:+-$extra}"
}

graphiql_assets() {  # GraphiQL's JS/CSS from the npm registry, served by the app itself
  # Skipped when the installed set is newer than what pins it.
  local installed=gql/static/graphiql/versions.json
  if [ -f "$installed" ] && [ "$installed" -nt gql/static/package-lock.json ] &&
    [ "$installed" -nt gql/static/install.sh ]; then
    return 0
  fi
  [ -f gql/static/install.sh ] && bash gql/static/install.sh
  return 0
}

federation_packages() {  # Apollo gateway/composition and graphql-tools for the federation tests
  if [ -f tests/federation/package-lock.json ]; then
    npm ci --prefix tests/federation --no-audit --no-fund --loglevel=error
  fi
}

http_client_packages() {  # graphql-http's audits, Apollo Client and urql for tests/http
  if [ -f tests/http/package-lock.json ]; then
    npm ci --prefix tests/http --no-audit --no-fund --loglevel=error
  fi
}

chromium_browser() {  # Debian's Chromium for the GraphiQL browser test
  [ -f scripts/install-chromium.sh ] && bash scripts/install-chromium.sh
  return 0
}

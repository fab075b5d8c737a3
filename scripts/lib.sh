# Set-up steps shared by scripts/sandbox and scripts/test (sourced, not run).

python_env() {  # [extra]: pip extra to install, e.g. "test"
  local spec="."
  [ -n "${1:-}" ] && spec=".[$1]"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
}

graphiql_assets() {  # GraphiQL's JS/CSS from the npm registry, served by the app itself
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

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

chromium_browser() {  # Debian's Chromium for the GraphiQL browser test
  [ -f scripts/install-chromium.sh ] && bash scripts/install-chromium.sh
  return 0
}

test_services() {  # Debian's PostgreSQL and Redis: tests/services.py starts them on loopback
  local missing=()
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  # Only the binaries are used: the tests start their own servers on free loopback ports.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

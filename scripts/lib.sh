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

npm_packages() {  # DIR: the npm packages DIR/package-lock.json pins, for the tests in DIR
  # Skipped when npm's record of the last install is newer than the lock file.
  local dir="$1"
  [ -f "$dir/package-lock.json" ] || return 0
  [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] && return 0
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
}

federation_packages() {  # Apollo gateway/composition and graphql-tools for the federation tests
  npm_packages tests/federation
}

http_client_packages() {  # graphql-http's audits, Apollo Client and urql for tests/http
  npm_packages tests/http
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
  # Only the binaries are used: the tests start their own servers on free loopback ports, so
  # the packages must not start their system services (on 5432 and 6379) as they install.
  # policy-rc.d answering 101 ("action forbidden") is Debian's switch for that.
  (
    local policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then
      trap '$sudo rm -f "$policy"' EXIT
      printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
      $sudo chmod 755 "$policy"
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  )
}

#!/usr/bin/env bash
# Deploy preflight: the first step of .github/workflows/deploy.yml, which holds this file's text
# verbatim (a test keeps the two identical). It runs before the checkout, so it needs nothing but
# bash and curl.
#
# Rule: a workflow_dispatch must name the commit (input "sha", 7-40 hex characters, either case);
# a push deploys the pushed commit. The result goes to $GITHUB_OUTPUT as `sha` (full 40-character
# lower-case SHA, what the checkout uses) and `requested` (what was asked for).
# actions/checkout treats anything shorter than 40 hex characters as a branch or tag name, so a
# short SHA is expanded here through the REST API ($GITHUB_API_URL, $GITHUB_REPOSITORY,
# $GITHUB_TOKEN).
# Inputs come from the environment, never from expressions pasted into the script: no injection.
set -euo pipefail

refuse() {
  # One ::error:: annotation (shown on the run's summary page) and the same text for humans;
  # "%" is the workflow-command escape character, so it is escaped in the annotation.
  echo "::error title=Deploy refused::${1//%/%25}"
  echo "deploy preflight: $1" >&2
  exit 1
}

event="${GITHUB_EVENT_NAME:-}"
# Surrounding blanks from a pasted value are not part of the SHA.
input_sha="$(printf '%s' "${INPUT_SHA:-}" | tr -d '[:space:]')"

if [ "$event" = "workflow_dispatch" ] && [ -z "$input_sha" ]; then
  refuse "workflow_dispatch needs the \"sha\" input: the commit to deploy (7-40 hex characters). Nothing was deployed. Fix: run the workflow again with sha set, e.g. gh workflow run deploy.yml -f sha=\$(git rev-parse HEAD)"
fi

if [ -n "$input_sha" ]; then
  if ! [[ "$input_sha" =~ ^[0-9a-fA-F]{7,40}$ ]]; then
    refuse "input \"sha\" is \"${input_sha}\": expected 7-40 hex characters (0-9, a-f), a commit SHA or its prefix. Nothing was deployed."
  fi
  requested="$input_sha"
else
  requested="${GITHUB_SHA:-}"
  if ! [[ "$requested" =~ ^[0-9a-fA-F]{40}$ ]]; then
    refuse "GITHUB_SHA is \"${requested}\": expected the 40-hex-character SHA of the commit that triggered the run (event \"${event:-unknown}\")."
  fi
fi
requested="$(printf '%s' "$requested" | tr 'A-F' 'a-f')"

if [ "${#requested}" -eq 40 ]; then
  sha="$requested"
else
  api="${GITHUB_API_URL:-https://api.github.com}"
  repo="${GITHUB_REPOSITORY:-}"
  [ -n "$repo" ] || refuse "GITHUB_REPOSITORY is not set: cannot expand the short SHA \"${requested}\". Fix: pass the full 40-character SHA."
  body="$(mktemp)"
  trap 'rm -f "$body"' EXIT
  auth=()
  if [ -n "${GITHUB_TOKEN:-}" ]; then auth=(-H "Authorization: Bearer ${GITHUB_TOKEN}"); fi
  status="$(curl -sS --retry 3 --max-time 30 -o "$body" -w '%{http_code}' \
    -H 'Accept: application/vnd.github.sha' -H 'X-GitHub-Api-Version: 2022-11-28' "${auth[@]}" \
    "${api}/repos/${repo}/commits/${requested}")" \
    || refuse "could not reach ${api} to expand the short SHA \"${requested}\". Fix: pass the full 40-character SHA."
  case "$status" in
    200) sha="$(tr -d '[:space:]' < "$body" | tr 'A-F' 'a-f')" ;;
    404 | 422) refuse "no single commit in ${repo} matches \"${requested}\" (HTTP ${status}: unknown or ambiguous). Fix: pass the full 40-character SHA." ;;
    *) refuse "expanding the short SHA \"${requested}\" failed: HTTP ${status} from ${api}. Fix: pass the full 40-character SHA." ;;
  esac
  if ! [[ "$sha" =~ ^[0-9a-f]{40}$ ]] || [ "${sha#"$requested"}" = "$sha" ]; then
    refuse "expanding \"${requested}\" returned \"${sha}\", which is not a full SHA starting with it. Fix: pass the full 40-character SHA."
  fi
fi

{
  echo "sha=${sha}"
  echo "requested=${requested}"
} >> "${GITHUB_OUTPUT:-/dev/null}"
echo "::notice title=Deploy SHA::deploying ${sha} (event ${event:-unknown}, requested ${requested})"

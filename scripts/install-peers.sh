#!/usr/bin/env bash
# Installs the real peers the conformance tests need, from Debian's packages.
# Idempotent: only packages that are missing are installed; nothing happens when all are present.
# Set SKIP_PEER_INSTALL=1 to skip (the tests that need a missing peer then fail and say which).
set -euo pipefail

PACKAGES=(
  rtpengine-daemon
  kamailio kamailio-websocket-modules kamailio-tls-modules kamailio-outbound-modules
  sip-tester
  coturn
  prosody
  redis-server
  postgresql
  chromium
  firefox-esr
  # not peers: perf, for the benchmark's CPU breakdown (bench/cpu-breakdown.ts) and its test;
  # jemalloc, for the WSS memory floor's allocator variant (bench/tls-memory.ts --variants)
  linux-perf
  libjemalloc2
)

if [[ "${SKIP_PEER_INSTALL:-}" == "1" ]]; then
  echo "install-peers: SKIP_PEER_INSTALL=1, not installing" >&2
  exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-peers: all peers present" >&2
  exit 0
fi

echo "install-peers: installing ${missing[*]}" >&2
SUDO=""
if [[ "$(id -u)" != "0" ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
LOG="$(mktemp -t install-peers.XXXXXX.log)"
run() { if ! "$@" >>"$LOG" 2>&1; then echo "install-peers: '$*' failed; log follows" >&2; cat "$LOG" >&2; exit 1; fi; }
run $SUDO apt-get update
# Do not start the packaged services: the tests start each peer themselves on loopback.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
# postgresql: the tests run their own throwaway clusters (initdb in a temp dir); keep the package
# from creating the system "main" cluster (createcluster.conf includes createcluster.d/*.conf).
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
  $SUDO mkdir -p /etc/postgresql-common/createcluster.d
  printf 'create_main_cluster = false\n' | $SUDO tee /etc/postgresql-common/createcluster.d/webrtc-ims-tests.conf >/dev/null
fi
run $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
rm -f "$LOG"
echo "install-peers: done" >&2

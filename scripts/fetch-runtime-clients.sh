#!/usr/bin/env bash
# The official Node runtime interface client for the image-function tests, installed into .cache (not
# package.json: it is a test fixture, built for the host's node, whose binary the local images carry).
# aws-lambda-ric@3, as v4 needs Node 22. Its install script builds a native addon (curl and aws-lambda-cpp
# from the package's own sources) and needs autoconf, automake, libtool, cmake and g++.
# awslambdaric (Python) comes from PyPI, which this machine cannot reach: its test skips without it.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/runtime-clients/node
addon="$dir/node_modules/aws-lambda-ric/dist/rapid-client.node"
if [ -f "$addon" ]; then
  echo "runtime clients: aws-lambda-ric already built in $dir"
  exit 0
fi
mkdir -p "$dir"
npm install --no-save --no-audit --no-fund --prefix "$dir" aws-lambda-ric@3
[ -f "$addon" ] || { echo "runtime clients: aws-lambda-ric installed but its addon was not built ($addon)" >&2; exit 1; }
echo "runtime clients: aws-lambda-ric built in $dir"

#!/bin/sh
# Installs the Debian packages the build, the tests and the demo need, if any
# is missing. Needs root (or sudo) only when something must be installed.
set -eu

PACKAGES="build-essential binutils cmake pkg-config git ca-certificates
  libpq-dev libcurl4-openssl-dev libssl-dev libcjson-dev libcmocka-dev
  postgresql postgresql-client clang-format python3 curl"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
command -v go >/dev/null 2>&1 || missing="$missing golang-go"
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
# The Java binding (jni/): a JDK 17+ (javac, JNI headers) and Maven.
command -v javac >/dev/null 2>&1 || missing="$missing default-jdk-headless"
command -v mvn >/dev/null 2>&1 || missing="$missing maven"

if [ -z "$missing" ]; then
  exit 0
fi
echo "installing:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "need root to install:$missing" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

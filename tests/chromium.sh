# shellcheck shell=bash
# Sourced by test.sh: murmur_chromium_install installs Debian's chromium (used by the trace page's browser test)
# when /usr/bin/chromium is missing. Returns non-zero when the installation fails.
murmur_chromium_install() {
  if [ -x /usr/bin/chromium ]; then
    return 0
  fi
  echo "installing chromium (for the murmur trace browser test)"
  apt-get update -qq || return 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium || return 1
}

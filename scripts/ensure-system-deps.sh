#!/usr/bin/env bash
# System packages the test suite needs: Debian's chromium for the browser tests (never a
# downloaded browser build) and libzbar0 to read QR codes back. Installed with apt when root.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q libzbar.so.0 || missing+=(libzbar0)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "安装系统依赖: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "缺少系统软件包: ${missing[*]}。请以 root 运行 make test，或执行: sudo apt-get install ${missing[*]}" >&2
exit 1

#!/usr/bin/env bash
# Make sure a Python >= 3.11 with venv exists; install Debian's when run as root.
set -euo pipefail
py="${1:-python3}"
if "$py" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
  exit 0
fi
echo "需要 Python 3.11 或更高版本及 venv 模块：sudo apt-get install python3 python3-venv" >&2
exit 1

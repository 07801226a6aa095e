# shellcheck shell=bash
# Helpers shared by the rig's scripts.
set -euo pipefail

RIG_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$RIG_TOP/build}
TREE=$BUILD/linux
PATCHES=$RIG_TOP/patches

# Identity used for commits in the working tree (git am keeps the author).
GIT_ID=(-c user.name="Migration Series Developers"
	-c user.email="migration-series@localhost")

say()  { printf '==> %s\n' "$*"; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# Value of VAR from config/source.mk.
source_var() {
	sed -n "s/^$1[[:space:]]*:=[[:space:]]*//p" "$RIG_TOP/config/source.mk"
}

#!/usr/bin/env bash
# Install Debian's linux-source-6.12 at the pinned version (config/source.mk),
# or the newest 6.12 that apt offers when the pin is gone.
. "$(dirname "$0")/common.sh"

pkg=$(source_var LINUX_SOURCE_PKG)
want=$(source_var LINUX_SOURCE_VERSION)
tarball=$(source_var LINUX_SOURCE_TARBALL)

have=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
if [ "$have" = "$want" ] && [ -f "$tarball" ]; then
	exit 0
fi
if [ -n "$have" ] && [ -f "$tarball" ] && [ "${RIG_ANY_SOURCE:-}" = 1 ]; then
	exit 0
fi

# A machine that had every other package may never have fetched the lists.
if [ -z "$(apt-cache madison "$pkg" 2>/dev/null)" ]; then
	apt-get update -qq
fi
if apt-cache madison "$pkg" 2>/dev/null | awk '{print $3}' | grep -qxF "$want"; then
	say "installing $pkg=$want"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"$pkg=$want" >/dev/null
else
	newest=$(apt-cache madison "$pkg" | awk '{print $3}' | sort -V | tail -n1)
	[ -n "$newest" ] || die "apt offers no $pkg (run apt-get update)"
	echo "NOTE: $pkg $want is no longer offered by apt; using the newest, $newest"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"$pkg=$newest" >/dev/null
fi
[ -f "$tarball" ] || die "$tarball missing after installing $pkg"

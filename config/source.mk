# The kernel source the series is built against: Debian's linux-source-6.12.
# Change the version here and nowhere else.
LINUX_SOURCE_PKG     := linux-source-6.12
LINUX_SOURCE_VERSION := 6.12.117-1~deb12u1
LINUX_SOURCE_TARBALL := /usr/src/linux-source-6.12.tar.xz

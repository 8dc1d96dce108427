#!/bin/sh
# Installs what building and testing libgotrace needs on Debian bookworm:
# a C compiler, meson + ninja, cmocka, pkg-config, python3, xz, zlib,
# protobuf-c (library and compiler, for the pprof export), protoc (the
# pprof test decodes profiles with it), scdoc (the man pages) and the
# Python package's needs.
# Skips apt when everything is already there.
set -eu
need=""
command -v cc >/dev/null 2>&1 || need="$need gcc libc6-dev"
command -v meson >/dev/null 2>&1 || need="$need meson"
command -v ninja >/dev/null 2>&1 || need="$need ninja-build"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v python3 >/dev/null 2>&1 || need="$need python3"
command -v xz >/dev/null 2>&1 || need="$need xz-utils"
[ -f /usr/include/cmocka.h ] || need="$need libcmocka-dev"
[ -f /usr/include/zlib.h ] || need="$need zlib1g-dev"
[ -f /usr/include/protobuf-c/protobuf-c.h ] || need="$need libprotobuf-c-dev"
command -v protoc-c >/dev/null 2>&1 || need="$need protobuf-c-compiler"
command -v protoc >/dev/null 2>&1 || need="$need protobuf-compiler"
command -v scdoc >/dev/null 2>&1 || need="$need scdoc"
# The Python package (python/): headers, numpy and pandas, pytest, and
# meson-python with venv for `pip install --no-build-isolation .`.
for p in python3-dev python3-numpy python3-pandas python3-pytest \
         python3-mesonpy python3-venv; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
    need="$need $p"
done
for extra in "$@"; do
  case "$extra" in
    clang)
      command -v clang >/dev/null 2>&1 || need="$need clang"
      ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
        need="$need libclang-rt-14-dev"
      ;;
    valgrind) command -v valgrind >/dev/null 2>&1 || need="$need valgrind" ;;
    # tests/check_install.py: a CMake project on the installed library,
    # man on the installed pages.
    install)
      command -v cmake >/dev/null 2>&1 || need="$need cmake"
      command -v man >/dev/null 2>&1 || need="$need man-db"
      ;;
    # The Debian packages: the rest of debian/control's Build-Depends.
    deb)
      for p in dpkg-dev debhelper dh-python; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
          need="$need $p"
      done
      ;;
  esac
done
if [ -n "$need" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

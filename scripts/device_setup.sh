#!/usr/bin/env bash
# Run ON THE GPU MACHINE (source it): unpacks the carried .deps/debs into /opt/secinfer-deps and
# exports the paths CMake and the loader need. Then `scripts/build.sh` works there as here.
#   source scripts/device_setup.sh
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -d /opt/secinfer-deps/usr ]; then
  mkdir -p /opt/secinfer-deps
  for f in "$_root"/.deps/debs/*.deb; do dpkg -x "$f" /opt/secinfer-deps; done
fi
export SECINFER_DEPS=/opt/secinfer-deps/usr
export CMAKE_PREFIX_PATH="$SECINFER_DEPS:$SECINFER_DEPS/lib/x86_64-linux-gnu/cmake:${CMAKE_PREFIX_PATH:-}"
export LD_LIBRARY_PATH="$SECINFER_DEPS/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
export BOOST_ROOT="$SECINFER_DEPS"
export SECINFER_SKIP_APT=1
export PATH=/usr/local/cuda/bin:$PATH

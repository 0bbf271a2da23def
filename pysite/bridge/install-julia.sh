#!/bin/sh
# Provision a Julia for pysite's code cells without touching the system.
#
# The official Julia downloads are unreachable on our machines, but Debian's
# bullseye archive still serves julia 1.5.3. We download its .debs with a
# private apt configuration (the system's sources and lists stay untouched),
# unpack them with `dpkg -x` into a prefix, link the few system libraries the
# Debian build expects next to libjulia, and write a wrapper `PREFIX/bin/julia`
# that sets LD_LIBRARY_PATH.
#
# `pysite julia install` runs this recipe (shipped inside the package) with
# PYSITE_JULIA_PREFIX set; pysite then finds the Julia there by itself.
# The last line printed on stdout is the path of a working julia executable.
# Re-running is a fast no-op once installed.
set -eu

PREFIX="${PYSITE_JULIA_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/pysite/julia-1.5.3}"
WRAPPER="$PREFIX/bin/julia"
ARCH_LIB=usr/lib/x86_64-linux-gnu
# Throwing from compiled code checks the unwinder (bookworm's libunwind 1.6
# segfaults julia 1.5 there, hence bullseye's libunwind8 below).
CHECK='using InteractiveUtils, Dates, Base64; f() = error("x"); try f() catch end; print(VERSION)'

die() { echo "pysite julia install: $*" >&2; exit 1; }
works() { "$1" --startup-file=no --history-file=no -e "$CHECK" </dev/null >/dev/null 2>&1; }

# A Julia that is already on PATH (or already installed here) is good enough.
if command -v julia >/dev/null 2>&1 && works "$(command -v julia)"; then
    command -v julia
    exit 0
fi
if [ -x "$WRAPPER" ] && works "$WRAPPER"; then
    echo "$WRAPPER"
    exit 0
fi

[ "$(uname -m)" = x86_64 ] || die "only x86_64 is supported (the Debian recipe), got $(uname -m)"
command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 \
    || die "needs apt-get and dpkg (a Debian or Ubuntu machine); otherwise install Julia yourself and set PYSITE_JULIA"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$KEYRING" ] || die "missing $KEYRING (apt-get install debian-archive-keyring)"

# System libraries the Debian julia build links by name; installed only when missing.
SYSTEM_LIBS="libpcre2-8.so.0:libpcre2-8-0 libgmp.so.10:libgmp10 libmpfr.so.6:libmpfr6
libcurl-gnutls.so.4:libcurl3-gnutls libssh2.so.1:libssh2-1"
missing=""
for pair in $SYSTEM_LIBS; do
    [ -e "/$ARCH_LIB/${pair%%:*}" ] || missing="$missing ${pair#*:}"
done
if [ -n "$missing" ]; then
    [ "$(id -u)" = 0 ] || die "missing system packages:$missing (run as root or: sudo apt-get install$missing)"
    echo "installing system packages:$missing" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2 \
        || die "apt-get install$missing failed"
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/lists/partial" "$WORK/debs"
cat >"$WORK/sources.list" <<EOF
deb [signed-by=$KEYRING] http://deb.debian.org/debian bullseye main
deb [signed-by=$KEYRING] http://deb.debian.org/debian bookworm main
EOF
APT_OPTS="-oDir::Etc::SourceList=$WORK/sources.list -oDir::Etc::SourceParts=/dev/null
-oDir::State::Lists=$WORK/lists -oDir::Cache::archives=$WORK/debs -oAPT::Sandbox::User=root"

echo "fetching the Debian package lists (bullseye, bookworm)..." >&2
# shellcheck disable=SC2086
apt-get $APT_OPTS update -qq >&2 || die "apt-get update failed (is deb.debian.org reachable?)"

V=1.5.3+dfsg-3
PACKAGES="julia=$V julia-common=$V libjulia1=$V libllvm9/bullseye libgit2-1.1/bullseye
libmbedtls12/bullseye libmbedcrypto3/bullseye libmbedx509-0/bullseye libopenlibm3/bullseye
libdsfmt-19937-1/bullseye libutf8proc2/bullseye libffi7/bullseye libunwind8/bullseye
libgfortran5/bookworm libquadmath0/bookworm"
echo "downloading julia $V and its libraries..." >&2
# shellcheck disable=SC2086
(cd "$WORK/debs" && apt-get $APT_OPTS download -qq $PACKAGES >&2) || die "apt-get download failed"

rm -rf "$PREFIX.partial"
mkdir -p "$PREFIX.partial"
for deb in "$WORK"/debs/*.deb; do
    dpkg -x "$deb" "$PREFIX.partial" || die "dpkg -x $deb failed"
done

# libjulia's private folder (usr/lib/x86_64-linux-gnu/julia/libgmp.so ->
# ../libgmp.so.10, ...) points at system libraries by relative links that
# dangle inside the prefix: give them targets, linking to the system copies
# (libunwind.so.8 comes from bullseye instead, unpacked above).
for pair in $SYSTEM_LIBS; do
    ln -sf "/$ARCH_LIB/${pair%%:*}" "$PREFIX.partial/$ARCH_LIB/${pair%%:*}"
done

# The wrapper finds the prefix from its own location, so the prefix can move.
mkdir -p "$PREFIX.partial/bin"
cat >"$PREFIX.partial/bin/julia" <<'EOF'
#!/bin/sh
# pysite's wrapper for the Debian julia 1.5.3 unpacked in this prefix.
root="$(cd "$(dirname "$0")/.." && pwd)"
lib="$root/usr/lib/x86_64-linux-gnu"
LD_LIBRARY_PATH="$lib:$lib/julia${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
exec "$root/usr/bin/julia" "$@"
EOF
chmod +x "$PREFIX.partial/bin/julia"

rm -rf "$PREFIX"
mv "$PREFIX.partial" "$PREFIX"
out="$("$WRAPPER" --startup-file=no --history-file=no -e "$CHECK" </dev/null 2>&1)" \
    || die "the unpacked julia does not start: $out"
echo "installed julia $out in $PREFIX" >&2
echo "$WRAPPER"

#!/bin/sh
# Installation as a user without root does it: a DESTDIR install under a
# prefix of our own must put every file under that prefix (systemd units,
# D-Bus files, sysusers, completion included), every manual page must
# render without a warning, every call libwschannel exports must have a
# page, and every wsctl and wschanneld option and wsctl JSON key must be
# in their pages.  Then the uninstall must leave no file behind.
set -eu

builddir=${WSCHANNEL_BUILDDIR:?run me from make check}
srcdir=${WSCHANNEL_SRCDIR:?run me from make check}
prefix=/wschannel-probe
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wschannel-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
fail=0

bad() {
	echo "FAIL: $*" >&2
	fail=1
}

# A make of our own, not the jobserver of the make check that runs us.
MAKEFLAGS= make -s -C "$builddir" install DESTDIR="$dest" prefix="$prefix" \
	>"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; exit 1; }

# 1. Nothing outside the prefix.
outside=$(cd "$dest" && find . ! -type d | grep -v "^\.$prefix/" || true)
[ -z "$outside" ] || bad "installed outside $prefix: $outside"

# 2. What a user and a packager expect, where they expect it.
for f in sbin/wschanneld bin/wsctl lib/libwschannel.so.0 \
	include/wschannel/webservices.h lib/pkgconfig/libwschannel.pc \
	lib/systemd/system/wschanneld.service lib/systemd/system/wschanneld.socket \
	lib/sysusers.d/wschanneld.conf \
	share/dbus-1/system-services/org.wschannel.WsChannel1.service \
	share/dbus-1/services/org.wschannel.WsChannel1.service \
	share/dbus-1/interfaces/org.wschannel.WsChannel1.xml \
	share/dbus-1/system.d/org.wschannel.WsChannel1.conf \
	share/bash-completion/completions/wsctl \
	share/man/man1/wsctl.1 share/man/man8/wschanneld.8 \
	share/man/man3/libwschannel.3 share/man/man3/WsOpenChannel.3 \
	share/doc/wschannel/examples/echo-server.c; do
	[ -f "$dest$prefix/$f" ] || bad "not installed: $prefix/$f"
done
[ ! -e "$dest$prefix/lib/pkgconfig/libwschannel-uninstalled.pc" ] ||
	bad "libwschannel-uninstalled.pc installed"
grep -q '^Exec=.*/wschanneld --bus session$' \
	"$dest$prefix/share/dbus-1/services/org.wschannel.WsChannel1.service" ||
	bad "the session activation file does not start wschanneld --bus session"
grep -q '^Exec=.*/wschanneld --bus system$' \
	"$dest$prefix/share/dbus-1/system-services/org.wschannel.WsChannel1.service" ||
	bad "the system activation file does not start wschanneld --bus system"

# 3. Every page renders without a warning; a call's page leads to its group.
man=$dest$prefix/share/man
for page in "$man"/man*/*.[0-9]; do
	rel=${page#"$man"/}
	if head -1 "$page" | grep -q '^\.so '; then
		target=$(head -1 "$page" | cut -d' ' -f2)
		[ -f "$man/$target" ] || bad "$rel: .so to a missing $target"
		case $rel in
		man3/Ws[A-Z]*.3) ;;
		*) bad "$rel: a .so page for no call" ;;
		esac
		continue
	fi
	if command -v groff >/dev/null 2>&1; then
		w=$(groff -ww -z -man "$page" 2>&1)
		[ -z "$w" ] || bad "$rel: groff: $w"
	fi
	if command -v man >/dev/null 2>&1; then
		# Pages carry configured paths (@sysconfdir@); under a deep
		# prefix such as distcheck's, a path wider than the indented
		# column cannot be adjusted or broken. That is the build
		# directory's length, not the page's markup.
		w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null |
			grep -v 'cannot adjust line\|cannot break line' || true)
		[ -z "$w" ] || bad "$rel: man: $w"
	fi
done

# 4. A page for every exported call.
lib=$builddir/.libs/libwschannel.so
if command -v nm >/dev/null 2>&1 && [ -f "$lib" ]; then
	for fn in $(nm -D --defined-only "$lib" | awk '$3 ~ /^Ws/ { print $3 }'); do
		[ -f "$man/man3/$fn.3" ] || bad "no manual page for $fn"
	done
fi

# 5. Every option and verb in the pages, and wsctl's JSON keys.
for opt in $("$builddir/wsctl" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$srcdir/man/wsctl.1" ||
		bad "wsctl.1 lacks $opt"
done
for verb in $("$builddir/wsctl" --help |
	sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && /^  [a-z]/ { print $1 }'); do
	grep -q "^\.B.* $verb\|^\.B $verb" "$srcdir/man/wsctl.1" ||
		bad "wsctl.1 lacks the command $verb"
done
for opt in $("$builddir/wschanneld" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$srcdir/man/wschanneld.8.in" ||
		bad "wschanneld.8 lacks $opt"
done
out=$srcdir/client/wsctl/wsctl_output.c
if [ -f "$out" ]; then
	for key in $(grep -o 'output_json_[a-z0-9]*([or], "[a-z_]*"' "$out" |
		sed 's/.*"\([a-z_]*\)"/\1/' | sort -u); do
		grep -q "$key" "$srcdir/man/wsctl.1" || bad "wsctl.1 lacks the JSON key $key"
	done
fi

# 6. The completion parses.
bash -n "$dest$prefix/share/bash-completion/completions/wsctl" ||
	bad "the bash completion does not parse"

# 6b. The libwschannel-win32 module: its headers and .pc are installed, and a
# program written for Windows (<windows.h>, <WebServices.h>, L"...") builds
# with nothing but its flags against this install, and runs.
for f in include/wschannel/win32/windows.h include/wschannel/win32/webservices.h \
	include/wschannel/win32/WebServices.h include/wschannel/ws_base.h \
	lib/pkgconfig/libwschannel-win32.pc; do
	[ -f "$dest$prefix/$f" ] || bad "not installed: $prefix/$f"
done
[ ! -e "$dest$prefix/lib/pkgconfig/libwschannel-win32-uninstalled.pc" ] ||
	bad "libwschannel-win32-uninstalled.pc installed"
if command -v pkg-config >/dev/null 2>&1 && command -v cc >/dev/null 2>&1; then
	# The sysroot puts $dest before the .pc's own paths.
	pc() {
		PKG_CONFIG_PATH="$dest$prefix/lib/pkgconfig" \
			PKG_CONFIG_SYSROOT_DIR="$dest" pkg-config \
			--define-variable=prefix="$prefix" "$@"
	}
	cat >"$tmp/win.c" <<'WIN'
#include <windows.h>
#include <WebServices.h>
#include <stdio.h>

int __cdecl
main(void)
{
	WS_STRING address = WS_STRING_VALUE(L"net.tcp://localhost:8000/po");
	WS_HEAP *heap = NULL;
	WS_URL *url = NULL;
	HRESULT hr;

	if (sizeof(L'x') != 2 || sizeof(WCHAR) != 2)
		return 2;
	hr = WsCreateHeap(4096, 0, NULL, 0, &heap, NULL);
	if (SUCCEEDED(hr))
		hr = WsDecodeUrl(&address, 0, heap, &url, NULL);
	if (FAILED(hr) || ((WS_NETTCP_URL *)url)->port != 8000)
		return 1;
	WsFreeHeap(heap);
	printf("ok %u\n", (unsigned)WsCountOf(L"abc"));
	return 0;
}
WIN
	flags=$(pc --cflags libwschannel-win32) || bad "pkg-config: no libwschannel-win32"
	case " $flags " in
	*" -fshort-wchar "*) ;;
	*) bad "libwschannel-win32 cflags lack -fshort-wchar: $flags" ;;
	esac
	libs=$(pc --libs libwschannel-win32) || bad "pkg-config: no libs"
	# A library built with --enable-sanitizers needs its runtime first.
	san=
	if ldd "$builddir/.libs/libwschannel.so" 2>/dev/null | grep -q libasan; then
		san="-fsanitize=address,undefined"
	fi
	# shellcheck disable=SC2086
	if cc -Werror -Wall -Wextra $san $flags -o "$tmp/win" "$tmp/win.c" $libs \
		>"$tmp/win.log" 2>&1; then
		out=$(LD_LIBRARY_PATH="$dest$prefix/lib" "$tmp/win" 2>&1) ||
			bad "the Windows-style program failed: $out"
		[ "$out" = "ok 4" ] || bad "the Windows-style program said: $out"
	else
		bad "a Windows-style program does not build with libwschannel-win32: $(cat "$tmp/win.log")"
	fi
	if command -v c++ >/dev/null 2>&1; then
		cp "$tmp/win.c" "$tmp/win.cc"
		# shellcheck disable=SC2086
		c++ -Werror -Wall -Wextra $flags -c -o "$tmp/wincc.o" "$tmp/win.cc" \
			>"$tmp/wincc.log" 2>&1 ||
			bad "the same program as C++ does not build: $(cat "$tmp/wincc.log")"
	fi
	# The tree's own variant names the source tree's win32 folder first.
	uflags=$(PKG_CONFIG_PATH="$builddir/client" pkg-config --cflags \
		libwschannel-win32) || bad "no libwschannel-win32-uninstalled.pc"
	udir=$(echo "$uflags" | sed -n 's/^-I\([^ ]*\) .*/\1/p')
	case " $uflags " in
	*" -fshort-wchar "*) [ -f "$udir/windows.h" ] ||
		bad "libwschannel-win32-uninstalled: no windows.h in '$udir'" ;;
	*) bad "libwschannel-win32-uninstalled cflags: $uflags" ;;
	esac
fi

# 7. Uninstall leaves no file.
MAKEFLAGS= make -s -C "$builddir" uninstall DESTDIR="$dest" prefix="$prefix" \
	>"$tmp/uninstall.log" 2>&1 || { cat "$tmp/uninstall.log" >&2; exit 1; }
left=$(cd "$dest" && find . ! -type d)
[ -z "$left" ] || bad "left after uninstall: $left"

[ $fail -eq 0 ] && echo "install under $prefix: ok"
exit $fail

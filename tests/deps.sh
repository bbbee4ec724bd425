#!/bin/sh
# Installs the Debian packages that building and testing scelle need, if any is missing.
# Run by `make deps` (and so by `make demo` and `make check`).  Uses sudo when not root.
pkgs="build-essential pkg-config libssl-dev libarchive-dev libxml2-dev zlib1g-dev libdeflate-dev
libmicrohttpd-dev libmagic-dev openssl libxml2-utils libarchive-tools unzip zip python3
openjdk-17-jdk-headless clang mandoc softhsm2 libengine-pkcs11-openssl xxd
gettext python3-jsonschema libunistring-dev opensc"
# XAdES (seal --signature xades, verify): libxmlsec1 with its OpenSSL back end; t74 runs
# the stock xmlsec1 verifier.
pkgs="$pkgs libxmlsec1-dev libxmlsec1-openssl xmlsec1"
pkgs="$pkgs time"	# GNU time: the CPU seconds of each fuzz run (tests/fuzz/run.sh)
# Tools the CLI tests call that a minimal Debian 12 root lacks or may lack: curl (t30),
# col (bsdextrautils: t81, t83), file (t91), strace (t20), script (bsdutils: t91),
# mount (t61).
pkgs="$pkgs curl bsdextrautils file strace bsdutils mount"
# netbase writes /etc/hosts (localhost): t23 and t26 reach their https TSA by name, and a
# root made by debootstrap --variant=minbase has no /etc/hosts.
pkgs="$pkgs netbase"
pkgs="$pkgs python3-cryptography"	# t68 makes CRLs and OCSP answers to the second
pkgs="$pkgs locales"	# the fr_FR source that t22-locales compiles with localedef
# t45 prints the HTML report to A4 with headless Chromium and reads the PDF back with
# poppler's pdfinfo/pdftotext/pdftoppm; the report names DejaVu first, so that the page
# count does not depend on which fonts a machine happens to have.
pkgs="$pkgs chromium poppler-utils fonts-dejavu-core"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "scelle: installing missing packages:$missing"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	{ echo "scelle: cannot install:$missing" >&2; exit 2; }

# Copyright 2026 strata sample
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="A toy programming language and its compiler"
HOMEPAGE="https://example.org/toy/"
SRC_URI="https://example.org/toy/toy-1.1.tar.gz"

LICENSE="Apache-2.0"
SLOT="0"
KEYWORDS="amd64 ~arm64"
IUSE="doc"

BDEPEND="doc? ( app-text/notes )"

src_compile() {
	emake
}

src_install() {
	emake DESTDIR="${D}" install
}

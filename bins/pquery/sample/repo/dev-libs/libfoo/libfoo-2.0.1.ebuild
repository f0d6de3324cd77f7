# Copyright 2026 strata sample
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="Foo compression library"
HOMEPAGE="https://example.org/libfoo/"
SRC_URI="https://example.org/libfoo/releases/${P}.tar.gz"

LICENSE="BSD"
SLOT="2/2.0"
KEYWORDS="~amd64 ~arm64"
IUSE="+ssl static-libs"

RDEPEND="ssl? ( dev-libs/libbar )"
DEPEND="${RDEPEND}"

src_configure() {
	econf $(use_enable ssl) $(use_enable static-libs static)
}

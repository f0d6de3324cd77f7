# Copyright 2026 strata sample
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="Prints a friendly greeting"
HOMEPAGE="https://example.org/hello/"
SRC_URI="https://example.org/hello/${P}.tar.gz"

LICENSE="GPL-2"
SLOT="0"
KEYWORDS="~amd64"
IUSE="nls"

RDEPEND="nls? ( sys-apps/widget )"

src_install() {
	dobin hello
}

# Copyright 2026 strata sample
# Distributed under the terms of the GNU General Public License v2

EAPI=6

DESCRIPTION="A small shell for the TERMINAL"
HOMEPAGE="https://example.org/termsh/"
SRC_URI="https://example.org/termsh/${P}.tar.gz"

LICENSE="BSD"
SLOT="0"
KEYWORDS="~amd64"
IUSE="static"

DEPEND="static? ( dev-libs/libfoo:0[static-libs] )"
RDEPEND="!static? ( dev-libs/libfoo:0 )"

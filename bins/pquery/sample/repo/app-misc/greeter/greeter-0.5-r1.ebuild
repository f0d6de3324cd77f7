# Copyright 2026 strata sample
# Distributed under the terms of the GNU General Public License v2

EAPI=8

inherit sample-build

DESCRIPTION="Greets every user on a terminal at login"
HOMEPAGE="https://example.org/greeter/"
SRC_URI="https://example.org/greeter/${P}.tar.xz"

LICENSE="MIT"
SLOT="0"
KEYWORDS="amd64"
IUSE="+color test"
RESTRICT="!test? ( test )"

RDEPEND="
	>=app-misc/hello-1.1
	color? ( dev-libs/libfoo:0= )
"
DEPEND="${RDEPEND}"
BDEPEND="test? ( dev-python/pytoy )"

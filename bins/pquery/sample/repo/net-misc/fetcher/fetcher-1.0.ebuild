# Copyright 2026 strata sample
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="Fetches files over HTTP with resume support"
HOMEPAGE="https://example.org/fetcher/"
SRC_URI="
	https://example.org/fetcher/${P}.tar.gz
	doc? ( https://example.org/fetcher/${P}-manual.pdf -> ${P}-doc.pdf )
"

LICENSE="|| ( MIT Apache-2.0 ) doc? ( CC0-1.0 )"
SLOT="0"
KEYWORDS="amd64 ~arm64"
IUSE="doc +resume ssl"
RESTRICT="mirror"

RDEPEND="ssl? ( dev-libs/libbar )"

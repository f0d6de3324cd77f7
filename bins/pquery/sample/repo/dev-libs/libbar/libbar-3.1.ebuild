# Copyright 2026 strata sample
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="Bar TLS helper library"
HOMEPAGE="https://example.org/libbar/"
SRC_URI="https://example.org/libbar/${P}.tar.gz"

LICENSE="|| ( MIT Apache-2.0 )"
SLOT="0"
KEYWORDS="amd64 arm64"

src_test() {
	emake check
}

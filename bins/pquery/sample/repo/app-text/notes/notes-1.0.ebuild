# Copyright 2026 strata sample
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="Keeps plain-text notes"
HOMEPAGE="https://example.org/notes/"
SRC_URI="https://example.org/notes/${P}.tar.gz"

LICENSE="CC0-1.0"
SLOT="0"
KEYWORDS="amd64 arm64"

# Copyright 2026 strata sample
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="Widget daemon"
HOMEPAGE="https://example.org/widget/"
SRC_URI="https://example.org/widget/${P}.tar.gz"

LICENSE="GPL-2"
SLOT="0"
KEYWORDS="amd64"

RDEPEND="!app-misc/oldwidget"

pkg_postinst() {
	elog "Start the widget daemon with: widgetd"
}

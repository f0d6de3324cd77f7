# Copyright 2026 strata sample
# Distributed under the terms of the GNU General Public License v2

EAPI=8

inherit sample-utils

DESCRIPTION="Prints a friendly greeting"
HOMEPAGE="https://example.org/hello/"
PROPERTIES="live"

LICENSE="GPL-2"
SLOT="0"
IUSE="nls"

RDEPEND="nls? ( sys-apps/widget )"

src_unpack() {
	sample_msg "fetching from git"
}

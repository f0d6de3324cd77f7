//! The restriction algebra: value and package restrictions, boolean combinators, atom compilation and pkgcore's extended target syntax

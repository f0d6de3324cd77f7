//! The trait-based config registry, Portage configuration, profiles and the domain

//! Metadata caches (md5-dict, flat_hash) and the persistent memory-mapped search index

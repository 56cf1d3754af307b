//! Value grammars shared by the haproxy.cfg parsers: time (`us ms s m h d`),
//! sizes (`k m g`), addresses with ports and port ranges, integers.
//! Errors are HAProxy's wording fragments; callers put them in context.

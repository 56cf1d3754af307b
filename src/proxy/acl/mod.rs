//! Sample fetches, converters, ACL match methods and conditions (sans-IO).

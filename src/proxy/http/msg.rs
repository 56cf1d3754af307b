//! HTTP message heads as the engine carries them between the HTTP/1 codec, the rules, the
//! balancer and the logs. Header names keep the case they were received with (HAProxy 2.6
//! lowercases them when it emits HTTP/1; the codec decides that, not this type). Values are
//! bytes: HTTP allows obs-text, and HAProxy forwards it untouched.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Version {
    Http10,
    #[default]
    Http11,
}

impl Version {
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: Vec<u8>,
}

impl Header {
    pub fn new(name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        Header {
            name: name.into(),
            value: value.into(),
        }
    }

    /// The value as text when it is UTF-8 (most are ASCII).
    pub fn value_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.value).ok()
    }
}

/// Headers in received order; names compare case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderList(pub Vec<Header>);

impl HeaderList {
    pub fn new() -> Self {
        HeaderList(Vec::new())
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first header with this name.
    pub fn get(&self, name: &str) -> Option<&Header> {
        self.0.iter().find(|h| h.name.eq_ignore_ascii_case(name))
    }

    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Header> + 'a {
        self.0
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Appends (HAProxy's `add-header`).
    pub fn add(&mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) {
        self.0.push(Header::new(name, value));
    }

    /// Removes every header of this name, then appends one (HAProxy's `set-header`).
    pub fn set(&mut self, name: &str, value: impl Into<Vec<u8>>) {
        self.remove(name);
        self.0.push(Header::new(name, value));
    }

    /// Removes every header of this name; returns how many went.
    pub fn remove(&mut self, name: &str) -> usize {
        let before = self.0.len();
        self.0.retain(|h| !h.name.eq_ignore_ascii_case(name));
        before - self.0.len()
    }

    pub fn retain(&mut self, f: impl FnMut(&Header) -> bool) {
        self.0.retain(f)
    }
}

/// A request line and its headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestHead {
    pub method: String,
    /// The request target as received (origin form `/p?q`, absolute form, `*`, authority).
    pub uri: String,
    pub version: Version,
    pub headers: HeaderList,
}

impl RequestHead {
    /// The path part of the target (HAProxy's `path` fetch): no scheme/authority, no query.
    pub fn path(&self) -> &str {
        let u = self.uri.as_str();
        let u = match u.find("://") {
            Some(i)
                if u[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
            {
                let rest = &u[i + 3..];
                match rest.find('/') {
                    Some(j) => &rest[j..],
                    None => "",
                }
            }
            _ => u,
        };
        match u.find('?') {
            Some(i) => &u[..i],
            None => u,
        }
    }

    /// The query string without `?` (HAProxy's `query` fetch), if there is one.
    pub fn query(&self) -> Option<&str> {
        self.uri.find('?').map(|i| &self.uri[i + 1..])
    }
}

/// A status line and its headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseHead {
    pub version: Version,
    pub status: u16,
    pub reason: String,
    pub headers: HeaderList,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_ops_are_case_insensitive_and_ordered() {
        let mut h = HeaderList::new();
        h.add("Host", "a");
        h.add("X-A", "1");
        h.add("x-a", "2");
        assert_eq!(h.get_all("X-a").count(), 2);
        h.set("X-A", "3");
        assert_eq!(h.len(), 2);
        assert_eq!(h.0[1].value, b"3");
        assert_eq!(h.remove("host"), 1);
        assert!(!h.contains("Host"));
    }

    #[test]
    fn path_and_query() {
        let r = RequestHead {
            uri: "http://example.com/a/b?x=1".into(),
            ..Default::default()
        };
        assert_eq!(r.path(), "/a/b");
        assert_eq!(r.query(), Some("x=1"));
        let r = RequestHead {
            uri: "/index.html".into(),
            ..Default::default()
        };
        assert_eq!(r.path(), "/index.html");
        assert_eq!(r.query(), None);
    }
}

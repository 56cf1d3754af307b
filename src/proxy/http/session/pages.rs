//! HAProxy 2.6.12's built-in error responses, as measured with `haproxy -f cfg -db` (the
//! fallback while `http::errors` has no page for a status). 502/503/504 go through HTX
//! (lowercase names, no `connection` header, the connection is closed after them); 400
//! and 408 are sent raw with `Connection: close`.

pub const E400: &[u8] = b"HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n";
pub const E408: &[u8] = b"HTTP/1.1 408 Request Time-out\r\nContent-length: 110\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n";
pub const E500: &[u8] = b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 97\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>500 Internal Server Error</h1>\nAn internal server error occurred.\n</body></html>\n";
pub const E502: &[u8] = b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n";
pub const E503: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n";
pub const E504: &[u8] = b"HTTP/1.1 504 Gateway Time-out\r\ncontent-length: 92\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n";

pub fn builtin(status: u16) -> &'static [u8] {
    match status {
        400 => E400,
        408 => E408,
        502 => E502,
        503 => E503,
        504 => E504,
        _ => E500,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_lengths_match_bodies() {
        for s in [400u16, 408, 500, 502, 503, 504] {
            let p = builtin(s);
            let text = std::str::from_utf8(p).expect("ascii");
            let (head, body) = text.split_once("\r\n\r\n").expect("head");
            let cl: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.trim().parse().expect("number"))
                })
                .expect("content-length");
            assert_eq!(cl, body.len(), "{s}");
        }
    }
}

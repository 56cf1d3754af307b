//! Message digests, HMAC and non-cryptographic hashes of the converters `sha1`, `sha2`,
//! `digest`, `hmac`, `crc32c`, `xxh3`, `xxh32`, `xxh64`.

use hmac::{Hmac, Mac};
use sha2::Digest as _;

/// The digest names HAProxy takes from OpenSSL (`EVP_get_digestbyname`) that tandem has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Alg {
    /// OpenSSL's names are case-insensitive and accept the `SHA2-256` spelling.
    pub fn from_name(n: &str) -> Option<Alg> {
        Some(match n.to_ascii_lowercase().as_str() {
            "md5" => Alg::Md5,
            "sha1" | "sha-1" => Alg::Sha1,
            "sha224" | "sha2-224" | "sha-224" => Alg::Sha224,
            "sha256" | "sha2-256" | "sha-256" => Alg::Sha256,
            "sha384" | "sha2-384" | "sha-384" => Alg::Sha384,
            "sha512" | "sha2-512" | "sha-512" => Alg::Sha512,
            _ => return None,
        })
    }

    /// `sha2(bits)`: 224, 256 (the default), 384, 512.
    pub fn sha2(bits: i64) -> Option<Alg> {
        Some(match bits {
            224 => Alg::Sha224,
            256 => Alg::Sha256,
            384 => Alg::Sha384,
            512 => Alg::Sha512,
            _ => return None,
        })
    }

    pub fn digest(self, b: &[u8]) -> Vec<u8> {
        match self {
            Alg::Md5 => md5::Md5::digest(b).to_vec(),
            Alg::Sha1 => sha1::Sha1::digest(b).to_vec(),
            Alg::Sha224 => sha2::Sha224::digest(b).to_vec(),
            Alg::Sha256 => sha2::Sha256::digest(b).to_vec(),
            Alg::Sha384 => sha2::Sha384::digest(b).to_vec(),
            Alg::Sha512 => sha2::Sha512::digest(b).to_vec(),
        }
    }

    pub fn hmac(self, key: &[u8], b: &[u8]) -> Vec<u8> {
        fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], b: &[u8]) -> Vec<u8> {
            // HMAC takes keys of any length: new_from_slice cannot fail for it.
            match <M as hmac::digest::KeyInit>::new_from_slice(key) {
                Ok(mut m) => {
                    m.update(b);
                    m.finalize().into_bytes().to_vec()
                }
                Err(_) => Vec::new(),
            }
        }
        match self {
            Alg::Md5 => mac::<Hmac<md5::Md5>>(key, b),
            Alg::Sha1 => mac::<Hmac<sha1::Sha1>>(key, b),
            Alg::Sha224 => mac::<Hmac<sha2::Sha224>>(key, b),
            Alg::Sha256 => mac::<Hmac<sha2::Sha256>>(key, b),
            Alg::Sha384 => mac::<Hmac<sha2::Sha384>>(key, b),
            Alg::Sha512 => mac::<Hmac<sha2::Sha512>>(key, b),
        }
    }
}

/// CRC32C (Castagnoli, RFC 4960 appendix B), as HAProxy's `hash_crc32c`.
pub fn crc32c(b: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut t = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0x82F6_3B78
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    };
    let mut crc = !0u32;
    for &x in b {
        crc = TABLE[((crc ^ u32::from(x)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

pub fn xxh32(b: &[u8], seed: u32) -> u32 {
    xxhash_rust::xxh32::xxh32(b, seed)
}

pub fn xxh64(b: &[u8], seed: u64) -> u64 {
    xxhash_rust::xxh64::xxh64(b, seed)
}

pub fn xxh3(b: &[u8], seed: u64) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(b, seed)
}

/// Equality without an early exit when both have the same length (`secure_memcmp`).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn known_vectors() {
        assert_eq!(
            hex(&Alg::Sha1.digest(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&Alg::Sha256.digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // RFC 4231 test case 2
        assert_eq!(
            hex(&Alg::Sha256.hmac(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // RFC 3720 B.4: 32 bytes of zeros
        assert_eq!(crc32c(&[0u8; 32]), 0x8a91_36aa);
        assert!(ct_eq(b"abc", b"abc") && !ct_eq(b"abc", b"abd") && !ct_eq(b"ab", b"abc"));
        assert_eq!(Alg::from_name("SHA256"), Some(Alg::Sha256));
        assert_eq!(Alg::sha2(300), None);
    }
}

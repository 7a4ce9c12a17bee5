//! API keys and passwords. Keys are 256 random bits shown once and stored only as an
//! HMAC-SHA256 under the server secret; passwords are argon2id PHC strings.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The server-wide secret that keys API-key hashes.
#[derive(Clone)]
pub struct ServerSecret(Vec<u8>);

impl ServerSecret {
    pub fn new(bytes: Vec<u8>) -> Self {
        ServerSecret(bytes)
    }

    /// A fresh random secret (64 bytes).
    pub fn generate() -> Self {
        ServerSecret(random_bytes(64))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The keyed hash under which an API key is stored and looked up.
    pub fn hash_api_key(&self, key: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts any key length");
        mac.update(key.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    bytes
}

/// A new API key: 32 random bytes, URL-safe base64 (43 characters).
pub fn generate_api_key() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(32))
}

/// Constant-time equality of two stored hashes.
pub fn hashes_equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// An argon2id hash of a password, as a PHC string.
pub fn hash_password(password: &str) -> String {
    let hash: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 hashing with default parameters cannot fail");
    hash.to_string()
}

/// Whether `password` matches a PHC string produced by [`hash_password`].
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordVerifier::<str>::verify_password(&Argon2::default(), password.as_bytes(), phc).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_are_long_random_and_hash_stably() {
        let key = generate_api_key();
        assert_eq!(key.len(), 43);
        assert_ne!(key, generate_api_key());
        let secret = ServerSecret::generate();
        assert_eq!(secret.hash_api_key(&key), secret.hash_api_key(&key));
        assert_ne!(
            secret.hash_api_key(&key),
            ServerSecret::generate().hash_api_key(&key)
        );
    }

    #[test]
    fn passwords_verify() {
        let phc = hash_password("correct horse");
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("wrong", &phc));
    }
}

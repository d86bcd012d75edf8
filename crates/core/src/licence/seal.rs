//! The department's electronic seal (电子印章): SM2 signatures (GB/T 32918) over SM3 digests
//! (GB/T 32905), with the standard's default signer identity. A key is named by the first
//! sixteen hex digits of the SM3 digest of its public point, which is how a verifier finds it
//! among the published keys. Randomness comes from the caller (keys are made where the platform
//! runs); signing itself is deterministic.

use serde::{Deserialize, Serialize};
use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm3::{Digest, Sm3};
use utoipa::ToSchema;

/// The signer identity of GM/T 0009 when none is agreed ("1234567812345678").
pub const DIST_ID: &str = "1234567812345678";

/// A department's signing key: the secret scalar and its public point (SEC1, uncompressed).
#[derive(Clone)]
pub struct SealKey {
    signing: SigningKey,
    pub public: Vec<u8>,
    pub id: String,
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why a key or a signature could not be used.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("not a valid SM2 secret key")]
    BadSecret,
    #[error("not a valid SM2 public key")]
    BadPublic,
    #[error("not an SM2 signature")]
    BadSignature,
}

/// The key's name: SM3 of the public point, 16 hex digits.
pub fn key_id(public: &[u8]) -> String {
    hex(&Sm3::digest(public)[..8])
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

impl SealKey {
    /// A key from 32 secret bytes (random, from the caller). A value that is not a valid scalar
    /// (zero, or not below the curve's order: about one chance in 2^32) is refused; draw again.
    pub fn from_secret(secret: &[u8]) -> Result<SealKey, SealError> {
        let sk = sm2::SecretKey::from_slice(secret).map_err(|_| SealError::BadSecret)?;
        let signing = SigningKey::new(DIST_ID, &sk).map_err(|_| SealError::BadSecret)?;
        let public = signing.verifying_key().to_sec1_bytes().to_vec();
        let id = key_id(&public);
        Ok(SealKey {
            signing,
            public,
            id,
        })
    }

    /// The secret scalar, to be kept encrypted.
    pub fn secret(&self) -> Vec<u8> {
        self.signing.to_bytes().to_vec()
    }

    /// The 64-byte signature (r ‖ s) of a message.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let s: Signature = self.signing.sign(message);
        s.to_bytes().to_vec()
    }
}

/// Whether `signature` is the holder of `public`'s signature of `message`.
pub fn verify(public: &[u8], message: &[u8], signature: &[u8]) -> Result<bool, SealError> {
    let key = VerifyingKey::from_sec1_bytes(DIST_ID, public).map_err(|_| SealError::BadPublic)?;
    let sig = Signature::from_slice(signature).map_err(|_| SealError::BadSignature)?;
    Ok(key.verify(message, &sig).is_ok())
}

/// A published public key: whose it is and whether it still signs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublishedKey {
    pub key_id: String,
    pub department_id: i64,
    pub department: String,
    /// The public point, SEC1 uncompressed, in hex.
    pub public_key: String,
    /// Rotated-out keys still verify what they signed, and sign nothing new.
    pub active: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SealKey {
        let mut secret = [seed; 32];
        secret[0] = 1;
        SealKey::from_secret(&secret).unwrap()
    }

    #[test]
    fn a_signature_verifies_with_its_key_only_and_over_its_message_only() {
        let k = key(7);
        assert_eq!(k.public.len(), 65, "SEC1 uncompressed");
        assert_eq!(k.id.len(), 16);
        let sig = k.sign("证照数据".as_bytes());
        assert_eq!(sig.len(), 64);
        assert_eq!(verify(&k.public, "证照数据".as_bytes(), &sig), Ok(true));
        assert_eq!(verify(&k.public, "证照数椐".as_bytes(), &sig), Ok(false));
        let other = key(8);
        assert_ne!(other.id, k.id);
        assert_eq!(
            verify(&other.public, "证照数据".as_bytes(), &sig),
            Ok(false)
        );
        let mut flipped = sig.clone();
        flipped[10] ^= 1;
        assert_eq!(
            verify(&k.public, "证照数据".as_bytes(), &flipped),
            Ok(false)
        );
        assert_eq!(
            verify(&k.public, b"x", &sig[..10]),
            Err(SealError::BadSignature)
        );
        assert_eq!(verify(&[4, 1, 2], b"x", &sig), Err(SealError::BadPublic));
    }

    #[test]
    fn a_key_is_the_same_from_its_kept_secret() {
        let k = key(9);
        let again = SealKey::from_secret(&k.secret()).unwrap();
        assert_eq!(again.public, k.public);
        assert_eq!(again.id, k.id);
        assert_eq!(
            SealKey::from_secret(&[0; 32]).unwrap_err(),
            SealError::BadSecret
        );
        assert_eq!(
            SealKey::from_secret(&[0xff; 32]).unwrap_err(),
            SealError::BadSecret
        );
        assert_eq!(unhex(&hex(&k.public)).unwrap(), k.public);
        assert_eq!(unhex("0g"), None);
    }
}

//! Seal keys at rest: a department's secret is kept sealed with SM4 in GCM mode under the
//! installation's key (`[licences] seal_key` in the configuration, 32 hex digits), so that a copy
//! of the database alone signs nothing. The sealed form is hex of the 12-byte nonce followed by
//! the ciphertext and its tag; the key id is bound in as associated data, so a sealed secret
//! moved to another key's row does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{AesGcm, Nonce};
use onewindow_core::licence::seal::{hex, unhex};
use sm4::Sm4;

type Sm4Gcm = AesGcm<Sm4, aes_gcm::aead::consts::U12>;

/// The key of the demo district when the file names none (never for a real installation: the
/// demo's database is public).
pub const DEMO_KEY: &str = "6f6e6577696e646f772d64656d6f2121";

/// Why a sealed secret could not be opened or made.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SealStoreError {
    #[error("the installation's seal key is not 32 hex digits")]
    BadKey,
    #[error("the sealed secret does not open with this installation's key")]
    WrongKey,
}

pub struct SealStore {
    cipher: Sm4Gcm,
}

impl SealStore {
    pub fn new(key_hex: &str) -> Result<SealStore, SealStoreError> {
        let key = unhex(key_hex)
            .filter(|k| k.len() == 16)
            .ok_or(SealStoreError::BadKey)?;
        let cipher = Sm4Gcm::new_from_slice(&key).map_err(|_| SealStoreError::BadKey)?;
        Ok(SealStore { cipher })
    }

    pub fn seal(&self, key_id: &str, secret: &[u8]) -> Result<String, SealStoreError> {
        let mut nonce = [0u8; 12];
        rand::fill(&mut nonce);
        let ct = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: secret,
                    aad: key_id.as_bytes(),
                },
            )
            .map_err(|_| SealStoreError::BadKey)?;
        Ok(format!("{}{}", hex(&nonce), hex(&ct)))
    }

    pub fn open(&self, key_id: &str, sealed: &str) -> Result<Vec<u8>, SealStoreError> {
        let bytes = unhex(sealed)
            .filter(|b| b.len() > 12)
            .ok_or(SealStoreError::WrongKey)?;
        let (nonce, ct) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| SealStoreError::WrongKey)?;
        self.cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ct,
                    aad: key_id.as_bytes(),
                },
            )
            .map_err(|_| SealStoreError::WrongKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_and_row_only() {
        let s = SealStore::new(DEMO_KEY).unwrap();
        let sealed = s.seal("k1", &[7; 32]).unwrap();
        assert_eq!(s.open("k1", &sealed).unwrap(), vec![7; 32]);
        assert_ne!(
            s.seal("k1", &[7; 32]).unwrap(),
            sealed,
            "a fresh nonce each time"
        );
        assert_eq!(s.open("k2", &sealed), Err(SealStoreError::WrongKey));
        let other = SealStore::new("00112233445566778899aabbccddeeff").unwrap();
        assert_eq!(other.open("k1", &sealed), Err(SealStoreError::WrongKey));
        let mut tampered = sealed.clone();
        tampered.replace_range(30..32, if &sealed[30..32] == "00" { "01" } else { "00" });
        assert_eq!(s.open("k1", &tampered), Err(SealStoreError::WrongKey));
        assert_eq!(SealStore::new("abcd").err(), Some(SealStoreError::BadKey));
    }
}

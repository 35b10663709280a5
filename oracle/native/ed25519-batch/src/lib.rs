//! Batch Ed25519 verification for the oracle's ingest workers, as a Node-API module
//! (oracle/README.md §Ingest CPU per report; loaded by oracle/src/ingest/ed25519.ts).
//!
//! Acceptance is libsodium's (`crypto_sign_verify_detached`, what the oracle verified with before) except for one
//! case. Each signature first goes through the checks libsodium makes before any curve arithmetic, so the same
//! inputs are refused: S not below the group order L, a public key that is non-canonical or of small order, an R of
//! small order (libsodium's list of small-order encodings, compared with the sign bit ignored), and an R or key
//! that is not a point. An R encoded non-canonically is refused too (libsodium refuses it when it compares R with
//! the canonical encoding it recomputes). The rest are checked together with the cofactored equation
//! `[8]([z·S]B − Σ[z]R − Σ[z·k]A) = 0` with fresh random 128-bit coefficients z from the operating system. If the
//! batch fails, each signature is checked alone with the same cofactored equation, so a verdict never depends on
//! which other signatures shared the batch, and a flood of bad signatures costs one failed batch on top of the
//! single checks.
//!
//! The one difference: libsodium checks the cofactorless equation (R equal to [S]B − [k]A), so it refuses a
//! signature whose R, or whose key, carries a small-order (torsion) component; the cofactored equation accepts it.
//! Only the holder of the key's secret scalar can make such a signature, and it signs the message it signs, so no
//! one else's report can be forged with it; RFC 8032 §5.1.7 allows either equation.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use napi::bindgen_prelude::Uint8Array;
use napi::{Error, Status};
use napi_derive::napi;
use sha2::{Digest, Sha512};
use std::iter::once;

const PUBLIC_KEY_BYTES: usize = 32;
const SIGNATURE_BYTES: usize = 64;

/// The encodings libsodium refuses as small-order points (`ge25519_has_small_order`): the small-order points'
/// canonical y, and y = p and p + 1 (0 and 1 encoded non-canonically). The top bit (x's sign) is not compared.
const SMALL_ORDER_ENCODINGS: [[u8; 32]; 7] = [
    // y = 0: the two points of order 4
    [0; 32],
    // y = 1: the identity
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    // the two y of the points of order 8
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    // y = p − 1: the point of order 2
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    // y = p and y = p + 1, non-canonical encodings of 0 and 1
    [
        0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [
        0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
];

fn has_small_order(encoding: &[u8; 32]) -> bool {
    SMALL_ORDER_ENCODINGS
        .iter()
        .any(|small| encoding[..31] == small[..31] && encoding[31] & 0x7f == small[31])
}

/// y < p (2²⁵⁵ − 19), the sign bit not counted, as libsodium's `ge25519_is_canonical`.
fn is_canonical(encoding: &[u8; 32]) -> bool {
    !(encoding[31] & 0x7f == 0x7f
        && encoding[1..31].iter().all(|&b| b == 0xff)
        && encoding[0] >= 0xed)
}

/// One signature past the cheap checks: its points decoded, S reduced, k = SHA-512(R ‖ A ‖ M) mod L.
struct Prepared {
    index: usize,
    key: EdwardsPoint,
    r: EdwardsPoint,
    s: Scalar,
    k: Scalar,
}

fn prepare(
    index: usize,
    public_key: &[u8; 32],
    message: &[u8],
    signature: &[u8; 64],
) -> Option<Prepared> {
    let r_bytes: &[u8; 32] = signature[..32].try_into().ok()?;
    let s_bytes: [u8; 32] = signature[32..].try_into().ok()?;
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))?;
    if has_small_order(r_bytes)
        || !is_canonical(r_bytes)
        || has_small_order(public_key)
        || !is_canonical(public_key)
    {
        return None;
    }
    let key = CompressedEdwardsY(*public_key).decompress()?;
    let r = CompressedEdwardsY(*r_bytes).decompress()?;
    let hash: [u8; 64] = Sha512::new()
        .chain_update(r_bytes)
        .chain_update(public_key)
        .chain_update(message)
        .finalize()
        .into();
    let k = Scalar::from_bytes_mod_order_wide(&hash);
    Some(Prepared {
        index,
        key,
        r,
        s,
        k,
    })
}

/// [8]([S]B − [k]A − R) = 0
fn verify_one(p: &Prepared) -> bool {
    let expected_r = EdwardsPoint::vartime_double_scalar_mul_basepoint(&p.k, &-p.key, &p.s);
    (expected_r - p.r).mul_by_cofactor().is_identity()
}

/// [8](−[Σz·S]B + Σ[z]R + Σ[z·k]A) = 0 for random z: holds for all if each holds; if one fails, the sum is not
/// the identity except with probability about 2⁻¹²⁸.
fn verify_together(prepared: &[Prepared]) -> Result<bool, getrandom::Error> {
    let mut random = vec![0u8; prepared.len() * 16];
    getrandom::getrandom(&mut random)?;
    let z: Vec<Scalar> = random
        .chunks_exact(16)
        .map(|c| Scalar::from(u128::from_le_bytes(c.try_into().expect("16-byte chunk"))))
        .collect();
    let basepoint_coefficient: Scalar = prepared.iter().zip(&z).map(|(p, z)| z * p.s).sum();
    let scalars = once(-basepoint_coefficient)
        .chain(z.iter().copied())
        .chain(prepared.iter().zip(&z).map(|(p, z)| z * p.k));
    let points = once(ED25519_BASEPOINT_POINT)
        .chain(prepared.iter().map(|p| p.r))
        .chain(prepared.iter().map(|p| p.key));
    Ok(EdwardsPoint::vartime_multiscalar_mul(scalars, points)
        .mul_by_cofactor()
        .is_identity())
}

/// Verifies n signatures: `public_keys` n × 32 bytes, `signatures` n × 64 bytes, message i is
/// `messages[message_ends[i − 1]..message_ends[i]]` (from 0 for the first). Returns n verdicts, 1 (valid) or 0.
/// Throws only when the lengths do not fit together.
#[napi]
pub fn verify_ed25519_batch(
    public_keys: &[u8],
    signatures: &[u8],
    messages: &[u8],
    message_ends: &[u32],
) -> napi::Result<Uint8Array> {
    let n = message_ends.len();
    let ends_fit = message_ends.windows(2).all(|w| w[0] <= w[1])
        && message_ends
            .last()
            .is_none_or(|&end| end as usize <= messages.len());
    if public_keys.len() != n * PUBLIC_KEY_BYTES
        || signatures.len() != n * SIGNATURE_BYTES
        || !ends_fit
    {
        return Err(Error::new(
            Status::InvalidArg,
            "verifyEd25519Batch: lengths of keys, signatures and message ends do not fit",
        ));
    }
    let mut verdicts = vec![0u8; n];
    let mut start = 0usize;
    let mut prepared = Vec::with_capacity(n);
    for (i, &end) in message_ends.iter().enumerate() {
        let end = end as usize;
        let public_key = public_keys[i * PUBLIC_KEY_BYTES..][..PUBLIC_KEY_BYTES]
            .try_into()
            .expect("32 bytes");
        let signature = signatures[i * SIGNATURE_BYTES..][..SIGNATURE_BYTES]
            .try_into()
            .expect("64 bytes");
        prepared.extend(prepare(i, public_key, &messages[start..end], signature));
        start = end;
    }
    let all_valid = match prepared.as_slice() {
        [] => false,
        [one] => verify_one(one),
        _ => verify_together(&prepared).map_err(|e| {
            Error::new(
                Status::GenericFailure,
                format!("verifyEd25519Batch: no random coefficients: {e}"),
            )
        })?,
    };
    for p in &prepared {
        if all_valid || verify_one(p) {
            verdicts[p.index] = 1;
        }
    }
    Ok(Uint8Array::from(verdicts))
}

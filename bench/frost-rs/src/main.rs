//! One signer's commit and share and the aggregation of FROST(secp256k1, SHA-256, BIP340/Taproot)
//! at t-of-n, by ZcashFoundation's `frost-secp256k1-tr`: keys from a trusted dealer, t signers
//! commit and sign one 32-byte message, the shares are aggregated and the signature verified.
//! Prints one JSON line of medians in milliseconds.
//!
//!   frost-reference-bench [t] [n] [runs]      (default 67 100 7)

use frost_secp256k1_tr as frost;
use std::collections::BTreeMap;
use std::time::Instant;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).expect("no NaN timings"));
    values[values.len() / 2]
}

fn millis(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

fn arg(index: usize, default: u16) -> u16 {
    std::env::args()
        .nth(index)
        .map(|value| value.parse().unwrap_or_else(|_| panic!("argument {index}: expected a positive integer, got {value}")))
        .unwrap_or(default)
}

fn main() -> Result<(), frost::Error> {
    let (t, n, runs) = (arg(1, 67), arg(2, 100), arg(3, 7).max(1) as usize);
    assert!(t >= 2 && t <= n, "expected 2 <= t <= n, got t = {t}, n = {n}");
    let mut rng = rand::thread_rng();
    let (shares, public) = frost::keys::generate_with_dealer(n, t, frost::keys::IdentifierList::Default, &mut rng)?;
    let mut keys = BTreeMap::new();
    for (id, share) in shares {
        keys.insert(id, frost::keys::KeyPackage::try_from(share)?);
    }
    let signers: Vec<frost::Identifier> = keys.keys().take(t as usize).copied().collect();
    let message = [0x42u8; 32];

    // Round 1: every signer commits (each one timed).
    let mut nonces = BTreeMap::new();
    let mut commitments = BTreeMap::new();
    let mut commit_ms = Vec::new();
    for id in &signers {
        let start = Instant::now();
        let (signer_nonces, signer_commitments) = frost::round1::commit(keys[id].signing_share(), &mut rng);
        commit_ms.push(millis(start));
        nonces.insert(*id, signer_nonces);
        commitments.insert(*id, signer_commitments);
    }
    let package = frost::SigningPackage::new(commitments, &message);

    // Round 2: every signer's share over all t commitments (each one timed).
    let mut signature_shares = BTreeMap::new();
    let mut share_ms = Vec::new();
    for id in &signers {
        let start = Instant::now();
        let share = frost::round2::sign(&package, &nonces[id], &keys[id])?;
        share_ms.push(millis(start));
        signature_shares.insert(*id, share);
    }

    // Aggregation (it verifies the signature it makes), `runs` times after one warm-up.
    let signature = frost::aggregate(&package, &signature_shares, &public)?;
    public.verifying_key().verify(&message, &signature)?;
    let mut aggregate_ms = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        frost::aggregate(&package, &signature_shares, &public)?;
        aggregate_ms.push(millis(start));
    }

    println!(
        "{{\"implementation\":\"frost-secp256k1-tr 2.2.0\",\"threshold\":{t},\"participants\":{n},\"commitMs\":{:.4},\"shareMs\":{:.4},\"aggregateMs\":{:.4}}}",
        median(commit_ms),
        median(share_ms),
        median(aggregate_ms)
    );
    Ok(())
}

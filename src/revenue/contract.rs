//! How a payer contract prices a service line: the allowed amount from the fee schedule, then
//! the member's copay, deductible and coinsurance, and what the payer pays. The same arithmetic
//! drives the payer simulator and the contract variance of posted remittances, so what one
//! produces the other checks to the cent.

/// How one line's allowed amount is shared between payer and member.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineShare {
    /// The allowed amount the share starts from, cents.
    pub allowed_cents: i64,
    /// Member copay (CAS PR-3), cents.
    pub copay_cents: i64,
    /// Member deductible (CAS PR-1), cents.
    pub deductible_cents: i64,
    /// Member coinsurance (CAS PR-2), cents.
    pub coinsurance_cents: i64,
    /// What the payer pays, cents.
    pub paid_cents: i64,
}

/// Shares `allowed_cents`: the copay still due on this visit comes first, then the deductible
/// still open, then coinsurance on the rest (rounded half up to the cent); the payer pays what
/// remains.
pub fn share(
    allowed_cents: i64,
    copay_due_cents: i64,
    deductible_open_cents: i64,
    coinsurance_basis_points: i64,
) -> LineShare {
    let allowed = allowed_cents.max(0);
    let copay = copay_due_cents.clamp(0, allowed);
    let deductible = deductible_open_cents.clamp(0, allowed - copay);
    let rest = allowed - copay - deductible;
    let coinsurance = (rest * coinsurance_basis_points.clamp(0, 10_000) + 5_000) / 10_000;
    LineShare {
        allowed_cents: allowed,
        copay_cents: copay,
        deductible_cents: deductible,
        coinsurance_cents: coinsurance,
        paid_cents: rest - coinsurance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::ContractTerms;
    use std::collections::HashMap;

    fn terms() -> ContractTerms {
        ContractTerms {
            deductible_cents: 50_000,
            copay_cents: 2_500,
            coinsurance_basis_points: 2_000,
            fees: HashMap::from([
                (("99213".into(), String::new()), 9_500),
                (("97110".into(), "GP".into()), 3_000),
            ]),
        }
    }

    #[test]
    fn allowed_is_the_fee_times_units_capped_at_the_charge() {
        let terms = terms();
        assert_eq!(terms.allowed("99213", "", 1_000, 18_050), Some(9_500));
        assert_eq!(terms.allowed("99213", "25", 1_000, 18_050), Some(9_500));
        assert_eq!(terms.allowed("97110", "GP", 3_000, 20_000), Some(9_000));
        assert_eq!(terms.allowed("97110", "GP", 3_000, 8_000), Some(8_000));
        assert_eq!(terms.allowed("97110", "", 1_000, 8_000), None);
        assert_eq!(terms.allowed("00000", "", 1_000, 8_000), None);
    }

    #[test]
    fn copay_then_deductible_then_coinsurance() {
        let first = share(9_500, 2_500, 50_000, 2_000);
        assert_eq!(
            first,
            LineShare {
                allowed_cents: 9_500,
                copay_cents: 2_500,
                deductible_cents: 7_000,
                coinsurance_cents: 0,
                paid_cents: 0,
            }
        );
        let met = share(9_500, 0, 0, 2_000);
        assert_eq!(met.coinsurance_cents, 1_900);
        assert_eq!(met.paid_cents, 7_600);
        // Half a cent of coinsurance rounds up, and the parts always add up to the allowed.
        let odd = share(1_001, 0, 0, 2_500);
        assert_eq!(odd.coinsurance_cents, 250);
        for allowed in [0, 1, 999, 12_345] {
            let s = share(allowed, 700, 300, 3_333);
            assert_eq!(
                s.copay_cents + s.deductible_cents + s.coinsurance_cents + s.paid_cents,
                allowed
            );
        }
    }
}

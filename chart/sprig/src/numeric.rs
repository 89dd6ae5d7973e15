//! Arithmetic and number conversions: integer math on `cast.ToInt64` of each argument (Go's
//! wrapping int64 arithmetic), float math through shopspring/decimal (`addf`…), `round`,
//! `until`/`untilStep`/`seq`.

use gotmpl::{FuncError, Value};

use crate::args::{self, Arity::*, int_list};
use crate::def;
use crate::go::{self, to_float64, to_int64};

/// Sprig's `untilStep`.
pub fn until_step(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut v = Vec::new();
    if stop < start {
        if step >= 0 {
            return v;
        }
        let mut i = start;
        while i > stop {
            v.push(i);
            i = match i.checked_add(step) {
                Some(n) => n,
                None => break,
            };
        }
        return v;
    }
    if step <= 0 {
        return v;
    }
    let mut i = start;
    while i < stop {
        v.push(i);
        i = match i.checked_add(step) {
            Some(n) => n,
            None => break,
        };
    }
    v
}

/// Sprig v3's `seq`, like the Unix command: `seq END`, `seq START END`, `seq START STEP END`.
pub fn seq(params: &[i64]) -> String {
    let list = match *params {
        [end] => {
            let inc = if end < 1 { -1 } else { 1 };
            until_step(1, end.wrapping_add(inc), inc)
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step(start, end.wrapping_add(step), step)
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return String::new();
                }
            }
            until_step(start, end.wrapping_add(inc), step)
        }
        _ => return String::new(),
    };
    list.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Sprig's `round`: round half up at `places` decimals, with a configurable threshold.
pub fn round(val: f64, places: i64, round_on: f64) -> f64 {
    let pow = 10f64.powf(places as f64);
    let digit = pow * val;
    let frac = digit - digit.trunc();
    let r = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    r / pow
}

/// Go's `math.Max` (NaN wins; +0 beats -0).
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if a == 0.0 && b == 0.0 {
        return if a.is_sign_negative() { b } else { a };
    }
    if a > b { a } else { b }
}

/// Go's `math.Min` (NaN wins; -0 beats +0).
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if a == 0.0 && b == 0.0 {
        return if a.is_sign_negative() { a } else { b };
    }
    if a < b { a } else { b }
}

/// An exact decimal `mant × 10^exp`, enough of shopspring/decimal for `addf`, `subf`, `mulf`
/// and `divf` on float64 inputs.
#[derive(Clone, Copy, Debug)]
struct Decimal {
    mant: i128,
    exp: i32,
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

impl Decimal {
    /// `decimal.NewFromFloat`: the shortest decimal that round-trips to the float.
    fn from_f64(f: f64) -> Option<Decimal> {
        if !f.is_finite() {
            return None;
        }
        if f == 0.0 {
            return Some(Decimal { mant: 0, exp: 0 });
        }
        let s = format!("{f:e}");
        let (m, e) = s.split_once('e')?;
        let e: i32 = e.parse().ok()?;
        let neg = m.starts_with('-');
        let digits: String = m.chars().filter(char::is_ascii_digit).collect();
        let mant: i128 = digits.parse().ok()?;
        let exp = e - (digits.len() as i32 - 1);
        Some(Decimal {
            mant: if neg { -mant } else { mant },
            exp,
        })
    }

    fn align(a: Decimal, b: Decimal) -> Option<(i128, i128, i32)> {
        let exp = a.exp.min(b.exp);
        let scale = |d: Decimal| -> Option<i128> {
            let shift = u32::try_from(d.exp - exp).ok()?;
            d.mant.checked_mul(10i128.checked_pow(shift)?)
        };
        Some((scale(a)?, scale(b)?, exp))
    }

    fn apply(self, op: Op, o: Decimal) -> Option<Result<Decimal, FuncError>> {
        Some(Ok(match op {
            Op::Add => {
                let (a, b, exp) = Decimal::align(self, o)?;
                Decimal {
                    mant: a.checked_add(b)?,
                    exp,
                }
            }
            Op::Sub => {
                let (a, b, exp) = Decimal::align(self, o)?;
                Decimal {
                    mant: a.checked_sub(b)?,
                    exp,
                }
            }
            Op::Mul => Decimal {
                mant: self.mant.checked_mul(o.mant)?,
                exp: self.exp + o.exp,
            },
            Op::Div => {
                if o.mant == 0 {
                    return Some(Err(FuncError::new("decimal division by 0")));
                }
                // DivRound to 16 decimal places, half away from zero.
                const PREC: i32 = 16;
                // result = self/o = (a.mant / o.mant) × 10^(a.exp - o.exp); we want mantissa at 10^-PREC.
                let shift = self.exp - o.exp + PREC;
                let (num, den) = if shift >= 0 {
                    (
                        self.mant.checked_mul(10i128.checked_pow(shift as u32)?)?,
                        o.mant,
                    )
                } else {
                    (
                        self.mant,
                        o.mant.checked_mul(10i128.checked_pow((-shift) as u32)?)?,
                    )
                };
                let q = num / den;
                let r = num % den;
                let twice = r.checked_abs()?.checked_mul(2)?;
                let q = if twice >= den.checked_abs()? {
                    if (num < 0) != (den < 0) { q - 1 } else { q + 1 }
                } else {
                    q
                };
                Decimal {
                    mant: q,
                    exp: -PREC,
                }
            }
        }))
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.mant, self.exp)
            .parse()
            .unwrap_or(f64::NAN)
    }
}

/// shopspring-decimal arithmetic over float64 operands; falls back to float math when the
/// exact result would not fit 128 bits.
fn decimal_op(first: &Value, rest: &[Value], op: Op) -> Result<f64, FuncError> {
    let mut acc_f = to_float64(first);
    let mut acc = Decimal::from_f64(acc_f);
    for v in rest {
        let x = to_float64(v);
        if op_is_div_zero(op, x) {
            return Err(FuncError::new("decimal division by 0"));
        }
        acc = match (acc, Decimal::from_f64(x)) {
            (Some(a), Some(b)) => match a.apply(op, b) {
                Some(r) => Some(r?),
                None => None,
            },
            _ => None,
        };
        acc_f = match acc {
            Some(d) => d.to_f64(),
            None => match op {
                Op::Add => acc_f + x,
                Op::Sub => acc_f - x,
                Op::Mul => acc_f * x,
                Op::Div => acc_f / x,
            },
        };
    }
    Ok(acc.map_or(acc_f, Decimal::to_f64))
}

fn op_is_div_zero(op: Op, x: f64) -> bool {
    matches!(op, Op::Div) && x == 0.0
}

/// `strconv.ParseInt(s, 8, 64)`.
fn parse_octal(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() || !body.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    let mag = u64::from_str_radix(body, 8).ok()?;
    if neg {
        if mag > 1 << 63 {
            None
        } else {
            Some((mag as i64).wrapping_neg())
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// Registers the math functions.
pub(crate) fn register(m: &mut crate::FuncMap) {
    def(m, "atoi", Exact(1), |a| {
        Ok(Value::Int(
            go::parse_int(args::string(&a[0])?, false).unwrap_or(0),
        ))
    });
    def(m, "int64", Exact(1), |a| Ok(Value::Int(to_int64(&a[0]))));
    def(m, "int", Exact(1), |a| Ok(Value::Int(to_int64(&a[0]))));
    def(m, "float64", Exact(1), |a| {
        Ok(Value::Float(to_float64(&a[0])))
    });
    def(m, "toDecimal", Exact(1), |a| {
        Ok(Value::Int(parse_octal(&go::format_v(&a[0])).unwrap_or(0)))
    });
    def(m, "seq", AtLeast(0), |a| {
        let params = a.iter().map(args::int).collect::<Result<Vec<_>, _>>()?;
        Ok(Value::string(seq(&params)))
    });
    def(m, "until", Exact(1), |a| {
        let n = args::int(&a[0])?;
        Ok(int_list(until_step(0, n, if n < 0 { -1 } else { 1 })))
    });
    def(m, "untilStep", Exact(3), |a| {
        Ok(int_list(until_step(
            args::int(&a[0])?,
            args::int(&a[1])?,
            args::int(&a[2])?,
        )))
    });
    def(m, "add1", Exact(1), |a| {
        Ok(Value::Int(to_int64(&a[0]).wrapping_add(1)))
    });
    def(m, "add", AtLeast(0), |a| {
        Ok(Value::Int(
            a.iter().fold(0i64, |acc, v| acc.wrapping_add(to_int64(v))),
        ))
    });
    def(m, "sub", Exact(2), |a| {
        Ok(Value::Int(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    });
    def(m, "div", Exact(2), |a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(FuncError::new("runtime error: integer divide by zero"));
        }
        Ok(Value::Int(to_int64(&a[0]).wrapping_div(d)))
    });
    def(m, "mod", Exact(2), |a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(FuncError::new("runtime error: integer divide by zero"));
        }
        Ok(Value::Int(to_int64(&a[0]).wrapping_rem(d)))
    });
    def(m, "mul", AtLeast(1), |a| {
        Ok(Value::Int(a[1..].iter().fold(to_int64(&a[0]), |acc, v| {
            acc.wrapping_mul(to_int64(v))
        })))
    });
    def(m, "randInt", Exact(2), |a| {
        let (lo, hi) = (args::int(&a[0])?, args::int(&a[1])?);
        let n = hi.wrapping_sub(lo);
        if n <= 0 {
            return Err(FuncError::new("invalid argument to Intn"));
        }
        use rand::Rng;
        Ok(Value::Int(rand::rng().random_range(0..n) + lo))
    });
    def(m, "add1f", Exact(1), |a| {
        Ok(Value::Float(decimal_op(&a[0], &[Value::Int(1)], Op::Add)?))
    });
    def(m, "addf", AtLeast(0), |a| {
        Ok(Value::Float(decimal_op(&Value::Float(0.0), a, Op::Add)?))
    });
    for (name, op) in [("subf", Op::Sub), ("divf", Op::Div), ("mulf", Op::Mul)] {
        def(m, name, AtLeast(1), move |a| {
            Ok(Value::Float(decimal_op(&a[0], &a[1..], op)?))
        });
    }
    for name in ["biggest", "max"] {
        def(m, name, AtLeast(1), |a| {
            Ok(Value::Int(
                a[1..].iter().map(to_int64).fold(to_int64(&a[0]), i64::max),
            ))
        });
    }
    def(m, "min", AtLeast(1), |a| {
        Ok(Value::Int(
            a[1..].iter().map(to_int64).fold(to_int64(&a[0]), i64::min),
        ))
    });
    def(m, "maxf", AtLeast(1), |a| {
        Ok(Value::Float(
            a[1..]
                .iter()
                .map(to_float64)
                .fold(to_float64(&a[0]), go_max),
        ))
    });
    def(m, "minf", AtLeast(1), |a| {
        Ok(Value::Float(
            a[1..]
                .iter()
                .map(to_float64)
                .fold(to_float64(&a[0]), go_min),
        ))
    });
    def(m, "ceil", Exact(1), |a| {
        Ok(Value::Float(to_float64(&a[0]).ceil()))
    });
    def(m, "floor", Exact(1), |a| {
        Ok(Value::Float(to_float64(&a[0]).floor()))
    });
    def(m, "round", AtLeast(2), |a| {
        let places = args::int(&a[1])?;
        let round_on = match a.get(2) {
            Some(v) => args::float(v)?,
            None => 0.5,
        };
        Ok(Value::Float(round(to_float64(&a[0]), places, round_on)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps() {
        assert_eq!(until_step(0, 5, 1), vec![0, 1, 2, 3, 4]);
        assert_eq!(until_step(3, 6, 2), vec![3, 5]);
        assert_eq!(until_step(0, -3, -1), vec![0, -1, -2]);
        assert!(until_step(0, 3, 0).is_empty());
        assert!(until_step(5, 0, 1).is_empty());
    }

    #[test]
    fn seqs() {
        // Sprig's numeric_test.go table.
        assert_eq!(seq(&[]), "");
        assert_eq!(seq(&[3]), "1 2 3");
        assert_eq!(seq(&[0]), "1 0");
        assert_eq!(seq(&[-3]), "1 0 -1 -2 -3");
        assert_eq!(seq(&[0, 3]), "0 1 2 3");
        assert_eq!(seq(&[3, 0]), "3 2 1 0");
        assert_eq!(seq(&[0, 2, 6]), "0 2 4 6");
        assert_eq!(seq(&[0, -2, -6]), "0 -2 -4 -6");
        assert_eq!(seq(&[6, 2, 0]), "");
        assert_eq!(seq(&[6, -2, 0]), "6 4 2 0");
        assert_eq!(seq(&[1, 2, 3, 4]), "");
    }

    #[test]
    fn rounding() {
        assert_eq!(round(3.746, 2, 0.5), 3.75);
        assert_eq!(round(3.746, 2, 0.7), 3.74);
        assert_eq!(round(123.5555, 3, 0.5), 123.556);
        assert_eq!(round(-1.5, 0, 0.5), -2.0);
    }

    #[test]
    fn decimals() {
        let f = |a: f64, b: f64, op| decimal_op(&Value::Float(a), &[Value::Float(b)], op).unwrap();
        assert_eq!(f(0.1, 0.2, Op::Add), 0.3);
        assert_eq!(f(1.0, 3.0, Op::Div), 0.3333333333333333);
        assert_eq!(f(2.0, 3.0, Op::Div), 0.6666666666666667);
        assert_eq!(f(1.1, 1.1, Op::Mul), 1.21);
        assert_eq!(f(0.3, 0.1, Op::Sub), 0.2);
        assert!(decimal_op(&Value::Float(1.0), &[Value::Int(0)], Op::Div).is_err());
    }

    #[test]
    fn octal() {
        assert_eq!(parse_octal("777"), Some(511));
        assert_eq!(parse_octal("8"), None);
    }
}

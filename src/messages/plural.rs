//! CLDR plural rules, read from the catalogue's data (the `plural` object of each locale
//! file, copied from CLDR's `plurals.json` by `make cldr`), never written per language.
//!
//! The grammar is UTS #35's plural rule syntax; the operands are those of an integer, the
//! only numbers a message holds (`max`, `min`, `wait`): `n` and `i` are the number, the
//! fraction operands (`v`, `w`, `f`, `t`) and the exponent (`e`, `c`) are zero.

/// One locale's rules: the categories in the data's order, each with its condition.
#[derive(Debug, Clone)]
pub(crate) struct PluralRules {
    rules: Vec<(String, Condition)>,
}

/// `or` of `and`s of relations.
type Condition = Vec<Vec<Relation>>;

#[derive(Debug, Clone)]
struct Relation {
    operand: char,
    modulus: Option<u64>,
    negated: bool,
    ranges: Vec<(u64, u64)>,
}

impl PluralRules {
    /// Reads `{ "one": "i = 1 and v = 0 @integer 1", … }`; `other` needs no condition.
    pub(crate) fn parse<'a>(rules: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<PluralRules, String> {
        let mut parsed = Vec::new();
        for (category, text) in rules {
            // Samples (`@integer …`, `@decimal …`) are documentation.
            let condition = text.split('@').next().unwrap_or("").trim();
            if category == "other" {
                continue;
            }
            let condition = parse_condition(condition).ok_or_else(|| format!("plural rule {category:?}: {text:?}"))?;
            parsed.push((category.to_owned(), condition));
        }
        Ok(PluralRules { rules: parsed })
    }

    /// The categories with a condition (every locale also has `other`).
    #[cfg(test)]
    pub(crate) fn categories(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|(c, _)| c.as_str())
    }

    /// The plural category of the integer `n` (`one`, `few`, …, else `other`).
    pub(crate) fn category(&self, n: u64) -> &str {
        let holds = |r: &Relation| {
            let value = match r.operand {
                'n' | 'i' => n,
                _ => 0,
            };
            let value = r.modulus.map_or(value, |m| value % m);
            r.ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&value)) != r.negated
        };
        self.rules
            .iter()
            .find(|(_, condition)| condition.iter().any(|all| all.iter().all(holds)))
            .map_or("other", |(category, _)| category.as_str())
    }
}

fn parse_condition(text: &str) -> Option<Condition> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(" or ").map(|and| and.split(" and ").map(parse_relation).collect()).collect()
}

/// `i % 10 = 2..4`, `n != 1`, `n is not 2`, `i not in 3..5, 7`, `n within 0..2`.
fn parse_relation(text: &str) -> Option<Relation> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut words = words.into_iter().peekable();
    let operand = words.next()?.chars().next().filter(|c| "niwvftce".contains(*c))?;
    let mut modulus = None;
    if matches!(words.peek(), Some(&"%") | Some(&"mod")) {
        words.next();
        modulus = Some(words.next()?.parse().ok()?);
    }
    let negated = match words.next()? {
        "=" => false,
        "!=" => true,
        "is" if words.peek() == Some(&"not") => {
            words.next();
            true
        }
        "is" => false,
        "not" => {
            words.next().filter(|w| *w == "in" || *w == "within")?;
            true
        }
        "in" | "within" => false,
        _ => return None,
    };
    let rest: String = words.collect::<Vec<_>>().concat();
    let ranges = rest
        .split(',')
        .map(|part| match part.split_once("..") {
            Some((lo, hi)) => Some((lo.parse().ok()?, hi.parse().ok()?)),
            None => part.parse().ok().map(|v| (v, v)),
        })
        .collect::<Option<Vec<_>>>()?;
    (!ranges.is_empty()).then_some(Relation { operand, modulus, negated, ranges })
}

#[cfg(test)]
mod tests {
    use super::*;

    // CLDR's Polish and Arabic rules, as the catalogue holds them.
    const POLISH: [(&str, &str); 3] = [
        ("one", "i = 1 and v = 0 @integer 1"),
        ("few", "v = 0 and i % 10 = 2..4 and i % 100 != 12..14 @integer 2~4, 22~24"),
        ("many", "v = 0 and i != 1 and i % 10 = 0..1 or v = 0 and i % 10 = 5..9 or v = 0 and i % 100 = 12..14"),
    ];

    #[test]
    fn polish_and_arabic_categories() {
        let pl = PluralRules::parse(POLISH).unwrap();
        let got: Vec<&str> = [1, 2, 4, 5, 12, 22, 254, 300, 1000].iter().map(|&n| pl.category(n)).collect();
        assert_eq!(got, ["one", "few", "few", "many", "many", "few", "few", "many", "many"]);
        let ar = PluralRules::parse([
            ("zero", "n = 0"),
            ("one", "n = 1"),
            ("two", "n = 2"),
            ("few", "n % 100 = 3..10"),
            ("many", "n % 100 = 11..99"),
        ])
        .unwrap();
        let got: Vec<&str> = [0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111].iter().map(|&n| ar.category(n)).collect();
        assert_eq!(got, ["zero", "one", "two", "few", "few", "many", "many", "other", "other", "few", "many"]);
    }

    #[test]
    fn malformed_rules_are_refused() {
        for bad in ["i = ", "q = 1", "n % x = 1", "n = 1..", "n <> 1"] {
            assert!(PluralRules::parse([("one", bad)]).is_err(), "{bad}");
        }
    }
}

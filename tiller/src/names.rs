//! Release names: Tiller's server-side validation and the generated
//! "adjective-animal" names of `helm install` without `--name`.

use std::sync::LazyLock;

use rand::seq::IndexedRandom as _;
use regex::Regex;

/// Longest release name Tiller accepts: release objects get suffixes and
/// Kubernetes names stop at 63 characters.
pub const MAX_NAME_LEN: usize = 53;

/// Tiller's release name pattern (the text is part of its error message).
pub const NAME_REGEX: &str = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])+$";

static NAME_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(NAME_REGEX).unwrap_or_else(|e| unreachable!("release name regex: {e}"))
});

/// Why a release name was refused.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum NameError {
    /// No name given.
    #[error("no release provided")]
    Empty,
    /// Name does not match the pattern or is too long.
    #[error(
        "invalid release name, must match regex {NAME_REGEX} and the length must not be longer than 53"
    )]
    Invalid,
    /// Install only checks the length.
    #[error("release name \"{0}\" exceeds max length of 53")]
    TooLong(String),
}

/// The validation of Update, Rollback, Uninstall, Status, Content, History
/// and Test.
pub fn validate(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() > MAX_NAME_LEN || !NAME_RE.is_match(name) {
        return Err(NameError::Invalid);
    }
    Ok(())
}

/// Install's check of a user-given name. Helm v2's Tiller checks the length
/// only (its client checks DNS-1123); we check the pattern as well, because
/// a name the pattern refuses can never be upgraded, rolled back or deleted.
pub fn validate_install(name: &str) -> Result<(), NameError> {
    if name.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong(name.to_owned()));
    }
    validate(name)
}

const ADJECTIVES: &[&str] = &[
    "amber", "ample", "bold", "brave", "brisk", "calm", "civic", "clever", "coy", "crisp", "dandy",
    "eager", "early", "exact", "fair", "famous", "flint", "fond", "frank", "gentle", "giddy",
    "glad", "good", "grave", "hardy", "honest", "idle", "jolly", "keen", "kind", "lanky", "lively",
    "loyal", "lucky", "mellow", "merry", "modest", "neat", "nimble", "noble", "odd", "plucky",
    "polite", "proud", "quiet", "rapid", "rosy", "rugged", "rusty", "shy", "silly", "sleek",
    "smart", "snug", "solid", "steady", "stout", "sunny", "swift", "tame", "tidy", "tough",
    "vivid", "warm", "wise", "witty", "zany", "zealous",
];

const ANIMALS: &[&str] = &[
    "albatross",
    "alpaca",
    "badger",
    "beaver",
    "bison",
    "camel",
    "cheetah",
    "cobra",
    "cougar",
    "coyote",
    "crab",
    "crane",
    "dingo",
    "dolphin",
    "eagle",
    "eel",
    "elk",
    "falcon",
    "ferret",
    "gecko",
    "gibbon",
    "gopher",
    "gorilla",
    "heron",
    "hyena",
    "ibis",
    "jackal",
    "jaguar",
    "koala",
    "lemur",
    "lynx",
    "magpie",
    "marmot",
    "meerkat",
    "mole",
    "moose",
    "newt",
    "ocelot",
    "otter",
    "owl",
    "panda",
    "parrot",
    "pelican",
    "penguin",
    "puffin",
    "quail",
    "rabbit",
    "raven",
    "seal",
    "shrew",
    "sloth",
    "squid",
    "stork",
    "tapir",
    "tiger",
    "toad",
    "turtle",
    "walrus",
    "wasp",
    "weasel",
    "wolf",
    "wombat",
    "yak",
    "zebra",
];

/// A fresh "adjective-animal" name, at most [`MAX_NAME_LEN`] characters.
pub fn generate() -> String {
    let mut rng = rand::rng();
    let adj = ADJECTIVES.choose(&mut rng).copied().unwrap_or("lucky");
    let animal = ANIMALS.choose(&mut rng).copied().unwrap_or("otter");
    let mut name = format!("{adj}-{animal}");
    name.truncate(MAX_NAME_LEN);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_follows_tiller() {
        assert_eq!(validate(""), Err(NameError::Empty));
        assert_eq!(validate("ok-name.1"), Ok(()));
        assert_eq!(validate("-bad"), Err(NameError::Invalid));
        assert_eq!(validate("bad-"), Err(NameError::Invalid));
        assert_eq!(validate("a b"), Err(NameError::Invalid));
        assert_eq!(validate(&"a".repeat(53)), Ok(()));
        assert_eq!(validate(&"a".repeat(54)), Err(NameError::Invalid));
        assert!(
            NameError::Invalid
                .to_string()
                .starts_with("invalid release name, must match regex ^(([A-Za-z0-9]")
        );
        assert_eq!(
            validate_install(&"a".repeat(54)),
            Err(NameError::TooLong("a".repeat(54)))
        );
    }

    #[test]
    fn generated_names_are_valid() {
        for _ in 0..200 {
            let n = generate();
            assert_eq!(validate(&n), Ok(()), "{n}");
            assert!(n.contains('-'), "{n}");
        }
    }
}

//! Parses every template file (`*/templates/*`) under a directory tree, as a smoke test of the
//! lexer and parser on real charts. Function names are not known here, so every name a
//! template calls is accepted (added as a placeholder function on first use).
//!
//! Run with `cargo run -p gotmpl --example parse_tree -- DIR`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use gotmpl::{FuncError, FuncMap, Templates};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == "templates")
        {
            out.push(path);
        }
    }
}

fn main() {
    let Some(root) = std::env::args().nth(1) else {
        eprintln!("usage: parse_tree DIR");
        std::process::exit(2);
    };
    let mut files = Vec::new();
    collect(Path::new(&root), &mut files);
    files.sort();
    let mut names: BTreeSet<String> = BTreeSet::new();
    let (mut ok, mut failed) = (0, 0);
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        loop {
            let funcs: FuncMap = names
                .iter()
                .map(|n| {
                    let f: gotmpl::Func = Rc::new(|_| Err(FuncError::new("placeholder")));
                    (n.clone(), f)
                })
                .collect();
            let mut set = Templates::new(funcs);
            match set.parse(&file.display().to_string(), &text) {
                Ok(()) => {
                    ok += 1;
                    break;
                }
                Err(e) => {
                    if let Some(name) = e
                        .message
                        .strip_prefix("function \"")
                        .and_then(|r| r.strip_suffix("\" not defined"))
                    {
                        names.insert(name.to_owned());
                        continue;
                    }
                    println!("{e}");
                    failed += 1;
                    break;
                }
            }
        }
    }
    println!(
        "{ok} parsed, {failed} failed; {} function names used",
        names.len()
    );
}

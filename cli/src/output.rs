//! Text formats Helm v2's client prints: `gosuri/uitable` tables, Go `text/tabwriter`
//! alignment (the resources of `helm status`), Go's ANSIC dates in local time, enum names, and
//! the JSON/YAML encoders (`encoding/json`, then `ghodss/yaml` for YAML).

use helm_proto::hapi::release::status::Code;
use helm_proto::prost_types::Timestamp;
use serde::Serialize;

/// A `gosuri/uitable` table: cells padded to the widest cell of their column (at most
/// `max_col_width`, longer cells cut to `...`), columns separated by a tab, multi-line cells
/// spread over several lines.
#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<Vec<String>>,
    /// The widest a column may be; 0 means unlimited.
    pub max_col_width: usize,
}

impl Table {
    /// An empty table with a column width limit.
    pub fn new(max_col_width: usize) -> Table {
        Table {
            rows: Vec::new(),
            max_col_width,
        }
    }

    /// Adds a row.
    pub fn add_row<S: ToString>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows
            .push(cells.into_iter().map(|c| c.to_string()).collect());
    }

    /// The table text, without a trailing newline (uitable's `String`).
    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = Vec::new();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if widths.len() <= i {
                    widths.push(0);
                }
                let mut w = cell.split('\n').map(width).max().unwrap_or(0);
                if self.max_col_width != 0 && w > self.max_col_width {
                    w = self.max_col_width;
                }
                widths[i] = widths[i].max(w);
            }
        }
        let mut lines = Vec::new();
        for row in &self.rows {
            let resized: Vec<Vec<String>> = row
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    resize(c, widths[i])
                        .split('\n')
                        .map(str::to_owned)
                        .collect()
                })
                .collect();
            let count = resized.iter().map(Vec::len).max().unwrap_or(1);
            for line in 0..count {
                let cells: Vec<String> = resized
                    .iter()
                    .enumerate()
                    .map(|(i, parts)| resize(parts.get(line).map_or("", String::as_str), widths[i]))
                    .collect();
                lines.push(cells.join("\t"));
            }
        }
        lines.join("\n")
    }
}

/// Display width: control characters (newlines included) count zero, every other character
/// one (East Asian wide characters count one too, where go-runewidth counts two).
fn width(s: &str) -> usize {
    s.chars().filter(|c| !c.is_control()).count()
}

/// uitable's `strutil.Resize`: pad to `n`, or cut to `n - 3` bytes plus `...`.
fn resize(s: &str, n: usize) -> String {
    let w = width(s);
    if w == n || n == 0 {
        return s.to_owned();
    }
    if w < n {
        let mut out = s.to_owned();
        out.extend(std::iter::repeat_n(' ', n - w));
        return out;
    }
    let keep = n.saturating_sub(3).min(s.len());
    let mut out = String::from_utf8_lossy(&s.as_bytes()[..keep]).into_owned();
    out.push_str("...");
    out
}

/// Go's `text/tabwriter` with minwidth 0, tabwidth 0, padding 2, pad character ' ' and the
/// `TabIndent` flag, as `helm status` uses it for the resources: tab-terminated cells are
/// aligned in columns over runs of consecutive lines that have them.
pub fn tabwrite(text: &str) -> String {
    let mut lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    // A trailing newline leaves an empty last line that is not printed as a line of its own.
    let ends_with_newline = text.ends_with('\n');
    if ends_with_newline {
        lines.pop();
    }
    let mut out = String::new();
    let mut widths = Vec::new();
    format_block(&lines, 0, lines.len(), &mut widths, &mut out);
    if !ends_with_newline && out.ends_with('\n') {
        out.pop();
    }
    out
}

fn format_block(
    lines: &[Vec<&str>],
    mut line0: usize,
    line1: usize,
    widths: &mut Vec<usize>,
    out: &mut String,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, line0, this, widths, out);
        line0 = this;
        let mut w = 0;
        while this < line1 && column + 1 < lines[this].len() {
            w = w.max(width(lines[this][column]) + 2);
            this += 1;
        }
        widths.push(w);
        format_block(lines, line0, this, widths, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, line0, line1, widths, out);
}

fn write_lines(lines: &[Vec<&str>], from: usize, to: usize, widths: &[usize], out: &mut String) {
    for line in &lines[from..to] {
        // TabIndent with a tab width of 0: leading empty cells print nothing.
        let mut leading = true;
        for (j, cell) in line.iter().enumerate() {
            if cell.is_empty() && leading {
                continue;
            }
            leading = false;
            out.push_str(cell);
            if let Some(w) = widths.get(j).filter(|_| j + 1 < line.len()) {
                out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(cell))));
            }
        }
        out.push('\n');
    }
}

/// Go's `time.ANSIC` layout (`Mon Jan _2 15:04:05 2006`) in local time, as Helm's
/// `timeconv.String` prints timestamps; a missing timestamp is the Unix epoch.
pub fn ansic(ts: Option<&Timestamp>) -> String {
    let (secs, nanos) = ts.map_or((0, 0), |t| (t.seconds, t.nanos));
    let nanos = u32::try_from(nanos).unwrap_or(0);
    match chrono::DateTime::from_timestamp(secs, nanos) {
        Some(t) => t
            .with_timezone(&chrono::Local)
            .format("%a %b %e %H:%M:%S %Y")
            .to_string(),
        None => format!("<invalid time {secs}s>"),
    }
}

/// The name Go's generated `String()` gives a status code (the number when unknown).
pub fn status_name(code: i32) -> String {
    match Code::try_from(code) {
        Ok(c) => c.as_str_name().to_owned(),
        Err(_) => code.to_string(),
    }
}

/// Go's `json.Encoder.Encode`: compact JSON and a newline.
pub fn encode_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    let text = helm_proto::json::to_go_json(value)
        .map_err(|e| anyhow::anyhow!("unable to write JSON output: {e}"))?;
    Ok(text + "\n")
}

/// Helm's `encodeYAML`: `ghodss/yaml` of the JSON form, plus one more newline.
pub fn encode_yaml<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    Ok(yaml_of(value)? + "\n")
}

/// `ghodss/yaml.Marshal`: the value's Go JSON, read and written back by go-yaml.
pub fn yaml_of<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    let json = helm_proto::json::to_go_json(value)
        .map_err(|e| anyhow::anyhow!("unable to write YAML output: {e}"))?;
    goyaml::json_to_yaml(&json).map_err(|e| anyhow::anyhow!("unable to write YAML output: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uitable_pads_and_cuts() {
        let mut t = Table::new(6);
        t.add_row(["NAME", "REVISION"]);
        t.add_row(["a", "1"]);
        t.add_row(["abcdefghij", "22"]);
        assert_eq!(t.render(), "NAME  \tREV...\na     \t1     \nabc...\t22    ");
        // Like uitable, a multi-line cell is measured by its widest line but resized as a
        // whole, so it ends up cut.
        let mut t = Table::new(0);
        t.add_row(["x", "two\nlines"]);
        t.add_row(["yy", "z"]);
        assert_eq!(t.render(), "x \ttw...\nyy\tz    ");
        assert_eq!(Table::new(60).render(), "");
    }

    #[test]
    fn tabwriter_aligns_blocks() {
        let text = "==> v1/Pod\nNAME\tREADY\tSTATUS\nweb-1\t1/1\tRunning\n\n==> v1/Service\nNAME\tTYPE\nweb\tClusterIP\n";
        assert_eq!(
            tabwrite(text),
            "==> v1/Pod\nNAME   READY  STATUS\nweb-1  1/1    Running\n\n==> v1/Service\nNAME  TYPE\nweb   ClusterIP\n"
        );
        assert_eq!(tabwrite("a\tb"), "a  b");
        assert_eq!(tabwrite("\tx\n"), "x\n");
    }

    #[test]
    fn status_names() {
        assert_eq!(status_name(1), "DEPLOYED");
        assert_eq!(status_name(7), "PENDING_UPGRADE");
        assert_eq!(status_name(42), "42");
    }

    #[test]
    fn ansic_layout() {
        // Only the shape: the zone is the machine's.
        let s = ansic(Some(&Timestamp {
            seconds: 242_085_845,
            nanos: 0,
        }));
        assert_eq!(s.len(), "Fri Sep  2 22:04:05 1977".len(), "{s}");
        assert!(s.ends_with("1977"), "{s}");
    }
}

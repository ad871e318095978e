//! Notebook outputs that are not figures: Markdown text (tables, mostly) that Jupyter renders
//! as formatted text and the blog export keeps as a real table.
//!
//! ```
//! use cnn_lab::plot::Markdown;
//! let t = Markdown::table(&["model", "accuracy"], &[vec!["model1".into(), "90.0 %".into()]]);
//! assert!(t.to_string().starts_with("| model | accuracy |"));
//! ```

/// Markdown text; as a cell's last expression it displays rendered, `println!` prints it raw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Markdown(pub String);

impl Markdown {
    /// A table with a header row; columns whose cells all look numeric are right-aligned.
    pub fn table(header: &[&str], rows: &[Vec<String>]) -> Markdown {
        let numeric = |c: usize| {
            !rows.is_empty()
                && rows.iter().all(|r| {
                    r.get(c).is_some_and(|v| {
                        let v = v.trim().trim_end_matches('%').trim().replace(',', "");
                        !v.is_empty() && v.parse::<f64>().is_ok()
                    })
                })
        };
        let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let mut s = format!("| {} |\n|", header.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" | "));
        for c in 0..header.len() {
            s.push_str(if numeric(c) { "---:|" } else { "---|" });
        }
        s.push('\n');
        for r in rows {
            let cells: Vec<String> = (0..header.len()).map(|c| esc(r.get(c).map(String::as_str).unwrap_or(""))).collect();
            s.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        Markdown(s)
    }

    /// Show rendered in evcxr (called by the kernel for a cell's last expression).
    pub fn evcxr_display(&self) {
        let text = self.0.trim_end();
        super::evcxr_show(&[("text/markdown", text), ("text/plain", text)]);
    }
}

impl std::fmt::Display for Markdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_columns_align_right_and_pipes_are_escaped() {
        let t = Markdown::table(
            &["model", "params", "accuracy"],
            &[vec!["a|b".into(), "93,322".into(), "90.02 %".into()], vec!["c".into(), "1".into(), "n/a".into()]],
        );
        let lines: Vec<&str> = t.0.lines().collect();
        assert_eq!(lines[1], "|---|---:|---|");
        assert_eq!(lines[2], "| a\\|b | 93,322 | 90.02 % |");
    }
}

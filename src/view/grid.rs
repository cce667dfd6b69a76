//! The rows of a table preview as HTML: a parquet file's or CSV file's
//! first rows, up to thousands of cells a page, built here in one pass
//! rather than cell by cell in a template.

use crate::input::preview::kinds::Column;
use crate::util::html::escape_to;

/// Cells longer than this many characters wrap (class `long`).
const LONG_CELL: usize = 40;

/// `rows` as `<tr>` elements for a table of `columns`: a row number first,
/// then each cell escaped, classed `null` (a parquet null), `empty`, `long`
/// or `r` (a numeric column's value, right-aligned).
pub(crate) fn rows_html(columns: &[Column], rows: &[Vec<Option<String>>]) -> String {
    let cells: usize = rows.iter().map(Vec::len).sum();
    let mut out: Vec<u8> = Vec::with_capacity(rows.len() * 32 + cells * 24);
    for (n, row) in rows.iter().enumerate() {
        out.extend_from_slice(format!("<tr><td class=\"rn\">{}</td>", n + 1).as_bytes());
        for (ci, cell) in row.iter().enumerate() {
            let Some(text) = cell else {
                out.extend_from_slice(b"<td class=\"null\">null</td>");
                continue;
            };
            let open: &[u8] = if text.is_empty() {
                b"<td class=\"empty\">"
            } else if text.chars().count() > LONG_CELL {
                b"<td class=\"long\">"
            } else if columns.get(ci).is_some_and(|c| c.numeric) {
                b"<td class=\"r\">"
            } else {
                b"<td>"
            };
            out.extend_from_slice(open);
            escape_to(text, &mut out).expect("writing to memory cannot fail");
            out.extend_from_slice(b"</td>");
        }
        out.extend_from_slice(b"</tr>");
    }
    String::from_utf8(out).expect("escaped text stays UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(numeric: bool) -> Column {
        Column { name: "c".into(), dtype: "t".into(), empty: None, numeric }
    }

    #[test]
    fn classes_and_escaping() {
        let long = "x".repeat(41);
        let rows = vec![
            vec![Some("1.5".to_string()), Some("<b>&".to_string())],
            vec![None, Some(String::new())],
            vec![Some(long.clone()), Some("é".repeat(40))],
        ];
        let html = rows_html(&[column(true), column(false)], &rows);
        assert_eq!(
            html,
            format!(
                "<tr><td class=\"rn\">1</td><td class=\"r\">1.5</td><td>&lt;b&gt;&amp;</td></tr>\
                 <tr><td class=\"rn\">2</td><td class=\"null\">null</td><td class=\"empty\"></td></tr>\
                 <tr><td class=\"rn\">3</td><td class=\"long\">{long}</td><td>{}</td></tr>",
                "é".repeat(40)
            )
        );
    }
}

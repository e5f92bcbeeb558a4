//! Fault labels in a lane, laid out so that no two overlap: each label goes in the first of
//! [`ROWS`] rows where it clears every label already there, abbreviated to its first letter
//! when its window is too narrow for the whole word, and left out (its window's tooltip still
//! names it) when no row has room. Deterministic: windows are placed in the order they opened.

/// Label rows in a lane.
pub(super) const ROWS: usize = 3;
/// Each row's height, in pixels: the label's font size plus room for its descent.
pub(super) const ROW_HEIGHT: f64 = 12.0;
/// The labels' font size, in pixels.
pub(super) const FONT: f64 = 9.0;
/// A generous width of one character at [`FONT`] (the widest lowercase letters of a sans-serif
/// face are about 0.75 em; kind names are lowercase), so that an estimate never falls short.
const CHAR: f64 = 7.0;
/// Space kept between two labels in a row.
const GAP: f64 = 4.0;

/// Where one label goes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Placed {
    /// The text drawn: the kind, or its first letter.
    pub text: String,
    /// Left edge.
    pub x: f64,
    /// Which row, from 0 at the lane's top.
    pub row: usize,
}

/// The estimated width of `text` as drawn.
fn width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR
}

/// Places a label for each window `(x1, x2, kind)`, in order; `None` for a window left
/// unlabelled.
pub(super) fn place(windows: &[(f64, f64, &str)]) -> Vec<Option<Placed>> {
    // Per row, the spans its labels take.
    let mut taken: Vec<Vec<(f64, f64)>> = vec![Vec::new(); ROWS];
    windows
        .iter()
        .map(|&(x1, x2, kind)| {
            let x = x1 + 2.0;
            let text = if width(kind) <= x2 - x {
                kind.to_owned()
            } else {
                kind.chars().next().map(String::from).unwrap_or_default()
            };
            if text.is_empty() {
                return None;
            }
            let span = (x, x + width(&text));
            let row = (0..ROWS).find(|&row| {
                taken[row].iter().all(|&(a, b)| span.1 + GAP <= a || b + GAP <= span.0)
            })?;
            taken[row].push(span);
            Some(Placed { text, x, row })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlap(a: &Placed, b: &Placed) -> bool {
        a.row == b.row && a.x < b.x + width(&b.text) && b.x < a.x + width(&a.text)
    }

    #[test]
    fn labels_of_windows_on_one_lane_never_share_a_span_of_a_row() {
        let windows = [
            (100.0, 500.0, "delay"),
            (150.0, 400.0, "status"),
            (160.0, 170.0, "terminate"),
            (120.0, 600.0, "connection-age"),
            (130.0, 131.0, "hang"),
        ];
        let placed = place(&windows);
        let drawn: Vec<&Placed> = placed.iter().flatten().collect();
        for (i, a) in drawn.iter().enumerate() {
            for b in &drawn[i + 1..] {
                assert!(!overlap(a, b), "two fault labels overlap: {a:?} and {b:?}");
            }
        }
        assert_eq!(placed[0].as_ref().map(|p| p.text.as_str()), Some("delay"));
        assert_eq!(
            placed[2].as_ref().map(|p| p.text.as_str()),
            Some("t"),
            "a window too narrow for its kind is labelled with its first letter"
        );
        assert!(drawn.len() >= ROWS, "every row is used before a label is left out: {placed:?}");
    }

    #[test]
    fn a_label_with_no_free_row_is_left_to_its_tooltip() {
        let windows = [(0.0, 900.0, "delay"); ROWS + 1];
        let placed = place(&windows);
        assert!(placed[..ROWS].iter().all(Option::is_some), "each row takes one label");
        assert_eq!(placed[ROWS], None, "a label that fits no row is not drawn over another");
    }
}

//! A block diagram: boxes in a row joined by arrows, each with lines of text above and below
//! (a network's layers, drawn by `figures::model_diagram`).

use super::*;

/// One column of a [`block_diagram`]: a filled box of `size` pixels (width, height), centred on
/// the row's middle line, with short lines of text above and below it.
#[derive(Clone, Debug)]
pub struct Block {
    pub above: Vec<String>,
    pub below: Vec<String>,
    pub size: (u32, u32),
    pub colour: RGBColor,
}

const WIDTH: u32 = 760;
const FONT: u32 = 13;
const LINE: u32 = 16;
const MARGIN: u32 = 8;

/// The blocks left to right, `title` on top. Columns share the width equally; a box wider than
/// its column is narrowed to fit.
pub fn block_diagram(title: &str, blocks: &[Block]) -> Result<Figure> {
    if blocks.is_empty() {
        return Err(Error::invalid("block_diagram: no blocks"));
    }
    let above = blocks.iter().map(|b| b.above.len()).max().unwrap_or(0) as u32;
    let below = blocks.iter().map(|b| b.below.len()).max().unwrap_or(0) as u32;
    let tallest = blocks.iter().map(|b| b.size.1).max().unwrap_or(0);
    let height = 30 + (above + below) * LINE + tallest + 4 * MARGIN;
    render!(title; WIDTH, height, draw_blocks, title, blocks, above, tallest)
}

fn draw_blocks<DB: DrawingBackend>(root: &Area<DB>, title: &str, blocks: &[Block], above: u32, tallest: u32) -> Result<()> {
    let text = |s: &str, x: i32, y: i32, size: u32| -> Result<()> {
        let style = ("sans-serif", size).into_font().color(&BLACK).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        ));
        root.draw(&Text::new(s.to_string(), (x, y), style)).map_err(perr)
    };
    text(title, WIDTH as i32 / 2, 6, 18)?;
    let column = (WIDTH - 2 * MARGIN) / blocks.len() as u32;
    let top = 30 + above * LINE + MARGIN;
    let middle = (top + tallest / 2) as i32;
    let mut previous_right: Option<i32> = None;
    for (i, b) in blocks.iter().enumerate() {
        let centre = (MARGIN + column * i as u32 + column / 2) as i32;
        let (w, h) = (b.size.0.clamp(2, column.saturating_sub(24).max(2)) as i32, b.size.1 as i32);
        let (x0, y0) = (centre - w / 2, middle - h / 2);
        root.draw(&Rectangle::new([(x0, y0), (x0 + w, y0 + h)], b.colour.filled())).map_err(perr)?;
        root.draw(&Rectangle::new([(x0, y0), (x0 + w, y0 + h)], BLACK.stroke_width(1))).map_err(perr)?;
        for (k, line) in b.above.iter().enumerate() {
            let first = top - MARGIN - b.above.len() as u32 * LINE;
            text(line, centre, (first + k as u32 * LINE) as i32, FONT)?;
        }
        for (k, line) in b.below.iter().enumerate() {
            text(line, centre, (top + tallest + MARGIN + k as u32 * LINE) as i32, FONT)?;
        }
        if let Some(right) = previous_right {
            arrow(root, right + 4, x0 - 4, middle)?;
        }
        previous_right = Some(x0 + w);
    }
    Ok(())
}

fn arrow<DB: DrawingBackend>(root: &Area<DB>, from: i32, to: i32, y: i32) -> Result<()> {
    if to - from < 6 {
        return Ok(());
    }
    let grey = RGBColor(90, 90, 90);
    root.draw(&PathElement::new(vec![(from, y), (to, y)], grey.stroke_width(1))).map_err(perr)?;
    root.draw(&Polygon::new(vec![(to, y), (to - 5, y - 3), (to - 5, y + 3)], grey.filled())).map_err(perr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_column_per_block_and_refuses_none() {
        let b = |w| Block { above: vec!["conv".into()], below: vec!["26×26×32".into(), "320".into()], size: (w, 40), colour: RGBColor(31, 119, 180) };
        let f = block_diagram("t", &[b(10), b(2000), b(30)]).unwrap();
        assert_eq!(f.width, 760);
        assert_eq!(f.height, 30 + 3 * 16 + 40 + 32);
        assert_eq!(f.svg.matches("26×26×32").count(), 3);
        assert!(block_diagram("t", &[]).is_err());
    }
}

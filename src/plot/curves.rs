//! Learning curves: loss and accuracy per epoch, training against validation.

use super::colour::figure_colours;
use super::*;


fn draw_curves<DB: DrawingBackend>(root: &Area<DB>, runs: &[(String, Owned)]) -> Result<()> {
    let (w, h) = root.dim_in_pixel();
    let font = ("sans-serif", TICK + 1).into_font();
    // The legend is a strip under the panels (inside, it covered the curves): one colour per
    // model, then the line style of training and validation.
    let entries: Vec<(String, u32)> = runs
        .iter()
        .map(|(n, _)| {
            let tw = root.estimate_text_size(n, &TextStyle::from(font.clone())).map(|s| s.0).unwrap_or(8 * n.len() as u32);
            (n.clone(), tw + 44)
        })
        .collect();
    let key_w = 330;
    let mut rows = 1u32;
    let mut x = 0u32;
    for (_, ew) in &entries {
        if x + ew > w - 40 {
            rows += 1;
            x = 0;
        }
        x += ew;
    }
    if x + key_w > w - 40 {
        rows += 1;
    }
    let (top, legend) = root.split_vertically(h - 28 * rows - 8);
    let fixed: Vec<Option<RGBColor>> = runs.iter().map(|(_, h)| h.colour).collect();
    let colours = figure_colours(&runs.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), &fixed);
    let panels = top.split_evenly((1, 2));
    let n = runs.iter().map(|(_, h)| h.epochs()).max().unwrap_or(1).max(2);
    for (p, (metric, val_metric, name)) in panels.iter().zip([("loss", "val_loss", "Cross-entropy"), ("accuracy", "val_accuracy", "Accuracy")]) {
        let get = |h: &Owned, m: &str| -> Vec<f64> {
            match m {
                "loss" => h.loss.clone(),
                "val_loss" => h.val_loss.clone(),
                "accuracy" => h.accuracy.clone(),
                _ => h.val_accuracy.clone(),
            }
        };
        let all: Vec<f64> = runs.iter().flat_map(|(_, h)| [get(h, metric), get(h, val_metric)].concat()).collect();
        let (lo, hi) = finite_range(&all);
        let pad = (hi - lo) * 0.05;
        let mut chart = ChartBuilder::on(p)
            .caption(name, ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(48)
            .y_label_area_size(62)
            .build_cartesian_2d(1f64..n as f64, (lo - pad)..(hi + pad))
            .map_err(perr)?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .x_labels(n.min(10))
            .x_label_formatter(&integer_label)
            .y_label_formatter(&|y| format!("{y:.2}"))
            .label_style(("sans-serif", TICK).into_font())
            .axis_desc_style(("sans-serif", TICK + 1).into_font())
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(perr)?;
        for ((_, h), &col) in runs.iter().zip(&colours) {
            for (m, dashed) in [(metric, false), (val_metric, true)] {
                let pts: Vec<(f64, f64)> = get(h, m).iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(i, &v)| ((i + 1) as f64, v)).collect();
                let style = ShapeStyle { color: col.to_rgba(), filled: false, stroke_width: 2 };
                if dashed {
                    chart.draw_series(DashedLineSeries::new(pts.clone(), 6, 4, style)).map_err(perr)?;
                    chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, col.filled()))).map_err(perr)?;
                } else {
                    chart.draw_series(LineSeries::new(pts, style)).map_err(perr)?;
                }
            }
        }
    }
    let (mut x, mut y) = (60i32, 16i32);
    let text = |area: &Area<DB>, s: &str, x: i32, y: i32, c: &RGBColor| {
        let style = TextStyle::from(font.clone()).color(c).pos(plotters::style::text_anchor::Pos::new(plotters::style::text_anchor::HPos::Left, plotters::style::text_anchor::VPos::Center));
        area.draw(&Text::new(s.to_string(), (x, y), style)).map_err(perr)
    };
    for ((name, ew), &col) in entries.iter().zip(&colours) {
        if x as u32 + ew > w - 40 {
            x = 60;
            y += 28;
        }
        legend.draw(&Rectangle::new([(x, y - 7), (x + 26, y + 7)], col.filled())).map_err(perr)?;
        text(&legend, name, x + 34, y, &BLACK)?;
        x += *ew as i32;
    }
    if x as u32 + key_w > w - 40 {
        x = 60;
        y += 28;
    }
    let grey = RGBColor(60, 60, 60);
    legend.draw(&PathElement::new(vec![(x + 10, y), (x + 40, y)], grey.stroke_width(2))).map_err(perr)?;
    text(&legend, "training", x + 48, y, &grey)?;
    let x = x + 150;
    legend.draw(&PathElement::new(vec![(x + 10, y), (x + 18, y)], grey.stroke_width(2))).map_err(perr)?;
    legend.draw(&PathElement::new(vec![(x + 30, y), (x + 38, y)], grey.stroke_width(2))).map_err(perr)?;
    legend.draw(&Circle::new((x + 24, y), 3, grey.filled())).map_err(perr)?;
    text(&legend, "validation", x + 48, y, &grey)?;
    Ok(())
}

/// One run's learning curves: loss and accuracy per epoch, on the training and the validation
/// data (NaN where there is none).
#[derive(Clone, Copy, Debug)]
pub struct Curves<'a> {
    pub name: &'a str,
    pub loss: &'a [f64],
    pub accuracy: &'a [f64],
    pub val_loss: &'a [f64],
    pub val_accuracy: &'a [f64],
    /// The run's colour; `None`: one picked from its name ([`super::series_colour`]).
    pub colour: Option<RGBColor>,
}

#[derive(Clone)]
struct Owned {
    colour: Option<RGBColor>,
    loss: Vec<f64>,
    accuracy: Vec<f64>,
    val_loss: Vec<f64>,
    val_accuracy: Vec<f64>,
}

impl Owned {
    fn epochs(&self) -> usize {
        self.loss.len()
    }
}

/// Loss and accuracy per epoch, training (solid) against validation (dashed), for one or more
/// runs, each in its own colour (see [`super::series_colour`]).
pub fn learning_curves(runs: &[Curves]) -> Result<Figure> {
    if runs.iter().all(|r| r.loss.is_empty()) {
        return Err(Error::invalid("learning_curves: no epochs to plot"));
    }
    let owned: Vec<(String, Owned)> = runs
        .iter()
        .map(|r| (r.name.to_string(), Owned { colour: r.colour, loss: r.loss.to_vec(), accuracy: r.accuracy.to_vec(), val_loss: r.val_loss.to_vec(), val_accuracy: r.val_accuracy.to_vec() }))
        .collect();
    let rows = 1 + owned.len() as u32 / 4;
    render!(format!("Loss and accuracy per epoch, training and validation: {}", owned.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")); 1000, 400 + 28 * rows, draw_curves, &owned)
}

//! Metrics over probability rows and labels: mistakes, confusion matrix, per-class scores,
//! fastai's most-confused pairs and top losses, confidences.

use crate::util::argmax;

/// Indices of the images whose most probable class is not their label.
pub fn mistakes(probs: &[Vec<f32>], labels: &[u8]) -> Vec<usize> {
    probs.iter().zip(labels).enumerate().filter(|(_, (p, &l))| argmax(p) != l as usize).map(|(i, _)| i).collect()
}

/// Predicted class of each probability row.
pub fn predicted(probs: &[Vec<f32>]) -> Vec<usize> {
    probs.iter().map(|p| argmax(p)).collect()
}

/// Confusion matrix `m[true][predicted]` (counts).
pub fn confusion_matrix(labels: &[u8], predicted: &[usize], classes: usize) -> Vec<Vec<usize>> {
    let mut m = vec![vec![0; classes]; classes];
    for (&t, &p) in labels.iter().zip(predicted) {
        m[t as usize][p] += 1;
    }
    m
}

/// Each row divided by its total (recall per class on the diagonal).
pub fn normalize_rows(m: &[Vec<usize>]) -> Vec<Vec<f64>> {
    m.iter()
        .map(|r| {
            let s: usize = r.iter().sum();
            r.iter().map(|&v| v as f64 / s.max(1) as f64).collect()
        })
        .collect()
}

/// Accuracy of each class (the confusion matrix's diagonal, row-normalised).
pub fn per_class_accuracy(m: &[Vec<usize>]) -> Vec<f64> {
    normalize_rows(m).iter().enumerate().map(|(i, r)| r[i]).collect()
}

/// Indices of the `n` predictions with the lowest top probability, least confident first.
pub fn least_confident(probs: &[Vec<f32>], n: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..probs.len()).collect();
    let top = |i: usize| probs[i].iter().cloned().fold(f32::MIN, f32::max);
    idx.sort_by(|&a, &b| top(a).total_cmp(&top(b)).then(a.cmp(&b)));
    idx.truncate(n);
    idx
}

/// Top probability of each prediction (for a confidence histogram).
pub fn confidences(probs: &[Vec<f32>]) -> Vec<f32> {
    probs.iter().map(|p| p.iter().cloned().fold(f32::MIN, f32::max)).collect()
}


/// Precision, recall, F1 and support of one class (scikit-learn's `classification_report`).
#[derive(Clone, Debug, PartialEq)]
pub struct ClassScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Images of this class.
    pub support: usize,
}

/// Per-class scores from a confusion matrix `m[true][predicted]`; a class never predicted (or
/// absent) scores 0, as scikit-learn's `zero_division=0`.
pub fn class_scores(m: &[Vec<usize>]) -> Vec<ClassScores> {
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    (0..m.len())
        .map(|c| {
            let tp = m[c][c];
            let predicted: usize = m.iter().map(|r| r[c]).sum();
            let support: usize = m[c].iter().sum();
            let (precision, recall) = (ratio(tp, predicted), ratio(tp, support));
            let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
            ClassScores { precision, recall, f1, support }
        })
        .collect()
}

/// scikit-learn's `classification_report` as text: precision, recall, F1 and support per
/// class, then the macro averages, from a confusion matrix.
pub fn class_report(m: &[Vec<usize>], class_names: &[String]) -> String {
    let scores = class_scores(m);
    let mut out = format!("{:<12} {:>9} {:>7} {:>6} {:>7}\n", "", "precision", "recall", "F1", "images");
    for (i, s) in scores.iter().enumerate() {
        let name = class_names.get(i).cloned().unwrap_or_else(|| i.to_string());
        out += &format!("{name:<12} {:>9.3} {:>7.3} {:>6.3} {:>7}\n", s.precision, s.recall, s.f1, s.support);
    }
    let k = scores.len().max(1) as f64;
    let mean = |f: fn(&ClassScores) -> f64| scores.iter().map(f).sum::<f64>() / k;
    let total: usize = scores.iter().map(|s| s.support).sum();
    out += &format!("{:<12} {:>9.3} {:>7.3} {:>6.3} {:>7}\n", "macro avg", mean(|s| s.precision), mean(|s| s.recall), mean(|s| s.f1), total);
    out
}

/// fastai's `most_confused`: `(true class, predicted class, count)` for every off-diagonal
/// cell with at least `min` images, most frequent first.
pub fn most_confused(m: &[Vec<usize>], min: usize) -> Vec<(usize, usize, usize)> {
    let mut v: Vec<(usize, usize, usize)> = m
        .iter()
        .enumerate()
        .flat_map(|(t, row)| row.iter().enumerate().filter(move |&(p, &n)| p != t && n >= min.max(1)).map(move |(p, &n)| (t, p, n)))
        .collect();
    v.sort_by(|a, b| b.2.cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    v
}

/// fastai's `top_losses`: the `n` images with the highest cross-entropy loss (probabilities
/// floored at 1e-7), worst first, as `(index, loss)`.
pub fn top_losses(probs: &[Vec<f32>], labels: &[u8], n: usize) -> Vec<(usize, f64)> {
    let mut v: Vec<(usize, f64)> = probs.iter().zip(labels).map(|(p, &l)| -(p[l as usize].max(1e-7) as f64).ln()).enumerate().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn confusion_and_confidence() {
        let m = confusion_matrix(&[0, 0, 1, 1], &[0, 1, 1, 1], 2);
        assert_eq!(m, vec![vec![1, 1], vec![0, 2]]);
        assert_eq!(per_class_accuracy(&m), vec![0.5, 1.0]);
        let probs = vec![vec![0.9, 0.1], vec![0.55, 0.45], vec![0.2, 0.8]];
        assert_eq!(least_confident(&probs, 2), vec![1, 2]);
        assert_eq!(crate::util::top_k(&probs[2], 1), vec![(1, 0.8)]);
    }

    #[test]
    fn evaluation_from_probabilities() {
        let e = crate::train::evaluation_of(&[vec![0.9, 0.1], vec![0.4, 0.6], vec![1.0, 0.0]], &[0, 0, 1]);
        assert!((e.accuracy - 1.0 / 3.0).abs() < 1e-12);
        let want = (-(0.9f32 as f64).ln() - (0.4f32 as f64).ln() - (1e-7f32 as f64).ln()) / 3.0;
        assert!((e.loss - want).abs() < 1e-9, "{} vs {want}", e.loss);
    }

    #[test]
    fn soft_voting_and_mistakes() {
        // Each model alone is wrong on one image; averaged, the confident one wins both.
        let a = vec![vec![0.9, 0.1], vec![0.6, 0.4]];
        let b = vec![vec![0.45, 0.55], vec![0.05, 0.95]];
        let avg = crate::train::average_probabilities(&[a.clone(), b.clone()]).unwrap();
        let want = [[0.675, 0.325], [0.325, 0.675]];
        for (row, w) in avg.iter().zip(want) {
            assert!(row.iter().zip(w).all(|(x, y)| (x - y).abs() < 1e-6), "{avg:?}");
        }
        let labels = [0, 1];
        assert_eq!(mistakes(&a, &labels), vec![1]);
        assert_eq!(mistakes(&b, &labels), vec![0]);
        assert!(mistakes(&avg, &labels).is_empty());
        assert!(crate::train::average_probabilities(&[]).is_err());
        let err = crate::train::average_probabilities(&[a.clone(), vec![vec![1.0, 0.0]]]).unwrap_err().to_string();
        assert!(err.contains("set 1"), "{err}");
        assert!(crate::train::average_probabilities(&[a, vec![vec![1.0], vec![1.0]]]).is_err());
    }

    #[test]
    fn class_scores_match_hand_computed_values() {
        // true 0: 3 right, 1 called 1; true 1: 2 right, 2 called 0; true 2: never predicted.
        let m = vec![vec![3, 1, 0], vec![2, 2, 0], vec![0, 1, 0]];
        let s = class_scores(&m);
        assert!((s[0].precision - 0.6).abs() < 1e-12 && (s[0].recall - 0.75).abs() < 1e-12);
        assert!((s[0].f1 - 2.0 * 0.6 * 0.75 / 1.35).abs() < 1e-12);
        assert_eq!((s[1].precision, s[1].recall, s[1].support), (0.5, 0.5, 4));
        assert_eq!((s[2].precision, s[2].recall, s[2].f1, s[2].support), (0.0, 0.0, 0.0, 1));
        assert_eq!(most_confused(&m, 1), vec![(1, 0, 2), (0, 1, 1), (2, 1, 1)]);
        assert_eq!(most_confused(&m, 2), vec![(1, 0, 2)]);
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let report = class_report(&m, &names);
        assert!(report.lines().nth(1).unwrap().starts_with("a") && report.contains("0.600   0.750"), "{report}");
        assert!(report.lines().last().unwrap().starts_with("macro avg") && report.trim_end().ends_with(" 9"), "{report}");
    }

    #[test]
    fn top_losses_are_the_least_probable_true_classes() {
        let probs = vec![vec![0.9, 0.1], vec![0.2, 0.8], vec![0.5, 0.5], vec![0.0, 1.0]];
        let t = top_losses(&probs, &[0, 0, 0, 1], 3);
        assert_eq!(t.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 2, 0]);
        assert!((t[0].1 - -(0.2f32 as f64).ln()).abs() < 1e-9);
    }
}

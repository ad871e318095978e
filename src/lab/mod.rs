//! The lab around the series: the notebooks' named training runs ([`recipes`]), the
//! [`run_cache`] that trains each once, the [`results`] table they record, and the [`bench`](mod@bench)es, the entry points of the [`fuzz`] targets, and the data of the browser demo ([`web_demo`]).

pub mod bench;
pub mod fuzz;
pub mod recipes;
pub mod results;
pub mod run_cache;
pub mod web_demo;

pub use run_cache::{is_cached, retrain, run_key, runs_dir, train_or_load, train_or_load_on};

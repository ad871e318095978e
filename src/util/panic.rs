//! Dependencies' panics as errors. burn may panic deep inside on a malformed record, zune-jpeg
//! 0.5.15 (the newest release behind `image`) on some damaged JPEGs where its development version
//! returns an error, bhtsne on degenerate input; a reader of outside files must answer with an
//! error instead. Needs unwinding: under `panic = "abort"` (the wasm demo) a panic still aborts.

use std::cell::{Cell, RefCell};

thread_local! {
    /// Whether this thread's panics are caught by [`catch_panic`] (and so kept off stderr).
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where this thread's last quiet panic happened: "at zune-jpeg-0.5.15/src/idct/avx2.rs:246".
    static WHERE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Run `f`, turning a panic into its message, with the file and line it came from when it
/// happened on this thread. The message is kept off stderr: the caller's error carries it.
///
/// ```
/// let e = cnn_lab::util::catch_panic(|| -> u8 { panic!("no") }).unwrap_err();
/// assert!(e.starts_with("at ") && e.ends_with(": no"), "{e}");
/// ```
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    let before = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(before));
    result.map_err(|payload| {
        let message = payload.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| payload.downcast_ref::<String>().cloned());
        let at = WHERE.with(|w| w.take());
        format!("{at}{}{}", if at.is_empty() { "" } else { ": " }, message.as_deref().unwrap_or("panic without a message"))
    })
}

/// Keep this thread's panics off stderr from now on: for the worker threads of a pool whose
/// work runs inside [`catch_panic`] on another thread (the panic reaches it as the pool's
/// result; the pool's threads end with it).
pub fn quiet_panics_on_this_thread() {
    install_hook();
    QUIET.with(|q| q.set(true));
}

/// Wraps whatever hook is installed first (the default, a test harness's, libFuzzer's abort), once
/// per process: a panic on a thread that is not quiet still reaches it. Swapping hooks per call
/// instead would race with other threads doing the same.
fn install_hook() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                return previous(info);
            }
            let at = info.location().map(|l| {
                // The crate's folder and file, without the registry's path before it.
                let file = l.file().rsplit_once("/registry/src/").map_or(l.file(), |(_, f)| f.split_once('/').map_or(f, |(_, f)| f));
                format!("at {file}:{}", l.line())
            });
            WHERE.with(|w| *w.borrow_mut() = at.unwrap_or_default());
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_place_and_message() {
        assert_eq!(catch_panic(|| 3), Ok(3));
        let line = line!() + 1;
        assert_eq!(catch_panic(|| -> u8 { panic!("no {}", 7) }), Err(format!("at src/util/panic.rs:{line}: no 7")));
        // Nested: the inner catch does not make the outer thread loud again.
        let outer = catch_panic(|| {
            let _ = catch_panic(|| panic!("inner"));
            QUIET.with(Cell::get)
        });
        assert_eq!(outer, Ok(true));
        assert!(!QUIET.with(Cell::get));
    }

    #[test]
    fn a_worker_threads_panic_reaches_the_caller_with_its_message() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).start_handler(|_| quiet_panics_on_this_thread()).build().unwrap();
        let e = catch_panic(|| pool.install(|| rayon::join(|| 1, || -> u8 { panic!("worker") }))).unwrap_err();
        assert!(e.ends_with("worker"), "{e}");
    }
}

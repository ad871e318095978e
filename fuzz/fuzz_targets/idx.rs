#![no_main]
// The idx reader: any bytes must give Ok or an error, never a panic, a hang or a huge allocation.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = cnn_lab::lab::fuzz::run(cnn_lab::lab::fuzz::Target::Idx, data);
});

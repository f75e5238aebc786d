//! Work spread over the cores: a slice cut into one piece per core (at most 8), each piece done
//! on a scoped thread of its own, the pieces' results returned in the slice's order. A panic in
//! a piece is a panic of the caller.

/// How many cores work can be spread over (at most 8). Asked once a run (the answer reads the
/// cgroup's files).
pub fn count() -> usize {
    static COUNT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *COUNT.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8)
    })
}

/// `work` done on each piece of `items`; with `spread` false (not worth the threads), or on one
/// core, the calling thread does the whole slice as one piece.
pub fn over_cores<T: Sync, R: Send>(
    items: &[T],
    spread: bool,
    work: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    if !spread || items.len() < 2 || count() < 2 {
        return vec![work(items)];
    }
    let cores = count();
    let piece = items.len().div_ceil(cores);
    let work = &work;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(piece)
            .map(|part| s.spawn(move || work(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    /// A panic in a piece reaches the caller, unwound (the unwinder is linked in statically:
    /// see build.rs).
    #[test]
    fn a_panic_in_a_piece_is_a_panic_of_the_caller() {
        let items: Vec<u32> = (0..64).collect();
        let caught = std::panic::catch_unwind(|| {
            super::over_cores(&items, true, |part| {
                if part.contains(&63) {
                    panic!("piece failed");
                }
                part.len()
            })
        });
        let message = caught.expect_err("the panic reaches the caller");
        assert_eq!(message.downcast_ref::<&str>(), Some(&"piece failed"));
        // and a run without a panic gives every piece's result, in order
        let lengths = super::over_cores(&items, true, |part| part.len());
        assert_eq!(lengths.iter().sum::<usize>(), 64);
    }
}

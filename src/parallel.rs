//! Work shared among the cores, for the stages where it pays at the quota ceiling (a block's
//! instances, the rule families, the planner's comparisons, cost and apply order, the plan's
//! text): scoped threads, no pool, no dependency, results in the items' order. As few threads
//! as there are cores: each thread's allocations take fresh pages, so more threads than cores
//! would cost memory and win nothing.

use std::sync::{Mutex, OnceLock};

/// How many threads work is shared among: the cores this process may use, at most 8. Asked
/// once: the question reads the scheduler's affinity and the cgroup's quota (system calls and
/// files), and `map` is called for every resource block — 55,000 times in a large explicit
/// configuration, where asking each time took longer than evaluating the blocks.
pub fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(8))
}

/// `f` over `items`, in order, on up to as many threads as there are cores. Items are taken
/// `batch` at a time, so uneven work spreads out; one batch or less runs on this thread alone.
pub fn map<T: Send, U: Send>(items: Vec<T>, batch: usize, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    map_enumerated(items, batch, |_, item| f(item))
}

/// `map`, with each item's place in `items`.
pub fn map_enumerated<T: Send, U: Send>(items: Vec<T>, batch: usize, f: impl Fn(usize, T) -> U + Sync) -> Vec<U> {
    let batch = batch.max(1);
    let threads = cores().min(items.len().div_ceil(batch));
    if threads < 2 {
        return items.into_iter().enumerate().map(|(at, item)| f(at, item)).collect();
    }
    let queue = Mutex::new(items.into_iter().enumerate());
    let work = || {
        let mut done: Vec<(usize, Vec<U>)> = Vec::new();
        loop {
            let taken: Vec<(usize, T)> = queue.lock().unwrap_or_else(|p| p.into_inner()).by_ref().take(batch).collect();
            let Some(&(start, _)) = taken.first() else { return done };
            done.push((start, taken.into_iter().map(|(at, item)| f(at, item)).collect()));
        }
    };
    let mut batches = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut all = work();
        for handle in others {
            all.extend(handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        all
    });
    batches.sort_by_key(|(start, _)| *start);
    // Sized once: the results of thousands of items are not grown by doubling.
    let mut out = Vec::with_capacity(batches.iter().map(|(_, results)| results.len()).sum());
    for (_, results) in batches {
        out.extend(results);
    }
    out
}

/// Lets `value` go on a thread of its own, while this one goes on: at the quota ceiling freeing
/// the evaluated configuration took tens of milliseconds on the main thread, between planning
/// and printing the plan, with the other core idle. One core: freed here.
pub fn drop_elsewhere<T: Send + 'static>(value: T) {
    if cores() < 2 {
        return drop(value);
    }
    // Should the thread not start, the closure is dropped here, and the value with it.
    let _ = std::thread::Builder::new().name("drop".into()).spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    /// What is dropped elsewhere is dropped.
    #[test]
    fn a_value_dropped_elsewhere_is_dropped() {
        struct Told(std::sync::mpsc::Sender<()>);
        impl Drop for Told {
            fn drop(&mut self) {
                let _ = self.0.send(());
            }
        }
        let (tell, told) = std::sync::mpsc::channel();
        super::drop_elsewhere(Told(tell));
        assert!(told.recv_timeout(std::time::Duration::from_secs(30)).is_ok());
    }

    /// Whatever the number of items and the batch, the results come back in the items' order.
    #[test]
    fn results_keep_their_order() {
        for (n, batch) in [(0, 1), (1, 1), (7, 1), (1_999, 512), (2_000, 512), (10_007, 256), (5, 0)] {
            let out = super::map((0..n).collect(), batch, |i: usize| i * 2);
            assert_eq!(out, (0..n).map(|i| i * 2).collect::<Vec<_>>(), "{n} items in batches of {batch}");
            // Each item is given its own place.
            let placed = super::map_enumerated((0..n).map(|i| i * 3).collect(), batch, |at, i: usize| (at, i));
            assert_eq!(placed, (0..n).map(|i| (i, i * 3)).collect::<Vec<_>>(), "{n} items in batches of {batch}");
        }
    }
}
